//! A message's own text and the votes written in it. Only the sender's own words count: quoted
//! lines (`>`), an attribution ("On ... wrote:") with the marker-less quote after it, Outlook and
//! forwarded blocks, the signature (after `-- `) and the [VOTE] template's `[ ] +1` lines never
//! do. Pure: text in, findings out.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Serialize, Serializer};

/// A vote as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Value {
    MinusOne,
    MinusZero,
    Zero,
    PlusZero,
    PlusOne,
}

impl Value {
    pub fn as_str(self) -> &'static str {
        match self {
            Value::MinusOne => "-1",
            Value::MinusZero => "-0",
            Value::Zero => "0",
            Value::PlusZero => "+0",
            Value::PlusOne => "+1",
        }
    }

    fn parse(token: &str) -> Option<Value> {
        Some(match token {
            "-1" => Value::MinusOne,
            "-0" => Value::MinusZero,
            "0" => Value::Zero,
            "+0" => Value::PlusZero,
            "+1" => Value::PlusOne,
            _ => return None,
        })
    }
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A vote found on one line of a message's own text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteLine {
    pub value: Value,
    /// The line, trimmed.
    pub line: String,
}

/// What a message's own text says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Votes at the start of a line (`+1`, `+0`, `0`, `-0`, `-1`): what counts.
    pub strict: Vec<VoteLine>,
    /// Signed votes elsewhere in a line (`I am +1`, `[x] +1 Release ...`, `but -1 on ...`):
    /// never counted, always shown to a human when they could change the vote.
    pub loose: Vec<VoteLine>,
    /// A vote line that puts a condition on the vote (`+1 if X is fixed`).
    pub condition: Option<String>,
    /// What the sender wrote about themselves: `(binding)` → true, `(non-binding)` → false.
    /// Shown, never trusted.
    pub claimed_binding: Option<bool>,
}

/// The lines of `body` that are the sender's own text, in order.
pub(crate) fn own_text(body: &str) -> Vec<&str> {
    let lines: Vec<&str> = body.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        if line.trim_end() == "--" {
            break; // the signature
        }
        if starts_quoted_block(&lines, i) {
            break; // Outlook, forwarded: the rest is someone else's text without `>` markers
        }
        if is_quoted(t) {
            i += 1;
            continue;
        }
        if let Some(end) = attribution_end(&lines, i) {
            // "On ... wrote:" then `>` lines: an inline or bottom-posted reply goes on after
            // the quote. Anything else after it is a quote without markers: nothing of it counts.
            let next = (end + 1..lines.len()).find(|&k| !lines[k].trim().is_empty());
            match next {
                Some(k) if is_quoted(lines[k].trim()) => {
                    i = k;
                    continue;
                }
                _ => break,
            }
        }
        out.push(line);
        i += 1;
    }
    out
}

fn is_quoted(t: &str) -> bool {
    t.starts_with('>')
}

static ATTR_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)((\bwrote|\bwrites|a\s+écrit|\bescribió|\bha\s+scritto|\bskrev|\bschreef|\bnapisał|写道|寫道|のメッセージ)\s*|\bschrieb\b.*)[:：]\s*$",
    )
    .expect("valid regex")
});

static ATTR_START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(on|am|le|el|il|op|den|w\s+dniu)\b|<[^>\s]+@[^>\s]+>").expect("valid regex")
});

/// Where an attribution that starts at line `i` ends (it may wrap over up to three lines).
fn attribution_end(lines: &[&str], i: usize) -> Option<usize> {
    let first = lines[i].trim();
    if first.is_empty() {
        return None;
    }
    let mut joined = String::new();
    for (k, line) in lines.iter().enumerate().skip(i).take(3) {
        let l = line.trim();
        if k > i {
            if l.is_empty() || is_quoted(l) {
                break;
            }
            joined.push(' ');
        }
        joined.push_str(l);
        if ATTR_END.is_match(&joined) && (k == i || ATTR_START.is_match(first)) {
            return Some(k);
        }
    }
    None
}

static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(-{2,}\s*(original message|forwarded message|forwarded message follows|ursprüngliche nachricht|message d'origine|原始邮件|转发邮件)\s*-{2,}|begin forwarded message\s*:)",
    )
    .expect("valid regex")
});

