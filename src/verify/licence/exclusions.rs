//! The files the licence audit does not expect a header in: the project's RAT-style exclusions
//! file (one glob a line, `#` comments), `licence.exclude`, and the notes files RAT itself
//! leaves alone (LICENSE, NOTICE, README, CHANGELOG ...).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::error::{Classify, ExitCode};

/// Why the exclusions cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ExclusionsError {
    #[error("the exclusions file {file} named by licence.exclusions_file is missing from {place}; create it (one glob a line, as for Apache RAT) or clear licence.exclusions_file")]
    Missing { file: String, place: String },
    #[error("the exclusions file {file} cannot be read: {reason}; make it a readable UTF-8 text file with one glob a line")]
    Unreadable { file: String, reason: String },
    #[error("{origin} line {line}: `{glob}` is not a glob ({reason}); fix the pattern")]
    BadGlob {
        origin: String,
        line: usize,
        glob: String,
        reason: String,
    },
}

impl Classify for ExclusionsError {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

/// Compiled exclusion globs, each remembered with where it came from.
#[derive(Debug, Clone)]
pub struct Exclusions {
    set: GlobSet,
    origins: Vec<String>,
}

impl Default for Exclusions {
    fn default() -> Self {
        Exclusions {
            set: GlobSet::empty(),
            origins: Vec::new(),
        }
    }
}

impl Exclusions {
    /// Compiles `(origin, line, glob)` triples. A glob without `/` matches a file name at any
    /// depth; a leading `/` anchors it at the top; a directory matches everything below it.
    pub fn new<'a>(
        globs: impl IntoIterator<Item = (String, usize, &'a str)>,
    ) -> Result<Self, ExclusionsError> {
        let mut b = GlobSetBuilder::new();
        let mut origins = Vec::new();
        for (origin, line, raw) in globs {
            let g = raw.trim();
            if g.is_empty() || g.starts_with('#') {
                continue;
            }
            let anchored = g.starts_with('/') || g.trim_end_matches('/').contains('/');
            let base = g
                .trim_start_matches("./")
                .trim_start_matches('/')
                .trim_end_matches('/');
            let mut variants = vec![base.to_string(), format!("{base}/**")];
            if !anchored {
                variants.push(format!("**/{base}"));
                variants.push(format!("**/{base}/**"));
            }
            for v in variants {
                let glob = GlobBuilder::new(&v)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| ExclusionsError::BadGlob {
                        origin: origin.clone(),
                        line,
                        glob: g.to_string(),
                        reason: e.kind().to_string(),
                    })?;
                b.add(glob);
                origins.push(format!("{origin}:{line} `{g}`"));
            }
        }
        let set = b.build().map_err(|e| ExclusionsError::BadGlob {
            origin: "exclusions".into(),
            line: 0,
            glob: String::new(),
            reason: e.to_string(),
        })?;
        Ok(Exclusions { set, origins })
    }

    /// Parses an exclusions file's text, `licence.exclude` and `distcheck.generated`.
    pub fn parse(
        file: Option<(&str, &[u8])>,
        exclude: &[String],
        generated: &[String],
    ) -> Result<Self, ExclusionsError> {
        let text = match file {
            Some((name, bytes)) => Some((
                name,
                std::str::from_utf8(bytes).map_err(|e| ExclusionsError::Unreadable {
                    file: name.to_string(),
                    reason: format!("it is not UTF-8 text (byte {})", e.valid_up_to()),
                })?,
            )),
            None => None,
        };
        let from_file = text.into_iter().flat_map(|(name, t)| {
            t.lines()
                .enumerate()
                .map(move |(i, l)| (name.to_string(), i + 1, l))
        });
        let from_config = exclude
            .iter()
            .enumerate()
            .map(|(i, g)| ("licence.exclude".to_string(), i + 1, g.as_str()));
        let from_build = generated
            .iter()
            .enumerate()
            .map(|(i, g)| ("distcheck.generated".to_string(), i + 1, g.as_str()));
        Exclusions::new(from_file.chain(from_config).chain(from_build))
    }

    /// The exclusion matching `path` (relative to the top), if any.
    pub fn matches(&self, path: &str) -> Option<String> {
        self.set
            .matches(path)
            .first()
            .map(|i| self.origins[*i].clone())
    }
}

/// Whether RAT leaves `path` alone as a notes or SCM file.
pub fn is_note(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    let upper = name.to_ascii_uppercase();
    let stem = upper.split('.').next().unwrap_or("");
    matches!(
        stem,
        "LICENSE"
            | "LICENCE"
            | "NOTICE"
            | "README"
            | "CHANGELOG"
            | "CHANGES"
            | "INSTALL"
            | "AUTHORS"
            | "COPYING"
            | "KEYS"
            | "RELEASE-NOTES"
    ) && !name.contains(".c")
        && !name.contains(".h")
        || matches!(
            name,
            ".gitignore" | ".gitattributes" | ".gitmodules" | ".rat-excludes"
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rat_style_globs_match_by_name_anywhere_or_from_the_top() {
        let text = b"# generated\n*.json\n3rdparty/\n/docs/*.md\n\n";
        let e = Exclusions::parse(
            Some((".rat-excludes", text)),
            &["site/**".into()],
            &["configure".into()],
        )
        .unwrap();
        assert!(e
            .matches("configure")
            .unwrap()
            .starts_with("distcheck.generated:1"));
        assert!(e.matches("a/b/c.json").unwrap().contains(".rat-excludes:2"));
        assert!(e.matches("3rdparty/x/y.c").is_some());
        assert!(e.matches("docs/a.md").is_some());
        assert!(e.matches("src/docs/a.md").is_none());
        assert!(e
            .matches("site/x/y.html")
            .unwrap()
            .starts_with("licence.exclude:1"));
        assert!(e.matches("src/main.c").is_none());
    }

    #[test]
    fn an_unreadable_exclusions_file_is_named() {
        let err =
            Exclusions::parse(Some((".rat-excludes", b"ok\n\xff\xfe")), &[], &[]).unwrap_err();
        assert!(
            err.to_string().contains(".rat-excludes cannot be read"),
            "{err}"
        );
        let err = Exclusions::parse(Some((".rat-excludes", b"a[b\n")), &[], &[]).unwrap_err();
        assert!(err.to_string().contains(".rat-excludes line 1"), "{err}");
    }

    #[test]
    fn notes_files_are_known() {
        assert!(is_note("README.md"));
        assert!(is_note("sub/NOTICE"));
        assert!(is_note(".gitignore"));
        assert!(!is_note("src/readme.c"));
        assert!(!is_note("src/main.c"));
    }
}
