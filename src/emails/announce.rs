//! The [ANNOUNCE] email, after the ASF's rules for release announcements: plain text, sent
//! from an @apache.org address when it goes to announce@apache.org, linking to the project's
//! download page (never to a file or the dist area) and saying how to verify what is
//! downloaded (signatures, checksums, KEYS). Rendered with
//! [`crate::emails::render_email`], the one email renderer.

use serde::Serialize;

use super::{render_email, Email, EmailError, Headers};
use crate::config::Wording;
use crate::model::version::Version;
use crate::website::{highlights, join_names, wrap};

/// What the [ANNOUNCE] email says.
#[derive(Debug, Clone, Serialize)]
pub struct Announcement {
    pub display_name: String,
    pub project: String,
    pub version: Version,
    /// The release's CHANGELOG section (its highlights are lifted out of it).
    pub changelog: String,
    /// The project's download page (e.g. https://mesos.apache.org/downloads/), which links to
    /// the mirrors, signatures and checksums; not a tarball or a dist.apache.org URL.
    pub download_url: String,
    pub changelog_url: String,
    /// The release blog post; empty: not mentioned.
    pub blog_url: String,
    pub release_managers: Vec<String>,
    /// The KEYS file with the release managers' signing keys (`signing.keys`).
    pub keys_url: String,
    /// A sentence or two on what the project is, for the readers of announce@apache.org who do
    /// not know it; empty: none.
    pub description: String,
}

/// The built-in [ANNOUNCE] email template.
pub(crate) const ANNOUNCE_TEMPLATE: &str = include_str!("announce-email.txt.j2");

/// Lines of prose the email wraps are at most this wide.
const WIDTH: usize = 72;

/// What the template sees: the announcement's values, with the prose whose length depends on
/// them (the description, the thanks) wrapped to fit plain-text mail.
#[derive(Debug, Serialize)]
struct Context<'a> {
    display_name: &'a str,
    project: &'a str,
    version: String,
    download_url: &'a str,
    changelog_url: &'a str,
    blog_url: &'a str,
    keys_url: &'a str,
    description: String,
    highlights: String,
    highlights_titled: bool,
    release_managers: &'a [String],
    thanks: String,
    wording: Wording,
}

/// Renders the [ANNOUNCE] email with [`render_email`], in the ASF wording and the built-in
/// template.
pub fn announce_email(a: &Announcement, headers: &Headers) -> Result<Email, EmailError> {
    let wording = Wording {
        product: format!("Apache {}", a.display_name),
        binding_voters: "PMC".into(),
        mirrors: true,
        archive: "archive.apache.org".into(),
        verify_url: "https://www.apache.org/info/verification.html".into(),
    };
    announce_email_worded(a, headers, &wording, None)
}

/// Renders the [ANNOUNCE] email in `wording` (`[wording]`), from `template` (origin, text)
/// when the project replaces the built-in one.
pub fn announce_email_worded(
    a: &Announcement,
    headers: &Headers,
    wording: &Wording,
    template: Option<(&str, &str)>,
) -> Result<Email, EmailError> {
    check(a, headers)?;
    let h = highlights(&a.changelog);
    // Names stay whole when the thanks are wrapped: their blanks become a placeholder that is
    // not whitespace until then.
    const KEEP: char = '\u{E000}';
    let whole: Vec<String> = a
        .release_managers
        .iter()
        .map(|m| m.trim().replace(' ', &KEEP.to_string()))
        .collect();
    let managers = join_names(&whole);
    let thanks = if a.release_managers.len() == 1 {
        format!(
            "Thanks to everyone who contributed to {} {}, and to {managers}, its release manager.",
            a.display_name, a.version
        )
    } else {
        format!(
            "Thanks to everyone who contributed to {} {}, and to {managers}, its release managers.",
            a.display_name, a.version
        )
    };
    let ctx = Context {
        display_name: &a.display_name,
        project: &a.project,
        version: a.version.to_string(),
        download_url: &a.download_url,
        changelog_url: &a.changelog_url,
        blog_url: &a.blog_url,
        keys_url: &a.keys_url,
        description: a
            .description
            .split("\n\n")
            .map(|p| wrap(p, WIDTH))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
        highlights: h.text,
        highlights_titled: h.titled,
        release_managers: &a.release_managers,
        thanks: wrap(&thanks, WIDTH).replace(KEEP, " "),
        wording: wording.clone(),
    };
    let (origin, text) =
        template.unwrap_or(("the built-in [ANNOUNCE] template", ANNOUNCE_TEMPLATE));
    render_email(text, origin, &ctx, headers)
}

