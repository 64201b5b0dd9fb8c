//! The licence classifier a PMC voter runs by eye (Apache RAT's job), pure: one file's first
//! bytes in, its class out (approved header with its SPDX id, generated, binary, compiled code,
//! unknown or unapproved) with the line that is the evidence. Compiled code and binaries are
//! told by content (magic numbers), never by name. A licence text in a comment style the
//! classifier does not know is reported unknown with its line, never guessed approved.

use serde::Serialize;

/// How many bytes of a file the classifier reads (the header lives there).
pub const HEAD: usize = 16 * 1024;

/// The licences the ASF's Category A allows in a source release (SPDX ids).
pub const CATEGORY_A: &[&str] = &[
    "Apache-2.0",
    "MIT",
    "MIT-0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "Zlib",
    "BSL-1.0",
    "PSF-2.0",
    "Python-2.0",
    "0BSD",
    "CC0-1.0",
    "Unlicense",
    "X11",
    "NCSA",
    "W3C",
    "PostgreSQL",
    "UPL-1.0",
    "BlueOak-1.0.0",
    "bzip2-1.0.6",
    "curl",
    "libpng-2.0",
    "ICU",
    "Unicode-DFS-2016",
    "Unicode-3.0",
];

/// A file's class.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "class")]
pub enum Class {
    /// A header of an approved licence.
    Approved { spdx: String },
    /// Made by a tool (autotools, protoc, ...), said so in its first lines.
    Generated,
    /// Not text (an image, an archive, ...), by its magic number or a NUL byte.
    Binary { what: String },
    /// Compiled code, which a source release must not hold.
    Compiled { what: String },
    /// Listed in an exclusions file, `licence.exclude`, or a notes file (LICENSE, NOTICE,
    /// README, CHANGELOG ...) that RAT does not expect a header in.
    Excluded { by: String },
    /// An empty file.
    Empty,
    /// A licence the ASF does not allow in a source release (or not one of Category A).
    Unapproved { licence: String },
    /// No licence header found, or one in a comment style not known here.
    Unknown { why: String },
}

impl Class {
    /// The group a summary lists the file under.
    pub fn group(&self) -> &'static str {
        match self {
            Class::Approved { .. } => "approved",
            Class::Generated => "generated",
            Class::Binary { .. } => "binary",
            Class::Compiled { .. } => "compiled",
            Class::Excluded { .. } => "excluded",
            Class::Empty => "empty",
            Class::Unapproved { .. } => "unapproved",
            Class::Unknown { .. } => "unknown",
        }
    }

    /// Whether the file fails the audit.
    pub fn is_problem(&self) -> bool {
        matches!(
            self,
            Class::Unapproved { .. } | Class::Unknown { .. } | Class::Compiled { .. }
        )
    }
}

/// The line a verdict rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// 1-based.
    pub line: usize,
    pub text: String,
}

/// A file's class and the evidence for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verdict {
    #[serde(flatten)]
    pub class: Class,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence>,
}

impl Verdict {
    fn new(class: Class) -> Self {
        Verdict {
            class,
            evidence: None,
        }
    }
}

