//! Version sites: the places in a project's build files that carry its version.
//!
//! A site is a file plus either one pattern capturing the whole version
//! (`AC_INIT([mesos], [{version}])`) or three patterns capturing major, minor and patch on
//! their own lines (`set(MESOS_MAJOR_VERSION {major})`, ...). Patterns are templates by default:
//! literal text with placeholders `{version}`, `{major}`, `{minor}`, `{patch}`, `{name}` (the
//! project name) and `{NAME}` (upper case); a run of blanks matches any run of blanks.
//! With `syntax = "regex"` they are regular expressions with a group named `value`.
//!
//! Reading reports file:line for every part; rewriting replaces only the captured digits and
//! keeps every other byte as it was.

use std::ops::Range;

use regex::bytes::Regex;
use serde::{Deserialize, Serialize};

use crate::error::ExitCode;
use crate::model::version::{parse_component, Part, Version};
use crate::report::{Check, Finding, Location, Report};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Syntax {
    #[default]
    Template,
    Regex,
}

impl Syntax {
    fn is_template(&self) -> bool {
        *self == Syntax::Template
    }
}

/// A version site as written in `release.toml` (`[[version_sites]]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteSpec {
    /// Path relative to the project root.
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minor: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patch: Option<String>,
    #[serde(default, skip_serializing_if = "Syntax::is_template")]
    pub syntax: Syntax,
}

impl SiteSpec {
    pub fn whole(file: &str, pattern: &str) -> Self {
        SiteSpec {
            file: file.into(),
            version: Some(pattern.into()),
            major: None,
            minor: None,
            patch: None,
            syntax: Syntax::Template,
        }
    }

    pub fn parts(file: &str, major: &str, minor: &str, patch: &str) -> Self {
        SiteSpec {
            file: file.into(),
            version: None,
            major: Some(major.into()),
            minor: Some(minor.into()),
            patch: Some(patch.into()),
            syntax: Syntax::Template,
        }
    }

    /// Compiles the patterns; `name` fills `{name}`/`{NAME}`.
    pub(crate) fn compile(&self, name: &str) -> Result<Site, String> {
        if self.file.trim().is_empty() {
            return Err("`file` is empty".into());
        }
        let path = std::path::Path::new(&self.file);
        if path.is_absolute() || self.file.starts_with('/') || self.file.starts_with('\\') {
            return Err(format!(
                "`file` `{}` is an absolute path; version sites live inside the project, so give a path relative to the project root",
                self.file
            ));
        }
        if path
            .components()
            .any(|c| matches!(c, std::path::Component::ParentDir))
        {
            return Err(format!(
                "`file` `{}` leaves the project directory (`..`); bump-version only rewrites files inside the project, so give a path relative to the project root without `..`",
                self.file
            ));
        }
        let matchers = match (&self.version, &self.major, &self.minor, &self.patch) {
            (Some(v), None, None, None) => vec![Matcher::new(None, v, self.syntax, name)?],
            (None, Some(a), Some(b), Some(c)) => vec![
                Matcher::new(Some(Part::Major), a, self.syntax, name)?,
                Matcher::new(Some(Part::Minor), b, self.syntax, name)?,
                Matcher::new(Some(Part::Patch), c, self.syntax, name)?,
            ],
            (Some(_), _, _, _) => {
                return Err("give either `version` or `major`/`minor`/`patch`, not both".into())
            }
            _ => {
                return Err(
                    "give `version = \"...{version}...\"`, or all three of `major`, `minor` and `patch`".into(),
                )
            }
        };
        Ok(Site {
            file: self.file.clone(),
            matchers,
        })
    }
}

#[derive(Debug, Clone)]
struct Matcher {
    part: Option<Part>,
    source: String,
    regex: Regex,
    /// What a matching line looks like (templates only), for messages.
    example: Option<String>,
}

