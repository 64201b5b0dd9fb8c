// releaseKit: one pipeline step per release-kit tool, with the same environment contract as the
// GitHub Actions. Named arguments become RELEASE_KIT_* variables (tag -> RELEASE_KIT_TAG,
// dryRun -> RELEASE_KIT_DRY_RUN, repoDir -> RELEASE_KIT_REPO_DIR, ...); `args` is a list of
// extra command-line arguments (e.g. the subcommand). Nothing is interpolated into a shell
// command, so no argument can inject one.
//
//   releaseKit.install()                       // binaries into .release-kit/bin
//   releaseKit.bumpVersion(args: ['check'], tag: params.MESOS_TAG)
//   releaseKit.buildRpms(tag: params.MESOS_TAG, release: params.MESOS_RELEASE)
//   releaseKit.packageRpms('el9', params)   // the packaging job's stage for one distro

def install(Map args = [:]) {
    writeFile(file: '.release-kit/install.sh', text: libraryResource('release-kit/install.sh'))
    withEnv(envFor(args)) {
        sh(script: 'bash .release-kit/install.sh', label: 'install release-kit')
    }
}

def changelogCheck(Map args = [:]) {
    return run('changelog-check', args)
}

def bumpVersion(Map args = [:]) {
    return run('bump-version', args)
}

def verifyDistcheck(Map args = [:]) {
    return run('verify-distcheck', args)
}

def benchCompare(Map args = [:]) {
    return run('bench-compare', args)
}

def stageRc(Map args = [:]) {
    return run('stage-rc', args)
}

def publishDist(Map args = [:]) {
    return run('publish-dist', args)
}

def buildRpms(Map args = [:]) {
    return run('build-rpms', args)
}

// The packaging job's work for one distro (jenkins/Jenkinsfile): import the signing key into a
// throwaway keyring, build, check and sign the RPMs, publish them when PUBLISH is set, archive
// them. The repository credential is asked for only when the run publishes.
def packageRpms(String distro, Map params) {
    if (!(distro ==~ /[a-z][a-z0-9_]*/)) {
        error("packageRpms: distro '${distro}' is not a name like el9")
    }
    install()
    List credentials = [
        file(credentialsId: 'rpm-signing-key', variable: 'SIGNING_KEY_FILE'),
        string(credentialsId: 'rpm-signing-key-fingerprint', variable: 'RELEASE_KIT_RPM_SIGN_KEY'),
    ]
    boolean publish = params.PUBLISH as boolean
    if (publish) {
        if (!params.RPM_REPO_URL) {
            error('PUBLISH is set but RPM_REPO_URL is empty; set the repository URL to publish to, or clear PUBLISH')
        }
        credentials << usernamePassword(credentialsId: 'rpm-repository',
                                        usernameVariable: 'RELEASE_KIT_RPM_PUBLISH_USER',
                                        passwordVariable: 'RELEASE_KIT_RPM_PUBLISH_PASSWORD')
    }
    withCredentials(credentials) {
        // A throwaway keyring for this build only; the key never appears in the log.
        withEnv(["GNUPGHOME=${env.WORKSPACE}/.gnupg-${distro}"]) {
            sh(label: 'import the signing key', script: '''
                set +x
                rm -rf "$GNUPGHOME"
                mkdir -m 700 "$GNUPGHOME"
                gpg --batch --quiet --import "$SIGNING_KEY_FILE"
            ''')
            buildRpms(
                tag: params.MESOS_TAG ?: null,
                release: params.MESOS_RELEASE,
                repoDir: 'rpm-repo',
                workDir: "build-rpms-${distro}",
                publish: publish ? params.RPM_REPO_URL : null,
                args: ['--set', "rpm.distro=${distro}", '--set', "rpm.dist_tag=.${distro}"],
            )
        }
    }
    archiveArtifacts(artifacts: '**/*.rpm', fingerprint: true)
}

// Runs a tool, records its JUnit report, and fails the build with the tool's exit code. step.sh
// removes the report before the tool runs, so a tool that stops before writing one leaves none:
// no earlier run's report is recorded as this one's.
def run(String tool, Map args) {
    checkArgs(tool, args)
    writeFile(file: '.release-kit/step.sh', text: libraryResource('release-kit/step.sh'))
    String report = ".release-kit/${tool}-junit.xml"
    List<String> vars = ["RELEASE_KIT_TOOL=${tool}", "RELEASE_KIT_JUNIT=${report}"] + envFor(args)
    int status = 0
    withEnv(vars) {
        status = sh(script: 'bash .release-kit/step.sh', label: "release-kit ${tool}", returnStatus: true)
    }
    if (fileExists(report)) {
        junit(testResults: report, allowEmptyResults: true)
    }
    if (status != 0) {
        Map<Integer, String> meanings = [
            1: 'the check found problems', 2: 'bad usage or input', 3: 'an outside failure',
        ]
        String meaning = meanings[status] ?: 'a crash'
        error("release-kit ${tool} failed with exit code ${status} (${meaning})")
    }
    return status
}

// Named arguments are identifiers; an element of `args` is one argument, so it may not hold a line
// break (step.sh splits RELEASE_KIT_ARGS on them, which would make it two arguments).
void checkArgs(String tool, Map args) {
    args.each { entry ->
        String key = entry.key as String
        if (!(key ==~ /[a-z][A-Za-z0-9]*/)) {
            error("release-kit ${tool}: argument name '${key}' is not a name like dryRun")
        }
    }
    (args.args ?: []).each { arg ->
        if ((arg as String) =~ /[\r\n]/) {
            error("release-kit ${tool}: an element of args holds a line break; pass each argument as its own element")
        }
    }
}

// tag -> RELEASE_KIT_TAG, dryRun -> RELEASE_KIT_DRY_RUN, args -> RELEASE_KIT_ARGS (one per line).
@NonCPS
List<String> envFor(Map args) {
    return args.findAll { entry -> entry.value != null && entry.key != 'tool' }.collect { entry ->
        String key = entry.key as String
        if (key == 'args') {
            return "RELEASE_KIT_ARGS=${(entry.value as List).join('\n')}"
        }
        String name = key.replaceAll(/([A-Z])/, '_$1').toUpperCase()
        return "RELEASE_KIT_${name}=${entry.value}"
    }
}
