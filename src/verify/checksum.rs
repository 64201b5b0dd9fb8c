//! Release checksums: parsing the `.sha512`/`.sha256` files Apache projects publish (coreutils
//! `sha512sum` output, BSD `--tag` output, and `gpg --print-md` output with its grouped,
//! wrapped upper-case hex), and streaming SHA-256/SHA-512 hashing.

use std::io::Read;

use serde::Serialize;
use sha2::Digest;

use crate::error::ExitCode;

/// A checksum algorithm Apache releases use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Algorithm {
    #[serde(rename = "SHA-256")]
    Sha256,
    #[serde(rename = "SHA-512")]
    Sha512,
}

impl Algorithm {
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "SHA-256",
            Algorithm::Sha512 => "SHA-512",
        }
    }

    /// Digest length in bytes.
    pub fn digest_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 32,
            Algorithm::Sha512 => 64,
        }
    }

    /// The algorithm a checksum file's name announces (`.sha512`, `.sha256`), if any.
    pub(crate) fn from_file_name(name: &str) -> Option<Algorithm> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".sha512") {
            Some(Algorithm::Sha512)
        } else if lower.ends_with(".sha256") {
            Some(Algorithm::Sha256)
        } else {
            None
        }
    }

    fn from_hex_len(len: usize) -> Option<Algorithm> {
        match len {
            64 => Some(Algorithm::Sha256),
            128 => Some(Algorithm::Sha512),
            _ => None,
        }
    }
}

/// Which tool wrote a checksum line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// `sha512sum`: `<hex>  <name>` (or `<hex> *<name>`).
    Coreutils,
    /// `sha512sum --tag` / BSD: `SHA512 (<name>) = <hex>`.
    Bsd,
    /// `gpg --print-md SHA512`: `<name>: ABCD1234 ...`, possibly wrapped.
    GpgPrintMd,
    /// A bare digest with no file name.
    Bare,
}

/// One digest a checksum file states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Expected {
    pub algorithm: Algorithm,
    /// Lower-case hex.
    pub hex: String,
    /// The file it is for, as written (`None` for a bare digest).
    pub name: Option<String>,
    pub format: Format,
}

#[derive(Debug, thiserror::Error)]
pub enum ChecksumError {
    #[error("checksum file {file} is empty; it should hold the output of `sha512sum {artifact}` or `gpg --print-md SHA512 {artifact}`")]
    Empty { file: String, artifact: String },
    #[error("checksum file {file} is in no format I know (line {line}: `{text}`); expected `sha512sum` output (`<hex>  <name>`), `sha512sum --tag` output or `gpg --print-md SHA512` output")]
    Unknown {
        file: String,
        line: usize,
        text: String,
    },
    #[error("checksum file {file} states {count} different digests for {name}; it is ambiguous, so none is trusted: publish one digest per file")]
    Ambiguous {
        file: String,
        name: String,
        count: usize,
    },
    #[error("checksum file {file} holds a {found} digest but its name says {expected}; publish the digest the name announces")]
    WrongAlgorithm {
        file: String,
        found: &'static str,
        expected: &'static str,
    },
}

