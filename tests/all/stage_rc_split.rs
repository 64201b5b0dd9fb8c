//! The split signing of docs/signing.md, end to end with the real binary, real git, gpg
//! (throwaway GNUPGHOMEs: CI's holds no key) and svn (`svnadmin create`, file://): CI builds
//! and waits, the release manager runs `stage-rc sign`, CI verifies and stages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

use crate::support::release::{cut_rc1, export, gpg, keyring, svn_dist, Keyring};
use crate::support::{self, run, tool, Run};

const TAG: &str = "1.1.0-rc1";
const TARBALL: &str = "hello-1.1.0.tar.gz";

fn have_tools() -> bool {
    ["git", "gpg", "svn", "svnadmin"]
        .iter()
        .all(|t| support::require_tool(t))
}

/// The sample project tagged 1.1.0-rc1, the release manager's key (listed in KEYS), an empty
/// keyring for CI, and an svn dist dev area.
struct Fx {
    _sample: tempfile::TempDir,
    base: tempfile::TempDir,
    repo: PathBuf,
    origin: PathBuf,
    rm: Keyring,
    ci_home: tempfile::TempDir,
    keys: PathBuf,
    dist: String,
}

impl Fx {
    fn new() -> Fx {
        let (sample, repo) = support::sample_repo();
        let origin = repo.parent().unwrap().join("origin.git");
        cut_rc1(&repo);
        let base = tempfile::tempdir().unwrap();
        let rm = keyring("Alice Andersen <alice@example.org>", "ed25519", "2y", None);
        let keys = base.path().join("KEYS");
        std::fs::write(&keys, export(&rm)).unwrap();
        let url = svn_dist(&base.path().join("svnrepo"), &["dev/hello"]);
        let ci_home = tempfile::Builder::new().prefix("rk-ci.").tempdir().unwrap();
        Fx {
            _sample: sample,
            base,
            repo,
            origin,
            rm,
            ci_home,
            keys,
            dist: format!("{url}/dev/hello"),
        }
    }

    fn cmd(&self, home: &std::path::Path, out: &str, args: &[&str]) -> Run {
        let mut c = tool("stage-rc", &self.repo);
        c.env("GNUPGHOME", home)
            .env("RELEASE_KIT_DIST_DEV", &self.dist)
            .env("RELEASE_KIT_DIST_SOURCE", "git-archive")
            .env("RELEASE_KIT_SIGNING_KEYS", &self.keys)
            .env("RELEASE_KIT_TAG", TAG)
            .env("RELEASE_KIT_VOTE_START", "2026-03-06T18:00:00Z")
            .env("RELEASE_KIT_OUT", self.base.path().join(out))
            .env_remove("RELEASE_KIT_SIGNING_SECRET_KEY")
            .args(args);
        run(c)
    }

    /// stage-rc in CI: no key, `--external-signature`.
    fn ci(&self) -> Run {
        self.cmd(self.ci_home.path(), "ci-out", &["--external-signature"])
    }

    /// `stage-rc sign` on the release manager's machine.
    fn sign(&self, args: &[&str]) -> Run {
        let mut a = vec!["sign"];
        a.extend_from_slice(args);
        self.cmd(self.rm.dir.path(), "rm-out", &a)
    }