fn check(a: &Announcement, headers: &Headers) -> Result<(), EmailError> {
    let input = |m: String| Err(EmailError::Input(m));
    let v = a.version;
    if a.release_managers.iter().all(|m| m.trim().is_empty()) {
        return input(format!(
            "the [ANNOUNCE] email of {v} names no release manager; set publish.release_managers (or tag the candidate with an annotated tag, whose tagger is the default)"
        ));
    }
    for (what, url) in [
        ("download page", &a.download_url),
        ("CHANGELOG link", &a.changelog_url),
        ("KEYS link (signing.keys)", &a.keys_url),
    ] {
        if url.trim().is_empty() {
            return input(format!(
                "the [ANNOUNCE] email of {v} needs the {what}, which is empty; configure it"
            ));
        }
    }
    if is_raw_artifact(&a.download_url) {
        return input(format!(
            "the [ANNOUNCE] email of {v} must link to the project's download page, not to `{}` (a release file or the dist area): ASF release policy wants announcements to point at the download page, which links the mirrors, signatures, checksums and KEYS; pass the page, e.g. https://{}.apache.org/downloads/",
            a.download_url, a.project
        ));
    }
    let recipients = format!("{},{}", headers.to, headers.cc).to_ascii_lowercase();
    if recipients.contains("announce@apache.org") {
        let from = super::address(&headers.from).to_ascii_lowercase();
        if !from.ends_with("@apache.org") {
            return input(format!(
                "the [ANNOUNCE] email of {v} goes to announce@apache.org, which only accepts mail from @apache.org addresses, but it is from `{}`; set mail.from to your apache.org address (or publish.announce_to to another list)",
                headers.from
            ));
        }
    }
    Ok(())
}

