//! CI-native input and output shared by every tool: detects GitHub Actions, Jenkins or a
//! terminal, and writes outputs, job summaries, annotations, log groups, masks and JUnit reports
//! in the form each platform documents.

pub mod github;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::ExitCode;
use crate::outside::secrets::redact;
use crate::report::{Report, Severity};

/// Writes a JUnit XML report atomically, for Jenkins's `junit` step.
pub(crate) fn write_junit(path: &Path, suite: &crate::report::junit::Suite) -> Result<(), CiError> {
    let xml = suite.to_xml();
    let xml = redact(&xml);
    crate::outside::fs::write_atomic(path, xml.as_bytes()).map_err(|source| CiError::Junit {
        path: path.to_path_buf(),
        source,
    })
}

/// Where a tool is running.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Platform {
    GitHubActions,
    Jenkins,
    Terminal,
}

/// The CI environment variables release-kit reads. Empty values count as unset, as GitHub
/// passes an unset input as an empty string.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct CiEnv {
    pub github_actions: Option<String>,
    pub github_output: Option<PathBuf>,
    pub github_step_summary: Option<PathBuf>,
    pub github_repository: Option<String>,
    pub github_server_url: Option<String>,
    pub github_run_id: Option<String>,
    pub jenkins_url: Option<String>,
    pub build_url: Option<String>,
    pub no_color: Option<String>,
}

impl CiEnv {
    pub(crate) fn from_process() -> Self {
        Self::from_vars(std::env::vars())
    }

    pub(crate) fn from_vars(vars: impl IntoIterator<Item = (String, String)>) -> Self {
        let set = vars.into_iter().filter(|(_, v)| !v.is_empty());
        envy::from_iter(set).unwrap_or_default()
    }

