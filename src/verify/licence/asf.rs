//! The audit's results as report checks: licence headers (grouped by class), no compiled
//! code, bundled archives named in LICENSE, and NOTICE's year and ASF line. Pure.

use std::collections::BTreeMap;

use super::{Audit, Bundled, FileVerdict};
use crate::model::licence::Class;
use crate::report::{Check, Finding, Location};

/// What the checks are judged against.
#[derive(Debug, Clone)]
pub struct Judge<'a> {
    /// The year the release is made in (NOTICE must cover it).
    pub release_year: i16,
    /// An ASF project: NOTICE must carry the ASF line.
    pub asf: bool,
    /// SPDX ids accepted besides Category A.
    pub approved: &'a [String],
}

/// The four checks of an audit.
pub fn checks(audit: &Audit, judge: &Judge<'_>) -> Vec<Check> {
    vec![
        headers_check(&audit.files, judge),
        compiled_check(&audit.files),
        bundled_check(&audit.bundled, audit.license.as_deref()),
        notice_check(audit.license.as_deref(), audit.notice.as_deref(), judge),
    ]
}

fn accepted(f: &FileVerdict, judge: &Judge<'_>) -> bool {
    match &f.verdict.class {
        Class::Unapproved { licence } => judge
            .approved
            .iter()
            .any(|a| a.eq_ignore_ascii_case(licence)),
        c => !c.is_problem(),
    }
}

/// Counts per group, in a fixed order: "1843 approved, 12 generated, ...".
pub fn counts(files: &[FileVerdict]) -> String {
    let mut by: BTreeMap<&str, usize> = BTreeMap::new();
    for f in files {
        *by.entry(f.verdict.class.group()).or_default() += 1;
    }
    [
        "approved",
        "generated",
        "binary",
        "excluded",
        "empty",
        "compiled",
        "unapproved",
        "unknown",
    ]
    .iter()
    .filter_map(|g| by.get(g).map(|n| format!("{n} {g}")))
    .collect::<Vec<_>>()
    .join(", ")
}

fn headers_check(files: &[FileVerdict], judge: &Judge<'_>) -> Check {
    let mut c = Check::new(
        "licence-headers",
        "every file has an approved licence header or is generated, binary or excluded",
    );
    let mut bad: Vec<&FileVerdict> = files
        .iter()
        .filter(|f| !matches!(f.verdict.class, Class::Compiled { .. }) && !accepted(f, judge))
        .collect();
    // Grouped: unapproved first, then unknown, each by path.
    bad.sort_by(|a, b| {
        (a.verdict.class.group() != "unapproved", &a.path)
            .cmp(&(b.verdict.class.group() != "unapproved", &b.path))
    });
    for f in bad {
        let (line, text) = match &f.verdict.evidence {
            Some(e) => (Some(e.line), format!(" (line {}: `{}`)", e.line, e.text)),
            None => (None, String::new()),
        };
        let what = match &f.verdict.class {
            Class::Unapproved { licence } => format!("is under {licence}, which the ASF does not allow in a source release{text}; remove the file, or replace it with a Category A licensed one"),
            Class::Unknown { why } => format!("has {why}{text}; add the ASF licence header, or list the file in the exclusions file (licence.exclusions_file) or licence.exclude"),
            _ => continue,
        };
        c.push(Finding::error(
            format!("`{}` {what}", f.path),
            Some(Location::new(f.path.clone(), line)),
        ));
    }
    c.summary = format!("{} file(s): {}", files.len(), counts(files));
    c
}

fn compiled_check(files: &[FileVerdict]) -> Check {
    let mut c = Check::new(
        "no-compiled-code",
        "the source release holds no compiled code (found by content)",
    );
    for f in files {
        if let Class::Compiled { what } = &f.verdict.class {
            c.push(Finding::error(
                format!("`{}` is compiled code ({what}); a source release must not hold compiled code: remove it from the distribution", f.path),
                Some(Location::new(f.path.clone(), None)),
            ));
        }
    }
    c.summary = if c.findings.is_empty() {
        "none".into()
    } else {
        format!("{} compiled file(s)", c.findings.len())
    };
    c
}

/// The names a LICENSE may use for a bundled component.
fn mentions(license: &str, b: &Bundled) -> bool {
    let name = b.name.to_ascii_lowercase();
    let mut variants = vec![name.clone(), name.replace(['-', '_'], " ")];
    for suffix in ["-release", "-stable", "-src", "-source"] {
        if let Some(s) = name.strip_suffix(suffix) {
            variants.push(s.to_string());
        }
    }
    if let Some(first) = name.split(['-', '_']).next().filter(|f| f.len() >= 4) {
        variants.push(first.to_string());
    }
    variants.iter().any(|v| license.contains(v.as_str()))
}

fn bundled_check(bundled: &[Bundled], license: Option<&[u8]>) -> Check {
    let mut c = Check::new(
        "bundled-archives",
        "each bundled third-party archive is named in LICENSE",
    );
    let text = license
        .map(|l| String::from_utf8_lossy(l).to_ascii_lowercase())
        .unwrap_or_default();
    for b in bundled {
        let version = if b.version.is_empty() {
            String::new()
        } else {
            format!(" {}", b.version)
        };
        if mentions(&text, b) {
            c.push(Finding::notice(
                format!("`{}`: {}{version}, named in LICENSE", b.path, b.name),
                Some(Location::new(b.path.clone(), None)),
            ));
        } else {
            c.push(Finding::error(
                format!("`{}` bundles {}{version}, but LICENSE does not mention {}; add its licence to LICENSE (or a pointer to it under licenses/)", b.path, b.name, b.name),
                Some(Location::new(b.path.clone(), None)),
            ));
        }
    }
    c.summary = format!("{} bundled archive(s)", bundled.len());
    c
}

