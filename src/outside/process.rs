//! The one wrapper through which every external command (git, svn, gpg, make, rpmbuild, ...) runs.
//!
//! Each command records *why* it runs; its command line is logged at debug level; a failure
//! carries the command, the exit status and the captured output. Secrets never go in argv:
//! feed them through [`Cmd::stdin`].

use std::collections::VecDeque;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::error::ExitCode;

/// Where [`Cmd::stream`] copies a child's live output when asked to echo it: set once at start
/// by the binary (cli/) so that echoed lines go through the same redaction and GitHub Actions
/// neutralization as every other printed text; unset, lines go to stderr with secrets redacted.
static ECHO: std::sync::OnceLock<fn(&[u8])> = std::sync::OnceLock::new();

/// Sets where echoed child output goes (see [`ECHO`]); the first call wins.
pub fn set_echo(sink: fn(&[u8])) {
    let _ = ECHO.set(sink);
}

/// An external command about to run.
#[derive(Clone)]
pub struct Cmd {
    program: OsString,
    args: Vec<OsString>,
    why: String,
    cwd: Option<PathBuf>,
    envs: Vec<(OsString, Option<OsString>)>,
    stdin: Option<Vec<u8>>,
    timeout: Option<Duration>,
}

impl fmt::Debug for Cmd {
    // The stdin payload may be a secret: it is never shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cmd")
            .field("command", &self.command_line())
            .field("why", &self.why)
            .field("cwd", &self.cwd)
            .finish_non_exhaustive()
    }
}

/// What a finished command printed.
#[derive(Debug, Clone)]
pub struct Output {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

impl Output {
    pub(crate) fn stdout_str(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub(crate) fn stderr_str(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    pub fn success(&self) -> bool {
        self.status.success()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CmdError {
    #[error("`{program}` is not installed (needed to {why}); {hint}")]
    NotFound {
        program: String,
        why: String,
        hint: String,
    },
    #[error("could not start `{command}` (to {why}): {source}")]
    Spawn {
        command: String,
        why: String,
        source: io::Error,
    },
    #[error(
        "`{command}` failed with {status} (while trying to {why}){}",
        detail(stderr, stdout)
    )]
    Failed {
        command: String,
        why: String,
        status: String,
        stdout: String,
        stderr: String,
    },
    #[error(
        "`{command}` did not finish within {after} (while trying to {why}) and was stopped; raise the timeout or find out why it hangs{}",
        detail(stderr, stdout)
    )]
    TimedOut {
        command: String,
        why: String,
        after: String,
        stdout: String,
        stderr: String,
    },
    #[error("cannot write the log {} of `{command}`: {source}", log.display())]
    Log {
        command: String,
        log: PathBuf,
        source: io::Error,
    },
}

impl CmdError {
    /// The captured standard error of a command that ran and failed.
    pub fn stderr(&self) -> Option<&str> {
        match self {
            CmdError::Failed { stderr, .. } => Some(stderr),
            CmdError::TimedOut { stderr, .. } => Some(stderr),
            _ => None,
        }
    }
}

impl crate::error::Classify for CmdError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Outside
    }
}

fn detail(stderr: &str, stdout: &str) -> String {
    let text = if stderr.trim().is_empty() {
        stdout
    } else {
        stderr
    };
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    // The last lines are the ones that say what went wrong.
    let lines: Vec<&str> = text.lines().collect();
    let tail = &lines[lines.len().saturating_sub(20)..];
    format!(":\n  {}", tail.join("\n  "))
}

