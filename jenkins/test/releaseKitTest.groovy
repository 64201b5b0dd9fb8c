// Tests of the shared library (jenkins/vars/releaseKit.groovy) under a real Groovy, with the
// pipeline steps stubbed: sh runs the library's own shell side (.release-kit/*.sh) for real with
// bash, in a temporary workspace, against a probe standing in for the release-kit binaries; every
// other sh script is recorded, not run. withCredentials, withEnv, junit, archiveArtifacts,
// writeFile, readFile, fileExists, libraryResource and error are stubbed and record what they get.
//
//   groovy jenkins/test/releaseKitTest.groovy     (from the repository root; tests/all/jenkins.rs runs it)
//
// Prints one line per test and a closing `N passed, M failed`; exits non-zero when a test failed.

import groovy.transform.Field
import org.codehaus.groovy.control.CompilerConfiguration
import org.codehaus.groovy.control.customizers.ImportCustomizer

@Field File root = new File(getClass().protectionDomain.codeSource.location.path).parentFile.parentFile.parentFile

class PipelineError extends RuntimeException {
    PipelineError(String message) { super(message) }
}

// One pipeline run's world: a workspace, the probe binaries, and what the steps recorded.
class World {
    File workspace
    File bin
    List<Map> shCalls = []
    List<String> junitFiles = []
    List<Map> archived = []
    List<List> credentialRequests = []
    List<String> envStack = []
    Map<String, String> credentialEnv = [:]
    int toolRuns = 0

    List<Map> toolCalls() {
        File calls = new File(workspace, 'calls')
        if (!calls.exists()) {
            return []
        }
        return calls.listFiles().sort { f -> f.name as int }.collect { f ->
            List<String> parts = new String(f.bytes, 'UTF-8').split('\u0000', -1) as List
            int sep = parts.indexOf('--env--')
            Map env = [:]
            parts.subList(sep + 1, parts.size()).findAll { p -> p }.each { p ->
                int eq = p.indexOf('=')
                env[p.substring(0, eq)] = p.substring(eq + 1)
            }
            [argv: parts.subList(0, sep), env: env]
        }
    }
}

// The probe: records its argv and RELEASE_KIT_* environment (NUL-separated), writes a JUnit report
// when PROBE_JUNIT=1, and exits with PROBE_EXIT.
@Field String probe = '''#!/usr/bin/env bash
mkdir -p calls
n=$(ls calls | wc -l)
{
  for a in "$@"; do printf '%s\\0' "$a"; done
  printf -- '--env--\\0'
  env -0 | grep -z '^RELEASE_KIT_' || true
} > "calls/$n"
if [ "${PROBE_JUNIT:-0}" = 1 ] && [ -n "${RELEASE_KIT_JUNIT:-}" ]; then
  mkdir -p "$(dirname "$RELEASE_KIT_JUNIT")"
  echo '<testsuite name="probe"/>' > "$RELEASE_KIT_JUNIT"
fi
exit "${PROBE_EXIT:-0}"
'''

World newWorld(Map probeEnv = [:]) {
    World w = new World()
    w.workspace = File.createTempDir('release-kit-jenkins', '')
    w.bin = new File(w.workspace, 'probe-bin')
    w.bin.mkdirs()
    ['changelog-check', 'bump-version', 'verify-distcheck', 'bench-compare', 'stage-rc', 'publish-dist',
     'build-rpms'].each { t ->
        File f = new File(w.bin, t)
        f.text = probe
        f.setExecutable(true)
    }
    w.credentialEnv.putAll(probeEnv)
    return w
}

