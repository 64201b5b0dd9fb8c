//! The real-world corpus: real signed upstream release tarballs (Debian source packages'
//! `.orig.tar.*` with the upstream `.asc` and `debian/upstream/signing-key.asc`, fetched by
//! `scripts/fetch-corpus` into target/test-data/corpus), each verified by
//! `verify-distcheck candidate` with no configuration and compared with `gpg --verify` in a
//! throwaway GNUPGHOME. Also negative cases derived from each real one: a flipped byte, and
//! the keys of another project.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::*;

/// The fetched corpus; locally the test skips when it is absent, in CI it fails.
fn corpus() -> Option<PathBuf> {
    let dir = root().join("target/test-data/corpus");
    let count = std::fs::read_dir(&dir).map(|d| d.count()).unwrap_or(0);
    if count >= 20 {
        return Some(dir);
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "{} holds {count} packages: scripts/test runs scripts/fetch-corpus first",
            dir.display()
        );
    }
    eprintln!("skipping: run scripts/fetch-corpus to download the real-world corpus");
    None
}

/// One package of the corpus.
struct Item {
    package: String,
    tarball: PathBuf,
    asc: PathBuf,
    keys: PathBuf,
}

fn items(dir: &Path) -> Vec<Item> {
    let mut out = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    dirs.sort();
    for d in dirs {
        let files: Vec<PathBuf> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        let asc = files
            .iter()
            .find(|f| f.to_string_lossy().contains(".orig.tar.") && f.extension().unwrap() == "asc")
            .unwrap_or_else(|| panic!("no .asc in {}", d.display()))
            .clone();
        let tarball = PathBuf::from(asc.to_string_lossy().trim_end_matches(".asc"));
        out.push(Item {
            package: d.file_name().unwrap().to_string_lossy().into_owned(),
            tarball,
            asc,
            keys: d.join("signing-key.asc"),
        });
    }
    out
}

