//! The project being released: its root directory, its configuration, and its version sites
//! read from the work tree or from a git revision.

pub mod bump;
pub mod changelog;
pub mod readiness;

use std::path::{Path, PathBuf};

use crate::config::{Config, Source};
use crate::error::{Error, Result};
use crate::model::tag::TagScheme;
use crate::model::version_sites::{Site, SiteError, SiteValue};
use crate::outside::git::Git;

#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
    pub source: Source,
    pub scheme: TagScheme,
    pub sites: Vec<Site>,
}

impl Project {
    /// Opens the project at `root` with its configuration (see [`Config::load`]).
    pub fn open(
        root: &Path,
        config: Option<&Path>,
        env: &[(String, String)],
        sets: &[String],
    ) -> Result<Project> {
        if !root.is_dir() {
            let what = match std::fs::metadata(root) {
                Ok(_) => "is not a directory (it is a file)",
                Err(_) => "does not exist",
            };
            return Err(Error::Usage(format!(
                "project directory {} {what}; pass the project's repository directory with --repo",
                root.display()
            )));
        }
        let root = &root
            .canonicalize()
            .map_err(|e| Error::io("open project directory", root, e))?;
        let loaded = Config::load(root, config, env, sets)?;
        Self::from_loaded(root, loaded)
    }

    /// Opens the project at `root` with the configuration found in `tree` (a tag's tree).
    pub fn open_in(
        root: &Path,
        env: &[(String, String)],
        sets: &[String],
        tree: &crate::config::infer::Tree<'_>,
    ) -> Result<Project> {
        if !root.is_dir() {
            return Err(Error::Usage(format!(
                "project directory {} does not exist; pass the project's repository with --repo",
                root.display()
            )));
        }
        let root = &root
            .canonicalize()
            .map_err(|e| Error::io("open project directory", root, e))?;
        let loaded = Config::load_in(root, None, env, sets, Some(tree))?;
        Self::from_loaded(root, loaded)
    }

    fn from_loaded(root: &Path, loaded: crate::config::Loaded) -> Result<Project> {
        let scheme = loaded.config.tag_scheme()?;
        let sites = loaded
            .config
            .version_sites
            .iter()
            .map(|s| s.compile(&loaded.config.project.name))
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|m| Error::Usage(format!("{}: [[version_sites]]: {m}", loaded.source)))?;
        Ok(Project {
            root: root.to_path_buf(),
            config: loaded.config,
            source: loaded.source,
            scheme,
            sites,
        })
    }

    pub fn git(&self) -> Result<Git> {
        Ok(Git::open(&self.root)?)
    }

    /// Reads every version site from the work tree.
    pub(crate) fn read_sites(&self) -> Result<Vec<(Site, Vec<u8>, SiteValue)>> {
        self.sites
            .iter()
            .map(|site| {
                let path = self.root.join(&site.file);
                let content = match crate::outside::fs::read_regular(
                    &path,
                    crate::outside::fs::PROJECT_FILE_CAP,
                ) {
                    Ok(c) => c,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                        return Err(SiteError::Missing {
                            file: site.file.clone(),
                            place: self.root.display().to_string(),
                        }
                        .into())
                    }
                    Err(e) => return Err(Error::io("read version site", path, e)),
                };
                let value = site.read(&content)?;
                Ok((site.clone(), content, value))
            })
            .collect()
    }

    /// Reads every version site as it is at a git revision (e.g. a tag's commit).
    pub(crate) fn read_sites_at(&self, git: &Git, rev: &str) -> Result<Vec<SiteValue>> {
        // Sites are relative to the project root, which may be below the repository's top.
        let prefix = self
            .root
            .canonicalize()
            .ok()
            .and_then(|r| {
                let top = git.root().canonicalize().ok()?;
                r.strip_prefix(&top).ok().map(Path::to_path_buf)
            })
            .unwrap_or_default();
        self.sites
            .iter()
            .map(|site| {
                let path = prefix.join(&site.file);
                let path = path.to_string_lossy();
                let content = git.show(rev, &path)?.ok_or_else(|| SiteError::Missing {
                    file: site.file.clone(),
                    place: format!("{} at {rev}", git.root().display()),
                })?;
                Ok(site.read(&content)?)
            })
            .collect()
    }
}
