//! `stage-rc keys check|add` (release-manager onboarding) with real gpg (throwaway GNUPGHOME)
//! and a real svn dist area (`svnadmin create`, file:// URL).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::release::{export, keyring, svn, svn_dist, Keyring};
use crate::support::*;

fn have_tools() -> bool {
    ["git", "gpg", "svn", "svnadmin", "svnmucc"]
        .iter()
        .all(|t| require_tool(t))
}

struct Fx {
    _sample: tempfile::TempDir,
    repo: PathBuf,
    base: tempfile::TempDir,
    release: String,
    key: Keyring,
}

impl Fx {
    /// The sample project, a dist area with `release/hello/KEYS` holding Bob's key, and Alice's
    /// keyring.
    fn new(uid: &str) -> Fx {
        let (sample, repo) = sample_repo();
        let base = tempfile::tempdir().unwrap();
        let url = svn_dist(&base.path().join("svnrepo"), &["release/hello"]);
        let release = format!("{url}/release/hello");
        let bob = keyring("Bob Brown <bob@apache.org>", "ed25519", "2y", None);
        let keys = base.path().join("KEYS");
        let mut text =
            String::from("This file contains the PGP keys of the Hello release managers.\n\n");
        text.push_str(&String::from_utf8(export(&bob)).unwrap());
        std::fs::write(&keys, text).unwrap();
        let out = Command::new("svnmucc")
            .args(["-m", "KEYS", "put"])
            .arg(&keys)
            .arg(format!("{release}/KEYS"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let key = keyring(uid, "ed25519", "2y", None);
        Fx {
            _sample: sample,
            repo,
            base,
            release,
            key,
        }
    }

    fn keys(&self, args: &[&str]) -> Run {
        let mut c = tool("stage-rc", &self.repo);
        c.env("GNUPGHOME", self.key.dir.path())
            .env("RELEASE_KIT_DIST_RELEASE", &self.release)
            .arg("keys")
            .args(args);
        run(c)
    }

    fn keys_file(&self) -> String {
        svn(&["cat", &format!("{}/KEYS", self.release)])
    }

    fn revision(&self) -> String {
        svn(&["info", "--show-item", "revision", &self.release])
            .trim()
            .to_string()
    }

    fn svn_dir(&self) -> &Path {
        self.base.path()
    }
}

#[test]
fn keys_add_appends_the_key_in_one_commit_in_the_guides_format_and_is_idempotent() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new("Alice Andersen <alice@apache.org>");
    let fpr = fx.key.fingerprint.clone();
    let before = fx.keys_file();
    let rev = fx.revision();
    // The plan, and nothing changed.
    let r = fx.keys(&["add", "--dry-run"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains(&format!(
            "plan: append {fpr} to {}/KEYS in one svn commit",
            fx.release
        )),
        "{}",
        r.stdout
    );
    assert_eq!(fx.keys_file(), before);
    assert_eq!(fx.revision(), rev);
    // Added: Bob's key kept, Alice's listing and armoured key appended, one new revision.
    let r = fx.keys(&["add"]);
    r.assert_code(0);
    let after = fx.keys_file();
    assert!(
        after.starts_with(&before),
        "the existing keys were rewritten"
    );
    let added = &after[before.len()..];
    assert!(added.contains("pub   ed25519"), "{added}");
    assert!(added.contains(&fpr), "{added}");
    assert!(
        added.contains("uid           [ultimate] Alice Andersen <alice@apache.org>"),
        "{added}"
    );
    assert!(added.contains("sig 3 "), "{added}");
    let listing = added.find("pub ").unwrap();
    let armor = added.find("-----BEGIN PGP PUBLIC KEY BLOCK-----").unwrap();
    assert!(listing < armor, "the --list-sigs text comes first: {added}");
    assert_eq!(
        fx.revision().parse::<u32>().unwrap(),
        rev.parse::<u32>().unwrap() + 1
    );
    assert!(
        r.stdout.contains(&format!("--send-keys {fpr}")),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("https://id.apache.org"), "{}", r.stdout);
    assert!(r.stdout.contains("~/.m2/settings.xml"), "{}", r.stdout);
    // Again: nothing to do, no new revision.
    let r = fx.keys(&["add"]);
    r.assert_code(0);
    assert!(r.stdout.contains("nothing to do"), "{}", r.stdout);
    assert_eq!(fx.keys_file(), after);
    // And the check now finds it in KEYS.
    let r = fx.keys(&["check"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("[pass] key-in-keys: listed in"),
        "{}",
        r.stdout
    );
}

#[test]
fn keys_check_wants_a_user_id_in_the_domain_and_says_how_to_add_one() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new("Alice Andersen <alice@example.org>");
    let r = fx.keys(&["check"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("has no user id at apache.org (it has: Alice Andersen <alice@example.org>); add one with `gpg --quick-add-uid"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("[warn] key-in-keys"), "{}", r.stdout);
    assert!(
        r.stdout.contains("[pass] key-strength: EdDSA ed25519"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("[pass] key-valid-through-vote: valid until"),
        "{}",
        r.stdout
    );
    let r = fx.keys(&["check", "--domain", "example.org"]);
    r.assert_code(0);
    // Adding a key without the domain is refused, and nothing is committed.
    let rev = fx.revision();
    let r = fx.keys(&["add"]);
    r.assert_code(1);
    assert!(r.stderr.contains("is not fit for the vote"), "{}", r.stderr);
    assert_eq!(fx.revision(), rev);
}

#[test]
fn keys_add_refuses_a_keys_file_it_cannot_read() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new("Alice Andersen <alice@apache.org>");
    let bad = fx.svn_dir().join("BAD");
    std::fs::write(
        &bad,
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot base64 at all\n-----END PGP PUBLIC KEY BLOCK-----\n",
    )
    .unwrap();
    let out = Command::new("svnmucc")
        .args(["-m", "broken KEYS", "put"])
        .arg(&bad)
        .arg(format!("{}/KEYS", fx.release))
        .output()
        .unwrap();
    assert!(out.status.success());
    let rev = fx.revision();
    let r = fx.keys(&["add"]);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("refusing to append to a KEYS file that cannot be read"),
        "{}",
        r.stderr
    );
    assert_eq!(fx.revision(), rev);
}

#[test]
fn keys_add_to_a_dist_area_that_refuses_commits_commits_nothing() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new("Alice Andersen <alice@apache.org>");
    let hook = fx.svn_dir().join("svnrepo/hooks/pre-commit");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'alice has no commit access to dist/release' >&2\nexit 1\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    let before = fx.keys_file();
    let r = fx.keys(&["add"]);
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(
        r.stderr.contains("alice has no commit access"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was committed"), "{}", r.stderr);
    assert_eq!(fx.keys_file(), before);
}