/// How to install a missing program on Debian/Ubuntu.
pub fn install_hint(program: &str) -> String {
    let package = match program {
        "svn" | "svnadmin" | "svnserve" => "subversion",
        "gpg" | "gpgconf" | "gpg-agent" => "gnupg",
        "rpmbuild" | "rpmsign" => "rpm",
        "rpm" => "rpm",
        "createrepo_c" => "createrepo-c",
        "autoreconf" | "autoconf" => "autoconf",
        "automake" | "aclocal" => "automake",
        "libtoolize" => "libtool",
        "make" => "make",
        "kill" => "procps",
        "cmake" | "ctest" | "cpack" => "cmake",
        "git" => "git",
        other => return format!("install `{other}` and make sure it is on PATH"),
    };
    format!("install it with `sudo apt-get install {package}` (Debian/Ubuntu) and retry")
}

fn quote(arg: &OsStr) -> String {
    let s = arg.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@+%,^{}".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

impl Cmd {
    /// A command and the reason it runs, e.g. `Cmd::new("git", "read tag 1.0.0-rc1")`.
    pub fn new(program: impl AsRef<OsStr>, why: impl Into<String>) -> Self {
        Cmd {
            program: program.as_ref().to_owned(),
            args: Vec::new(),
            why: why.into(),
            cwd: None,
            envs: Vec::new(),
            stdin: None,
            timeout: None,
        }
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.args.push(arg.as_ref().to_owned());
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_owned()));
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cwd = Some(dir.as_ref().to_owned());
        self
    }

    pub fn env(mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.envs
            .push((key.as_ref().to_owned(), Some(value.as_ref().to_owned())));
        self
    }

    pub fn env_remove(mut self, key: impl AsRef<OsStr>) -> Self {
        self.envs.push((key.as_ref().to_owned(), None));
        self
    }

    /// Bytes written to the command's standard input (the way secrets reach a command).
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    pub fn why(&self) -> &str {
        &self.why
    }

    /// Kills the command (and every process it started) when it runs longer than `limit`;
    /// [`Cmd::output`] then fails with [`CmdError::TimedOut`].
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// The command line, shell-quoted, for logs and error messages.
    pub(crate) fn command_line(&self) -> String {
        std::iter::once(&self.program)
            .chain(&self.args)
            .map(|a| quote(a))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn build(&self) -> Command {
        let mut command = Command::new(&self.program);
        command.args(&self.args);
        if let Some(dir) = &self.cwd {
            command.current_dir(dir);
        }
        for (k, v) in &self.envs {
            match v {
                Some(v) => command.env(k, v),
                None => command.env_remove(k),
            };
        }
        command
    }

    /// Runs the command and returns its output whatever its exit status; only a command that
    /// cannot be started is an error.
    pub fn output(&self) -> Result<Output, CmdError> {
        tracing::debug!(why = %self.why, cwd = ?self.cwd, "run: {}", self.command_line());
        let mut command = self.build();
        command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.timeout.is_some() {
            // Its own process group, so that a timeout kills the children of a shell too.
            std::os::unix::process::CommandExt::process_group(&mut command, 0);
        }
        let mut child = command.spawn().map_err(|source| self.spawn_error(source))?;
        if let Some(bytes) = &self.stdin {
            let mut pipe = child.stdin.take().expect("stdin was piped");
            // A command may exit without reading all of its input; that is its business.
            let _ = pipe.write_all(bytes);
            drop(pipe);
        }
        if let Some(limit) = self.timeout {
            return self.wait_with_timeout(child, limit);
        }
        let out = child
            .wait_with_output()
            .map_err(|source| self.spawn_error(source))?;
        tracing::trace!(status = %out.status, "done: {}", self.command_line());
        Ok(Output {
            status: out.status,
            stdout: out.stdout,
            stderr: out.stderr,
        })
    }

    fn wait_with_timeout(
        &self,
        mut child: std::process::Child,
        limit: Duration,
    ) -> Result<Output, CmdError> {
        use std::io::Read;
        let reader = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut buf);
                }
                buf
            })
        };
        let out_thread = reader(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let err_thread = reader(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        // A blocking wait in its own thread: the exit is seen the moment it happens (commands
        // are timed, e.g. by bench-compare), and the limit is a receive timeout.
        let pid = child.id();
        let (done_tx, done_rx) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let status = child.wait();
            let _ = done_tx.send(());
            status
        });
        let timed_out = matches!(
            done_rx.recv_timeout(limit),
            Err(mpsc::RecvTimeoutError::Timeout)
        );
        if timed_out {
            // Kill the whole process group (the child leads it): never the bare pid, which the
            // waiter may already have reaped and the system given to another process.
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
        let waited = waiter
            .join()
            .unwrap_or_else(|_| {
                Err(io::Error::other(
                    "the thread waiting for the command panicked",
                ))
            })
            .map_err(|source| self.spawn_error(source))?;
        let status = (!timed_out).then_some(waited);
        let stdout = out_thread.join().unwrap_or_default();
        let stderr = err_thread.join().unwrap_or_default();
        match status {
            Some(status) => {
                tracing::trace!(status = %status, "done: {}", self.command_line());
                Ok(Output {
                    status,
                    stdout,
                    stderr,
                })
            }
            None => Err(CmdError::TimedOut {
                command: self.command_line(),
                why: self.why.clone(),
                after: human_duration(limit),
                stdout: String::from_utf8_lossy(&stdout).into_owned(),
                stderr: String::from_utf8_lossy(&stderr).into_owned(),
            }),
        }
    }

    /// Runs the command and requires it to succeed.
    pub fn run(&self) -> Result<Output, CmdError> {
        let out = self.output()?;
        if out.success() {
            Ok(out)
        } else {
            Err(self.failed(&out))
        }
    }

    /// The error for a command that ran and failed, with what it printed.
    pub fn failed(&self, out: &Output) -> CmdError {
        CmdError::Failed {
            command: self.command_line(),
            why: self.why.clone(),
            status: describe_status(out.status),
            stdout: out.stdout_str(),
            stderr: out.stderr_str(),
        }
    }

    fn spawn_error(&self, source: io::Error) -> CmdError {
        if source.kind() == io::ErrorKind::NotFound {
            let program = self.program.to_string_lossy().into_owned();
            CmdError::NotFound {
                hint: install_hint(&program),
                program,
                why: self.why.clone(),
            }
        } else {
            CmdError::Spawn {
                command: self.command_line(),
                why: self.why.clone(),
                source,
            }
        }
    }
}