/// A throwaway GnuPG home holding one keys file.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn with_keys(keys: &Path) -> Gpg {
        let home = tempfile::Builder::new().prefix("gpg").tempdir().unwrap();
        let out = Command::new("gpg")
            .env("GNUPGHOME", home.path())
            .args(["--batch", "--quiet", "--import"])
            .arg(keys)
            .output()
            .unwrap();
        // Unusable blocks in a KEYS file make gpg exit 2 while importing the others.
        assert!(
            out.status.code().is_some(),
            "gpg --import {}",
            keys.display()
        );
        Gpg { home }
    }

    /// gpg's verdict, at signing time: accepted when at least one signature is good (GOODSIG,
    /// or EXPKEYSIG: good, by a key that has expired) and none is BAD, where a good signature
    /// by a key that gpg itself lists as expired *before* the signature was made does not count
    /// (gpg reports it as EXPKEYSIG, the same as a key that expired since). Also the number of
    /// signatures gpg saw.
    fn verify(&self, asc: &Path, data: &Path) -> (bool, usize) {
        let out = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--status-fd", "1", "--verify"])
            .arg(asc)
            .arg(data)
            .output()
            .unwrap();
        let status = String::from_utf8_lossy(&out.stdout);
        let (mut sigs, mut good, mut bad) = (0, 0, 0);
        let mut current = "";
        for line in status.lines() {
            let f: Vec<&str> = line.split_whitespace().collect();
            match f.get(1).copied() {
                Some(k @ ("GOODSIG" | "EXPKEYSIG" | "REVKEYSIG" | "EXPSIG" | "ERRSIG")) => {
                    sigs += 1;
                    current = k;
                }
                Some("BADSIG") => {
                    sigs += 1;
                    bad += 1;
                    current = "BADSIG";
                }
                Some("VALIDSIG") if matches!(current, "GOODSIG" | "EXPKEYSIG") => {
                    let made: u64 = f[4].parse().unwrap();
                    let primary = f.get(11).copied().unwrap_or(f[2]);
                    let expired_before = [f[2], primary]
                        .iter()
                        .filter_map(|fp| self.expiry(primary, fp))
                        .any(|at| at <= made);
                    if !expired_before {
                        good += 1;
                    }
                }
                _ => {}
            }
        }
        (good > 0 && bad == 0, sigs)
    }

    /// The expiry (seconds since the epoch) gpg lists for key `fpr` of the certificate
    /// `primary`; `None` when it does not expire.
    fn expiry(&self, primary: &str, fpr: &str) -> Option<u64> {
        let out = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--with-colons", "--list-keys", primary])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut last_expiry = None;
        for line in text.lines() {
            let f: Vec<&str> = line.split(':').collect();
            match f[0] {
                "pub" | "sub" => last_expiry = f.get(6).and_then(|e| e.parse::<u64>().ok()),
                "fpr" if f.get(9) == Some(&fpr) => return last_expiry,
                _ => {}
            }
        }
        None
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

/// What `verify-distcheck candidate` (no configuration) said about one artifact.
struct Ours {
    signature_ok: bool,
    signature_summary: String,
    layout_findings: Vec<String>,
    safety_ok: bool,
    checksum_ok: bool,
}

fn ours(work: &Path, tarball: &Path, keys: &Path, sha512_of: &Path) -> Ours {
    let name = tarball.file_name().unwrap().to_str().unwrap();
    let sum = Command::new("sha512sum").arg(sha512_of).output().unwrap();
    assert!(sum.status.success());
    let hex = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    let sum_file = work.join(format!("{name}.sha512"));
    std::fs::write(&sum_file, format!("{hex}  {name}\n")).unwrap();
    let r = run_tool(
        "verify-distcheck",
        work,
        &[
            "--format",
            "json",
            "candidate",
            "--artifact",
            tarball.to_str().unwrap(),
            "--signature",
            &format!("{}.asc", tarball.display()),
            "--checksum",
            sum_file.to_str().unwrap(),
            "--keys",
            keys.to_str().unwrap(),
            "--key-validity",
            "signing-time",
        ],
    );
    assert!(
        r.code == 0 || r.code == 1,
        "{name}: exit {}\n{}\n{}",
        r.code,
        r.stdout,
        r.stderr
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("{name}: {e}\n{}\n{}", r.stdout, r.stderr));
    let check = |id: &str| {
        v["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("{name}: no check {id} in {}", r.stdout))
            .clone()
    };
    let sig = check("signature");
    let layout = check("layout");
    Ours {
        signature_ok: sig["status"] == "pass",
        signature_summary: sig["summary"].as_str().unwrap_or_default().to_string(),
        layout_findings: layout["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] != "notice")
            .map(|f| f["message"].as_str().unwrap_or_default().to_string())
            .collect(),
        safety_ok: check("archive-safety")["status"] == "pass",
        checksum_ok: check("checksum")["status"] == "pass",
    }
}

fn compression(name: &str) -> &'static str {
    if name.ends_with(".gz") {
        "gzip"
    } else if name.ends_with(".bz2") {
        "bzip2"
    } else if name.ends_with(".xz") {
        "xz"
    } else {
        "?"
    }
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "accept"
    } else {
        "reject"
    }
}

#[test]
fn the_real_corpus_agrees_with_gpg_with_no_false_accepts_and_no_false_layout_findings() {
    let Some(dir) = corpus() else { return };
    if !require_tool("gpg") || !require_tool("sha512sum") {
        return;
    }
    let items = items(&dir);
    assert!(items.len() >= 20, "only {} packages", items.len());
    let mut table = String::new();
    writeln!(
        table,
        "| package | compression | signatures | gpg | verify-distcheck | layout findings | case |\n| --- | --- | --- | --- | --- | --- | --- |"
    )
    .unwrap();
    let mut disagreements = Vec::new();
    let mut false_accepts = Vec::new();
    let mut layout_problems = Vec::new();
    let mut multi = 0;
    let mut negatives = 0;
    for (i, item) in items.iter().enumerate() {
        let work = tempfile::tempdir().unwrap();
        let name = item.tarball.file_name().unwrap().to_str().unwrap();
        let gpg = Gpg::with_keys(&item.keys);
        let (gpg_ok, sigs) = gpg.verify(&item.asc, &item.tarball);
        if sigs > 1 {
            multi += 1;
        }
        // The real one, in place (read only).
        let o = ours(work.path(), &item.tarball, &item.keys, &item.tarball);
        let mut row = |case: &str, gpg_ok: bool, o: &Ours| {
            writeln!(
                table,
                "| {} | {} | {sigs} | {} | {} | {} | {case} |",
                item.package,
                compression(name),
                verdict(gpg_ok),
                verdict(o.signature_ok),
                o.layout_findings.len()
            )
            .unwrap();
            if gpg_ok != o.signature_ok {
                disagreements.push(format!(
                    "{} ({case}): gpg {}, ours {} ({})",
                    item.package,
                    verdict(gpg_ok),
                    verdict(o.signature_ok),
                    o.signature_summary
                ));
            }
            if o.signature_ok && !gpg_ok {
                false_accepts.push(format!("{} ({case})", item.package));
            }
        };
        row("real", gpg_ok, &o);
        if !o.layout_findings.is_empty() || !o.safety_ok || !o.checksum_ok {
            layout_problems.push(format!(
                "{}: safety {}, checksum {}, layout {:?}",
                item.package, o.safety_ok, o.checksum_ok, o.layout_findings
            ));
        }

        // A flipped byte in the middle of the tarball; the checksum is the real one's.
        let flipped = work.path().join(name);
        let mut bytes = std::fs::read(&item.tarball).unwrap();
        let mid = bytes.len() / 2;
        bytes[mid] ^= 0x01;
        std::fs::write(&flipped, bytes).unwrap();
        std::fs::copy(&item.asc, work.path().join(format!("{name}.asc"))).unwrap();
        let (gpg_flipped, _) = gpg.verify(&item.asc, &flipped);
        let o = ours(work.path(), &flipped, &item.keys, &item.tarball);
        assert!(
            !o.checksum_ok,
            "{}: a flipped byte passes the checksum",
            item.package
        );
        row("flipped byte", gpg_flipped, &o);
        negatives += 1;

        // The keys of another project that gpg rejects the signature with.
        for j in (1..items.len()).map(|d| (i + d) % items.len()) {
            let other = Gpg::with_keys(&items[j].keys);
            let (gpg_other, _) = other.verify(&item.asc, &item.tarball);
            if gpg_other {
                continue; // the same signer publishes both (e.g. the GnuPG libraries)
            }
            let o = ours(work.path(), &item.tarball, &items[j].keys, &item.tarball);
            row(&format!("keys of {}", items[j].package), gpg_other, &o);
            negatives += 1;
            break;
        }
    }
    println!("{table}");
    let summary = format!(
        "{} packages ({} with several signatures), {negatives} negative cases: {} disagreement(s), {} false accept(s), {} package(s) with layout or safety findings",
        items.len(),
        multi,
        disagreements.len(),
        false_accepts.len(),
        layout_problems.len()
    );
    println!("{summary}");
    let _ = std::fs::write(
        root().join("target/test-data/corpus-agreement.md"),
        format!("{table}\n{summary}\n"),
    );
    assert!(multi >= 1, "the corpus must hold a multi-signature .asc");
    assert!(
        false_accepts.is_empty(),
        "false accepts: {false_accepts:#?}"
    );
    assert!(
        disagreements.is_empty(),
        "disagreements with gpg: {disagreements:#?}"
    );
    assert!(
        layout_problems.is_empty(),
        "false findings: {layout_problems:#?}"
    );
}
