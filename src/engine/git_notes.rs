//! The release ledger kept with the release, not on the runner: a git note (ref
//! `refs/notes/release-kit`) on the tagged commit, holding one JSON ledger per tag, pushed to the
//! project's remote after every finished step. Loading only reads (the remote's notes are
//! fetched into FETCH_HEAD, never into a local ref), so `--dry-run` changes nothing.

use std::collections::BTreeMap;

use crate::engine::ledger::{Ledger, LedgerStore};
use crate::error::{Error, Result};
use crate::outside::git::Git;

pub(crate) const NOTES_REF: &str = "refs/notes/release-kit";

/// A ledger in the git notes of `commit`, under the key `tag`.
#[derive(Debug)]
pub struct GitNotesStore {
    git: Git,
    remote: Option<String>,
    tag: String,
    commit: String,
    /// The remote notes commit seen at load time (pushes are leased on it).
    remote_notes: Option<String>,
    synced: bool,
    /// Whether stale ref locks (of a killed run) were looked for and broken.
    locks_checked: bool,
    all: BTreeMap<String, Ledger>,
}

impl GitNotesStore {
    pub fn new(git: Git, remote: Option<String>, tag: &str, commit: &str) -> Self {
        GitNotesStore {
            git,
            remote,
            tag: tag.to_string(),
            commit: commit.to_string(),
            remote_notes: None,
            synced: false,
            locks_checked: false,
            all: BTreeMap::new(),
        }
    }

    fn read_note_at(&self, notes_commit: &str) -> Result<Option<String>> {
        let out = self
            .git
            .command("find the release ledger in the notes")
            .args(["ls-tree", "-r", "--name-only", notes_commit])
            .run()
            .map_err(crate::outside::git::GitError::from)?;
        let Some(path) = out
            .stdout_str()
            .lines()
            .find(|p| p.replace('/', "") == self.commit)
            .map(str::to_string)
        else {
            return Ok(None);
        };
        let blob = self
            .git
            .command("read the release ledger")
            .args(["cat-file", "blob", &format!("{notes_commit}:{path}")])
            .run()
            .map_err(crate::outside::git::GitError::from)?;
        Ok(Some(blob.stdout_str()))
    }

    /// Breaks the locks a killed run left on the notes ref, here and in a local remote, once
    /// per run, before the first write ([`super::ledger_lock`]).
    fn break_stale_locks(&mut self) -> Result<()> {
        if self.locks_checked {
            return Ok(());
        }
        let now = std::time::SystemTime::now();
        let git_dir = self
            .git
            .command("find the git directory (for stale ledger locks)")
            .args(["rev-parse", "--path-format=absolute", "--git-common-dir"])
            .run()
            .map_err(crate::outside::git::GitError::from)?
            .stdout_str()
            .trim()
            .to_string();
        super::ledger_lock::break_stale(
            std::path::Path::new(&git_dir),
            NOTES_REF,
            "this repository",
            now,
        )?;
        if let Some(remote) = &self.remote {
            let url = self
                .git
                .command("find the remote's URL (for stale ledger locks)")
                .args(["remote", "get-url", remote])
                .output()
                .ok()
                .filter(|o| o.success())
                .map(|o| o.stdout_str().trim().to_string())
                .unwrap_or_else(|| remote.clone());
            if let Some(dir) = super::ledger_lock::local_git_dir(&url) {
                super::ledger_lock::break_stale(
                    &dir,
                    NOTES_REF,
                    &format!("remote `{remote}`"),
                    now,
                )?;
            }
        }
        self.locks_checked = true;
        Ok(())
    }

    fn identity(&self, why: &str) -> crate::outside::process::Cmd {
        self.git
            .command(why)
            .env("GIT_AUTHOR_NAME", "release-kit")
            .env("GIT_AUTHOR_EMAIL", "release-kit@localhost")
            .env("GIT_COMMITTER_NAME", "release-kit")
            .env("GIT_COMMITTER_EMAIL", "release-kit@localhost")
    }
}

