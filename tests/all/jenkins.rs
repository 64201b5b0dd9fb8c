//! The Jenkins deliverables: the Groovy is linted with npm-groovy-lint, and the shared library's
//! environment contract is tested by running its shell steps for real.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

fn jenkins() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("jenkins")
}

fn bin_dir() -> PathBuf {
    bin("bump-version").parent().unwrap().to_path_buf()
}

fn step(repo: &Path, vars: &[(&str, &str)]) -> Run {
    let mut c = Command::new("bash");
    c.arg(jenkins().join("resources/release-kit/step.sh"))
        .current_dir(repo);
    for (k, _) in std::env::vars() {
        if k.starts_with("RELEASE_KIT_") || k.starts_with("GITHUB_") {
            c.env_remove(k);
        }
    }
    c.env("RELEASE_KIT_BIN", bin_dir());
    for (k, v) in vars {
        c.env(k, v);
    }
    run(c)
}

#[test]
fn groovy_passes_npm_groovy_lint() {
    if !require_tool("npm-groovy-lint") {
        return;
    }
    let out = Command::new("npm-groovy-lint")
        .args(["--failon", "warning", "--output", "txt", "--noserver", "."])
        .current_dir(jenkins())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "npm-groovy-lint found problems:\n{text}"
    );
    assert!(
        text.contains("2 linted files") || text.contains("linted files"),
        "{text}"
    );
}

#[test]
fn a_step_passes_its_inputs_through_the_environment() {
    let (_d, repo) = sample_repo();
    let junit = repo.join("report.xml");
    let r = step(
        &repo,
        &[
            ("RELEASE_KIT_TOOL", "bump-version"),
            ("RELEASE_KIT_ARGS", "check\n--expect\n1.1.0"),
            ("RELEASE_KIT_JUNIT", junit.to_str().unwrap()),
            ("RELEASE_KIT_FORMAT", "json"),
        ],
    );
    r.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert!(std::fs::read_to_string(junit)
        .unwrap()
        .contains("<testsuite name=\"bump-version\""));
}

#[test]
fn the_tool_exit_code_reaches_jenkins() {
    let (_d, repo) = sample_repo();
    let r = step(
        &repo,
        &[
            ("RELEASE_KIT_TOOL", "bump-version"),
            ("RELEASE_KIT_ARGS", "check\n--expect\n9.9.9"),
        ],
    );
    r.assert_code(1);
}

#[test]
fn arguments_are_inert_strings() {
    let (_d, repo) = sample_repo();
    let marker = repo.join("pwned");
    let evil = format!(
        "check\n--expect\n$(touch {0}); `touch {0}`; \"; touch {0}; echo \"",
        marker.display()
    );
    let r = step(
        &repo,
        &[
            ("RELEASE_KIT_TOOL", "bump-version"),
            ("RELEASE_KIT_ARGS", &evil),
        ],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("is not a version"), "{}", r.stderr);
    assert!(!marker.exists(), "an argument was run by a shell");
    // A tag with shell syntax reaches the tool as a string and is refused by the tag scheme.
    let r = step(
        &repo,
        &[
            ("RELEASE_KIT_TOOL", "bump-version"),
            ("RELEASE_KIT_ARGS", "check"),
            ("RELEASE_KIT_TAG", &format!("$(touch {})", marker.display())),
        ],
    );
    r.assert_code(2);
    assert!(!marker.exists());
}

#[test]
fn unknown_tools_and_missing_binaries_are_usage_errors() {
    let d = tempfile::tempdir().unwrap();
    let r = step(d.path(), &[("RELEASE_KIT_TOOL", "rm -rf")]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("unknown release-kit tool"),
        "{}",
        r.stderr
    );
    let r = step(
        d.path(),
        &[
            ("RELEASE_KIT_TOOL", "build-rpms"),
            ("RELEASE_KIT_BIN", "/nonexistent"),
        ],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("releaseKit.install()"), "{}", r.stderr);
}

