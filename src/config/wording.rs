//! `[wording]`: how the release emails and the blog post speak of the project. The `asf`
//! preset is the Apache Software Foundation's ("Apache Mesos", "+1 PMC votes", "the mirrors",
//! archive.apache.org); `neutral` names the project alone and says nothing of a foundation. Single
//! words can be overridden, and every email and the blog post can be replaced by a template file.

use serde::{Deserialize, Serialize};

use super::Config;

/// The `[wording]` section as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WordingSettings {
    /// `asf` (Apache Software Foundation wording) or `neutral` (the project's name alone).
    pub preset: String,
    /// The word before the project's display name in subjects and titles ("Apache"); empty:
    /// the preset's ("Apache" for `asf`, none for `neutral`). `-` for none with `asf`.
    pub organisation: String,
    /// Who casts binding votes, as in "+1 PMC votes"; empty: the preset's (`PMC` for `asf`,
    /// `binding` for `neutral`).
    pub binding_voters: String,
    /// Where superseded releases stay once removed from the dist area; empty: the preset's
    /// (`archive.apache.org` for `asf`, not mentioned for `neutral`).
    pub archive: String,
    /// A page on how to verify a release, linked from [ANNOUNCE]; empty: the preset's (the
    /// ASF's verification page for `asf`, none for `neutral`).
    pub verify_url: String,
    /// [RESULT][VOTE] template (path relative to the repository); empty: the built-in one.
    pub result_template: String,
    /// [ANNOUNCE] template (path relative to the repository); empty: the built-in one.
    pub announce_template: String,
    /// Blog post template (path relative to the repository); empty: the built-in skeleton.
    pub blog_template: String,
}

impl Default for WordingSettings {
    fn default() -> Self {
        WordingSettings {
            preset: "asf".into(),
            organisation: String::new(),
            binding_voters: String::new(),
            archive: String::new(),
            verify_url: String::new(),
            result_template: String::new(),
            announce_template: String::new(),
            blog_template: String::new(),
        }
    }
}

/// The words the emails and the blog post use, resolved from the preset and the overrides;
/// templates see it as `wording`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Wording {
    /// The project as subjects and titles name it: "Apache Mesos", or "Hello".
    pub product: String,
    /// Who casts binding votes: "PMC" or "binding".
    pub binding_voters: String,
    /// Whether the download page links to mirrors.
    pub mirrors: bool,
    /// Where superseded releases remain; empty: not mentioned.
    pub archive: String,
    /// How to verify a release; empty: not mentioned.
    pub verify_url: String,
}

impl WordingSettings {
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !matches!(self.preset.as_str(), "asf" | "neutral") {
            return Err(format!(
                "`wording.preset` is `{}`; use \"asf\" (Apache wording) or \"neutral\" (the project's name alone)",
                self.preset
            ));
        }
        Ok(())
    }
}

impl Config {
    /// The resolved wording for this project.
    pub fn wording(&self) -> Wording {
        let w = &self.wording;
        let asf = w.preset != "neutral";
        let pick = |set: &str, asf_default: &str, neutral_default: &str| -> String {
            match set.trim() {
                "" if asf => asf_default.to_string(),
                "" => neutral_default.to_string(),
                "-" => String::new(),
                other => self.expand(other),
            }
        };
        let organisation = pick(&w.organisation, "Apache", "");
        let name = &self.project.display_name;
        Wording {
            product: if organisation.is_empty() {
                name.clone()
            } else {
                format!("{organisation} {name}")
            },
            binding_voters: pick(&w.binding_voters, "PMC", "binding"),
            mirrors: asf,
            archive: pick(&w.archive, "archive.apache.org", ""),
            verify_url: pick(
                &w.verify_url,
                "https://www.apache.org/info/verification.html",
                "",
            ),
        }
    }

    /// The settings still at an Apache Software Foundation default (an apache.org address or
    /// URL) in a project whose `wording.preset` says it is not an ASF project: its [VOTE] would
    /// go to `dev@NAME.apache.org` and link gitbox.apache.org. `None` for an ASF project.
    pub fn asf_defaults_in_neutral(&self) -> Option<String> {
        if self.wording.preset != "neutral" {
            return None;
        }
        let mut keys: Vec<(&str, String)> = vec![
            ("mail.dev", self.expand(&self.mail.dev)),
            ("mail.user", self.expand(&self.mail.user)),
            (
                "publish.announce_to",
                self.expand(&self.publish.announce_to),
            ),
            ("vote.tag_url", self.expand(&self.vote.tag_url)),
            ("vote.changelog_url", self.expand(&self.vote.changelog_url)),
            (
                "website.download_url",
                self.expand(&self.website.download_url),
            ),
            ("dist.dev", self.expand(&self.dist.dev)),
            ("dist.release", self.expand(&self.dist.release)),
            ("signing.keys", self.expand(&self.signing.keys)),
        ];
        if !self.website.releases_file.trim().is_empty() {
            keys.push(("website.blog_url", self.expand(&self.website.blog_url)));
        }
        if self.publish.jira_release {
            keys.push(("jira.url", self.expand(&self.jira.url)));
        }
        if !self.maven.artifacts.is_empty() || !self.maven.deploy_command.is_empty() {
            keys.push(("maven.url", self.expand(&self.maven.url)));
        }
        let asf: Vec<String> = keys
            .into_iter()
            .filter(|(_, v)| v.contains("apache.org"))
            .map(|(k, v)| format!("{k} = \"{v}\""))
            .collect();
        (!asf.is_empty()).then(|| {
            format!(
                "wording.preset is \"neutral\" (not an Apache project), but these settings are still the Apache defaults: {}; set them in release.toml to the project's own lists and URLs (docs/configuration.md)",
                asf.join(", ")
            )
        })
    }

    /// A template file's text: `path` relative to `root`, or `None` for the built-in one.
    /// `key` names the setting in the error.
    pub fn template_file(
        &self,
        root: &std::path::Path,
        path: &str,
        key: &str,
    ) -> Result<Option<(String, String)>, String> {
        if path.trim().is_empty() {
            return Ok(None);
        }
        let p = root.join(path);
        std::fs::read_to_string(&p)
            .map(|text| Some((p.display().to_string(), text)))
            .map_err(|e| {
                format!(
                    "cannot read the template {} ({e}); fix `{key}`",
                    p.display()
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;

    #[test]
    fn a_neutral_project_is_told_which_settings_still_point_at_the_asf() {
        let mut c = Config::default();
        c.project.name = "pv".into();
        // An ASF project: the defaults are its own.
        assert_eq!(c.asf_defaults_in_neutral(), None);
        c.wording.preset = "neutral".into();
        let m = c.asf_defaults_in_neutral().unwrap();
        assert!(m.contains("mail.dev = \"dev@pv.apache.org\""), "{m}");
        assert!(m.contains("vote.tag_url"), "{m}");
        assert!(m.contains("jira.url"), "{m}");
        assert!(!m.contains("maven.url"), "{m}");
        c.mail.dev = "pv@example.org".into();
        c.mail.user = "pv@example.org".into();
        c.publish.announce_to = "announce@example.org".into();
        c.vote.tag_url = "https://example.org/{tag}".into();
        c.vote.changelog_url = "https://example.org/{tag}/NEWS".into();
        c.website.download_url = "https://example.org/pv/".into();
        c.website.releases_file = String::new();
        c.dist.dev = "file:///srv/dist/dev/{name}".into();
        c.dist.release = "file:///srv/dist/release/{name}".into();
        c.signing.keys = "KEYS".into();
        c.publish.jira_release = false;
        assert_eq!(c.asf_defaults_in_neutral(), None);
    }
}
