//! Verifying a staged candidate before it is published: the detached signature against the
//! KEYS keyring and the `.sha512` file against the tarball. This is the swap point for
//! verify-distcheck's `signing` and `checksum` modules: until they land, gpg does the OpenPGP
//! work and the SHA-512 is streamed here.

use std::path::Path;

use serde::Serialize;

use crate::dist::tarball::sha512_file;
use crate::error::{Error, Result};
use crate::git::Git;
use crate::gpg::Gpg;

/// What verification established.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Fingerprint of the key that made the signature.
    pub signed_by: String,
    pub sha512: String,
}

/// Parses one `sha512sum` line: `<128 hex>  <name>` (or `*<name>` in binary mode).
pub fn parse_sha512_line(line: &str) -> Option<(String, String)> {
    let (hash, rest) = line.trim_end().split_once(' ')?;
    let name = rest.trim_start_matches(' ').trim_start_matches('*');
    (hash.len() == 128 && hash.bytes().all(|b| b.is_ascii_hexdigit()) && !name.is_empty())
        .then(|| (hash.to_ascii_lowercase(), name.to_string()))
}

/// Verifies `tarball` against its `.asc` (by a key in `keys`) and its `.sha512`.
pub fn verify_staged(keys: &Gpg, tarball: &Path, asc: &Path, sha512: &Path) -> Result<Evidence> {
    let signed_by = keys.verify(asc, tarball)?;
    let text = std::fs::read_to_string(sha512).map_err(|e| Error::io("read", sha512, e))?;
    let name = tarball
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (want, listed) =
        parse_sha512_line(text.lines().next().unwrap_or_default()).ok_or_else(|| {
            Error::Problem(format!(
                "{} is not in sha512sum format (`<hash>  <file>`)",
                sha512.display()
            ))
        })?;
    if listed != name {
        return Err(Error::Problem(format!(
            "{} names {listed}, not {name}",
            sha512.display()
        )));
    }
    let have = sha512_file(tarball).map_err(|e| Error::io("hash", tarball, e))?;
    if have != want {
        return Err(Error::Problem(format!(
            "{name} has SHA-512 {have}, but {} says {want}; the tarball changed after it was checksummed",
            sha512.display()
        )));
    }
    Ok(Evidence {
        signed_by,
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn sha512sum_lines_are_parsed() {
        let h = "A".repeat(128);
        assert_eq!(
            parse_sha512_line(&format!("{h}  x.tar.gz\n")),
            Some(("a".repeat(128), "x.tar.gz".into()))
        );
        assert_eq!(
            parse_sha512_line(&format!("{h} *x.tar.gz")).unwrap().1,
            "x.tar.gz"
        );
        assert!(parse_sha512_line("abc  x").is_none());
    }
}
