//! The project's KEYS file: found where the configuration or the user says (a path relative to
//! the project, a URL, a file in svn), read once, parsed in pure Rust ([`super::openpgp`]).

use std::path::Path;

use super::location::Location;
use super::openpgp::{self, Keyring};
use crate::error::{Error, Result};

/// A loaded KEYS file.
#[derive(Debug, Clone)]
pub struct Keys {
    /// Where it came from, for messages.
    pub source: String,
    /// The URL people use to reach it (a file:// URL for a path).
    pub url: String,
    /// The file's bytes, as read.
    pub bytes: Vec<u8>,
    pub keyring: Keyring,
}

/// Where KEYS is, from a setting such as `signing.keys`: a URL, or a path relative to `root`.
pub(crate) fn locate(root: &Path, source: &str) -> Location {
    Location::parse_in(source, Some(root))
}

/// The KEYS file as people reach it: its URL, or a file:// URL of a path in the project.
pub fn url(root: &Path, source: &str) -> String {
    locate(root, source).url()
}

/// Reads and parses KEYS. A block that does not parse is kept as a problem of the keyring
/// (the other keys still load); a file with no key at all is an error naming it.
pub fn load(root: &Path, source: &str) -> Result<Keys> {
    load_from(&locate(root, source), source)
}

/// Reads and parses KEYS at `location`; `source` names it in messages.
pub(crate) fn load_from(location: &Location, source: &str) -> Result<Keys> {
    let bytes = match location {
        Location::Path(path) => std::fs::read(path).map_err(|e| {
            Error::Usage(format!(
                "cannot read the KEYS file {} ({e}); set signing.keys (RELEASE_KIT_SIGNING_KEYS) to its URL or path",
                path.display()
            ))
        })?,
        other => other.read("KEYS file")?,
    };
    let keyring = openpgp::parse_keys(&String::from_utf8_lossy(&bytes), source)?;
    Ok(Keys {
        source: source.to_string(),
        url: location.url(),
        bytes,
        keyring,
    })
}
