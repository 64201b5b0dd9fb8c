//! Verifying a downloaded source tarball before anything is built from it: its SHA-512 against
//! the `.sha512` file and its detached signature against the project's KEYS.
//!
//! The signature is checked by real `gpg` against a temporary keyring holding only KEYS, and
//! only a VALIDSIG status counts. (verify-distcheck's pure-Rust verifier replaces this seam when
//! it lands; the contract — evidence or a typed refusal — stays.)

use std::io::Read;
use std::path::Path;

use serde::Serialize;
use sha2::{Digest, Sha512};

use crate::cmd::Cmd;
use crate::error::{Error, Result};

/// What the verification proved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    pub sha512: String,
    pub signer_fingerprint: String,
}

/// Streams a file through SHA-512.
pub fn sha512_file(path: &Path) -> Result<String> {
    let mut f = std::fs::File::open(path).map_err(|e| Error::io("read", path, e))?;
    let mut h = Sha512::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(|e| Error::io("read", path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// Parses a coreutils `sha512sum` line (`<hex>  <name>` or `<hex> *<name>`) for `name`.
pub fn expected_sha512(text: &str, name: &str) -> std::result::Result<String, String> {
    let line = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .ok_or("the checksum file is empty")?;
    let (hex, file) = line
        .split_once(char::is_whitespace)
        .ok_or("expected `<sha512 hex>  <file name>`")?;
    let file = file.trim_start().trim_start_matches('*').trim_end();
    if hex.len() != 128 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("`{hex}` is not a SHA-512 digest (128 hex digits)"));
    }
    if file != name {
        return Err(format!("it is the checksum of `{file}`, not of `{name}`"));
    }
    Ok(hex.to_ascii_lowercase())
}

/// Verifies `tarball` against its checksum file, signature and KEYS. A mismatch or a signature
/// that does not verify against KEYS is a found problem (exit 1): nothing is built.
pub fn verify(tarball: &Path, sha512: &Path, signature: &Path, keys: &Path) -> Result<Evidence> {
    let name = tarball
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let text =
        std::fs::read_to_string(sha512).map_err(|e| Error::io("read checksum file", sha512, e))?;
    let expected = expected_sha512(&text, &name)
        .map_err(|m| Error::Usage(format!("{}: {m}", sha512.display())))?;
    let actual = sha512_file(tarball)?;
    if actual != expected {
        return Err(Error::Problem(format!(
            "{name} does not match its checksum: SHA-512 is {actual}, {} says {expected}; the download is corrupt or tampered with, refusing to build",
            sha512.display()
        )));
    }
    let home = tempfile::tempdir()
        .map_err(|e| Error::io("create a temporary GNUPGHOME in", std::env::temp_dir(), e))?;
    Cmd::new("gpg", "import the project's KEYS into a temporary keyring")
        .args(["--batch", "--quiet", "--import"])
        .arg(keys)
        .env("GNUPGHOME", home.path())
        .run()
        .map_err(|e| {
            Error::Usage(format!(
                "{} could not be imported as a KEYS file: {e}",
                keys.display()
            ))
        })?;
    let out = Cmd::new("gpg", format!("verify the signature of {name}"))
        .args(["--batch", "--status-fd", "1", "--verify"])
        .arg(signature)
        .arg(tarball)
        .env("GNUPGHOME", home.path())
        .output()?;
    let status = out.stdout_str();
    if let Some(fpr) = status
        .lines()
        .find_map(|l| l.strip_prefix("[GNUPG:] VALIDSIG "))
        .and_then(|rest| rest.split_whitespace().next())
    {
        if out.success() {
            return Ok(Evidence {
                sha512: actual,
                signer_fingerprint: fpr.to_string(),
            });
        }
    }
    let why = if let Some(k) = status
        .lines()
        .find_map(|l| l.strip_prefix("[GNUPG:] NO_PUBKEY "))
    {
        format!("it was made by key {k}, which is not in {}", keys.display())
    } else if status.contains("[GNUPG:] BADSIG") {
        "the signature does not match the tarball (it was modified after signing)".to_string()
    } else if status.contains("[GNUPG:] EXPKEYSIG") || status.contains("[GNUPG:] REVKEYSIG") {
        "the signing key is expired or revoked".to_string()
    } else {
        format!("gpg could not verify it: {}", out.stderr_str().trim())
    };
    Err(Error::Problem(format!(
        "the signature {} of {name} does not verify: {why}; refusing to build",
        signature.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_lines_are_parsed_and_must_name_the_file() {
        let hex = "a".repeat(128);
        assert_eq!(
            expected_sha512(
                &format!("{hex}  hello-1.0.0.tar.gz\n"),
                "hello-1.0.0.tar.gz"
            )
            .unwrap(),
            hex
        );
        assert_eq!(
            expected_sha512(&format!("{hex} *hello-1.0.0.tar.gz"), "hello-1.0.0.tar.gz").unwrap(),
            hex
        );
        assert!(
            expected_sha512(&format!("{hex}  other.tar.gz"), "hello-1.0.0.tar.gz")
                .unwrap_err()
                .contains("not of")
        );
        assert!(expected_sha512("abc  x", "x")
            .unwrap_err()
            .contains("128 hex"));
        assert!(expected_sha512("\n", "x").unwrap_err().contains("empty"));
    }
}