impl Matcher {
    fn new(part: Option<Part>, pattern: &str, syntax: Syntax, name: &str) -> Result<Self, String> {
        let key = part.map_or("version", Part::name);
        let (regex, example) = match syntax {
            Syntax::Template => {
                let (re, ex) = template_regex(pattern, part, name)
                    .map_err(|e| format!("`{key}` pattern `{pattern}`: {e}"))?;
                (re, Some(ex))
            }
            Syntax::Regex => {
                let re = Regex::new(pattern)
                    .map_err(|e| format!("`{key}` is not a valid regular expression: {e}"))?;
                if !re.capture_names().any(|n| n == Some("value")) {
                    return Err(format!(
                        "`{key}` regular expression `{pattern}` needs a group named `value`, e.g. (?P<value>[0-9]+)"
                    ));
                }
                (pattern.to_string(), None)
            }
        };
        let regex = Regex::new(&format!("(?m){regex}")).map_err(|e| e.to_string())?;
        Ok(Matcher {
            part,
            source: pattern.to_string(),
            regex,
            example,
        })
    }
}

/// Turns a template into a regular expression and an example line.
fn template_regex(
    template: &str,
    part: Option<Part>,
    name: &str,
) -> Result<(String, String), String> {
    let example_version = Version::new(1, 12, 0);
    let wanted = part.map_or("version", Part::name);
    let mut re = String::new();
    let mut example = String::new();
    let mut found = 0;
    let mut rest = template;
    let mut blank_run = false;
    while let Some(ch) = rest.chars().next() {
        if ch == '{' {
            let close = rest.find('}').ok_or("a `{` is never closed")?;
            let placeholder = &rest[1..close];
            match placeholder {
                "name" => {
                    re.push_str(&regex::escape(name));
                    example.push_str(name);
                }
                "NAME" => {
                    re.push_str(&regex::escape(&name.to_uppercase()));
                    example.push_str(&name.to_uppercase());
                }
                p if p == wanted => {
                    found += 1;
                    if part.is_none() {
                        re.push_str(r"(?P<value>[0-9][0-9A-Za-z.+~-]*)");
                        example.push_str(&example_version.to_string());
                    } else {
                        re.push_str(r"(?P<value>[0-9]+)");
                        example.push_str(
                            &example_version.get(part.unwrap_or(Part::Major)).to_string(),
                        );
                    }
                }
                "version" | "major" | "minor" | "patch" => {
                    return Err(format!(
                        "it uses {{{placeholder}}} but this key captures {{{wanted}}}"
                    ))
                }
                other => return Err(format!("unknown placeholder `{{{other}}}`")),
            }
            rest = &rest[close + 1..];
            blank_run = false;
            continue;
        }
        if ch == ' ' || ch == '\t' {
            if !blank_run {
                re.push_str("[ \t]*");
                example.push(' ');
            }
            blank_run = true;
        } else {
            re.push_str(&regex::escape(ch.encode_utf8(&mut [0; 4])));
            example.push(ch);
            blank_run = false;
        }
        rest = &rest[ch.len_utf8()..];
    }
    match found {
        0 => Err(format!("it must contain the placeholder {{{wanted}}}")),
        1 => Ok((re, example)),
        _ => Err(format!("it contains {{{wanted}}} more than once")),
    }
}

/// A compiled version site.
#[derive(Debug, Clone)]
pub struct Site {
    pub file: String,
    matchers: Vec<Matcher>,
}

/// One captured part of a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartReading {
    /// `None` when the site captures the whole version.
    pub part: Option<Part>,
    pub line: usize,
    pub text: String,
    #[serde(skip)]
    pub span: Range<usize>,
}

/// What a site says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteValue {
    pub file: String,
    pub version: Version,
    pub parts: Vec<PartReading>,
}

impl SiteValue {
    pub fn location(&self) -> Location {
        let first = self.parts.iter().map(|p| p.line).min();
        let last = self.parts.iter().map(|p| p.line).max();
        Location {
            file: self.file.clone(),
            line: first,
            end_line: last.filter(|l| Some(*l) != first),
        }
    }

