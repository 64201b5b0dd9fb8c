//! Rewriting the version sites to a new version, planned first: [`plan`] computes every file's
//! new bytes (from HEAD when the change is to be committed, so a re-run after a crash finishes
//! the same change instead of bumping twice), [`apply`] writes them atomically and commits.
//! Used by bump-version and by publish-dist's bump of the release branch.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::version::{Part, Version};
use crate::model::version_sites::{agreement, Edit, SiteValue};
use crate::project::Project;

/// Where the version goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Set(Version),
    Next(Part),
}

/// One file's planned change.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    pub file: String,
    pub edits: Vec<Edit>,
    #[serde(skip)]
    pub before: Vec<u8>,
    #[serde(skip)]
    pub after: Vec<u8>,
}

/// The plan of a version change, printed by `--dry-run` and walked by [`apply`].
#[derive(Debug, Clone, Serialize)]
pub struct BumpPlan {
    /// The version the sites agree on before the change (`None` when they disagree).
    pub from: Option<Version>,
    pub to: Version,
    pub changes: Vec<FileChange>,
    /// The commit to make, when `--commit` was asked for.
    pub commit_message: Option<String>,
}

impl BumpPlan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The plan as a unified diff.
    pub fn diff(&self) -> String {
        let mut out = String::new();
        for c in &self.changes {
            let before = String::from_utf8_lossy(&c.before);
            let after = String::from_utf8_lossy(&c.after);
            let diff = similar::TextDiff::from_lines(before.as_ref(), after.as_ref());
            out.push_str(
                &diff
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("a/{}", c.file), &format!("b/{}", c.file))
                    .to_string(),
            );
        }
        out
    }
}

/// Plans a version change. With `commit`, the change is computed from HEAD's files, and the
/// work tree may already hold exactly this change (an interrupted earlier run), but nothing else.
pub fn plan(project: &Project, target: Target, commit: bool) -> Result<BumpPlan> {
    let worktree = project.read_sites()?;
    let base: Vec<(crate::model::version_sites::Site, Vec<u8>, SiteValue)> = if commit {
        let git = project.git()?;
        let head = git.head()?;
        let prefix = project_prefix(project, &git);
        project
            .sites
            .iter()
            .map(|site| {
                let path = prefix.join(&site.file).to_string_lossy().into_owned();
                let content = git.show(&head, &path)?.ok_or_else(|| {
                    Error::Usage(format!(
                        "{} is not committed yet; commit it before using --commit",
                        site.file
                    ))
                })?;
                let value = site.read(&content)?;
                Ok((site.clone(), content, value))
            })
            .collect::<Result<_>>()?
    } else {
        worktree.clone()
    };
    let values: Vec<SiteValue> = base.iter().map(|(_, _, v)| v.clone()).collect();
    let from = agreement(&values).ok();
    let to = match target {
        Target::Set(v) => v,
        Target::Next(part) => match from {
            Some(v) => v.checked_next(part).ok_or_else(|| {
                Error::Usage(format!(
                    "the {} number of {v} is the largest there is, so `next {}` would wrap it to 0; set the version explicitly with `bump-version set X.Y.Z`",
                    part.name(),
                    part.name()
                ))
            })?,
            None => {
                let list = values
                    .iter()
                    .map(|s| format!("{} says {}", s.at(), s.version))
                    .collect::<Vec<_>>()
                    .join(", ");
                return Err(Error::Problem(format!(
                    "the version sites disagree ({list}), so there is no current version to move from; make them agree with `bump-version set X.Y.Z` first"
                )));
            }
        },
    };
    if let Some(from) = from {
        if to < from {
            tracing::warn!("moving the version backwards, from {from} to {to}");
        }
    }
    // One pass per file: every site of a file is rewritten into the same bytes, so a file
    // holding several sites (an announcement with the version three times, `m4_define` major,
    // minor and patch) keeps every edit, is written once and committed whole.
    let mut files: Vec<OneFile> = Vec::new();
    for ((site, content, _), (_, current, _)) in base.iter().zip(&worktree) {
        match files.iter_mut().find(|f| f.file == site.file) {
            Some(f) => f.sites.push(site),
            None => files.push(OneFile {
                file: &site.file,
                content,
                current,
                sites: vec![site],
            }),
        }
    }
    let mut changes = Vec::new();
    for OneFile {
        file,
        content,
        current,
        sites,
    } in files
    {
        let mut after = content.to_vec();
        let mut edits = Vec::new();
        for site in sites {
            let (next, more) = site.rewrite(&after, to)?;
            after = next;
            edits.extend(more);
        }
        edits.sort_by_key(|e| e.line);
        if commit && current != content && *current != after[..] {
            return Err(Error::Usage(format!(
                "{file} has uncommitted changes; commit or stash them first, or run without --commit"
            )));
        }
        // A file changes when it differs from the target, or (with --commit) when the work
        // tree already holds this very change from an interrupted run and must be committed.
        if after[..] != *current || (commit && current != content) {
            changes.push(FileChange {
                file: file.to_string(),
                edits,
                before: current.to_vec(),
                after,
            });
        }
    }
    let commit_message = commit.then(|| {
        project
            .config
            .bump
            .commit_message
            .replace("{version}", &to.to_string())
            .replace(
                "{previous}",
                &from.map(|v| v.to_string()).unwrap_or_default(),
            )
    });
    Ok(BumpPlan {
        from,
        to,
        changes,
        commit_message,
    })
}

