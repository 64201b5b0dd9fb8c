//! The [VOTE] thread read from what the archives export: an mbox (lists.apache.org's mbox
//! download, possibly a whole month of a list) or a Pony Mail thread JSON. MIME (multipart,
//! quoted-printable, base64, RFC 2047 headers, charsets) is decoded by `mail-parser`; the
//! candidate's thread is picked out by its subject and the In-Reply-To/References chain. Pure:
//! bytes in, messages out.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use jiff::Timestamp;
use regex::Regex;
use serde::Deserialize;

use super::TallyError;

/// How a message's text was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    Plain,
    /// An HTML-only message, converted to text (quotes dropped).
    Html,
}

/// One message of the archive, decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct Mail {
    /// Without angle brackets.
    pub message_id: String,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
    pub from_name: String,
    pub from_addr: String,
    pub subject: String,
    pub date: Timestamp,
    pub body: String,
    pub body_kind: BodyKind,
    /// Position in the input (ties in dates keep the archive's order).
    pub index: usize,
    /// Why the message cannot be judged (no Message-ID, sender or date). Such a message is an
    /// error when it belongs to the candidate's thread, and skipped with a note otherwise (a
    /// monthly export holds other lists' oddities).
    pub problem: Option<String>,
}

/// The candidate whose thread is wanted.
#[derive(Debug, Clone)]
pub struct Wanted {
    pub display_name: String,
    pub version: String,
    pub rc: u32,
    /// The subject stage-rc sent (from its ledger), else the built-in template's.
    pub subject: String,
}

/// The candidate's thread.
#[derive(Debug, Clone)]
pub struct Thread {
    /// The [VOTE] message.
    pub root: Mail,
    /// Every reply (not the root), in date order.
    pub replies: Vec<Mail>,
    /// [RESULT] and [CANCEL] messages for the candidate, in date order.
    pub closers: Vec<Mail>,
    /// Facts a human should know (duplicates dropped, another [VOTE] message merged).
    pub notes: Vec<String>,
}

/// What the input is.
pub fn parse(bytes: &[u8], origin: &str) -> Result<Vec<Mail>, TallyError> {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &bytes[i..])
        .unwrap_or_default();
    if start.is_empty() {
        return Err(TallyError::EmptyThread {
            origin: origin.into(),
        });
    }
    if start.starts_with(b"{") {
        return parse_pony(start, origin);
    }
    if start.starts_with(b"From ") {
        return parse_mbox(start, origin);
    }
    Err(TallyError::NotAThread {
        origin: origin.into(),
        reason: "it is neither an mbox (which starts with a `From ` line) nor a Pony Mail thread JSON (which starts with `{`)".into(),
    })
}

fn strip_id(id: &str) -> String {
    id.trim()
        .trim_start_matches('<')
        .trim_end_matches('>')
        .trim()
        .to_string()
}

fn ids(text: &str) -> Vec<String> {
    static ID: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"<([^<>\s]+)>").expect("valid regex"));
    let found: Vec<String> = ID.captures_iter(text).map(|c| c[1].to_string()).collect();
    if found.is_empty() && !text.trim().is_empty() {
        text.split_whitespace().map(strip_id).collect()
    } else {
        found
    }
}

fn parse_mbox(bytes: &[u8], origin: &str) -> Result<Vec<Mail>, TallyError> {
    use mail_parser::mailbox::mbox::MessageIterator;
    use mail_parser::{MessageParser, PartType};
    let mut out = Vec::new();
    for (index, item) in MessageIterator::new(bytes).enumerate() {
        let item = item.map_err(|e| TallyError::NotAThread {
            origin: origin.into(),
            reason: e.to_string(),
        })?;
        let bad = |reason: String| TallyError::NotAThread {
            origin: origin.into(),
            reason: format!("message {} of the mbox: {reason}", index + 1),
        };
        let msg = MessageParser::default()
            .parse(item.contents())
            .ok_or_else(|| bad("it is not an email message".into()))?;
        let mut problem = None;
        let message_id = msg
            .message_id()
            .map(strip_id)
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| {
                problem = Some("it has no Message-ID header".to_string());
                format!("message {} of the mbox", index + 1)
            });
        let list = |v: &mail_parser::HeaderValue| -> Vec<String> {
            v.as_text_list()
                .map(|l| l.iter().map(|s| strip_id(s)).collect())
                .unwrap_or_default()
        };
        let (from_name, from_addr) = msg
            .from()
            .and_then(|a| a.first())
            .map(|a| {
                (
                    a.name().unwrap_or_default().trim().to_string(),
                    a.address().unwrap_or_default().trim().to_string(),
                )
            })
            .unwrap_or_default();
        if from_addr.is_empty() && problem.is_none() {
            problem = Some("it has no sender address in its From header".into());
        }
        let date = match msg.date().filter(|d| d.is_valid()) {
            Some(d) => Timestamp::from_second(d.to_timestamp()).ok(),
            None if item.internal_date() > 0 => {
                Timestamp::from_second(item.internal_date() as i64).ok()
            }
            None => None,
        }
        .unwrap_or_else(|| {
            if problem.is_none() {
                problem = Some(
                    "it has no valid Date header, so it cannot be judged against the deadline"
                        .into(),
                );
            }
            Timestamp::UNIX_EPOCH
        });
        let mut text = String::new();
        let mut kind = BodyKind::Plain;
        for part in msg.text_bodies() {
            match &part.body {
                PartType::Text(t) => {
                    text.push_str(t);
                    text.push('\n');
                }
                PartType::Html(h) => {
                    kind = BodyKind::Html;
                    text.push_str(&super::text::html_to_text(h));
                    text.push('\n');
                }
                _ => {}
            }
        }
        out.push(Mail {
            message_id,
            in_reply_to: list(msg.in_reply_to()),
            references: list(msg.references()),
            from_name,
            from_addr,
            subject: msg.subject().unwrap_or_default().trim().to_string(),
            date,
            body: text,
            body_kind: kind,
            index,
            problem,
        });
    }
    if out.is_empty() {
        return Err(TallyError::EmptyThread {
            origin: origin.into(),
        });
    }
    Ok(out)
}

