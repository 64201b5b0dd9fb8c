//! verify-distcheck end to end: the real binary on the sample project with real git, real
//! autotools and real gpg keys in throwaway GNUPGHOMEs.
#![allow(clippy::unwrap_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// A throwaway GnuPG home; its agent is stopped when dropped.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Gpg {
        let home = tempfile::Builder::new().prefix("gpg").tempdir().unwrap();
        Gpg { home }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("gpg");
        c.env("GNUPGHOME", self.home.path())
            .args([
                "--batch",
                "--yes",
                "--pinentry-mode",
                "loopback",
                "--passphrase",
                "",
            ])
            .args(args);
        c
    }

    fn run(&self, args: &[&str]) -> String {
        let out = self.cmd(args).output().unwrap();
        assert!(
            out.status.success(),
            "gpg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Makes a key; returns its fingerprint.
    fn key(&self, uid: &str, algo: &str, expire: &str, faked_time: Option<&str>) -> String {
        let mut args = vec![];
        let faked;
        if let Some(t) = faked_time {
            faked = format!("{t}!");
            args.extend(["--faked-system-time", faked.as_str()]);
        }
        args.extend(["--quick-gen-key", uid, algo, "sign", expire]);
        self.run(&args);
        self.fingerprint(uid)
    }

    fn fingerprint(&self, uid: &str) -> String {
        let out = self.run(&["--with-colons", "--list-keys", uid]);
        out.lines()
            .find(|l| l.starts_with("fpr:"))
            .unwrap()
            .split(':')
            .nth(9)
            .unwrap()
            .to_string()
    }

    /// `(gpg --list-sigs && gpg --armor --export) >> KEYS` for each key, the Apache way.
    fn keys_file(&self, dir: &Path, uids: &[&str]) -> PathBuf {
        let path = dir.join("KEYS");
        let mut f = std::fs::File::create(&path).unwrap();
        writeln!(
            f,
            "This file contains the PGP keys of various developers.\n"
        )
        .unwrap();
        for uid in uids {
            f.write_all(self.run(&["--list-sigs", uid]).as_bytes())
                .unwrap();
            f.write_all(self.run(&["--armor", "--export", uid]).as_bytes())
                .unwrap();
            writeln!(f).unwrap();
        }
        path
    }

    /// Signs `file` into `file.asc` with `key` (a fingerprint; `!` forces that exact subkey).
    fn sign(&self, file: &Path, key: &str, extra: &[&str]) -> PathBuf {
        let asc = PathBuf::from(format!("{}.asc", file.display()));
        let mut args = extra.to_vec();
        let f = file.to_str().unwrap();
        let o = asc.to_str().unwrap();
        args.extend([
            "--local-user",
            key,
            "--armor",
            "--output",
            o,
            "--detach-sign",
            f,
        ]);
        self.run(&args);
        asc
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "all"])
            .output();
    }
}

fn sha512sum(file: &Path) -> PathBuf {
    let out = Command::new("sha512sum")
        .arg(file.file_name().unwrap())
        .current_dir(file.parent().unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    let path = PathBuf::from(format!("{}.sha512", file.display()));
    std::fs::write(&path, out.stdout).unwrap();
    path
}

/// The sample repository with the rc tag's tree as `hello-1.0.0.tar.gz` (git archive), signed
/// with a fresh RSA key listed in KEYS, and its .sha512.
struct Candidate {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    work: PathBuf,
    tarball: PathBuf,
    keys: PathBuf,
    gpg: Gpg,
    fpr: String,
}

fn have_tools(tools: &[&str]) -> bool {
    tools.iter().all(|t| require_tool(t))
}

fn candidate() -> Option<Candidate> {
    if !have_tools(&["gpg", "git", "sha512sum"]) {
        return None;
    }
    let (dir, repo) = sample_repo();
    let work = dir.path().join("work");
    std::fs::create_dir(&work).unwrap();
    let tarball = work.join("hello-1.0.0.tar.gz");
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "git archive --format=tar --prefix=hello-1.0.0/ 1.0.0-rc1 | gzip -n > {}",
            tarball.display()
        ))
        .current_dir(&repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gpg = Gpg::new();
    let fpr = gpg.key("Alice Andersen <alice@example.org>", "rsa2048", "2y", None);
    let keys = gpg.keys_file(&work, &["alice@example.org"]);
    gpg.sign(&tarball, &fpr, &[]);
    sha512sum(&tarball);
    Some(Candidate {
        _dir: dir,
        repo,
        work,
        tarball,
        keys,
        gpg,
        fpr,
    })
}

impl Candidate {
    fn verify(&self, extra: &[&str]) -> Run {
        let mut args = vec!["candidate", "--artifact", self.tarball.to_str().unwrap()];
        if !extra.contains(&"--keys") {
            args.extend(["--keys", self.keys.to_str().unwrap()]);
        }
        args.extend_from_slice(extra);
        run_tool("verify-distcheck", &self.repo, &args)
    }

    /// Replaces the tarball by one holding `entries`, re-signed and re-summed, so that only the
    /// archive checks can fail.
    fn replace_tarball(&self, entries: &[(&str, tar::EntryType, &[u8])]) {
        let mut b = tar::Builder::new(Vec::new());
        for (path, typ, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.as_old_mut().name[..path.len()].copy_from_slice(path.as_bytes());
            h.set_entry_type(*typ);
            h.set_mode(0o644);
            if matches!(typ, tar::EntryType::Symlink) {
                h.set_link_name(std::str::from_utf8(data).unwrap()).unwrap();
                h.set_size(0);
                h.set_cksum();
                b.append(&h, &[][..]).unwrap();
            } else {
                h.set_size(data.len() as u64);
                h.set_cksum();
                b.append(&h, *data).unwrap();
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&b.into_inner().unwrap()).unwrap();
        std::fs::write(&self.tarball, gz.finish().unwrap()).unwrap();
        self.gpg.sign(&self.tarball, &self.fpr, &[]);
        sha512sum(&self.tarball);
    }
}

fn check_line<'a>(r: &'a Run, id: &str) -> &'a str {
    r.stdout
        .lines()
        .find(|l| l.contains(&format!("] {id}")))
        .unwrap_or_else(|| panic!("no check {id} in\n{}", r.stdout))
}

// ---------------------------------------------------------------- candidate: the good path

