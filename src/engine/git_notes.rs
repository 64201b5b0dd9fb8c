//! The release ledger kept with the release, not on the runner: a git note (ref
//! `refs/notes/release-kit`) on the tagged commit, holding one JSON ledger per tag, pushed to the
//! project's remote after every finished step. Loading only reads (the remote's notes commit is
//! found with `ls-remote` and its objects fetched without writing FETCH_HEAD or a local ref), so
//! `--dry-run` changes nothing and concurrent runs in one clone do not read each other's fetch.

use std::collections::BTreeMap;

use crate::engine::ledger::{Ledger, LedgerStore};
use crate::error::{Error, Result};
use crate::outside::git::Git;

pub(crate) const NOTES_REF: &str = "refs/notes/release-kit";

fn step_ids(ledger: &Ledger) -> Vec<String> {
    ledger.steps.iter().map(|s| s.id.clone()).collect()
}

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
    /// The steps of this ledger in `remote_notes` (another run adding some is a race lost).
    remote_steps: Vec<String>,
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
            remote_steps: Vec::new(),
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

    /// Points the local notes ref at the remote's notes commit `id`.
    fn start_from(&self, id: &str) -> Result<()> {
        self.git
            .command("start from the remote's release ledger")
            .args(["update-ref", NOTES_REF, id])
            .run()
            .map_err(crate::outside::git::GitError::from)?;
        Ok(())
    }

    /// Writes every ledger (this one as `ledger`) as the note on the commit; returns the new
    /// notes commit. A ref lock held by a run in this same clone is said plainly.
    fn record(&mut self, ledger: &Ledger) -> Result<String> {
        self.all.insert(self.tag.clone(), ledger.clone());
        let text = serde_json::to_string_pretty(&self.all).expect("ledgers serialise");
        let added = self
            .identity("record the finished step in the release ledger")
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
            .output()
            .map_err(crate::outside::git::GitError::from)?;
        if !added.success() {
            let err = added.stderr_str();
            if err.contains(".lock") {
                return Err(self.busy());
            }
            return Err(Error::Problem(format!(
                "cannot record the finished step in {}: {}; re-run: finished steps are skipped",
                self.describe(),
                err.trim()
            )));
        }
        Ok(self
            .git
            .command("read the recorded notes")
            .args(["rev-parse", NOTES_REF])
            .run()
            .map_err(crate::outside::git::GitError::from)?
            .stdout_str()
            .trim()
            .to_string())
    }

    /// The remote's ledgers when its notes moved since this run last read or pushed them
    /// (with the notes commit); `None` when they did not, or there is no remote.
    fn remote_now(&self) -> Result<Option<(String, BTreeMap<String, Ledger>)>> {
        let Some(remote) = &self.remote else {
            return Ok(None);
        };
        let listed = self
            .git
            .command(&format!("look at the release ledger on {remote}"))
            .args(["ls-remote", remote, NOTES_REF])
            .output()
            .map_err(crate::outside::git::GitError::from)?;
        let Some(id) = listed
            .stdout_str()
            .split_whitespace()
            .next()
            .map(str::to_string)
        else {
            return Ok(None);
        };
        if !listed.success() || Some(&id) == self.remote_notes.as_ref() {
            return Ok(None);
        }
        self.git
            .command(&format!("fetch the release ledger from {remote}"))
            .args([
                "fetch",
                "--quiet",
                "--no-write-fetch-head",
                remote,
                NOTES_REF,
            ])
            .run()
            .map_err(crate::outside::git::GitError::from)?;
        let all = match self.read_note_at(&id)? {
            Some(t) => serde_json::from_str(&t).unwrap_or_default(),
            None => BTreeMap::new(),
        };
        Ok(Some((id, all)))
    }

    /// When `theirs` (the remote's ledgers now) holds steps of this ledger this run did not
    /// see, another run of the same release got there first: the error that says so.
    fn overtaken_by(&self, theirs: &BTreeMap<String, Ledger>) -> Option<Error> {
        let now = theirs.get(&self.tag).map(step_ids).unwrap_or_default();
        let new: Vec<&String> = now
            .iter()
            .filter(|s| !self.remote_steps.contains(s))
            .collect();
        if now == self.remote_steps || new.is_empty() && now.len() >= self.remote_steps.len() {
            return None;
        }
        let theirs = if new.is_empty() {
            "rewrote its record".to_string()
        } else {
            format!(
                "recorded {} first",
                new.iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        Some(Error::Problem(format!(
            "another run is carrying out {} right now: it {theirs}; this run stops here and leaves the release to it. Let that run finish, then re-run if anything is left: finished steps are skipped",
            self.subject()
        )))
    }

    /// The ledger's own name for messages: the run it records.
    fn subject(&self) -> String {
        match self.tag.split_once(':') {
            Some(("publish", rc)) => format!("the publication of {rc} (publish-dist)"),
            Some(("abandon", rc)) => format!("the abandonment of {rc} (publish-dist abandon)"),
            _ => format!("the staging of {} (stage-rc)", self.tag),
        }
    }

    fn busy(&self) -> Error {
        Error::Problem(format!(
            "another run is writing {} right now; let it finish, then re-run if anything is left: finished steps are skipped",
            self.describe()
        ))
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
            // The remote's notes commit from `ls-remote`, then its objects fetched without
            // writing FETCH_HEAD or any local ref: concurrent runs in one clone would overwrite
            // each other's FETCH_HEAD between the fetch and the read.
            let unreadable = |detail: &str| {
                Error::Problem(format!(
                    "cannot read the release ledger from remote `{remote}`: {}; check the remote (tags.remote) and re-run",
                    detail.trim()
                ))
            };
            let listed = self
                .git
                .command(&format!("find the release ledger on {remote}"))
                .args(["ls-remote", remote, NOTES_REF])
                .output()
                .map_err(crate::outside::git::GitError::from)?;
            if !listed.success() {
                return Err(unreadable(&listed.stderr_str()));
            }
            let id = listed
                .stdout_str()
                .split_whitespace()
                .next()
                .map(str::to_string);
            if let Some(id) = id {
                let out = self
                    .git
                    .command(&format!("fetch the release ledger from {remote}"))
                    .args([
                        "fetch",
                        "--quiet",
                        "--no-write-fetch-head",
                        remote,
                        NOTES_REF,
                    ])
                    .output()
                    .map_err(crate::outside::git::GitError::from)?;
                if !out.success() {
                    return Err(unreadable(&out.stderr_str()));
                }
                let have = self
                    .git
                    .command("check the fetched release ledger")
                    .args(["cat-file", "-e", &format!("{id}^{{commit}}")])
                    .output()
                    .map_err(crate::outside::git::GitError::from)?;
                if !have.success() {
                    return Err(Error::Problem(format!(
                        "the release ledger ({NOTES_REF}) on remote `{remote}` was rewritten while this run read it: another run is writing this release's ledger right now; let it finish, then re-run: finished steps are skipped"
                    )));
                }
                self.remote_notes = Some(id.clone());
                source = Some(id);
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
        let ledger = self.all.get(&self.tag).cloned().unwrap_or_default();
        self.remote_steps = step_ids(&ledger);
        Ok(ledger)
    }

    fn save(&mut self, ledger: &Ledger) -> Result<()> {
        self.break_stale_locks()?;
        if !self.synced {
            if let Some(id) = self.remote_notes.clone() {
                self.start_from(&id)?;
            }
            self.synced = true;
        }
        // A push refused because the remote's notes moved: when another run recorded steps
        // of this ledger, this run stops with that said; when only other ledgers moved (another
        // release's run), this one is recorded on top of them and pushed again.
        for _ in 0..5 {
            let id = self.record(ledger)?;
            let Some(remote) = self.remote.clone() else {
                return Ok(());
            };
            let lease = match &self.remote_notes {
                Some(id) => format!("--force-with-lease={NOTES_REF}:{id}"),
                None => format!("--force-with-lease={NOTES_REF}:"),
            };
            let pushed = self
                .git
                .command(&format!("push the release ledger to {remote}"))
                .args([
                    "push",
                    "--quiet",
                    &lease,
                    &remote,
                    &format!("{id}:{NOTES_REF}"),
                ])
                .output()
                .map_err(crate::outside::git::GitError::from)?;
            if pushed.success() {
                self.remote_notes = Some(id);
                self.remote_steps = step_ids(ledger);
                return Ok(());
            }
            match self.remote_now()? {
                Some((theirs_id, theirs)) => {
                    if let Some(e) = self.overtaken_by(&theirs) {
                        return Err(e);
                    }
                    // Only other ledgers changed: take them, keep this one, push again.
                    self.start_from(&theirs_id)?;
                    self.all = theirs;
                    self.remote_notes = Some(theirs_id);
                }
                None => {
                    return Err(Error::Problem(format!(
                        "cannot push the release ledger ({NOTES_REF}) to `{remote}`: {}; check the remote (tags.remote) and your push access, then re-run: finished steps are skipped",
                        pushed.stderr_str().trim()
                    )))
                }
            }
        }
        Err(self.busy())
    }

    fn overtaken(&mut self) -> Option<Error> {
        let (_, theirs) = self.remote_now().ok()??;
        self.overtaken_by(&theirs)
    }

    fn describe(&self) -> String {
        format!(
            "the release ledger (git note {NOTES_REF} on {} for {})",
            &self.commit[..self.commit.len().min(12)],
            self.tag
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ledger::Record;
    use std::path::Path;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str]) {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.org")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.org")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// A bare remote and two clones of it (two runners), with the commit the notes are on.
    fn remote_and_clones() -> (tempfile::TempDir, Git, Git, String) {
        let d = tempfile::tempdir().unwrap();
        let work = d.path().join("work");
        std::fs::create_dir(&work).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        git(&work, &["commit", "-q", "--allow-empty", "-m", "one"]);
        git(d.path(), &["clone", "-q", "--bare", "work", "origin.git"]);
        git(d.path(), &["clone", "-q", "origin.git", "a"]);
        git(d.path(), &["clone", "-q", "origin.git", "b"]);
        let commit = String::from_utf8(
            Command::new("git")
                .args(["rev-parse", "HEAD"])
                .current_dir(&work)
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap()
        .trim()
        .to_string();
        let a = Git::open(&d.path().join("a")).unwrap();
        let b = Git::open(&d.path().join("b")).unwrap();
        (d, a, b, commit)
    }

    fn with_step(ledger: &Ledger, id: &str) -> Ledger {
        let mut l = ledger.clone();
        l.put(Record {
            id: id.into(),
            digest: "d".into(),
            inputs: serde_json::Value::Null,
            outputs: serde_json::Value::Null,
        });
        l
    }

    #[test]
    fn a_run_overtaken_on_its_own_ledger_stops_saying_so_and_another_releases_write_is_merged() {
        if !crate::outside::process::on_path("git") {
            assert!(std::env::var_os("CI").is_none(), "git is required in CI");
            return;
        }
        let (_d, a, b, commit) = remote_and_clones();
        let origin = Some("origin".to_string());
        // Two runs of the same release, both having read the empty ledger.
        let mut first = GitNotesStore::new(a.clone(), origin.clone(), "publish:1.0.0-rc1", &commit);
        let mut second =
            GitNotesStore::new(b.clone(), origin.clone(), "publish:1.0.0-rc1", &commit);
        let l1 = first.load().unwrap();
        let l2 = second.load().unwrap();
        // Another release's run writes meanwhile: the first run's record goes on top of it.
        let mut other = GitNotesStore::new(b.clone(), origin.clone(), "2.0.0-rc1", &commit);
        let lo = other.load().unwrap();
        other.save(&with_step(&lo, "upload")).unwrap();
        first.save(&with_step(&l1, "tally")).unwrap();
        let mut reader = GitNotesStore::new(a.clone(), origin.clone(), "2.0.0-rc1", &commit);
        assert_eq!(step_ids(&reader.load().unwrap()), ["upload"]);
        // The second run of the same release lost: a clear refusal, nothing overwritten.
        let e = second
            .save(&with_step(&l2, "tally"))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("another run is carrying out the publication of 1.0.0-rc1")
                && e.contains("recorded `tally` first")
                && !e.contains("rejected"),
            "{e}"
        );
        assert!(second.overtaken().is_some());
        let mut reader = GitNotesStore::new(b, origin, "publish:1.0.0-rc1", &commit);
        assert_eq!(step_ids(&reader.load().unwrap()), ["tally"]);
    }
}
