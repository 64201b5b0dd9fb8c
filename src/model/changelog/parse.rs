//! The CHANGELOG parser: one pass over the lines, every section kept (a heading that does not
//! parse still starts a section, marked malformed), every entry with its line numbers.
//!
//! It reads the Mesos family and its variants: any number of dashes under a heading (or none),
//! any indentation of entries, `All Issues:` or `All Resolved Issues:`, bare `** Bug` groups,
//! sections without highlights, empty sections, several keys in one bracket, and suffixes such
//! as `(WIP) - cancelled`. Other formats come from the configured heading pattern.

use super::format::{Format, HeadingMatch};
use super::{Block, BlockKind, Changelog, Entry, Group, HeadingKind, KeyRef, Section};
use crate::model::version::Version;

/// Parses a CHANGELOG's text. Never fails: what does not parse is recorded in the model.
pub fn parse(text: &str, format: &Format) -> Changelog {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<String> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l).to_string())
        .collect();
    if text.ends_with('\n') {
        lines.pop();
    }
    let mut sections = Vec::new();
    let mut current: Option<Builder> = None;
    let mut i = 0;
    while i < lines.len() {
        let n = i + 1;
        let line = lines[i].as_str();
        let underlined = lines.get(i + 1).is_some_and(|l| is_underline(l));
        if let Some((kind, version_text, suffix)) = heading(format, line, underlined) {
            if let Some(b) = current.take() {
                sections.push(b.finish(format));
            }
            let mut b = Builder::new(Section {
                wip: format.is_wip(&suffix),
                kind,
                title: line.trim_end().to_string(),
                version_text,
                suffix,
                line: n,
                underline: None,
                end: n,
                blocks: Vec::new(),
                entries: Vec::new(),
            });
            if underlined {
                b.section.underline = Some(n + 1);
                b.section.end = n + 1;
                i += 1;
            }
            current = Some(b);
        } else if let Some(b) = current.as_mut() {
            b.feed(n, line, format);
        }
        i += 1;
    }
    if let Some(b) = current.take() {
        sections.push(b.finish(format));
    }
    Changelog { lines, sections }
}

/// A line of three or more dashes or equals signs.
fn is_underline(line: &str) -> bool {
    let t = line.trim_end();
    t.len() >= 3 && (t.bytes().all(|b| b == b'-') || t.bytes().all(|b| b == b'='))
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

/// Whether `line` starts a section, and how it reads.
fn heading(format: &Format, line: &str, underlined: bool) -> Option<(HeadingKind, String, String)> {
    match format.match_heading(line) {
        HeadingMatch::Heading { version, suffix } => {
            let kind = match version.parse::<Version>() {
                Ok(v) => HeadingKind::Release { version: v },
                Err(_) if !has_digit(&version) => HeadingKind::Unversioned,
                Err(e) => HeadingKind::Malformed {
                    reason: format!("`{version}` is not a version: {}", e.reason),
                },
            };
            Some((kind, version, suffix))
        }
        HeadingMatch::Malformed if !has_digit(line) => {
            Some((HeadingKind::Unversioned, String::new(), String::new()))
        }
        HeadingMatch::Malformed => Some((
            HeadingKind::Malformed {
                reason: "it starts like a section heading but does not fit `changelog.heading`"
                    .into(),
            },
            version_like(line).unwrap_or_default(),
            String::new(),
        )),
        HeadingMatch::No => {
            // An underlined line at column 0 that names a version is a heading in the wrong
            // form: keep it as a section rather than folding it into the one above.
            let v = version_like(line)
                .filter(|_| underlined && !line.starts_with(char::is_whitespace))?;
            Some((
                HeadingKind::Malformed {
                    reason: "it is underlined like a section heading but does not fit `changelog.heading`".into(),
                },
                v,
                String::new(),
            ))
        }
    }
}

/// The first `N.N...` token of a line.
fn version_like(line: &str) -> Option<String> {
    line.split(|c: char| c.is_whitespace() || "[](),".contains(c))
        .find(|w| {
            let w = w.trim_start_matches(['v', 'V']);
            w.starts_with(|c: char| c.is_ascii_digit()) && w.contains('.')
        })
        .map(str::to_string)
}

/// A bullet line: (indent, text after the bullet).
fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    let rest = t
        .strip_prefix('*')
        .or_else(|| t.strip_prefix('-'))
        .or_else(|| t.strip_prefix('+'))?;
    if !rest.starts_with([' ', '\t']) {
        return None;
    }
    let text = rest.trim();
    (!text.is_empty()).then_some(text)
}

