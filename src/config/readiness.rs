//! `[readiness]`: the checks the rc gate runs before a tag (the guide's "Preparing" steps):
//! generated files are current, a document has a section for the release, documented flags,
//! mirrored definitions agree. The embedded default is Apache Mesos's; it runs only on Mesos
//! (see [`Readiness::enabled`]).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Readiness {
    /// `on`, `off`, or `auto`: the checks run when the project is named as in the embedded
    /// default (`mesos`) and `marker` exists in the checked tree; other projects set `on` with
    /// their own rules.
    pub enabled: String,
    /// For `auto`: a file that marks the tree as the one the rules describe.
    pub marker: String,
    /// Commands that regenerate committed files; the tree must not change.
    pub generated: Vec<Generated>,
    /// Documents that must have a section for the release.
    pub sections: Vec<Section>,
    /// Flags a command lists that documents must mention.
    pub flags: Vec<Flags>,
    /// Pairs of directories whose definitions must agree.
    pub mirrors: Vec<Mirror>,
}

/// A generator whose output is committed (Mesos: the endpoint help).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Generated {
    pub name: String,
    /// Shell command run at the top of a temporary worktree of the checked revision;
    /// `{root}` is the project's directory (where a build may be).
    pub command: String,
    /// A path (with `{root}`) the command needs, e.g. a build; when absent the check warns.
    pub needs: String,
    /// Seconds before the command is stopped.
    pub timeout_secs: u64,
}

/// A document that must have a heading for the release.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Section {
    /// The document, relative to the project root.
    pub file: String,
    /// The heading's text; `{major}`, `{minor}`, `{patch}`, `{version}` are filled in and `*`
    /// matches anything. Leading `#` and trailing `#` of Markdown headings are ignored.
    pub heading: String,
    /// Which releases need it: `regular` (X.Y.0) or `all`.
    pub releases: String,
}

/// A command that prints flag names (one a line) and the documents that must mention each.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Flags {
    pub name: String,
    /// Shell command run at the top of a temporary worktree of the checked revision.
    pub command: String,
    /// Globs of documents, relative to the project root.
    pub documents: Vec<String>,
    /// How a flag is mentioned; `{flag}` is filled in. Any one is enough.
    pub mentions: Vec<String>,
    /// Flags that need not be documented.
    pub ignore: Vec<String>,
    pub timeout_secs: u64,
}

/// Two directories whose files of the same relative path declare the same things.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Mirror {
    pub left: String,
    pub right: String,
    /// Glob of the files compared, relative to each directory; a file is compared when it is
    /// on both sides.
    pub files: String,
    /// What the files are: `protobuf` (messages, fields, enums and their values).
    pub kind: String,
    /// Renames applied to the left side's names before comparing (e.g. `["Slave", "Agent"]`).
    pub renames: Vec<(String, String)>,
}

impl Default for Generated {
    fn default() -> Self {
        Generated {
            name: String::new(),
            command: String::new(),
            needs: String::new(),
            timeout_secs: 600,
        }
    }
}

impl Default for Section {
    fn default() -> Self {
        Section {
            file: String::new(),
            heading: String::new(),
            releases: "regular".into(),
        }
    }
}

impl Default for Flags {
    fn default() -> Self {
        Flags {
            name: String::new(),
            command: String::new(),
            documents: Vec::new(),
            mentions: vec!["--{flag}".into()],
            ignore: Vec::new(),
            timeout_secs: 120,
        }
    }
}

impl Default for Mirror {
    fn default() -> Self {
        Mirror {
            left: String::new(),
            right: String::new(),
            files: "**/*.proto".into(),
            kind: "protobuf".into(),
            renames: Vec::new(),
        }
    }
}