#[test]
fn a_good_candidate_passes_with_the_signer_and_hashes_as_evidence() {
    let Some(c) = candidate() else { return };
    let r = c.verify(&["--tag", "1.0.0-rc1"]);
    r.assert_code(0);
    assert!(
        check_line(&r, "signature").contains(&format!("good signature by {}", c.fpr)),
        "{}",
        r.stdout
    );
    assert!(
        check_line(&r, "signature").contains("Alice Andersen <alice@example.org>"),
        "{}",
        r.stdout
    );
    let sha = String::from_utf8(std::fs::read(format!("{}.sha512", c.tarball.display())).unwrap())
        .unwrap();
    let hex = sha.split_whitespace().next().unwrap();
    assert!(check_line(&r, "checksum").contains(hex), "{}", r.stdout);
    assert!(check_line(&r, "layout").contains("[pass]"), "{}", r.stdout);
    assert!(
        check_line(&r, "contents-match-tag").contains("identical to tag 1.0.0-rc1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("[skip] rebuild") && r.stdout.contains("[skip] build"),
        "{}",
        r.stdout
    );
}

#[test]
fn json_markdown_junit_and_github_outputs() {
    let Some(c) = candidate() else { return };
    let out = c.work.join("gh-output");
    let summary = c.work.join("summary.md");
    let junit = c.work.join("junit.xml");
    let mut cmd = tool("verify-distcheck", &c.repo);
    cmd.args([
        "--format",
        "json",
        "--junit",
        junit.to_str().unwrap(),
        "candidate",
    ])
    .env("RELEASE_KIT_ARTIFACT", &c.tarball)
    .env("RELEASE_KIT_KEYS", &c.keys)
    .env("RELEASE_KIT_TAG", "1.0.0-rc1")
    .env("GITHUB_ACTIONS", "true")
    .env("GITHUB_OUTPUT", &out)
    .env("GITHUB_STEP_SUMMARY", &summary);
    let r = run(cmd);
    r.assert_code(0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["ok"], true);
    let ids: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "keys",
            "checksum",
            "signature",
            "archive-safety",
            "layout",
            "licence-headers",
            "no-compiled-code",
            "bundled-archives",
            "license-notice",
            "sbom",
            "contents-match-tag",
            "rebuild",
            "build"
        ]
    );
    let outputs = std::fs::read_to_string(&out).unwrap();
    assert!(
        outputs.contains("sha512<<") && outputs.contains("signer<<ghadelimiter"),
        "{outputs}"
    );
    assert!(outputs.contains(&c.fpr), "{outputs}");
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("| `signature` | ✅ pass |"), "{md}");
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(
        x.contains(r#"tests="13" failures="0" errors="0" skipped="3""#),
        "{x}"
    );
}

#[test]
fn a_signature_by_a_signing_subkey_verifies_and_names_both_keys() {
    let Some(c) = candidate() else { return };
    c.gpg
        .run(&["--quick-add-key", &c.fpr, "rsa2048", "sign", "1y"]);
    let colons = c.gpg.run(&["--with-colons", "--list-keys", &c.fpr]);
    let sub = colons
        .lines()
        .filter(|l| l.starts_with("fpr:"))
        .nth(1)
        .unwrap()
        .split(':')
        .nth(9)
        .unwrap()
        .to_string();
    let keys = c.gpg.keys_file(&c.work, &["alice@example.org"]);
    assert_eq!(keys, c.keys);
    c.gpg.sign(&c.tarball, &format!("{sub}!"), &[]);
    let r = c.verify(&[]);
    r.assert_code(0);
    let line = check_line(&r, "signature");
    assert!(
        line.contains(&format!("good signature by {}", c.fpr))
            && line.contains(&format!("subkey {sub}")),
        "{line}"
    );
}

#[test]
fn an_old_dsa_key_among_others_verifies() {
    let Some(c) = candidate() else { return };
    let dsa = c
        .gpg
        .key("Old Timer <old@example.org>", "dsa1024", "0", None);
    let keys = c
        .gpg
        .keys_file(&c.work, &["alice@example.org", "old@example.org"]);
    c.gpg.sign(&c.tarball, &dsa, &["--digest-algo", "SHA1"]);
    let r = c.verify(&["--keys", keys.to_str().unwrap()]);
    r.assert_code(0);
    assert!(
        check_line(&r, "signature").contains(&format!("good signature by {dsa}")),
        "{}",
        r.stdout
    );
    assert!(check_line(&r, "signature").contains("DSA"), "{}", r.stdout);
    assert!(
        check_line(&r, "keys").contains("2 key(s) from 2 block(s)"),
        "{}",
        r.stdout
    );
}

#[test]
fn checksums_in_gpg_print_md_form_and_sha256_are_accepted() {
    let Some(c) = candidate() else { return };
    let out = Command::new("gpg")
        .args(["--print-md", "SHA512", "hello-1.0.0.tar.gz"])
        .current_dir(&c.work)
        .env("GNUPGHOME", c.gpg.home.path())
        .output()
        .unwrap();
    std::fs::write(c.work.join("hello-1.0.0.tar.gz.sha512"), &out.stdout).unwrap();
    c.verify(&[]).assert_code(0);
    let out = Command::new("sha256sum")
        .arg("hello-1.0.0.tar.gz")
        .current_dir(&c.work)
        .output()
        .unwrap();
    let f = c.work.join("hello-1.0.0.tar.gz.sha256");
    std::fs::write(&f, &out.stdout).unwrap();
    let r = c.verify(&["--checksum", f.to_str().unwrap()]);
    r.assert_code(0);
    assert!(
        check_line(&r, "checksum").contains("SHA-256"),
        "{}",
        r.stdout
    );
}

#[test]
fn file_urls_are_accepted() {
    let Some(c) = candidate() else { return };
    let url = format!("file://{}", c.tarball.display());
    let keys = format!("file://{}", c.keys.display());
    run_tool(
        "verify-distcheck",
        &c.repo,
        &["candidate", "--artifact", &url, "--keys", &keys],
    )
    .assert_code(0);
}

#[test]
fn https_downloads_are_verified_and_a_dead_server_exits_3() {
    let Some(c) = candidate() else { return };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = rt.block_on(wiremock::MockServer::start());
    for name in [
        "hello-1.0.0.tar.gz",
        "hello-1.0.0.tar.gz.sha512",
        "hello-1.0.0.tar.gz.asc",
        "KEYS",
    ] {
        let body = std::fs::read(c.work.join(name)).unwrap();
        rt.block_on(
            wiremock::Mock::given(wiremock::matchers::path(format!("/dev/hello/{name}")))
                .respond_with(wiremock::ResponseTemplate::new(200).set_body_bytes(body))
                .mount(&server),
        );
    }
    let base = format!("{}/dev/hello", server.uri());
    let r = run_tool(
        "verify-distcheck",
        &c.repo,
        &[
            "candidate",
            "--artifact",
            &format!("{base}/hello-1.0.0.tar.gz"),
            "--keys",
            &format!("{base}/KEYS"),
        ],
    );
    r.assert_code(0);
    let dead = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run_tool(
        "verify-distcheck",
        &c.repo,
        &[
            "candidate",
            "--artifact",
            &format!("http://127.0.0.1:{dead}/hello-1.0.0.tar.gz"),
            "--keys",
            c.keys.to_str().unwrap(),
        ],
    );
    r.assert_code(3);
    assert!(
        r.stderr.contains("could not be reached") && r.stderr.contains("after 4 attempt(s)"),
        "{}",
        r.stderr
    );
}