// Loads the library into a script whose binding holds the stubbed steps of World w.
Script library(World w, Map params = [:]) {
    Binding b = new Binding()
    // Jenkins imports NonCPS into every library script; so does this shell, from a stand-in.
    CompilerConfiguration config = new CompilerConfiguration()
    config.addCompilationCustomizers(new ImportCustomizer().addImports('com.cloudbees.groovy.cps.NonCPS'))
    GroovyShell shell = new GroovyShell(b, config)
    shell.classLoader.parseClass('''package com.cloudbees.groovy.cps
import java.lang.annotation.*
@Retention(RetentionPolicy.RUNTIME) @interface NonCPS {}''')
    b.setVariable('env', [WORKSPACE: w.workspace.path])
    b.setVariable('params', params)
    b.setVariable('libraryResource', { String path -> new File(root, "jenkins/resources/${path}").text })
    b.setVariable('writeFile', { Map a ->
        File f = new File(w.workspace, a.file as String)
        f.parentFile.mkdirs()
        f.text = a.text
    })
    b.setVariable('readFile', { Object a -> new File(w.workspace, (a instanceof Map ? a.file : a) as String).text })
    b.setVariable('fileExists', { String path -> new File(w.workspace, path).exists() })
    b.setVariable('junit', { Map a -> w.junitFiles << (a.testResults as String) })
    b.setVariable('archiveArtifacts', { Map a -> w.archived << a })
    b.setVariable('error', { String message -> throw new PipelineError(message) })
    b.setVariable('file', { Map a -> [kind: 'file'] + a })
    b.setVariable('string', { Map a -> [kind: 'string'] + a })
    b.setVariable('usernamePassword', { Map a -> [kind: 'usernamePassword'] + a })
    b.setVariable('withCredentials', { List creds, Closure body ->
        w.credentialRequests << creds
        Map saved = new HashMap(w.credentialEnv)
        creds.each { c ->
            if (c.kind == 'file') {
                File secret = new File(w.workspace, ".secret-${c.credentialsId}")
                secret.text = 'secret file'
                w.credentialEnv[c.variable as String] = secret.path
            } else if (c.kind == 'string') {
                w.credentialEnv[c.variable as String] = "secret-${c.credentialsId}"
            } else {
                w.credentialEnv[c.usernameVariable as String] = 'user'
                w.credentialEnv[c.passwordVariable as String] = 'password'
            }
        }
        try {
            body()
        } finally {
            w.credentialEnv.clear()
            w.credentialEnv.putAll(saved)
        }
    })
    b.setVariable('withEnv', { List vars, Closure body ->
        int depth = w.envStack.size()
        w.envStack.addAll(vars.collect { v -> v as String })
        try {
            body()
        } finally {
            while (w.envStack.size() > depth) {
                w.envStack.remove(w.envStack.size() - 1)
            }
        }
    })
    b.setVariable('sh', { Map a ->
        String script = a.script as String
        Map call = [script: script, label: a.label, env: new ArrayList(w.envStack)]
        w.shCalls << call
        if (!script.startsWith('bash .release-kit/')) {
            return a.returnStatus ? 0 : null
        }
        Map<String, String> environment = [PATH: System.getenv('PATH'), HOME: w.workspace.path,
                                           RELEASE_KIT_BIN: w.bin.path]
        w.credentialEnv.each { k, v -> environment[k as String] = v as String }
        w.envStack.each { v ->
            int eq = v.indexOf('=')
            environment[v.substring(0, eq)] = v.substring(eq + 1)
        }
        ProcessBuilder pb = new ProcessBuilder(['bash', '-c', script])
        pb.directory(w.workspace)
        pb.environment().clear()
        environment.each { k, v -> pb.environment().put(k as String, v as String) }
        pb.redirectErrorStream(true)
        Process p = pb.start()
        call.output = p.inputStream.text
        int status = p.waitFor()
        call.status = status
        if (a.returnStatus) {
            return status
        }
        if (status != 0) {
            throw new PipelineError("script returned exit code ${status}")
        }
        return null
    })
    Script s = shell.parse(new File(root, 'jenkins/vars/releaseKit.groovy'))
    s.binding = b
    return s
}

@Field List<String> failures = []
@Field int passed = 0

void check(boolean condition, String what) {
    if (!condition) {
        throw new AssertionError(what)
    }
}

void test(String name, Closure body) {
    try {
        body()
        passed++
        println "ok - ${name}"
    } catch (AssertionError | PipelineError e) {
        failures << name
        println "FAIL - ${name}: ${e}"
        if (System.getenv("RK_GROOVY_TRACE")) { e.printStackTrace(System.out) }
    }
}

String thrown(Closure body) {
    try {
        body()
    } catch (PipelineError e) {
        return e.message
    }
    return null
}

// ---- the tests -------------------------------------------------------------------------------