    pub fn platform(&self) -> Platform {
        if self.github_actions.as_deref() == Some("true") {
            Platform::GitHubActions
        } else if self.jenkins_url.is_some() {
            Platform::Jenkins
        } else {
            Platform::Terminal
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CiError {
    #[error(
        "GITHUB_ACTIONS=true but {var} is not set, so the {what} cannot be written; run this \
         inside a GitHub Actions step, or unset GITHUB_ACTIONS when running locally"
    )]
    Unset {
        var: &'static str,
        what: &'static str,
    },
    #[error("cannot write the {what} to {} ({var}): {source}; check that the path exists and is writable", path.display())]
    Unwritable {
        var: &'static str,
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("output name `{name}` is invalid: use letters, digits, `-` and `_` only")]
    BadOutputName { name: String },
    #[error("the value of output `{name}` contains the delimiter `{delimiter}`; refusing to write it (it could inject other outputs)")]
    DelimiterInValue { name: String, delimiter: String },
    #[error("cannot write the JUnit report to {}: {source}; pass a writable --junit path", path.display())]
    Junit {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl crate::error::Classify for CiError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

/// The platform a tool runs on, and how it talks to it.
#[derive(Debug, Clone)]
pub struct Ci {
    env: CiEnv,
    platform: Platform,
    color: bool,
}

impl Ci {
    pub fn detect() -> Self {
        Self::new(CiEnv::from_process())
    }

    pub fn new(env: CiEnv) -> Self {
        let platform = env.platform();
        let color = platform == Platform::Terminal
            && env.no_color.is_none()
            && std::io::stdout().is_terminal();
        Ci {
            env,
            platform,
            color,
        }
    }

    pub fn platform(&self) -> Platform {
        self.platform
    }

    pub(crate) fn is_github(&self) -> bool {
        self.platform == Platform::GitHubActions
    }

    /// Colour on stdout: only on a terminal, never in CI, never with NO_COLOR.
    pub(crate) fn color(&self) -> bool {
        self.color
    }

    pub fn env(&self) -> &CiEnv {
        &self.env
    }

    /// Sets a step output (`$GITHUB_OUTPUT`). Outside GitHub Actions outputs are only logged:
    /// the same values are in the tool's result on stdout.
    pub fn set_output(&self, name: &str, value: &str) -> Result<(), CiError> {
        if !self.is_github() {
            tracing::debug!("output {name}={value}");
            return Ok(());
        }
        let path = self.env.github_output.as_ref().ok_or(CiError::Unset {
            var: "GITHUB_OUTPUT",
            what: "step outputs",
        })?;
        let block = github::output_block(name, &redact(value), &github::new_delimiter())?;
        append(path, block.as_bytes()).map_err(|source| CiError::Unwritable {
            var: "GITHUB_OUTPUT",
            what: "step outputs",
            path: path.clone(),
            source,
        })
    }

    /// Appends Markdown to the job summary (`$GITHUB_STEP_SUMMARY`), within GitHub's 1 MiB cap.
    pub fn summary(&self, markdown: &str) -> Result<(), CiError> {
        if !self.is_github() {
            return Ok(());
        }
        let path = self
            .env
            .github_step_summary
            .as_ref()
            .ok_or(CiError::Unset {
                var: "GITHUB_STEP_SUMMARY",
                what: "job summary",
            })?;
        let existing = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let markdown = redact(markdown);
        let Some(chunk) = github::summary_chunk(existing, &markdown) else {
            tracing::warn!("the job summary is full (1 MiB); this report is only in the log");
            return Ok(());
        };
        append(path, chunk.as_bytes()).map_err(|source| CiError::Unwritable {
            var: "GITHUB_STEP_SUMMARY",
            what: "job summary",
            path: path.clone(),
            source,
        })
    }

    /// Emits one annotation (GitHub) for a finding; elsewhere findings are in the report.
    pub(crate) fn annotate(
        &self,
        severity: Severity,
        file: Option<&str>,
        line: Option<usize>,
        title: &str,
        message: &str,
    ) {
        if self.is_github() {
            emit(&github::annotation(severity, file, line, title, message));
        }
    }

    /// Emits annotations for every finding of a report, errors first.
    pub(crate) fn annotate_report(&self, report: &Report) {
        let mut findings: Vec<_> = report.findings().collect();
        findings.sort_by_key(|(_, f)| match f.severity {
            Severity::Error => 0,
            Severity::Warning => 1,
            Severity::Notice => 2,
        });
        for (check, f) in findings {
            let loc = f.location.as_ref();
            self.annotate(
                f.severity,
                loc.map(|l| l.file.as_str()),
                loc.and_then(|l| l.line),
                &format!("{}: {}", report.tool, check.id),
                &f.message,
            );
        }
    }

    /// Opens a collapsible log group (GitHub); a heading line elsewhere.
    pub(crate) fn group_start(&self, title: &str) {
        if self.is_github() {
            emit(&format!("::group::{}", github::escape_data(title)));
        } else {
            tracing::info!("==> {title}");
        }
    }

    pub(crate) fn group_end(&self) {
        if self.is_github() {
            emit("::endgroup::");
        }
    }

    /// Masks a secret in GitHub's logs, line by line.
    pub fn mask(&self, secret: &str) {
        if self.is_github() {
            let mut err = std::io::stderr().lock();
            for cmd in github::mask_commands(secret) {
                let _ = writeln!(err, "{cmd}");
            }
        }
    }
}

/// Writes data (results, logs, errors, a child's echoed output) to a stream: every registered
/// secret redacted, and in GitHub Actions every byte neutralized ([`github::neutralize`]) so
/// that no input can inject a workflow command. The one path for text reaching stdout/stderr.
pub(crate) fn write_data(mut w: impl Write, github: bool, text: &str) -> std::io::Result<()> {
    let text = redact(text);
    if github {
        w.write_all(github::neutralize(&text).as_bytes())
    } else {
        w.write_all(text.as_bytes())
    }
}

/// A `MakeWriter` for logs on stderr that neutralizes command-like lines in GitHub Actions.
#[derive(Debug, Clone, Copy)]
pub struct SafeStderr {
    pub github: bool,
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for SafeStderr {
    type Writer = SafeStderrWriter;
    fn make_writer(&'a self) -> Self::Writer {
        SafeStderrWriter {
            github: self.github,
        }
    }
}

#[derive(Debug)]
pub struct SafeStderrWriter {
    github: bool,
}

impl Write for SafeStderrWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        // The fmt layer writes one whole event per call.
        write_data(
            std::io::stderr().lock(),
            self.github,
            &String::from_utf8_lossy(buf),
        )?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Workflow commands go to stderr with the logs: stdout stays clean for results (e.g. JSON).
/// The Actions runner reads commands from both streams. Secrets are redacted (a message may
/// carry a server's echo); only [`Ci::mask`] writes a secret, to register it.
pub(crate) fn emit(line: &str) {
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{}", redact(line));
}

fn append(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    f.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Classify as _;

    fn env(vars: &[(&str, &str)]) -> CiEnv {
        CiEnv::from_vars(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn detects_each_platform() {
        assert_eq!(
            env(&[("GITHUB_ACTIONS", "true")]).platform(),
            Platform::GitHubActions
        );
        assert_eq!(
            env(&[("JENKINS_URL", "http://ci/")]).platform(),
            Platform::Jenkins
        );
        assert_eq!(env(&[]).platform(), Platform::Terminal);
        // An empty value means unset.
        assert_eq!(env(&[("JENKINS_URL", "")]).platform(), Platform::Terminal);
        assert_eq!(
            env(&[("GITHUB_ACTIONS", "false")]).platform(),
            Platform::Terminal
        );
    }

    #[test]
    fn outputs_are_appended_in_delimiter_form() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        let ci = Ci::new(env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", out.to_str().unwrap()),
        ]));
        ci.set_output("version", "1.2.0").unwrap();
        ci.set_output("notes", "line one\nline two").unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        let parsed = github::parse_output_file(&text).unwrap();
        assert_eq!(
            parsed,
            vec![
                ("version".to_string(), "1.2.0".to_string()),
                ("notes".to_string(), "line one\nline two".to_string())
            ]
        );
    }

    #[test]
    fn unset_or_unwritable_output_is_a_usage_error() {
        let ci = Ci::new(env(&[("GITHUB_ACTIONS", "true")]));
        let e = ci.set_output("a", "b").unwrap_err();
        assert!(e.to_string().contains("GITHUB_OUTPUT is not set"), "{e}");
        assert_eq!(e.exit_code(), ExitCode::Usage);

        let ci = Ci::new(env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_OUTPUT", "/nonexistent-dir/out"),
        ]));
        let e = ci.set_output("a", "b").unwrap_err();
        assert!(e.to_string().contains("/nonexistent-dir/out"), "{e}");
        assert_eq!(e.exit_code(), ExitCode::Usage);
    }

    #[test]
    fn terminal_outputs_are_not_written_anywhere() {
        let ci = Ci::new(env(&[("GITHUB_OUTPUT", "/nonexistent-dir/out")]));
        ci.set_output("a", "b").unwrap();
        ci.summary("x").unwrap();
    }

    #[test]
    fn summary_is_appended_and_capped() {
        let dir = tempfile::tempdir().unwrap();
        let s = dir.path().join("summary.md");
        let ci = Ci::new(env(&[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", s.to_str().unwrap()),
        ]));
        ci.summary("# one\n").unwrap();
        ci.summary(&"x".repeat(2 * github::SUMMARY_CAP)).unwrap();
        ci.summary("# three\n").unwrap();
        let len = std::fs::metadata(&s).unwrap().len() as usize;
        assert!(len <= github::SUMMARY_CAP, "{len}");
        let text = std::fs::read_to_string(&s).unwrap();
        assert!(text.starts_with("# one\n"));
        assert!(text.contains("truncated"));
    }
}
