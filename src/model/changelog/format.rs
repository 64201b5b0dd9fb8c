//! The CHANGELOG's format, compiled from `[changelog]`: how a section heading looks, what an
//! issue key is, and which block titles mean highlights, unresolved and resolved issues.

use regex::Regex;

use crate::model::version::Version;
use serde::{Deserialize, Serialize};

/// A block of a release section that the structure check can require.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Required {
    Highlights,
    Unresolved,
    Resolved,
}

impl Required {
    pub fn name(self) -> &'static str {
        match self {
            Required::Highlights => "highlights",
            Required::Unresolved => "unresolved",
            Required::Resolved => "resolved",
        }
    }

    fn parse_list(key: &str, text: &str) -> Result<Vec<Required>, String> {
        let mut out = Vec::new();
        for word in text.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            let r = match word {
                "highlights" => Required::Highlights,
                "unresolved" => Required::Unresolved,
                "resolved" => Required::Resolved,
                other => {
                    return Err(format!(
                        "`changelog.{key}` names an unknown block `{other}`; use a comma-separated list of highlights, unresolved and resolved (or leave it empty)"
                    ))
                }
            };
            if !out.contains(&r) {
                out.push(r);
            }
        }
        Ok(out)
    }
}

/// How a change that touches code but not the CHANGELOG is reported in PR mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Untouched {
    Warning,
    Error,
}

/// The compiled `[changelog]` configuration. Pure: built from [`Settings`], no I/O.
#[derive(Debug, Clone)]
pub struct Format {
    /// The whole heading line, with `version` and `suffix` groups.
    heading: Regex,
    /// The heading's literal start (before `{version}`), to spot headings that do not parse.
    prefix: Option<Regex>,
    template: String,
    pub wip_marker: String,
    wip_lower: String,
    /// An issue key anywhere in a line.
    pub key: Regex,
    /// Exactly one issue key.
    pub key_exact: Regex,
    /// Entries may name their keys anywhere (`- Fix the parser (#12).`), not only at the start.
    pub key_anywhere: bool,
    pub highlights: Regex,
    pub unresolved: Regex,
    pub resolved: Regex,
    pub group: Regex,
    pub regular_release: Vec<Required>,
    pub patch_release: Vec<Required>,
    pub untouched: Untouched,
    pub code_paths: Regex,
    pub skip_marker: String,
    pub skip_label: String,
    pub file: String,
}

/// What a heading-like line turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeadingMatch {
    /// A section heading; `version` is the text where the version goes.
    Heading { version: String, suffix: String },
    /// It starts like a heading but the rest does not fit the pattern.
    Malformed,
    /// Not a heading.
    No,
}

/// The `[changelog]` section of `release.toml`, as written (the defaults describe Mesos).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub file: String,
    /// Section heading pattern: literal text (matched ignoring case, any run of blanks matching
    /// any run of blanks) with `{version}` (required), `{display_name}`, `{name}`, `{date}` (one
    /// word) and `{*}` (anything).
    pub heading: String,
    /// Marker of a section that is still being written.
    pub wip_marker: String,
    /// Regular expression of an issue key.
    pub issue_key: String,
    /// Where an entry names its issue keys: `start` (`[MESOS-1] Fix ...`, the Mesos way) or
    /// `anywhere` (`- Fix the parser (#12).`, the Keep a Changelog way).
    pub issue_key_at: String,
    /// Regular expression of the title line of the highlights block.
    pub highlights: String,
    /// Regular expression of the title line of the unresolved critical issues block.
    pub unresolved: String,
    /// Regular expression of the title line of the resolved issues list.
    pub resolved: String,
    /// Regular expression of a group line inside the resolved list (`** Bug`).
    pub group: String,
    /// Blocks a regular release (X.Y.0) section needs: a comma-separated list of
    /// `highlights`, `unresolved` and `resolved`; empty for none.
    pub regular_release: String,
    /// Blocks a patch release (X.Y.Z, Z > 0) section needs, in the same form.
    pub patch_release: String,
    /// In PR mode, how a change that touches code but not the CHANGELOG is reported:
    /// `warning` or `error`.
    pub untouched: String,
    /// Regular expression of the changed paths (relative to the project) that count as code.
    pub code_paths: String,
    /// A pull request whose title or body contains this text needs no CHANGELOG change.
    pub skip_marker: String,
    /// A pull request carrying this label needs no CHANGELOG change.
    pub skip_label: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            file: "CHANGELOG".into(),
            heading: "Release Notes - {display_name} - Version {version}".into(),
            wip_marker: "(WIP)".into(),
            issue_key: r"[A-Z][A-Z0-9]*-\d+".into(),
            issue_key_at: "start".into(),
            highlights: r"(?i)^(this|the) release (also )?(contains|includes)".into(),
            unresolved: r"(?i)^unresolved critical issues".into(),
            resolved: r"(?i)^all (resolved )?issues".into(),
            group: r"^\s*\*\*\s+\S".into(),
            regular_release: "highlights, unresolved, resolved".into(),
            patch_release: "resolved".into(),
            untouched: "warning".into(),
            code_paths: r"\.(c|cc|cpp|cxx|h|hh|hpp|hxx|ipp|inl|java|py|proto|sh|m4|cmake|am|ac|in)$|(^|/)(CMakeLists\.txt|Makefile|configure)$".into(),
            skip_marker: "[skip changelog]".into(),
            skip_label: "skip-changelog".into(),
        }
    }
}

