//! The website after a release: the releases data file (Mesos's `site/data/releases.yml`)
//! edited in place, the blog post skeleton with the CHANGELOG highlights and the contributors
//! since the previous release, and the [ANNOUNCE] email.
//!
//! CONTRACT (publish-dist relies on it): [`Release`], [`update_releases`], [`BlogPost`],
//! [`blog_post`], [`contributors`], [`previous_release_tag`], [`Announcement`], [`announce_email`].
//!
//! Everything here is pure except [`contributors`], which runs `git log` through [`Git`].

mod blog;
mod releases;

use serde::Serialize;
use thiserror::Error;

use crate::error::ExitCode;
use crate::model::tag::{Tag, TagScheme};
use crate::model::version::Version;
use crate::outside::git::{Git, GitError};

pub use blog::{blog_post, blog_post_worded, BlogPost};
pub use releases::{update_releases, Release};

#[derive(Debug, Error)]
pub enum WebsiteError {
    /// The file does not have the shape expected; names the file, line and fix.
    #[error("{0}")]
    Shape(String),
    /// The release is already listed with other data.
    #[error("{0}")]
    Conflict(String),
    /// A value given for the release (a date, a JIRA version id, a URL, a revision) cannot be
    /// used; names the value and the fix.
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Git(#[from] crate::outside::git::GitError),
}

impl crate::error::Classify for WebsiteError {
    fn exit_code(&self) -> ExitCode {
        match self {
            WebsiteError::Shape(_) | WebsiteError::Conflict(_) | WebsiteError::Input(_) => {
                ExitCode::Usage
            }
            WebsiteError::Git(e) => e.exit_code(),
        }
    }
}

/// The authors of the commits in `previous..this` (`git log --format=%aN`, so a `.mailmap`
/// merges the spellings of one person), de-duplicated and sorted case-insensitively.
///
/// For a project's first release there is no previous release: pass an empty `previous` and
/// every commit reachable from `this` counts. A `previous` or `this` that names no commit is an
/// error (a missing tag usually means the tags were not fetched).
pub fn contributors(git: &Git, previous: &str, this: &str) -> Result<Vec<String>, WebsiteError> {
    let repo = git.root().display();
    if git.resolve(this)?.is_none() {
        return Err(WebsiteError::Input(format!(
            "`{this}` names no commit in {repo}, so its contributors cannot be listed; fetch the tags (`git fetch --tags`) or pass the release's tag"
        )));
    }
    let range = if previous.is_empty() {
        this.to_string()
    } else {
        if git.resolve(previous)?.is_none() {
            return Err(WebsiteError::Input(format!(
                "the previous release `{previous}` names no commit in {repo}, so the contributors since it cannot be listed; fetch the tags (`git fetch --tags`) or pass the previous release's tag (for a first release, pass an empty previous release to count all history up to {this})"
            )));
        }
        format!("{previous}..{this}")
    };
    let out = git
        .command(&format!("list the authors of {range}"))
        .args(["log", "--format=%aN", "--end-of-options", &range, "--"])
        .run()
        .map_err(GitError::from)?;
    Ok(sorted_names(out.stdout_str().lines()))
}

/// Trimmed, non-empty, de-duplicated names sorted case-insensitively (ties by the exact text).
pub(crate) fn sorted_names<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut out: Vec<String> = names
        .into_iter()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    out.sort_by(|a, b| {
        a.to_lowercase()
            .cmp(&b.to_lowercase())
            .then_with(|| a.cmp(b))
    });
    out.dedup();
    out
}

/// The release before `version` among `tags`: the newest final release tag (per `scheme`;
/// candidates and tags the scheme cannot read are ignored) that is older than `version`.
///
/// For a patch release X.Y.Z (Z > 0) it is the newest older release of the X.Y line; for a
/// regular release X.Y.0 (or a patch release whose line has no older release) it is the newest
/// release of any older line. `None` for a project's first release.
pub fn previous_release_tag(
    tags: &[String],
    scheme: &TagScheme,
    version: Version,
) -> Option<String> {
    let releases: Vec<(Version, &String)> = tags
        .iter()
        .filter_map(|t| match scheme.parse(t) {
            Ok(Tag::Release { version: v }) if v < version => Some((v, t)),
            _ => None,
        })
        .collect();
    let newest = |same_line: bool| {
        releases
            .iter()
            .filter(|(v, _)| !same_line || (v.major, v.minor) == (version.major, version.minor))
            .max_by_key(|(v, _)| *v)
            .map(|(_, t)| (*t).clone())
    };
    if version.patch > 0 {
        newest(true).or_else(|| newest(false))
    } else {
        newest(false)
    }
}

