//! The checks `changelog-check` runs, as pure functions from parsed CHANGELOGs (and what JIRA
//! and git said, passed in as data) to named [`Check`]s whose findings carry file:line.

use std::collections::{BTreeMap, HashMap};

use similar::{capture_diff_slices, Algorithm, DiffOp};

use super::format::{Format, Required, Untouched};
use super::{BlockKind, Changelog, HeadingKind, Section};
use crate::model::jira::Facts;
use crate::model::version::Version;
use crate::report::{Check, Finding, Location};

pub(crate) const SECTION: &str = "changelog-section";
pub(crate) const HEADINGS: &str = "changelog-headings";
pub(crate) const STRUCTURE: &str = "changelog-structure";
pub(crate) const ISSUE_KEYS: &str = "changelog-issue-keys";
pub const JIRA: &str = "jira-cross-check";
pub(crate) const BRANCH_SYNC: &str = "changelog-branch-sync";
pub(crate) const PR_UPDATED: &str = "pr-changelog-updated";
pub(crate) const PR_RELEASED: &str = "pr-released-sections";

/// At most this many line differences are listed one by one.
const MAX_DIFF_FINDINGS: usize = 100;

/// Where findings point: the CHANGELOG's path as the repository sees it.
#[derive(Debug, Clone, Copy)]
pub struct File<'a>(pub &'a str);

impl File<'_> {
    pub fn at(&self, line: usize) -> Option<Location> {
        Some(Location::new(self.0, Some(line.max(1))))
    }
}

/// How a section's title reads in messages: `the 1.1.0 section (line 1)`.
fn describe(s: &Section) -> String {
    format!("the {} section (line {})", s.version_text, s.line)
}

/// 1. A section for the version exists; at an rc or release tag its title has no WIP marker.
pub fn section(
    cl: &Changelog,
    file: File,
    version: Version,
    tag: Option<&str>,
    format: &Format,
    expected_heading: &str,
) -> Check {
    let mut check = Check::new(
        SECTION,
        "the CHANGELOG has a section for the version, without a WIP marker at a tag",
    );
    let found: Vec<&Section> = cl.sections_for(version).collect();
    let Some(first) = found.first() else {
        let line = cl.sections.first().map(|s| s.line).unwrap_or(1);
        check.push(Finding::error(
            format!(
                "{} has no section for {version}; add one headed `{expected_heading}` above the newest section",
                file.0
            ),
            file.at(line),
        ));
        check.summary = format!("no section for {version}");
        return check;
    };
    for extra in &found[1..] {
        check.push(Finding::error(
            format!(
                "a second section for {version} (the first is at line {}); merge them into one",
                first.line
            ),
            file.at(extra.line),
        ));
    }
    if first.wip {
        match tag {
            Some(tag) => check.push(Finding::error(
                format!(
                    "the title of the {version} section still carries `{}` at {tag}: remove the marker from the title and commit that before tagging",
                    format.wip_marker
                ),
                file.at(first.line),
            )),
            None => check.push(Finding::notice(
                format!(
                    "the {version} section is marked `{}`: fine while it is being written; remove the marker before tagging a release candidate",
                    format.wip_marker
                ),
                file.at(first.line),
            )),
        }
    }
    check.summary = format!(
        "section for {version} at line {}{}",
        first.line,
        if first.wip {
            format!(", marked {}", format.wip_marker)
        } else {
            String::new()
        }
    );
    check
}

/// Every heading-like line parses, and no version has two sections.
pub fn headings(cl: &Changelog, file: File, pattern: &str) -> Check {
    let mut check = Check::new(
        HEADINGS,
        "every section heading fits the configured pattern and names a distinct version",
    );
    let mut seen: HashMap<Version, usize> = HashMap::new();
    let mut malformed = 0;
    for s in &cl.sections {
        match &s.kind {
            HeadingKind::Malformed { reason } => {
                malformed += 1;
                check.push(Finding::warning(
                    format!(
                        "`{}` looks like a section heading but {reason}; write it like `{pattern}`",
                        s.title
                    ),
                    file.at(s.line),
                ));
            }
            HeadingKind::Release { version } => {
                if let Some(first) = seen.get(version) {
                    check.push(Finding::warning(
                        format!("a second section for {version} (the first is at line {first}); merge them"),
                        file.at(s.line),
                    ));
                } else {
                    seen.insert(*version, s.line);
                }
            }
            HeadingKind::Unversioned => {}
        }
    }
    check.summary = format!(
        "{} sections{}",
        cl.sections.len(),
        if malformed > 0 {
            format!(", {malformed} heading(s) that do not parse")
        } else {
            String::new()
        }
    );
    check
}