/// The compiled code `head` is, by magic number.
pub fn compiled(head: &[u8]) -> Option<String> {
    let be32 = |at: usize| {
        head.get(at..at + 4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let le16 = |at: usize| {
        head.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    if head.starts_with(b"\x7fELF") {
        let what = match le16(16).map(|t| {
            if head.get(5) == Some(&2) {
                t.swap_bytes()
            } else {
                t
            }
        }) {
            Some(1) => "ELF relocatable object (.o)",
            Some(2) => "ELF executable",
            Some(3) => "ELF shared object",
            _ => "ELF binary",
        };
        return Some(what.into());
    }
    if head.starts_with(b"!<arch>\n") {
        return Some("static library (ar archive, .a)".into());
    }
    match be32(0) {
        Some(0xFEED_FACE | 0xFEED_FACF | 0xCEFA_EDFE | 0xCFFA_EDFE) => {
            return Some("Mach-O binary".into())
        }
        // Java class files and Mach-O universal binaries share CAFEBABE: a class file's
        // version follows (major >= 45), a universal binary's small architecture count.
        Some(0xCAFE_BABE) => {
            return Some(match be32(4) {
                Some(n) if n < 45 => "Mach-O universal binary".into(),
                _ => "Java class file".into(),
            })
        }
        _ => {}
    }
    if head.starts_with(b"MZ") {
        let pe = head
            .get(0x3c..0x40)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .and_then(|at| head.get(at..at + 4))
            == Some(b"PE\0\0");
        if pe {
            return Some("Windows PE executable or DLL".into());
        }
    }
    if head.starts_with(b"PK\x03\x04") && contains(head, b"META-INF/") {
        return Some("Java archive (jar)".into());
    }
    // Python bytecode: a 16-bit magic (3000..=3999 for Python 3, 62211 for 2.7) then "\r\n".
    if head.get(2..4) == Some(b"\r\n") {
        if let Some(m) = le16(0) {
            if (3000..=3999).contains(&m) || m == 62211 {
                return Some("Python bytecode (.pyc)".into());
            }
        }
    }
    if head.starts_with(b"\0asm") {
        return Some("WebAssembly module".into());
    }
    None
}

/// What kind of binary (not compiled code) `head` is.
pub fn binary(head: &[u8]) -> Option<String> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x1f\x8b", "gzip data"),
        (b"BZh", "bzip2 data"),
        (b"\xfd7zXZ\0", "xz data"),
        (b"PK\x03\x04", "zip archive"),
        (b"PK\x05\x06", "zip archive"),
        (b"\x89PNG", "PNG image"),
        (b"GIF8", "GIF image"),
        (b"\xff\xd8\xff", "JPEG image"),
        (b"%PDF", "PDF document"),
        (b"\x00\x00\x01\x00", "icon"),
        (b"wOF", "web font"),
        (b"7z\xbc\xaf", "7-zip archive"),
    ];
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| head.starts_with(m)) {
        return Some((*what).into());
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Some("tar archive".into());
    }
    head.contains(&0).then(|| "binary data (NUL bytes)".into())
}

/// A licence the classifier recognises by a phrase of its text.
struct Phrase {
    text: &'static str,
    licence: &'static str,
}

const PHRASES: &[Phrase] = &[
    Phrase { text: "licensed to the apache software foundation (asf) under one", licence: "Apache-2.0" },
    Phrase { text: "licensed under the apache license, version 2.0", licence: "Apache-2.0" },
    Phrase { text: "under the apache license, version 2.0", licence: "Apache-2.0" },
    Phrase { text: "apache license, version 2.0", licence: "Apache-2.0" },
    Phrase { text: "apache license version 2.0, january 2004", licence: "Apache-2.0" },
    Phrase { text: "http://www.apache.org/licenses/license-2.0", licence: "Apache-2.0" },
    Phrase { text: "permission is hereby granted, free of charge, to any person obtaining a copy", licence: "MIT" },
    Phrase { text: "permission to use, copy, modify, and/or distribute this software for any purpose", licence: "ISC" },
    Phrase { text: "permission to use, copy, modify, and distribute this software for any purpose with or without fee", licence: "ISC" },
    Phrase { text: "redistribution and use in source and binary forms, with or without modification, are permitted", licence: "BSD" },
    Phrase { text: "boost software license - version 1.0", licence: "BSL-1.0" },
    Phrase { text: "distributed under the boost software license, version 1.0", licence: "BSL-1.0" },
    Phrase { text: "this software is provided 'as-is', without any express or implied warranty", licence: "Zlib" },
    Phrase { text: "python software foundation license", licence: "PSF-2.0" },
    Phrase { text: "this is free and unencumbered software released into the public domain", licence: "Unlicense" },
    Phrase { text: "gnu affero general public license", licence: "AGPL" },
    Phrase { text: "gnu lesser general public license", licence: "LGPL" },
    Phrase { text: "gnu library general public license", licence: "LGPL" },
    Phrase { text: "gnu general public license", licence: "GPL" },
    Phrase { text: "mozilla public license", licence: "MPL" },
    Phrase { text: "eclipse public license", licence: "EPL" },
    Phrase { text: "common development and distribution license", licence: "CDDL" },
    Phrase { text: "creative commons attribution-sharealike", licence: "CC-BY-SA" },
];

/// Lines (lower case) that say a tool made the file.
const GENERATED: &[&str] = &[
    "generated by",
    "do not edit",
    "@generated",
    "automatically generated",
    "autogenerated",
    "auto-generated",
    "this file was generated",
    "generated automatically",
];

/// The comment markers whose text is read as a header; anything else before a licence
/// phrase makes the file unknown.
const MARKERS: &[&str] = &[
    "<!--", "-->", "/**", "/*!", "/*", "*/", "//!", "///", "//", "#!", "##", "#", "--", ";;", ";",
    "%%", "%", "**", "*", "!", "..", "'''", "\"\"\"", "dnl", "@c", ".\\\"", "'\\\"",
];

