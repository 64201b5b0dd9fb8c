//! The svn dist backend (dist.apache.org): the real `svn` client, non-interactive, credentials
//! from the environment (`RELEASE_KIT_SVN_USERNAME`, `RELEASE_KIT_SVN_PASSWORD`; the password
//! goes through stdin with `--password-from-stdin`). One commit per candidate.

use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};

use crate::error::{Error, ExitCode, Result};
use crate::outside::dist_area::{same_files, superseded_note, Staged, Upload};
use crate::outside::process::{Cmd, CmdError};

#[derive(Debug, thiserror::Error)]
pub enum SvnError {
    #[error("svn refused the credentials for {url}: {detail}\nset RELEASE_KIT_SVN_USERNAME and RELEASE_KIT_SVN_PASSWORD to an account with commit access")]
    Credentials { url: String, detail: String },
    #[error("the svn commit to {url} was rejected by a hook: {detail}\nnothing was committed; fix what the hook reports and re-run")]
    Hook { url: String, detail: String },
    #[error("the dist area {url} cannot be reached: {detail}\ncheck dist.dev (RELEASE_KIT_DIST_DEV) and the network, then re-run")]
    Unreachable { url: String, detail: String },
    #[error(transparent)]
    Cmd(#[from] CmdError),
}

impl crate::error::Classify for SvnError {
    fn exit_code(&self) -> ExitCode {
        match self {
            SvnError::Credentials { .. } => ExitCode::Usage,
            SvnError::Hook { .. } => ExitCode::Problems,
            SvnError::Unreachable { .. } | SvnError::Cmd(_) => ExitCode::Outside,
        }
    }
}

/// Credentials from the environment.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    pub username: Option<String>,
    pub password: Option<SecretString>,
}

impl Credentials {
    pub(crate) fn from_env(env: &[(String, String)]) -> Self {
        use crate::config::env_value;
        Credentials {
            username: env_value(env, "RELEASE_KIT_SVN_USERNAME"),
            password: env_value(env, "RELEASE_KIT_SVN_PASSWORD").map(SecretString::from),
        }
    }
}

/// An svn repository URL with credentials.
#[derive(Debug, Clone)]
pub struct Svn {
    pub url: String,
    pub creds: Credentials,
}

impl Svn {
    fn cmd(&self, why: &str, sub: &str) -> Cmd {
        self.with_credentials(
            Cmd::new("svn", why)
                .arg(sub)
                .args(["--non-interactive", "--no-auth-cache"]),
        )
    }

    /// Adds the credentials: the user name as an argument, the password through stdin only.
    fn with_credentials(&self, mut c: Cmd) -> Cmd {
        if let Some(u) = &self.creds.username {
            c = c.args(["--username", u]);
        }
        if let Some(p) = &self.creds.password {
            c = c
                .arg("--password-from-stdin")
                .stdin(format!("{}\n", p.expose_secret()));
        }
        c
    }

    fn classify(&self, e: CmdError) -> SvnError {
        let detail = e.stderr().unwrap_or_default().trim().to_string();
        let has = |codes: &[&str]| codes.iter().any(|c| detail.contains(c));
        if has(&[
            "E170001",
            "E215004",
            "E175013",
            "Authentication failed",
            "Authorization failed",
        ]) {
            SvnError::Credentials {
                url: self.url.clone(),
                detail,
            }
        } else if has(&["E165001", "E165002", "hook"]) {
            SvnError::Hook {
                url: self.url.clone(),
                detail,
            }
        } else if has(&[
            "E170013", "E170000", "E180001", "E175002", "E210002", "E000111", "E731001", "E670002",
        ]) {
            SvnError::Unreachable {
                url: self.url.clone(),
                detail,
            }
        } else {
            SvnError::Cmd(e)
        }
    }

    fn run(&self, c: Cmd) -> Result<crate::outside::process::Output, SvnError> {
        c.run().map_err(|e| self.classify(e))
    }

    /// The entries of the dist directory (directories end with `/`).
    pub fn list(&self) -> Result<Vec<String>, SvnError> {
        let out = self.run(self.cmd("list the dist area", "list").arg(&self.url))?;
        Ok(out
            .stdout_str()
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect())
    }

    fn cat(&self, path: &str) -> Option<Vec<u8>> {
        self.read_file(path).ok().flatten()
    }

    /// Every entry below the URL, relative (directories end with `/`).
    pub(crate) fn list_recursive(&self) -> Result<Vec<String>, SvnError> {
        let out = self.run(
            self.cmd("list the repository", "list")
                .arg("--recursive")
                .arg(&self.url),
        )?;
        Ok(out
            .stdout_str()
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect())
    }

