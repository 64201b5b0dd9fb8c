//! Stale locks on the release ledger's ref. Git holds `refs/notes/release-kit.lock` (or
//! `packed-refs.lock`) only for the moment it writes the ref; a run killed in that moment (during
//! `git notes add`, or while the remote's `receive-pack` updates the ref during a push) leaves the
//! lock behind, and every later write fails. Git keeps a lock file open while it holds it, so a
//! lock that no live process has open (seen in `/proc`) has no owner, and neither has one older
//! than [`STALE_AFTER`] where `/proc` cannot tell: it is removed with a warning naming it.
//! Otherwise a run is writing now, and the caller is told to wait for it.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::error::{Error, Result};

/// How old a ref lock must be to count as abandoned. Git keeps one for milliseconds.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(30);

/// How long a lock nobody has open must have existed before it is broken: git closes a lock
/// file an instant before renaming it into place.
const SETTLE: Duration = Duration::from_millis(500);

/// What to do about one lock file, from its age. Pure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// A run is writing the ref right now.
    Held,
    /// Its owner is gone: remove it.
    Stale,
}

/// `open`: whether a live process has the lock open (`None`: cannot tell).
pub(crate) fn verdict(age: Duration, open: Option<bool>) -> Verdict {
    match open {
        Some(true) => Verdict::Held,
        Some(false) => Verdict::Stale,
        None if age >= STALE_AFTER => Verdict::Stale,
        None => Verdict::Held,
    }
}

/// Whether some live process has `lock` open, from `/proc/*/fd`; `None` where there is no
/// `/proc` to read.
fn open_by_a_live_process(lock: &Path) -> Option<bool> {
    let lock = lock.canonicalize().ok()?;
    let procs = std::fs::read_dir("/proc").ok()?;
    for p in procs.flatten() {
        let name = p.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(p.path().join("fd")) else {
            continue;
        };
        if fds
            .flatten()
            .any(|fd| std::fs::read_link(fd.path()).is_ok_and(|t| t == lock))
        {
            return Some(true);
        }
    }
    Some(false)
}

/// The lock files that can block writing `reference` in the git directory `git_dir`.
pub(crate) fn lock_files(git_dir: &Path, reference: &str) -> Vec<PathBuf> {
    vec![
        git_dir.join(format!("{reference}.lock")),
        git_dir.join("packed-refs.lock"),
    ]
}

/// The git directory of a remote given as a local path or `file://` URL (a bare repository or a
/// work tree's `.git`); `None` for a network remote, whose locks are the server's business.
pub(crate) fn local_git_dir(url: &str) -> Option<PathBuf> {
    let path = PathBuf::from(url.strip_prefix("file://").unwrap_or(url));
    if url.contains("://") && !url.starts_with("file://") || !path.is_absolute() && !path.exists() {
        return None;
    }
    if path.join("HEAD").is_file() && path.join("refs").is_dir() {
        Some(path)
    } else if path.join(".git/HEAD").is_file() {
        Some(path.join(".git"))
    } else {
        None
    }
}

/// Breaks the abandoned locks on `reference` in `git_dir` (`place` names it in messages:
/// "this repository", "remote `origin`"); a lock held now is an error telling to wait.
pub(crate) fn break_stale(
    git_dir: &Path,
    reference: &str,
    place: &str,
    now: SystemTime,
) -> Result<()> {
    for lock in lock_files(git_dir, reference) {
        let Ok(meta) = std::fs::metadata(&lock) else {
            continue;
        };
        let age = meta
            .modified()
            .ok()
            .and_then(|m| now.duration_since(m).ok())
            .unwrap_or_default();
        let mut open = open_by_a_live_process(&lock);
        if open == Some(false) && age < SETTLE {
            // A live git closes its lock just before renaming it into place: look again once
            // that moment has surely passed, so a run writing now is never mistaken for a dead one.
            std::thread::sleep(SETTLE - age);
            if !lock.exists() {
                continue;
            }
            open = open_by_a_live_process(&lock);
        }
        match verdict(age, open) {
            Verdict::Held => {
                return Err(Error::Problem(format!(
                    "the release ledger ({reference}) in {place} is being written by another run right now ({} exists, {}s old); wait for that run to finish, then re-run",
                    lock.display(),
                    age.as_secs()
                )))
            }
            Verdict::Stale => {
                match std::fs::remove_file(&lock) {
                    // Its writer finished after all: nothing to break.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                    r => r.map_err(|e| Error::io("remove the stale lock", &lock, e))?,
                }
                tracing::warn!(
                    "removed a stale lock on the release ledger in {place}: {} was {}s old, left by a run that was killed while writing {reference}; the ledger itself is intact",
                    lock.display(),
                    age.as_secs()
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ExitCode;

    #[test]
    fn a_lock_is_stale_only_when_older_than_any_write() {
        assert_eq!(verdict(Duration::ZERO, None), Verdict::Held);
        assert_eq!(verdict(Duration::from_secs(29), None), Verdict::Held);
        assert_eq!(verdict(STALE_AFTER, None), Verdict::Stale);
        assert_eq!(verdict(Duration::from_secs(86_400), None), Verdict::Stale);
        // Whoever has it open owns it, whatever its age; nobody: its owner was killed.
        assert_eq!(
            verdict(Duration::from_secs(86_400), Some(true)),
            Verdict::Held
        );
        assert_eq!(verdict(Duration::ZERO, Some(false)), Verdict::Stale);
    }

    #[test]
    fn a_stale_lock_is_removed_and_a_held_one_is_explained() {
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("refs/notes");
        std::fs::create_dir_all(&notes).unwrap();
        let lock = notes.join("release-kit.lock");
        std::fs::write(&lock, "0123\n").unwrap();
        let now = SystemTime::now();
        // Held open by a live process (this one, standing in for a git writing the ref).
        let held = std::fs::File::open(&lock).unwrap();
        let e =
            break_stale(dir.path(), "refs/notes/release-kit", "this repository", now).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::Problems);
        assert!(e.to_string().contains("wait for that run"), "{e}");
        assert!(lock.exists());
        // Its owner is gone (killed): broken at once, not after a wait.
        drop(held);
        break_stale(dir.path(), "refs/notes/release-kit", "this repository", now).unwrap();
        assert!(!lock.exists());
    }

    #[test]
    fn only_local_remotes_have_a_git_dir_to_look_in() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("refs")).unwrap();
        std::fs::write(dir.path().join("HEAD"), "ref: refs/heads/main\n").unwrap();
        let p = dir.path().to_str().unwrap();
        assert_eq!(local_git_dir(p), Some(dir.path().to_path_buf()));
        assert_eq!(
            local_git_dir(&format!("file://{p}")),
            Some(dir.path().to_path_buf())
        );
        assert_eq!(
            local_git_dir("https://gitbox.apache.org/repos/asf/mesos.git"),
            None
        );
        assert_eq!(local_git_dir("origin"), None);
    }
}
