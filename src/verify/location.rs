//! Where a file of a release comes from, and the one way every tool fetches it: a local path,
//! a `file://` URL, an `http(s)://` URL (through the one HTTP client: timeouts, retries, size
//! limits) or a file in an svn repository (`svn://`, `svn+ssh://`, or a `file://` URL that is
//! not a file on disk, i.e. inside a local svn repository).

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::outside::{http, svn};

/// A file's location, as a user or a configuration names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Path(PathBuf),
    Url(String),
    /// A file inside an svn repository: the directory's URL and the file's name.
    Svn {
        dir: String,
        name: String,
    },
}

impl Location {
    /// Reads a location as given; a relative path stays relative to the working directory.
    pub fn parse(s: &str) -> Location {
        Location::parse_in(s, None)
    }

    /// Reads a location; a relative path is taken relative to `base` when given (a
    /// project-relative setting such as `signing.keys`).
    pub(crate) fn parse_in(s: &str, base: Option<&Path>) -> Location {
        let svn = |url: &str| {
            let (dir, name) = url.rsplit_once('/').unwrap_or((url, ""));
            Location::Svn {
                dir: dir.to_string(),
                name: name.to_string(),
            }
        };
        if s.starts_with("https://") || s.starts_with("http://") {
            Location::Url(s.to_string())
        } else if s.starts_with("svn://") || s.starts_with("svn+ssh://") {
            svn(s)
        } else if let Some(p) = s.strip_prefix("file://") {
            if Path::new(p).exists() || !inside_svn_repository(Path::new(p)) {
                Location::Path(PathBuf::from(p))
            } else {
                svn(s)
            }
        } else {
            match base {
                Some(b) if Path::new(s).is_relative() => Location::Path(b.join(s)),
                _ => Location::Path(PathBuf::from(s)),
            }
        }
    }

    /// The location with `suffix` appended to its file name (`ARTIFACT.sha512`).
    pub(crate) fn with_suffix(&self, suffix: &str) -> Location {
        match self {
            Location::Path(p) => {
                let mut s = p.clone().into_os_string();
                s.push(suffix);
                Location::Path(PathBuf::from(s))
            }
            Location::Url(u) => Location::Url(format!("{u}{suffix}")),
            Location::Svn { dir, name } => Location::Svn {
                dir: dir.clone(),
                name: format!("{name}{suffix}"),
            },
        }
    }

    /// The file name part.
    pub fn file_name(&self) -> String {
        match self {
            Location::Path(p) => p
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            Location::Url(u) => u
                .split(['?', '#'])
                .next()
                .unwrap_or(u)
                .rsplit('/')
                .next()
                .unwrap_or_default()
                .to_string(),
            Location::Svn { name, .. } => name.clone(),
        }
    }

    /// The location as people reach it: a URL, or a file:// URL of an absolute path.
    pub fn url(&self) -> String {
        match self {
            Location::Path(p) => {
                let abs = std::path::absolute(p).unwrap_or_else(|_| p.clone());
                format!("file://{}", abs.display())
            }
            Location::Url(u) => u.clone(),
            Location::Svn { dir, name } => format!("{dir}/{name}"),
        }
    }

    pub fn display(&self) -> String {
        match self {
            Location::Path(p) => p.display().to_string(),
            other => other.url(),
        }
    }

    /// A local file holding the content: the path itself, or a download into `tmp`. `what`
    /// names the file in messages ("the KEYS file"). A path or svn file that is not there is
    /// bad input (exit 2) naming it.
    pub fn fetch(&self, what: &str, tmp: &Path) -> Result<PathBuf> {
        self.fetch_if_there(what, tmp)?.ok_or_else(|| {
            Error::Usage(format!(
                "the {what} {} does not exist; pass an existing file or URL",
                self.display()
            ))
        })
    }

    /// [`Location::fetch`], with `None` for a path or an svn file that is not there (the
    /// caller says what that means).
    pub(crate) fn fetch_if_there(&self, what: &str, tmp: &Path) -> Result<Option<PathBuf>> {
        match self {
            Location::Path(p) => Ok(p.is_file().then(|| p.clone())),
            Location::Url(u) => {
                let dest = tmp.join(self.file_name());
                // Only an archive may be large; a checksum, signature or KEYS file is small.
                let kind = if super::archive::Kind::from_name(&self.file_name()).is_some() {
                    http::BodyKind::Artifact
                } else {
                    http::BodyKind::Small
                };
                let client = http::Client::new("dist", u)?.for_body(kind);
                tracing::info!("downloading the {what} {u}");
                let n = http::block_on(client.download(u, &dest))?;
                tracing::debug!("{n} bytes");
                Ok(Some(dest))
            }
            Location::Svn { .. } => {
                let Some(bytes) = self.read_svn(what)? else {
                    return Ok(None);
                };
                let dest = tmp.join(self.file_name());
                crate::outside::fs::write_atomic(&dest, &bytes)
                    .map_err(|e| Error::io("write", &dest, e))?;
                Ok(Some(dest))
            }
        }
    }

