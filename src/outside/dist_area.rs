//! The dist area: where candidates are staged (`dev/<project>/X.Y.Z-rcN/` holding the tarball,
//! its `.asc` and its `.sha512`) and releases published. The backend is chosen by the URL:
//! a plain directory path, an svn repository (`https://`, `svn://`, `file://`), or a GitHub
//! repository (`https://github.com/OWNER/REPO`: a draft pre-release on the rc tag).
//!
//! Every upload is idempotent: a candidate already there with the same bytes counts as done
//! (an earlier run committed it and crashed before recording it); different bytes are refused.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};

/// Where candidates go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Target {
    /// A plain local directory (the rehearsal default).
    Local { dir: PathBuf },
    /// An svn repository URL.
    Svn { url: String },
    /// A GitHub repository: a draft pre-release per candidate.
    GitHub { owner: String, repo: String },
}

impl Target {
    /// Chooses the backend from the configured `dist.dev` value.
    pub fn parse(value: &str) -> Result<Target> {
        Target::parse_setting(value, "dist.dev")
    }

    /// Chooses the backend from the value of the setting `key` (`dist.dev`, `dist.release`),
    /// which messages name.
    pub(crate) fn parse_setting(value: &str, key: &str) -> Result<Target> {
        let v = value.trim_end_matches('/');
        if v.is_empty() {
            return Err(Error::Usage(format!("{key} is empty; set it to an svn URL, a directory, or https://github.com/OWNER/REPO")));
        }
        if let Some(rest) = v
            .strip_prefix("https://github.com/")
            .or_else(|| v.strip_prefix("github:"))
        {
            let mut parts = rest.split('/');
            return match (parts.next(), parts.next(), parts.next()) {
                (Some(o), Some(r), None) if !o.is_empty() && !r.is_empty() => Ok(Target::GitHub {
                    owner: o.into(),
                    repo: r.trim_end_matches(".git").into(),
                }),
                _ => Err(Error::Usage(format!(
                    "{key} `{value}` is a GitHub URL but not a repository; write https://github.com/OWNER/REPO"
                ))),
            };
        }
        if ["https://", "http://", "svn://", "svn+ssh://", "file://"]
            .iter()
            .any(|s| v.starts_with(s))
        {
            return Ok(Target::Svn { url: v.to_string() });
        }
        if v.contains("://") {
            return Err(Error::Usage(format!(
                "{key} `{value}` has a scheme release-kit does not know; use https://, svn://, file:// (svn), https://github.com/OWNER/REPO or a directory path"
            )));
        }
        Ok(Target::Local {
            dir: PathBuf::from(v),
        })
    }

    /// The URL people use to reach a candidate's directory.
    pub(crate) fn candidate_url(&self, tag: &str) -> String {
        match self {
            Target::Local { dir } => {
                let abs = std::path::absolute(dir).unwrap_or_else(|_| dir.clone());
                format!("file://{}/{tag}", abs.display())
            }
            Target::Svn { url } => format!("{url}/{tag}"),
            Target::GitHub { owner, repo } => {
                format!("https://github.com/{owner}/{repo}/releases/download/{tag}")
            }
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::Local { .. } => "local directory",
            Target::Svn { .. } => "svn",
            Target::GitHub { .. } => "GitHub release",
        }
    }
}

/// What an upload leaves behind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Staged {
    pub url: String,
    /// The svn revision of the commit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
    /// The GitHub release id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub release_id: Option<u64>,
    /// Whether an earlier run had already put exactly these files there.
    pub already_there: bool,
    pub superseded: Vec<String>,
}

/// One candidate to stage.
#[derive(Debug, Clone)]
pub struct Upload<'a> {
    pub tag: &'a str,
    pub files: &'a [PathBuf],
    /// e.g. `Adding hello-1.1.0-rc2.`
    pub message: String,
    /// Older candidates of the same version.
    pub older: Vec<String>,
    pub remove_superseded: bool,
}

pub(crate) fn superseded_note(tag: &str) -> String {
    format!("Superseded by {tag}; do not vote on or use this candidate.\n")
}