test('a step passes named arguments through the environment and args as argv, and records its report') {
    World w = newWorld(PROBE_JUNIT: '1')
    Script lib = library(w)
    lib.install()
    check(w.shCalls*.script == ['bash .release-kit/install.sh'], "install ran ${w.shCalls*.script}")
    check(w.shCalls[0].status == 0, "install.sh found the binaries: ${w.shCalls[0].output}")
    int status = lib.bumpVersion(args: ['check', '--expect', '1.1.0'], tag: '1.1.0-rc1', dryRun: true)
    check(status == 0, "status ${status}")
    List calls = w.toolCalls()
    check(calls.size() == 1, "one tool run: ${calls}")
    check(calls[0].argv == ['check', '--expect', '1.1.0'], "argv ${calls[0].argv}")
    check(calls[0].env.RELEASE_KIT_TAG == '1.1.0-rc1', "env ${calls[0].env}")
    check(calls[0].env.RELEASE_KIT_DRY_RUN == 'true', "env ${calls[0].env}")
    check(calls[0].env.RELEASE_KIT_TOOL == 'bump-version', "env ${calls[0].env}")
    check(w.shCalls[1].script == 'bash .release-kit/step.sh', "step ran ${w.shCalls[1].script}")
    check(w.shCalls[1].label == 'release-kit bump-version', "label ${w.shCalls[1].label}")
    check(w.junitFiles == ['.release-kit/bump-version-junit.xml'], "junit ${w.junitFiles}")
}

test('hostile parameters (shell metacharacters, CR, LF) reach the tool as inert strings') {
    World w = newWorld()
    Script lib = library(w)
    File marker = new File(w.workspace, 'pwned')
    String hostile = "\$(touch ${marker}); `touch ${marker}`; \"; touch ${marker}; echo \"\r\n' ; touch ${marker} #"
    lib.buildRpms(tag: hostile, release: "1\r", args: ["--set", "rpm.distro=\$(touch ${marker})", 'a b;c|d&e>f'])
    List calls = w.toolCalls()
    check(calls.size() == 1, "one tool run: ${calls}")
    check(calls[0].env.RELEASE_KIT_TAG == hostile, "tag arrived changed: ${calls[0].env.RELEASE_KIT_TAG}")
    check(calls[0].env.RELEASE_KIT_RELEASE == '1\r', "release arrived changed")
    check(calls[0].argv == ['--set', "rpm.distro=\$(touch ${marker})", 'a b;c|d&e>f'], "argv ${calls[0].argv}")
    check(!marker.exists(), 'a parameter was run by a shell')
    List scripts = w.shCalls*.script
    check(scripts.every { s -> !s.contains('touch') }, "a value reached a script's text: ${scripts}")
}

test('an argument holding a line break is refused before anything runs') {
    ["two\nargs", "cr\rhere"].each { bad ->
        World w = newWorld()
        Script lib = library(w)
        String message = thrown { lib.stageRc(tag: '1.0.0-rc1', args: ['--out', bad]) }
        check(message?.contains('holds a line break'), "error: ${message}")
        check(w.toolCalls().isEmpty(), 'the tool ran')
        check(w.shCalls.isEmpty(), "a script ran: ${w.shCalls*.script}")
    }
    World w = newWorld()
    String message = thrown { library(w).stageRc('x; rm': 'y') }
    check(message?.contains("argument name 'x; rm'"), "error: ${message}")
}

test('a failing tool fails the build with its exit code and meaning') {
    Map meanings = [1: 'the check found problems', 2: 'bad usage or input', 3: 'an outside failure', 101: 'a crash']
    meanings.each { code, meaning ->
        World w = newWorld(PROBE_EXIT: code as String)
        String message = thrown { library(w).changelogCheck(tag: '1.0.0-rc1') }
        String want = "release-kit changelog-check failed with exit code ${code} (${meaning})"
        check(message == want, "error: ${message}")
    }
}

