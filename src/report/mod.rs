//! The result of a checking tool: named checks with their findings, rendered for a terminal,
//! as stable JSON, as a Markdown job summary and (in [`junit`]) as JUnit XML; and the escapers
//! every renderer uses for text it did not write (Markdown, XML, terminal control characters).

pub mod junit;

use std::fmt::Write as _;

use serde::Serialize;

use crate::error::ExitCode;

/// The JSON schema identifier; bump it when a field changes meaning.
pub(crate) const SCHEMA: &str = "release-kit/report/v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Warn,
    Skip,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "FAIL",
            Status::Warn => "warn",
            Status::Skip => "skip",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Notice,
}

/// A place in a file a finding points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<usize>,
}

impl Location {
    pub fn new(file: impl Into<String>, line: Option<usize>) -> Self {
        Location {
            file: file.into(),
            line,
            end_line: None,
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.line, self.end_line) {
            (Some(l), Some(e)) if e != l => write!(f, "{}:{l}-{e}", self.file),
            (Some(l), _) => write!(f, "{}:{l}", self.file),
            (None, _) => f.write_str(&self.file),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub severity: Severity,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Location>,
}

impl Finding {
    pub fn error(message: impl Into<String>, location: Option<Location>) -> Self {
        Finding {
            severity: Severity::Error,
            message: message.into(),
            location,
        }
    }

    pub fn warning(message: impl Into<String>, location: Option<Location>) -> Self {
        Finding {
            severity: Severity::Warning,
            message: message.into(),
            location,
        }
    }

    pub fn notice(message: impl Into<String>, location: Option<Location>) -> Self {
        Finding {
            severity: Severity::Notice,
            message: message.into(),
            location,
        }
    }
}

/// One named check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Stable identifier, e.g. `version-sites-agree`.
    pub id: String,
    /// What the check asserts, in words.
    pub title: String,
    pub status: Status,
    /// One line saying what was found.
    pub summary: String,
    pub findings: Vec<Finding>,
}

impl Check {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Check {
            id: id.into(),
            title: title.into(),
            status: Status::Pass,
            summary: String::new(),
            findings: Vec::new(),
        }
    }

    /// Adds a finding; an error fails the check, a warning makes a passing check warn.
    pub fn push(&mut self, finding: Finding) {
        match finding.severity {
            Severity::Error => self.status = Status::Fail,
            Severity::Warning if self.status == Status::Pass => self.status = Status::Warn,
            _ => {}
        }
        self.findings.push(finding);
    }

    pub(crate) fn with_summary(mut self, summary: impl Into<String>) -> Self {
        self.summary = summary.into();
        self
    }

    pub fn skipped(mut self, why: impl Into<String>) -> Self {
        self.status = Status::Skip;
        self.summary = why.into();
        self
    }
}

