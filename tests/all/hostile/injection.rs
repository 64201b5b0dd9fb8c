//! Item 1: every byte of input-derived text reaching stdout/stderr under GitHub Actions is
//! neutralised, in every tool: a hostile vote-thread sender name, a hostile CHANGELOG line, and a
//! carriage return inside `--tag` (and other arguments echoed in errors).
#![allow(clippy::unwrap_used)]

use std::path::Path;

use super::{assert_inert, PAYLOAD};
use crate::support::{run, sample_repo, sample_thread, tool, Run};

/// Runs a tool in GitHub Actions mode (outputs and summary in `dir`).
fn in_actions(name: &str, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut c = tool(name, dir);
    c.args(args)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", dir.join("gh-output"))
        .env("GITHUB_STEP_SUMMARY", dir.join("gh-summary.md"));
    for (k, v) in env {
        c.env(k, v);
    }
    run(c)
}

fn hostile_tag() -> String {
    format!("1.1.0-rc1{PAYLOAD}")
}

#[test]
fn a_carriage_return_in_the_tag_injects_nothing_in_any_tool() {
    let (_d, hello) = sample_repo();
    let tag = hostile_tag();
    let thread = sample_thread("passing.mbox");
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("changelog-check", vec!["--tag", &tag]),
        ("bump-version", vec!["check", "--tag", &tag]),
        ("verify-distcheck", vec!["source", "--tag", &tag]),
        ("stage-rc", vec!["--tag", &tag, "--dry-run"]),
        (
            "publish-dist",
            vec!["--tag", &tag, "--thread", &thread, "--dry-run"],
        ),
        (
            "publish-dist",
            vec!["tally", "--tag", &tag, "--thread", &thread],
        ),
        ("build-rpms", vec!["--tag", &tag, "--dry-run"]),
    ];
    for (name, args) in cases {
        let r = in_actions(name, &hello, &args, &[]);
        assert!(
            r.code == 1 || r.code == 2,
            "{name}: exit {}\n{}",
            r.code,
            r.stderr
        );
        assert!(
            r.stderr.contains("INJECTED"),
            "{name} did not echo the tag: {}",
            r.stderr
        );
        assert_inert(&r);
    }
}

#[test]
fn a_hostile_benchmark_file_name_injects_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir
        .path()
        .join(format!("base{}", PAYLOAD.replace('/', "_")));
    let base = base.to_str().unwrap();
    let r = in_actions(
        "bench-compare",
        dir.path(),
        &["compare", "--base", base, "--head", base],
        &[],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("INJECTED"), "{}", r.stderr);
    assert_inert(&r);
}

#[test]
fn a_hostile_changelog_line_injects_nothing() {
    let (_d, hello) = sample_repo();
    let cl = hello.join("CHANGELOG");
    let text = std::fs::read_to_string(&cl).unwrap();
    let text = text.replacen(
        "Release Notes - Hello - Version 1.1.0 (WIP)",
        &format!("Release Notes - Hello - Version 1.1.0 (WIP) {PAYLOAD}"),
        1,
    );
    let text = text.replacen("** Bug\n", &format!("** Bug\n  * {PAYLOAD}\n"), 1);
    std::fs::write(&cl, text).unwrap();
    // Only warnings while the section is being written: exit 0.
    let r = in_actions("changelog-check", &hello, &[], &[]);
    assert!(r.code <= 2, "exit {}\n{}", r.code, r.stderr);
    assert!(
        r.stdout.contains("INJECTED") || r.stderr.contains("INJECTED"),
        "the hostile line was not shown: {}\n{}",
        r.stdout,
        r.stderr
    );
    assert_inert(&r);
}

#[test]
fn a_hostile_vote_thread_sender_name_injects_nothing() {
    let (d, hello) = sample_repo();
    let thread = std::fs::read_to_string(sample_thread("failing.mbox")).unwrap();
    // The name arrives as an RFC 2047 encoded word, so it may carry any byte. Eve is not in
    // the roster, so the thread's name is the one shown.
    let name = format!("Eve {PAYLOAD}");
    let encoded = format!(
        "=?UTF-8?B?{}?=",
        release_kit::outside::secrets::base64(name.as_bytes())
    );
    let thread = thread.replace(
        "From: Eve Contributor <eve@example.net>",
        &format!("From: {encoded} <eve@example.net>"),
    );
    assert!(thread.contains(&encoded));
    let path = d.path().join("hostile.mbox");
    std::fs::write(&path, thread).unwrap();
    let out = d.path().join("out");
    let r = in_actions(
        "publish-dist",
        &hello,
        &[
            "tally",
            "--tag",
            "1.1.0-rc1",
            "--thread",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &[("RELEASE_KIT_NOW", "2026-11-24T12:00:00Z")],
    );
    r.assert_code(1);
    assert!(
        r.stdout.contains("INJECTED"),
        "the sender's name was not shown: {}\n{}",
        r.stdout,
        r.stderr
    );
    assert_inert(&r);
}