/// The years a NOTICE copyright line states, and the line.
pub fn notice_years(notice: &str) -> Option<(usize, String, Vec<i16>)> {
    notice.lines().enumerate().find_map(|(i, l)| {
        if !l.to_ascii_lowercase().contains("copyright") {
            return None;
        }
        let years: Vec<i16> = l
            .split(|c: char| !c.is_ascii_digit())
            .filter(|w| w.len() == 4)
            .filter_map(|w| w.parse().ok())
            .filter(|y| (1970..2200).contains(y))
            .collect();
        Some((i + 1, l.trim().to_string(), years))
    })
}

fn notice_check(license: Option<&[u8]>, notice: Option<&[u8]>, judge: &Judge<'_>) -> Check {
    let mut c = Check::new(
        "license-notice",
        "LICENSE and NOTICE are present; NOTICE covers the release year and carries the ASF line",
    );
    if license.is_none() {
        c.push(Finding::error(
            "LICENSE is missing at the top of the release; add the Apache License 2.0 text (and the licences of what is bundled)",
            None,
        ));
    }
    let Some(notice) = notice else {
        c.push(Finding::error(
            "NOTICE is missing at the top of the release; add one with the project name, the copyright line and the ASF attribution",
            None,
        ));
        c.summary = "NOTICE missing".into();
        return c;
    };
    let text = String::from_utf8_lossy(notice);
    match notice_years(&text) {
        None => c.push(Finding::error(
            "NOTICE has no Copyright line; add `Copyright YEAR The Apache Software Foundation`",
            Some(Location::new("NOTICE", None)),
        )),
        Some((line, l, years)) => {
            let latest = years.iter().copied().max();
            match latest {
                Some(y) if y >= judge.release_year => {}
                Some(y) => {
                    let first = years.iter().copied().min().unwrap_or(y);
                    c.push(Finding::error(
                        format!("NOTICE says `{l}`, but the release is made in {}; update the line to cover it, e.g. `Copyright {first}-{} The Apache Software Foundation`", judge.release_year, judge.release_year),
                        Some(Location::new("NOTICE", Some(line))),
                    ))
                }
                None => c.push(Finding::error(
                    format!(
                        "NOTICE's copyright line `{l}` has no year; add the years, up to {}",
                        judge.release_year
                    ),
                    Some(Location::new("NOTICE", Some(line))),
                )),
            }
        }
    }
    if judge.asf {
        let flat = text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        if !flat
            .contains("this product includes software developed at the apache software foundation")
        {
            c.push(Finding::error(
                "NOTICE lacks the ASF line; add `This product includes software developed at The Apache Software Foundation (https://www.apache.org/).` (or set licence.asf = false for a project outside the ASF)",
                Some(Location::new("NOTICE", None)),
            ));
        }
    }
    c.summary = if c.findings.is_empty() {
        format!("NOTICE covers {}", judge.release_year)
    } else {
        format!("{} problem(s)", c.findings.len())
    };
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::licence::{Evidence, Verdict};

    fn judge() -> Judge<'static> {
        Judge {
            release_year: 2026,
            asf: true,
            approved: &[],
        }
    }

    #[test]
    fn a_notice_from_last_year_fails_naming_the_line_and_the_fix() {
        let n = b"Hello\nCopyright 2013-2025 The Apache Software Foundation\n\nThis product includes software developed at\nThe Apache Software Foundation (http://www.apache.org/).\n";
        let c = notice_check(Some(b"x"), Some(n), &judge());
        assert_eq!(c.findings.len(), 1, "{c:?}");
        assert!(
            c.findings[0].message.contains("Copyright 2013-2026"),
            "{c:?}"
        );
        assert_eq!(c.findings[0].location.as_ref().unwrap().line, Some(2));
        let ok = b"Copyright 2026 X\nThis product includes software developed at The Apache Software Foundation (https://www.apache.org/).";
        assert!(notice_check(Some(b"x"), Some(ok), &judge())
            .findings
            .is_empty());
        let no_asf = b"Copyright 2026 X\n";
        let c = notice_check(Some(b"x"), Some(no_asf), &judge());
        assert!(
            c.findings[0].message.contains("lacks the ASF line"),
            "{c:?}"
        );
    }

    #[test]
    fn bundled_archives_must_be_named_in_license() {
        let b = |n: &str| Bundled {
            path: format!("p-1/3rdparty/{n}-1.0.tar.gz"),
            name: n.into(),
            version: "1.0".into(),
            size: 1,
            sha256: String::new(),
            sha512: String::new(),
            licence: None,
        };
        let c = bundled_check(
            &[b("googletest-release"), b("leveldb")],
            Some(b"... googletest ..."),
        );
        assert_eq!(c.status, crate::report::Status::Fail);
        assert_eq!(c.findings.len(), 2);
        assert!(c.findings[1]
            .message
            .contains("LICENSE does not mention leveldb"));
    }

    #[test]
    fn unknown_files_are_errors_with_their_evidence_line() {
        let f = FileVerdict {
            path: "p-1/run.bat".into(),
            size: 10,
            verdict: Verdict {
                class: Class::Unknown {
                    why: "licence text after `rem`, a comment style I do not know".into(),
                },
                evidence: Some(Evidence {
                    line: 2,
                    text: "REM Licensed under".into(),
                }),
            },
        };
        let c = headers_check(&[f], &judge());
        assert_eq!(c.status, crate::report::Status::Fail);
        assert_eq!(c.findings[0].location.as_ref().unwrap().line, Some(2));
        assert!(c.summary.contains("1 unknown"), "{}", c.summary);
    }
}
