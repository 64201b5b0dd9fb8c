//! A failing distcheck's report carries the lines that explain it, in every format: real
//! autotools projects (the sample project with a broken dist-hook, and with a build that leaves
//! files behind after distclean).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use crate::support::*;

fn autotools() -> bool {
    ["autoreconf", "automake", "make", "cc", "git"]
        .iter()
        .all(|t| require_tool(t))
}

/// The sample project's 1.0.x branch with `rule` appended to Makefile.am, tagged 1.0.1-rc1.
fn sample_with_rule(rule: &str) -> (tempfile::TempDir, PathBuf) {
    let (dir, repo) = sample_repo();
    git(&repo, &["checkout", "-q", "1.0.x"]);
    let am = repo.join("Makefile.am");
    let mut text = std::fs::read_to_string(&am).unwrap();
    text.push_str(rule);
    std::fs::write(&am, text).unwrap();
    git(&repo, &["commit", "-qam", "A rule of a real project."]);
    git(
        &repo,
        &["tag", "-a", "1.0.1-rc1", "-m", "Tagging Hello 1.0.1-rc1."],
    );
    (dir, repo)
}

/// Runs `verify-distcheck source` with every report format and returns (stdout, JSON,
/// Markdown, JUnit).
fn failing_source(dir: &Path, repo: &Path) -> (String, String, String, String) {
    let out_dir = dir.join("dist");
    let junit = dir.join("junit.xml");
    let summary = dir.join("summary.md");
    let mut cmd = tool("verify-distcheck", repo);
    cmd.args([
        "-q",
        "--junit",
        junit.to_str().unwrap(),
        "source",
        "--tag",
        "1.0.1-rc1",
        "--out-dir",
        out_dir.to_str().unwrap(),
        "-j",
        "2",
    ])
    .env("GITHUB_ACTIONS", "true")
    .env("GITHUB_OUTPUT", dir.join("gh-output"))
    .env("GITHUB_STEP_SUMMARY", &summary);
    let text = run(cmd);
    text.assert_code(1);
    let mut cmd = tool("verify-distcheck", repo);
    cmd.args([
        "-q",
        "--format",
        "json",
        "source",
        "--tag",
        "1.0.1-rc1",
        "--out-dir",
        dir.join("dist2").to_str().unwrap(),
        "-j",
        "2",
    ]);
    let json = run(cmd);
    json.assert_code(1);
    (
        text.stdout,
        json.stdout,
        std::fs::read_to_string(summary).unwrap(),
        std::fs::read_to_string(junit).unwrap(),
    )
}

fn assert_everywhere(outputs: &(String, String, String, String), needles: &[&str]) {
    let (text, json, md, junit) = outputs;
    let json: serde_json::Value = serde_json::from_str(json).unwrap();
    let messages: String = json["checks"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| c["findings"].as_array().cloned().unwrap_or_default())
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for needle in needles {
        assert!(text.contains(needle), "text lacks {needle}:\n{text}");
        assert!(
            messages.contains(needle),
            "JSON lacks {needle}:\n{messages}"
        );
        assert!(md.contains(needle), "Markdown lacks {needle}:\n{md}");
        assert!(junit.contains(needle), "JUnit lacks {needle}:\n{junit}");
    }
}

#[test]
fn distcheck_failure_shows_the_dist_hook_line_that_explains_it() {
    if !autotools() {
        return;
    }
    let (dir, repo) =
        sample_with_rule("\ndist-hook:\n\tcp -pR $(srcdir)/doc/html $(distdir)/doc\n");
    let outputs = failing_source(dir.path(), &repo);
    // In XML the quotes are escaped; the explaining words are the same.
    assert_everywhere(&outputs, &["cp: cannot stat", "doc/html", "dist-hook"]);
}

#[test]
fn distcheck_failure_lists_the_files_left_after_distclean() {
    if !autotools() {
        return;
    }
    let (dir, repo) = sample_with_rule("\nall-local:\n\techo generated > leftover-stamp.txt\n");
    let outputs = failing_source(dir.path(), &repo);
    assert_everywhere(
        &outputs,
        &[
            "ERROR: files left in build directory after distclean:",
            "leftover-stamp.txt",
        ],
    );
}
