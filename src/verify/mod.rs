//! Artifact trust: the one pipeline every tool that reads a release candidate goes through.
//! Archives are read as streams and checked for safety before anything trusts a byte of them;
//! checksums and detached OpenPGP signatures are verified in pure Rust against the project's
//! KEYS.

pub mod archive;
pub mod checksum;
pub mod keys;
pub mod licence;
pub mod location;
pub mod openpgp;
pub mod pipeline;
mod props;
pub mod safe_archive;
