//! The rc tag's own signature, when `signing.require_signed_tag` asks for one: `git verify-tag`
//! against a temporary keyring holding KEYS. (The staged files are verified by
//! `verify::pipeline`, the one pipeline every tool uses.)

use crate::error::{Error, Result};
use crate::outside::git::Git;
use crate::outside::gpg::Gpg;

/// Requires the tag to carry a good signature by a key in KEYS (`signing.require_signed_tag`).
pub(crate) fn signed_tag(git: &Git, keys: &Gpg, tag: &str) -> Result<String> {
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