    /// `configure.ac:21` or `CMakeLists.txt:20-22`.
    pub fn at(&self) -> String {
        self.location().to_string()
    }
}

/// One changed part in a rewrite.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub file: String,
    pub line: usize,
    pub part: Option<Part>,
    pub old: String,
    pub new: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SiteError {
    #[error("version site {file} does not exist in {place}; create it, or fix `file` in the [[version_sites]] entry of release.toml")]
    Missing { file: String, place: String },
    #[error("{file}: no line matches the {key} pattern `{pattern}`{}; fix the line, or the pattern in the [[version_sites]] entry of release.toml", example.as_ref().map(|e| format!(" (expected a line like `{e}`)")).unwrap_or_default())]
    NoMatch {
        file: String,
        key: String,
        pattern: String,
        example: Option<String>,
    },
    #[error("{file}: the {key} pattern `{pattern}` matches {count} places (lines {lines}); a site must match exactly once, so make the pattern more specific in release.toml")]
    Ambiguous {
        file: String,
        key: String,
        pattern: String,
        count: usize,
        lines: String,
    },
    #[error("{file}:{line}: `{text}` is not a valid {what}: {reason}; correct it (e.g. with `bump-version set X.Y.Z`)")]
    BadValue {
        file: String,
        line: usize,
        text: String,
        what: String,
        reason: String,
    },
    #[error("{file} is not UTF-8 text around line {line}; version sites must be text files")]
    NotText { file: String, line: usize },
}

impl crate::error::Classify for SiteError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

fn line_of(content: &[u8], offset: usize) -> usize {
    content[..offset].iter().filter(|&&b| b == b'\n').count() + 1
}

