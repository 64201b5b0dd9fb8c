//! Every email and the blog post in both wording presets (`asf`, `neutral`), snapshot-tested,
//! a template file replacing each built-in one, and no address twice in To and Cc.
#![allow(clippy::unwrap_used)]

use super::announce::{announce_email_worded, Announcement};
use super::vote::{self, EmailContext};
use super::{distinct_recipients, render_email, Headers};
use crate::config::{Config, Wording};
use crate::website::{blog_post_worded, BlogPost};

/// The wording of a project named Hello under `preset`.
fn wording(preset: &str) -> Wording {
    let mut c = Config::default();
    c.project.name = "hello".into();
    c.project.display_name = "Hello".into();
    c.wording.preset = preset.into();
    c.wording()
}

fn vote_context(preset: &str) -> EmailContext {
    EmailContext {
        from: "Rita Manager <rm@hello.example.org>".into(),
        to: "dev@hello.example.org".into(),
        project: "hello".into(),
        display_name: "Hello".into(),
        version: "1.1.0".into(),
        rc: 1,
        tag: "1.1.0-rc1".into(),
        commit: "0123456789ab".into(),
        tarball_url: "https://dist.example.org/dev/hello/1.1.0-rc1/hello-1.1.0.tar.gz".into(),
        signature_url: "https://dist.example.org/dev/hello/1.1.0-rc1/hello-1.1.0.tar.gz.asc"
            .into(),
        checksum_url: "https://dist.example.org/dev/hello/1.1.0-rc1/hello-1.1.0.tar.gz.sha512"
            .into(),
        sha512: "00".into(),
        keys_url: "https://dist.example.org/release/hello/KEYS".into(),
        tag_url: "https://git.example.org/hello/tag/1.1.0-rc1".into(),
        changelog_url: "https://git.example.org/hello/CHANGELOG?h=1.1.0-rc1".into(),
        changelog: "Release Notes - Hello - Version 1.1.0\n-------------------------------------\n\n  * Shouting.".into(),
        staging_repository: None,
        vote_start_utc: "Wed, 11 Mar 2026 18:00:00 UTC".into(),
        deadline_utc: "Sat, 14 Mar 2026 18:00:00 UTC".into(),
        deadline_zones: vec![],
        sender_name: "Rita Manager".into(),
        message_id: "<stage-rc.1.1.0-rc1@hello>".into(),
        date: "Wed, 11 Mar 2026 18:00:00 +0000".into(),
        wording: wording(preset),
    }
}

fn headers(to: &str, cc: &str) -> Headers {
    Headers {
        from: "Rita Manager <rm@hello.example.org>".into(),
        to: to.into(),
        cc: cc.into(),
        date: "Tue, 24 Mar 2026 12:00:00 +0000".into(),
        message_id: "<publish-dist.announce.1.1.0@hello>".into(),
        in_reply_to: String::new(),
    }
}

fn announcement() -> Announcement {
    Announcement {
        display_name: "Hello".into(),
        project: "hello".into(),
        version: "1.1.0".parse().unwrap(),
        changelog: "Release Notes - Hello - Version 1.1.0\n-------------------------------------\n\nThis release has the following highlights:\n  * `hello --shout`.\n\nAll Resolved Issues:\n\n** Bug\n  * [HELLO-1] - A bug.\n".into(),
        download_url: "https://hello.example.org/downloads/".into(),
        changelog_url: "https://git.example.org/hello/CHANGELOG?h=1.1.0".into(),
        blog_url: String::new(),
        release_managers: vec!["Rita Manager".into()],
        keys_url: "https://dist.example.org/release/hello/KEYS".into(),
        description: String::new(),
    }
}

fn post() -> BlogPost {
    BlogPost {
        display_name: "Hello".into(),
        version: "1.1.0".parse().unwrap(),
        date: "2026-03-24".into(),
        changelog: announcement().changelog,
        contributors: vec!["Zed Contributor".into(), "Ann Author".into()],
        release_managers: vec!["Rita Manager".into()],
        download_url: "https://hello.example.org/downloads/".into(),
        changelog_url: "https://git.example.org/hello/CHANGELOG?h=1.1.0".into(),
        blog_slug: "hello-1-1-0-released".into(),
    }
}

fn result_context(preset: &str) -> serde_json::Value {
    serde_json::json!({
        "vote_subject": format!("[VOTE] Release {} 1.1.0 (rc1)", wording(preset).product),
        "display_name": "Hello",
        "version": "1.1.0",
        "rc": 1,
        "state": "passed",
        "deadline": "Sat, 14 Mar 2026 18:00:00 UTC",
        "groups": [{"title": "+1 (Binding)", "names": ["Ann Author", "Bo Binder", "Cy Voter"]}],
        "no_zero_or_minus": true,
        "release_url": "https://dist.example.org/release/hello/1.1.0",
        "changelog_url": "https://git.example.org/hello/CHANGELOG?h=1.1.0",
        "maven_artifact": "org.example:hello",
        "sender_name": "Rita Manager",
        "wording": wording(preset),
    })
}