impl crate::error::Classify for ChecksumError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Parses a checksum file. `file` names it in messages; its extension (`.sha512`, `.sha256`)
/// says which algorithm to expect, else the digest length decides.
pub fn parse(text: &str, file: &str, artifact: &str) -> Result<Vec<Expected>, ChecksumError> {
    let announced = Algorithm::from_file_name(file);
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim_end_matches('\r')))
        .filter(|(_, l)| !l.trim().is_empty())
        .collect();
    if lines.is_empty() {
        return Err(ChecksumError::Empty {
            file: file.into(),
            artifact: artifact.into(),
        });
    }
    let unknown = |line: usize, text: &str| ChecksumError::Unknown {
        file: file.into(),
        line,
        text: text.chars().take(80).collect(),
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let (no, line) = lines[i];
        i += 1;
        let trimmed = line.trim();
        // BSD: SHA512 (name) = hex
        if let Some(rest) = trimmed
            .strip_prefix("SHA512 (")
            .or_else(|| trimmed.strip_prefix("SHA256 ("))
        {
            let (name, hex) = rest.rsplit_once(") = ").ok_or_else(|| unknown(no, line))?;
            let hex = hex.trim();
            let alg = Algorithm::from_hex_len(hex.len()).filter(|_| is_hex(hex));
            let alg = alg.ok_or_else(|| unknown(no, line))?;
            out.push(Expected {
                algorithm: alg,
                hex: hex.to_ascii_lowercase(),
                name: Some(name.to_string()),
                format: Format::Bsd,
            });
            continue;
        }
        // coreutils: hex, two spaces (or space star), name
        if let Some((hex, name)) = trimmed.split_once(' ') {
            if is_hex(hex) && Algorithm::from_hex_len(hex.len()).is_some() {
                let name = name
                    .strip_prefix(' ')
                    .or_else(|| name.strip_prefix('*'))
                    .unwrap_or(name)
                    .trim();
                if !name.is_empty() {
                    out.push(Expected {
                        algorithm: Algorithm::from_hex_len(hex.len()).expect("checked"),
                        hex: hex.to_ascii_lowercase(),
                        name: Some(name.to_string()),
                        format: Format::Coreutils,
                    });
                    continue;
                }
            }
        }
        // bare digest
        if is_hex(trimmed) && Algorithm::from_hex_len(trimmed.len()).is_some() {
            out.push(Expected {
                algorithm: Algorithm::from_hex_len(trimmed.len()).expect("checked"),
                hex: trimmed.to_ascii_lowercase(),
                name: None,
                format: Format::Bare,
            });
            continue;
        }
        // gpg --print-md: "name: HEX HEX ..." continued on indented lines. The name may hold
        // ": ", so the split is at the last ": " followed only by hex groups.
        let mut found = None;
        for (pos, _) in line.match_indices(": ") {
            let digits = &line[pos + 2..];
            if digits.split_whitespace().all(is_hex) && !digits.trim().is_empty() {
                found = Some((line[..pos].trim().to_string(), digits.to_string()));
                break;
            }
        }
        let Some((name, mut digits)) = found else {
            return Err(unknown(no, line));
        };
        while i < lines.len() {
            let (_, next) = lines[i];
            let cont = next.starts_with(' ') || next.starts_with('\t');
            if cont && next.split_whitespace().all(is_hex) {
                digits.push(' ');
                digits.push_str(next);
                i += 1;
            } else {
                break;
            }
        }
        let hex: String = digits.split_whitespace().collect();
        let alg = Algorithm::from_hex_len(hex.len()).ok_or_else(|| unknown(no, line))?;
        out.push(Expected {
            algorithm: alg,
            hex: hex.to_ascii_lowercase(),
            name: Some(name),
            format: Format::GpgPrintMd,
        });
    }
    if let Some(want) = announced {
        if let Some(e) = out.iter().find(|e| e.algorithm != want) {
            return Err(ChecksumError::WrongAlgorithm {
                file: file.into(),
                found: e.algorithm.name(),
                expected: want.name(),
            });
        }
    }
    // Two digests for one file (or two bare digests) are ambiguous: a checker that takes the
    // first would pass a file whose second line is the real one, or the other way round.
    for e in &out {
        let key = e.name.as_deref().map(base_name);
        let digests: std::collections::BTreeSet<&str> = out
            .iter()
            .filter(|o| o.name.as_deref().map(base_name) == key)
            .map(|o| o.hex.as_str())
            .collect();
        if digests.len() > 1 {
            return Err(ChecksumError::Ambiguous {
                file: file.into(),
                name: key.unwrap_or(artifact).to_string(),
                count: digests.len(),
            });
        }
    }
    Ok(out)
}