/// The Mesos defaults.
impl Default for Readiness {
    fn default() -> Self {
        let pair = |a: &str, b: &str| (a.to_string(), b.to_string());
        Readiness {
            enabled: "auto".into(),
            marker: "include/mesos/v1/mesos.proto".into(),
            generated: vec![Generated {
                name: "endpoint help".into(),
                command: "python3 support/generate-endpoint-help.py --command-path {root}/build/bin"
                    .into(),
                needs: "{root}/build/bin/mesos-master".into(),
                timeout_secs: 600,
            }],
            sections: vec![Section {
                file: "docs/upgrades.md".into(),
                heading: "Upgrading from * to {major}.{minor}.x".into(),
                releases: "regular".into(),
            }],
            flags: vec![Flags {
                name: "master and agent flags".into(),
                command: r#"perl -0777 -ne 'print "$1\n" while /\badd\(\s*&Flags::\w+\s*,\s*"(\w+)"/g' src/master/flags.cpp src/slave/flags.cpp"#.into(),
                documents: vec!["docs/configuration.md".into(), "docs/configuration/*.md".into()],
                mentions: vec!["--{flag}".into(), "--[no-]{flag}".into()],
                ignore: Vec::new(),
                timeout_secs: 120,
            }],
            mirrors: vec![Mirror {
                left: "include/mesos".into(),
                right: "include/mesos/v1".into(),
                files: "**/*.proto".into(),
                kind: "protobuf".into(),
                renames: vec![
                    pair("mesos.v1", "mesos"),
                    pair("Slave", "Agent"),
                    pair("slave", "agent"),
                    pair("SLAVE", "AGENT"),
                ],
            }],
        }
    }
}

impl Readiness {
    /// Whether the rules apply to `project` (the project's name) on a tree where `has_marker`
    /// says whether the marker file exists.
    pub fn applies(&self, project: &str, has_marker: impl FnOnce(&str) -> bool) -> bool {
        match self.enabled.as_str() {
            "on" => true,
            "auto" => project == "mesos" && (self.marker.is_empty() || has_marker(&self.marker)),
            _ => false,
        }
    }

    /// Checks what serde cannot; the message names the key.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !matches!(self.enabled.as_str(), "on" | "off" | "auto") {
            return Err(format!(
                "`readiness.enabled` is `{}`; use \"on\", \"off\" or \"auto\"",
                self.enabled
            ));
        }
        for (i, g) in self.generated.iter().enumerate() {
            if g.command.trim().is_empty() {
                return Err(format!("[[readiness.generated]] entry {}: `command` is empty; give the shell command that regenerates the files", i + 1));
            }
        }
        for (i, s) in self.sections.iter().enumerate() {
            if s.file.is_empty() || s.heading.is_empty() {
                return Err(format!("[[readiness.sections]] entry {}: `file` and `heading` are both needed, e.g. file = \"docs/upgrades.md\", heading = \"Upgrading from * to {{major}}.{{minor}}.x\"", i + 1));
            }
            if !matches!(s.releases.as_str(), "regular" | "all") {
                return Err(format!("[[readiness.sections]] entry {}: `releases` is `{}`; use \"regular\" (X.Y.0) or \"all\"", i + 1, s.releases));
            }
        }
        for (i, f) in self.flags.iter().enumerate() {
            if f.command.trim().is_empty() || f.documents.is_empty() {
                return Err(format!(
                    "[[readiness.flags]] entry {}: `command` and `documents` are both needed",
                    i + 1
                ));
            }
            if f.mentions.iter().any(|m| !m.contains("{flag}")) || f.mentions.is_empty() {
                return Err(format!("[[readiness.flags]] entry {}: each of `mentions` must contain `{{flag}}`, e.g. \"--{{flag}}\"", i + 1));
            }
        }
        for (i, m) in self.mirrors.iter().enumerate() {
            if m.left.is_empty() || m.right.is_empty() {
                return Err(format!(
                    "[[readiness.mirrors]] entry {}: `left` and `right` are both needed",
                    i + 1
                ));
            }
            if m.kind != "protobuf" {
                return Err(format!("[[readiness.mirrors]] entry {}: `kind` is `{}`; the supported kind is \"protobuf\"", i + 1, m.kind));
            }
        }
        Ok(())
    }
}