/// A URL of a release file or of the dist area rather than a download page.
fn is_raw_artifact(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let path = lower.split(['?', '#']).next().unwrap_or_default();
    [
        "://dist.apache.org/",
        "://downloads.apache.org/",
        "://archive.apache.org/dist/",
        "://www.apache.org/dist/",
        "://apache.org/dist/",
        "/dyn/closer.",
    ]
    .iter()
    .any(|p| lower.contains(p))
        || [
            ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip", ".asc", ".sha512", ".sha256", ".rpm",
            ".jar",
        ]
        .iter()
        .any(|e| path.ends_with(e))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::website::tests::section;
    use Headers;

    fn announcement(version: &str) -> Announcement {
        Announcement {
            display_name: "Mesos".into(),
            project: "mesos".into(),
            version: version.parse().unwrap(),
            changelog: section(version),
            download_url: "https://mesos.apache.org/downloads/".into(),
            changelog_url: format!(
                "https://gitbox.apache.org/repos/asf?p=mesos.git;a=blob_plain;f=CHANGELOG;hb={version}"
            ),
            blog_url: format!(
                "https://mesos.apache.org/blog/mesos-{}-released/",
                version.replace('.', "-")
            ),
            release_managers: vec!["Andrei Sekretenko".into()],
            keys_url: "https://downloads.apache.org/mesos/KEYS".into(),
            description: "Apache Mesos abstracts CPU, memory, storage and other compute resources away from machines, physical or virtual, so that fault-tolerant and elastic distributed systems can be built and run effectively.".into(),
        }
    }

    fn headers() -> Headers {
        Headers {
            from: "Andrei Sekretenko <asekretenko@apache.org>".into(),
            to: "announce@apache.org".into(),
            cc: "dev@mesos.apache.org, user@mesos.apache.org".into(),
            date: "Tue, 24 Nov 2020 18:00:00 +0000".into(),
            message_id: "<release-kit.mesos-1.11.0.announce@apache.org>".into(),
            in_reply_to: String::new(),
        }
    }

    /// Every line is shorter than 80 columns, but for a line holding nothing but a URL (it
    /// cannot be wrapped; Mesos's CHANGELOG link on gitbox is 82 characters).
    fn fits(body: &str) {
        for line in body.lines() {
            let lone_url = line.starts_with("https://") && !line.contains(' ');
            assert!(
                lone_url || line.chars().count() < 80,
                "{} columns: {line}",
                line.chars().count()
            );
        }
    }

    #[test]
    fn the_announce_email_of_a_regular_release() {
        let e = announce_email(&announcement("1.11.0"), &headers()).unwrap();
        assert_eq!(e.subject, "[ANNOUNCE] Apache Mesos 1.11.0 released");
        fits(&e.body);
        assert!(e.body.contains("\nhttps://mesos.apache.org/downloads/\n"));
        assert!(!e.body.contains("tar.gz"));
        insta::assert_snapshot!(e.eml.replace("\r\n", "\n"));
    }

    #[test]
    fn the_announce_email_of_a_bug_fix_release_with_two_managers() {
        let mut a = announcement("1.10.1");
        a.release_managers = vec!["Andrei Budnik".into(), "Benno Evers".into()];
        a.blog_url.clear();
        a.description.clear();
        let e = announce_email(&a, &headers()).unwrap();
        fits(&e.body);
        assert!(!e.body.contains("blog"));
        assert!(!e.body.contains("highlights"));
        assert!(e.body.contains("\n* This is a bug fix release.\n"));
        assert!(e
            .body
            .replace('\n', " ")
            .contains("Andrei Budnik and Benno Evers, its release managers."));
        insta::assert_snapshot!(e.body);
    }

    #[test]
    fn leaving_out_the_optional_parts_leaves_no_gaps() {
        let mut a = announcement("1.11.0");
        a.version = "1.0.1".parse().unwrap();
        a.changelog =
            "Release Notes - Mesos - Version 1.0.1\n---\n** Bug\n  * [MESOS-1] - x".into();
        a.blog_url.clear();
        a.description.clear();
        let e = announce_email(&a, &headers()).unwrap();
        assert!(!e.body.contains("\n\n\n"), "{}", e.body);
        assert!(e.body.starts_with("The Apache Mesos team is pleased to announce the release of\nApache Mesos 1.0.1.\n\nThe full list of changes is in the CHANGELOG:\n"), "{}", e.body);
        assert!(
            e.body.ends_with("\n\nRegards,\nThe Apache Mesos team\n"),
            "{:?}",
            e.body
        );
    }

    #[test]
    fn long_names_and_descriptions_still_fit_in_80_columns() {
        let mut a = announcement("1.11.0");
        a.release_managers = vec![
            "Maria Wilhelmina Andersson-Fitzgerald".into(),
            "Jean-Baptiste Emmanuel Zorg".into(),
            "Chun-Hung Hsiao".into(),
        ];
        a.description = a.description.repeat(3);
        let e = announce_email(&a, &headers()).unwrap();
        fits(&e.body);
    }

    #[test]
    fn a_raw_dist_url_is_refused_for_the_download_page() {
        for url in [
            "https://dist.apache.org/repos/dist/release/mesos/1.11.0/",
            "https://downloads.apache.org/mesos/1.11.0/mesos-1.11.0.tar.gz",
            "https://www.apache.org/dyn/closer.lua/mesos/1.11.0/mesos-1.11.0.tar.gz",
            "https://example.org/files/mesos-1.11.0.tar.gz?download=1",
        ] {
            let mut a = announcement("1.11.0");
            a.download_url = url.into();
            let e = announce_email(&a, &headers()).unwrap_err();
            assert!(matches!(e, EmailError::Input(_)));
            assert!(
                e.to_string()
                    .contains("must link to the project's download page")
                    && e.to_string()
                        .contains("https://mesos.apache.org/downloads/"),
                "{e}"
            );
        }
    }

    #[test]
    fn announce_at_apache_org_needs_an_apache_sender() {
        let mut h = headers();
        h.from = "Andrei <andrei@example.com>".into();
        let e = announce_email(&announcement("1.11.0"), &h).unwrap_err();
        assert!(e.to_string().contains("only accepts mail from @apache.org addresses, but it is from `Andrei <andrei@example.com>`; set mail.from"), "{e}");
        // A rehearsal list takes any sender.
        h.to = "announce@hello.example.org".into();
        h.cc.clear();
        assert!(announce_email(&announcement("1.11.0"), &h).is_ok());
    }

    #[test]
    fn missing_managers_or_links_are_named() {
        let mut a = announcement("1.11.0");
        a.release_managers.clear();
        let e = announce_email(&a, &headers()).unwrap_err();
        assert!(
            e.to_string()
                .contains("names no release manager; set publish.release_managers"),
            "{e}"
        );
        let mut a = announcement("1.11.0");
        a.keys_url.clear();
        let e = announce_email(&a, &headers()).unwrap_err();
        assert!(
            e.to_string().contains("needs the KEYS link (signing.keys)"),
            "{e}"
        );
    }
}
