//! The gate every archive passes before a tool opens it (unpacks, builds or repacks it): the
//! same safety checks as `verify-distcheck candidate` (no absolute paths, `..`, escaping links,
//! devices or FIFOs, duplicate entries, bombs, sparse entries counted by apparent size), on a
//! file whose name says what archive it is. An archive of an unknown kind is refused, not let
//! through unchecked.

use std::io;
use std::path::Path;

use super::archive::{self, Kind, Limits, Scan};
use super::pipeline::require_no_unsafe_entries;
use crate::error::{Error, Result};

/// Requires the archive at `path` to be safe to unpack; `refusing` says what is not done
/// otherwise ("refusing to build"). Unsafe content is a found problem (exit 1) naming each
/// entry; a name that is not a known archive kind is bad input (exit 2).
pub(crate) fn require_safe(path: &Path, limits: Limits, refusing: &str) -> Result<Scan> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let kind = Kind::from_name(&name).ok_or_else(|| {
        Error::Usage(format!(
            "{name} is not an archive release-kit can check (.tar.gz, .tar.bz2, .tar.xz, .tar or .zip), so it is not opened; {refusing}"
        ))
    })?;
    let file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let scan = match kind {
        Kind::Zip => archive::scan_zip(file, limits, None),
        k => archive::scan_tar(k, io::BufReader::with_capacity(1 << 18, file), limits, None),
    };
    require_no_unsafe_entries(&scan, &name, refusing)?;
    Ok(scan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ExitCode;

    const LIMITS: Limits = Limits {
        max_unpacked: 1 << 30,
        max_ratio: 200,
    };

    fn tar_with(
        dir: &Path,
        name: &str,
        entries: &[(&str, tar::EntryType, &str)],
    ) -> std::path::PathBuf {
        let mut b = tar::Builder::new(Vec::new());
        for (path, kind, link) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_entry_type(*kind);
            h.set_mode(0o644);
            h.set_size(if *kind == tar::EntryType::Regular {
                2
            } else {
                0
            });
            // Written raw: the builder refuses `..` and absolute paths itself.
            let bytes = path.as_bytes();
            h.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
            if !link.is_empty() {
                h.set_link_name(link).unwrap();
            }
            h.set_cksum();
            let data: &[u8] = if *kind == tar::EntryType::Regular {
                b"hi"
            } else {
                b""
            };
            b.append(&h, data).unwrap();
        }
        let path = dir.join(name);
        std::fs::write(&path, b.into_inner().unwrap()).unwrap();
        path
    }

    #[test]
    fn every_kind_of_unsafe_entry_is_refused_before_anything_opens_it() {
        use tar::EntryType as T;
        let dir = tempfile::tempdir().unwrap();
        for (what, entries) in [
            ("absolute", vec![("/etc/x", T::Regular, "")]),
            ("parent", vec![("x-1.0/../../x", T::Regular, "")]),
            ("symlink", vec![("x-1.0/l", T::Symlink, "/etc/passwd")]),
            ("device", vec![("x-1.0/d", T::Char, "")]),
            ("fifo", vec![("x-1.0/f", T::Fifo, "")]),
            (
                "duplicate",
                vec![("x-1.0/a", T::Regular, ""), ("x-1.0/a", T::Regular, "")],
            ),
        ] {
            let path = tar_with(dir.path(), &format!("{what}.tar"), &entries);
            let e = require_safe(&path, LIMITS, "refusing to build").unwrap_err();
            assert_eq!(e.exit_code(), ExitCode::Problems, "{what}: {e}");
            assert!(
                e.to_string().contains("is not a safe archive")
                    && e.to_string().ends_with("refusing to build"),
                "{what}: {e}"
            );
        }
        let good = tar_with(dir.path(), "good.tar", &[("x-1.0/a", T::Regular, "")]);
        assert!(require_safe(&good, LIMITS, "refusing").is_ok());
    }

    #[test]
    fn an_unknown_kind_of_archive_is_refused_not_let_through() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x-1.0.tar.zst");
        std::fs::write(&path, b"whatever").unwrap();
        let e = require_safe(&path, LIMITS, "refusing to build").unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Usage);
        assert!(e.to_string().contains("x-1.0.tar.zst"), "{e}");
    }

    #[test]
    fn a_gzip_bomb_is_stopped_at_the_cap() {
        use std::io::Write as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.tar.gz");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let mut h = tar::Header::new_gnu();
        h.set_path("x-1.0/zeros").unwrap();
        h.set_size(64 << 20);
        h.set_mode(0o644);
        h.set_cksum();
        gz.write_all(h.as_bytes()).unwrap();
        let zeros = vec![0u8; 1 << 20];
        for _ in 0..64 {
            gz.write_all(&zeros).unwrap();
        }
        std::fs::write(&path, gz.finish().unwrap()).unwrap();
        let limits = Limits {
            max_unpacked: 8 << 20,
            max_ratio: 200,
        };
        let e = require_safe(&path, limits, "refusing to build").unwrap_err();
        assert!(e.to_string().contains("unpacks to more than"), "{e}");
    }
}
