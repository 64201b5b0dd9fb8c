//! The CHANGELOG: its model (release sections, their blocks and entries, every one with its line
//! number), the parser for the Mesos family and configured formats, and the pure checks that
//! `changelog-check` runs on it. Nothing here reads files, runs git or calls JIRA.

pub mod checks;
pub mod format;
pub mod parse;
pub mod synth;

use serde::Serialize;

use crate::model::version::Version;

pub use format::{Format, HeadingMatch, Required, Settings, Untouched};
pub use parse::parse;

/// A parsed CHANGELOG. Line numbers count from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changelog {
    /// Every line of the file, without its terminator.
    pub lines: Vec<String>,
    /// The release sections, in file order (newest first in a Mesos CHANGELOG).
    pub sections: Vec<Section>,
}

/// What a section heading says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind")]
pub enum HeadingKind {
    /// A release: `Release Notes - Mesos - Version 1.11.0`.
    Release { version: Version },
    /// A heading without a version, such as Keep a Changelog's `## [Unreleased]`.
    Unversioned,
    /// Looks like a heading (it starts like one, or is underlined and names a version) but does
    /// not parse; `reason` says why.
    Malformed { reason: String },
}

/// One section: a heading, its optional underline, and its blocks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    pub kind: HeadingKind,
    /// The heading line as written.
    pub title: String,
    /// The text where the version goes (`1.11.0`, `Unreleased`, `1.11`).
    pub version_text: String,
    /// Whatever follows the version: `(WIP)`, `(WIP) - cancelled`.
    pub suffix: String,
    /// The title carries the WIP marker.
    pub wip: bool,
    /// The heading's line.
    pub line: usize,
    /// The line of dashes under the heading, when there is one.
    pub underline: Option<usize>,
    /// The section's last non-blank line (the heading's line for an empty section).
    pub end: usize,
    pub blocks: Vec<Block>,
    pub entries: Vec<Entry>,
}

/// What a block of a section holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BlockKind {
    /// Lines before any block title (`* This is a bug fix release.`).
    Intro,
    /// `This release contains the following highlights:`
    Highlights,
    /// `Unresolved Critical Issues:`
    Unresolved,
    /// `All Resolved Issues:`, or a bare `** Bug` group list.
    Resolved,
    /// Any other titled block (`Additional API Changes:`, `### Added`).
    Other,
}

/// A titled part of a section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The title line as written; `None` for an intro or a bare group list.
    pub title: Option<String>,
    /// The title's line (the first group's line for a bare group list).
    pub line: usize,
    /// `** Bug`-style groups inside the block.
    pub groups: Vec<Group>,
}

/// A `** Bug` group of the resolved list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group's name, e.g. `Bug`.
    pub name: String,
    pub line: usize,
}

/// An issue key and the line it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KeyRef {
    pub key: String,
    pub line: usize,
}

/// One bullet entry (`* [MESOS-1] - Summary`), with its continuation lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The bullet's line.
    pub line: usize,
    /// The entry's last line.
    pub end: usize,
    /// Index into the section's blocks.
    pub block: usize,
    /// Index into that block's groups.
    pub group: Option<usize>,
    /// The bullet line's text after the bullet.
    pub text: String,
    /// The keys the entry leads with: `[MESOS-1]`, `[MESOS-1, MESOS-2]` or a bare `MESOS-1`.
    pub keys: Vec<KeyRef>,
    /// Text in the leading brackets that is not a well-formed key (`[MESOS 12]`).
    pub bad_keys: Vec<KeyRef>,
    /// Every key mentioned anywhere in the entry, the leading ones included.
    pub mentions: Vec<KeyRef>,
}

impl Changelog {
    /// The sections for `version`, in file order.
    pub(crate) fn sections_for(&self, version: Version) -> impl Iterator<Item = &Section> {
        self.sections
            .iter()
            .filter(move |s| s.version() == Some(version))
    }

    /// The first section for `version`.
    pub fn section(&self, version: Version) -> Option<&Section> {
        self.sections_for(version).next()
    }

    /// The text of a line (1-based); empty past the end.
    pub fn line(&self, n: usize) -> &str {
        n.checked_sub(1)
            .and_then(|i| self.lines.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// A section's lines, heading to last non-blank line, as (line number, text).
    pub fn section_lines<'a>(&'a self, s: &Section) -> impl Iterator<Item = (usize, &'a str)> {
        (s.line..=s.end).map(move |n| (n, self.line(n)))
    }
}

impl Section {
    pub fn version(&self) -> Option<Version> {
        match self.kind {
            HeadingKind::Release { version } => Some(version),
            _ => None,
        }
    }