struct Builder {
    section: Section,
    block: Option<usize>,
    group: Option<usize>,
    entry: Option<usize>,
}

impl Builder {
    fn new(section: Section) -> Self {
        Builder {
            section,
            block: None,
            group: None,
            entry: None,
        }
    }

    fn finish(mut self, format: &Format) -> Section {
        if format.key_anywhere {
            // Keep a Changelog style: an entry's keys are the ones it mentions, wherever.
            for e in &mut self.section.entries {
                if e.keys.is_empty() && e.bad_keys.is_empty() {
                    for m in &e.mentions {
                        if !e.keys.iter().any(|k| k.key == m.key) {
                            e.keys.push(m.clone());
                        }
                    }
                }
            }
        }
        self.section
    }

    fn push_block(&mut self, kind: BlockKind, title: Option<String>, line: usize) -> usize {
        self.section.blocks.push(Block {
            kind,
            title,
            line,
            groups: Vec::new(),
        });
        self.group = None;
        self.entry = None;
        let i = self.section.blocks.len() - 1;
        self.block = Some(i);
        i
    }

    fn feed(&mut self, n: usize, line: &str, format: &Format) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return;
        }
        self.section.end = n;
        if format.group.is_match(line) {
            // A `** Bug` group belongs to the resolved list; a bare one starts it.
            let block = match self.block {
                Some(b) if self.section.blocks[b].kind == BlockKind::Resolved => b,
                _ => self.push_block(BlockKind::Resolved, None, n),
            };
            let name = trimmed.trim_start_matches('*').trim().to_string();
            let groups = &mut self.section.blocks[block].groups;
            groups.push(Group { name, line: n });
            self.group = Some(groups.len() - 1);
            self.entry = None;
            return;
        }
        if let Some(text) = bullet(line) {
            let block = match self.block {
                Some(b) => b,
                None => self.push_block(BlockKind::Intro, None, n),
            };
            let mut entry = Entry {
                line: n,
                end: n,
                block,
                group: self.group,
                text: text.to_string(),
                keys: Vec::new(),
                bad_keys: Vec::new(),
                mentions: Vec::new(),
            };
            leading_keys(text, n, format, &mut entry);
            mentions(line, n, format, &mut entry.mentions);
            self.section.entries.push(entry);
            self.entry = Some(self.section.entries.len() - 1);
            return;
        }
        let column0 = !line.starts_with(char::is_whitespace);
        if column0 && (trimmed.ends_with(':') || trimmed.starts_with('#')) {
            let kind = if format.highlights.is_match(trimmed) {
                BlockKind::Highlights
            } else if format.unresolved.is_match(trimmed) {
                BlockKind::Unresolved
            } else if format.resolved.is_match(trimmed) {
                BlockKind::Resolved
            } else {
                BlockKind::Other
            };
            self.push_block(kind, Some(trimmed.to_string()), n);
            return;
        }
        // A continuation of the current entry, or prose.
        if let Some(e) = self.entry {
            let entry = &mut self.section.entries[e];
            entry.end = n;
            mentions(line, n, format, &mut entry.mentions);
        }
    }
}

/// The keys an entry leads with: `[K-1]`, `[K-1, K-2]`, or a bare `K-1`.
fn leading_keys(text: &str, n: usize, format: &Format, entry: &mut Entry) {
    if let Some(inner) = text
        .strip_prefix('[')
        .and_then(|t| t.split_once(']'))
        .map(|(i, _)| i)
    {
        for token in inner.split([',', ';']).map(str::trim) {
            if token.is_empty() {
                continue;
            }
            let k = KeyRef {
                key: token.to_string(),
                line: n,
            };
            if format.key_exact.is_match(token) {
                entry.keys.push(k);
            } else {
                entry.bad_keys.push(k);
            }
        }
    } else if let Some(m) = format.key.find(text).filter(|m| m.start() == 0) {
        entry.keys.push(KeyRef {
            key: m.as_str().to_string(),
            line: n,
        });
    }
}