#[derive(Debug, Deserialize)]
struct PonyThread {
    #[serde(default)]
    thread: Option<PonyNode>,
    emails: Vec<PonyEmail>,
}

#[derive(Debug, Deserialize)]
struct PonyNode {
    #[serde(default)]
    mid: Option<String>,
    #[serde(default, rename = "message-id")]
    message_id: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    children: Vec<PonyNode>,
}

#[derive(Debug, Deserialize)]
struct PonyEmail {
    #[serde(default)]
    mid: Option<String>,
    #[serde(default, rename = "message-id")]
    message_id: Option<String>,
    from: String,
    #[serde(default)]
    subject: String,
    epoch: i64,
    #[serde(default, rename = "in-reply-to")]
    in_reply_to: Option<String>,
    #[serde(default)]
    references: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

/// Splits `Name <address>` (or a bare address).
pub(crate) fn split_address(from: &str) -> (String, String) {
    let from = from.trim();
    if let (Some(l), Some(r)) = (from.rfind('<'), from.rfind('>')) {
        if l < r {
            let name = from[..l].trim().trim_matches('"').trim().to_string();
            return (name, from[l + 1..r].trim().to_string());
        }
    }
    (String::new(), from.trim_matches('"').to_string())
}

fn parse_pony(bytes: &[u8], origin: &str) -> Result<Vec<Mail>, TallyError> {
    let t: PonyThread = serde_json::from_slice(bytes).map_err(|e| TallyError::NotAThread {
        origin: origin.into(),
        reason: format!(
            "it starts like JSON but is not a Pony Mail thread ({e}); pass the answer of lists.apache.org's /api/thread.lua?id=... (an object with `thread` and `emails`), or the thread's mbox"
        ),
    })?;
    // Pony Mail's thread API gives the first message in full and the replies only as a tree
    // of summaries without text: every message in the tree must be in `emails` with a body.
    let mut missing = Vec::new();
    if let Some(tree) = &t.thread {
        let mut stack = vec![tree];
        while let Some(n) = stack.pop() {
            let found = t.emails.iter().any(|e| {
                e.body.is_some()
                    && ((n.mid.is_some() && e.mid == n.mid)
                        || (n.message_id.is_some() && e.message_id == n.message_id))
            });
            if !found {
                missing.push(format!(
                    "`{}` from {}",
                    n.subject.as_deref().unwrap_or("?"),
                    n.from.as_deref().unwrap_or("?")
                ));
            }
            stack.extend(n.children.iter());
        }
    }
    if !missing.is_empty() {
        return Err(TallyError::PonyWithoutText {
            origin: origin.into(),
            count: missing.len(),
            example: missing[0].clone(),
        });
    }
    let mut out = Vec::new();
    for (index, e) in t.emails.into_iter().enumerate() {
        let (from_name, from_addr) = split_address(&e.from);
        if from_addr.contains("...@") {
            return Err(TallyError::HiddenAddresses {
                origin: origin.into(),
                example: from_addr,
            });
        }
        let message_id = e
            .message_id
            .as_deref()
            .map(strip_id)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| TallyError::NotAThread {
                origin: origin.into(),
                reason: format!("email {} (`{}`) has no `message-id`", index + 1, e.subject),
            })?;
        let body = e.body.ok_or_else(|| TallyError::PonyWithoutText {
            origin: origin.into(),
            count: 1,
            example: format!("`{}` from {}", e.subject, e.from),
        })?;
        let date = Timestamp::from_second(e.epoch).map_err(|_| TallyError::NotAThread {
            origin: origin.into(),
            reason: format!("email <{message_id}> has an impossible `epoch` {}", e.epoch),
        })?;
        out.push(Mail {
            message_id,
            in_reply_to: e.in_reply_to.as_deref().map(ids).unwrap_or_default(),
            references: e.references.as_deref().map(ids).unwrap_or_default(),
            from_name,
            from_addr,
            subject: e.subject.trim().to_string(),
            date,
            body,
            body_kind: BodyKind::Plain,
            index,
            problem: None,
        });
    }
    if out.is_empty() {
        return Err(TallyError::EmptyThread {
            origin: origin.into(),
        });
    }
    Ok(out)
}

