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