    /// The content of a small file (KEYS, a checksum, a signature, a vote thread).
    pub fn read(&self, what: &str) -> Result<Vec<u8>> {
        match self {
            Location::Path(p) => std::fs::read(p).map_err(|e| {
                Error::Usage(format!(
                    "cannot read the {what} {} ({e}); pass an existing file or URL",
                    p.display()
                ))
            }),
            Location::Url(u) => {
                let client = http::Client::new(what, u)?.for_body(http::BodyKind::Small);
                tracing::info!("downloading the {what} {u}");
                Ok(http::block_on(client.send(&http::Request::get(u)))?.body)
            }
            Location::Svn { dir, name } => self.read_svn(what)?.ok_or_else(|| {
                Error::Usage(format!(
                    "the {what} {dir}/{name} is not in the svn repository; check the URL"
                ))
            }),
        }
    }

    fn read_svn(&self, what: &str) -> Result<Option<Vec<u8>>> {
        let Location::Svn { dir, name } = self else {
            return Ok(None);
        };
        let env: Vec<(String, String)> = std::env::vars().collect();
        let svn = svn::Svn {
            url: dir.clone(),
            creds: svn::Credentials::from_env(&env),
        };
        tracing::info!("reading the {what} {dir}/{name} from svn");
        Ok(svn.read_file(name)?)
    }
}

/// Whether some ancestor of `path` is an svn repository (holds `format` and `db/`).
fn inside_svn_repository(path: &Path) -> bool {
    path.ancestors()
        .skip(1)
        .any(|a| a.join("format").is_file() && a.join("db").is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_told_apart_by_scheme() {
        assert_eq!(
            Location::parse("https://dist.example.org/x/KEYS"),
            Location::Url("https://dist.example.org/x/KEYS".into())
        );
        assert_eq!(
            Location::parse("svn://host/repo/dev/a.tar.gz"),
            Location::Svn {
                dir: "svn://host/repo/dev".into(),
                name: "a.tar.gz".into()
            }
        );
        assert_eq!(
            Location::parse("/no/such/dir/a.tar.gz"),
            Location::Path("/no/such/dir/a.tar.gz".into())
        );
        assert_eq!(
            Location::parse("file:///no/such/dir/a.tar.gz"),
            Location::Path("/no/such/dir/a.tar.gz".into())
        );
        assert_eq!(
            Location::parse_in("KEYS", Some(Path::new("/p"))),
            Location::Path("/p/KEYS".into())
        );
    }

    #[test]
    fn https_urls_keep_their_path_and_take_suffixes() {
        let u = Location::parse(
            "https://dist.apache.org/repos/dist/dev/mesos/1.11.0-rc1/mesos-1.11.0.tar.gz",
        );
        assert_eq!(u.file_name(), "mesos-1.11.0.tar.gz");
        assert_eq!(
            u.with_suffix(".asc").display(),
            "https://dist.apache.org/repos/dist/dev/mesos/1.11.0-rc1/mesos-1.11.0.tar.gz.asc"
        );
    }

    #[test]
    fn a_suffix_goes_on_the_file_name_whatever_the_location() {
        let u = Location::parse("https://h/d/a.tar.gz?x=1");
        assert_eq!(u.file_name(), "a.tar.gz");
        assert_eq!(
            Location::parse("svn://h/r/a.tar.gz")
                .with_suffix(".asc")
                .file_name(),
            "a.tar.gz.asc"
        );
        assert_eq!(
            Location::parse("/d/a.tar.gz").with_suffix(".sha512"),
            Location::Path("/d/a.tar.gz.sha512".into())
        );
    }

    #[test]
    fn a_missing_file_is_named_with_the_fix() {
        let tmp = tempfile::tempdir().unwrap();
        let e = Location::parse("/no/such/KEYS")
            .fetch("KEYS file", tmp.path())
            .unwrap_err();
        assert!(
            e.to_string()
                .contains("the KEYS file /no/such/KEYS does not exist"),
            "{e}"
        );
    }
}