const PLACEHOLDERS: &str = "{version}, {display_name}, {name}, {date} and {*}";

impl Format {
    /// Compiles the `[changelog]` section; the error names the key and what to write instead.
    pub fn new(c: &Settings, name: &str, display_name: &str) -> Result<Format, String> {
        let regex = |key: &str, pattern: &str| {
            Regex::new(pattern)
                .map_err(|e| format!("`changelog.{key}` is not a valid regular expression: {e}"))
        };
        if c.file.trim().is_empty() {
            return Err(
                "`changelog.file` is empty; name the CHANGELOG file, e.g. file = \"CHANGELOG\""
                    .into(),
            );
        }
        let (heading, prefix) = compile_heading(&c.heading, name, display_name)?;
        let key = regex("issue_key", &c.issue_key)?;
        if key.is_match("") {
            return Err(format!(
                "`changelog.issue_key` `{}` matches the empty string; write a pattern such as `[A-Z][A-Z0-9]*-\\d+`",
                c.issue_key
            ));
        }
        let key_exact = regex("issue_key", &format!("^(?:{})$", c.issue_key))?;
        let key_anywhere = match c.issue_key_at.trim() {
            "start" => false,
            "anywhere" => true,
            other => {
                return Err(format!(
                    "`changelog.issue_key_at` must be `start` or `anywhere`, got `{other}`"
                ))
            }
        };
        let untouched = match c.untouched.trim() {
            "warning" => Untouched::Warning,
            "error" => Untouched::Error,
            other => {
                return Err(format!(
                    "`changelog.untouched` must be `warning` or `error`, got `{other}`"
                ))
            }
        };
        if c.wip_marker.trim().is_empty() {
            return Err(
                "`changelog.wip_marker` is empty; set the marker of an unfinished section, e.g. wip_marker = \"(WIP)\"".into(),
            );
        }
        Ok(Format {
            heading,
            prefix,
            template: c.heading.clone(),
            wip_marker: c.wip_marker.clone(),
            wip_lower: c.wip_marker.to_lowercase(),
            key,
            key_exact,
            key_anywhere,
            highlights: regex("highlights", &c.highlights)?,
            unresolved: regex("unresolved", &c.unresolved)?,
            resolved: regex("resolved", &c.resolved)?,
            group: regex("group", &c.group)?,
            regular_release: Required::parse_list("regular_release", &c.regular_release)?,
            patch_release: Required::parse_list("patch_release", &c.patch_release)?,
            untouched,
            code_paths: regex("code_paths", &c.code_paths)?,
            skip_marker: c.skip_marker.clone(),
            skip_label: c.skip_label.clone(),
            file: c.file.clone(),
        })
    }

    /// The heading a new section for `version` should carry, e.g.
    /// `Release Notes - Mesos - Version 1.11.0` (`{date}` shown as `YYYY-MM-DD`).
    pub fn render_heading(&self, version: Version, display_name: &str, name: &str) -> String {
        self.template
            .replace("{display_name}", display_name)
            .replace("{name}", name)
            .replace("{version}", &version.to_string())
            .replace("{date}", "YYYY-MM-DD")
            .replace("{*}", "")
            .trim_end()
            .to_string()
    }

    /// Whether a heading's text carries the WIP marker (ignoring case).
    pub(crate) fn is_wip(&self, heading: &str) -> bool {
        heading.to_lowercase().contains(&self.wip_lower)
    }