/// Everything a checking tool found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub schema: &'static str,
    pub tool: String,
    /// What was checked, e.g. `hello 1.1.0-rc1 in /path/to/repo`.
    pub subject: String,
    pub ok: bool,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn new(tool: impl Into<String>, subject: impl Into<String>) -> Self {
        Report {
            schema: SCHEMA,
            tool: tool.into(),
            subject: subject.into(),
            ok: true,
            checks: Vec::new(),
        }
    }

    pub fn push(&mut self, check: Check) {
        if check.status == Status::Fail {
            self.ok = false;
        }
        self.checks.push(check);
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        if self.ok {
            ExitCode::Ok
        } else {
            ExitCode::Problems
        }
    }

    pub fn findings(&self) -> impl Iterator<Item = (&Check, &Finding)> {
        self.checks
            .iter()
            .flat_map(|c| c.findings.iter().map(move |f| (c, f)))
    }

    pub(crate) fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises") + "\n"
    }

    /// Human-readable text; `color` adds ANSI colours (only on a terminal). Control characters
    /// in the data (other than line breaks) are shown escaped, so no input can drive a terminal.
    pub(crate) fn to_text(&self, color: bool) -> String {
        let clean = self.sanitized();
        clean.render_text(color)
    }

    fn sanitized(&self) -> Report {
        let mut r = self.clone();
        r.subject = escape_controls(&r.subject);
        for c in &mut r.checks {
            c.summary = escape_controls(&c.summary);
            for f in &mut c.findings {
                f.message = escape_controls(&f.message);
                if let Some(l) = &mut f.location {
                    l.file = escape_controls(&l.file);
                }
            }
        }
        r
    }

    fn render_text(&self, color: bool) -> String {
        let paint = |s: &str, code: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let mut out = String::new();
        let _ = writeln!(out, "{}: {}", self.tool, self.subject);
        for check in &self.checks {
            let label = match check.status {
                Status::Pass => paint("pass", "32"),
                Status::Fail => paint("FAIL", "1;31"),
                Status::Warn => paint("warn", "33"),
                Status::Skip => paint("skip", "2"),
            };
            let _ = write!(out, "  [{label}] {}", check.id);
            if !check.summary.is_empty() {
                let _ = write!(out, ": {}", check.summary);
            }
            out.push('\n');
            for f in &check.findings {
                let sev = match f.severity {
                    Severity::Error => paint("error", "31"),
                    Severity::Warning => paint("warning", "33"),
                    Severity::Notice => "note".to_string(),
                };
                let at = f
                    .location
                    .as_ref()
                    .map(|l| format!("{l}: "))
                    .unwrap_or_default();
                let mut lines = f.message.lines();
                let _ = writeln!(out, "         {at}{sev}: {}", lines.next().unwrap_or(""));
                for more in lines {
                    let _ = writeln!(out, "           {more}");
                }
            }
        }
        let failed = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count();
        let verdict = if self.ok {
            paint(&format!("all {} checks passed", self.checks.len()), "32")
        } else {
            paint(
                &format!("{failed} of {} checks failed", self.checks.len()),
                "1;31",
            )
        };
        let _ = writeln!(out, "{verdict}");
        out
    }

    /// A Markdown job summary: a table of checks, then the findings.
    pub(crate) fn to_markdown(&self) -> String {
        let mut out = String::new();
        let icon = if self.ok { "✅" } else { "❌" };
        let _ = writeln!(
            out,
            "### {icon} {} — {}\n",
            self.tool,
            md_escape(&self.subject)
        );
        out.push_str("| Check | Result | Details |\n| --- | --- | --- |\n");
        for c in &self.checks {
            let result = match c.status {
                Status::Pass => "✅ pass",
                Status::Fail => "❌ fail",
                Status::Warn => "⚠️ warn",
                Status::Skip => "⏭️ skip",
            };
            let id = md_code(&c.id);
            let _ = writeln!(out, "| {id} | {result} | {} |", md_escape(&c.summary));
        }
        let findings: Vec<_> = self.findings().collect();
        if !findings.is_empty() {
            out.push_str("\n<details open><summary>Findings</summary>\n\n");
            for (c, f) in findings {
                let at = f
                    .location
                    .as_ref()
                    .map(|l| format!("{} ", md_code(&l.to_string())))
                    .unwrap_or_default();
                let sev = match f.severity {
                    Severity::Error => "**error**",
                    Severity::Warning => "warning",
                    Severity::Notice => "note",
                };
                let _ = writeln!(
                    out,
                    "- {sev} {}: {at}{}",
                    md_code(&c.id),
                    md_escape(&f.message)
                );
            }
            out.push_str("\n</details>\n");
        }
        out
    }
}

/// Shows control characters other than newline and tab as escapes (`\u{1b}`).
pub(crate) fn escape_controls(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// Escapes text for (GitHub-flavoured) Markdown, right both in a table cell and in running text:
/// no emphasis, code, link, HTML, entity or strikethrough in `s` takes effect, a pipe cannot end a
/// table cell, a line break becomes `<br>` (the text stays on its line), and `s` cannot open a
/// heading, a list or a code block where it starts a line (leading blanks are dropped).
pub(crate) fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    // Leading blanks show nowhere, and could make a code block where the text starts a line;
    // so could a block marker: `# x`, `- x`, `+ x`, `1. x`, `1) x`.
    let body = s.trim_start_matches([' ', '\t']);
    let digits = body.len() - body.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let rest = if body.starts_with(['#', '-', '+']) {
        out.push('\\');
        body
    } else if (1..=9).contains(&digits)
        && body[digits..].starts_with(['.', ')'])
        && body[digits + 1..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
    {
        out.push_str(&body[..digits]);
        out.push('\\');
        &body[digits..]
    } else {
        body
    };
    let mut chars = rest.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(ch);
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            _ => out.push(ch),
        }
    }
    out
}

/// Shows `s` as inline code, right both in a table cell and in running text: a code span when
/// that shows `s` exactly (code spans take everything literally but backticks, pipes in a table
/// and line breaks), else `<code>` around the [`md_escape`]d text.
pub(crate) fn md_code(s: &str) -> String {
    if s.is_empty() || s.contains(['`', '|', '\n', '\r']) {
        format!("<code>{}</code>", md_escape(s))
    } else {
        format!("`{s}`")
    }
}

