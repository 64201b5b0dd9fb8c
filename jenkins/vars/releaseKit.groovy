// releaseKit: one pipeline step per release-kit tool, with the same environment contract as the
// GitHub Actions. Named arguments become RELEASE_KIT_* variables (tag -> RELEASE_KIT_TAG,
// dryRun -> RELEASE_KIT_DRY_RUN, repoDir -> RELEASE_KIT_REPO_DIR, ...); `args` is a list of
// extra command-line arguments (e.g. the subcommand). Nothing is interpolated into a shell
// command, so no argument can inject one.
//
//   releaseKit.install()                       // binaries into .release-kit/bin
//   releaseKit.bumpVersion(args: ['check'], tag: params.MESOS_TAG)
//   releaseKit.buildRpms(tag: params.MESOS_TAG, release: params.MESOS_RELEASE)

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

// Runs a tool, records its JUnit report, and fails the build with the tool's exit code.
def run(String tool, Map args) {
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