/// Whether line `i` starts a quote that carries no `>` markers: Outlook's "-----Original
/// Message-----" or its header block, a forwarded message.
fn starts_quoted_block(lines: &[&str], i: usize) -> bool {
    let t = lines[i].trim();
    if SEPARATOR.is_match(t) {
        return true;
    }
    let next_nonblank = |from: usize, n: usize| {
        lines
            .iter()
            .skip(from)
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .take(n)
            .collect::<Vec<_>>()
    };
    if t.len() >= 10 && t.chars().all(|c| c == '_') {
        return next_nonblank(i + 1, 1)
            .first()
            .is_some_and(|l| l.starts_with("From:"));
    }
    if t.starts_with("From:") {
        return lines
            .iter()
            .skip(i + 1)
            .take(4)
            .any(|l| l.trim_start().starts_with("Sent:") || l.trim_start().starts_with("Date:"));
    }
    false
}

/// Sign and digit look-alikes (typographic minus, en dash, full-width forms) read as ASCII,
/// so a `–1` typed through an autocorrecting client is the -1 it means.
fn normalize(line: &str) -> String {
    line.chars()
        .map(|c| match c {
            '\u{2212}' | '\u{2013}' | '\u{FE63}' | '\u{FF0D}' => '-',
            '\u{FE62}' | '\u{FF0B}' => '+',
            '\u{FF10}' => '0',
            '\u{FF11}' => '1',
            '\u{00A0}' | '\u{3000}' => ' ',
            c => c,
        })
        .collect()
}

/// An unchecked template line: `[ ] +1 Release this package ...`.
fn is_template_line(t: &str) -> bool {
    let Some(rest) = t.strip_prefix('[') else {
        return false;
    };
    rest.trim_start().starts_with(']')
}

/// Whether the text after a vote token ends the token (`+1`, `+1 (binding)`, `-1:`), rather
/// than making it something else (`+10`, `-1.5`, `+1s`, `0 failures`).
fn token_ends(token: &str, rest: &str) -> bool {
    let mut chars = rest.chars();
    match chars.next() {
        None => true,
        Some(c) if c.is_alphanumeric() => false,
        Some('.') | Some(',') => !chars.next().is_some_and(|d| d.is_ascii_digit()),
        Some(c) if token == "0" && c.is_whitespace() => {
            // An unsigned 0 is a vote only when nothing word-like follows it: `0 (binding)`,
            // `0 from me`, not `0 failures`.
            let r = rest.trim_start().to_lowercase();
            r.is_empty()
                || !r.starts_with(|c: char| c.is_alphanumeric())
                || ["from", "binding", "non-binding", "nonbinding", "vote"]
                    .iter()
                    .any(|w| r.starts_with(w))
        }
        Some(_) => true,
    }
}

/// The vote at the start of a line, if the line is a vote line.
fn strict_vote(line: &str) -> Option<(Value, String)> {
    let t = line.trim_start().trim_start_matches(['*', '_']);
    for token in ["+1", "+0", "-0", "-1", "0"] {
        if let Some(rest) = t.strip_prefix(token) {
            if token_ends(token, rest) {
                return Value::parse(token).map(|v| (v, rest.to_string()));
            }
            return None;
        }
    }
    None
}

/// Signed votes anywhere in a line, with their byte offsets.
fn loose_votes(line: &str) -> Vec<(usize, Value)> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len().saturating_sub(1) {
        if !matches!(b[i], b'+' | b'-') || !matches!(b[i + 1], b'0' | b'1') {
            continue;
        }
        let before_ok = i == 0
            || line[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_whitespace() || "([{\"'/*_:;,".contains(c));
        if !before_ok {
            continue;
        }
        let token = &line[i..i + 2];
        if token_ends(token, &line[i + 2..]) {
            if let Some(v) = Value::parse(token) {
                out.push((i, v));
            }
        }
    }
    out
}

static CONDITION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(if|only\s+if|provided|assuming|unless|conditional(ly)?|contingent|pending|as\s+long\s+as|subject\s+to|once)\b",
    )
    .expect("valid regex")
});

static NOT_A_CONDITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bonce\s+(again|more)\b").expect("valid regex"));

static NON_BINDING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bnon[-\s]?binding\b").expect("valid regex"));
static BINDING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bbinding\b").expect("valid regex"));