/// How many of a streamed command's last lines are kept for the error message.
pub(crate) const TAIL_LINES: usize = 40;

/// How a streamed command ended (it succeeded; failures are [`CmdError`]s).
#[derive(Debug, Clone)]
pub struct Streamed {
    pub elapsed: Duration,
    /// The last lines it printed (stdout and stderr interleaved).
    pub tail: Vec<String>,
}

impl Cmd {
    /// Runs a long command (a build) with its stdout and stderr appended line by line to `log`
    /// and, when `echo` is set, copied live to our stderr. After the [`Cmd::timeout`] limit the command and every
    /// process it started (its process group) are stopped. A failure carries the last
    /// [`TAIL_LINES`] lines it printed, like [`Cmd::run`] carries stderr.
    pub fn stream(&self, log: &Path, echo: bool) -> Result<Streamed, CmdError> {
        use std::os::unix::process::CommandExt;
        let timeout = self.timeout;
        tracing::debug!(why = %self.why, cwd = ?self.cwd, "stream: {}", self.command_line());
        let log_error = |source| CmdError::Log {
            command: self.command_line(),
            log: log.to_path_buf(),
            source,
        };
        let mut log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .map_err(log_error)?;
        writeln!(log_file, "$ {}", self.command_line()).map_err(log_error)?;
        let mut command = self.build();
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let start = Instant::now();
        let mut child = command.spawn().map_err(|source| self.spawn_error(source))?;
        let (tx, rx) = mpsc::channel::<Vec<u8>>();
        let mut readers = Vec::new();
        let pipes: Vec<Box<dyn io::Read + Send>> = vec![
            Box::new(child.stdout.take().expect("stdout was piped")),
            Box::new(child.stderr.take().expect("stderr was piped")),
        ];
        for pipe in pipes {
            let tx = tx.clone();
            readers.push(std::thread::spawn(move || {
                let mut reader = io::BufReader::new(pipe);
                let mut line = Vec::new();
                while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
                    if tx.send(std::mem::take(&mut line)).is_err() {
                        break;
                    }
                }
            }));
        }
        drop(tx);
        let deadline = timeout.map(|t| start + t);
        let mut tail: VecDeque<String> = VecDeque::with_capacity(TAIL_LINES);
        let mut timed_out = false;
        loop {
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) => left,
                    None => {
                        timed_out = true;
                        break;
                    }
                },
                None => Duration::from_secs(3600),
            };
            match rx.recv_timeout(wait) {
                Ok(mut line) => {
                    if !line.ends_with(b"\n") {
                        line.push(b'\n');
                    }
                    let text = String::from_utf8_lossy(&line);
                    let redacted = crate::outside::secrets::redact(&text);
                    log_file.write_all(redacted.as_bytes()).map_err(log_error)?;
                    if echo {
                        match ECHO.get() {
                            Some(sink) => sink(redacted.as_bytes()),
                            None => {
                                let _ = io::stderr().lock().write_all(redacted.as_bytes());
                            }
                        }
                    }
                    if tail.len() == TAIL_LINES {
                        tail.pop_front();
                    }
                    tail.push_back(String::from_utf8_lossy(&line).trim_end().to_string());
                }
                Err(mpsc::RecvTimeoutError::Timeout) => continue,
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
        }
        if timed_out {
            stop_group(child.id());
            let _ = child.kill();
        }
        let status = child.wait().map_err(|source| self.spawn_error(source))?;
        // Anything left in the pipes after the group was stopped.
        for line in rx.try_iter() {
            let _ = log_file.write_all(&line);
        }
        for r in readers {
            let _ = r.join();
        }
        let elapsed = start.elapsed();
        let tail: Vec<String> = tail.into_iter().collect();
        if timed_out {
            let _ = writeln!(log_file, "# stopped after {}s (timeout)", elapsed.as_secs());
            return Err(CmdError::TimedOut {
                command: self.command_line(),
                why: self.why.clone(),
                after: human_duration(timeout.unwrap_or_default()),
                stdout: String::new(),
                stderr: tail.join("\n"),
            });
        }
        let _ = writeln!(
            log_file,
            "# {} after {}s",
            describe_status(status),
            elapsed.as_secs()
        );
        if !status.success() {
            return Err(CmdError::Failed {
                command: self.command_line(),
                why: self.why.clone(),
                status: describe_status(status),
                stdout: String::new(),
                stderr: tail.join("\n"),
            });
        }
        Ok(Streamed { elapsed, tail })
    }
}

