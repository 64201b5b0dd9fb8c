//! Every GitHub Actions workflow and action file is clean under actionlint and zizmor.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;

fn workflow_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in [root.join(".github/workflows")] {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(!files.is_empty());
    files
}

#[test]
fn workflows_pass_actionlint() {
    if !require_tool("actionlint") {
        return;
    }
    let out = Command::new("actionlint")
        .args(workflow_files())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn workflows_pass_zizmor() {
    if !require_tool("zizmor") {
        return;
    }
    let out = Command::new("zizmor")
        .arg("--offline")
        .args(workflow_files())
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "zizmor:\n{text}");
    assert!(text.contains("No findings"), "{text}");
}

#[test]
fn every_action_is_pinned_by_commit_sha() {
    for f in workflow_files() {
        let text = std::fs::read_to_string(&f).unwrap();
        for line in text.lines().filter(|l| {
            l.trim_start().starts_with("- uses:") || l.trim_start().starts_with("uses:")
        }) {
            let target = line.split("uses:").nth(1).unwrap().trim();
            if target.starts_with("./") {
                continue;
            }
            let rev = target
                .split('@')
                .nth(1)
                .unwrap_or("")
                .split_whitespace()
                .next()
                .unwrap_or("");
            assert!(
                rev.len() == 40 && rev.chars().all(|c| c.is_ascii_hexdigit()),
                "{}: `{}` is not pinned by a commit SHA",
                f.display(),
                line.trim()
            );
        }
    }
}
