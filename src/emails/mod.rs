//! The emails a release sends, rendered from templates the project can override: [VOTE]
//! ([`vote`]), [RESULT][VOTE] ([`result`]) and [ANNOUNCE] ([`announce`]). Pure: the caller
//! passes the date and the message id; [`render_email`] turns a template and its context into
//! an RFC 5322 message and refuses anything left unfilled.

pub mod announce;
pub mod result;
pub mod vote;
#[cfg(test)]
mod wording_tests;

use serde::Serialize;

use crate::error::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum EmailError {
    #[error("the email template {origin} is invalid: {reason}")]
    Template { origin: String, reason: String },
    #[error("the email would contain an unfilled placeholder ({what}); fill it in the template {origin} or configure the value it needs")]
    Unfilled { what: String, origin: String },
    /// A value given for the email cannot be used; names the value and the fix.
    #[error("{0}")]
    Input(String),
}

impl crate::error::Classify for EmailError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Email {
    pub subject: String,
    pub body: String,
    /// The whole RFC 5322 message (CRLF line ends).
    pub eml: String,
}

/// The envelope headers of a rendered email.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Headers {
    pub from: String,
    pub to: String,
    /// Empty: no Cc header.
    pub cc: String,
    pub date: String,
    pub message_id: String,
    /// Empty: no In-Reply-To/References headers (a reply to the [VOTE] thread sets it).
    pub in_reply_to: String,
}

/// Renders any release email ([VOTE], [RESULT], [ANNOUNCE]) from a minijinja template whose
/// first line is `Subject: ...`, then a blank line, then the body, with `ctx` as the context.
/// Refuses undefined variables and anything that still looks like a placeholder afterwards.
pub(crate) fn render_email<S: Serialize>(
    template: &str,
    origin: &str,
    ctx: &S,
    headers: &Headers,
) -> Result<Email, EmailError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    let terr = |e: minijinja::Error| {
        if e.kind() == minijinja::ErrorKind::UndefinedError {
            EmailError::Unfilled {
                what: format!("{e:#}")
                    .lines()
                    .next()
                    .unwrap_or("undefined value")
                    .to_string(),
                origin: origin.to_string(),
            }
        } else {
            EmailError::Template {
                origin: origin.to_string(),
                reason: format!("{e:#}"),
            }
        }
    };
    env.add_template("vote", template).map_err(terr)?;
    let text = env
        .get_template("vote")
        .map_err(terr)?
        .render(ctx)
        .map_err(terr)?;
    for marker in ["{{", "}}", "{%", "%}", "${", "<FILL", "TODO", "XXX"] {
        if let Some(line) = text.lines().find(|l| l.contains(marker)) {
            return Err(EmailError::Unfilled {
                what: format!("`{marker}` in the line `{}`", line.trim()),
                origin: origin.to_string(),
            });
        }
    }
    let (subject, body) =
        match text.split_once('\n') {
            Some((first, rest)) if first.starts_with("Subject: ") => (
                first["Subject: ".len()..].trim().to_string(),
                rest.trim_start_matches('\n').to_string(),
            ),
            _ => return Err(EmailError::Template {
                origin: origin.to_string(),
                reason:
                    "the first line must be `Subject: ...`, followed by a blank line and the body"
                        .into(),
            }),
        };
    if subject.is_empty() {
        return Err(EmailError::Unfilled {
            what: "an empty subject".into(),
            origin: origin.to_string(),
        });
    }
    let mut eml = String::new();
    let mut fields = vec![("From", headers.from.as_str()), ("To", headers.to.as_str())];
    if !headers.cc.is_empty() {
        fields.push(("Cc", headers.cc.as_str()));
    }
    fields.extend([
        ("Subject", subject.as_str()),
        ("Date", headers.date.as_str()),
        ("Message-ID", headers.message_id.as_str()),
    ]);
    if !headers.in_reply_to.is_empty() {
        fields.push(("In-Reply-To", headers.in_reply_to.as_str()));
        fields.push(("References", headers.in_reply_to.as_str()));
    }
    for (k, v) in fields.into_iter().chain([
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]) {
        eml.push_str(&format!("{k}: {}\r\n", header_value(v)));
    }
    eml.push_str("\r\n");
    for line in body.lines() {
        eml.push_str(line);
        eml.push_str("\r\n");
    }
    Ok(Email { subject, body, eml })
}

/// The address of `Name <address>` (or the whole text), trimmed.
pub(crate) fn address(mailbox: &str) -> &str {
    let m = mailbox.trim();
    match (m.rfind('<'), m.rfind('>')) {
        (Some(l), Some(r)) if l < r => m[l + 1..r].trim(),
        _ => m,
    }
}

/// The To address and the Cc list (`a, b`) with no address twice: an address already in To,
/// or earlier in the list, is dropped (compared without case, `Name <addr>` by its address).
/// A project whose dev, user and announce lists are one list gets one recipient.
pub fn distinct_recipients(to: &str, cc: &[String]) -> (String, String) {
    let key = |m: &str| address(m).to_ascii_lowercase();
    let mut seen = vec![key(to)];
    let mut kept = Vec::new();
    for c in cc.iter().flat_map(|c| c.split(',')) {
        let k = key(c);
        if k.is_empty() || seen.contains(&k) {
            continue;
        }
        seen.push(k);
        kept.push(c.trim().to_string());
    }
    (to.trim().to_string(), kept.join(", "))
}

/// A header value on one line, RFC 2047-encoded when it is not ASCII.
fn header_value(v: &str) -> String {
    let v = v.replace(['\r', '\n'], " ");
    if v.is_ascii() {
        v
    } else {
        use std::fmt::Write;
        let mut out = String::from("=?UTF-8?Q?");
        for b in v.bytes() {
            if b.is_ascii_alphanumeric() {
                out.push(b as char);
            } else {
                let _ = write!(out, "={b:02X}");
            }
        }
        out.push_str("?=");
        out
    }
}
