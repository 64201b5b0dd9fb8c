//! The release blog post skeleton, after the Mesos release posts in `site/source/blog/`: the
//! front matter Mesos's blog uses, the highlights lifted from the CHANGELOG, the download and
//! CHANGELOG links, the release managers and the contributors. The places where the author
//! writes the story are HTML comments (invisible on the site), never TODO-style markers.

use serde::Serialize;

use super::{highlights, join_names, sorted_names};
use crate::model::version::Version;

/// What the blog post skeleton says.
#[derive(Debug, Clone, Serialize)]
pub struct BlogPost {
    pub display_name: String,
    pub version: Version,
    /// YYYY-MM-DD.
    pub date: String,
    /// The release's CHANGELOG section (its highlights are lifted out of it).
    pub changelog: String,
    /// Contributors between the previous release and this one.
    pub contributors: Vec<String>,
    pub release_managers: Vec<String>,
    pub download_url: String,
    pub changelog_url: String,
    /// The post's slug: its permalink is `/blog/<slug>/` (the `news` entry's `blog`).
    pub blog_slug: String,
}

/// The blog post skeleton (Markdown with the front matter Mesos's blog uses).
pub fn blog_post(post: &BlogPost) -> String {
    let name = &post.display_name;
    let v = post.version;
    let mut out = String::new();
    out.push_str("---\n");
    out.push_str("layout: post\n");
    out.push_str(&format!("title: Apache {name} {v} Released\n"));
    out.push_str(&format!("permalink: /blog/{}/\n", post.blog_slug));
    out.push_str("published: true\n");
    if let Some(author) = post.release_managers.first() {
        out.push_str("post_author:\n");
        out.push_str(&format!("  display_name: {}\n", front_matter_value(author)));
    }
    out.push_str("tags: Release\n");
    out.push_str("---\n\n");

    out.push_str(&format!(
        "<!-- Drafted by release-kit for the release of Apache {name} {v} on {}, from the\n     CHANGELOG and the git history. Write the release story in the places marked\n     below, then delete these comments. -->\n\n",
        post.date
    ));
    if v.is_regular() {
        out.push_str(&format!(
            "We are excited to announce that Apache {name} {v} has been released! It is available for [download]({}).\n\n",
            post.download_url
        ));
    } else {
        out.push_str(&format!(
            "The latest Apache {name} {}.{} release, {v}, is now available for [download]({}). It brings bug fixes and improvements to the {}.{} line.\n\n",
            v.major, v.minor, post.download_url, v.major, v.minor
        ));
    }
    out.push_str("<!-- Write the release story here: what is new, who it is for, and what to try first. -->\n\n");

    let h = highlights(&post.changelog);
    if !h.is_empty() {
        if h.titled {
            out.push_str("# Highlights\n\n");
        }
        out.push_str(&h.text);
        out.push_str("\n\n");
        if h.titled {
            out.push_str("<!-- Give each highlight a section of its own: what changed, why it matters, and a link to its documentation. -->\n\n");
        }
    }
    out.push_str(&format!(
        "Full release notes are available in the release [CHANGELOG]({}).\n\n",
        post.changelog_url
    ));

    out.push_str("# Upgrade\n\n");
    out.push_str(&format!(
        "<!-- Write what operators should know when upgrading to {name} {v}, or point to the upgrade guide. -->\n\n"
    ));

    out.push_str("# Thank you!\n\n");
    match post.release_managers.as_slice() {
        [] => out.push_str("<!-- Thank the release managers here. -->\n\n"),
        [one] => out.push_str(&format!(
            "Special thanks to {one} as the release manager.\n\n"
        )),
        many => out.push_str(&format!(
            "Special thanks to {} as the release managers.\n\n",
            join_names(many)
        )),
    }
    let people = sorted_names(post.contributors.iter().map(String::as_str));
    match people.len() {
        0 => out.push_str("<!-- Thank the contributors to this release here. -->\n"),
        1 => out.push_str(&format!(
            "We'd like to thank the following contributor: {}.\n",
            people[0]
        )),
        n => out.push_str(&format!(
            "We'd like to thank the following {n} contributors: {}.\n",
            people.join(", ")
        )),
    }
    out
}

/// A front matter value, double-quoted when plain YAML would read it otherwise.
fn front_matter_value(s: &str) -> String {
    let plain = !s.is_empty()
        && s == s.trim()
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.starts_with(|c: char| "-?:,[]{}#&*!|>'\"%@`".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::tests::section;
    use super::*;

    fn post(version: &str) -> BlogPost {
        let v: Version = version.parse().unwrap();
        BlogPost {
            display_name: "Mesos".into(),
            version: v,
            date: "2020-11-24".into(),
            changelog: section(version),
            contributors: vec![
                "Qian Zhang".into(),
                "Andrei Sekretenko".into(),
                "benjamin Mahler".into(),
                "Qian Zhang".into(),
                "Andrei Budnik".into(),
            ],
            release_managers: vec!["Andrei Sekretenko".into()],
            download_url: "https://mesos.apache.org/downloads/".into(),
            changelog_url: format!(
                "https://gitbox.apache.org/repos/asf?p=mesos.git;a=blob_plain;f=CHANGELOG;hb={version}"
            ),
            blog_slug: format!("mesos-{}-released", version.replace('.', "-")),
        }
    }

    fn no_markers(text: &str) {
        for marker in ["TODO", "XXX", "FIXME", "{{", "}}", "{%", "<FILL"] {
            assert!(!text.contains(marker), "`{marker}` in\n{text}");
        }
    }

    #[test]
    fn a_regular_release_post() {
        let text = blog_post(&post("1.11.0"));
        no_markers(&text);
        assert!(text.contains(
            "\nWe'd like to thank the following 4 contributors: Andrei Budnik, Andrei Sekretenko, benjamin Mahler, Qian Zhang.\n"
        ));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn a_bug_fix_release_post() {
        let mut p = post("1.10.1");
        p.release_managers = vec!["Andrei Budnik".into(), "Benno Evers".into()];
        p.contributors = vec!["Andrei Budnik".into()];
        let text = blog_post(&p);
        no_markers(&text);
        assert!(text
            .contains("Special thanks to Andrei Budnik and Benno Evers as the release managers."));
        assert!(text.contains("We'd like to thank the following contributor: Andrei Budnik.\n"));
        assert!(!text.contains("# Highlights"));
        insta::assert_snapshot!(text);
    }

    #[test]
    fn front_matter_values_that_need_quotes_get_them() {
        let mut p = post("1.11.0");
        p.release_managers = vec!["\"Ben\" Hindman".into()];
        p.contributors.clear();
        let text = blog_post(&p);
        assert!(
            text.contains("  display_name: \"\\\"Ben\\\" Hindman\"\n"),
            "{text}"
        );
        assert!(text.contains("<!-- Thank the contributors to this release here. -->"));
        p.release_managers.clear();
        let text = blog_post(&p);
        assert!(!text.contains("post_author"));
        assert!(text.contains("<!-- Thank the release managers here. -->"));
        no_markers(&text);
    }
}