test('a step that stops before writing its report records no stale report') {
    World w = newWorld(PROBE_JUNIT: '1')
    Script lib = library(w)
    lib.verifyDistcheck(args: ['source'], tag: '1.0.0-rc1')
    check(w.junitFiles.size() == 1, "first run recorded ${w.junitFiles}")
    check(new File(w.workspace, '.release-kit/verify-distcheck-junit.xml').exists(), 'the report was written')
    w.credentialEnv.PROBE_JUNIT = '0'
    w.credentialEnv.PROBE_EXIT = '2'
    String message = thrown { lib.verifyDistcheck(args: ['source'], tag: '1.0.0-rc1') }
    check(message?.contains('exit code 2'), "error: ${message}")
    check(w.junitFiles.size() == 1, "the earlier report was recorded again: ${w.junitFiles}")
    File report = new File(w.workspace, '.release-kit/verify-distcheck-junit.xml')
    check(!report.exists(), 'the stale report is still there')
}

test('an unknown tool is a usage error') {
    World w = newWorld()
    String message = thrown { library(w).run('rm -rf /', [:]) }
    check(message == 'release-kit rm -rf / failed with exit code 2 (bad usage or input)', "error: ${message}")
    check(w.toolCalls().isEmpty(), 'a tool ran')
}

test('packaging with PUBLISH=false asks for no publish credential and publishes nothing') {
    World w = newWorld()
    library(w, [:]).packageRpms('el9', [MESOS_TAG: '1.11.0-rc1', MESOS_RELEASE: '1', PUBLISH: false, RPM_REPO_URL: ''])
    List ids = w.credentialRequests.flatten()*.credentialsId
    check(ids == ['rpm-signing-key', 'rpm-signing-key-fingerprint'], "credentials ${ids}")
    List calls = w.toolCalls()
    check(calls.size() == 1, "one build-rpms run: ${calls}")
    Map env = calls[0].env
    check(!env.containsKey('RELEASE_KIT_PUBLISH'), "publishes: ${env}")
    check(!env.containsKey('RELEASE_KIT_RPM_PUBLISH_PASSWORD'), 'the publish password reached the tool')
    check(env.RELEASE_KIT_TAG == '1.11.0-rc1' && env.RELEASE_KIT_WORK_DIR == 'build-rpms-el9', "env ${env}")
    check(calls[0].argv == ['--set', 'rpm.distro=el9', '--set', 'rpm.dist_tag=.el9'], "argv ${calls[0].argv}")
    check(w.shCalls*.label == ['install release-kit', 'import the signing key', 'release-kit build-rpms'],
          "steps ${w.shCalls*.label}")
    check(w.shCalls[1].env == ["GNUPGHOME=${w.workspace.path}/.gnupg-el9"], "keyring ${w.shCalls[1].env}")
    check(w.archived == [[artifacts: '**/*.rpm', fingerprint: true]], "archived ${w.archived}")
}

test('packaging with PUBLISH=true asks for the repository credential, and needs the URL') {
    World w = newWorld()
    library(w).packageRpms('el8', [MESOS_TAG: '', MESOS_RELEASE: '2', PUBLISH: true,
                                   RPM_REPO_URL: 'https://repo.example.org/yum'])
    List ids = w.credentialRequests.flatten()*.credentialsId
    check(ids == ['rpm-signing-key', 'rpm-signing-key-fingerprint', 'rpm-repository'], "credentials ${ids}")
    Map env = w.toolCalls()[0].env
    check(env.RELEASE_KIT_PUBLISH == 'https://repo.example.org/yum', "env ${env}")
    check(env.RELEASE_KIT_RPM_PUBLISH_USER == 'user', 'the credential did not reach the tool')
    check(!env.containsKey('RELEASE_KIT_TAG'), "an empty tag is unset: ${env}")
    World w2 = newWorld()
    String message = thrown { library(w2).packageRpms('el8', [PUBLISH: true, RPM_REPO_URL: '']) }
    check(message?.contains('RPM_REPO_URL is empty'), "error: ${message}")
    check(w2.credentialRequests.isEmpty() && w2.toolCalls().isEmpty(), 'it went on')
}

test('a hostile distro name is refused') {
    World w = newWorld()
    String message = thrown { library(w).packageRpms('el9; rm -rf /', [PUBLISH: false]) }
    check(message?.contains("distro 'el9; rm -rf /'"), "error: ${message}")
    check(w.shCalls.isEmpty(), 'a script ran')
}

println "${passed} passed, ${failures.size()} failed"
if (failures) {
    throw new AssertionError("failed: ${failures.join('; ')}")
}