    fn ledger(&self) -> serde_json::Value {
        let commit = crate::support::git(&self.repo, &["rev-parse", &format!("{TAG}^{{commit}}")]);
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(&self.origin)
            .args([
                "notes",
                "--ref=refs/notes/release-kit",
                "show",
                commit.trim(),
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    fn steps(&self) -> Vec<String> {
        self.ledger()[TAG]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["id"].as_str().unwrap().to_string())
            .collect()
    }

    fn staged(&self) -> Option<String> {
        let out = Command::new("svn")
            .args(["list", "--non-interactive", &format!("{}/{TAG}", self.dist)])
            .output()
            .unwrap();
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

#[test]
fn ci_builds_and_waits_the_release_manager_signs_ci_verifies_and_stages_and_reruns_change_nothing()
{
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    // CI, first run: tarball and checksum, recorded, then a clear stop (exit 0).
    let r = fx.ci();
    r.assert_code(0);
    assert!(r.stdout.contains("waiting for a signature"), "{}", r.stdout);
    assert!(
        r.stdout.contains(&format!("stage-rc sign --tag {TAG}")),
        "{}",
        r.stdout
    );
    assert_eq!(fx.steps(), ["preflight", "source-tarball", "checksum"]);
    assert_eq!(fx.staged(), None, "nothing is staged before the signature");
    // Re-run before signing: nothing changes, still waiting.
    let ledger = fx.ledger();
    let r = fx.ci();
    r.assert_code(0);
    assert!(
        r.stdout.contains("0 steps done, 3 already done"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("waiting for a signature"), "{}", r.stdout);
    assert_eq!(fx.ledger(), ledger);
    // The release manager: --dry-run prints the plan and changes nothing.
    let r = fx.sign(&["--dry-run"]);
    r.assert_code(0);
    assert!(r.stdout.contains("plan for signing"), "{}", r.stdout);
    assert!(r.stdout.contains(&fx.rm.fingerprint), "{}", r.stdout);
    assert_eq!(fx.ledger(), ledger);
    // Signing rebuilds the tarball from the tag, matches CI's SHA-512, signs and records.
    let r = fx.sign(&[]);
    r.assert_code(0);
    assert!(r.stdout.contains("signed 1.1.0-rc1"), "{}", r.stdout);
    assert_eq!(
        fx.steps(),
        [
            "preflight",
            "source-tarball",
            "checksum",
            "external-signature"
        ]
    );
    let recorded = &fx.ledger()[TAG]["steps"][3]["outputs"];
    assert_eq!(recorded["fingerprint"], fx.rm.fingerprint.as_str());
    assert_eq!(
        recorded["sha512"],
        fx.ledger()[TAG]["steps"][1]["outputs"]["sha512"]
    );
    // Signing again changes nothing.
    let signed = fx.ledger();
    let r = fx.sign(&[]);
    r.assert_code(0);
    assert!(r.stdout.contains("already signed"), "{}", r.stdout);
    assert_eq!(fx.ledger(), signed);
    // CI again: restores the .asc, verifies it against KEYS and stages.
    let r = fx.ci();
    r.assert_code(0);
    assert!(r.stdout.contains("staged"), "{}", r.stdout);
    assert_eq!(
        fx.staged().as_deref(),
        Some(format!("{TARBALL}\n{TARBALL}.asc\n{TARBALL}.sha512\n").as_str())
    );
    assert_eq!(
        fx.steps(),
        [
            "preflight",
            "source-tarball",
            "checksum",
            "external-signature",
            "verify",
            "dist-upload",
            "push-tag",
            "vote-email"
        ]
    );
    assert_eq!(
        fx.ledger()[TAG]["steps"][4]["outputs"]["signed_by"],
        fx.rm.fingerprint.as_str()
    );
    // The staged signature verifies with nothing but KEYS.
    let ci_out = fx.base.path().join("ci-out");
    let verifier = tempfile::Builder::new().prefix("rk-v.").tempdir().unwrap();
    assert!(
        gpg(verifier.path(), &["--import", fx.keys.to_str().unwrap()])
            .status
            .success()
    );
    let v = gpg(
        verifier.path(),
        &[
            "--verify",
            ci_out.join(format!("{TARBALL}.asc")).to_str().unwrap(),
            ci_out.join(TARBALL).to_str().unwrap(),
        ],
    );
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stderr));
    let _ = Command::new("gpgconf")
        .args(["--kill", "all"])
        .env("GNUPGHOME", verifier.path())
        .output();
    // A last re-run of each stage changes nothing.
    let staged = fx.ledger();
    let listing = fx.staged();
    let r = fx.ci();
    r.assert_code(0);
    assert!(
        r.stdout.contains("0 steps done, 8 already done"),
        "{}",
        r.stdout
    );
    fx.sign(&[]).assert_code(0);
    assert_eq!(fx.ledger(), staged);
    assert_eq!(fx.staged(), listing);
    // A dry run of CI shows the whole plan and changes nothing.
    let r = fx.cmd(
        fx.ci_home.path(),
        "ci-out",
        &["--external-signature", "--dry-run"],
    );
    r.assert_code(0);
    assert_eq!(fx.ledger(), staged);
}

#[test]
fn a_tampered_ci_tarball_is_refused_showing_both_hashes() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    fx.ci().assert_code(0);
    let ci_sha = fx.ledger()[TAG]["steps"][1]["outputs"]["sha512"]
        .as_str()
        .unwrap()
        .to_string();
    // The download, altered by one byte at the end.
    let tampered = fx.base.path().join("download.tar.gz");
    let mut bytes = std::fs::read(fx.base.path().join("ci-out").join(TARBALL)).unwrap();
    *bytes.last_mut().unwrap() ^= 1;
    std::fs::write(&tampered, &bytes).unwrap();
    let bad_sha = release_kit::verify::checksum::hash_file(
        release_kit::verify::checksum::Algorithm::Sha512,
        &tampered,
    )
    .unwrap();
    let r = fx.sign(&["--tarball", tampered.to_str().unwrap()]);
    r.assert_code(1);
    assert!(
        r.stderr.contains(&ci_sha) && r.stderr.contains(&bad_sha),
        "{}",
        r.stderr
    );
    assert_eq!(fx.steps(), ["preflight", "source-tarball", "checksum"]);
    assert!(!fx
        .base
        .path()
        .join("rm-out")
        .join(format!("{TARBALL}.asc"))
        .exists());
    // CI's own download, untouched, is accepted.
    let good = fx.base.path().join("ci-out").join(TARBALL);
    fx.sign(&["--tarball", good.to_str().unwrap()])
        .assert_code(0);
    assert!(fx.steps().contains(&"external-signature".to_string()));
}

#[test]
fn a_signature_by_a_key_not_in_keys_is_refused_by_sign_and_by_ci() {
    if !have_tools() {
        return;
    }
    let fx = Fx::new();
    fx.ci().assert_code(0);
    let keys = std::fs::read(&fx.keys).unwrap();
    let mallory = keyring("Mallory <m@example.org>", "ed25519", "2y", None);
    // The release manager's key is not in KEYS: nothing is signed or recorded.
    std::fs::write(&fx.keys, export(&mallory)).unwrap();
    let r = fx.sign(&[]);
    r.assert_code(2);
    assert!(r.stderr.contains("is not in the KEYS file"), "{}", r.stderr);
    assert_eq!(fx.steps(), ["preflight", "source-tarball", "checksum"]);
    // Signed while the key was in KEYS, then KEYS no longer lists it: CI refuses to stage.
    std::fs::write(&fx.keys, &keys).unwrap();
    fx.sign(&[]).assert_code(0);
    std::fs::write(&fx.keys, export(&mallory)).unwrap();
    let r = fx.ci();
    assert_ne!(r.code, 0, "{}", r.stdout);
    assert!(r.stderr.contains("refusing to stage it"), "{}", r.stderr);
    assert_eq!(fx.staged(), None);
    assert!(!fx.steps().contains(&"dist-upload".to_string()));
}