/// Reads the votes in a message body. `loose`: also report signed votes that are not at the
/// start of a line (off for the [VOTE] message itself, which talks about votes).
pub fn analyse(body: &str, loose: bool) -> Analysis {
    let mut a = Analysis::default();
    for raw in own_text(body) {
        let line = normalize(raw);
        let t = line.trim();
        if t.is_empty() || is_template_line(t) {
            continue;
        }
        if NON_BINDING.is_match(t) {
            a.claimed_binding = Some(false);
        } else if BINDING.is_match(t) && a.claimed_binding.is_none() {
            a.claimed_binding = Some(true);
        }
        let strict = strict_vote(t);
        let skip_at = strict
            .as_ref()
            .map(|_| t.len() - t.trim_start_matches(['*', '_']).len());
        if let Some((value, rest)) = strict {
            let cleaned = NOT_A_CONDITION.replace_all(&rest, "");
            if CONDITION.is_match(&cleaned) && a.condition.is_none() {
                a.condition = Some(t.to_string());
            }
            a.strict.push(VoteLine {
                value,
                line: t.to_string(),
            });
        }
        if loose {
            for (at, value) in loose_votes(t) {
                if Some(at) == skip_at {
                    continue;
                }
                a.loose.push(VoteLine {
                    value,
                    line: t.to_string(),
                });
            }
        }
    }
    a
}

static BLOCKQUOTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)<(/?)blockquote\b[^>]*>").expect("valid regex"));
static BLOCK_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)</(div|li|tr|h[1-6]|pre|table|ul|ol)\s*>|<(hr|li|div)\b[^>]*>")
        .expect("valid regex")
});

