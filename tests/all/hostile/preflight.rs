//! Item 8: every input that can be checked is checked before the first side effect, and
//! `--dry-run` fails when the real run would: `--send` without `mail.smtp_host`.
#![allow(clippy::unwrap_used)]

use crate::support::release::{cut_rc1, export, keyring};
use crate::support::{self, run, tool};

#[test]
fn send_without_an_smtp_host_fails_before_anything_is_staged_and_in_dry_run() {
    if !["git", "gpg"].iter().all(|t| support::require_tool(t)) {
        return;
    }
    let key = keyring("Alice Andersen <alice@example.org>", "ed25519", "2y", None);
    let (sample, repo) = support::sample_repo();
    let origin = repo.parent().unwrap().join("origin.git");
    cut_rc1(&repo);
    let keys = sample.path().join("KEYS");
    std::fs::write(&keys, export(&key)).unwrap();
    let dist = sample.path().join("dist/dev/hello");
    std::fs::create_dir_all(&dist).unwrap();
    let out = sample.path().join("out");
    for dry_run in [true, false] {
        let mut c = tool("stage-rc", &repo);
        c.env("GNUPGHOME", key.dir.path())
            .env("RELEASE_KIT_DIST_DEV", &dist)
            .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
            .env("RELEASE_KIT_SIGNING_KEYS", &keys)
            .env("RELEASE_KIT_VOTE_START", "2026-11-02T17:00:00Z")
            .env("RELEASE_KIT_MAIL_SMTP_HOST", "")
            .args(["--tag", "1.1.0-rc1", "--send", "--out"])
            .arg(&out);
        if dry_run {
            c.arg("--dry-run");
        }
        let r = run(c);
        r.assert_code(2);
        assert!(r.stderr.contains("mail.smtp_host is empty"), "{}", r.stderr);
        // Nothing was staged: no candidate in dist, no ledger or tag pushed.
        assert_eq!(
            std::fs::read_dir(&dist).unwrap().count(),
            0,
            "dry run {dry_run}"
        );
        let notes = std::process::Command::new("git")
            .arg("--git-dir")
            .arg(&origin)
            .args(["show-ref", "refs/notes/release-kit"])
            .output()
            .unwrap();
        assert!(
            !notes.status.success(),
            "a ledger was pushed (dry run {dry_run})"
        );
    }
}

#[test]
fn a_vote_start_before_the_candidate_exists_is_refused() {
    if !["git", "gpg"].iter().all(|t| support::require_tool(t)) {
        return;
    }
    let key = keyring("Alice Andersen <alice@example.org>", "ed25519", "2y", None);
    let (sample, repo) = support::sample_repo();
    cut_rc1(&repo);
    let keys = sample.path().join("KEYS");
    std::fs::write(&keys, export(&key)).unwrap();
    let dist = sample.path().join("dist/dev/hello");
    std::fs::create_dir_all(&dist).unwrap();
    for start in ["1970-01-01T00:00:00Z", "2020-01-01T00:00:00Z"] {
        let mut c = tool("stage-rc", &repo);
        c.env("GNUPGHOME", key.dir.path())
            .env("RELEASE_KIT_DIST_DEV", &dist)
            .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
            .env("RELEASE_KIT_SIGNING_KEYS", &keys)
            .args(["--tag", "1.1.0-rc1", "--dry-run", "--vote-start", start]);
        let r = run(c);
        r.assert_code(2);
        assert!(
            r.stderr.contains("--vote-start")
                && r.stderr
                    .contains("more than a year before 1.1.0-rc1 was committed"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn a_repo_that_is_a_file_is_named_as_a_file_not_as_missing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("release.toml");
    std::fs::write(&file, "").unwrap();
    for name in ["changelog-check", "bump-version"] {
        let mut c = tool(name, dir.path());
        if name == "bump-version" {
            c.arg("check");
        }
        c.arg("--repo").arg(&file);
        let r = run(c);
        r.assert_code(2);
        assert!(
            r.stderr.contains("is not a directory (it is a file)")
                && !r.stderr.contains("does not exist"),
            "{name}: {}",
            r.stderr
        );
    }
}

#[test]
fn a_changelog_that_is_a_fifo_is_refused_at_once() {
    let (_d, hello) = support::sample_repo();
    let cl = hello.join("CHANGELOG");
    std::fs::remove_file(&cl).unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(&cl)
        .status()
        .unwrap();
    assert!(made.success());
    let start = std::time::Instant::now();
    let r = run(tool("changelog-check", &hello));
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
    r.assert_code(2);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
}
