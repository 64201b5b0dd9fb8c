//! Verifying a staged candidate before it is published, with verify-distcheck's pure-Rust
//! code: the tarball is read once, feeding both the SHA-512 of the `.sha512` file
//! ([`crate::verify::checksum`]) and the detached signature's digest ([`crate::verify::openpgp`]), which must
//! be a good signature by a key of the project's KEYS.

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::outside::git::Git;
use crate::outside::gpg::Gpg;
use crate::{verify::checksum, verify::checksum::Algorithm, verify::checksum::Hasher};
use crate::{verify::openpgp, verify::openpgp::Keyring, verify::openpgp::SignatureHasher};

/// What verification established.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Fingerprint of the key (primary) that made the signature.
    pub signed_by: String,
    /// The signing subkey, when a subkey signed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subkey: Option<String>,
    pub sha512: String,
}

fn name_of(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Verifies `tarball` against its `.asc` (by a key in `keys`, at time `now`) and its `.sha512`.
pub fn verify_staged(
    keys: &Keyring,
    keys_source: &str,
    tarball: &Path,
    asc: &Path,
    sha512: &Path,
    now: u32,
) -> Result<Evidence> {
    let name = name_of(tarball);
    let sig_bytes = std::fs::read(asc).map_err(|e| Error::io("read", asc, e))?;
    let sig = openpgp::parse_signature(&sig_bytes, &name_of(asc))?;
    let mut sig_hasher = SignatureHasher::new(&sig, &name_of(asc))?;
    let mut sum = Hasher::new(Algorithm::Sha512);
    let mut file = std::fs::File::open(tarball).map_err(|e| Error::io("read", tarball, e))?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .map_err(|e| Error::io("read", tarball, e))?;
        if n == 0 {
            break;
        }
        sig_hasher.update(&buf[..n]);
        sum.update(&buf[..n]);
    }
    let have = sum.finish_hex();
    let (sig, digest) = sig_hasher.finish();
    let verdict = openpgp::verify(&sig, &digest, keys, now);
    if !verdict.is_good() {
        return Err(Error::Problem(format!(
            "the signature {} of {name} does not verify: {}",
            asc.display(),
            openpgp::explain(&verdict, keys_source)
        )));
    }
    let text = std::fs::read_to_string(sha512).map_err(|e| Error::io("read", sha512, e))?;
    let entries = checksum::parse(&text, &name_of(sha512), &name)?;
    let want = checksum::select(&entries, &name).map_err(|names| {
        Error::Problem(format!(
            "{} names {}, not {name}",
            sha512.display(),
            names.join(", ")
        ))
    })?;
    if want.hex != have {
        return Err(Error::Problem(format!(
            "{name} has SHA-512 {have}, but {} says {}; the tarball changed after it was checksummed",
            sha512.display(),
            want.hex
        )));
    }
    let signer = verdict.signer.unwrap_or_else(|| openpgp::Signer {
        fingerprint: verdict.issuer.clone(),
        subkey: None,
        user_id: String::new(),
        algorithm: String::new(),
        block: 0,
    });
    Ok(Evidence {
        signed_by: signer.fingerprint,
        subkey: signer.subkey,
        sha512: have,
    })
}

/// Requires the tag to carry a good signature by a key in KEYS (`signing.require_signed_tag`).
pub fn signed_tag(git: &Git, keys: &Gpg, tag: &str) -> Result<String> {
    let home = keys.home().map(|h| h.to_path_buf());
    let mut c = git
        .command(&format!("verify the signature of tag {tag}"))
        .args(["verify-tag", "--raw", tag]);
    if let Some(h) = home {
        c = c.env("GNUPGHOME", h);
    }
    let out = c.output()?;
    let status = out.stderr_str();
    let fpr = status
        .lines()
        .find_map(|l| l.strip_prefix("[GNUPG:] VALIDSIG "))
        .and_then(|r| r.split_whitespace().next())
        .map(str::to_string);
    match fpr {
        Some(f) if out.success() => Ok(f),
        _ => Err(Error::Usage(format!(
            "tag {tag} is not signed by a key in KEYS (signing.require_signed_tag is set); re-create it with `git tag -s {tag} -m ...` using a key listed in KEYS"
        ))),
    }
}