/// One line of the header, its comment marker stripped.
struct Line<'a> {
    raw: &'a str,
    /// The text after the known markers, lower case, whitespace collapsed.
    text: String,
    /// Where the line's text starts in the joined text.
    at: usize,
}

fn strip_markers(line: &str) -> &str {
    let mut rest = line.trim();
    loop {
        let before = rest;
        for m in MARKERS {
            if let Some(r) = rest.strip_prefix(m) {
                // A word marker (`dnl`) must be followed by a space or end the line.
                if m.chars().all(|c| c.is_ascii_alphabetic())
                    && !(r.is_empty() || r.starts_with(char::is_whitespace))
                {
                    continue;
                }
                rest = r.trim_start();
                break;
            }
        }
        if rest.len() == before.len() {
            break;
        }
    }
    rest.trim_end_matches(['*', '/', '#', ' ', '\t'])
        .trim_end_matches("-->")
        .trim_end()
}

fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().flat_map(char::to_lowercase));
    }
    out
}

/// Classifies a file from its first bytes (up to [`HEAD`]) and its size. Exclusions are the
/// caller's: they change the class afterwards.
pub fn classify(head: &[u8], size: u64) -> Verdict {
    if size == 0 {
        return Verdict::new(Class::Empty);
    }
    if let Some(what) = compiled(head) {
        return Verdict::new(Class::Compiled { what });
    }
    if let Some(what) = binary(head) {
        return Verdict::new(Class::Binary { what });
    }
    let text = String::from_utf8_lossy(head);
    let mut lines: Vec<Line<'_>> = Vec::new();
    let mut joined = String::new();
    for raw in text.lines().take(400) {
        let body = collapse(strip_markers(raw));
        if !joined.is_empty() {
            joined.push(' ');
        }
        let at = joined.len();
        joined.push_str(&body);
        lines.push(Line {
            raw,
            text: body,
            at,
        });
    }
    let line_at = |pos: usize| lines.iter().rposition(|l| l.at <= pos).unwrap_or(0);
    let evidence = |i: usize| {
        Some(Evidence {
            line: i + 1,
            text: lines[i].raw.trim().chars().take(200).collect(),
        })
    };

    // SPDX identifiers first: they say exactly what the licence is.
    for (i, l) in lines.iter().enumerate() {
        if let Some(p) = l.text.find("spdx-license-identifier:") {
            let prefix = &l.text[..p];
            let raw_expr = l
                .raw
                .split_once(':')
                .map(|(_, e)| e)
                .unwrap_or("")
                .trim()
                .trim_end_matches("*/")
                .trim_end_matches("-->")
                .trim();
            if !prefix.trim().is_empty() {
                return Verdict {
                    class: Class::Unknown {
                        why: "an SPDX identifier in a comment style I do not know".into(),
                    },
                    evidence: evidence(i),
                };
            }
            let ids = spdx_ids(raw_expr);
            let bad: Vec<&str> = ids.iter().copied().filter(|id| !approved(id)).collect();
            // `A OR B` needs one approved choice; `A AND B` needs all.
            let ok = if raw_expr.contains(" OR ") {
                ids.iter().any(|id| approved(id))
            } else {
                !ids.is_empty() && bad.is_empty()
            };
            let class = if ok {
                Class::Approved {
                    spdx: raw_expr.to_string(),
                }
            } else {
                Class::Unapproved {
                    licence: raw_expr.to_string(),
                }
            };
            return Verdict {
                class,
                evidence: evidence(i),
            };
        }
    }

    // The earliest licence phrase.
    let found = PHRASES
        .iter()
        .filter_map(|p| joined.find(p.text).map(|at| (at, p)))
        .min_by_key(|(at, p)| (*at, std::cmp::Reverse(p.text.len())));
    let generated = lines
        .iter()
        .take(40)
        .position(|l| GENERATED.iter().any(|g| l.text.contains(g)));
    if let Some((at, phrase)) = found {
        let i = line_at(at);
        let line = &lines[i];
        let prefix = &joined[line.at..at];
        let clean = prefix.trim().is_empty()
            || prefix.trim_end().ends_with(['.', ':', ';', ')', ','])
            || prefix.split_whitespace().count() > 3;
        if !clean {
            return Verdict {
                class: Class::Unknown {
                    why: format!(
                        "licence text after `{}`, a comment style I do not know",
                        prefix.trim()
                    ),
                },
                evidence: evidence(i),
            };
        }
        let licence = match phrase.licence {
            "BSD"
                if joined.contains("neither the name")
                    || joined.contains("the names of its contributors") =>
            {
                "BSD-3-Clause"
            }
            "BSD" if joined.contains("all advertising materials") => "BSD-4-Clause",
            "BSD" => "BSD-2-Clause",
            l => l,
        };
        if approved(licence) {
            return Verdict {
                class: Class::Approved {
                    spdx: licence.into(),
                },
                evidence: evidence(i),
            };
        }
        if let Some(g) = generated {
            return Verdict {
                class: Class::Generated,
                evidence: evidence(g),
            };
        }
        return Verdict {
            class: Class::Unapproved {
                licence: licence.into(),
            },
            evidence: evidence(i),
        };
    }
    if let Some(g) = generated {
        return Verdict {
            class: Class::Generated,
            evidence: evidence(g),
        };
    }
    let hint = lines
        .iter()
        .position(|l| l.text.contains("licen") || l.text.contains("copyright"));
    Verdict {
        class: Class::Unknown {
            why: match hint {
                Some(_) => "a licence or copyright line I cannot tell the licence from".into(),
                None => "no licence header".into(),
            },
        },
        evidence: hint.and_then(evidence),
    }
}