/// An HTML body as text for [`analyse`]: quoted `<blockquote>` elements are dropped (their
/// text would otherwise look like the sender's own), block elements end lines.
pub(crate) fn html_to_text(html: &str) -> String {
    let mut kept = String::with_capacity(html.len());
    let mut depth = 0usize;
    let mut last = 0;
    for m in BLOCKQUOTE.captures_iter(html) {
        let whole = m.get(0).expect("match");
        if depth == 0 {
            kept.push_str(&html[last..whole.start()]);
        }
        if &m[1] == "/" {
            depth = depth.saturating_sub(1);
        } else {
            depth += 1;
        }
        last = whole.end();
        if depth == 0 {
            kept.push_str("<br>");
        }
    }
    if depth == 0 {
        kept.push_str(&html[last..]);
    }
    let blocks = BLOCK_END.replace_all(&kept, |c: &regex::Captures| {
        if c.get(1).is_some() {
            format!("{}<br>", &c[0])
        } else {
            format!("<br>{}", &c[0])
        }
    });
    mail_parser::decoders::html::html_to_text(&blocks)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn strict(body: &str) -> Vec<&'static str> {
        analyse(body, true)
            .strict
            .iter()
            .map(|v| v.value.as_str())
            .collect()
    }

    fn loose(body: &str) -> Vec<&'static str> {
        analyse(body, true)
            .loose
            .iter()
            .map(|v| v.value.as_str())
            .collect()
    }

    #[test]
    fn votes_at_the_start_of_a_line_count() {
        assert_eq!(strict("+1"), ["+1"]);
        assert_eq!(strict("+1 (binding)\n\nChecked the signature."), ["+1"]);
        assert_eq!(strict("  -1: the LICENSE is missing"), ["-1"]);
        assert_eq!(strict("+0"), ["+0"]);
        assert_eq!(strict("-0, not thrilled"), ["-0"]);
        assert_eq!(strict("0 (binding)"), ["0"]);
        assert_eq!(strict("0"), ["0"]);
        assert_eq!(strict("*+1*"), ["+1"]);
        assert_eq!(strict("+1."), ["+1"]);
        assert_eq!(strict("+1(binding)"), ["+1"]);
    }

    #[test]
    fn numbers_that_are_not_votes_do_not_count() {
        assert!(strict("+10 for the docs").is_empty());
        assert!(strict("-1.5 degrees").is_empty());
        assert!(strict("0 failures in make check").is_empty());
        assert!(strict("1.1.0 looks good").is_empty());
        assert!(strict("+1s all round").is_empty());
        assert!(strict("0.5 seconds").is_empty());
        assert!(strict("Looks good").is_empty());
    }

    #[test]
    fn typographic_minus_signs_are_votes() {
        assert_eq!(strict("\u{2013}1, the build fails"), ["-1"]);
        assert_eq!(strict("\u{2212}1"), ["-1"]);
        assert_eq!(strict("\u{FF0B}1"), ["+1"]);
    }

    #[test]
    fn quoted_lines_never_count() {
        assert!(strict("> +1\n>> -1").is_empty());
        assert!(strict("  > +1").is_empty());
    }

    #[test]
    fn the_template_lines_never_count_quoted_or_not() {
        let body = "[ ] +1 Release this package as Apache Hello 1.1.0\n[ ] -1 Do not release this package because ...\n";
        assert!(strict(body).is_empty());
        assert!(loose(body).is_empty());
        // A checked box is a vote in the wrong form: shown, not counted.
        let a = analyse("[X] +1 Release this package as Apache Hello 1.1.0", true);
        assert!(a.strict.is_empty());
        assert_eq!(a.loose[0].value, Value::PlusOne);
    }

    #[test]
    fn top_posted_reply_counts_above_the_attribution_only() {
        let body = "+1 (binding)\n\nOn Mon, Nov 2, 2026 at 5:00 PM Alice Andersen <alice@example.org> wrote:\n> Please vote\n> [ ] +1 Release\n> +1\n";
        assert_eq!(strict(body), ["+1"]);
    }

    #[test]
    fn bottom_posted_reply_counts_below_the_quote() {
        let body = "On Mon, Nov 2, 2026 at 5:00 PM Alice Andersen\n<alice@example.org> wrote:\n> Please vote\n> -1 Do not release\n\n-1, the tarball has a binary in it.\n";
        assert_eq!(strict(body), ["-1"]);
    }

    #[test]
    fn a_quote_without_markers_after_an_attribution_never_counts() {
        let body =
            "Looks fine to me.\n\nOn 2026-11-02 17:00, Alice Andersen wrote:\n+1\nPlease vote\n";
        assert!(strict(body).is_empty());
        let body = "+1\n\nAlice <alice@example.org> 于2026年11月2日周一 17:00写道：\n-1 quoted\n";
        assert_eq!(strict(body), ["+1"]);
        let body = "Am Mo., 2. Nov. 2026 um 18:00 Uhr schrieb Alice <alice@example.org>:\n+1\n";
        assert!(strict(body).is_empty());
    }

    #[test]
    fn signatures_outlook_and_forwarded_blocks_never_count() {
        assert_eq!(strict("+1\n-- \n-1 my sig"), ["+1"]);
        assert!(strict("-----Original Message-----\nFrom: Bob\n+1").is_empty());
        assert!(strict("________________________________\nFrom: Bob\nSent: Monday\n+1").is_empty());
        assert!(strict("fyi\nFrom: Bob <b@x>\nSent: Monday\nTo: dev\n\n+1").is_empty());
        assert!(strict("---------- Forwarded message ---------\nFrom: Bob\n\n+1").is_empty());
        assert!(strict("Begin forwarded message:\n\n+1").is_empty());
    }

    #[test]
    fn loose_votes_and_conditions_are_found() {
        let a = analyse(
            "+1 (non-binding) for the source, but -1 on the LICENSE",
            true,
        );
        assert_eq!(a.strict.len(), 1);
        assert_eq!(a.loose.len(), 1);
        assert_eq!(a.loose[0].value, Value::MinusOne);
        assert_eq!(a.claimed_binding, Some(false));
        let a = analyse("+1 if MESOS-1234 is fixed before the release", true);
        assert!(a.condition.is_some());
        let a = analyse("+1 once again, thanks", true);
        assert!(a.condition.is_none());
        assert_eq!(loose("I am +1 on this."), ["+1"]);
        assert!(loose("rc-1 and x+1 and 1.0-1").is_empty());
        // Off for the [VOTE] message, which speaks of "+1 PMC votes".
        assert!(analyse("passes with at least 3 +1 PMC votes", false)
            .loose
            .is_empty());
    }

    #[test]
    fn claimed_binding_is_read() {
        assert_eq!(analyse("+1 (binding)", true).claimed_binding, Some(true));
        assert_eq!(analyse("+1", true).claimed_binding, None);
    }

    #[test]
    fn html_quotes_are_dropped_and_blocks_end_lines() {
        let html = r#"<div dir="ltr"><div>Looks good.</div><div>+1</div></div><br><div class="gmail_quote"><div>On Mon, Nov 2, 2026 Alice wrote:<br></div><blockquote class="gmail_quote"><div>[ ] +1 Release</div><blockquote>+1</blockquote>-1</blockquote></div>"#;
        let text = html_to_text(html);
        assert_eq!(strict(&text), ["+1"], "{text}");
        assert!(!text.contains("-1"), "{text}");
        assert_eq!(strict(&html_to_text("<p>&#43;1 &amp; thanks</p>")), ["+1"]);
    }
}