/// Structure: a regular release has highlights, unresolved critical issues and the resolved
/// list; a patch release the resolved list (as configured). `strict` (at a tag, or for a
/// section not marked WIP) makes a missing block an error; otherwise a warning.
pub fn structure(section: &Section, file: File, format: &Format, strict: bool) -> Check {
    let mut check = Check::new(
        STRUCTURE,
        "the section has the blocks its kind of release needs",
    );
    let Some(version) = section.version() else {
        return check.skipped("the section has no version");
    };
    let kind = if version.is_regular() {
        "regular"
    } else {
        "patch"
    };
    let required = format.required(version);
    if required.is_empty() {
        return check.with_summary(format!(
            "a {kind} release needs no particular blocks (changelog.{kind}_release is empty)"
        ));
    }
    for r in required {
        let missing = match r {
            Required::Highlights => section.entries_in(BlockKind::Highlights).next().is_none(),
            Required::Unresolved => !section.has_block(BlockKind::Unresolved),
            Required::Resolved => section.resolved_keys().next().is_none(),
        };
        if !missing {
            continue;
        }
        let what = match r {
            Required::Highlights => "highlights block: call out new features, API changes and deprecations at the top, under a title such as `This release contains the following highlights:`".to_string(),
            Required::Unresolved => "\"Unresolved Critical Issues\" block: list the open blocker and critical bugs under `Unresolved Critical Issues:`".to_string(),
            Required::Resolved => "resolved issues: list them under `All Resolved Issues:` in `** Bug`-style groups, one `* [KEY] - Summary` per issue (JIRA's release notes in text format give them)".to_string(),
        };
        let message = format!("{} ({kind} release) has no {what}", describe(section));
        check.push(if strict {
            Finding::error(message, file.at(section.line))
        } else {
            Finding::warning(
                format!("{message}; needed before tagging"),
                file.at(section.line),
            )
        });
    }
    let names: Vec<&str> = required.iter().map(|r| r.name()).collect();
    check.summary = if check.findings.is_empty() {
        format!("{kind} release: {} present", names.join(", "))
    } else {
        format!(
            "{kind} release: {} of {} required block(s) missing",
            check.findings.len(),
            names.len()
        )
    };
    check
}

/// Whether a bracketed token was meant as an issue key: letters and digits, short.
fn key_like(token: &str) -> bool {
    token.len() <= 30
        && token.bytes().any(|b| b.is_ascii_digit())
        && token.bytes().any(|b| b.is_ascii_alphabetic())
}

/// 4. Issue keys are well-formed and not listed twice.
pub fn issue_keys(section: &Section, file: File, format: &Format, project: &str) -> Check {
    let mut check = Check::new(
        ISSUE_KEYS,
        "issue keys in the section are well-formed and listed once",
    );
    let example = format!("{project}-123");
    for e in &section.entries {
        let kind = section.blocks[e.block].kind;
        let listing = matches!(kind, BlockKind::Resolved | BlockKind::Unresolved);
        for bad in &e.bad_keys {
            if listing || key_like(&bad.key) {
                check.push(Finding::error(
                    format!(
                        "`[{}]` is not a well-formed issue key (expected one like `{example}`, pattern `{}`); fix the key",
                        bad.key,
                        format.key.as_str()
                    ),
                    file.at(bad.line),
                ));
            }
        }
        if kind == BlockKind::Resolved && e.keys.is_empty() && e.bad_keys.is_empty() {
            check.push(Finding::warning(
                format!(
                    "this resolved-issues entry has no issue key: `{}`; write it as `* [{example}] - Summary`",
                    e.text
                ),
                file.at(e.line),
            ));
        }
    }
    let mut first_in: HashMap<(&str, bool), usize> = HashMap::new();
    let mut count = 0;
    for e in &section.entries {
        let kind = section.blocks[e.block].kind;
        let resolved = match kind {
            BlockKind::Resolved => true,
            BlockKind::Unresolved => false,
            _ => continue,
        };
        for k in &e.keys {
            count += 1;
            let list = if resolved {
                "resolved issues"
            } else {
                "unresolved critical issues"
            };
            if let Some(first) = first_in.get(&(k.key.as_str(), resolved)) {
                check.push(Finding::error(
                    format!(
                        "{} is listed twice in the {list} (first at line {first}); remove one",
                        k.key
                    ),
                    file.at(k.line),
                ));
            } else {
                first_in.insert((k.key.as_str(), resolved), k.line);
            }
        }
    }
    for ((key, resolved), line) in &first_in {
        if *resolved {
            if let Some(u) = first_in.get(&(key, false)) {
                check.push(Finding::error(
                    format!("{key} is listed as resolved here and as an unresolved critical issue at line {u}; it cannot be both"),
                    file.at(*line),
                ));
            }
        }
    }
    check
        .findings
        .sort_by_key(|f| f.location.as_ref().and_then(|l| l.line));
    check.summary = if check.status == crate::report::Status::Pass {
        format!("{count} listed key(s), well-formed and unique")
    } else {
        format!(
            "{} problem(s) in {count} listed key(s)",
            check.findings.len()
        )
    };
    check
}