    /// Applies `ops` (svnmucc actions such as `put LOCAL URL`, `mkdir URL`) in one commit,
    /// without a checkout.
    pub(crate) fn commit_ops(&self, message: &str, ops: &[String]) -> Result<(), SvnError> {
        let c = self.with_credentials(
            Cmd::new("svnmucc", "commit to the repository in one revision").args([
                "--non-interactive",
                "--no-auth-cache",
                "-m",
                message,
            ]),
        );
        self.run(c.args(ops))?;
        Ok(())
    }

    /// A file's bytes from the dist area (`path` relative to the URL); `None` when it does not
    /// exist there.
    pub(crate) fn read_file(&self, path: &str) -> Result<Option<Vec<u8>>, SvnError> {
        let cmd = self
            .cmd(&format!("read {path} from the dist area"), "cat")
            .arg(format!("{}/{path}", self.url));
        match cmd.run() {
            Ok(o) => Ok(Some(o.stdout)),
            Err(e) => {
                let missing = e.stderr().is_some_and(|s| {
                    ["E160013", "W160013", "E200009", "E195012"]
                        .iter()
                        .any(|c| s.contains(c))
                });
                if missing {
                    Ok(None)
                } else {
                    Err(self.classify(e))
                }
            }
        }
    }

    fn last_changed(&self, path: &str) -> Result<Option<u64>, SvnError> {
        let out = self.run(
            self.cmd("read the candidate's revision", "info")
                .args(["--show-item", "last-changed-revision"])
                .arg(format!("{}/{path}", self.url)),
        )?;
        Ok(out.stdout_str().trim().parse().ok())
    }

    /// Stages a candidate in one commit (adding it, and marking or removing older ones).
    pub fn upload(&self, up: &Upload<'_>, work: &Path) -> Result<Staged> {
        let existing = self.list()?;
        let url = format!("{}/{}", self.url, up.tag);
        let mut staged = Staged {
            url: url.clone(),
            ..Staged::default()
        };
        let has = |name: &str| existing.iter().any(|e| e.trim_end_matches('/') == name);
        if has(up.tag) {
            same_files(Path::new(&url), up.files, |name| {
                self.cat(&format!("{}/{name}", up.tag))
            })?;
            staged.already_there = true;
            staged.revision = self.last_changed(up.tag)?;
            staged.superseded = up.older.iter().filter(|o| has(o)).cloned().collect();
            return Ok(staged);
        }
        let wc = work.join("svn-dist");
        let _ = std::fs::remove_dir_all(&wc);
        self.run(
            self.cmd("check out the dist area (empty)", "checkout")
                .args(["--depth", "empty"])
                .arg(&self.url)
                .arg(&wc),
        )?;
        let dir = wc.join(up.tag);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io("create", &dir, e))?;
        for f in up.files {
            let name = f.file_name().expect("staged files have names");
            std::fs::copy(f, dir.join(name))
                .map_err(|e| Error::io("copy into the svn working copy", f, e))?;
        }
        self.run(
            Cmd::new("svn", "add the candidate")
                .args(["add", "--quiet"])
                .arg(&dir),
        )?;
        for old in up.older.iter().filter(|o| has(o)) {
            let od: PathBuf = wc.join(old);
            if up.remove_superseded {
                self.run(
                    self.cmd("fetch the superseded candidate's entry", "update")
                        .args(["--set-depth", "empty"])
                        .arg(&od),
                )?;
                self.run(
                    Cmd::new("svn", "remove the superseded candidate")
                        .args(["rm", "--quiet"])
                        .arg(&od),
                )?;
            } else {
                self.run(
                    self.cmd("fetch the superseded candidate", "update")
                        .args(["--set-depth", "files"])
                        .arg(&od),
                )?;
                let note = od.join("SUPERSEDED");
                let new = !note.exists();
                crate::outside::fs::write_atomic(&note, superseded_note(up.tag).as_bytes())
                    .map_err(|e| Error::io("write", &note, e))?;
                if new {
                    self.run(
                        Cmd::new("svn", "add the superseded note")
                            .args(["add", "--quiet"])
                            .arg(&note),
                    )?;
                }
            }
            staged.superseded.push(old.clone());
        }
        let out = self.run(
            self.cmd("commit the candidate", "commit")
                .args(["-m", &up.message])
                .arg(&wc),
        )?;
        staged.revision = out
            .stdout_str()
            .lines()
            .find_map(|l| l.strip_prefix("Committed revision "))
            .and_then(|r| r.trim_end_matches('.').parse().ok());
        let _ = std::fs::remove_dir_all(&wc);
        Ok(staged)
    }
}