static REPLY_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*((re|fw|fwd|aw|wg|sv|antw|vs|r|rif|回复|答复|转发|回覆)\s*(\[\d+\])?\s*[:：]\s*)+")
        .expect("valid regex")
});
static VOTE_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\[\s*vote\s*\]").expect("valid regex"));
static CLOSE_TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\[\s*(result|cancel|cancelled|canceled)\s*\]").expect("valid regex")
});
static OTHER_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\[\s*(discuss|lazy\s*consensus)\s*\]").expect("valid regex"));

/// The subject without `Re:`/`Fwd:` prefixes, blanks squeezed, lower case.
pub(crate) fn base_subject(subject: &str) -> String {
    REPLY_PREFIX
        .replace(subject, "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn is_reply_subject(subject: &str) -> bool {
    REPLY_PREFIX.is_match(subject)
}

/// The version and rc a subject names, as written (`1.1.0`, `2`).
fn version_rc(subject: &str) -> (Option<String>, Option<u32>) {
    static VERSION: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?:^|[^0-9.])(\d+\.\d+(?:\.\d+)*)(?:$|[^0-9])").expect("valid regex")
    });
    static RC: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)(?:^|[^a-z])rc\s*[-#]?\s*(\d+)(?:$|[^0-9])").expect("valid regex")
    });
    let v = VERSION
        .captures(subject)
        .map(|c| c[1].trim_end_matches('.').to_string());
    let rc = RC.captures(subject).and_then(|c| c[1].parse().ok());
    (v, rc)
}