/// 5. The section agrees with JIRA.
pub fn jira(section: &Section, file: File, facts: &Facts, invalid_resolutions: &[String]) -> Check {
    let mut check = Check::new(
        JIRA,
        "the section lists what JIRA says was fixed in the version, and JIRA's versions are right",
    );
    let v = facts.version.to_string();
    let p = &facts.project;
    if facts.jira_version.is_none() {
        check.push(Finding::error(
            format!("JIRA project {p} has no version {v}; create it in JIRA (Administration → Versions), or fix --version"),
            file.at(section.line),
        ));
        check.summary = format!("JIRA project {p} has no version {v}");
        return check;
    }
    let mut listed: HashMap<&str, usize> = HashMap::new();
    for k in section.resolved_keys() {
        listed.entry(k.key.as_str()).or_insert(k.line);
    }
    let line_of = |key: &str, issue_type: &str| {
        listed
            .get(key)
            .copied()
            .or_else(|| section.group_line(issue_type))
            .unwrap_or_else(|| section.resolved_line())
    };
    let invalid = |r: &str| {
        invalid_resolutions
            .iter()
            .any(|i| i.eq_ignore_ascii_case(r))
    };
    let mut missing = 0;
    for i in &facts.fixed {
        let at = file.at(line_of(&i.key, &i.issue_type));
        match i.resolution.as_deref() {
            None => check.push(Finding::error(
                format!(
                    "{} \"{}\" is unresolved ({}) but has fix version {v}; resolve it, or move its fix version to a later release",
                    i.key, i.summary, i.status
                ),
                at,
            )),
            Some(r) if invalid(r) => check.push(Finding::error(
                format!(
                    "{} \"{}\" was resolved as {r} but has fix version {v}; clear its fix version{}",
                    i.key,
                    i.summary,
                    if listed.contains_key(i.key.as_str()) { " and remove it from the section" } else { "" }
                ),
                at,
            )),
            Some(_) if !listed.contains_key(i.key.as_str()) => {
                missing += 1;
                check.push(Finding::error(
                    format!(
                        "{} \"{}\" ({}) is resolved with fix version {v} but the section does not list it; add `* [{}] - {}`",
                        i.key, i.summary, i.issue_type, i.key, i.summary
                    ),
                    at,
                ));
            }
            Some(_) => {}
        }
    }
    let fixed: HashMap<&str, ()> = facts.fixed.iter().map(|i| (i.key.as_str(), ())).collect();
    let known: HashMap<&str, &crate::model::jira::Issue> =
        facts.listed.iter().map(|i| (i.key.as_str(), i)).collect();
    let mut wrong = 0;
    let mut keys: Vec<(&str, usize)> = listed.iter().map(|(k, l)| (*k, *l)).collect();
    keys.sort_by_key(|(_, l)| *l);
    for (key, line) in keys {
        if fixed.contains_key(key) {
            continue;
        }
        wrong += 1;
        let message = match known.get(key) {
            Some(i) => format!(
                "{key} \"{}\" is listed but its fix versions are {} (not {v}); add {v} to its fix versions in JIRA, or move the entry to the right section",
                i.summary,
                if i.fix_versions.is_empty() { "empty".to_string() } else { i.fix_versions.join(", ") }
            ),
            None => format!("{key} is listed but JIRA has no such issue in sight (or it is not visible to these credentials); check the key"),
        };
        check.push(Finding::error(message, file.at(line)));
    }
    for i in &facts.targeted_unfixed {
        let r = i.resolution.as_deref().unwrap_or_default();
        if invalid(r) {
            continue;
        }
        check.push(Finding::error(
            format!(
                "{} \"{}\" is resolved ({r}) with Target Version/s {v} but has no fix version; set its fix version to {v} (and list it), or to the release that has it",
                i.key, i.summary
            ),
            file.at(line_of(&i.key, &i.issue_type)),
        ));
    }
    check.summary = if check.findings.is_empty() {
        format!(
            "{p} {v}: all {} issue(s) with fix version {v} are listed, and every listed issue has it",
            facts.fixed.len()
        )
    } else {
        format!(
            "{p} {v}: {missing} fixed issue(s) missing from the section, {wrong} listed issue(s) without fix version {v}, {} problem(s) in all",
            check.findings.len()
        )
    };
    check
}

/// One line that differs between two versions of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineDiff {
    /// A line only on our side, at our line.
    OnlyHere { line: usize, text: String },
    /// A line only on the other side, at its line; `anchor` is our nearest line.
    OnlyThere {
        line: usize,
        text: String,
        anchor: usize,
    },
    /// The same place holds different text.
    Changed {
        here: usize,
        there: usize,
        ours: String,
        theirs: String,
    },
}