/// The file name part of a name written in a checksum file (`./x`, `dist/x`, `*x` all name `x`).
fn base_name(name: &str) -> &str {
    let name = name.trim_start_matches('*');
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

/// Picks the digest stated for `artifact` (a file name). `Err` lists the names the file does
/// state when none is for the artifact.
pub(crate) fn select<'a>(
    entries: &'a [Expected],
    artifact: &str,
) -> Result<&'a Expected, Vec<String>> {
    let want = base_name(artifact);
    if let Some(e) = entries
        .iter()
        .find(|e| e.name.as_deref().map(base_name) == Some(want))
    {
        return Ok(e);
    }
    match entries {
        [one] if one.name.is_none() => Ok(one),
        _ => Err(entries.iter().filter_map(|e| e.name.clone()).collect()),
    }
}

/// A streaming hasher for one algorithm.
#[derive(Debug, Clone)]
pub enum Hasher {
    Sha256(sha2::Sha256),
    Sha512(sha2::Sha512),
}

impl Hasher {
    pub fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(sha2::Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(sha2::Sha512::new()),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    /// The digest as lower-case hex.
    pub(crate) fn finish_hex(self) -> String {
        match self {
            Hasher::Sha256(h) => hex::encode(h.finalize()),
            Hasher::Sha512(h) => hex::encode(h.finalize()),
        }
    }
}

/// Hashes everything `reader` yields.
pub(crate) fn hash_reader(algorithm: Algorithm, mut reader: impl Read) -> std::io::Result<String> {
    let mut hasher = Hasher::new(algorithm);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hasher.finish_hex())
}

/// Streams a file through `algorithm`; lower-case hex.
pub fn hash_file(algorithm: Algorithm, path: &std::path::Path) -> std::io::Result<String> {
    hash_reader(algorithm, std::fs::File::open(path)?)
}

/// A `sha512sum`-style line for publishing: `<hex>  <name>`.
pub(crate) fn coreutils_line(hex: &str, name: &str) -> String {
    format!("{hex}  {name}\n")
}