fn names_project(subject: &str, want: &Wanted) -> bool {
    let s = subject.to_lowercase();
    let name = want.display_name.to_lowercase();
    s.match_indices(&name).any(|(i, _)| {
        let before = s[..i].chars().next_back();
        let after = s[i + name.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
}

fn names_candidate(subject: &str, want: &Wanted) -> bool {
    let (v, rc) = version_rc(subject);
    names_project(subject, want)
        && v.as_deref() == Some(want.version.as_str())
        && rc == Some(want.rc)
}

/// Picks the candidate's thread out of the archive.
pub(crate) fn select(mails: Vec<Mail>, want: &Wanted, origin: &str) -> Result<Thread, TallyError> {
    let mut notes = Vec::new();
    // One copy of each message (an mbox can hold the same message twice).
    let mut seen = BTreeSet::new();
    let mut dups = 0;
    let mut mails: Vec<Mail> = mails
        .into_iter()
        .filter(|m| {
            let fresh = seen.insert(m.message_id.clone());
            if !fresh {
                dups += 1;
            }
            fresh
        })
        .collect();
    if dups > 0 {
        notes.push(format!(
            "{dups} message(s) appear more than once in {origin} (same Message-ID); each is read once"
        ));
    }
    mails.sort_by_key(|m| (m.date, m.index));
    let is_vote_start = |m: &Mail| {
        !is_reply_subject(&m.subject)
            && VOTE_TAG.is_match(&m.subject)
            && !CLOSE_TAG.is_match(&m.subject)
            && !OTHER_TAG.is_match(&m.subject)
    };
    let wanted_base = base_subject(&want.subject);
    let roots: Vec<usize> = (0..mails.len())
        .filter(|&i| {
            is_vote_start(&mails[i])
                && (base_subject(&mails[i].subject) == wanted_base
                    || names_candidate(&mails[i].subject, want))
        })
        .collect();
    let Some(&root_i) = roots.first() else {
        // Replies to the candidate's vote without its first message: a partial export.
        if let Some(r) = mails.iter().find(|m| {
            VOTE_TAG.is_match(&m.subject)
                && !CLOSE_TAG.is_match(&m.subject)
                && (base_subject(&m.subject) == wanted_base || names_candidate(&m.subject, want))
        }) {
            return Err(TallyError::NoVoteMessage {
                origin: origin.into(),
                want: want.subject.clone(),
                found: r.subject.clone(),
            });
        }
        let starts: Vec<&Mail> = mails.iter().filter(|m| is_vote_start(m)).collect();
        let ours: Vec<String> = starts
            .iter()
            .filter(|m| names_project(&m.subject, want))
            .map(|m| m.subject.clone())
            .collect();
        let others = if ours.is_empty() {
            starts.iter().map(|m| m.subject.clone()).collect()
        } else {
            ours
        };
        return Err(TallyError::WrongThread {
            origin: origin.into(),
            want: want.subject.clone(),
            found: others,
        });
    };
    if roots.len() > 1 {
        notes.push(format!(
            "{} [VOTE] messages for this candidate start threads in {origin}; their replies are read as one thread from the first, <{}>",
            roots.len(),
            mails[root_i].message_id
        ));
    }
    // The thread: everything that refers to a member, or repeats the root's subject. A walk
    // from the members along "is referred to by", so a deep reply chain (100k replies, in any
    // order) is read in linear time.
    let root_base = base_subject(&mails[root_i].subject);
    let mut member = vec![false; mails.len()];
    let mut referred_by: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    for (i, m) in mails.iter().enumerate() {
        for r in m.in_reply_to.iter().chain(m.references.iter()) {
            referred_by.entry(r.as_str()).or_default().push(i);
        }
    }
    let mut queue: Vec<usize> = Vec::new();
    for &i in &roots {
        member[i] = true;
    }
    for (i, m) in mails.iter().enumerate() {
        let same_subject = is_reply_subject(&m.subject) && base_subject(&m.subject) == root_base;
        if member[i] || same_subject {
            member[i] = true;
            queue.push(i);
        }
    }
    while let Some(i) = queue.pop() {
        if let Some(children) = referred_by.get(mails[i].message_id.as_str()) {
            for &c in children {
                if !member[c] {
                    member[c] = true;
                    queue.push(c);
                }
            }
        }
    }
    // Messages that cannot be judged: an error in the thread, skipped elsewhere.
    let mut skipped = 0;
    for (i, m) in mails.iter().enumerate() {
        let Some(problem) = &m.problem else { continue };
        let related =
            member[i] || base_subject(&m.subject) == root_base || names_candidate(&m.subject, want);
        if related {
            return Err(TallyError::NotAThread {
                origin: origin.into(),
                reason: format!(
                    "`{}` from {} ({}) belongs to the vote, but {problem}; repair the export or fetch the thread again",
                    m.subject,
                    if m.from_addr.is_empty() { "an unknown sender" } else { &m.from_addr },
                    m.message_id
                ),
            });
        }
        skipped += 1;
        member[i] = false;
    }
    if skipped > 0 {
        notes.push(format!(
            "{skipped} message(s) of {origin} outside the vote cannot be read (no Message-ID, sender or date) and were skipped"
        ));
    }
    let mut root = None;
    let mut replies = Vec::new();
    let mut closers = Vec::new();
    for (i, m) in mails.into_iter().enumerate() {
        if m.problem.is_some() {
            continue;
        }
        let closes = !is_reply_subject(&m.subject)
            && CLOSE_TAG.is_match(&m.subject)
            && (member[i] || names_candidate(&m.subject, want));
        if i == root_i {
            root = Some(m);
        } else if closes {
            closers.push(m);
        } else if member[i] {
            replies.push(m);
        }
    }
    Ok(Thread {
        root: root.expect("the root is one of the messages"),
        replies,
        closers,
        notes,
    })
}

/// Whether a closing message cancels the vote (else it announces the result).
pub(crate) fn is_cancel(m: &Mail) -> bool {
    CLOSE_TAG
        .captures(&m.subject)
        .is_some_and(|c| c[1].to_lowercase().starts_with("cancel"))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn subjects_are_compared_without_reply_prefixes() {
        assert_eq!(
            base_subject("Re: RE: Aw: [VOTE]  Release Apache Hello 1.1.0 (rc1)"),
            "[vote] release apache hello 1.1.0 (rc1)"
        );
        assert_eq!(
            version_rc("[VOTE] Release Apache Hello 1.1.0 (rc1)"),
            (Some("1.1.0".into()), Some(1))
        );
        assert_eq!(
            version_rc("[VOTE] Hello 1.10.0-RC12"),
            (Some("1.10.0".into()), Some(12))
        );
        assert_eq!(
            version_rc("[VOTE] Hello 11.1.0 rc 2"),
            (Some("11.1.0".into()), Some(2))
        );
    }

    #[test]
    fn addresses_are_split() {
        assert_eq!(
            split_address("\"Chen, Wei\" <chen.wei@example.org>"),
            ("Chen, Wei".into(), "chen.wei@example.org".into())
        );
        assert_eq!(
            split_address("bob@example.org"),
            ("".into(), "bob@example.org".into())
        );
    }
}