/// Escapes text for XML (JUnit reports, SVG plots) and drops characters XML 1.0 cannot carry.
pub(crate) fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        let mut r = Report::new("bump-version", "hello 1.1.0");
        let mut c = Check::new("version-sites-agree", "all version sites agree");
        c.push(Finding::error(
            "CMakeLists.txt says 1.0.0, configure.ac says 1.1.0",
            Some(Location::new("CMakeLists.txt", Some(4))),
        ));
        r.push(c.with_summary("2 sites disagree"));
        r.push(Check::new("matches-tag", "sites match the tag").skipped("no --tag given"));
        r
    }

    #[test]
    fn a_failed_check_fails_the_report() {
        let r = sample();
        assert!(!r.ok);
        assert_eq!(r.exit_code(), ExitCode::Problems);
        assert_eq!(r.checks[1].status, Status::Skip);
    }

    #[test]
    fn text_lists_each_check_and_finding_with_location() {
        let t = sample().to_text(false);
        assert!(
            t.contains("[FAIL] version-sites-agree: 2 sites disagree"),
            "{t}"
        );
        assert!(
            t.contains("CMakeLists.txt:4: error: CMakeLists.txt says 1.0.0"),
            "{t}"
        );
        assert!(t.contains("1 of 2 checks failed"), "{t}");
        assert!(!t.contains('\x1b'));
        assert!(sample().to_text(true).contains('\x1b'));
    }

    #[test]
    fn json_is_stable() {
        let v: serde_json::Value = serde_json::from_str(&sample().to_json()).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["ok"], false);
        assert_eq!(v["checks"][0]["status"], "fail");
        assert_eq!(v["checks"][0]["findings"][0]["location"]["line"], 4);
        assert_eq!(v["checks"][1]["status"], "skip");
    }

    #[test]
    fn text_shows_terminal_escapes_harmlessly() {
        let mut r = Report::new("t", "x\u{1b}[2Jy");
        let mut c = Check::new("c", "c");
        c.push(Finding::error(
            "bell\u{7}",
            Some(Location::new("f\u{1b}]0;title", Some(1))),
        ));
        r.push(c);
        let t = r.to_text(false);
        assert!(!t.contains('\u{1b}') && !t.contains('\u{7}'), "{t:?}");
        assert!(t.contains("x\\u{1b}[2Jy"), "{t}");
    }

    #[test]
    fn xml_drops_control_characters() {
        assert_eq!(xml_escape("a\u{1}b\u{1b}[31mc\n"), "ab[31mc\n");
    }

    #[test]
    fn markdown_escapes_user_text() {
        let mut r = Report::new("t", "<script>|x");
        let mut c = Check::new("c", "c");
        c.push(Finding::error("a | b <img> `x`", None));
        r.push(c);
        let md = r.to_markdown();
        assert!(md.contains("&lt;script&gt;\\|x"), "{md}");
        assert!(md.contains("a \\| b &lt;img&gt; \\`x\\`"), "{md}");
    }

    #[test]
    fn markdown_escaping_is_right_in_table_cells_and_running_text() {
        // Checked against a GFM renderer (comrak) when written: each shows as the input, in a table
        // cell and in a list item, with no markup, HTML or block taking effect.
        for (text, escaped) in [
            (
                "**bold** _it_ ~~x~~",
                "\\*\\*bold\\*\\* \\_it\\_ \\~\\~x\\~\\~",
            ),
            ("[l](http://e.x)", "\\[l\\](http://e.x)"),
            ("&#x3C;b&gt;", "&amp;#x3C;b&amp;gt;"),
            ("a\\b | c", "a\\\\b \\| c"),
            ("# h", "\\# h"),
            ("  - item", "\\- item"),
            ("     code", "code"),
            ("12) item", "12\\) item"),
            ("1.2.0 is out", "1.2.0 is out"),
            ("one\r\ntwo\nthree", "one<br>two<br>three"),
        ] {
            assert_eq!(md_escape(text), escaped, "{text:?}");
        }
    }

    #[test]
    fn inline_code_is_a_code_span_unless_that_would_change_it() {
        assert_eq!(
            md_code("Alloc_BENCHMARK_Test.Add/1"),
            "`Alloc_BENCHMARK_Test.Add/1`"
        );
        assert_eq!(md_code("a<b>*c*"), "`a<b>*c*`");
        assert_eq!(md_code("A|b`c"), "<code>A\\|b\\`c</code>");
        assert_eq!(md_code("x\ny"), "<code>x<br>y</code>");
    }
}