    /// Classifies one line (without its line terminator).
    pub(crate) fn match_heading(&self, line: &str) -> HeadingMatch {
        // Headings start at column 0 (indented text is never a heading), unless the template
        // itself is indented.
        let indented = self.template.starts_with(char::is_whitespace);
        if line.is_empty() || line.starts_with(char::is_whitespace) != indented {
            return HeadingMatch::No;
        }
        let heading_like = match &self.prefix {
            Some(p) => p.is_match(line),
            // A pattern that starts with {version}: a line that starts with a digit.
            None => line.starts_with(|c: char| c.is_ascii_digit()),
        };
        if !heading_like {
            return HeadingMatch::No;
        }
        match self.heading.captures(line) {
            Some(c) => HeadingMatch::Heading {
                version: c["version"].to_string(),
                suffix: c
                    .name("suffix")
                    .map(|m| m.as_str().trim().to_string())
                    .unwrap_or_default(),
            },
            None => HeadingMatch::Malformed,
        }
    }

    /// Whether a changed path (relative to the project) counts as code in PR mode.
    pub(crate) fn is_code(&self, path: &str) -> bool {
        self.code_paths.is_match(path)
    }

    /// The blocks a section for `version` needs.
    pub fn required(&self, version: Version) -> &[Required] {
        if version.is_regular() {
            &self.regular_release
        } else {
            &self.patch_release
        }
    }
}

/// Turns the heading template into (the whole-line regex, the literal-prefix regex).
fn compile_heading(
    template: &str,
    project_name: &str,
    display_name: &str,
) -> Result<(Regex, Option<Regex>), String> {
    if template.matches("{version}").count() != 1 {
        return Err(format!(
            "`changelog.heading` must contain {{version}} exactly once, e.g. \"Release Notes - {{display_name}} - Version {{version}}\" or \"## [{{version}}] - {{date}}\"; got `{template}`"
        ));
    }
    // A template that starts with blanks matches indented headings (a git-log ChangeLog's
    // `    Release libfoo 1.0.4`); otherwise headings start at column 0.
    let lead = if template.starts_with(char::is_whitespace) {
        r"\s+"
    } else {
        ""
    };
    let mut whole = format!("(?i)^{lead}");
    let mut prefix = format!("(?i)^{lead}");
    let mut seen_version = false;
    let mut rest = template.trim();
    while !rest.is_empty() {
        let (piece, after) = match rest.find('{') {
            Some(0) => {
                let end = rest.find('}').ok_or_else(|| {
                    format!("`changelog.heading` has an unclosed `{{` in `{template}`")
                })?;
                let name = &rest[..=end];
                let re = match name {
                    "{version}" => {
                        seen_version = true;
                        r"(?P<version>[0-9A-Za-z][0-9A-Za-z._+~-]*)".to_string()
                    }
                    "{display_name}" => literal(display_name),
                    "{name}" => literal(project_name),
                    "{date}" => r"\S+".to_string(),
                    "{*}" => ".*?".to_string(),
                    other => {
                        return Err(format!(
                            "`changelog.heading` has an unknown placeholder {other}; the placeholders are {PLACEHOLDERS}"
                        ))
                    }
                };
                (re, &rest[end + 1..])
            }
            Some(i) => (literal(&rest[..i]), &rest[i..]),
            None => (literal(rest), ""),
        };
        whole.push_str(&piece);
        if !seen_version {
            prefix.push_str(&piece);
        }
        rest = after;
    }
    // The version is greedy, so whatever follows it is the suffix: " (WIP)", " - cancelled".
    whole.push_str(r"(?P<suffix>.*?)\s*$");
    let whole =
        Regex::new(&whole).map_err(|e| format!("`changelog.heading` cannot be compiled: {e}"))?;
    // "Release Notes - Mesos - Version" alone is a heading with its version missing.
    if let Some(p) = prefix.strip_suffix(r"\s+") {
        prefix = format!(r"{p}(?:\s|$)");
    }
    let prefix = if prefix == "(?i)^" {
        None
    } else {
        Some(
            Regex::new(&prefix)
                .map_err(|e| format!("`changelog.heading` cannot be compiled: {e}"))?,
        )
    };
    Ok((whole, prefix))
}