#[test]
fn install_uses_existing_binaries_or_says_what_to_set() {
    let d = tempfile::tempdir().unwrap();
    let script = jenkins().join("resources/release-kit/install.sh");
    let out = Command::new("bash")
        .arg(&script)
        .env("RELEASE_KIT_BIN", bin_dir())
        .env_remove("RELEASE_KIT_SRC")
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        bin_dir().display().to_string()
    );
    let out = Command::new("bash")
        .arg(&script)
        .env("RELEASE_KIT_BIN", d.path().join("bin"))
        .env_remove("RELEASE_KIT_SRC")
        .current_dir(d.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("RELEASE_KIT_SRC"));
}

/// A JAVA_HOME that holds a `bin/java`: the environment's, else the one `java` on PATH lives in
/// (Debian's groovy launcher looks for /usr/lib/jvm/default-java, which not every JRE provides).
fn java_home() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("JAVA_HOME").map(PathBuf::from) {
        if home.join("bin/java").is_file() {
            return Some(home);
        }
    }
    let java = std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("java"))
        .find(|p| p.is_file())?;
    let java = std::fs::canonicalize(java).ok()?;
    Some(java.parent()?.parent()?.to_path_buf())
}

#[test]
fn the_shared_library_passes_its_tests_under_a_real_groovy() {
    if !require_tool("groovy") {
        return;
    }
    let mut c = Command::new("groovy");
    c.arg(jenkins().join("test/releaseKitTest.groovy"))
        .current_dir(root());
    if let Some(home) = java_home() {
        c.env("JAVA_HOME", home);
    }
    let r = run(c);
    let summary = regex::Regex::new(r"(?m)^(\d+) passed, (\d+) failed$").unwrap();
    let caps = summary
        .captures(&r.stdout)
        .unwrap_or_else(|| panic!("no summary:\n{}\n{}", r.stdout, r.stderr));
    assert_eq!(&caps[2], "0", "{}", r.stdout);
    assert!(caps[1].parse::<u32>().unwrap() >= 9, "{}", r.stdout);
    r.assert_code(0);
    for name in [
        "hostile parameters (shell metacharacters, CR, LF) reach the tool as inert strings",
        "a step that stops before writing its report records no stale report",
        "packaging with PUBLISH=false asks for no publish credential and publishes nothing",
    ] {
        assert!(r.stdout.contains(&format!("ok - {name}")), "{}", r.stdout);
    }
}

#[test]
fn a_step_removes_an_earlier_report_before_the_tool_runs() {
    let (_d, repo) = sample_repo();
    let junit = repo.join("report.xml");
    std::fs::write(&junit, "<testsuite name=\"stale\"/>").unwrap();
    // A usage error: the tool stops before it writes a report.
    let r = step(
        &repo,
        &[
            ("RELEASE_KIT_TOOL", "bump-version"),
            ("RELEASE_KIT_ARGS", "no-such-command"),
            ("RELEASE_KIT_JUNIT", junit.to_str().unwrap()),
        ],
    );
    r.assert_code(2);
    assert!(!junit.exists(), "the earlier report is still there");
}

#[test]
fn the_agent_image_builds_release_kit_in_a_build_stage() {
    let text = std::fs::read_to_string(jenkins().join("docker/Dockerfile")).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .collect();
    let froms: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("FROM "))
        .collect();
    assert_eq!(
        froms,
        ["FROM ${RUST_IMAGE} AS release-kit", "FROM ${BASE_IMAGE}"],
        "a build stage, then the agent"
    );
    // Every ARG a FROM uses is declared before the first FROM (the global scope).
    let first_from = lines.iter().position(|l| l.starts_with("FROM ")).unwrap();
    for arg in ["BASE_IMAGE", "RUST_IMAGE"] {
        assert!(
            lines[..first_from]
                .iter()
                .any(|l| l.starts_with(&format!("ARG {arg}="))),
            "ARG {arg} before the first FROM"
        );
    }
    let stage: Vec<&str> = lines[first_from..]
        .iter()
        .copied()
        .take_while(|l| *l != "FROM ${BASE_IMAGE}")
        .collect();
    assert!(
        stage.contains(&"RUN bash jenkins/docker/build-release-kit.sh /src /opt/release-kit/bin"),
        "{stage:?}"
    );
    assert!(lines.contains(&"COPY --from=release-kit /opt/release-kit/bin/ /opt/release-kit/bin/"));
    assert!(lines.contains(&"ENV RELEASE_KIT_BIN=/opt/release-kit/bin"));
    // What the library's install.sh reads is what the image sets.
    let install =
        std::fs::read_to_string(jenkins().join("resources/release-kit/install.sh")).unwrap();
    assert!(install.contains("${RELEASE_KIT_BIN:-"));
    // The context is the checkout without its build output.
    let ignore = std::fs::read_to_string(root().join(".dockerignore")).unwrap();
    assert!(ignore.lines().any(|l| l == "target/"), "{ignore}");
}