/// The highlights of a CHANGELOG section: the text before its first sub-list heading
/// ("Additional API Changes:", "Unresolved Critical Issues:", `** Bug`, `### Fixed`), without the
/// section heading and without a leading highlights title ("This release contains the
/// following highlights:"), dedented.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Highlights {
    /// The text sat under a highlights title (rather than being an untitled intro such as
    /// "* This is a bug fix release.").
    pub titled: bool,
    pub text: String,
}

impl Highlights {
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

/// Lifts the highlights out of a release's CHANGELOG section, as `project::changelog::released_section` returns it
/// (heading line first, then its underline).
pub fn highlights(section: &str) -> Highlights {
    let lines: Vec<&str> = section.lines().collect();
    let mut i = 0;
    // The heading ("Release Notes - Mesos - Version 1.11.0", "## [1.2.0] - 2026-01-01") and
    // its underline. A heading never ends with ':' and is not a bullet.
    if let Some(first) = lines.first() {
        if !first.trim().is_empty()
            && !first.starts_with(char::is_whitespace)
            && !first.trim_end().ends_with(':')
            && bullet(first).is_none()
        {
            i = 1;
            if lines.get(1).is_some_and(|l| {
                !l.trim().is_empty() && l.trim().chars().all(|c| c == '-' || c == '=')
            }) {
                i = 2;
            }
        }
    }
    let mut titled = false;
    let mut body: Vec<&str> = Vec::new();
    let mut seen_title = false;
    for line in &lines[i..] {
        if is_block_title(line) {
            if !seen_title && body.iter().all(|l| l.trim().is_empty()) && is_highlights_title(line)
            {
                seen_title = true;
                titled = true;
                continue;
            }
            break;
        }
        body.push(line);
    }
    while body.first().is_some_and(|l| l.trim().is_empty()) {
        body.remove(0);
    }
    while body.last().is_some_and(|l| l.trim().is_empty()) {
        body.pop();
    }
    let indent = body
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let text = body
        .iter()
        .map(|l| {
            if l.trim().is_empty() {
                ""
            } else {
                l[indent..].trim_end()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    Highlights {
        titled: titled && !text.is_empty(),
        text,
    }
}

/// A bullet line's text after the bullet.
fn bullet(line: &str) -> Option<&str> {
    let t = line.trim_start();
    ["* ", "- ", "+ "].iter().find_map(|b| t.strip_prefix(b))
}

/// A block title of a CHANGELOG section: a column-0 line that is not a bullet and ends with ':'
/// or is a Markdown heading, or a `** Bug` group line.
fn is_block_title(line: &str) -> bool {
    if line.starts_with(char::is_whitespace) || line.trim().is_empty() {
        return false;
    }
    let t = line.trim_end();
    if t.starts_with("** ") {
        return true;
    }
    bullet(t).is_none() && (t.ends_with(':') || t.starts_with('#'))
}

/// A title of a highlights block: it says "highlights", or reads like Mesos's default
/// (`changelog.highlights`) "This release contains the following highlights:".
fn is_highlights_title(line: &str) -> bool {
    static MESOS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(this|the) release (also )?(contains|includes)")
            .expect("a valid regular expression")
    });
    let lower = line.trim().trim_start_matches('#').trim().to_lowercase();
    lower.contains("highlight") || MESOS.is_match(&lower)
}

/// "A", "A and B", "A, B and C".
pub(crate) fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Greedy word wrap of one paragraph at `width` columns (a word longer than the width, such as
/// a URL, stays whole on its own line).
pub(crate) fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    pub(crate) const CHANGELOG: &str = include_str!("../../tests/fixtures/website/CHANGELOG");

    /// A release's section of the fixture CHANGELOG, cut by the CHANGELOG parser exactly as
    /// `project::changelog::released_section` does.
    pub(crate) fn section(version: &str) -> String {
        let format = crate::config::Config::default().changelog_format().unwrap();
        let cl = crate::model::changelog::parse(CHANGELOG, &format);
        let s = cl.section(version.parse().unwrap()).unwrap();
        cl.section_lines(s)
            .map(|(_, l)| l)
            .collect::<Vec<_>>()
            .join("\n")
            .trim_end()
            .to_string()
    }

    fn tags(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    fn prev(tags_: &[&str], version: &str) -> Option<String> {
        previous_release_tag(
            &tags(tags_),
            &TagScheme::default(),
            version.parse().unwrap(),
        )
    }

    const MESOS_TAGS: &[&str] = &[
        "0.28.2",
        "1.9.0",
        "1.9.0-rc1",
        "1.10.0-rc1",
        "1.10.0-rc2",
        "1.10.0",
        "1.10.1",
        "1.11.0-rc1",
        "1.11.0",
        "1.12.0-rc1",
        "1.11.1-rc1",
        "not-a-release",
        "v1.10.9",
        "1.10.2-rc1",
    ];

    #[test]
    fn a_regular_release_follows_the_newest_release_of_any_older_line() {
        assert_eq!(prev(MESOS_TAGS, "1.12.0").as_deref(), Some("1.11.0"));
        // 1.10.1 is newer than 1.10.0 and older than 1.11.0: it is the previous release, even
        // though it was cut from the 1.10.x branch.
        assert_eq!(prev(MESOS_TAGS, "1.11.0").as_deref(), Some("1.10.1"));
        assert_eq!(prev(MESOS_TAGS, "1.10.0").as_deref(), Some("1.9.0"));
    }

    #[test]
    fn a_patch_release_follows_the_previous_release_of_its_line() {
        // Not 1.11.0, which is newer in version order but of another line.
        assert_eq!(prev(MESOS_TAGS, "1.10.2").as_deref(), Some("1.10.1"));
        assert_eq!(prev(MESOS_TAGS, "1.11.1").as_deref(), Some("1.11.0"));
        // A line with no older release (its X.Y.0 tag missing) falls back to any older line.
        assert_eq!(prev(MESOS_TAGS, "1.13.1").as_deref(), Some("1.11.0"));
    }

    #[test]
    fn candidates_unreadable_tags_and_the_release_itself_are_ignored() {
        // 1.12.0-rc1, 1.11.1-rc1 and v1.10.9 are no releases; 1.11.0 is not older than itself.
        assert_eq!(prev(MESOS_TAGS, "1.11.0").as_deref(), Some("1.10.1"));
        assert_eq!(prev(&["1.0.0-rc1", "1.0.0", "junk"], "1.0.0"), None);
        assert_eq!(prev(&[], "1.0.0"), None);
        let scheme =
            TagScheme::new("v{version}-rc{rc}", "v{version}", "{major}.{minor}.x").unwrap();
        assert_eq!(
            previous_release_tag(&tags(MESOS_TAGS), &scheme, "1.11.0".parse().unwrap()).as_deref(),
            Some("v1.10.9")
        );
    }

    #[test]
    fn highlights_are_the_text_before_the_first_sub_list() {
        let h = highlights(&section("1.11.0"));
        assert!(h.titled);
        assert!(
            h.text
                .starts_with("* The Mesos containerizer can use pre-provisioned CSI"),
            "{}",
            h.text
        );
        assert!(h.text.ends_with("(MESOS-898)."), "{}", h.text);
        assert!(!h.text.contains("Additional API Changes"), "{}", h.text);
        assert!(!h.text.contains("highlights:"), "{}", h.text);
        // Dedented: bullets at column 0, continuation lines two spaces in.
        assert!(
            h.text.contains("\n  new `volume/csi` isolator"),
            "{}",
            h.text
        );
    }

    #[test]
    fn a_bug_fix_release_has_its_intro_and_no_titled_highlights() {
        let h = highlights(&section("1.10.1"));
        assert_eq!(
            h,
            Highlights {
                titled: false,
                text: "* This is a bug fix release.".into()
            }
        );
        // A section that starts with its issue lists has none.
        let h = highlights("Release Notes - Mesos - Version 1.0.1\n---\nUnresolved Critical Issues:\n  * [MESOS-1] - x\n");
        assert!(h.is_empty() && !h.titled);
        // Keep a Changelog style: a Markdown title of highlights, then `### Fixed`.
        let h =
            highlights("## [1.2.0] - 2026-03-01\n### Highlights\n- Faster.\n### Fixed\n- Bugs.\n");
        assert_eq!(h.text, "- Faster.");
        assert!(h.titled);
    }

    #[test]
    fn names_are_deduplicated_and_sorted_ignoring_case() {
        assert_eq!(
            sorted_names([
                "bob",
                "Alice",
                " Chen Wei ",
                "",
                "alice",
                "Bob",
                "bob",
                "Alice"
            ]),
            vec!["Alice", "alice", "Bob", "bob", "Chen Wei"]
        );
        assert_eq!(join_names(&[]), "");
        assert_eq!(join_names(&["A".into()]), "A");
        assert_eq!(join_names(&["A".into(), "B".into()]), "A and B");
        assert_eq!(
            join_names(&["A".into(), "B".into(), "C".into()]),
            "A, B and C"
        );
    }

    #[test]
    fn wrap_keeps_lines_within_the_width() {
        let text = "Apache Hello is a tiny program that prints a friendly greeting; it is released the Mesos way so that the release tools have a real project to work on.";
        let w = wrap(text, 40);
        assert!(w.lines().all(|l| l.chars().count() <= 40), "{w}");
        assert_eq!(
            w.split_whitespace().collect::<Vec<_>>(),
            text.split_whitespace().collect::<Vec<_>>()
        );
        assert_eq!(
            wrap(
                "see https://example.org/a/very/long/url/that/does/not/fit ok",
                20
            ),
            "see\nhttps://example.org/a/very/long/url/that/does/not/fit\nok"
        );
    }
}