/// A duration as people write it: `500ms`, `30s`, `2h 5m 3s`.
pub(crate) fn human_duration(d: Duration) -> String {
    let secs = d.as_secs();
    if secs == 0 {
        return format!("{}ms", d.as_millis());
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s}s"),
        _ => format!("{h}h {m}m {s}s"),
    }
}

/// Stops a process group: TERM, then KILL after a grace period (procps `kill`, which takes a
/// negative process group id; dash's builtin does not).
fn stop_group(pgid: u32) {
    let signal = |sig: &str| {
        let _ = Cmd::new("kill", "stop a command that ran past its timeout")
            .args(["-s", sig, "--", &format!("-{pgid}")])
            .output();
    };
    signal("TERM");
    std::thread::sleep(Duration::from_secs(2));
    signal("KILL");
}

fn describe_status(status: ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return format!("signal {signal}");
        }
    }
    match status.code() {
        Some(code) => format!("exit status {code}"),
        None => status.to_string(),
    }
}

/// Where `program` is found on PATH.
pub fn find_on_path(program: &str) -> Option<PathBuf> {
    let paths = std::env::var_os("PATH")?;
    std::env::split_paths(&paths)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

/// Whether `program` can be found on PATH.
pub fn on_path(program: &str) -> bool {
    find_on_path(program).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Classify as _;

    #[test]
    fn failure_names_the_command_the_reason_and_the_stderr() {
        let err = Cmd::new("sh", "prove failures are explained")
            .args(["-c", "echo out; echo 'bad thing happened' >&2; exit 7"])
            .run()
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("`sh -c 'echo out; echo '\\''bad thing happened'\\'' >&2; exit 7'`"),
            "{msg}"
        );
        assert!(msg.contains("exit status 7"), "{msg}");
        assert!(msg.contains("prove failures are explained"), "{msg}");
        assert!(msg.contains("bad thing happened"), "{msg}");
        assert_eq!(err.exit_code(), ExitCode::Outside);
    }

    #[test]
    fn missing_program_says_how_to_install_it() {
        let err = Cmd::new("svn-definitely-not-here", "check out dist")
            .run()
            .unwrap_err();
        assert!(matches!(err, CmdError::NotFound { .. }));
        assert!(install_hint("svn").contains("apt-get install subversion"));
        assert!(install_hint("rpmbuild").contains("apt-get install rpm"));
    }

    #[test]
    fn stdin_reaches_the_command_and_is_not_in_debug_output() {
        let cmd = Cmd::new("cat", "echo a secret back").stdin("s3cret-passphrase");
        assert!(!format!("{cmd:?}").contains("s3cret"));
        assert_eq!(cmd.run().unwrap().stdout_str(), "s3cret-passphrase");
    }

    #[test]
    fn streamed_output_goes_to_the_log_and_a_failure_keeps_the_tail() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("build.log");
        let ok = Cmd::new("sh", "print a few lines")
            .args(["-c", "echo one; echo two >&2"])
            .stream(&log, false)
            .unwrap();
        assert_eq!(ok.tail.len(), 2);
        let err = Cmd::new("sh", "build something that breaks")
            .args([
                "-c",
                "for i in $(seq 1 100); do echo line $i; done; echo 'error: boom' >&2; exit 2",
            ])
            .stream(&log, false)
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("exit status 2") && msg.contains("error: boom"),
            "{msg}"
        );
        assert!(
            msg.contains("line 100") && !msg.contains("line 50\n"),
            "{msg}"
        );
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.contains("$ sh -c 'echo one; echo two >&2'"), "{text}");
        assert!(
            text.contains("line 1\n") && text.contains("error: boom"),
            "{text}"
        );
    }

    #[test]
    fn a_streamed_command_that_hangs_is_stopped_with_its_children() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("hang.log");
        let start = Instant::now();
        let err = Cmd::new("sh", "run a build that hangs")
            .args(["-c", "echo started; sleep 600 & sleep 600; wait"])
            .timeout(Duration::from_millis(500))
            .stream(&log, false)
            .unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(20));
        assert!(matches!(err, CmdError::TimedOut { .. }), "{err}");
        let msg = err.to_string();
        assert!(
            msg.contains("did not finish within 500ms") && msg.contains("started"),
            "{msg}"
        );
    }

    #[test]
    fn env_and_cwd_are_applied() {
        let dir = tempfile::tempdir().unwrap();
        let out = Cmd::new("sh", "print env and cwd")
            .args(["-c", "echo $RK_TEST_VAR; pwd"])
            .env("RK_TEST_VAR", "hello")
            .current_dir(dir.path())
            .run()
            .unwrap()
            .stdout_str();
        assert!(out.starts_with("hello\n"));
        assert!(out
            .trim_end()
            .ends_with(dir.path().file_name().unwrap().to_str().unwrap()));
    }
}