impl Site {
    /// Reads the site from the file's content.
    pub fn read(&self, content: &[u8]) -> Result<SiteValue, SiteError> {
        let mut parts = Vec::new();
        for m in &self.matchers {
            let key = m.part.map_or("version", Part::name).to_string();
            let found: Vec<Range<usize>> = m
                .regex
                .captures_iter(content)
                .filter_map(|c| c.name("value").map(|v| v.range()))
                .collect();
            let span = match found.as_slice() {
                [] => {
                    return Err(SiteError::NoMatch {
                        file: self.file.clone(),
                        key,
                        pattern: m.source.clone(),
                        example: m.example.clone(),
                    })
                }
                [one] => one.clone(),
                many => {
                    return Err(SiteError::Ambiguous {
                        file: self.file.clone(),
                        key,
                        pattern: m.source.clone(),
                        count: many.len(),
                        lines: many
                            .iter()
                            .map(|r| line_of(content, r.start).to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })
                }
            };
            let line = line_of(content, span.start);
            let text = std::str::from_utf8(&content[span.clone()])
                .map_err(|_| SiteError::NotText {
                    file: self.file.clone(),
                    line,
                })?
                .to_string();
            parts.push(PartReading {
                part: m.part,
                line,
                text,
                span,
            });
        }
        let bad = |p: &PartReading, what: &str, reason: String| SiteError::BadValue {
            file: self.file.clone(),
            line: p.line,
            text: p.text.clone(),
            what: what.to_string(),
            reason,
        };
        let version = match parts.as_slice() {
            [whole] => whole
                .text
                .parse::<Version>()
                .map_err(|e| bad(whole, "version", e.reason))?,
            [a, b, c] => {
                let n = |p: &PartReading| {
                    let part = p.part.unwrap_or(Part::Major);
                    parse_component(&p.text, part.name())
                        .map_err(|r| bad(p, &format!("{} number", part.name()), r))
                };
                Version::new(n(a)?, n(b)?, n(c)?)
            }
            _ => unreachable!("a site has one or three matchers"),
        };
        Ok(SiteValue {
            file: self.file.clone(),
            version,
            parts,
        })
    }

    /// Rewrites the site to `to`, changing only the captured text.
    pub fn rewrite(&self, content: &[u8], to: Version) -> Result<(Vec<u8>, Vec<Edit>), SiteError> {
        let value = self.read(content)?;
        let mut parts = value.parts.clone();
        parts.sort_by_key(|p| std::cmp::Reverse(p.span.start));
        let mut out = content.to_vec();
        let mut edits = Vec::new();
        for p in parts {
            let new = match p.part {
                None => to.to_string(),
                Some(part) => to.get(part).to_string(),
            };
            if new != p.text {
                out.splice(p.span.clone(), new.bytes());
                edits.push(Edit {
                    file: self.file.clone(),
                    line: p.line,
                    part: p.part,
                    old: p.text.clone(),
                    new,
                });
            }
        }
        edits.reverse();
        Ok((out, edits))
    }
}

/// Whether all sites say the same version: `Ok(version)` or the distinct values found.
pub(crate) fn agreement(values: &[SiteValue]) -> Result<Version, Vec<Version>> {
    let mut distinct: Vec<Version> = values.iter().map(|v| v.version).collect();
    distinct.sort();
    distinct.dedup();
    match distinct.as_slice() {
        [one] => Ok(*one),
        _ => Err(distinct),
    }
}

/// Builds the consistency report for a set of site readings.
pub(crate) fn check_sites(
    tool: &str,
    subject: String,
    values: &[SiteValue],
    expected: Option<(Version, String)>,
) -> Report {
    let mut report = Report::new(tool, subject);
    let mut agree = Check::new(
        "version-sites-agree",
        "every version site carries the same version",
    );
    match agreement(values) {
        Ok(v) => {
            for s in values {
                agree.push(Finding::notice(
                    format!("{} says {}", s.file, s.version),
                    Some(s.location()),
                ));
            }
            agree = agree.with_summary(format!("{} sites say {v}", values.len()));
        }
        Err(distinct) => {
            let list = distinct
                .iter()
                .map(Version::to_string)
                .collect::<Vec<_>>()
                .join(", ");
            for s in values {
                agree.push(Finding::error(
                    format!(
                        "{} says {}; the sites disagree ({list}): make them agree with `bump-version set X.Y.Z`",
                        s.file, s.version
                    ),
                    Some(s.location()),
                ));
            }
            agree.summary = format!(
                "sites disagree: {}",
                values
                    .iter()
                    .map(|s| format!("{} {}", s.at(), s.version))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    report.push(agree);
    let mut matches = Check::new(
        "version-sites-match",
        "the version sites carry the expected version",
    );
    match expected {
        None => matches = matches.skipped("nothing to compare with (pass --tag or --expect)"),
        Some((want, from)) => {
            for s in values.iter().filter(|s| s.version != want) {
                matches.push(Finding::error(
                    format!(
                        "{} says {}, not {want} (from {from}); run `bump-version set {want} --commit`",
                        s.file, s.version
                    ),
                    Some(s.location()),
                ));
            }
            if matches.findings.is_empty() {
                matches.summary = format!("all sites say {want}, as {from} expects");
            } else {
                matches.summary = format!(
                    "{} of {} sites differ from {want} ({from})",
                    matches.findings.len(),
                    values.len()
                );
            }
        }
    }
    report.push(matches);
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Classify as _;

    const CONFIGURE_AC: &str = "# Licensed to the ASF.\n\nAC_PREREQ([2.61])\nAC_INIT([mesos], [1.12.0])\n\nAC_CANONICAL_HOST\n";
    const CMAKE: &str = "cmake_minimum_required(VERSION 3.7.0)\nproject(Mesos)\nset(MESOS_MAJOR_VERSION 1)\nset(MESOS_MINOR_VERSION 12)\nset(MESOS_PATCH_VERSION 0)\nset(PACKAGE_VERSION\n  ${MESOS_MAJOR_VERSION}.${MESOS_MINOR_VERSION}.${MESOS_PATCH_VERSION})\n";

    fn mesos_sites() -> (Site, Site) {
        (
            SiteSpec::whole("configure.ac", "AC_INIT([{name}], [{version}])")
                .compile("mesos")
                .unwrap(),
            SiteSpec::parts(
                "CMakeLists.txt",
                "set({NAME}_MAJOR_VERSION {major})",
                "set({NAME}_MINOR_VERSION {minor})",
                "set({NAME}_PATCH_VERSION {patch})",
            )
            .compile("mesos")
            .unwrap(),
        )
    }

    #[test]
    fn reads_mesos_sites_with_lines() {
        let (ac, cmake) = mesos_sites();
        let a = ac.read(CONFIGURE_AC.as_bytes()).unwrap();
        assert_eq!(a.version, Version::new(1, 12, 0));
        assert_eq!(a.at(), "configure.ac:4");
        let c = cmake.read(CMAKE.as_bytes()).unwrap();
        assert_eq!(c.version, Version::new(1, 12, 0));
        assert_eq!(c.at(), "CMakeLists.txt:3-5");
        assert_eq!(agreement(&[a, c]).unwrap(), Version::new(1, 12, 0));
    }

    #[test]
    fn rewrite_changes_only_the_digits() {
        let (ac, cmake) = mesos_sites();
        let (out, edits) = cmake
            .rewrite(CMAKE.as_bytes(), Version::new(1, 13, 0))
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            CMAKE.replace("MINOR_VERSION 12", "MINOR_VERSION 13")
        );
        assert_eq!(edits.len(), 1);
        assert_eq!(
            (edits[0].line, edits[0].old.as_str(), edits[0].new.as_str()),
            (4, "12", "13")
        );
        let (out, _) = ac
            .rewrite(CONFIGURE_AC.as_bytes(), Version::new(2, 0, 0))
            .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            CONFIGURE_AC.replace("1.12.0", "2.0.0")
        );
    }

    #[test]
    fn rewrite_keeps_crlf_and_odd_spacing() {
        let ac = SiteSpec::whole("configure.ac", "AC_INIT([{name}], [{version}])")
            .compile("mesos")
            .unwrap();
        let text = b"x\r\nAC_INIT( [mesos],\t[1.2.3] )\r\n\xffbinary-ish\r\n";
        // Spacing differs from the template only in blanks.
        let ac2 = SiteSpec::whole("configure.ac", "AC_INIT( [{name}], [{version}] )")
            .compile("mesos")
            .unwrap();
        assert!(ac.read(text).is_err());
        let (out, _) = ac2.rewrite(text, Version::new(1, 2, 4)).unwrap();
        assert_eq!(
            out,
            b"x\r\nAC_INIT( [mesos],\t[1.2.4] )\r\n\xffbinary-ish\r\n".to_vec()
        );
    }

    #[test]
    fn libyaml_style_parts() {
        let ac = "m4_define([YAML_MAJOR], 0)\nm4_define([YAML_MINOR], 2)\nm4_define([YAML_PATCH], 5)\nAC_INIT([yaml], [YAML_MAJOR.YAML_MINOR.YAML_PATCH])\n";
        let cm =
            "set (YAML_VERSION_MAJOR 0)\nset (YAML_VERSION_MINOR 2)\nset (YAML_VERSION_PATCH 5)\n";
        let a = SiteSpec::parts(
            "configure.ac",
            "m4_define([YAML_MAJOR], {major})",
            "m4_define([YAML_MINOR], {minor})",
            "m4_define([YAML_PATCH], {patch})",
        )
        .compile("yaml")
        .unwrap();
        let c = SiteSpec::parts(
            "CMakeLists.txt",
            "set (YAML_VERSION_MAJOR {major})",
            "set (YAML_VERSION_MINOR {minor})",
            "set (YAML_VERSION_PATCH {patch})",
        )
        .compile("yaml")
        .unwrap();
        assert_eq!(
            a.read(ac.as_bytes()).unwrap().version,
            Version::new(0, 2, 5)
        );
        assert_eq!(
            c.read(cm.as_bytes()).unwrap().version,
            Version::new(0, 2, 5)
        );
        let (out, edits) = a.rewrite(ac.as_bytes(), Version::new(0, 3, 0)).unwrap();
        assert_eq!(edits.len(), 2);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            ac.replace("MINOR], 2", "MINOR], 3")
                .replace("PATCH], 5", "PATCH], 0")
        );
    }

    #[test]
    fn no_match_shows_an_example_line() {
        let (ac, _) = mesos_sites();
        let e = ac.read(b"AC_INIT([other], [1.0.0])\n").unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("no line matches") && m.contains("`AC_INIT([mesos], [1.12.0])`"),
            "{m}"
        );
        assert_eq!(e.exit_code(), ExitCode::Usage);
    }