/// The licence a licence file (a bundled component's LICENSE or COPYING) holds.
pub fn classify_licence_file(head: &[u8]) -> Class {
    classify(head, head.len() as u64).class
}

/// Whether an SPDX id is in Category A.
pub fn approved(id: &str) -> bool {
    let id = id.trim_end_matches('+');
    CATEGORY_A.iter().any(|a| a.eq_ignore_ascii_case(id))
}

/// The licence ids of an SPDX expression (operators, `WITH` exceptions and parentheses dropped).
pub fn spdx_ids(expr: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut after_with = false;
    for tok in expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')') {
        match tok {
            "" => {}
            "AND" | "OR" | "and" | "or" => after_with = false,
            "WITH" | "with" => after_with = true,
            _ if after_with => after_with = false,
            t => out.push(t),
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A bundled third-party archive's name and version, from its file name
/// (`boost-1.65.0.tar.gz` is boost 1.65.0, `googletest-release-1.8.0.tar.gz` googletest-release
/// 1.8.0).
pub fn component_of(file_name: &str) -> Option<(String, String)> {
    let lower = file_name.to_ascii_lowercase();
    let stem_len = [
        ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar", ".zip", ".jar",
    ]
    .iter()
    .find(|e| lower.ends_with(*e))
    .map(|e| file_name.len() - e.len())?;
    let stem = &file_name[..stem_len];
    let bytes = stem.as_bytes();
    for (i, c) in bytes.iter().enumerate() {
        if (*c == b'-' || *c == b'_')
            && bytes.get(i + 1).is_some_and(|d| {
                d.is_ascii_digit()
                    || (*d == b'v' && bytes.get(i + 2).is_some_and(u8::is_ascii_digit))
            })
            && i > 0
        {
            return Some((stem[..i].to_string(), stem[i + 1..].to_string()));
        }
    }
    Some((stem.to_string(), String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn class(text: &str) -> Class {
        classify(text.as_bytes(), text.len() as u64).class
    }

    #[test]
    fn the_asf_header_in_each_known_comment_style_is_approved() {
        for header in [
            "// Licensed to the Apache Software Foundation (ASF) under one\n// or more contributor license agreements.\n",
            "/**\n * Licensed to the Apache Software Foundation (ASF) under one\n * or more\n */\n",
            "#!/bin/sh\n#\n# Licensed under the Apache License, Version 2.0 (the \"License\");\n",
            "<!--\n  Licensed to the Apache Software Foundation (ASF) under one\n-->\n",
            "dnl Licensed under the Apache License,\ndnl Version 2.0 (the \"License\");\n",
            "-- Licensed under the Apache License, Version 2.0\n",
        ] {
            assert_eq!(
                class(header),
                Class::Approved {
                    spdx: "Apache-2.0".into()
                },
                "{header}"
            );
        }
    }

    #[test]
    fn a_header_in_an_unknown_comment_style_is_unknown_with_its_line() {
        let v = classify(
            b"@echo off\nREM Licensed under the Apache License, Version 2.0 (the License)\n",
            70,
        );
        assert!(
            matches!(v.class, Class::Unknown { ref why } if why.contains("`rem`")),
            "{v:?}"
        );
        assert_eq!(v.evidence.as_ref().map(|e| e.line), Some(2));
        let v = classify(
            b"(* Licensed under the Apache License, Version 2.0 *)\n",
            60,
        );
        assert!(matches!(v.class, Class::Unknown { .. }), "{v:?}");
        assert!(v.evidence.unwrap().text.starts_with("(* Licensed"));
    }

    #[test]
    fn other_licences_are_told_apart() {
        assert_eq!(
            class("/* Copyright (c) 2010 X\n * Permission is hereby granted, free of charge, to any person obtaining a copy\n */"),
            Class::Approved { spdx: "MIT".into() }
        );
        let bsd = "# Redistribution and use in source and binary forms, with or without\n# modification, are permitted provided that\n# Neither the name of X";
        assert_eq!(
            class(bsd),
            Class::Approved {
                spdx: "BSD-3-Clause".into()
            }
        );
        assert_eq!(
            class("/* This program is free software; under the GNU General Public License */"),
            Class::Unapproved {
                licence: "GPL".into()
            }
        );
        assert_eq!(
            class("// SPDX-License-Identifier: Apache-2.0 OR GPL-2.0-only\n"),
            Class::Approved {
                spdx: "Apache-2.0 OR GPL-2.0-only".into()
            }
        );
        assert_eq!(
            class("# SPDX-License-Identifier: GPL-2.0-or-later\n"),
            Class::Unapproved {
                licence: "GPL-2.0-or-later".into()
            }
        );
        assert_eq!(
            class("# Generated by GNU Autoconf 2.69\n# GNU General Public License\n"),
            Class::Generated
        );
        assert!(matches!(class("just some text\n"), Class::Unknown { .. }));
        assert_eq!(class(""), Class::Empty);
    }

    #[test]
    fn compiled_code_is_found_by_content() {
        let mut elf = b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0".to_vec();
        elf.extend_from_slice(&[1, 0]);
        assert_eq!(
            compiled(&elf).as_deref(),
            Some("ELF relocatable object (.o)")
        );
        assert_eq!(
            compiled(b"\xca\xfe\xba\xbe\0\0\0\x34").as_deref(),
            Some("Java class file")
        );
        assert_eq!(
            compiled(b"\xca\xfe\xba\xbe\0\0\0\x02").as_deref(),
            Some("Mach-O universal binary")
        );
        assert_eq!(
            compiled(b"!<arch>\nfoo.o/").as_deref(),
            Some("static library (ar archive, .a)")
        );
        assert_eq!(
            compiled(b"\x55\x0d\x0d\x0a\0\0\0\0").as_deref(),
            Some("Python bytecode (.pyc)")
        );
        assert_eq!(
            compiled(b"PK\x03\x04....META-INF/MANIFEST.MF").as_deref(),
            Some("Java archive (jar)")
        );
        let mut pe = vec![0u8; 0x80];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c] = 0x40;
        pe[0x40..0x44].copy_from_slice(b"PE\0\0");
        assert!(compiled(&pe).is_some());
        assert_eq!(compiled(b"int main() { return 0; }"), None);
        // A binary renamed .txt is still a binary: the name is never read.
        assert!(matches!(classify(&elf, 18).class, Class::Compiled { .. }));
    }

    #[test]
    fn any_bytes_classify_without_panic_or_guessing_approved() {
        // Outside input: pseudo-random bytes and every prefix of a real header.
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for len in [0usize, 1, 2, 3, 7, 64, 300, 5000, HEAD + 10] {
            let bytes: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x % 128) as u8
                })
                .collect();
            let _ = classify(&bytes, len as u64);
            let _ = component_of(&String::from_utf8_lossy(&bytes));
        }
        let header = "/*\n * Licensed to the Apache Software Foundation (ASF) under one\n */\n";
        for end in 0..header.len() {
            let v = classify(&header.as_bytes()[..end], end as u64);
            if let Class::Approved { .. } = v.class {
                assert!(
                    end >= 60,
                    "approved from a cut header: {:?}",
                    &header[..end]
                );
            }
        }
    }

    #[test]
    fn bundled_archives_name_their_component_and_version() {
        let c = |n: &str| component_of(n).unwrap();
        assert_eq!(c("boost-1.65.0.tar.gz"), ("boost".into(), "1.65.0".into()));
        assert_eq!(
            c("googletest-release-1.8.0.tar.gz"),
            ("googletest-release".into(), "1.8.0".into())
        );
        assert_eq!(
            c("libevent-2.0.22-stable.tar.gz"),
            ("libevent".into(), "2.0.22-stable".into())
        );
        assert_eq!(
            c("concurrentqueue-7b69a8f.tar.gz"),
            ("concurrentqueue".into(), "7b69a8f".into())
        );
        assert_eq!(
            c("cyrus-sasl-2.1.27rc3.tar.gz"),
            ("cyrus-sasl".into(), "2.1.27rc3".into())
        );
        assert_eq!(component_of("README.md"), None);
    }
}
