//! The [VOTE] email, after Mesos's support/vote.sh: its context and the built-in template.

use serde::Serialize;

use super::{render_email, Email, EmailError, Headers};
use crate::config::Wording;
use crate::model::vote::ZonedTime;

/// The built-in vote email, after Mesos's support/vote.sh.
pub(crate) const DEFAULT_TEMPLATE: &str = include_str!("vote-email.txt.j2");

/// Everything the vote email may refer to. Optional values are left out of the template
/// context when unset, so a template that needs one fails instead of printing a blank.
#[derive(Debug, Clone, Serialize)]
pub struct EmailContext {
    pub from: String,
    pub to: String,
    pub project: String,
    pub display_name: String,
    pub version: String,
    pub rc: u32,
    pub tag: String,
    pub commit: String,
    pub tarball_url: String,
    pub signature_url: String,
    pub checksum_url: String,
    pub sha512: String,
    pub keys_url: String,
    pub tag_url: String,
    pub changelog_url: String,
    pub changelog: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staging_repository: Option<String>,
    pub vote_start_utc: String,
    pub deadline_utc: String,
    pub deadline_zones: Vec<ZonedTime>,
    pub sender_name: String,
    pub message_id: String,
    pub date: String,
    /// How the project is named ("Apache Hello") and who votes ("PMC"): `[wording]`.
    pub wording: Wording,
}

/// Renders the email from a template whose first line is `Subject: ...`, then a blank line,
/// then the body. Refuses undefined variables and anything that still looks like a
/// placeholder afterwards.
pub(crate) fn render(
    template: &str,
    origin: &str,
    ctx: &EmailContext,
) -> Result<Email, EmailError> {
    let headers = Headers {
        from: ctx.from.clone(),
        to: ctx.to.clone(),
        cc: String::new(),
        date: ctx.date.clone(),
        message_id: ctx.message_id.clone(),
        in_reply_to: String::new(),
    };
    render_email(template, origin, ctx, &headers)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn unfilled_placeholders_are_refused() {
        let ctx = EmailContext {
            from: "A <a@example.org>".into(),
            to: "dev@example.org".into(),
            project: "hello".into(),
            display_name: "Hello".into(),
            version: "1.1.0".into(),
            rc: 1,
            tag: "1.1.0-rc1".into(),
            commit: "abc".into(),
            tarball_url: "u".into(),
            signature_url: "u".into(),
            checksum_url: "u".into(),
            sha512: "00".into(),
            keys_url: "k".into(),
            tag_url: "t".into(),
            changelog_url: "c".into(),
            changelog: "notes".into(),
            staging_repository: None,
            vote_start_utc: "s".into(),
            deadline_utc: "d".into(),
            deadline_zones: vec![],
            sender_name: "A".into(),
            message_id: "<m@x>".into(),
            date: "Wed, 11 Mar 2026 18:00:00 +0000".into(),
            wording: crate::config::Config {
                project: crate::config::Project {
                    display_name: "Hello".into(),
                    ..Default::default()
                },
                ..Default::default()
            }
            .wording(),
        };
        let e = render("Subject: x\n\n{{ staging_repository }}\n", "t", &ctx).unwrap_err();
        assert!(matches!(e, EmailError::Unfilled { .. }), "{e}");
        let e = render("Subject: x\n\nVote ends <FILL IN DATE>\n", "t", &ctx).unwrap_err();
        assert!(e.to_string().contains("<FILL"), "{e}");
        let e = render("no subject\n", "t", &ctx).unwrap_err();
        assert!(e.to_string().contains("Subject:"), "{e}");
        let ok = render(DEFAULT_TEMPLATE, "built-in", &ctx).unwrap();
        assert_eq!(ok.subject, "[VOTE] Release Apache Hello 1.1.0 (rc1)");
        assert!(ok
            .eml
            .contains("\r\nSubject: [VOTE] Release Apache Hello 1.1.0 (rc1)\r\n"));
        assert!(!ok.body.contains("staging repository"));
    }
}