    #[test]
    fn a_pattern_matching_twice_names_both_lines() {
        let (ac, _) = mesos_sites();
        let e = ac
            .read(b"AC_INIT([mesos], [1.0.0])\ndnl AC_INIT([mesos], [0.9.0])\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("matches 2 places (lines 1, 2)"), "{e}");
    }

    #[test]
    fn bad_values_are_reported_with_file_and_line() {
        let (ac, cmake) = mesos_sites();
        let e = ac
            .read(b"\nAC_INIT([mesos], [1.12])\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("configure.ac:2: `1.12` is not a valid version"),
            "{e}"
        );
        let e = cmake.read(b"set(MESOS_MAJOR_VERSION 1)\nset(MESOS_MINOR_VERSION 012)\nset(MESOS_PATCH_VERSION 0)\n").unwrap_err().to_string();
        assert!(
            e.contains("CMakeLists.txt:2") && e.contains("leading zero"),
            "{e}"
        );
    }

    #[test]
    fn disagreement_lists_the_distinct_versions() {
        let (ac, cmake) = mesos_sites();
        let a = ac.read(CONFIGURE_AC.as_bytes()).unwrap();
        let c = cmake
            .read(
                CMAKE
                    .replace("MINOR_VERSION 12", "MINOR_VERSION 11")
                    .as_bytes(),
            )
            .unwrap();
        assert_eq!(
            agreement(&[a, c]).unwrap_err(),
            vec![Version::new(1, 11, 0), Version::new(1, 12, 0)]
        );
    }

    #[test]
    fn regex_syntax_needs_a_value_group() {
        let mut spec = SiteSpec::whole("version.txt", r"^VERSION=(?P<value>\S+)$");
        spec.syntax = Syntax::Regex;
        let site = spec.compile("x").unwrap();
        assert_eq!(
            site.read(b"A=1\nVERSION=3.4.5\n").unwrap().version,
            Version::new(3, 4, 5)
        );
        spec.version = Some(r"^VERSION=(\S+)$".into());
        assert!(spec.compile("x").unwrap_err().contains("named `value`"));
    }

    #[test]
    fn spec_shape_errors() {
        let mut s = SiteSpec::whole("f", "x {version}");
        s.major = Some("{major}".into());
        assert!(s.compile("x").unwrap_err().contains("not both"));
        let s = SiteSpec {
            file: "f".into(),
            version: None,
            major: Some("{major}".into()),
            minor: None,
            patch: None,
            syntax: Syntax::Template,
        };
        assert!(s.compile("x").unwrap_err().contains("all three"));
        assert!(SiteSpec::whole("f", "VERSION")
            .compile("x")
            .unwrap_err()
            .contains("{version}"));
        assert!(SiteSpec::parts("f", "{minor}", "{minor}", "{patch}")
            .compile("x")
            .unwrap_err()
            .contains("captures {major}"));
    }
}
