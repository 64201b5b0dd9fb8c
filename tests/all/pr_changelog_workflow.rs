//! .github/workflows/pr-changelog.yml, run by `act` in host mode on a pull-request event, the way
//! GitHub would run it: the annotations land on the CHANGELOG's lines.
//!
//! Offline: `actions/checkout` is replaced (`--local-repository`) by a local stand-in, since act
//! copies the repository, history included, into the job's workspace itself; the job runs the
//! changelog-check action (`./actions/changelog-check`) with the test build's binaries through its
//! `binary-dir` input (the `RELEASE_KIT_BINARY_DIR` variable), so nothing is built or downloaded.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

const WORKFLOW: &str = ".github/workflows/pr-changelog.yml";
const STAND_IN: &str = "name: checkout (offline stand-in)
description: act copies the repository with its history into the workspace; nothing to fetch.
inputs:
  fetch-depth:
    default: '1'
  persist-credentials:
    default: 'true'
runs:
  using: composite
  steps:
    - shell: bash
      run: git rev-parse --verify HEAD >/dev/null && echo \"using the local checkout at $(git rev-parse --short HEAD)\"
";

/// The `uses:` of the checkout step, e.g. `actions/checkout@<sha>`.
fn checkout_uses(workflow: &str) -> String {
    workflow
        .lines()
        .find_map(|l| l.trim().strip_prefix("uses: actions/checkout@"))
        .map(|rest| {
            format!(
                "actions/checkout@{}",
                rest.split_whitespace().next().unwrap()
            )
        })
        .expect("the workflow checks out the repository")
}

struct Pr {
    _dir: tempfile::TempDir,
    top: PathBuf,
    home: PathBuf,
    stand_in: PathBuf,
    base: String,
}