fn mentions(line: &str, n: usize, format: &Format, out: &mut Vec<KeyRef>) {
    // Most lines have no key at all; skip the regex for lines without a digit.
    if !has_digit(line) {
        return;
    }
    out.extend(format.key.find_iter(line).map(|m| KeyRef {
        key: m.as_str().to_string(),
        line: n,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::changelog::Settings;

    fn mesos() -> Format {
        Format::new(&Settings::default(), "mesos", "Mesos").unwrap()
    }

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    const REGULAR: &str = "\
Release Notes - Mesos - Version 1.11.0
-------------------------------------------
This release contains the following highlights:

  * Mesos Containerizer now supports ... (MESOS-10141).

Additional API Changes:

  * **Breaking change** Deprecated authentication credential text format support.

Unresolved Critical Issues:
  * [MESOS-10194] - Mesos master failure \"Check failed: 'get_(role)' Must be SOME\"

All Resolved Issues:

** Bug
    * [MESOS-7485] - Add verbose logging for curl commands used in fetcher/puller

** Epic
    * [MESOS-898] - Introduce CMake as an alternative build system.

Release Notes - Mesos - Version 1.10.1 (WIP)
-------------------------------------------
* This is a bug fix release.

** Bug
  * [MESOS-9609] - Master check failure when marking agent unreachable.
";

    #[test]
    fn the_issue_example_parses_with_every_line_number() {
        let cl = parse(REGULAR, &mesos());
        assert_eq!(cl.sections.len(), 2);
        let s = &cl.sections[0];
        assert_eq!(s.version(), Some(v("1.11.0")));
        assert!(!s.wip);
        assert_eq!((s.line, s.underline, s.end), (1, Some(2), 20));
        let kinds: Vec<_> = s.blocks.iter().map(|b| (b.kind, b.line)).collect();
        assert_eq!(
            kinds,
            vec![
                (BlockKind::Highlights, 3),
                (BlockKind::Other, 7),
                (BlockKind::Unresolved, 11),
                (BlockKind::Resolved, 14)
            ]
        );
        assert_eq!(
            s.blocks[3].groups,
            vec![
                Group {
                    name: "Bug".into(),
                    line: 16
                },
                Group {
                    name: "Epic".into(),
                    line: 19
                }
            ]
        );
        let keys: Vec<_> = s
            .resolved_keys()
            .map(|k| (k.key.as_str(), k.line))
            .collect();
        assert_eq!(keys, vec![("MESOS-7485", 17), ("MESOS-898", 20)]);
        let unresolved: Vec<_> = s.entries_in(BlockKind::Unresolved).collect();
        assert_eq!(unresolved[0].keys[0].key, "MESOS-10194");
        let highlight = s.entries_in(BlockKind::Highlights).next().unwrap();
        assert!(highlight.keys.is_empty());
        assert_eq!(highlight.mentions[0].key, "MESOS-10141");
        assert_eq!(highlight.line, 5);
        assert_eq!(s.group_line("bug"), Some(16));

        let p = &cl.sections[1];
        assert_eq!(p.version(), Some(v("1.10.1")));
        assert!(p.wip);
        assert_eq!(p.suffix, "(WIP)");
        assert_eq!((p.line, p.end), (22, 27));
        assert_eq!(p.blocks[0].kind, BlockKind::Intro);
        assert_eq!(
            p.blocks[1].kind,
            BlockKind::Resolved,
            "a bare ** Bug group is the resolved list"
        );
        assert_eq!(p.blocks[1].title, None);
        assert_eq!(p.resolved_keys().next().unwrap().line, 27);
    }

    #[test]
    fn old_mesos_variants() {
        let text = "\
Release Notes - Mesos - Version 1.3.3 (WIP) - cancelled
-------------------------------------------------------
* This is a bug fix release.

All Issues:
** Bug
  * [MESOS-8125] - Agent should properly handle recovering an executor.


Release Notes - Mesos - Version 0.17.0
--------------------------------------
* The primary feature of this release is to add recovery support for
  replicated log to make it more resilient to disk failures.
 * If less than quorum of disks fail, the replicated log will
   automatically perform catch-up to recover lost data (MESOS-736).

All Issues:
** Sub-task
  * [MESOS-902] - add post to libprocess
** Bug
  * [MESOS-7289, MESOS-7235] - Two keys in one bracket
  * [MESOS 12] - A typo in a key
	* [MESOS-13]    - Tab-indented entry
Release Notes - Mesos - Version 0.9.0
-----
** Dependency upgrade
    * [MESOS-174] - Upgrade protobuf dependency to version 2.4.1
Release Notes - Mesos - Version 0.8.0
Release Notes - Mesos - Version 0.7.0
";
        let cl = parse(text, &mesos());
        let versions: Vec<_> = cl
            .sections
            .iter()
            .map(|s| s.version_text.as_str())
            .collect();
        assert_eq!(versions, vec!["1.3.3", "0.17.0", "0.9.0", "0.8.0", "0.7.0"]);
        let s = &cl.sections[0];
        assert!(s.wip);
        assert_eq!(s.suffix, "(WIP) - cancelled");
        assert_eq!(s.blocks[1].kind, BlockKind::Resolved);
        assert_eq!(s.blocks[1].title.as_deref(), Some("All Issues:"));
        assert_eq!(
            s.blocks[1].groups.len(),
            1,
            "the group joins the titled list"
        );
        let s = &cl.sections[1];
        let intro: Vec<_> = s.entries_in(BlockKind::Intro).collect();
        assert_eq!(intro.len(), 2);
        assert_eq!((intro[0].line, intro[0].end), (12, 13));
        assert_eq!(
            intro[1].mentions[0],
            KeyRef {
                key: "MESOS-736".into(),
                line: 15
            }
        );
        let keys: Vec<_> = s.resolved_keys().map(|k| k.key.as_str()).collect();
        assert_eq!(
            keys,
            vec!["MESOS-902", "MESOS-7289", "MESOS-7235", "MESOS-13"]
        );
        let bad: Vec<_> = s.entries.iter().flat_map(|e| &e.bad_keys).collect();
        assert_eq!(
            bad,
            vec![&KeyRef {
                key: "MESOS 12".into(),
                line: 22
            }]
        );
        assert_eq!(
            s.end, 23,
            "a heading right after the last entry ends the section"
        );
        assert_eq!(
            cl.sections[2].underline,
            Some(25),
            "five dashes are an underline too"
        );
        let empty = &cl.sections[3];
        assert_eq!((empty.line, empty.end, empty.underline), (28, 28, None));
        assert!(empty.blocks.is_empty() && empty.entries.is_empty());
    }

    #[test]
    fn malformed_headings_still_start_sections() {
        let text = "\
Release Notes - Mesos - Version 1.2
---------
** Bug
  * [MESOS-1] - one

Release Notes - Mesos - 1.1.0
-----------------------------
** Bug
  * [MESOS-2] - two

Release Notes - Mesos - Version 1.0.0
** Bug
  * [MESOS-3] - three
";
        let cl = parse(text, &mesos());
        assert_eq!(cl.sections.len(), 3);
        assert!(
            matches!(&cl.sections[0].kind, HeadingKind::Malformed { reason } if reason.contains("`1.2` is not a version")),
            "{:?}",
            cl.sections[0].kind
        );
        assert!(
            matches!(&cl.sections[1].kind, HeadingKind::Malformed { reason } if reason.contains("underlined")),
            "{:?}",
            cl.sections[1].kind
        );
        assert_eq!(cl.sections[1].version_text, "1.1.0");
        assert_eq!(
            cl.sections[2].resolved_keys().next().unwrap().key,
            "MESOS-3"
        );
        assert_eq!(cl.section(v("1.0.0")).unwrap().line, 11);
    }

    #[test]
    fn preamble_crlf_bom_and_no_final_newline() {
        let text = "\u{feff}Hello CHANGELOG\r\n\r\nRelease Notes - Mesos - Version 2.0.0\r\n---\r\n** Bug\r\n  * [MESOS-1] - x";
        let cl = parse(text, &mesos());
        assert_eq!(cl.lines.len(), 6);
        assert_eq!(cl.sections[0].line, 3);
        assert_eq!(
            cl.sections[0].title,
            "Release Notes - Mesos - Version 2.0.0"
        );
        assert_eq!(cl.sections[0].end, 6);
        assert_eq!(cl.line(6), "  * [MESOS-1] - x");
        assert!(parse("", &mesos()).sections.is_empty());
    }

    #[test]
    fn keep_a_changelog_by_configuration() {
        let c = Settings {
            heading: "## [{version}] - {date}".into(),
            issue_key: r"#\d+".into(),
            resolved: "^### (Fixed|Added|Changed)".into(),
            ..Default::default()
        };
        let f = Format::new(&c, "mesos", "Mesos").unwrap();
        let text = "\
# Changelog

## [Unreleased]
### Added
- Something new (#12)

## [1.2.0] - 2026-01-02
### Added
- A feature (#10)
### Fixed
- #11 A fix

## [1.1.0] - 2025-12-01
### Changed
- Something

[1.2.0]: https://example.org/compare/v1.1.0...v1.2.0
";
        let cl = parse(text, &f);
        assert_eq!(cl.sections.len(), 3);
        assert_eq!(cl.sections[0].kind, HeadingKind::Unversioned);
        let s = cl.section(v("1.2.0")).unwrap();
        assert_eq!(s.line, 7);
        let keys: Vec<_> = s
            .resolved_keys()
            .map(|k| (k.key.as_str(), k.line))
            .collect();
        assert_eq!(keys, vec![("#11", 11)]);
        assert_eq!(s.entries[0].mentions[0].key, "#10");
        assert_eq!(cl.section(v("1.1.0")).unwrap().end, 17);
    }

    #[test]
    fn keep_a_changelog_keys_at_the_end_of_an_entry() {
        let c = Settings {
            heading: "## [{version}] - {date}".into(),
            issue_key: r"#\d+".into(),
            issue_key_at: "anywhere".into(),
            resolved: "^### (Fixed|Added|Changed)".into(),
            ..Default::default()
        };
        let f = Format::new(&c, "x", "X").unwrap();
        let text = "\
## [1.2.0] - 2026-01-02
### Added
- A feature (#10).
- Two fixes at once (#12, #13) and #12 again
### Fixed
- #11 A fix
- A fix wrapped onto the next
  line (#14).
";
        let cl = parse(text, &f);
        let keys: Vec<_> = cl
            .section(v("1.2.0"))
            .unwrap()
            .resolved_keys()
            .map(|k| (k.key.as_str(), k.line))
            .collect();
        assert_eq!(
            keys,
            vec![("#10", 3), ("#12", 4), ("#13", 4), ("#11", 6), ("#14", 8)]
        );
        let bad = Settings {
            issue_key_at: "end".into(),
            ..c
        };
        assert!(Format::new(&bad, "x", "X")
            .unwrap_err()
            .contains("changelog.issue_key_at"));
    }

    #[test]
    fn an_indented_template_reads_a_git_log_changelog() {
        let c = Settings {
            heading: "    Release {name} {version}".into(),
            regular_release: String::new(),
            patch_release: String::new(),
            ..Default::default()
        };
        let f = Format::new(&c, "libmd", "libmd").unwrap();
        let text = "commit 9d3c9a7\nAuthor: A <a@example.org>\n\n    Release libmd 1.0.4\n\ncommit 04781b0\n\n    Release libmd 1.0.3\n";
        let cl = parse(text, &f);
        let versions: Vec<_> = cl.sections.iter().map(|s| s.line).collect();
        assert_eq!(versions, vec![4, 8]);
        assert!(cl.section(v("1.0.4")).is_some());
        // Column 0 is not a heading for an indented template.
        assert!(parse("Release libmd 1.0.4\n", &f).sections.is_empty());
    }

    #[test]
    fn changes_style_by_configuration() {
        let c = Settings {
            heading: "Changes with {display_name} {version}".into(),
            ..Default::default()
        };
        let f = Format::new(&c, "httpd", "Apache").unwrap();
        let text = "\
Changes with Apache 2.4.59

  *) mod_ssl: Fixed something. [Jane Doe]

Changes with Apache 2.4.58

  *) core: Another thing. PR 12345.
";
        let cl = parse(text, &f);
        assert_eq!(cl.sections.len(), 2);
        assert_eq!(cl.section(v("2.4.58")).unwrap().line, 5);
        assert_eq!(cl.section(v("2.4.59")).unwrap().end, 3);
    }

    #[test]
    fn a_generated_large_changelog_keeps_every_section() {
        let text = super::super::synth::generate(&super::super::synth::Spec::lines(5000));
        let cl = parse(&text, &mesos());
        let headings = text
            .lines()
            .filter(|l| l.starts_with("Release Notes"))
            .count();
        assert!(text.lines().count() >= 5000);
        assert_eq!(cl.sections.len(), headings);
        assert!(cl.sections.iter().all(|s| s.version().is_some()));
        let entries = text
            .lines()
            .filter(|l| l.trim_start().starts_with("* ["))
            .count();
        let parsed: usize = cl
            .sections
            .iter()
            .map(|s| s.entries.iter().filter(|e| !e.keys.is_empty()).count())
            .sum();
        assert_eq!(parsed, entries, "no entry lost");
    }
}