/// The digest in `gpg --print-md` form: upper-case groups of 8, 6 groups a line.
pub fn gpg_print_md(hex: &str, name: &str) -> String {
    let groups: Vec<String> = hex
        .to_ascii_uppercase()
        .as_bytes()
        .chunks(8)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    let indent = " ".repeat(name.len() + 2);
    let lines: Vec<String> = groups.chunks(6).map(|g| g.join(" ")).collect();
    format!("{name}: {}\n", lines.join(&format!("\n{indent}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_digests_for_one_file_are_ambiguous() {
        let a = "a".repeat(128);
        let b = "b".repeat(128);
        for text in [
            format!("{a}  x-1.0.tar.gz\n{b}  x-1.0.tar.gz\n"),
            format!("{a}  x-1.0.tar.gz\n{b}  ./x-1.0.tar.gz\n"),
            format!("{a}\n{b}\n"),
        ] {
            let e = parse(&text, "x-1.0.tar.gz.sha512", "x-1.0.tar.gz").unwrap_err();
            assert!(
                matches!(e, ChecksumError::Ambiguous { count: 2, .. }),
                "{e}"
            );
            assert!(e.to_string().contains("x-1.0.tar.gz"), "{e}");
        }
        // The same digest twice, or digests for different files, are not ambiguous.
        let same = format!("{a}  x-1.0.tar.gz\n{a}  x-1.0.tar.gz\n");
        assert!(parse(&same, "x.sha512", "x-1.0.tar.gz").is_ok());
        let two = format!("{a}  x-1.0.tar.gz\n{b}  x-1.0.zip\n");
        assert_eq!(parse(&two, "SHA512SUMS", "x-1.0.tar.gz").unwrap().len(), 2);
    }
    use crate::error::Classify as _;

    const HEX512: &str = "a2d1f6a56a8f458a6fbf09440e5062532e60d5b0a09507c3be9cf67da6911ba4f4b77f375be74d2896991683450a50bf82994967cc79f83c58331749a773d945";

    #[test]
    fn reads_sha512sum_output() {
        let text = format!("{HEX512}  some-file-1.0.tar.gz\n");
        let e = parse(&text, "some-file-1.0.tar.gz.sha512", "some-file-1.0.tar.gz").unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].algorithm, Algorithm::Sha512);
        assert_eq!(e[0].format, Format::Coreutils);
        assert_eq!(e[0].hex, HEX512);
        let text = format!("{} *dist/some-file-1.0.tar.gz\n", HEX512.to_uppercase());
        let e = parse(&text, "x.sha512", "some-file-1.0.tar.gz").unwrap();
        assert_eq!(select(&e, "some-file-1.0.tar.gz").unwrap().hex, HEX512);
    }

    #[test]
    fn reads_gpg_print_md_output_wrapped_over_lines() {
        // Exactly what `gpg --print-md SHA512 some-file-1.0.tar.gz` (GnuPG 2.2) prints.
        let text = "some-file-1.0.tar.gz: A2D1F6A5 6A8F458A 6FBF0944 0E506253 2E60D5B0 A09507C3\n                      BE9CF67D A6911BA4 F4B77F37 5BE74D28 96991683 450A50BF\n                      82994967 CC79F83C 58331749 A773D945\n";
        let e = parse(text, "some-file-1.0.tar.gz.sha512", "some-file-1.0.tar.gz").unwrap();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].format, Format::GpgPrintMd);
        assert_eq!(e[0].hex, HEX512);
        assert_eq!(e[0].name.as_deref(), Some("some-file-1.0.tar.gz"));
        assert_eq!(gpg_print_md(HEX512, "some-file-1.0.tar.gz"), text);
    }

    #[test]
    fn reads_bsd_tag_output_and_sha256() {
        let text = format!("SHA512 (a.tar.gz) = {HEX512}\n");
        assert_eq!(
            parse(&text, "a.tar.gz.sha512", "a.tar.gz").unwrap()[0].format,
            Format::Bsd
        );
        let h256 = "8b38de75168d9bb8f31d861aa7bf9e457dd1efd2a1093e16e9ff075187ef6850";
        let text = format!(
            "a.tar.gz: {}\n",
            "8B38DE75 168D9BB8 F31D861A A7BF9E45 7DD1EFD2 A1093E16\n          E9FF0751 87EF6850"
        );
        let e = parse(&text, "a.tar.gz.sha256", "a.tar.gz").unwrap();
        assert_eq!(e[0].algorithm, Algorithm::Sha256);
        assert_eq!(e[0].hex, h256);
        let e = parse(&format!("{h256}\n"), "a.tar.gz.sha256", "a.tar.gz").unwrap();
        assert_eq!(select(&e, "a.tar.gz").unwrap().format, Format::Bare);
    }

    #[test]
    fn a_checksum_for_another_file_is_not_selected() {
        let text = format!("{HEX512}  other-2.0.tar.gz\n");
        let e = parse(&text, "x.sha512", "hello-1.0.0.tar.gz").unwrap();
        assert_eq!(
            select(&e, "hello-1.0.0.tar.gz").unwrap_err(),
            vec!["other-2.0.tar.gz"]
        );
    }

    #[test]
    fn unknown_formats_and_empty_files_are_bad_input() {
        let e = parse("MD5 (a) = 0123\n", "a.sha512", "a").unwrap_err();
        assert!(matches!(e, ChecksumError::Unknown { line: 1, .. }), "{e}");
        assert_eq!(e.exit_code(), ExitCode::Usage);
        let e = parse("checksum: deadbeef\n", "a.sha512", "a").unwrap_err();
        assert!(e.to_string().contains("no format I know"), "{e}");
        assert!(matches!(
            parse(" \n", "a.sha512", "a").unwrap_err(),
            ChecksumError::Empty { .. }
        ));
        let h256 = "8b38de75168d9bb8f31d861aa7bf9e457dd1efd2a1093e16e9ff075187ef6850";
        let e = parse(&format!("{h256}  a\n"), "a.sha512", "a").unwrap_err();
        assert!(
            e.to_string()
                .contains("SHA-256 digest but its name says SHA-512"),
            "{e}"
        );
    }

    #[test]
    fn hashes_stream() {
        assert_eq!(
            hash_reader(Algorithm::Sha256, &b"abc"[..]).unwrap(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