/// A repository like release-kit's for what the workflow reads: the workflow and the sample
/// project, released as 1.0.0; then a pull request that changes code and edits the 1.0.0 notes.
fn pull_request() -> Pr {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().join("repo");
    std::fs::create_dir_all(top.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(top.join("examples")).unwrap();
    std::fs::copy(root().join(WORKFLOW), top.join(WORKFLOW)).unwrap();
    copy_dir(&root().join("actions"), &top.join("actions"));
    copy_dir(
        &root().join("examples/hello-release"),
        &top.join("examples/hello-release"),
    );
    git(&top, &["init", "-q", "-b", "master"]);
    git(&top, &["add", "-A"]);
    git(&top, &["commit", "-qm", "Imported the sample project."]);
    git(&top, &["tag", "-a", "1.0.0", "-m", "Tagging Hello 1.0.0."]);
    let base = git(&top, &["rev-parse", "HEAD"]).trim().to_string();
    git(&top, &["checkout", "-q", "-b", "feature"]);
    let greet = top.join("examples/hello-release/src/greet.c");
    let text = std::fs::read_to_string(&greet).unwrap();
    std::fs::write(
        &greet,
        text.replacen("#include", "/* Greets. */\n#include", 1),
    )
    .unwrap();
    let cl = top.join("examples/hello-release/CHANGELOG");
    let text = std::fs::read_to_string(&cl).unwrap();
    let old = "    * [HELLO-14] - greet_format() returns a wrong length when truncating.\n";
    std::fs::write(
        &cl,
        text.replacen(old, &format!("{old}    * [HELLO-16] - Sneaked in.\n"), 1),
    )
    .unwrap();
    git(
        &top,
        &["commit", "-qam", "Greet, and edit the 1.0.0 notes."],
    );
    let stand_in = dir.path().join("checkout-stand-in");
    std::fs::create_dir_all(&stand_in).unwrap();
    std::fs::write(stand_in.join("action.yml"), STAND_IN).unwrap();
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    Pr {
        _dir: dir,
        top,
        home,
        stand_in,
        base,
    }
}

fn event(pr: &Pr, title: &str, labels: &[&str]) -> PathBuf {
    let head = git(&pr.top, &["rev-parse", "HEAD"]).trim().to_string();
    let e = serde_json::json!({
        "action": "synchronize",
        "number": 7,
        "pull_request": {
            "number": 7,
            "title": title,
            "body": "Please review.",
            "labels": labels.iter().map(|l| serde_json::json!({"name": l})).collect::<Vec<_>>(),
            "base": {"ref": "master", "sha": pr.base},
            "head": {"ref": "feature", "sha": head}
        },
        "repository": {"full_name": "example/release-kit", "name": "release-kit", "owner": {"login": "example"}}
    });
    let path = pr.home.join("event.json");
    std::fs::write(&path, serde_json::to_string_pretty(&e).unwrap()).unwrap();
    path
}

fn act(pr: &Pr, event: &Path) -> Run {
    let workflow = std::fs::read_to_string(pr.top.join(WORKFLOW)).unwrap();
    let mut c = Command::new("act");
    c.current_dir(&pr.top)
        .args([
            "pull_request",
            "-P",
            "ubuntu-latest=-self-hosted",
            "-W",
            WORKFLOW,
            "-e",
        ])
        .arg(event)
        .arg("--local-repository")
        .arg(format!(
            "{}={}",
            checkout_uses(&workflow),
            pr.stand_in.display()
        ))
        .args(act_cache_stand_in(
            &pr.stand_in.with_file_name("cache-stand-in"),
        ))
        .arg("--var")
        .arg(format!(
            "RELEASE_KIT_BINARY_DIR={}",
            bin("changelog-check").parent().unwrap().display()
        ))
        .env("HOME", &pr.home)
        .env("XDG_CACHE_HOME", pr.home.join(".cache"))
        .env("NO_COLOR", "1");
    for (k, _) in std::env::vars() {
        if k.starts_with("GITHUB_") || k.starts_with("RELEASE_KIT_") || k.starts_with("ACT") {
            c.env_remove(k);
        }
    }
    // act's host mode sometimes relays none of a fast step's output when the machine is loaded
    // (the step's result and its summary file still arrive; GitHub's runner does not do this).
    // changelog-check always prints its report, so a run whose output lacks it is repeated, up
    // to three times in all; every assertion then applies to a run act relayed.
    let mut attempt = || {
        let out = c.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    };
    let mut last = attempt();
    for _ in 1..3 {
        if format!("{}{}", last.stdout, last.stderr).contains("| changelog-check: ") {
            break;
        }
        last = attempt();
    }
    last
}

#[test]
fn act_an_edited_release_section_fails_the_job_with_annotations() {
    if !require_tool("act") {
        return;
    }
    let pr = pull_request();
    let r = act(&pr, &event(&pr, "Greet with a comment", &["bug"]));
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_ne!(
        r.code, 0,
        "the edited release section fails the job:\n{out}"
    );
    let line = std::fs::read_to_string(pr.top.join("examples/hello-release/CHANGELOG"))
        .unwrap()
        .lines()
        .position(|l| l.contains("HELLO-16"))
        .unwrap()
        + 1;
    let short = &pr.base[..12];
    assert!(
        out.contains(&format!("::error file=examples/hello-release/CHANGELOG,line={line},title=changelog-check%3A pr-released-sections::1.0.0 was released (tag 1.0.0): its section is history; put the change in the section being written. only here: `    * [HELLO-16] - Sneaked in.` ({short} lacks this line)")),
        "{out}"
    );
    // Every annotation points into the repository, the version sites' too. act's host mode can
    // drop the last lines a step writes when the machine is loaded (the real runner does not), so
    // the tool writes errors first; a notice, when act relays it, must point into the repository.
    // (The notices' exact form is asserted on the binary's own stderr in tests/all/bump_version.rs
    // and tests/all/changelog_check.rs.)
    if out.contains("version-sites-agree::configure.ac says") {
        assert!(
            out.contains("::notice file=examples/hello-release/configure.ac,line=18,title=changelog-check%3A version-sites-agree::configure.ac says 1.1.0"),
            "{out}"
        );
    }
    assert!(
        out.contains("| `pr-released-sections` | ❌ fail |"),
        "the job summary: {out}"
    );
    assert!(
        out.contains("Success - Main Check out the pull request with its history"),
        "{out}"
    );
}

/// The pull request with only its code change (the CHANGELOG edit undone).
fn code_only() -> Pr {
    let pr = pull_request();
    git(
        &pr.top,
        &[
            "checkout",
            "-q",
            "master",
            "--",
            "examples/hello-release/CHANGELOG",
        ],
    );
    git(&pr.top, &["commit", "-qm", "Left the 1.0.0 notes alone."]);
    pr
}

#[test]
fn act_code_without_a_changelog_entry_warns_and_a_hostile_title_runs_nothing() {
    if !require_tool("act") {
        return;
    }
    let pr = code_only();
    let pwned = pr.home.join("pwned");
    let title = format!(
        "Greet \"$(touch {p})\" `touch {p}`; touch {p}",
        p = pwned.display()
    );
    let r = act(&pr, &event(&pr, &title, &["bug"]));
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "a warning does not fail the job: {out}");
    assert!(
        out.contains("::warning file=examples/hello-release/CHANGELOG,line=1,title=changelog-check%3A pr-changelog-updated::this pull request changes code (src/greet.c) but not CHANGELOG"),
        "{out}"
    );
    assert!(!pwned.exists(), "the title reached a shell");
}

#[test]
fn act_a_skip_marker_or_label_skips_the_entry() {
    if !require_tool("act") {
        return;
    }
    let pr = code_only();
    let r = act(&pr, &event(&pr, "Greet [skip changelog]", &[]));
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}");
    assert!(
        out.contains(
            "[skip] pr-changelog-updated: the pull request's title carries `[skip changelog]`"
        ),
        "{out}"
    );
    assert!(
        !out.contains("::warning file=examples/hello-release/CHANGELOG"),
        "{out}"
    );
    let r = act(&pr, &event(&pr, "Greet", &["skip-changelog", "bug"]));
    let out = format!("{}{}", r.stdout, r.stderr);
    assert_eq!(r.code, 0, "{out}");
    assert!(
        out.contains("[skip] pr-changelog-updated: the pull request is labelled `skip-changelog`"),
        "{out}"
    );
}