/// Every email and the blog post of one preset, as one text to snapshot.
fn everything(preset: &str) -> String {
    let vote = vote::render(vote::DEFAULT_TEMPLATE, "built-in", &vote_context(preset)).unwrap();
    let result = render_email(
        super::result::TEMPLATE,
        "built-in",
        &result_context(preset),
        &headers("dev@hello.example.org", ""),
    )
    .unwrap();
    let (to, cc) = distinct_recipients(
        "announce@hello.example.org",
        &[
            "dev@hello.example.org".into(),
            "user@hello.example.org".into(),
        ],
    );
    let announce =
        announce_email_worded(&announcement(), &headers(&to, &cc), &wording(preset), None).unwrap();
    let blog = blog_post_worded(&post(), &wording(preset), None).unwrap();
    format!(
        "=== [VOTE]\nSubject: {}\n\n{}\n=== [RESULT]\nSubject: {}\n\n{}\n=== [ANNOUNCE]\nSubject: {}\n\n{}\n=== blog\n{}",
        vote.subject, vote.body, result.subject, result.body, announce.subject, announce.body, blog
    )
}

#[test]
fn wording_asf_preset_speaks_of_apache_pmc_and_mirrors() {
    let text = everything("asf");
    for phrase in [
        "[VOTE] Release Apache Hello 1.1.0 (rc1)",
        "+1 PMC votes",
        "which links to the\nmirrors:",
        "https://www.apache.org/info/verification.html",
        "The Apache Hello team",
        "title: Apache Hello 1.1.0 Released",
    ] {
        assert!(text.contains(phrase), "{phrase} missing:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn wording_neutral_preset_names_no_foundation() {
    let text = everything("neutral");
    for word in ["Apache", "PMC", "mirror", "apache.org"] {
        assert!(
            !text.contains(word),
            "`{word}` in the neutral wording:\n{text}"
        );
    }
    for phrase in [
        "[VOTE] Release Hello 1.1.0 (rc1)",
        "+1 binding votes",
        "The release is available from the download page:\n",
        "The Hello team",
        "title: Hello 1.1.0 Released",
    ] {
        assert!(text.contains(phrase), "{phrase} missing:\n{text}");
    }
    insta::assert_snapshot!(text);
}

#[test]
fn wording_words_can_be_overridden_one_by_one() {
    let mut c = Config::default();
    c.project.display_name = "Hello".into();
    c.wording.preset = "neutral".into();
    c.wording.organisation = "Example".into();
    c.wording.binding_voters = "committer".into();
    let w = c.wording();
    assert_eq!(w.product, "Example Hello");
    assert_eq!(w.binding_voters, "committer");
    c.wording.preset = "asf".into();
    c.wording.organisation = "-".into();
    assert_eq!(c.wording().product, "Hello");
    c.wording.preset = "gnu".into();
    assert!(c.wording.validate().unwrap_err().contains("wording.preset"));
}

#[test]
fn every_email_and_the_blog_post_can_be_replaced_by_a_template_file() {
    let w = wording("neutral");
    let announce = announce_email_worded(
        &announcement(),
        &headers("announce@hello.example.org", ""),
        &w,
        Some((
            "announce.txt",
            "Subject: {{ wording.product }} {{ version }} is out\n\nGet it at {{ download_url }}.\n",
        )),
    )
    .unwrap();
    assert_eq!(announce.subject, "Hello 1.1.0 is out");
    assert_eq!(
        announce.body,
        "Get it at https://hello.example.org/downloads/.\n"
    );
    let blog = blog_post_worded(
        &post(),
        &w,
        Some((
            "blog.md",
            "# {{ wording.product }} {{ version }}\n{% for c in contributors_sorted %}- {{ c }}\n{% endfor %}",
        )),
    )
    .unwrap();
    assert_eq!(blog, "# Hello 1.1.0\n- Ann Author\n- Zed Contributor\n");
    let e = blog_post_worded(&post(), &w, Some(("blog.md", "{{ nonsense }}"))).unwrap_err();
    assert!(e.contains("blog.md"), "{e}");
    let result = render_email(
        "Subject: Vote on {{ wording.product }} {{ version }}: {{ state }}\n\nDone.\n",
        "result.txt",
        &result_context("neutral"),
        &headers("dev@hello.example.org", ""),
    )
    .unwrap();
    assert_eq!(result.subject, "Vote on Hello 1.1.0: passed");
    let vote = vote::render(
        "Subject: Vote: {{ wording.product }} {{ version }}\n\nPlease vote.\n",
        "vote.txt",
        &vote_context("neutral"),
    )
    .unwrap();
    assert_eq!(vote.subject, "Vote: Hello 1.1.0");
}

#[test]
fn no_address_appears_twice_in_to_and_cc() {
    // One list for everything: announce, dev and user are the same address.
    let (to, cc) = distinct_recipients(
        "hello@lists.example.org",
        &[
            "Hello List <HELLO@lists.example.org>".into(),
            "hello@lists.example.org".into(),
        ],
    );
    assert_eq!((to.as_str(), cc.as_str()), ("hello@lists.example.org", ""));
    let (to, cc) = distinct_recipients(
        "announce@apache.org",
        &[
            "dev@x.apache.org".into(),
            "dev@x.apache.org, user@x.apache.org".into(),
        ],
    );
    assert_eq!(to, "announce@apache.org");
    assert_eq!(cc, "dev@x.apache.org, user@x.apache.org");
    let email = announce_email_worded(
        &announcement(),
        &headers(&to, &cc),
        &wording("neutral"),
        None,
    );
    // announce@apache.org needs an apache.org sender; the rule still holds.
    assert!(email.is_err());
}