/// Stages a candidate in a local directory: the candidate directory appears whole (written
/// beside it, then renamed).
pub(crate) fn upload_local(dir: &Path, up: &Upload<'_>) -> Result<Staged> {
    let url = Target::Local {
        dir: dir.to_path_buf(),
    }
    .candidate_url(up.tag);
    if !dir.is_dir() {
        return Err(Error::Usage(format!(
            "the dist directory {} does not exist; create it or point dist.dev (RELEASE_KIT_DIST_DEV) at an existing directory",
            dir.display()
        )));
    }
    let dest = dir.join(up.tag);
    let mut staged = Staged {
        url,
        ..Staged::default()
    };
    if dest.exists() {
        same_files(&dest, up.files, |name| std::fs::read(dest.join(name)).ok())?;
        staged.already_there = true;
    } else {
        let partial = dir.join(format!(".{}.partial", up.tag));
        let _ = std::fs::remove_dir_all(&partial);
        std::fs::create_dir_all(&partial).map_err(|e| Error::io("create", &partial, e))?;
        for f in up.files {
            let name = f.file_name().expect("staged files have names");
            std::fs::copy(f, partial.join(name))
                .map_err(|e| Error::io("copy into the dist directory", f, e))?;
        }
        std::fs::rename(&partial, &dest).map_err(|e| Error::io("publish", &dest, e))?;
    }
    for old in &up.older {
        let od = dir.join(old);
        if !od.is_dir() {
            continue;
        }
        if up.remove_superseded {
            std::fs::remove_dir_all(&od)
                .map_err(|e| Error::io("remove the superseded candidate", &od, e))?;
        } else {
            crate::outside::fs::write_atomic(
                &od.join("SUPERSEDED"),
                superseded_note(up.tag).as_bytes(),
            )
            .map_err(|e| Error::io("mark superseded", &od, e))?;
        }
        staged.superseded.push(old.clone());
    }
    Ok(staged)
}

/// Checks that the candidate already staged holds exactly our files.
pub(crate) fn same_files(
    where_: &Path,
    files: &[PathBuf],
    mut read: impl FnMut(&str) -> Option<Vec<u8>>,
) -> Result<()> {
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ours = std::fs::read(f).map_err(|e| Error::io("read", f, e))?;
        match read(&name) {
            Some(theirs) if theirs == ours => {}
            Some(_) => {
                return Err(Error::Problem(format!(
                    "{} already holds a different {name}; this candidate was staged with other content. Stage the next candidate number instead, or remove {} if it was never announced",
                    where_.display(),
                    where_.display()
                )))
            }
            None => {
                return Err(Error::Problem(format!(
                    "{} exists but lacks {name}; an earlier upload was interrupted outside release-kit's control: remove {} and re-run",
                    where_.display(),
                    where_.display()
                )))
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::error::ExitCode;

    #[test]
    fn backends_are_chosen_by_url() {
        assert_eq!(
            Target::parse("https://dist.apache.org/repos/dist/dev/mesos/").unwrap(),
            Target::Svn {
                url: "https://dist.apache.org/repos/dist/dev/mesos".into()
            }
        );
        assert!(matches!(
            Target::parse("file:///srv/svn/dist/dev/hello").unwrap(),
            Target::Svn { .. }
        ));
        assert!(matches!(
            Target::parse("svn://127.0.0.1:3690/dev").unwrap(),
            Target::Svn { .. }
        ));
        assert_eq!(
            Target::parse("https://github.com/apache/mesos").unwrap(),
            Target::GitHub {
                owner: "apache".into(),
                repo: "mesos".into()
            }
        );
        assert_eq!(
            Target::parse("/tmp/dist/dev/hello").unwrap(),
            Target::Local {
                dir: "/tmp/dist/dev/hello".into()
            }
        );
        assert!(Target::parse("https://github.com/apache").is_err());
        assert!(Target::parse("ftp://example.org/dist").is_err());
        assert_eq!(
            Target::parse("https://github.com/apache/mesos")
                .unwrap()
                .candidate_url("1.11.0-rc1"),
            "https://github.com/apache/mesos/releases/download/1.11.0-rc1"
        );
    }

    #[test]
    fn local_upload_is_idempotent_refuses_other_content_and_marks_older_candidates() {
        let d = tempfile::tempdir().unwrap();
        let dist = d.path().join("dev");
        std::fs::create_dir_all(dist.join("1.0.0-rc1")).unwrap();
        let f = d.path().join("x-1.0.0.tar.gz");
        std::fs::write(&f, "tarball").unwrap();
        let files = vec![f.clone()];
        let up = Upload {
            tag: "1.0.0-rc2",
            files: &files,
            message: "Adding x-1.0.0-rc2.".into(),
            older: vec!["1.0.0-rc1".into()],
            remove_superseded: false,
        };
        let s = upload_local(&dist, &up).unwrap();
        assert!(!s.already_there);
        assert_eq!(s.superseded, ["1.0.0-rc1"]);
        assert!(std::fs::read_to_string(dist.join("1.0.0-rc1/SUPERSEDED"))
            .unwrap()
            .contains("1.0.0-rc2"));
        assert!(upload_local(&dist, &up).unwrap().already_there);
        std::fs::write(&f, "other tarball").unwrap();
        let e = upload_local(&dist, &up).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Problems);
        assert!(
            e.to_string()
                .contains("already holds a different x-1.0.0.tar.gz"),
            "{e}"
        );
        let e = upload_local(&d.path().join("missing"), &up).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
    }
}
