//! Real autotools projects other than the sample, from the upstream tarballs of the corpus
//! (`scripts/fetch-corpus`): each is turned into a git repository with its small
//! `tests/fixtures/real/<name>/release.toml`, tagged as a release candidate, and driven through
//! bump-version, verify-distcheck source (a real `make distcheck`) and verify-distcheck
//! candidate on the tarball that distcheck made, signed with a throwaway key.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The upstream tarball of `package` in the corpus; locally the test skips when the corpus is
/// absent, in CI it fails.
fn upstream(package: &str) -> Option<PathBuf> {
    let dir = root().join("target/test-data/corpus").join(package);
    let found = std::fs::read_dir(&dir).ok().and_then(|d| {
        d.map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().contains(".orig.tar.") && p.extension().unwrap() != "asc")
    });
    if found.is_none() {
        if std::env::var_os("CI").is_some() {
            panic!(
                "{} is missing: scripts/test runs scripts/fetch-corpus first",
                dir.display()
            );
        }
        eprintln!("skipping: run scripts/fetch-corpus to download {package}");
    }
    found
}

/// `gpg` in a throwaway home.
fn gpg(home: &Path, args: &[&str]) -> String {
    let out = Command::new("gpg")
        .env("GNUPGHOME", home)
        .args([
            "--batch",
            "--yes",
            "--pinentry-mode",
            "loopback",
            "--passphrase",
            "",
        ])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "gpg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Drives one project: `release_notes` is the release manager's edit before tagging (the
/// section the release notes need), `tarball` the name distcheck makes.
fn drive(package: &str, name: &str, version: &str, release_notes: Option<(&str, &str)>) {
    if !["git", "gpg", "make", "gcc", "sha512sum", "tar"]
        .iter()
        .all(|t| require_tool(t))
    {
        return;
    }
    let Some(tarball) = upstream(package) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join(name);
    std::fs::create_dir(&repo).unwrap();
    let out = Command::new("tar")
        .arg("-xf")
        .arg(&tarball)
        .args(["--strip-components=1", "-C"])
        .arg(&repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::copy(
        root().join(format!("tests/fixtures/real/{name}/release.toml")),
        repo.join("release.toml"),
    )
    .unwrap();
    if let Some((file, section)) = release_notes {
        let path = repo.join(file);
        let old = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{section}{old}")).unwrap();
    }
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(
        &repo,
        &["commit", "-qm", &format!("Imported {name} {version}.")],
    );
    let rc = format!("{version}-rc1");
    git(&repo, &["tag", "-a", &rc, "-m", &format!("{name} {rc}")]);

    // The version sites at the tag carry the tag's version.
    let r = run_tool("bump-version", &repo, &["check", "--tag", &rc]);
    r.assert_code(0);
    assert!(r.stdout.contains(version), "{}", r.stdout);
    assert!(!r.stderr.contains("no release.toml"), "{}", r.stderr);

    // A real make distcheck from a clean worktree of the tag.
    let out_dir = dir.path().join("out");
    let r = run_tool(
        "verify-distcheck",
        &repo,
        &[
            "source",
            "--tag",
            &rc,
            "--jobs",
            "2",
            "--out-dir",
            out_dir.to_str().unwrap(),
        ],
    );
    r.assert_code(0);
    let made = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().contains(".tar."))
        .unwrap_or_else(|| panic!("no tarball in {}:\n{}", out_dir.display(), r.stdout));

    // The candidate as a voter sees it: signed, summed, checked against the tag.
    let home = tempfile::Builder::new().prefix("gpg").tempdir().unwrap();
    gpg(
        home.path(),
        &[
            "--quick-gen-key",
            "RM <rm@example.org>",
            "ed25519",
            "sign",
            "1y",
        ],
    );
    let keys = dir.path().join("KEYS");
    std::fs::write(
        &keys,
        gpg(home.path(), &["--armor", "--export", "rm@example.org"]),
    )
    .unwrap();
    let asc = format!("{}.asc", made.display());
    gpg(
        home.path(),
        &[
            "--armor",
            "--output",
            &asc,
            "--detach-sign",
            made.to_str().unwrap(),
        ],
    );
    let sum = Command::new("sha512sum")
        .arg(made.file_name().unwrap())
        .current_dir(&out_dir)
        .output()
        .unwrap();
    std::fs::write(format!("{}.sha512", made.display()), sum.stdout).unwrap();
    let r = run_tool(
        "verify-distcheck",
        &repo,
        &[
            "candidate",
            "--artifact",
            made.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
            "--tag",
            &rc,
        ],
    );
    r.assert_code(0);
    assert!(
        r.stdout
            .contains(&format!("everything under {name}-{version}/")),
        "{}",
        r.stdout
    );
    let _ = Command::new("gpgconf")
        .env("GNUPGHOME", home.path())
        .args(["--kill", "all"])
        .output();
}

#[test]
fn libmd_is_released_through_the_tools() {
    drive("libmd", "libmd", "1.0.4", None);
}

#[test]
fn attr_is_released_once_its_release_notes_have_a_section() {
    // attr's doc/CHANGES stops at 2.4.44 (its history moved to git): the release manager adds
    // the section before tagging, as the release guide asks.
    drive(
        "attr",
        "attr",
        "2.5.1",
        Some((
            "doc/CHANGES",
            "attr-2.5.1 (9 February 2021)\n\t- Release notes.\n\n",
        )),
    );
}