/// A stand-in cargo for the build stage: records its arguments and "builds" every tool as a
/// script that answers -V (a real release build of seven tools takes many minutes).
fn stand_in_cargo(dir: &Path, broken: Option<&str>) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("fake-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let script = format!(
        "#!/bin/bash\nprintf '%s\\n' \"$@\" > '{log}'\nwhile [ $# -gt 0 ]; do [ \"$1\" = --target-dir ] && t=$2; shift; done\nmkdir -p \"$t/release\"\nfor b in {tools}; do printf '#!/bin/sh\\necho \"%s 0.1.0\"\\n' \"$b\" > \"$t/release/$b\"; chmod +x \"$t/release/$b\"; done\n{broken}",
        log = dir.join("cargo-args").display(),
        tools = TOOLS.join(" "),
        broken = broken
            .map(|t| format!("printf '#!/bin/sh\\nexit 127\\n' > \"$t/release/{t}\"\n"))
            .unwrap_or_default(),
    );
    std::fs::write(bin.join("cargo"), script).unwrap();
    std::fs::set_permissions(bin.join("cargo"), std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn the_build_stage_script_builds_checks_and_installs_every_tool() {
    let d = tempfile::tempdir().unwrap();
    let src = d.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("Cargo.toml"), "[package]\n").unwrap();
    let dest = d.path().join("opt/release-kit/bin");
    let script = jenkins().join("docker/build-release-kit.sh");
    let path = |bin: &Path| {
        format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        )
    };
    let fake = stand_in_cargo(d.path(), None);
    let mut c = Command::new("bash");
    c.arg(&script)
        .arg(&src)
        .arg(&dest)
        .env("PATH", path(&fake))
        .env_remove("CARGO_TARGET_DIR");
    let r = run(c);
    r.assert_code(0);
    assert_eq!(r.stdout.trim(), dest.display().to_string());
    let args = std::fs::read_to_string(d.path().join("cargo-args")).unwrap();
    assert_eq!(
        args,
        format!(
            "build\n--release\n--locked\n--bins\n--manifest-path\n{0}/Cargo.toml\n--target-dir\n{0}/target\n",
            src.display()
        )
    );
    for t in TOOLS {
        assert!(dest.join(t).is_file(), "{t} installed");
    }
    let check = Command::new("sha256sum")
        .args(["--check", "--strict", "SHA256SUMS"])
        .current_dir(&dest)
        .output()
        .unwrap();
    assert!(check.status.success(), "{check:?}");
    // The library's install.sh takes the image's binaries as they are.
    let out = Command::new("bash")
        .arg(jenkins().join("resources/release-kit/install.sh"))
        .env("RELEASE_KIT_BIN", &dest)
        .env_remove("RELEASE_KIT_SRC")
        .current_dir(d.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        dest.display().to_string()
    );

    // A binary that does not run stops the image build.
    let d2 = tempfile::tempdir().unwrap();
    let fake = stand_in_cargo(d2.path(), Some("stage-rc"));
    let mut c = Command::new("bash");
    c.arg(&script)
        .arg(&src)
        .arg(d2.path().join("out"))
        .env("PATH", path(&fake))
        .env("CARGO_TARGET_DIR", d2.path().join("t"));
    let r = run(c);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("stage-rc does not run"), "{}", r.stderr);
}