/// One file's sites, with its content at the base (HEAD or the work tree) and now.
struct OneFile<'a> {
    file: &'a str,
    content: &'a [u8],
    current: &'a [u8],
    sites: Vec<&'a crate::model::version_sites::Site>,
}

fn project_prefix(project: &Project, git: &crate::outside::git::Git) -> std::path::PathBuf {
    let root = project.root.canonicalize().ok();
    let top = git.root().canonicalize().ok();
    match (root, top) {
        (Some(r), Some(t)) => r
            .strip_prefix(&t)
            .map(|p| p.to_path_buf())
            .unwrap_or_default(),
        _ => Default::default(),
    }
}

/// What applying a plan did.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    pub files: Vec<String>,
    pub commit: Option<String>,
}

/// Walks a plan: writes every file atomically, then commits when planned.
pub fn apply(project: &Project, plan: &BumpPlan) -> Result<Applied> {
    for change in &plan.changes {
        if change.before != change.after {
            let path = project.root.join(&change.file);
            // A directory on the way may be a symbolic link out of the project: never write
            // through it.
            let parent = path.parent().unwrap_or(&project.root);
            let real = parent
                .canonicalize()
                .map_err(|e| Error::io("resolve the directory of", &path, e))?;
            if !real.starts_with(&project.root) {
                return Err(Error::Usage(format!(
                    "version site {} is in {}, outside the project {} (a symbolic link leads there); bump-version only rewrites files inside the project, so fix `file` in the [[version_sites]] entry",
                    change.file,
                    real.display(),
                    project.root.display()
                )));
            }
            crate::outside::fs::write_atomic(&path, &change.after)
                .map_err(|e| Error::io("write version site", path, e))?;
            tracing::debug!(
                "{}: {} -> {}",
                change.file,
                plan.from
                    .map(|v| v.to_string())
                    .unwrap_or_else(|| "?".into()),
                plan.to
            );
        }
    }
    let files: Vec<String> = plan.changes.iter().map(|c| c.file.clone()).collect();
    let commit = match (&plan.commit_message, files.is_empty()) {
        (Some(message), false) => {
            let git = project.git()?;
            let refs: Vec<&str> = files.iter().map(String::as_str).collect();
            let id = git.commit_paths(message, &refs)?;
            tracing::debug!("committed {}: {message}", &id[..id.len().min(12)]);
            Some(id)
        }
        _ => None,
    };
    Ok(Applied { files, commit })
}
