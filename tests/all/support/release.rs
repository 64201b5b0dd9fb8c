//! Release fixtures shared by the stage-rc and publish-dist tests: throwaway GPG keyrings, git
//! with a fixed identity and date, and the svn client.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

/// The commit and tag date of the fixtures' release commits.
pub const DATE: &str = "2026-03-05T12:00:00+0000";

/// A throwaway GNUPGHOME with one secret key; the agent is stopped on drop.
pub struct Keyring {
    pub dir: tempfile::TempDir,
    pub fingerprint: String,
}

impl Drop for Keyring {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .args(["--kill", "all"])
            .env("GNUPGHOME", self.dir.path())
            .output();
    }
}

pub fn gpg(home: &Path, args: &[&str]) -> std::process::Output {
    Command::new("gpg")
        .args(["--batch", "--no-tty"])
        .args(args)
        .env("GNUPGHOME", home)
        .output()
        .unwrap()
}

/// A keyring with a fresh key: `expire` like "2y" or "3d"; `faked` generates it in the past.
pub fn keyring(uid: &str, algo: &str, expire: &str, faked: Option<&str>) -> Keyring {
    let dir = tempfile::Builder::new().prefix("rk-t.").tempdir().unwrap();
    let mut args = vec!["--passphrase", "", "--pinentry-mode", "loopback"];
    if let Some(f) = faked {
        args.extend(["--faked-system-time", f]);
    }
    args.extend(["--quick-gen-key", uid, algo, "sign", expire]);
    let out = gpg(dir.path(), &args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list = gpg(dir.path(), &["--with-colons", "--list-secret-keys"]);
    let fingerprint = String::from_utf8_lossy(&list.stdout)
        .lines()
        .find(|l| l.starts_with("fpr:"))
        .unwrap()
        .split(':')
        .nth(9)
        .unwrap()
        .to_string();
    Keyring { dir, fingerprint }
}

pub fn export(k: &Keyring) -> Vec<u8> {
    gpg(k.dir.path(), &["--armor", "--export", &k.fingerprint]).stdout
}

pub fn git_at(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", "Alice Andersen")
        .env("GIT_AUTHOR_EMAIL", "alice@example.org")
        .env("GIT_COMMITTER_NAME", "Alice Andersen")
        .env("GIT_COMMITTER_EMAIL", "alice@example.org")
        .env("GIT_AUTHOR_DATE", DATE)
        .env("GIT_COMMITTER_DATE", DATE)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn svn(args: &[&str]) -> String {
    let out = Command::new("svn")
        .args(args)
        .arg("--non-interactive")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "svn {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Cuts the sample's release branch 1.1.x with a finished CHANGELOG, tags 1.1.0-rc1 (annotated,
/// by Alice) and pushes the branch; leaves 1.1.x checked out.
pub fn cut_rc1(repo: &Path) {
    git_at(repo, &["config", "user.name", "Alice Andersen"]);
    git_at(repo, &["config", "user.email", "alice@example.org"]);
    git_at(repo, &["checkout", "-q", "-b", "1.1.x"]);
    let cl = repo.join("CHANGELOG");
    let text = std::fs::read_to_string(&cl).unwrap();
    std::fs::write(&cl, text.replace("Version 1.1.0 (WIP)", "Version 1.1.0")).unwrap();
    git_at(
        repo,
        &["commit", "-qam", "Updated CHANGELOG for 1.1.0 release."],
    );
    git_at(
        repo,
        &["tag", "-a", "1.1.0-rc1", "-m", "Tagging Hello 1.1.0-rc1."],
    );
    git_at(repo, &["push", "-q", "origin", "1.1.x"]);
}

/// A local svn dist: a new repository at `at` holding the directories `dirs` (relative, e.g.
/// `dev/hello`), made in one commit when there are any; returns its `file://` URL.
pub fn svn_dist(at: &Path, dirs: &[&str]) -> String {
    let out = Command::new("svnadmin")
        .arg("create")
        .arg(at)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "svnadmin create: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let url = format!("file://{}", at.display());
    if !dirs.is_empty() {
        let urls: Vec<String> = dirs.iter().map(|d| format!("{url}/{d}")).collect();
        let mut args = vec!["mkdir", "-q", "--parents", "-m", "The dist layout."];
        args.extend(urls.iter().map(String::as_str));
        svn(&args);
    }
    url
}