impl LineDiff {
    /// Our line the difference is reported at.
    pub fn here(&self) -> usize {
        match self {
            LineDiff::OnlyHere { line, .. } => *line,
            LineDiff::OnlyThere { anchor, .. } => *anchor,
            LineDiff::Changed { here, .. } => *here,
        }
    }
}

/// A section's lines, trailing blanks removed from each (they are invisible).
pub(crate) fn section_text(cl: &Changelog, s: &Section) -> Vec<(usize, String)> {
    cl.section_lines(s)
        .map(|(n, t)| (n, t.trim_end().to_string()))
        .collect()
}

/// The line-by-line differences between our lines and theirs.
pub(crate) fn diff_lines(ours: &[(usize, String)], theirs: &[(usize, String)]) -> Vec<LineDiff> {
    let a: Vec<&str> = ours.iter().map(|(_, t)| t.as_str()).collect();
    let b: Vec<&str> = theirs.iter().map(|(_, t)| t.as_str()).collect();
    let here_line = |i: usize| ours.get(i).or(ours.last()).map(|(n, _)| *n).unwrap_or(1);
    let mut out = Vec::new();
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                for (line, text) in &ours[old_index..old_index + old_len] {
                    out.push(LineDiff::OnlyHere {
                        line: *line,
                        text: text.clone(),
                    });
                }
            }
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => {
                for (line, text) in &theirs[new_index..new_index + new_len] {
                    out.push(LineDiff::OnlyThere {
                        line: *line,
                        text: text.clone(),
                        anchor: here_line(old_index),
                    });
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let paired = old_len.min(new_len);
                for k in 0..paired {
                    let (i, j) = (old_index + k, new_index + k);
                    out.push(LineDiff::Changed {
                        here: ours[i].0,
                        there: theirs[j].0,
                        ours: ours[i].1.clone(),
                        theirs: theirs[j].1.clone(),
                    });
                }
                for (line, text) in &ours[old_index + paired..old_index + old_len] {
                    out.push(LineDiff::OnlyHere {
                        line: *line,
                        text: text.clone(),
                    });
                }
                for (line, text) in &theirs[new_index + paired..new_index + new_len] {
                    out.push(LineDiff::OnlyThere {
                        line: *line,
                        text: text.clone(),
                        anchor: here_line(old_index + old_len),
                    });
                }
            }
        }
    }
    out
}

fn push_diffs(check: &mut Check, file: File, diffs: &[LineDiff], other: &str, lead: &str) {
    for d in diffs.iter().take(MAX_DIFF_FINDINGS) {
        let message = match d {
            LineDiff::OnlyHere { text, .. } => {
                format!("{lead}only here: `{text}` ({other} lacks this line)")
            }
            LineDiff::OnlyThere { line, text, .. } => {
                format!("{lead}only on {other} (its line {line}): `{text}`")
            }
            LineDiff::Changed {
                there,
                ours,
                theirs,
                ..
            } => {
                format!(
                    "{lead}differs from {other}:\nhere: `{ours}`\n{other} line {there}: `{theirs}`"
                )
            }
        };
        check.push(Finding::error(message, file.at(d.here())));
    }
    if diffs.len() > MAX_DIFF_FINDINGS {
        let last = diffs.last().map(LineDiff::here).unwrap_or(1);
        check.push(Finding::error(
            format!(
                "…and {} more differing line(s)",
                diffs.len() - MAX_DIFF_FINDINGS
            ),
            file.at(last),
        ));
    }
}

/// 6. The version's section is the same on the other branch.
pub fn branch_sync(
    here: &Changelog,
    there: Option<&Changelog>,
    file: File,
    version: Version,
    reference: &str,
) -> Check {
    let mut check = Check::new(
        BRANCH_SYNC,
        "the version's section is identical on this branch and the other",
    );
    let Some(ours) = here.section(version) else {
        return check.skipped(format!("no section for {version} here to compare"));
    };
    let Some(there) = there else {
        check.push(Finding::error(
            format!("{reference} has no {} at all; check --against", file.0),
            file.at(ours.line),
        ));
        check.summary = format!("{reference} has no CHANGELOG");
        return check;
    };
    let Some(theirs) = there.section(version) else {
        check.push(Finding::error(
            format!("{reference} has no section for {version}; update the CHANGELOG on master and cherry-pick the commit onto the other branch so both carry the same section"),
            file.at(ours.line),
        ));
        check.summary = format!("{reference} has no section for {version}");
        return check;
    };
    let diffs = diff_lines(&section_text(here, ours), &section_text(there, theirs));
    push_diffs(&mut check, file, &diffs, reference, "");
    check.summary = if diffs.is_empty() {
        format!(
            "the {version} section is identical on {reference} (lines {}-{} here, {}-{} there)",
            ours.line, ours.end, theirs.line, theirs.end
        )
    } else {
        format!(
            "the {version} section differs from {reference} in {} line(s); make them identical (cherry-pick the CHANGELOG commit)",
            diffs.len()
        )
    };
    check
}