/// A literal piece of the template: escaped, with any run of blanks matching any run of blanks.
fn literal(text: &str) -> String {
    let mut out = String::new();
    let mut words = text.split_whitespace().peekable();
    if text.starts_with(char::is_whitespace) {
        out.push_str(r"\s+");
    }
    while let Some(w) = words.next() {
        out.push_str(&regex::escape(w));
        if words.peek().is_some() {
            out.push_str(r"\s+");
        }
    }
    if text.ends_with(char::is_whitespace) && !text.trim().is_empty() {
        out.push_str(r"\s+");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format_with(heading: &str) -> Format {
        let c = Settings {
            heading: heading.into(),
            ..Default::default()
        };
        Format::new(&c, "mesos", "Mesos").unwrap()
    }

    fn heading(f: &Format, line: &str) -> Option<(String, String)> {
        match f.match_heading(line) {
            HeadingMatch::Heading { version, suffix } => Some((version, suffix)),
            _ => None,
        }
    }

    #[test]
    fn mesos_headings_with_and_without_markers() {
        let f = Format::new(&Settings::default(), "mesos", "Mesos").unwrap();
        assert_eq!(
            heading(&f, "Release Notes - Mesos - Version 1.11.0"),
            Some(("1.11.0".into(), "".into()))
        );
        assert_eq!(
            heading(
                &f,
                "Release Notes - Mesos - Version 1.3.3 (WIP) - cancelled"
            ),
            Some(("1.3.3".into(), "(WIP) - cancelled".into()))
        );
        assert_eq!(
            heading(&f, "release notes -  Mesos -\tVersion 0.28.0  "),
            Some(("0.28.0".into(), "".into())),
            "case and blanks do not matter"
        );
        assert_eq!(
            f.match_heading("  Release Notes - Mesos - Version 1.0.0"),
            HeadingMatch::No
        );
        assert_eq!(
            f.match_heading("Release Notes - Mesos - Version"),
            HeadingMatch::Malformed
        );
        assert_eq!(f.match_heading("** Bug"), HeadingMatch::No);
        assert!(f.is_wip("Release Notes - Mesos - Version 1.10.1 (wip)"));
        assert_eq!(
            f.render_heading(Version::new(1, 2, 0), "Mesos", "mesos"),
            "Release Notes - Mesos - Version 1.2.0"
        );
    }

    #[test]
    fn keep_a_changelog_and_changes_style_headings() {
        let f = format_with("## [{version}] - {date}");
        assert_eq!(
            heading(&f, "## [1.2.0] - 2026-01-02"),
            Some(("1.2.0".into(), "".into()))
        );
        assert_eq!(
            heading(&f, "## [Unreleased]"),
            None,
            "no date: not a released heading"
        );
        assert_eq!(f.match_heading("### Added"), HeadingMatch::No);
        let f = format_with("## [{version}]{*}");
        assert_eq!(
            heading(&f, "## [Unreleased]"),
            Some(("Unreleased".into(), "".into()))
        );
        let f = format_with("Changes with {display_name} {version}");
        assert_eq!(
            heading(&f, "Changes with Mesos 2.4.58"),
            Some(("2.4.58".into(), "".into()))
        );
        let f = format_with("{version} {date}");
        assert_eq!(
            heading(&f, "1.2.0 2026-01-02"),
            Some(("1.2.0".into(), "".into()))
        );
        assert_eq!(f.match_heading("Some prose"), HeadingMatch::No);
    }

    #[test]
    fn bad_patterns_name_the_key() {
        let mut c = Settings {
            heading: "Release {name}".into(),
            ..Default::default()
        };
        assert!(Format::new(&c, "mesos", "Mesos")
            .unwrap_err()
            .contains("{version}"));
        c.heading = "{version} {when}".into();
        assert!(Format::new(&c, "mesos", "Mesos")
            .unwrap_err()
            .contains("unknown placeholder {when}"));
        let c = Settings {
            regular_release: "highlights, features".into(),
            ..Default::default()
        };
        assert!(Format::new(&c, "mesos", "Mesos")
            .unwrap_err()
            .contains("unknown block `features`"));
        let c = Settings {
            untouched: "fatal".into(),
            ..Default::default()
        };
        assert!(Format::new(&c, "mesos", "Mesos")
            .unwrap_err()
            .contains("changelog.untouched"));
        let c = Settings {
            issue_key: "x*".into(),
            ..Default::default()
        };
        assert!(Format::new(&c, "mesos", "Mesos")
            .unwrap_err()
            .contains("empty string"));
    }
}
