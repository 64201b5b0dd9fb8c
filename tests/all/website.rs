//! The website step through the library API on real git repositories: the contributors and the
//! previous release read with real `git log`, and the sample project's website taking its next
//! release (the releases data file, the blog post and the [ANNOUNCE] email, snapshot-tested).
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

use crate::support::*;
use release_kit::emails::{announce, Headers};
use release_kit::model::tag::TagScheme;
use release_kit::model::version::Version;
use release_kit::outside::git::Git;
use release_kit::website::{self, WebsiteError};

/// Commits everything in `dir` as `author` (the committer stays the release manager).
fn commit_as(dir: &Path, author: &str, email: &str, message: &str) {
    git(dir, &["add", "-A"]);
    let out = Command::new("git")
        .args(["commit", "-q", "--allow-empty", "-m", message])
        .current_dir(dir)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", author)
        .env("GIT_AUTHOR_EMAIL", email)
        .env("GIT_COMMITTER_NAME", "Release Manager")
        .env("GIT_COMMITTER_EMAIL", "rm@example.org")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tag(dir: &Path, name: &str) {
    git(dir, &["tag", "-a", name, "-m", &format!("Tagging {name}.")]);
}

fn v(s: &str) -> Version {
    s.parse().unwrap()
}

/// master: 1.0.0 (Alice), then 1.0.x with 1.0.1 (Bilal), then master on to 1.1.0 (chen wei,
/// Dana under two spellings merged by .mailmap, Alice again).
fn history() -> tempfile::TempDir {
    let d = repo_with(&[("README", "hello\n")]);
    let dir = d.path();
    commit_as(dir, "Alice Andersen", "alice@example.org", "Greeting.");
    tag(dir, "1.0.0-rc1");
    tag(dir, "1.0.0");
    git(dir, &["checkout", "-q", "-b", "1.0.x"]);
    std::fs::write(dir.join("fix"), "fix\n").unwrap();
    commit_as(dir, "Bilal Chaudhry", "bilal@example.org", "Fixed a crash.");
    tag(dir, "1.0.1-rc1");
    tag(dir, "1.0.1");
    git(dir, &["checkout", "-q", "master"]);
    std::fs::write(dir.join("shout"), "shout\n").unwrap();
    commit_as(dir, "chen wei", "chen.wei@example.org", "Added --shout.");
    std::fs::write(dir.join(".mailmap"), "Dana Okafor <dana@example.org>\n").unwrap();
    commit_as(dir, "Dana O.", "dana@example.org", "Added a mailmap.");
    std::fs::write(dir.join("man"), "man\n").unwrap();
    commit_as(
        dir,
        "Dana Okafor",
        "dana@example.org",
        "Added a manual page.",
    );
    commit_as(
        dir,
        "Alice Andersen",
        "alice@example.org",
        "Updated CHANGELOG.",
    );
    tag(dir, "1.1.0-rc1");
    tag(dir, "1.1.0");
    tag(dir, "latest");
    d
}

#[test]
fn contributors_and_the_previous_release_come_from_real_git() {
    if !require_tool("git") {
        return;
    }
    let d = history();
    let g = Git::open(d.path()).unwrap();
    let tags = g.tag_names().unwrap();
    let scheme = TagScheme::default();

    let prev = website::previous_release_tag(&tags, &scheme, v("1.1.0"));
    // 1.0.1 is the newest release older than 1.1.0 (candidates and `latest` do not count).
    assert_eq!(prev.as_deref(), Some("1.0.1"));
    // Since 1.0.1: master's commits after 1.0.0, not the 1.0.x fix. Dana's two spellings are
    // one person (.mailmap); sorted ignoring case.
    assert_eq!(
        website::contributors(&g, "1.0.1", "1.1.0").unwrap(),
        vec!["Alice Andersen", "chen wei", "Dana Okafor"]
    );

    let prev = website::previous_release_tag(&tags, &scheme, v("1.0.1"));
    assert_eq!(prev.as_deref(), Some("1.0.0"));
    assert_eq!(
        website::contributors(&g, "1.0.0", "1.0.1").unwrap(),
        vec!["Bilal Chaudhry"]
    );
    // A patch release of the 1.0 line after 1.1.0 still follows 1.0.1.
    assert_eq!(
        website::previous_release_tag(&tags, &scheme, v("1.0.2")).as_deref(),
        Some("1.0.1")
    );

    // The first release has no previous one: all history up to it counts.
    assert_eq!(
        website::previous_release_tag(&tags, &scheme, v("1.0.0")),
        None
    );
    assert_eq!(
        website::contributors(&g, "", "1.0.0").unwrap(),
        vec!["Alice Andersen", "Release Manager"]
    );
}

#[test]
fn a_missing_previous_release_is_named_with_the_fix() {
    if !require_tool("git") {
        return;
    }
    let d = history();
    let g = Git::open(d.path()).unwrap();
    let e = website::contributors(&g, "0.9.0", "1.1.0").unwrap_err();
    assert!(matches!(e, WebsiteError::Input(_)), "{e:?}");
    let m = e.to_string();
    assert!(
        m.starts_with("the previous release `0.9.0` names no commit in ")
            && m.contains("fetch the tags (`git fetch --tags`)")
            && m.contains("pass an empty previous release to count all history up to 1.1.0"),
        "{m}"
    );
    let e = website::contributors(&g, "1.0.0", "1.2.0").unwrap_err();
    assert!(
        e.to_string().starts_with("`1.2.0` names no commit in "),
        "{e}"
    );
}

/// Snapshots text a person reads (nothing in it comes from the clock or a temporary path).
fn snapshot(name: &str, text: &str) {
    insta::assert_snapshot!(name, text);
}

#[test]
fn the_sample_projects_website_takes_its_next_release() {
    if !require_tool("git") {
        return;
    }
    let (_d, repo) = sample_repo();
    let g = Git::open(&repo).unwrap();
    let cfg = release_kit::config::Config::load(&repo, None, &[], &[])
        .unwrap()
        .config;
    let file = &cfg.website.releases_file;
    // The website came after the 1.0.0 release: on master, not at the tag.
    assert!(g.show("1.0.0", file).unwrap().is_none());
    let before = String::from_utf8(g.show("master", file).unwrap().unwrap()).unwrap();
    assert_eq!(
        before,
        std::fs::read_to_string(repo.join(file)).unwrap(),
        "master holds examples/hello-release's file"
    );

    let version = v("1.1.0");
    let tags = g.tag_names().unwrap();
    let previous =
        website::previous_release_tag(&tags, &cfg.tag_scheme().unwrap(), version).unwrap();
    assert_eq!(previous, "1.0.0");
    let contributors = website::contributors(&g, &previous, "master").unwrap();
    assert_eq!(
        contributors,
        vec![
            "Alice Andersen",
            "Bilal Chaudhry",
            "Chen Wei",
            "Dana Okafor"
        ]
    );

    let fill = |t: &str| cfg.expand(t).replace("{version}", "1.1.0");
    let slug = fill(&cfg.website.blog_slug);
    let release = website::Release {
        version,
        jira_version: "12340002".into(),
        date: "2026-03-16".into(),
        title: fill(&cfg.website.news_title),
        blog_slug: slug.clone(),
    };
    let after = website::update_releases(&before, file, &release).unwrap();
    let diff = similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(2)
        .header(file, file)
        .to_string();
    snapshot("sample_releases_diff", &diff);
    assert_eq!(
        website::update_releases(&after, file, &release).unwrap(),
        after,
        "a re-run changes nothing"
    );

    // The 1.1.0 section as the CHANGELOG parser cuts it at master.
    let format = cfg.changelog_format().unwrap();
    let text = String::from_utf8(g.show("master", &cfg.changelog.file).unwrap().unwrap()).unwrap();
    let cl = release_kit::model::changelog::parse(&text, &format);
    let section = cl.section(version).unwrap();
    let changelog = cl
        .section_lines(section)
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n");
    let managers = vec!["Alice Andersen".to_string()];
    let post = website::blog_post(&website::BlogPost {
        display_name: cfg.project.display_name.clone(),
        version,
        date: release.date.clone(),
        changelog: changelog.clone(),
        contributors,
        release_managers: managers.clone(),
        download_url: "https://hello.example.org/downloads/".into(),
        changelog_url: "https://git.example.org/hello.git/plain/CHANGELOG?h=1.1.0".into(),
        blog_slug: slug.clone(),
    });
    snapshot("sample_blog_post", &post);

    let email = announce::announce_email(
        &announce::Announcement {
            display_name: cfg.project.display_name.clone(),
            project: cfg.project.name.clone(),
            version,
            changelog,
            download_url: "https://hello.example.org/downloads/".into(),
            changelog_url: "https://git.example.org/hello.git/plain/CHANGELOG?h=1.1.0".into(),
            blog_url: format!("https://hello.example.org/blog/{slug}/"),
            release_managers: managers,
            keys_url: cfg.expand(&cfg.signing.keys),
            description: "Hello is a tiny C program that prints a friendly greeting.".into(),
        },
        &Headers {
            from: "Alice Andersen <alice@example.org>".into(),
            to: cfg.publish.announce_to.clone(),
            cc: format!(
                "{}, {}",
                cfg.expand(&cfg.mail.dev),
                cfg.expand(&cfg.mail.user)
            ),
            date: "Mon, 16 Mar 2026 18:00:00 +0000".into(),
            message_id: "<hello-1.1.0-announce@hello.example.org>".into(),
            in_reply_to: String::new(),
        },
    )
    .unwrap();
    snapshot("sample_announce_email", &email.eml.replace("\r\n", "\n"));
}