impl LedgerStore for GitNotesStore {
    fn load(&mut self) -> Result<Ledger> {
        let mut source = None;
        if let Some(remote) = &self.remote {
            // Fetch into FETCH_HEAD only: no local ref changes.
            let out = self
                .git
                .command(&format!("fetch the release ledger from {remote}"))
                .args(["fetch", "--quiet", remote, NOTES_REF])
                .output()
                .map_err(crate::outside::git::GitError::from)?;
            if out.success() {
                let id = self
                    .git
                    .command("read the fetched notes")
                    .args(["rev-parse", "FETCH_HEAD"])
                    .run()
                    .map_err(crate::outside::git::GitError::from)?
                    .stdout_str()
                    .trim()
                    .to_string();
                self.remote_notes = Some(id.clone());
                source = Some(id);
            } else if !out.stderr_str().contains("couldn't find remote ref") {
                return Err(Error::Problem(format!(
                    "cannot read the release ledger from remote `{remote}`: {}; check the remote (tags.remote) and re-run",
                    out.stderr_str().trim()
                )));
            }
        }
        if source.is_none() && self.git.ref_exists(NOTES_REF)? {
            source = Some(NOTES_REF.to_string());
        }
        let text = match source {
            Some(c) => self.read_note_at(&c)?,
            None => None,
        };
        self.all = match text {
            Some(t) => serde_json::from_str(&t).map_err(|e| {
                Error::Usage(format!(
                    "the release ledger (git note {NOTES_REF} on {}) is not valid JSON: {e}; repair it with `git notes --ref=release-kit edit {}`",
                    self.commit, self.commit
                ))
            })?,
            None => BTreeMap::new(),
        };
        Ok(self.all.get(&self.tag).cloned().unwrap_or_default())
    }

    fn save(&mut self, ledger: &Ledger) -> Result<()> {
        self.break_stale_locks()?;
        if !self.synced {
            if let Some(id) = &self.remote_notes {
                self.git
                    .command("start from the remote's release ledger")
                    .args(["update-ref", NOTES_REF, id])
                    .run()
                    .map_err(crate::outside::git::GitError::from)?;
            }
            self.synced = true;
        }
        self.all.insert(self.tag.clone(), ledger.clone());
        let text = serde_json::to_string_pretty(&self.all).expect("ledgers serialise");
        self.identity("record the finished step in the release ledger")
            .args([
                "notes",
                "--ref",
                NOTES_REF,
                "add",
                "--force",
                "--file",
                "-",
                &self.commit,
            ])
            .stdin(format!("{text}\n").into_bytes())
            .run()
            .map_err(crate::outside::git::GitError::from)?;
        if let Some(remote) = &self.remote {
            let lease = match &self.remote_notes {
                Some(id) => format!("--force-with-lease={NOTES_REF}:{id}"),
                None => format!("--force-with-lease={NOTES_REF}:"),
            };
            self.git
                .command(&format!("push the release ledger to {remote}"))
                .args(["push", "--quiet", &lease, remote, &format!("{NOTES_REF}:{NOTES_REF}")])
                .run()
                .map_err(|e| {
                    Error::Problem(format!(
                        "cannot push the release ledger ({NOTES_REF}) to `{remote}`: {e}\nanother run (stage-rc or publish-dist) is writing this release's ledger at the same time and got there first; let it finish, then re-run: finished steps are skipped"
                    ))
                })?;
            self.remote_notes = Some(
                self.git
                    .command("read the pushed notes")
                    .args(["rev-parse", NOTES_REF])
                    .run()
                    .map_err(crate::outside::git::GitError::from)?
                    .stdout_str()
                    .trim()
                    .to_string(),
            );
        }
        Ok(())
    }

    fn describe(&self) -> String {
        format!(
            "the release ledger (git note {NOTES_REF} on {} for {})",
            &self.commit[..self.commit.len().min(12)],
            self.tag
        )
    }
}