    pub(crate) fn has_block(&self, kind: BlockKind) -> bool {
        self.blocks.iter().any(|b| b.kind == kind)
    }

    /// The entries of the blocks of one kind.
    pub(crate) fn entries_in(&self, kind: BlockKind) -> impl Iterator<Item = &Entry> {
        self.entries
            .iter()
            .filter(move |e| self.blocks[e.block].kind == kind)
    }

    /// The keys the resolved list lists, with their lines.
    pub(crate) fn resolved_keys(&self) -> impl Iterator<Item = &KeyRef> {
        self.entries_in(BlockKind::Resolved).flat_map(|e| &e.keys)
    }

    /// The line of the resolved list's title (its first group for a bare list), or the heading.
    pub(crate) fn resolved_line(&self) -> usize {
        self.blocks
            .iter()
            .find(|b| b.kind == BlockKind::Resolved)
            .map(|b| b.line)
            .unwrap_or(self.line)
    }

    /// The line of the resolved list's group named `name` (`Bug`), ignoring case.
    pub(crate) fn group_line(&self, name: &str) -> Option<usize> {
        self.blocks
            .iter()
            .filter(|b| b.kind == BlockKind::Resolved)
            .flat_map(|b| &b.groups)
            .find(|g| g.name.eq_ignore_ascii_case(name))
            .map(|g| g.line)
    }
}

/// A CHANGELOG's bytes as text. Real release notes are not always UTF-8: older entries of
/// long-lived GNU-style `NEWS` files are often Latin-1 (pv's "Cédric" as the byte 0xE9). Valid
/// UTF-8 is kept; each byte that is not part of valid UTF-8 is read as Latin-1 (ISO-8859-1),
/// which maps every byte to a character, so nothing is lost and no file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The first line (from 1) holding a byte that is not UTF-8; `None` when it is all UTF-8.
    pub latin1_line: Option<usize>,
}

impl Decoded {
    /// What a report says when part of `file` was read as Latin-1.
    pub fn note(&self, file: &str) -> Option<String> {
        self.latin1_line.map(|line| {
            format!(
                "{file} is not all UTF-8 (first at line {line}): those bytes were read as Latin-1 (ISO-8859-1); if that is wrong, convert the file with iconv"
            )
        })
    }
}

/// Decodes a CHANGELOG's bytes: see [`Decoded`].
pub fn decode(bytes: &[u8]) -> Decoded {
    let mut text = String::with_capacity(bytes.len());
    let mut latin1_line = None;
    let mut rest = bytes;
    let mut line = 1;
    loop {
        match std::str::from_utf8(rest) {
            Ok(valid) => {
                text.push_str(valid);
                break;
            }
            Err(e) => {
                let (valid, after) = rest.split_at(e.valid_up_to());
                // Safe: `valid_up_to` is the length of the valid prefix.
                let valid = std::str::from_utf8(valid).unwrap_or_default();
                text.push_str(valid);
                line += valid.bytes().filter(|b| *b == b'\n').count();
                latin1_line.get_or_insert(line);
                let bad = e.error_len().unwrap_or(after.len()).max(1);
                text.extend(after[..bad].iter().map(|b| char::from(*b)));
                line += after[..bad].iter().filter(|b| **b == b'\n').count();
                rest = &after[bad..];
            }
        }
    }
    Decoded { text, latin1_line }
}

#[cfg(test)]
mod decode_tests {
    use super::decode;

    #[test]
    fn utf8_is_kept_and_latin1_bytes_are_read_as_latin1_with_their_line() {
        let d = decode("1.6.20 - fixes\n  - thanks Andr\u{e9}\n".as_bytes());
        assert_eq!(d.latin1_line, None);
        assert!(d.text.contains("Andr\u{e9}"));
        let d = decode(b"1.6.20\n  - ok\n  - thanks C\xe9dric\n  - \xff\xfe\n");
        assert_eq!(d.latin1_line, Some(3));
        assert_eq!(
            d.text,
            "1.6.20\n  - ok\n  - thanks C\u{e9}dric\n  - \u{ff}\u{fe}\n"
        );
        assert!(d.note("doc/NEWS").unwrap().contains("line 3"));
        // A UTF-8 sequence cut short at the end of the file.
        let d = decode(b"abc\xc3");
        assert_eq!(d.text, "abc\u{c3}");
        assert_eq!(d.latin1_line, Some(1));
    }
}