// ---------------------------------------------------------------- candidate: bad input

#[test]
fn a_tarball_tampered_by_one_byte_fails_checksum_and_signature() {
    let Some(c) = candidate() else { return };
    let mut bytes = std::fs::read(&c.tarball).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    std::fs::write(&c.tarball, bytes).unwrap();
    let r = c.verify(&[]);
    r.assert_code(1);
    assert!(
        check_line(&r, "checksum").contains("[FAIL]"),
        "{}",
        r.stdout
    );
    assert!(
        check_line(&r, "signature").contains("BAD signature"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("was modified"), "{}", r.stdout);
}

#[test]
fn a_truncated_tarball_fails_checksum_and_is_unreadable() {
    let Some(c) = candidate() else { return };
    let bytes = std::fs::read(&c.tarball).unwrap();
    std::fs::write(&c.tarball, &bytes[..bytes.len() / 3]).unwrap();
    let r = c.verify(&[]);
    r.assert_code(1);
    assert!(
        check_line(&r, "checksum").contains("[FAIL]"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("truncated or corrupt"), "{}", r.stdout);
}

#[test]
fn a_checksum_for_another_file_fails() {
    let Some(c) = candidate() else { return };
    let f = c.work.join("hello-1.0.0.tar.gz.sha512");
    let text = std::fs::read_to_string(&f)
        .unwrap()
        .replace("hello-1.0.0.tar.gz", "hello-0.9.0.tar.gz");
    std::fs::write(&f, text).unwrap();
    let r = c.verify(&[]);
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("is for hello-0.9.0.tar.gz instead of hello-1.0.0.tar.gz"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_checksum_in_an_unknown_format_exits_2() {
    let Some(c) = candidate() else { return };
    std::fs::write(
        c.work.join("hello-1.0.0.tar.gz.sha512"),
        "MD5 (hello-1.0.0.tar.gz) = 0123456789abcdef\n",
    )
    .unwrap();
    let r = c.verify(&[]);
    r.assert_code(2);
    assert!(r.stderr.contains("in no format I know"), "{}", r.stderr);
    assert!(r.stdout.is_empty());
}

#[test]
fn an_empty_keys_file_exits_2() {
    let Some(c) = candidate() else { return };
    std::fs::write(&c.keys, "").unwrap();
    let r = c.verify(&[]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("holds no public key block"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_missing_input_file_exits_2() {
    let Some(c) = candidate() else { return };
    std::fs::remove_file(c.work.join("hello-1.0.0.tar.gz.asc")).unwrap();
    let r = c.verify(&[]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("hello-1.0.0.tar.gz.asc does not exist"),
        "{}",
        r.stderr
    );
}

#[test]
fn keys_with_one_corrupt_block_still_load_the_good_ones() {
    let Some(c) = candidate() else { return };
    let good = std::fs::read_to_string(&c.keys).unwrap();
    let corrupt = "pub   rsa4096 2011-01-01 [SC]\nuid   Mallory <m@example.org>\n-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBE1234567890this is not a key at all@@@@\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n\n";
    std::fs::write(&c.keys, format!("{corrupt}{good}")).unwrap();
    let r = c.verify(&[]);
    r.assert_code(0);
    assert!(
        check_line(&r, "keys").contains("[warn]")
            && check_line(&r, "keys").contains("1 unreadable"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("KEYS:3: warning: key block 1 (line 3)"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_signer_not_in_keys_is_named_by_fingerprint() {
    let Some(c) = candidate() else { return };
    let other = c.gpg.key("Eve <eve@example.org>", "rsa2048", "1y", None);
    c.gpg.sign(&c.tarball, &other, &[]);
    let r = c.verify(&[]);
    r.assert_code(1);
    assert!(
        r.stdout
            .contains(&format!("the signing key {other} is not in")),
        "{}",
        r.stdout
    );
}

/// Signs the candidate with a key made in 2020 for one year (so expired since); returns the key
/// and a KEYS file holding it.
fn signed_by_a_key_expired_since(c: &Candidate) -> (String, PathBuf) {
    let old = c.gpg.key(
        "Old RM <old@example.org>",
        "rsa2048",
        "1y",
        Some("20200101T000000"),
    );
    c.gpg.sign(
        &c.tarball,
        &old,
        &["--faked-system-time", "20200301T000000!"],
    );
    let keys = c
        .gpg
        .keys_file(&c.work, &["alice@example.org", "old@example.org"]);
    (old, keys)
}

#[test]
fn a_signature_by_an_expired_key_fails() {
    let Some(c) = candidate() else { return };
    let (_, keys) = signed_by_a_key_expired_since(&c);
    let r = c.verify(&["--keys", keys.to_str().unwrap()]);
    r.assert_code(1);
    assert!(
        check_line(&r, "signature").contains("the signing key has expired"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("expired on 2020-12-31"), "{}", r.stdout);
}

#[test]
fn an_expired_signature_fails() {
    let Some(c) = candidate() else { return };
    c.gpg
        .sign(&c.tarball, &c.fpr, &["--default-sig-expire", "1d"]);
    let in_a_week = (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 7 * 86400)
        .to_string();
    let r = c.verify(&["--now", &in_a_week]);
    r.assert_code(1);
    assert!(
        check_line(&r, "signature").contains("the signature has expired"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_signature_by_a_revoked_key_fails() {
    let Some(c) = candidate() else { return };
    let rev = c
        .gpg
        .home
        .path()
        .join("openpgp-revocs.d")
        .join(format!("{}.rev", c.fpr));
    // gpg stores the certificate with its armour line escaped by a colon.
    let text = std::fs::read_to_string(&rev)
        .unwrap()
        .replace(":-----BEGIN", "-----BEGIN");
    let fixed = c.work.join("revoke.asc");
    std::fs::write(&fixed, text).unwrap();
    c.gpg.run(&["--import", fixed.to_str().unwrap()]);
    c.gpg.keys_file(&c.work, &["alice@example.org"]);
    let r = c.verify(&[]);
    r.assert_code(1);
    assert!(
        check_line(&r, "signature").contains("revoked"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_binary_sig_is_refused_clearly() {
    let Some(c) = candidate() else { return };
    let sig = c.work.join("hello-1.0.0.tar.gz.sig");
    c.gpg.run(&[
        "--local-user",
        &c.fpr,
        "--output",
        sig.to_str().unwrap(),
        "--detach-sign",
        c.tarball.to_str().unwrap(),
    ]);
    let r = c.verify(&["--signature", sig.to_str().unwrap()]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("is a binary OpenPGP signature") && r.stdout.contains("--armor"),
        "{}",
        r.stdout
    );
}

#[test]
fn an_archive_with_dot_dot_evil_an_absolute_path_and_a_passwd_symlink_fails() {
    let Some(c) = candidate() else { return };
    use tar::EntryType as T;
    c.replace_tarball(&[
        ("hello-1.0.0/LICENSE", T::Regular, b"license"),
        ("hello-1.0.0/NOTICE", T::Regular, b"notice"),
        ("hello-1.0.0/../evil", T::Regular, b"evil"),
        ("/tmp/absolute-evil", T::Regular, b"evil"),
        ("hello-1.0.0/passwd", T::Symlink, b"/etc/passwd"),
    ]);
    let r = c.verify(&[]);
    r.assert_code(1);
    assert!(
        check_line(&r, "checksum").contains("[pass]")
            && check_line(&r, "signature").contains("[pass]"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("`hello-1.0.0/../evil` has a `..` component"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("`/tmp/absolute-evil` is an absolute path"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("link `hello-1.0.0/passwd` points at `/etc/passwd`"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_wrong_top_dir_and_a_missing_notice_fail_the_layout() {
    let Some(c) = candidate() else { return };
    use tar::EntryType as T;
    c.replace_tarball(&[("hello/LICENSE", T::Regular, b"license")]);
    let r = c.verify(&[]);
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("one top-level directory `hello-1.0.0/`, found `hello`"),
        "{}",
        r.stdout
    );
    assert!(
        // Looked for under the archive's real top directory: one finding per real problem.
        r.stdout.contains("`hello/NOTICE` is missing"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_zip_bomb_like_ratio_is_stopped_at_the_configured_cap() {
    let Some(c) = candidate() else { return };
    use tar::EntryType as T;
    let zeros = vec![0u8; 8 << 20];
    c.replace_tarball(&[
        ("hello-1.0.0/LICENSE", T::Regular, b"license"),
        ("hello-1.0.0/NOTICE", T::Regular, b"notice"),
        ("hello-1.0.0/zeros", T::Regular, &zeros),
    ]);
    let r = c.verify(&["--set", "distcheck.max_unpacked_size=1000000"]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("unpacks to more than 1000000 bytes"),
        "{}",
        r.stdout
    );
    let mut cmd = tool("verify-distcheck", &c.repo);
    cmd.args([
        "candidate",
        "--artifact",
        c.tarball.to_str().unwrap(),
        "--keys",
        c.keys.to_str().unwrap(),
    ])
    .env("RELEASE_KIT_DISTCHECK_MAX_RATIO", "20")
    .env("RELEASE_KIT_DISTCHECK_MAX_UNPACKED_SIZE", "4000000");
    let r = run(cmd);
    r.assert_code(1);
    assert!(r.stdout.contains("more than 4000000 bytes"), "{}", r.stdout);
}

#[test]
fn a_file_changed_after_the_tag_fails_the_content_check() {
    let Some(c) = candidate() else { return };
    let extract = c.work.join("x");
    std::fs::create_dir(&extract).unwrap();
    let sh = |s: &str| {
        let out = Command::new("sh")
            .arg("-c")
            .arg(s)
            .current_dir(&c.work)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{s}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    sh("tar xzf hello-1.0.0.tar.gz -C x && echo '/* sneaky */' >> x/hello-1.0.0/src/greet.c && echo junk > x/hello-1.0.0/stray.txt && rm x/hello-1.0.0/README.md && tar czf hello-1.0.0.tar.gz -C x hello-1.0.0");
    c.gpg.sign(&c.tarball, &c.fpr, &[]);
    sha512sum(&c.tarball);
    let r = c.verify(&["--tag", "1.0.0-rc1"]);
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("src/greet.c differs from the file at tag 1.0.0-rc1"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("README.md is in git at 1.0.0-rc1 but not in hello-1.0.0.tar.gz"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("stray.txt is in hello-1.0.0.tar.gz but not in git"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_zip_candidate_is_read_too() {
    let Some(c) = candidate() else { return };
    let zip = c.work.join("hello-1.0.0.zip");
    let out = Command::new("git")
        .args([
            "archive",
            "--format=zip",
            "--prefix=hello-1.0.0/",
            "-o",
            zip.to_str().unwrap(),
            "1.0.0-rc1",
        ])
        .current_dir(&c.repo)
        .output()
        .unwrap();
    assert!(out.status.success());
    c.gpg.sign(&zip, &c.fpr, &[]);
    sha512sum(&zip);
    let r = run_tool(
        "verify-distcheck",
        &c.repo,
        &[
            "candidate",
            "--artifact",
            zip.to_str().unwrap(),
            "--keys",
            c.keys.to_str().unwrap(),
            "--tag",
            "1.0.0-rc1",
        ],
    );
    r.assert_code(0);
}

// ---------------------------------------------------------------- source

fn autotools() -> bool {
    have_tools(&["autoreconf", "automake", "make", "cc", "git"])
}

#[test]
fn source_on_the_rc_tag_makes_a_tarball_that_candidate_then_verifies() {
    if !autotools() || !have_tools(&["gpg", "sha512sum"]) {
        return;
    }
    let (dir, repo) = sample_repo();
    let out_dir = dir.path().join("dist");
    let gh = dir.path().join("gh-output");
    let junit = dir.path().join("junit.xml");
    let before = snapshot_tree(&repo);
    let mut cmd = tool("verify-distcheck", &repo);
    cmd.args([
        "--junit",
        junit.to_str().unwrap(),
        "source",
        "--tag",
        "1.0.0-rc1",
        "--out-dir",
        out_dir.to_str().unwrap(),
        "-j",
        "2",
    ])
    .env("GITHUB_ACTIONS", "true")
    .env("GITHUB_OUTPUT", &gh)
    .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"));
    let r = run(cmd);
    r.assert_code(0);
    assert!(
        r.stderr.contains("::group::recipe: make -j2 distcheck")
            && r.stderr.contains("::endgroup::"),
        "{}",
        r.stderr
    );
    let tarball = out_dir.join("hello-1.0.0.tar.gz");
    assert!(tarball.is_file());
    let outputs = std::fs::read_to_string(&gh).unwrap();
    assert!(
        outputs.contains(&tarball.display().to_string()),
        "{outputs}"
    );
    let sum = Command::new("sha512sum").arg(&tarball).output().unwrap();
    let hex = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    assert!(outputs.contains(&hex), "{outputs}");
    assert!(
        check_line(&r, "contents-match-tag").contains("identical to tag 1.0.0-rc1"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("1 not distributed"), "{}", r.stdout);
    let x = std::fs::read_to_string(&junit).unwrap();
    assert!(x.contains(r#"name="recipe-3""#), "{x}");
    let log = std::fs::read_to_string(out_dir.join("hello-1.0.0-rc1-distcheck.log")).unwrap();
    assert!(
        log.contains("$ sh -c 'make -j2 distcheck'")
            && log.contains("hello-1.0.0 archives ready for distribution"),
        "{log}"
    );
    // The user's working copy is untouched and the temporary worktree is gone.
    assert_eq!(before, snapshot_tree(&repo));
    assert_eq!(git(&repo, &["worktree", "list"]).lines().count(), 1);

    // The voter's side, on what source produced, with --rebuild and --build.
    let g = Gpg::new();
    let fpr = g.key("Alice Andersen <alice@example.org>", "rsa2048", "1y", None);
    let keys = g.keys_file(&out_dir, &["alice@example.org"]);
    g.sign(&tarball, &fpr, &[]);
    sha512sum(&tarball);
    let r = run_tool(
        "verify-distcheck",
        &repo,
        &[
            "candidate",
            "--artifact",
            tarball.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
            "--tag",
            "1.0.0-rc1",
            "--rebuild",
            "--build",
            "--log",
            dir.path().join("v.log").to_str().unwrap(),
        ],
    );
    r.assert_code(0);
    assert!(
        check_line(&r, "rebuild").contains("content-identical")
            || check_line(&r, "rebuild").contains("identical"),
        "{}",
        r.stdout
    );
    assert!(
        check_line(&r, "build").contains("3 step(s) passed"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_tag_that_does_not_exist_exits_2() {
    if !have_tools(&["git"]) {
        return;
    }
    let (_d, repo) = sample_repo();
    let r = run_tool("verify-distcheck", &repo, &["source", "--tag", "1.9.0-rc1"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("tag 1.9.0-rc1 does not exist"),
        "{}",
        r.stderr
    );
    let r = run_tool(
        "verify-distcheck",
        &repo,
        &[
            "candidate",
            "--artifact",
            "x.tar.gz",
            "--keys",
            "KEYS",
            "--tag",
            "1.9.0-rc1",
        ],
    );
    r.assert_code(2);
}

#[test]
fn a_distcheck_that_fails_names_the_command_and_shows_the_last_lines() {
    if !autotools() {
        return;
    }
    let (dir, repo) = sample_repo();
    git(&repo, &["checkout", "-q", "1.0.x"]);
    // A test that fails: `make distcheck` runs `make check`.
    let t = repo.join("tests/greet_test.c");
    let text = std::fs::read_to_string(&t).unwrap();
    std::fs::write(
        &t,
        text.replacen("int main(void)\n{\n", "int main(void)\n{\n  return 1;\n", 1),
    )
    .unwrap();
    git(&repo, &["commit", "-qam", "Broke the tests."]);
    git(
        &repo,
        &["tag", "-a", "1.0.1-rc1", "-m", "Tagging Hello 1.0.1-rc1."],
    );
    let out_dir = dir.path().join("dist");
    let r = run_tool(
        "verify-distcheck",
        &repo,
        &[
            "-q",
            "source",
            "--tag",
            "1.0.1-rc1",
            "--out-dir",
            out_dir.to_str().unwrap(),
        ],
    );
    r.assert_code(1);
    let line = check_line(&r, "recipe-3");
    assert!(
        line.contains("[FAIL]") && line.contains("distcheck` failed with exit status"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("the full log is"), "{}", r.stdout);
    assert!(
        r.stdout.contains("FAIL: greet-test") || r.stdout.contains("Error"),
        "{}",
        r.stdout
    );
    assert!(check_line(&r, "tarball").contains("[skip]"), "{}", r.stdout);
}

#[test]
fn a_file_forgotten_in_extra_dist_is_reported() {
    if !autotools() {
        return;
    }
    let (dir, repo) = sample_repo();
    git(&repo, &["checkout", "-q", "1.0.x"]);
    let m = repo.join("Makefile.am");
    let text = std::fs::read_to_string(&m).unwrap();
    std::fs::write(
        &m,
        text.replace("  support/packaging/centos/hello.service\t\\\n", ""),
    )
    .unwrap();
    git(&repo, &["commit", "-qam", "Forgot README.md."]);
    git(
        &repo,
        &["tag", "-a", "1.0.1-rc1", "-m", "Tagging Hello 1.0.1-rc1."],
    );
    let out_dir = dir.path().join("dist");
    let r = run_tool(
        "verify-distcheck",
        &repo,
        &[
            "-q",
            "source",
            "--tag",
            "1.0.1-rc1",
            "--out-dir",
            out_dir.to_str().unwrap(),
        ],
    );
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("support/packaging/centos/hello.service is in git at 1.0.1-rc1 but not in hello-1.0.1.tar.gz"),
        "{}",
        r.stdout
    );
    assert!(
        check_line(&r, "version-sites-match").contains("[pass]"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_build_that_hangs_is_stopped_by_the_timeout() {
    if !have_tools(&["git"]) {
        return;
    }
    let (dir, repo) = sample_repo();
    let config = dir.path().join("hang.toml");
    let mut text = std::fs::read_to_string(repo.join("release.toml")).unwrap();
    text.push_str("\n[distcheck]\nrecipe = [\"echo building\", \"sleep 600\"]\n");
    std::fs::write(&config, text).unwrap();
    let start = std::time::Instant::now();
    let r = run_tool(
        "verify-distcheck",
        &repo,
        &[
            "-q",
            "--config",
            config.to_str().unwrap(),
            "source",
            "--tag",
            "1.0.0-rc1",
            "--timeout",
            "1",
            "--out-dir",
            dir.path().join("d").to_str().unwrap(),
        ],
    );
    r.assert_code(1);
    assert!(start.elapsed() < std::time::Duration::from_secs(60));
    assert!(
        check_line(&r, "recipe-2").contains("stopped after 1s"),
        "{}",
        r.stdout
    );
    assert_eq!(
        git(&repo, &["worktree", "list"]).lines().count(),
        1,
        "the worktree is removed"
    );
}

#[test]
fn a_wip_changelog_at_the_tag_fails_the_changelog_check() {
    if !have_tools(&["git"]) {
        return;
    }
    let (dir, repo) = sample_repo();
    // master's 1.1.0 section is still (WIP); tag it as if it were a candidate.
    git(
        &repo,
        &["tag", "-a", "1.1.0-rc1", "-m", "Tagging Hello 1.1.0-rc1."],
    );
    let config = dir.path().join("quick.toml");
    let mut text = std::fs::read_to_string(repo.join("release.toml")).unwrap();
    text.push_str("\n[distcheck]\nrecipe = [\"true\"]\n");
    std::fs::write(&config, text).unwrap();
    let r = run_tool(
        "verify-distcheck",
        &repo,
        &[
            "-q",
            "--config",
            config.to_str().unwrap(),
            "source",
            "--tag",
            "1.1.0-rc1",
            "--out-dir",
            dir.path().join("d").to_str().unwrap(),
        ],
    );
    r.assert_code(1);
    assert!(r.stdout.contains("CHANGELOG:1: error: the section \"Release Notes - Hello - Version 1.1.0 (WIP)\" is still marked (WIP)"), "{}", r.stdout);
    assert!(
        check_line(&r, "tarball").contains("[FAIL]") && r.stdout.contains("set distcheck.output"),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------- real Apache releases

/// The real releases `scripts/fetch-test-data` downloads (Debian's apr-util and apr source
/// packages). Locally the tests skip when they are absent; in CI they fail.
fn test_data(pkg: &str) -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/test-data")
        .join(pkg);
    if dir.join("signing-key.asc").is_file() {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} is missing: scripts/test runs scripts/fetch-test-data first",
            dir.display()
        );
    }
    eprintln!("skipping: run scripts/fetch-test-data to download the real Apache releases");
    None
}

/// A sha512sum file for a real artifact (Debian does not ship Apache's .sha512).
fn real_candidate(pkg: &str, artifact: &str) -> Option<(tempfile::TempDir, PathBuf, PathBuf)> {
    let data = test_data(pkg)?;
    if !have_tools(&["sha512sum"]) {
        return None;
    }
    let work = tempfile::tempdir().unwrap();
    for f in [
        artifact.to_string(),
        format!("{artifact}.asc"),
        "signing-key.asc".into(),
    ] {
        std::fs::copy(data.join(&f), work.path().join(&f)).unwrap();
    }
    let tarball = work.path().join(artifact);
    sha512sum(&tarball);
    let keys = work.path().join("signing-key.asc");
    Some((work, tarball, keys))
}

#[test]
fn the_real_apr_util_release_verifies_against_its_real_multi_key_keys_file() {
    let Some((work, tarball, keys)) = real_candidate("apr-util", "apr-util_1.6.3.orig.tar.bz2")
    else {
        return;
    };
    let r = run_tool(
        "verify-distcheck",
        work.path(),
        &[
            "--set",
            "project.name=apr-util",
            "candidate",
            "--artifact",
            tarball.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
        ],
    );
    r.assert_code(0);
    let sig = check_line(&r, "signature");
    assert!(
        sig.contains("good signature by 65B2D44FE74BD5E3DE3AC3F082781DE46D5954FA"),
        "{}",
        r.stdout
    );
    assert!(
        sig.contains("Eric Covener <covener@apache.org>"),
        "{}",
        r.stdout
    );
    assert!(
        check_line(&r, "layout").contains("apr-util-1.6.3/"),
        "{}",
        r.stdout
    );
    // Every block of the real file loads: many keys, old and new.
    let keys_line = check_line(&r, "keys");
    assert!(
        keys_line.contains("[pass]") && keys_line.contains("from 62 block(s)"),
        "{keys_line}"
    );
}

#[test]
fn a_real_keys_file_with_one_block_corrupted_still_verifies() {
    let Some((work, tarball, keys)) = real_candidate("apr-util", "apr-util_1.6.3.orig.tar.bz2")
    else {
        return;
    };
    // Damage the base64 of the first block (not the signer's).
    // The real file is Latin-1, not UTF-8: work on bytes.
    let text = std::fs::read(&keys).unwrap();
    let find = |from: usize, needle: &[u8]| {
        text[from..]
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap()
            + from
    };
    let begin = find(0, b"-----BEGIN PGP PUBLIC KEY BLOCK-----");
    let body = find(begin, b"\n\n") + 2;
    let mut damaged = text.clone();
    damaged[body..body + 40].copy_from_slice(&[b'!'; 40]);
    std::fs::write(&keys, damaged).unwrap();
    let r = run_tool(
        "verify-distcheck",
        work.path(),
        &[
            "--set",
            "project.name=apr-util",
            "candidate",
            "--artifact",
            tarball.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
        ],
    );
    r.assert_code(0);
    assert!(
        check_line(&r, "keys").contains("1 unreadable"),
        "{}",
        r.stdout
    );
    assert!(
        check_line(&r, "signature").contains("[pass]"),
        "{}",
        r.stdout
    );
}

#[test]
fn the_real_apr_release_is_signed_by_a_key_missing_from_its_keys() {
    let Some((work, tarball, keys)) = real_candidate("apr", "apr_1.7.2.orig.tar.bz2") else {
        return;
    };
    let r = run_tool(
        "verify-distcheck",
        work.path(),
        &[
            "--set",
            "project.name=apr",
            "candidate",
            "--artifact",
            tarball.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
        ],
    );
    r.assert_code(1);
    assert!(
        r.stdout
            .contains("the signing key 65B2D44FE74BD5E3DE3AC3F082781DE46D5954FA is not in"),
        "{}",
        r.stdout
    );
    assert!(
        check_line(&r, "checksum").contains("[pass]")
            && check_line(&r, "layout").contains("[pass]"),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------- issue 15, item 4

/// Signs `file` with every key of `keys` into one armoured `.asc` holding several signatures,
/// the way `gpg -u A -u B --detach-sign` does when several release managers sign.
fn sign_many(gpg: &Gpg, file: &Path, keys: &[&str]) -> PathBuf {
    let asc = PathBuf::from(format!("{}.asc", file.display()));
    let mut args: Vec<&str> = Vec::new();
    for k in keys {
        args.extend(["--local-user", k]);
    }
    let (f, o) = (file.to_str().unwrap(), asc.to_str().unwrap());
    args.extend(["--armor", "--output", o, "--detach-sign", f]);
    gpg.run(&args);
    asc
}

#[test]
fn an_asc_with_several_signatures_passes_when_any_verifies_and_lists_each() {
    let Some(c) = candidate() else { return };
    let bob = c
        .gpg
        .key("Bob Berg <bob@example.org>", "ed25519", "2y", None);
    sign_many(&c.gpg, &c.tarball, &[&bob, &c.fpr]);
    // KEYS holds Alice only: Bob's signature is by a key not in KEYS, Alice's verifies.
    let r = c.verify(&[]);
    r.assert_code(0);
    let sig = check_line(&r, "signature");
    assert!(sig.contains("[pass]"), "{}", r.stdout);
    assert!(sig.contains("2 signatures, 1 accepted"), "{sig}");
    assert!(
        sig.contains(&format!("good signature by {}", c.fpr)),
        "{sig}"
    );
    assert!(
        r.stdout.contains("signature 1 of 2:") && r.stdout.contains("signature 2 of 2:"),
        "every signature is listed with its verdict:\n{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains(&format!("the signing key {bob} is not in"))
            || r.stdout.contains("is not in"),
        "{}",
        r.stdout
    );
    // JSON carries them too.
    let j = c.verify(&["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    let check = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "signature")
        .unwrap()
        .clone();
    assert_eq!(check["findings"].as_array().unwrap().len(), 2, "{check}");
}

#[test]
fn an_asc_with_several_signatures_and_no_key_in_keys_fails() {
    let Some(c) = candidate() else { return };
    let bob = c
        .gpg
        .key("Bob Berg <bob@example.org>", "ed25519", "2y", None);
    let carol = c
        .gpg
        .key("Carol Chen <carol@example.org>", "rsa2048", "2y", None);
    sign_many(&c.gpg, &c.tarball, &[&bob, &carol]);
    let r = c.verify(&[]);
    r.assert_code(1);
    assert!(
        check_line(&r, "signature").contains("2 signatures, 0 accepted"),
        "{}",
        r.stdout
    );
}

#[test]
fn concatenated_armoured_signatures_are_each_read() {
    let Some(c) = candidate() else { return };
    let bob = c
        .gpg
        .key("Bob Berg <bob@example.org>", "rsa2048", "2y", None);
    let first = std::fs::read(c.gpg.sign(&c.tarball, &bob, &[])).unwrap();
    let second = std::fs::read(c.gpg.sign(&c.tarball, &c.fpr, &[])).unwrap();
    std::fs::write(
        format!("{}.asc", c.tarball.display()),
        [first, second].concat(),
    )
    .unwrap();
    let r = c.verify(&[]);
    r.assert_code(0);
    assert!(
        check_line(&r, "signature").contains("2 signatures, 1 accepted"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_key_expired_after_signing_is_valid_at_signing_time_not_bad() {
    let Some(c) = candidate() else { return };
    let (old, keys) = signed_by_a_key_expired_since(&c);
    // A candidate under vote (the default): the key must still be valid.
    let r = c.verify(&["--keys", keys.to_str().unwrap()]);
    r.assert_code(1);
    assert!(
        r.stdout.contains("--key-validity signing-time"),
        "the report says how to check a published release:\n{}",
        r.stdout
    );
    assert!(!r.stdout.contains("BAD signature"), "{}", r.stdout);
    // A published release: checked at signing time, the verdict says what happened.
    let r = c.verify(&[
        "--keys",
        keys.to_str().unwrap(),
        "--key-validity",
        "signing-time",
    ]);
    r.assert_code(0);
    let sig = check_line(&r, "signature");
    assert!(
        sig.contains("valid at signing time, key since expired (2020-12-31"),
        "{sig}"
    );
    // A tampered artifact is BAD, not "expired", whatever the policy.
    let mut bytes = std::fs::read(&c.tarball).unwrap();
    let n = bytes.len() / 2;
    bytes[n] ^= 1;
    std::fs::write(&c.tarball, bytes).unwrap();
    c.gpg.sign(
        &c.tarball,
        &old,
        &["--faked-system-time", "20200301T000000!"],
    );
    std::fs::write(&c.tarball, {
        let mut b = std::fs::read(&c.tarball).unwrap();
        b[n] ^= 1;
        b
    })
    .unwrap();
    let r = c.verify(&[
        "--keys",
        keys.to_str().unwrap(),
        "--key-validity",
        "signing-time",
    ]);
    r.assert_code(1);
    assert!(
        check_line(&r, "signature").contains("BAD signature"),
        "{}",
        r.stdout
    );
}

/// A signed candidate in a directory with no configuration (unless a test writes one).
struct Unconfigured {
    _gpg: Gpg,
    dir: tempfile::TempDir,
    tarball: PathBuf,
    keys: PathBuf,
}

impl Unconfigured {
    /// `verify-distcheck candidate` on it, run in its directory.
    fn verify(&self) -> Run {
        run_tool(
            "verify-distcheck",
            self.dir.path(),
            &[
                "candidate",
                "--artifact",
                self.tarball.to_str().unwrap(),
                "--keys",
                self.keys.to_str().unwrap(),
            ],
        )
    }
}

/// A tarball named `name` holding `entries` under its own name, signed by a fresh key, with its
/// .sha512, in an empty directory (no configuration).
fn unconfigured_candidate(name: &str, top: &str, files: &[&str]) -> Option<Unconfigured> {
    if !have_tools(&["gpg", "sha512sum"]) {
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let tarball = dir.path().join(name);
    let mut b = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_path(format!("{top}/")).unwrap();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_size(0);
    h.set_cksum();
    b.append(&h, &[][..]).unwrap();
    for f in files {
        let mut h = tar::Header::new_gnu();
        h.set_path(format!("{top}/{f}")).unwrap();
        h.set_mode(0o644);
        h.set_size(4);
        h.set_cksum();
        b.append(&h, &b"text"[..]).unwrap();
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&b.into_inner().unwrap()).unwrap();
    std::fs::write(&tarball, gz.finish().unwrap()).unwrap();
    let gpg = Gpg::new();
    let fpr = gpg.key("Dana Diaz <dana@example.org>", "ed25519", "2y", None);
    let keys = gpg.keys_file(dir.path(), &["dana@example.org"]);
    gpg.sign(&tarball, &fpr, &[]);
    sha512sum(&tarball);
    Some(Unconfigured {
        _gpg: gpg,
        dir,
        tarball,
        keys,
    })
}

#[test]
fn versions_that_are_not_x_y_z_are_verified_with_no_configuration() {
    for (name, top) in [
        ("openssh-9.2p1.tar.gz", "openssh-9.2p1"),
        ("foo-1.0.0-beta2.tar.gz", "foo-1.0.0-beta2"),
        ("tool-2024.1.tar.gz", "tool-2024.1"),
    ] {
        let Some(c) = unconfigured_candidate(name, top, &["LICENSE", "NOTICE"]) else {
            return;
        };
        let r = c.verify();
        r.assert_code(0);
        assert!(
            check_line(&r, "layout").contains(&format!("everything under {top}/")),
            "{}",
            r.stdout
        );
        // A wrong version in the top directory is still found.
        let wrong = name.replace(".tar.gz", "-x.tar.gz");
        let Some(c2) = unconfigured_candidate(&wrong, top, &["LICENSE"]) else {
            return;
        };
        let r = c2.verify();
        r.assert_code(1);
        assert!(check_line(&r, "layout").contains("[FAIL]"), "{}", r.stdout);
    }
}

#[test]
fn license_txt_and_notice_txt_satisfy_the_license_rule() {
    let Some(c) = unconfigured_candidate(
        "foo-1.2.3.tar.gz",
        "foo-1.2.3",
        &["LICENSE.txt", "NOTICE.txt"],
    ) else {
        return;
    };
    // Configured the Apache way (LICENSE and NOTICE required): the .txt names satisfy it. (The
    // files are empty: the NOTICE content check of the ASF checks is not what this is about.)
    std::fs::write(
        c.dir.path().join("release.toml"),
        "[project]\nname = \"foo\"\n[licence]\nenabled = false\n",
    )
    .unwrap();
    let r = c.verify();
    r.assert_code(0);
    assert!(check_line(&r, "layout").contains("[pass]"), "{}", r.stdout);
}

#[test]
fn a_wrong_top_dir_expectation_does_not_cascade_into_license_missing() {
    let Some(c) = unconfigured_candidate("foo-1.2.3.tar.gz", "foo-1.2.3", &["LICENSE", "NOTICE"])
    else {
        return;
    };
    // The configuration expects another top directory.
    std::fs::write(
        c.dir.path().join("release.toml"),
        "[project]\nname = \"foo\"\n[distcheck]\ntop_dir = \"apache-{name}-{version}\"\n",
    )
    .unwrap();
    let r = c.verify();
    r.assert_code(1);
    assert!(
        r.stdout.contains("`apache-foo-1.2.3/`, found `foo-1.2.3`"),
        "{}",
        r.stdout
    );
    assert!(
        !r.stdout.contains("is missing"),
        "no cascade:\n{}",
        r.stdout
    );
}

// ---------------------------------------------------------------- issue 15, item 5

#[test]
fn a_tag_run_reads_release_toml_from_the_tag_not_the_work_tree() {
    let Some(c) = candidate() else { return };
    // After the tag, master's release.toml names another project (or a voter's clone of
    // master has another configuration): the tag's own configuration must rule.
    let toml = c.repo.join("release.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("name = \"hello\"", "name = \"other\"")).unwrap();
    assert_ne!(
        std::fs::read_to_string(&toml).unwrap(),
        text,
        "the sample names hello"
    );
    git(&c.repo, &["commit", "-qam", "Renamed the project."]);
    let r = c.verify(&["--tag", "1.0.0-rc1"]);
    r.assert_code(0);
    assert!(
        check_line(&r, "layout").contains("hello-1.0.0/"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_tag_run_reads_release_toml_from_the_tag_for_a_project_below_the_repository_top() {
    let Some(c) = candidate() else { return };
    // The sample as `proj/` of a larger repository, tagged there; after the tag the work
    // tree's proj/release.toml names another project.
    let outer = c.work.parent().unwrap().join("outer");
    let proj = outer.join("proj");
    std::fs::create_dir_all(&proj).unwrap();
    let tar = c.work.parent().unwrap().join("tag.tar");
    git(
        &c.repo,
        &["archive", "-o", tar.to_str().unwrap(), "1.0.0-rc1"],
    );
    let out = Command::new("tar")
        .arg("-xf")
        .arg(&tar)
        .arg("-C")
        .arg(&proj)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    git(&outer, &["init", "-q", "-b", "main"]);
    git(&outer, &["add", "-A"]);
    git(&outer, &["commit", "-qm", "The sample in proj/."]);
    git(&outer, &["tag", "-a", "1.0.0-rc1", "-m", "Hello 1.0.0-rc1"]);
    let toml = proj.join("release.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    std::fs::write(&toml, text.replace("name = \"hello\"", "name = \"other\"")).unwrap();
    git(&outer, &["commit", "-qam", "Renamed the project."]);
    let r = run_tool(
        "verify-distcheck",
        &proj,
        &[
            "candidate",
            "--artifact",
            c.tarball.to_str().unwrap(),
            "--keys",
            c.keys.to_str().unwrap(),
            "--tag",
            "1.0.0-rc1",
        ],
    );
    assert!(
        check_line(&r, "layout").contains("hello-1.0.0/"),
        "{}{}",
        r.stdout,
        r.stderr
    );
    r.assert_code(0);
}

// ---------------------------------------------------------------- candidate in an svn dist area

#[test]
fn candidate_reads_a_file_url_inside_a_local_svn_dist_area() {
    let Some(c) = candidate() else {
        return;
    };
    if !have_tools(&["svn", "svnadmin"]) {
        return;
    }
    // The candidate staged as stage-rc stages it: a dev area in a real svn repository.
    let svnrepo = c.work.parent().unwrap().join("svnrepo");
    crate::support::release::svn_dist(&svnrepo, &[]);
    let staged = c.work.parent().unwrap().join("staged");
    std::fs::create_dir_all(&staged).unwrap();
    for ext in ["", ".asc", ".sha512"] {
        let name = format!("hello-1.0.0.tar.gz{ext}");
        std::fs::copy(c.work.join(&name), staged.join(&name)).unwrap();
    }
    let dev = format!("file://{}/dev/hello/1.0.0-rc1", svnrepo.display());
    let out = Command::new("svn")
        .args(["import", "-q", "-m", "Staged 1.0.0-rc1."])
        .arg(&staged)
        .arg(&dev)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let artifact = format!("{dev}/hello-1.0.0.tar.gz");
    let keys = c.keys.to_str().unwrap();
    let verify = |artifact: &str| {
        run_tool(
            "verify-distcheck",
            &c.repo,
            &["candidate", "--artifact", artifact, "--keys", keys],
        )
    };
    let r = verify(&artifact);
    r.assert_code(0);
    assert!(
        check_line(&r, "checksum").contains("[pass]"),
        "{}",
        r.stdout
    );
    assert!(
        check_line(&r, "signature").contains("[pass]"),
        "{}",
        r.stdout
    );
    // A file that is not in the dev area is named, exit 2.
    let r = verify(&format!("{dev}/hello-9.9.9.tar.gz"));
    r.assert_code(2);
    assert!(r.stderr.contains("hello-9.9.9.tar.gz"), "{}", r.stderr);
}
