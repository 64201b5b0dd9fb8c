//! The bundled sample project as a release manager meets it: bump-version on its real history,
//! and the text a person reads, snapshot-tested.
#![allow(clippy::unwrap_used)]

use crate::support::*;

/// Snapshots text a person reads, with the temporary path and commit ids filtered.
fn snapshot(name: &str, dir: &std::path::Path, text: &str) {
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(
        &regex::escape(&dir.canonicalize().unwrap().display().to_string()),
        "[SAMPLE]",
    );
    settings.add_filter(r"\b[0-9a-f]{12}\b", "[COMMIT]");
    settings.bind(|| insta::assert_snapshot!(name, text));
}

#[test]
fn sample_history_has_the_release_shape() {
    if !require_tool("git") {
        return;
    }
    let (_d, repo) = sample_repo();
    let tags = git(
        &repo,
        &[
            "for-each-ref",
            "refs/tags",
            "--format=%(objecttype) %(refname:short)",
        ],
    );
    assert_eq!(tags.trim(), "tag 1.0.0\ntag 1.0.0-rc1");
    let r = run_tool("bump-version", &repo, &["check", "--tag", "1.0.0-rc1"]);
    r.assert_code(0);
    // The website's release data came to master after the 1.0.0 release, as Mesos updates its
    // site/ after a release: the release branch and the tags do not have it.
    assert_eq!(
        git(
            &repo,
            &[
                "log",
                "--format=%s",
                "master",
                "--",
                "site/data/releases.yml"
            ]
        )
        .trim(),
        "Updated the website for the 1.0.0 release."
    );
    for rev in ["1.0.0", "1.0.x"] {
        assert_eq!(
            git(&repo, &["ls-tree", "--name-only", rev, "site"]).trim(),
            "",
            "{rev} has no site/"
        );
    }
    assert!(repo.join("site/source/blog/.gitkeep").is_file());
    git(&repo, &["checkout", "-q", "1.0.x"]);
    run_tool("bump-version", &repo, &["check", "--expect", "1.0.1"]).assert_code(0);
}

#[test]
fn branch_cut_next_minor_then_check_round_trips() {
    let (_d, repo) = sample_repo();
    git(&repo, &["config", "user.name", "Release Manager"]);
    git(&repo, &["config", "user.email", "rm@example.org"]);
    git(&repo, &["checkout", "-q", "-b", "1.1.x"]);
    git(&repo, &["checkout", "-q", "master"]);
    let before = snapshot_tree(&repo);
    let r = run_tool(
        "bump-version",
        &repo,
        &["next", "minor", "--commit", "--dry-run"],
    );
    r.assert_code(0);
    assert_eq!(
        snapshot_tree(&repo),
        before,
        "--dry-run changes nothing on disk"
    );
    let r = run_tool("bump-version", &repo, &["next", "minor", "--commit"]);
    r.assert_code(0);
    snapshot("next_minor_commit", &repo, &r.stdout);
    run_tool("bump-version", &repo, &["check", "--expect", "1.2.0"]).assert_code(0);
    git(&repo, &["checkout", "-q", "1.1.x"]);
    run_tool("bump-version", &repo, &["check", "--expect", "1.1.0"]).assert_code(0);
}

#[test]
fn check_report_reads_well() {
    let (_d, repo) = sample_repo();
    let r = run_tool("bump-version", &repo, &["check", "--tag", "1.0.0"]);
    r.assert_code(0);
    snapshot("check_at_tag_text", &repo, &r.stdout);
    std::fs::write(
        repo.join("CMakeLists.txt"),
        std::fs::read_to_string(repo.join("CMakeLists.txt"))
            .unwrap()
            .replace("HELLO_PATCH_VERSION 0", "HELLO_PATCH_VERSION 3"),
    )
    .unwrap();
    let r = run_tool(
        "bump-version",
        &repo,
        &["check", "--expect", "1.1.0", "--format", "markdown"],
    );
    r.assert_code(1);
    snapshot("mismatch_markdown_summary", &repo, &r.stdout);
    let r = run_tool("bump-version", &repo, &["check", "--expect", "1.1.0"]);
    snapshot("mismatch_text", &repo, &r.stdout);
}