/// Why a pull request needs no CHANGELOG change, if it says so.
pub(crate) fn skip_reason(
    format: &Format,
    title: &str,
    body: &str,
    labels: &[String],
) -> Option<String> {
    let marker = format.skip_marker.trim();
    if !marker.is_empty() {
        let m = marker.to_lowercase();
        if title.to_lowercase().contains(&m) {
            return Some(format!("the pull request's title carries `{marker}`"));
        }
        if body.to_lowercase().contains(&m) {
            return Some(format!("the pull request's body carries `{marker}`"));
        }
    }
    let label = format.skip_label.trim();
    if !label.is_empty() && labels.iter().any(|l| l.trim().eq_ignore_ascii_case(label)) {
        return Some(format!("the pull request is labelled `{label}`"));
    }
    None
}

/// 7a. A change that touches code also touches the CHANGELOG (unless it says to skip).
/// `changed` are paths relative to the project; `changelog` is the CHANGELOG's.
pub(crate) fn pr_updated(
    changed: &[String],
    changelog: &str,
    file: File,
    line: usize,
    format: &Format,
    skip: Option<String>,
) -> Check {
    let check = Check::new(
        PR_UPDATED,
        "a pull request that changes code adds to the CHANGELOG",
    );
    if changed.iter().any(|p| p == changelog) {
        return check.with_summary(format!("the pull request updates {changelog}"));
    }
    let code: Vec<&String> = changed.iter().filter(|p| format.is_code(p)).collect();
    if code.is_empty() {
        return check.with_summary(format!(
            "no code changed ({} file(s), none matching changelog.code_paths)",
            changed.len()
        ));
    }
    if let Some(reason) = skip {
        return check.skipped(format!("{reason}: no CHANGELOG entry needed"));
    }
    let mut check = check;
    let shown = code
        .iter()
        .take(3)
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let more = if code.len() > 3 {
        format!(" and {} more", code.len() - 3)
    } else {
        String::new()
    };
    let message = format!(
        "this pull request changes code ({shown}{more}) but not {changelog}; add an entry to the section being written, or, if it needs none, put `{}` in the pull request's title or body or label it `{}`",
        format.skip_marker, format.skip_label
    );
    check.push(match format.untouched {
        Untouched::Warning => Finding::warning(message, file.at(line)),
        Untouched::Error => Finding::error(message, file.at(line)),
    });
    check.summary = format!("{} code file(s) changed, {changelog} untouched", code.len());
    check
}

/// What is known about a released version: its release tag and its section as tagged.
#[derive(Debug, Clone)]
pub struct Released {
    pub tag: String,
    /// The section's lines at the release tag (`None` when the tag has no such section).
    pub at_tag: Option<Vec<(usize, String)>>,
}

