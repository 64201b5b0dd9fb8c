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
