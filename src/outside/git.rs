//! The git adapter: tags (annotated or not, their commit and tagger), files at a revision,
//! commits. Every call goes through [`crate::outside::process::Cmd`].

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::ExitCode;
use crate::outside::process::{Cmd, CmdError};

/// Who made a tag or commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

/// What git knows about a tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagInfo {
    pub name: String,
    /// An annotated tag is a tag object; a lightweight tag is a bare ref to a commit.
    pub annotated: bool,
    /// The commit the tag points at (peeled).
    pub commit: String,
    /// The tagger, for annotated tags.
    pub tagger: Option<Person>,
    /// The tagger date (ISO 8601), for annotated tags.
    pub date: Option<String>,
    /// The tag message's first line, for annotated tags.
    pub subject: Option<String>,
}

/// The hash function of a repository's object ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectFormat {
    Sha1,
    Sha256,
}

/// What a tree entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    File,
    Executable,
    Symlink,
    /// A submodule: a commit of another repository, with no content here.
    Submodule,
}

/// One file of a tree at a revision (`git ls-tree -r`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TreeEntry {
    pub path: String,
    pub kind: EntryKind,
    /// The blob id (for a symlink: the blob holding the link target).
    pub id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{} is not inside a git repository; pass the project's repository with --repo", dir.display())]
    NotARepo { dir: PathBuf },
    #[error("tag {tag} does not exist in {}; create it with `git tag -a {tag} -m \"...\"` (or fetch tags with `git fetch --tags`)", repo.display())]
    NoSuchTag { tag: String, repo: PathBuf },
    #[error("tag {tag} is a lightweight tag; release tags must be annotated: delete it with `git tag -d {tag}` and create an annotated one with `git tag -a {tag} -m \"...\"`")]
    Lightweight { tag: String },
    #[error(transparent)]
    Cmd(#[from] CmdError),
    #[error("cannot {action}: {source}; check that the temporary directory (TMPDIR) is writable")]
    Io {
        action: &'static str,
        source: std::io::Error,
    },
}

impl crate::error::Classify for GitError {
    fn exit_code(&self) -> ExitCode {
        match self {
            GitError::Cmd(e) => e.exit_code(),
            GitError::Io { .. } => ExitCode::Outside,
            _ => ExitCode::Usage,
        }
    }
}

/// A git work tree.
#[derive(Debug, Clone)]
pub struct Git {
    root: PathBuf,
}

