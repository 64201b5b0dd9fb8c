//! Verifying a downloaded source tarball before anything is built from it: its digest against
//! the checksum file and its detached signature against the project's KEYS, in one streaming
//! pass, with verify-distcheck's pure-Rust checksum and OpenPGP code.

use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::{verify::checksum, verify::checksum::Hasher};
use crate::{verify::openpgp, verify::openpgp::SignatureHasher};

/// What the verification proved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The artifact's digest, as the checksum file announces it (SHA-512 for `.sha512`).
    pub digest: String,
    pub algorithm: &'static str,
    pub signer_fingerprint: String,
    pub signer: String,
}

/// Verifies `tarball` against its checksum file, signature and KEYS. A mismatch or a signature
/// that does not verify against KEYS is a found problem (exit 1): nothing is built.
pub fn verify(
    tarball: &Path,
    checksum_file: &Path,
    signature: &Path,
    keys: &Path,
    now: u32,
) -> Result<Evidence> {
    let name = tarball
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let sum_name = checksum_file.display().to_string();
    let text = std::fs::read_to_string(checksum_file)
        .map_err(|e| Error::io("read checksum file", checksum_file, e))?;
    let entries = checksum::parse(&text, &sum_name, &name)?;
    let expected = checksum::select(&entries, &name).map_err(|names| {
        Error::Usage(format!(
            "checksum file {sum_name} is not for {name}: it names {}; download the checksum published beside {name}",
            names.join(", ")
        ))
    })?;
    let keys_name = keys.display().to_string();
    let keyring = openpgp::parse_keys(
        &std::fs::read_to_string(keys).map_err(|e| Error::io("read KEYS file", keys, e))?,
        &keys_name,
    )?;
    let sig_bytes =
        std::fs::read(signature).map_err(|e| Error::io("read signature", signature, e))?;
    let sig = openpgp::parse_signature(&sig_bytes, &signature.display().to_string())?;

    // One pass over the tarball feeds both the checksum and the signature's hash.
    let mut digest = Hasher::new(expected.algorithm);
    let mut signed = SignatureHasher::new(&sig, &signature.display().to_string())?;
    let mut f = std::fs::File::open(tarball).map_err(|e| Error::io("read", tarball, e))?;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f
            .read(&mut buf)
            .map_err(|e| Error::io("read", tarball, e))?;
        if n == 0 {
            break;
        }
        digest.update(&buf[..n]);
        signed.update(&buf[..n]);
    }
    let actual = digest.finish_hex();
    if actual != expected.hex {
        return Err(Error::Problem(format!(
            "{name} does not match its checksum: {} is {actual}, {sum_name} says {}; the download is corrupt or tampered with, refusing to build",
            expected.algorithm.name(),
            expected.hex
        )));
    }
    let (sig, hash) = signed.finish();
    let verdict = openpgp::verify(&sig, &hash, &keyring, now);
    match (&verdict.signer, verdict.is_good()) {
        (Some(signer), true) => Ok(Evidence {
            digest: actual,
            algorithm: expected.algorithm.name(),
            signer_fingerprint: signer.fingerprint.clone(),
            signer: signer.user_id.clone(),
        }),
        _ => Err(Error::Problem(format!(
            "the signature {} of {name} does not verify: {}; refusing to build",
            signature.display(),
            openpgp::explain(&verdict, &keys_name)
        ))),
    }
}