/// 7b. A pull request does not edit the section of a released version (one with a release tag),
/// unless the edit makes it what was released.
pub(crate) fn pr_released(
    base: Option<&Changelog>,
    head: &Changelog,
    file: File,
    released: &BTreeMap<Version, Released>,
    base_ref: &str,
) -> Check {
    let mut check = Check::new(
        PR_RELEASED,
        "a pull request leaves the sections of released versions alone",
    );
    let mut edited = 0;
    for (version, rel) in released {
        let before = base.and_then(|b| b.section(*version).map(|s| section_text(b, s)));
        let after = head.section(*version).map(|s| section_text(head, s));
        let texts = |v: &Option<Vec<(usize, String)>>| {
            v.as_ref()
                .map(|l| l.iter().map(|(_, t)| t.clone()).collect::<Vec<_>>())
        };
        if texts(&before) == texts(&after) {
            continue;
        }
        if after.is_some() && texts(&after) == texts(&rel.at_tag) {
            check.push(Finding::notice(
                format!(
                    "the {version} section now reads as it does at tag {}",
                    rel.tag
                ),
                file.at(after
                    .as_ref()
                    .and_then(|l| l.first())
                    .map(|(n, _)| *n)
                    .unwrap_or(1)),
            ));
            continue;
        }
        edited += 1;
        let lead = format!(
            "{version} was released (tag {}): its section is history; put the change in the section being written. "
            ,rel.tag
        );
        match (&before, &after) {
            (Some(b), Some(a)) => {
                let diffs = diff_lines(a, b);
                push_diffs(&mut check, file, &diffs, base_ref, &lead);
            }
            (Some(_), None) => check.push(Finding::error(
                format!("{lead}This pull request removes the {version} section; restore it"),
                file.at(head.sections.first().map(|s| s.line).unwrap_or(1)),
            )),
            (None, Some(a)) => check.push(Finding::error(
                format!("{lead}This pull request adds a section for {version}, which {base_ref} does not have"),
                file.at(a.first().map(|(n, _)| *n).unwrap_or(1)),
            )),
            (None, None) => {}
        }
    }
    check.summary = if edited == 0 {
        "no released section changed".to_string()
    } else {
        format!("{edited} released section(s) edited")
    };
    check
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::changelog::parse;
    use crate::model::changelog::Settings;
    use crate::model::jira::{Issue, ProjectVersion};
    use crate::report::{Severity, Status};

    fn fmt() -> Format {
        Format::new(&Settings::default(), "mesos", "Mesos").unwrap()
    }

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    const F: File = File("CHANGELOG");

    const TEXT: &str = "\
Release Notes - Mesos - Version 1.2.0 (WIP)
-------------------------------------------
This release contains the following highlights:

  * Something new (MESOS-10).

Unresolved Critical Issues:
  * [MESOS-20] - Still broken.

All Resolved Issues:

** Bug
    * [MESOS-10] - Something new.
    * [MESOS-11] - A fix.
    * [MESOS-11] - A fix, again.
    * [MESOS 12] - A typo.
    * [MESOS-20] - Both resolved and not.
    * No key at all.

Release Notes - Mesos - Version 1.1.1
-------------------------------------------
* This is a bug fix release.

Release Notes - Mesos - Version 1.1
---
";

    fn messages(c: &Check) -> Vec<String> {
        c.findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{:?}: {}",
                    f.location.as_ref().unwrap().line.unwrap(),
                    f.severity,
                    f.message
                )
            })
            .collect()
    }

    #[test]
    fn section_exists_and_wip_is_an_error_only_at_a_tag() {
        let cl = parse(TEXT, &fmt());
        let c = section(&cl, F, v("1.2.0"), None, &fmt(), "H");
        assert_eq!(c.status, Status::Pass);
        assert_eq!(c.findings[0].severity, Severity::Notice);
        assert_eq!(c.summary, "section for 1.2.0 at line 1, marked (WIP)");
        let c = section(&cl, F, v("1.2.0"), Some("1.2.0-rc1"), &fmt(), "H");
        assert_eq!(c.status, Status::Fail);
        assert!(
            messages(&c)[0].starts_with(
                "1:Error: the title of the 1.2.0 section still carries `(WIP)` at 1.2.0-rc1"
            ),
            "{:?}",
            messages(&c)
        );
        let c = section(
            &cl,
            F,
            v("1.3.0"),
            None,
            &fmt(),
            "Release Notes - Mesos - Version 1.3.0",
        );
        assert_eq!(c.status, Status::Fail);
        assert!(messages(&c)[0].contains("add one headed `Release Notes - Mesos - Version 1.3.0`"));
    }

    #[test]
    fn headings_report_malformed_ones() {
        let cl = parse(TEXT, &fmt());
        let c = headings(&cl, F, "Release Notes - {display_name} - Version {version}");
        assert_eq!(c.status, Status::Warn);
        assert!(messages(&c)[0].starts_with("24:Warning: `Release Notes - Mesos - Version 1.1` looks like a section heading but `1.1` is not a version"), "{:?}", messages(&c));
    }

    #[test]
    fn structure_is_strict_only_when_asked() {
        let cl = parse(TEXT, &fmt());
        let s = cl.section(v("1.2.0")).unwrap();
        assert_eq!(structure(s, F, &fmt(), true).status, Status::Pass);
        let patch = cl.section(v("1.1.1")).unwrap();
        let c = structure(patch, F, &fmt(), true);
        assert_eq!(c.status, Status::Fail);
        assert!(
            messages(&c)[0].starts_with(
                "20:Error: the 1.1.1 section (line 20) (patch release) has no resolved issues"
            ),
            "{:?}",
            messages(&c)
        );
        assert_eq!(structure(patch, F, &fmt(), false).status, Status::Warn);
        let config = Settings {
            patch_release: String::new(),
            ..Default::default()
        };
        let relaxed = Format::new(&config, "mesos", "Mesos").unwrap();
        assert_eq!(structure(patch, F, &relaxed, true).status, Status::Pass);
    }

    #[test]
    fn duplicate_malformed_and_missing_keys() {
        let cl = parse(TEXT, &fmt());
        let c = issue_keys(cl.section(v("1.2.0")).unwrap(), F, &fmt(), "MESOS");
        assert_eq!(
            messages(&c),
            vec![
                "15:Error: MESOS-11 is listed twice in the resolved issues (first at line 14); remove one".to_string(),
                "16:Error: `[MESOS 12]` is not a well-formed issue key (expected one like `MESOS-123`, pattern `[A-Z][A-Z0-9]*-\\d+`); fix the key".to_string(),
                "17:Error: MESOS-20 is listed as resolved here and as an unresolved critical issue at line 8; it cannot be both".to_string(),
                "18:Warning: this resolved-issues entry has no issue key: `No key at all.`; write it as `* [MESOS-123] - Summary`".to_string(),
            ]
        );
    }

    fn issue(key: &str, resolution: Option<&str>, fix: &[&str], target: &[&str]) -> Issue {
        Issue {
            key: key.into(),
            summary: format!("Summary of {key}"),
            status: if resolution.is_some() {
                "Resolved"
            } else {
                "Open"
            }
            .into(),
            resolution: resolution.map(str::to_string),
            issue_type: "Bug".into(),
            fix_versions: fix.iter().map(|s| s.to_string()).collect(),
            target_versions: target.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn jira_cross_check_reports_each_kind_of_disagreement() {
        let cl = parse(TEXT, &fmt());
        let s = cl.section(v("1.2.0")).unwrap();
        let facts = Facts {
            project: "MESOS".into(),
            version: v("1.2.0"),
            jira_version: Some(ProjectVersion {
                name: "1.2.0".into(),
                released: false,
                archived: false,
                release_date: None,
                ..Default::default()
            }),
            fixed: vec![
                issue("MESOS-10", Some("Fixed"), &["1.2.0"], &[]),
                issue("MESOS-30", Some("Fixed"), &["1.2.0"], &[]),
                issue("MESOS-31", None, &["1.2.0"], &[]),
                issue("MESOS-32", Some("Duplicate"), &["1.2.0"], &[]),
            ],
            listed: vec![issue("MESOS-11", Some("Fixed"), &["1.1.1"], &[])],
            targeted_unfixed: vec![issue("MESOS-40", Some("Fixed"), &[], &["1.2.0"])],
        };
        let invalid = vec!["Duplicate".to_string(), "Invalid".to_string()];
        let c = jira(s, F, &facts, &invalid);
        let m = messages(&c);
        assert_eq!(c.status, Status::Fail);
        assert!(m.iter().any(|x| x.starts_with("12:Error: MESOS-30 \"Summary of MESOS-30\" (Bug) is resolved with fix version 1.2.0 but the section does not list it")), "{m:?}");
        assert!(
            m.iter().any(|x| x.contains(
                "MESOS-31 \"Summary of MESOS-31\" is unresolved (Open) but has fix version 1.2.0"
            )),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|x| x.contains("MESOS-32 \"Summary of MESOS-32\" was resolved as Duplicate")),
            "{m:?}"
        );
        assert!(m.iter().any(|x| x.starts_with("14:Error: MESOS-11 \"Summary of MESOS-11\" is listed but its fix versions are 1.1.1 (not 1.2.0)")), "{m:?}");
        assert!(
            m.iter()
                .any(|x| x.starts_with("17:Error: MESOS-20 is listed but JIRA has no such issue")),
            "{m:?}"
        );
        assert!(m.iter().any(|x| x.contains("MESOS-40 \"Summary of MESOS-40\" is resolved (Fixed) with Target Version/s 1.2.0 but has no fix version")), "{m:?}");
        assert!(!m.iter().any(|x| x.contains("MESOS-10 ")), "{m:?}");

        let mut none = facts.clone();
        none.jira_version = None;
        let c = jira(s, F, &none, &invalid);
        assert!(messages(&c)[0].contains("JIRA project MESOS has no version 1.2.0"));
    }

    fn lines(text: &str) -> Changelog {
        parse(text, &fmt())
    }

    #[test]
    fn branch_sync_lists_differences_line_by_line() {
        let here = lines("Release Notes - Mesos - Version 1.0.0\n---\n** Bug\n  * [MESOS-1] - a\n  * [MESOS-2] - b\n");
        let there = lines("Intro\n\nRelease Notes - Mesos - Version 1.0.0 (WIP)\n---\n** Bug\n  * [MESOS-1] - a\n  * [MESOS-3] - c\n  * [MESOS-4] - d\n");
        let c = branch_sync(&here, Some(&there), F, v("1.0.0"), "origin/master");
        let m = messages(&c);
        assert_eq!(m[0], "1:Error: differs from origin/master:\nhere: `Release Notes - Mesos - Version 1.0.0`\norigin/master line 3: `Release Notes - Mesos - Version 1.0.0 (WIP)`");
        assert_eq!(m[1], "5:Error: differs from origin/master:\nhere: `  * [MESOS-2] - b`\norigin/master line 7: `  * [MESOS-3] - c`");
        assert_eq!(
            m[2],
            "5:Error: only on origin/master (its line 8): `  * [MESOS-4] - d`"
        );
        let same = branch_sync(&here, Some(&here.clone()), F, v("1.0.0"), "1.0.x");
        assert_eq!(same.status, Status::Pass);
        assert!(same.summary.contains("identical on 1.0.x"));
        let c = branch_sync(&here, Some(&lines("")), F, v("1.0.0"), "1.0.x");
        assert!(messages(&c)[0].contains("1.0.x has no section for 1.0.0"));
        assert_eq!(
            branch_sync(&here, None, F, v("2.0.0"), "x").status,
            Status::Skip
        );
    }

    #[test]
    fn pr_mode_touch_and_skip() {
        let f = fmt();
        let changed = vec!["src/greet.c".to_string(), "docs/x.md".to_string()];
        let c = pr_updated(&changed, "CHANGELOG", F, 1, &f, None);
        assert_eq!(c.status, Status::Warn);
        assert!(messages(&c)[0].contains("changes code (src/greet.c) but not CHANGELOG"));
        let c = pr_updated(
            &changed,
            "CHANGELOG",
            F,
            1,
            &f,
            skip_reason(&f, "Fix [Skip Changelog]", "", &[]),
        );
        assert_eq!(c.status, Status::Skip);
        assert!(c.summary.contains("title"));
        assert!(skip_reason(&f, "", "", &["skip-changelog".into()])
            .unwrap()
            .contains("labelled"));
        assert!(skip_reason(&f, "t", "b", &["bug".into()]).is_none());
        let docs = vec!["README.md".to_string()];
        assert_eq!(
            pr_updated(&docs, "CHANGELOG", F, 1, &f, None).status,
            Status::Pass
        );
        let with = vec!["src/a.c".to_string(), "CHANGELOG".to_string()];
        assert_eq!(
            pr_updated(&with, "CHANGELOG", F, 1, &f, None).status,
            Status::Pass
        );
        let config = Settings {
            untouched: "error".into(),
            ..Default::default()
        };
        let strict = Format::new(&config, "mesos", "Mesos").unwrap();
        assert_eq!(
            pr_updated(&changed, "CHANGELOG", F, 1, &strict, None).status,
            Status::Fail
        );
    }

    #[test]
    fn editing_a_released_section_is_an_error_unless_it_restores_the_release() {
        let base = lines("Release Notes - Mesos - Version 1.1.0 (WIP)\n---\n** Bug\n  * [MESOS-5] - e\n\nRelease Notes - Mesos - Version 1.0.0 (WIP)\n---\n** Bug\n  * [MESOS-1] - a\n");
        let tagged =
            lines("Release Notes - Mesos - Version 1.0.0\n---\n** Bug\n  * [MESOS-1] - a\n");
        let at_tag = Some(section_text(&tagged, tagged.section(v("1.0.0")).unwrap()));
        let released: BTreeMap<_, _> = [(
            v("1.0.0"),
            Released {
                tag: "1.0.0".into(),
                at_tag,
            },
        )]
        .into();
        // Adding to the WIP section is fine.
        let head = lines("Release Notes - Mesos - Version 1.1.0 (WIP)\n---\n** Bug\n  * [MESOS-5] - e\n  * [MESOS-6] - f\n\nRelease Notes - Mesos - Version 1.0.0 (WIP)\n---\n** Bug\n  * [MESOS-1] - a\n");
        assert_eq!(
            pr_released(Some(&base), &head, F, &released, "master").status,
            Status::Pass
        );
        // Editing the released one is not.
        let head = lines("Release Notes - Mesos - Version 1.1.0 (WIP)\n---\n** Bug\n  * [MESOS-5] - e\n\nRelease Notes - Mesos - Version 1.0.0 (WIP)\n---\n** Bug\n  * [MESOS-1] - a\n  * [MESOS-6] - f\n");
        let c = pr_released(Some(&base), &head, F, &released, "master");
        assert_eq!(c.status, Status::Fail);
        assert!(
            messages(&c)[0]
                .starts_with("10:Error: 1.0.0 was released (tag 1.0.0): its section is history"),
            "{:?}",
            messages(&c)
        );
        assert!(messages(&c)[0].contains("only here: `  * [MESOS-6] - f`"));
        // Making it read as released (dropping the WIP marker) is fine.
        let head = lines("Release Notes - Mesos - Version 1.1.0 (WIP)\n---\n** Bug\n  * [MESOS-5] - e\n\nRelease Notes - Mesos - Version 1.0.0\n---\n** Bug\n  * [MESOS-1] - a\n");
        let c = pr_released(Some(&base), &head, F, &released, "master");
        assert_eq!(c.status, Status::Pass, "{:?}", messages(&c));
        // Removing it is not.
        let head = lines("Release Notes - Mesos - Version 1.1.0 (WIP)\n---\n");
        assert_eq!(
            pr_released(Some(&base), &head, F, &released, "master").status,
            Status::Fail
        );
    }
}