impl Git {
    /// Opens the repository containing `dir`.
    pub fn open(dir: &Path) -> Result<Git, GitError> {
        let out = Cmd::new("git", "find the repository's top directory")
            .args(["rev-parse", "--show-toplevel"])
            .current_dir(dir)
            .output()
            .map_err(|e| match e {
                CmdError::Spawn { .. } if !dir.is_dir() => GitError::NotARepo {
                    dir: dir.to_path_buf(),
                },
                e => GitError::Cmd(e),
            })?;
        if !out.success() {
            return Err(GitError::NotARepo {
                dir: dir.to_path_buf(),
            });
        }
        Ok(Git {
            root: PathBuf::from(out.stdout_str().trim_end_matches('\n')),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn git(&self, why: &str) -> Cmd {
        Cmd::new("git", why)
            .current_dir(&self.root)
            .arg("-c")
            .arg("core.quotepath=off")
    }

    /// Reads a tag; `None` when it does not exist.
    pub fn tag(&self, name: &str) -> Result<Option<TagInfo>, GitError> {
        let refname = format!("refs/tags/{name}");
        let out = self
            .git(&format!("read tag {name}"))
            .args([
                "for-each-ref",
                "--format=%(refname)%00%(objecttype)%00%(taggername)%00%(taggeremail)%00%(taggerdate:iso-strict)%00%(contents:subject)%00",
                &refname,
            ])
            .run()?;
        let text = out.stdout_str();
        let Some(fields) = text
            .lines()
            .map(|l| l.split('\0').collect::<Vec<_>>())
            .find(|f| f.first() == Some(&refname.as_str()))
        else {
            return Ok(None);
        };
        let annotated = fields.get(1) == Some(&"tag");
        let commit = self
            .git(&format!("find the commit of tag {name}"))
            .args([
                "rev-parse",
                "--verify",
                "--quiet",
                &format!("{refname}^{{commit}}"),
            ])
            .run()?
            .stdout_str()
            .trim()
            .to_string();
        let field = |i: usize| {
            fields
                .get(i)
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty())
        };
        let tagger = field(2).map(|name| Person {
            name,
            email: field(3)
                .unwrap_or_default()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string(),
        });
        Ok(Some(TagInfo {
            name: name.to_string(),
            annotated,
            commit,
            tagger: if annotated { tagger } else { None },
            date: if annotated { field(4) } else { None },
            subject: if annotated { field(5) } else { None },
        }))
    }

    /// Reads a tag that must exist, and be annotated when `annotated` is set.
    pub(crate) fn require_tag(&self, name: &str, annotated: bool) -> Result<TagInfo, GitError> {
        let info = self.tag(name)?.ok_or_else(|| GitError::NoSuchTag {
            tag: name.to_string(),
            repo: self.root.clone(),
        })?;
        if annotated && !info.annotated {
            return Err(GitError::Lightweight {
                tag: name.to_string(),
            });
        }
        Ok(info)
    }

    /// A file's bytes at a revision; `None` when the path does not exist there.
    pub fn show(&self, rev: &str, path: &str) -> Result<Option<Vec<u8>>, GitError> {
        let spec = format!("{rev}:{path}");
        let exists = self
            .git(&format!("check that {path} exists at {rev}"))
            .args(["cat-file", "-e", &spec])
            .output()?;
        if !exists.success() {
            return Ok(None);
        }
        let out = self
            .git(&format!("read {path} at {rev}"))
            .args(["cat-file", "blob", &spec])
            .run()?;
        Ok(Some(out.stdout))
    }

    /// The hash function of the repository's object ids.
    pub(crate) fn object_format(&self) -> Result<ObjectFormat, GitError> {
        let out = self
            .git("read the repository's object format")
            .args(["rev-parse", "--show-object-format"])
            .output()?;
        Ok(match out.stdout_str().trim() {
            "sha256" => ObjectFormat::Sha256,
            _ => ObjectFormat::Sha1,
        })
    }

    /// Every file of the tree at `rev`, recursively, with its blob id.
    pub(crate) fn ls_tree(&self, rev: &str) -> Result<Vec<TreeEntry>, GitError> {
        self.ls_tree_under(rev, Path::new(""))
    }

    /// Every file under `prefix` (a directory relative to the repository's top, `""` for all)
    /// of the tree at `rev`, recursively, with its blob id; paths are relative to `prefix`.
    pub(crate) fn ls_tree_under(
        &self,
        rev: &str,
        prefix: &Path,
    ) -> Result<Vec<TreeEntry>, GitError> {
        let cmd = self.git(&format!("list the files at {rev}"));
        let out = if prefix.as_os_str().is_empty() {
            cmd.args(["ls-tree", "-r", "-z", "--full-tree", rev])
                .run()?
        } else {
            cmd.args(["ls-tree", "-r", "-z"])
                .arg(format!("{rev}:{}", prefix.to_string_lossy()))
                .run()?
        };
        Ok(parse_ls_tree(&out.stdout))
    }

    /// Checks `rev` out, detached, into a new worktree at `path` (which must not exist).
    pub(crate) fn worktree_add(&self, path: &Path, rev: &str) -> Result<(), GitError> {
        self.git(&format!("check {rev} out into a temporary worktree"))
            .args(["worktree", "add", "--quiet", "--detach"])
            .arg(path)
            .arg(rev)
            .run()?;
        Ok(())
    }

    /// Removes a worktree made by [`Git::worktree_add`], with whatever was built in it.
    pub(crate) fn worktree_remove(&self, path: &Path) -> Result<(), GitError> {
        let removed = self
            .git("remove the temporary worktree")
            .args(["worktree", "remove", "--force", "--force"])
            .arg(path)
            .output()?;
        if !removed.success() {
            let _ = std::fs::remove_dir_all(path);
            self.git("forget the removed temporary worktree")
                .args(["worktree", "prune"])
                .run()?;
        }
        Ok(())
    }

    /// The commit HEAD points at.
    pub fn head(&self) -> Result<String, GitError> {
        Ok(self
            .git("read HEAD")
            .args(["rev-parse", "HEAD"])
            .run()?
            .stdout_str()
            .trim()
            .to_string())
    }

    /// The checked-out branch, if any.
    pub(crate) fn current_branch(&self) -> Result<Option<String>, GitError> {
        let out = self
            .git("read the current branch")
            .args(["symbolic-ref", "--quiet", "--short", "HEAD"])
            .output()?;
        Ok(out.success().then(|| out.stdout_str().trim().to_string()))
    }

    /// Paths among `paths` with uncommitted changes (staged or not).
    pub fn dirty(&self, paths: &[&str]) -> Result<Vec<String>, GitError> {
        let out = self
            .git("look for uncommitted changes")
            .args(["status", "--porcelain=v1", "-z", "--"])
            .args(paths)
            .run()?;
        Ok(out
            .stdout_str()
            .split('\0')
            .filter(|e| e.len() > 3)
            .map(|e| e[3..].to_string())
            .collect())
    }

    /// The commit a revision names; `None` when it names none.
    pub(crate) fn resolve(&self, rev: &str) -> Result<Option<String>, GitError> {
        let out = self
            .git(&format!("resolve {rev}"))
            .args(["rev-parse", "--verify", "--quiet", "--end-of-options"])
            .arg(format!("{rev}^{{commit}}"))
            .output()?;
        Ok(out
            .success()
            .then(|| out.stdout_str().trim().to_string())
            .filter(|s| !s.is_empty()))
    }

    /// Paths (relative to the repository's top) that differ between the merge base of `base`
    /// and HEAD, and the work tree: what a pull request from this checkout into `base` changes,
    /// uncommitted edits included. A rename counts as both of its paths.
    pub(crate) fn changed_since(&self, base: &str) -> Result<Vec<String>, GitError> {
        let out = self
            .git(&format!("list the files changed since {base}"))
            .args(["diff", "--name-only", "-z", "--no-renames", "--merge-base"])
            .arg(base)
            .arg("--")
            .run()?;
        Ok(out
            .stdout_str()
            .split('\0')
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect())
    }

    /// Every tag's name.
    pub fn tag_names(&self) -> Result<Vec<String>, GitError> {
        Ok(self
            .git("list the tags")
            .args(["for-each-ref", "--format=%(refname:strip=2)", "refs/tags"])
            .run()?
            .stdout_str()
            .lines()
            .map(str::to_string)
            .collect())
    }

    /// The project directory `dir` relative to the repository's top ("" at the top).
    pub(crate) fn prefix_of(&self, dir: &Path) -> PathBuf {
        let top = self.root.canonicalize().ok();
        let dir = dir.canonicalize().ok();
        match (dir, top) {
            (Some(d), Some(t)) => d
                .strip_prefix(&t)
                .map(Path::to_path_buf)
                .unwrap_or_default(),
            _ => PathBuf::new(),
        }
    }

    /// Commits exactly `paths` with `message`; returns the new commit id.
    pub(crate) fn commit_paths(&self, message: &str, paths: &[&str]) -> Result<String, GitError> {
        self.git("stage the changed files")
            .args(["add", "--"])
            .args(paths)
            .run()?;
        self.git("commit the changed files")
            .args(["commit", "--quiet", "--no-verify", "-F", "-", "--"])
            .args(paths)
            .stdin(message.as_bytes().to_vec())
            .run()?;
        self.head()
    }
}

impl Git {
    /// A git command in this repository, for adapters built on top (notes, verify-tag).
    pub fn command(&self, why: &str) -> Cmd {
        self.git(why)
    }

    /// Whether `commit` is reachable from `reference` (a branch, remote branch or commit).
    pub(crate) fn is_ancestor(&self, commit: &str, reference: &str) -> Result<bool, GitError> {
        let out = self
            .git(&format!("check that {commit} is on {reference}"))
            .args(["merge-base", "--is-ancestor", commit, reference])
            .output()?;
        Ok(out.success())
    }

    /// Whether a ref (e.g. `refs/heads/1.1.x`) exists.
    pub(crate) fn ref_exists(&self, reference: &str) -> Result<bool, GitError> {
        let out = self
            .git(&format!("look for {reference}"))
            .args(["rev-parse", "--verify", "--quiet", reference])
            .output()?;
        Ok(out.success())
    }

    /// The committer time of a commit, in seconds since the epoch (SOURCE_DATE_EPOCH).
    pub(crate) fn commit_time(&self, commit: &str) -> Result<u64, GitError> {
        let out = self
            .git(&format!("read the time of {commit}"))
            .args(["show", "-s", "--format=%ct"])
            .arg(format!("{commit}^{{commit}}"))
            .run()?;
        Ok(out.stdout_str().trim().parse().unwrap_or(0))
    }

    /// The object a tag ref points at (the tag object for annotated tags).
    pub(crate) fn tag_object(&self, tag: &str) -> Result<String, GitError> {
        Ok(self
            .git(&format!("read tag {tag}"))
            .args(["rev-parse", &format!("refs/tags/{tag}")])
            .run()?
            .stdout_str()
            .trim()
            .to_string())
    }

    /// The object `refs/tags/<tag>` has on `remote`; `None` when the remote lacks the tag.
    pub(crate) fn remote_tag(&self, remote: &str, tag: &str) -> Result<Option<String>, GitError> {
        let out = self
            .git(&format!("look for tag {tag} on {remote}"))
            .args(["ls-remote", "--tags", remote, &format!("refs/tags/{tag}")])
            .run()?;
        Ok(out
            .stdout_str()
            .lines()
            .find(|l| l.ends_with(&format!("refs/tags/{tag}")))
            .and_then(|l| l.split_whitespace().next())
            .map(str::to_string))
    }

    /// Pushes one tag to `remote`.
    pub(crate) fn push_tag(&self, remote: &str, tag: &str) -> Result<(), GitError> {
        self.git(&format!("push tag {tag} to {remote}"))
            .args([
                "push",
                "--quiet",
                remote,
                &format!("refs/tags/{tag}:refs/tags/{tag}"),
            ])
            .run()?;
        Ok(())
    }

    /// Writes `git archive --format=tar` of `rev` to `out`.
    pub fn archive(&self, rev: &str, prefix: Option<&str>, out: &Path) -> Result<(), GitError> {
        let mut c = self
            .git(&format!("export the tree of {rev}"))
            .args(["archive", "--format=tar"]);
        if let Some(p) = prefix {
            c = c.arg(format!("--prefix={p}"));
        }
        c.arg("-o").arg(out).arg(rev).run()?;
        Ok(())
    }
}

/// Parses `git ls-tree -r -z` output: `<mode> SP <type> SP <id> TAB <path> NUL`.
pub(crate) fn parse_ls_tree(out: &[u8]) -> Vec<TreeEntry> {
    out.split(|b| *b == 0)
        .filter_map(|rec| {
            let rec = std::str::from_utf8(rec).ok()?;
            let (meta, path) = rec.split_once('\t')?;
            let mut parts = meta.split(' ');
            let mode = parts.next()?;
            let _type = parts.next()?;
            let id = parts.next()?;
            let kind = match mode {
                "100755" => EntryKind::Executable,
                "120000" => EntryKind::Symlink,
                "160000" => EntryKind::Submodule,
                _ => EntryKind::File,
            };
            Some(TreeEntry {
                path: path.to_string(),
                kind,
                id: id.to_string(),
            })
        })
        .collect()
}

/// A detached worktree of a revision, removed (with whatever was built in it) when dropped:
/// the one way a tool works on a clean checkout without touching the user's working copy.
#[derive(Debug)]
pub struct Worktree {
    git: Git,
    path: PathBuf,
    _tmp: Option<tempfile::TempDir>,
}

impl Worktree {
    /// A worktree of `rev` named `name` in a new temporary directory.
    pub fn temporary(git: &Git, rev: &str, name: &str) -> Result<Worktree, GitError> {
        let tmp = tempfile::Builder::new()
            .prefix("release-kit-worktree-")
            .tempdir()
            .map_err(|e| GitError::Io {
                action: "create a temporary directory for a worktree",
                source: e,
            })?;
        let path = tmp.path().join(name);
        git.worktree_add(&path, rev)?;
        let tree = Worktree {
            git: git.clone(),
            path,
            _tmp: Some(tmp),
        };
        // A checkout stamps files with the time each was written, in no order, so make sees a
        // committed generated file (configure, Makefile.in, a .pot) older than its sources and
        // remakes it: the build of the tag then differs from the build of its tarball. Every
        // file gets the commit's time instead, as in `git archive` (and so in stage-rc's export).
        let when = git.commit_time(rev)?;
        set_mtimes(
            &tree.path,
            std::time::UNIX_EPOCH + std::time::Duration::from_secs(when),
        )
        .map_err(|e| GitError::Io {
            action: "give the worktree's files the commit's time",
            source: e,
        })?;
        Ok(tree)
    }

    /// A worktree of `rev` at `path`, replacing one an interrupted run left there.
    pub fn at(git: &Git, path: &Path, rev: &str) -> Result<Worktree, GitError> {
        let _ = git.worktree_remove(path);
        git.worktree_add(path, rev)?;
        Ok(Worktree {
            git: git.clone(),
            path: path.to_path_buf(),
            _tmp: None,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Sets the modification time of every regular file and directory under `dir` (not `.git`,
/// not through symbolic links) to `when`.
fn set_mtimes(dir: &Path, when: std::time::SystemTime) -> std::io::Result<()> {
    let times = std::fs::FileTimes::new().set_modified(when);
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            if entry.file_name() == ".git" {
                continue;
            }
            if kind.is_dir() {
                dirs.push(entry.path());
            } else if kind.is_file() {
                std::fs::File::options()
                    .write(true)
                    .open(entry.path())
                    .or_else(|_| std::fs::File::open(entry.path()))?
                    .set_times(times)?;
            }
        }
        std::fs::File::open(&d)?.set_times(times)?;
    }
    Ok(())
}

impl Drop for Worktree {
    fn drop(&mut self) {
        if let Err(e) = self.git.worktree_remove(&self.path) {
            tracing::warn!(
                "could not remove the temporary worktree {}: {e}",
                self.path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Classify as _;

    fn repo() -> (tempfile::TempDir, Git) {
        let dir = tempfile::tempdir().unwrap();
        let run = |args: &[&str]| {
            Cmd::new("git", "set up a test repository")
                .args(args)
                .current_dir(dir.path())
                .env("GIT_CONFIG_GLOBAL", "/dev/null")
                .env("GIT_CONFIG_NOSYSTEM", "1")
                .run()
                .unwrap()
        };
        run(&["init", "-q", "-b", "master"]);
        run(&["config", "user.name", "Release Manager"]);
        run(&["config", "user.email", "rm@example.org"]);
        std::fs::write(dir.path().join("configure.ac"), "AC_INIT([x], [1.0.0])\n").unwrap();
        run(&["add", "."]);
        run(&["commit", "-qm", "init"]);
        run(&["tag", "-a", "1.0.0-rc1", "-m", "Tagging 1.0.0-rc1."]);
        run(&["tag", "1.0.0-rc2"]);
        let git = Git::open(dir.path()).unwrap();
        (dir, git)
    }

    #[test]
    fn tells_annotated_from_lightweight_tags() {
        let (_d, git) = repo();
        let head = git.head().unwrap();
        let a = git.tag("1.0.0-rc1").unwrap().unwrap();
        assert!(a.annotated);
        assert_eq!(a.commit, head);
        assert_eq!(a.tagger.as_ref().unwrap().email, "rm@example.org");
        assert_eq!(a.subject.as_deref(), Some("Tagging 1.0.0-rc1."));
        let l = git.tag("1.0.0-rc2").unwrap().unwrap();
        assert!(!l.annotated);
        assert_eq!(l.commit, head);
        assert!(l.tagger.is_none());
        assert!(git.tag("1.0.0").unwrap().is_none());
        assert!(git.tag("1.0").unwrap().is_none(), "no prefix matching");
    }

    #[test]
    fn required_tags_explain_the_fix() {
        let (_d, git) = repo();
        let e = git.require_tag("1.0.0-rc2", true).unwrap_err();
        assert!(e.to_string().contains("git tag -a 1.0.0-rc2"), "{e}");
        assert_eq!(e.exit_code(), ExitCode::Usage);
        let e = git.require_tag("9.9.9-rc1", true).unwrap_err();
        assert!(e.to_string().contains("does not exist"), "{e}");
        assert!(git.require_tag("1.0.0-rc2", false).is_ok());
    }

    #[test]
    fn reads_files_at_a_revision_and_commits_paths() {
        let (d, git) = repo();
        assert_eq!(
            git.show("1.0.0-rc1", "configure.ac").unwrap().unwrap(),
            b"AC_INIT([x], [1.0.0])\n"
        );
        assert!(git.show("1.0.0-rc1", "nope").unwrap().is_none());
        std::fs::write(d.path().join("configure.ac"), "AC_INIT([x], [1.1.0])\n").unwrap();
        std::fs::write(d.path().join("other"), "x").unwrap();
        assert_eq!(git.dirty(&["configure.ac"]).unwrap(), vec!["configure.ac"]);
        let c = git
            .commit_paths("Updated version to 1.1.0.", &["configure.ac"])
            .unwrap();
        assert_eq!(c, git.head().unwrap());
        assert!(git.dirty(&["configure.ac"]).unwrap().is_empty());
        assert_eq!(
            git.dirty(&[]).unwrap(),
            vec!["other"],
            "unrelated files stay uncommitted"
        );
        assert_eq!(git.current_branch().unwrap().as_deref(), Some("master"));
    }

    #[test]
    fn resolves_revisions_lists_tags_and_changed_paths() {
        let (d, git) = repo();
        let head = git.head().unwrap();
        assert_eq!(git.resolve("1.0.0-rc1").unwrap(), Some(head.clone()));
        assert_eq!(git.resolve("no-such-branch").unwrap(), None);
        assert_eq!(git.resolve("--output=x").unwrap(), None, "not an option");
        let mut tags = git.tag_names().unwrap();
        tags.sort();
        assert_eq!(tags, ["1.0.0-rc1", "1.0.0-rc2"]);
        std::fs::create_dir(d.path().join("src")).unwrap();
        std::fs::write(d.path().join("src/a.c"), "int a;").unwrap();
        git.commit_paths("Added a.", &["src/a.c"]).unwrap();
        std::fs::write(d.path().join("configure.ac"), "AC_INIT([x], [1.0.1])\n").unwrap();
        let mut changed = git.changed_since(&head).unwrap();
        changed.sort();
        assert_eq!(
            changed,
            ["configure.ac", "src/a.c"],
            "committed and uncommitted"
        );
        assert_eq!(git.prefix_of(&d.path().join("src")), PathBuf::from("src"));
        assert_eq!(git.prefix_of(d.path()), PathBuf::new());
    }

    #[test]
    fn lists_the_tree_of_a_tag_with_blob_ids() {
        let (_d, git) = repo();
        assert_eq!(git.object_format().unwrap(), ObjectFormat::Sha1);
        let tree = git.ls_tree("1.0.0-rc1").unwrap();
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].path, "configure.ac");
        assert_eq!(tree[0].kind, EntryKind::File);
        // git hash-object of "AC_INIT([x], [1.0.0])\n"
        let expect = Cmd::new("git", "hash a blob")
            .args(["hash-object", "--stdin"])
            .stdin(b"AC_INIT([x], [1.0.0])\n".to_vec())
            .run()
            .unwrap()
            .stdout_str();
        assert_eq!(tree[0].id, expect.trim());
    }

    #[test]
    fn a_temporary_worktree_holds_the_tag_and_goes_away() {
        let (d, git) = repo();
        let tmp = tempfile::tempdir().unwrap();
        let wt = tmp.path().join("wt");
        git.worktree_add(&wt, "1.0.0-rc1").unwrap();
        assert!(wt.join("configure.ac").is_file());
        std::fs::write(wt.join("build-output"), "x").unwrap();
        git.worktree_remove(&wt).unwrap();
        assert!(!wt.exists());
        assert!(!d.path().join("build-output").exists());
    }

    #[test]
    fn not_a_repository_is_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let e = Git::open(dir.path()).unwrap_err();
        assert!(e.to_string().contains("not inside a git repository"), "{e}");
    }
}
