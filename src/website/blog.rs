//! The release blog post skeleton, after the Mesos release posts in `site/source/blog/`: the
//! front matter Mesos's blog uses, the highlights lifted from the CHANGELOG, the download and
//! CHANGELOG links, the release managers and the contributors. The places where the author
//! writes the story are HTML comments (invisible on the site), never TODO-style markers.

use serde::Serialize;

use super::{highlights, join_names, sorted_names};
use crate::config::Wording;
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

/// The blog post skeleton (Markdown with the front matter Mesos's blog uses), in the ASF
/// wording.
pub fn blog_post(post: &BlogPost) -> String {
    skeleton(post, &format!("Apache {}", post.display_name))
}

/// What a blog post template sees, besides `wording`: the post's values, its highlights and
/// the contributors sorted by name.
#[derive(Serialize)]
struct TemplateContext<'a> {
    #[serde(flatten)]
    post: &'a BlogPost,
    regular: bool,
    major: u64,
    minor: u64,
    highlights: String,
    highlights_titled: bool,
    contributors_sorted: Vec<String>,
    wording: &'a Wording,
}

/// The blog post in `wording` (`[wording]`): the built-in skeleton, or `template` (origin,
/// text; a minijinja template) when the project replaces it. A template error names its origin.
pub fn blog_post_worded(
    post: &BlogPost,
    wording: &Wording,
    template: Option<(&str, &str)>,
) -> Result<String, String> {
    let Some((origin, text)) = template else {
        return Ok(skeleton(post, &wording.product));
    };
    let h = highlights(&post.changelog);
    let ctx = TemplateContext {
        post,
        regular: post.version.is_regular(),
        major: post.version.major,
        minor: post.version.minor,
        highlights: h.text,
        highlights_titled: h.titled,
        contributors_sorted: sorted_names(post.contributors.iter().map(String::as_str)),
        wording,
    };
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    env.add_template("blog", text)
        .and_then(|_| env.get_template("blog")?.render(&ctx))
        .map_err(|e| format!("the blog post template {origin} does not render: {e:#}"))
}

fn skeleton(post: &BlogPost, product: &str) -> String {
    let name = &post.display_name;
    let v = post.version;
    let mut out = String::new();
    out.push_str("---\n");
    out.push_str("layout: post\n");
    out.push_str(&format!("title: {product} {v} Released\n"));
    out.push_str(&format!("permalink: /blog/{}/\n", post.blog_slug));
    out.push_str("published: true\n");
    if let Some(author) = post.release_managers.first() {
        out.push_str("post_author:\n");
        out.push_str(&format!("  display_name: {}\n", front_matter_value(author)));
    }
    out.push_str("tags: Release\n");
    out.push_str("---\n\n");

    out.push_str(&format!(
        "<!-- Drafted by release-kit for the release of {product} {v} on {}, from the\n     CHANGELOG and the git history. Write the release story in the places marked\n     below, then delete these comments. -->\n\n",
        post.date
    ));
    if v.is_regular() {
        out.push_str(&format!(
            "We are excited to announce that {product} {v} has been released! It is available for [download]({}).\n\n",
            post.download_url
        ));
    } else {
        out.push_str(&format!(
            "The latest {product} {}.{} release, {v}, is now available for [download]({}). It brings bug fixes and improvements to the {}.{} line.\n\n",
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
