//! Release-candidate and release tags, parsed against the project's tag scheme.
//!
//! The scheme is three templates. Mesos's default is `{version}-rc{rc}` for candidates,
//! `{version}` for releases and `{major}.{minor}.x` for release branches. Placeholders:
//! `{version}` (MAJOR.MINOR.PATCH), `{major}`, `{minor}`, `{patch}` and, for candidates, `{rc}`.

use std::fmt;

use serde::Serialize;

use crate::model::version::{parse_component, Version};

/// A tag read against the scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Tag {
    /// `X.Y.Z-rcN`: release candidate N (N ≥ 1) of version X.Y.Z.
    Candidate { version: Version, rc: u32 },
    /// `X.Y.Z`: the final release.
    Release { version: Version },
}

impl Tag {
    pub fn version(&self) -> Version {
        match *self {
            Tag::Candidate { version, .. } | Tag::Release { version } => version,
        }
    }

    pub fn rc(&self) -> Option<u32> {
        match *self {
            Tag::Candidate { rc, .. } => Some(rc),
            Tag::Release { .. } => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TagError {
    #[error("no tag was given: pass the tag, e.g. --tag {example}")]
    Empty { example: String },
    #[error("tag `{tag}` does not follow this project's tag scheme: expected {expected}{hint}")]
    Malformed {
        tag: String,
        expected: String,
        hint: String,
    },
    #[error("tag template `{template}` (configuration key `{key}`) is invalid: {reason}")]
    BadTemplate {
        key: String,
        template: String,
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Version,
    Major,
    Minor,
    Patch,
    Rc,
}

/// One compiled tag template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    source: String,
    pieces: Vec<Piece>,
}

impl crate::error::Classify for TagError {
    fn exit_code(&self) -> crate::error::ExitCode {
        crate::error::ExitCode::Usage
    }
}

impl Template {
    fn compile(key: &str, source: &str, allow_rc: bool) -> Result<Template, TagError> {
        let bad = |reason: String| TagError::BadTemplate {
            key: key.to_string(),
            template: source.to_string(),
            reason,
        };
        let mut pieces = Vec::new();
        let mut rest = source;
        let mut literal = String::new();
        while let Some(open) = rest.find('{') {
            literal.push_str(&rest[..open]);
            let close = rest[open..]
                .find('}')
                .ok_or_else(|| bad("a `{` is never closed".into()))?
                + open;
            let name = &rest[open + 1..close];
            let piece = match name {
                "version" => Piece::Version,
                "major" => Piece::Major,
                "minor" => Piece::Minor,
                "patch" => Piece::Patch,
                "rc" if allow_rc => Piece::Rc,
                other => {
                    return Err(bad(format!(
                        "unknown placeholder `{{{other}}}`; use {{version}}, {{major}}, {{minor}}, {{patch}}{}",
                        if allow_rc { " or {rc}" } else { "" }
                    )))
                }
            };
            if !literal.is_empty() {
                pieces.push(Piece::Literal(std::mem::take(&mut literal)));
            }
            if matches!(pieces.last(), Some(p) if !matches!(p, Piece::Literal(_))) {
                return Err(bad(
                    "two placeholders touch; put a separator between them".into()
                ));
            }
            pieces.push(piece);
            rest = &rest[close + 1..];
        }
        literal.push_str(rest);
        if literal.contains('}') {
            return Err(bad("a `}` has no matching `{`".into()));
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        let has = |p: &Piece| pieces.contains(p);
        let whole = has(&Piece::Version);
        let parts = has(&Piece::Major) || has(&Piece::Minor) || has(&Piece::Patch);
        if whole && parts {
            return Err(bad(
                "use either {version} or {major}/{minor}/{patch}, not both".into(),
            ));
        }
        if allow_rc && !has(&Piece::Rc) {
            return Err(bad("a candidate template needs the {rc} placeholder".into()));
        }
        Ok(Template {
            source: source.to_string(),
            pieces,
        })
    }

    /// Renders the template; `rc` is only used by candidate templates.
    fn render(&self, version: Version, rc: u32) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(s) => out.push_str(s),
                Piece::Version => out.push_str(&version.to_string()),
                Piece::Major => out.push_str(&version.major.to_string()),
                Piece::Minor => out.push_str(&version.minor.to_string()),
                Piece::Patch => out.push_str(&version.patch.to_string()),
                Piece::Rc => out.push_str(&rc.to_string()),
            }
        }
        out
    }

    /// The schematic form shown in error messages, e.g. `X.Y.Z-rcN`.
    fn schematic(&self) -> String {
        let mut out = String::new();
        for piece in &self.pieces {
            out.push_str(match piece {
                Piece::Literal(s) => s,
                Piece::Version => "X.Y.Z",
                Piece::Major => "X",
                Piece::Minor => "Y",
                Piece::Patch => "Z",
                Piece::Rc => "N",
            });
        }
        out
    }

    /// Matches `input` against the template. Placeholders are digit runs (or a dotted
    /// version); the structure is rigid, so matching is a left-to-right walk.
    fn matches(&self, input: &str) -> Result<Captured, MatchFailure> {
        let mut rest = input;
        let mut got = Captured::default();
        for (i, piece) in self.pieces.iter().enumerate() {
            match piece {
                Piece::Literal(lit) => {
                    rest = rest.strip_prefix(lit.as_str()).ok_or(MatchFailure::Shape)?;
                }
                _ => {
                    // A placeholder runs up to the next literal (or the end).
                    let end = match self.pieces.get(i + 1) {
                        Some(Piece::Literal(next)) => {
                            rest.find(next.as_str()).ok_or(MatchFailure::Shape)?
                        }
                        _ => rest.len(),
                    };
                    let text = &rest[..end];
                    rest = &rest[end..];
                    match piece {
                        Piece::Version => {
                            got.version = Some(text.parse::<Version>().map_err(|e| {
                                MatchFailure::Value(format!("the version part: {}", e.reason))
                            })?)
                        }
                        Piece::Major => got.major = Some(component(text, "major")?),
                        Piece::Minor => got.minor = Some(component(text, "minor")?),
                        Piece::Patch => got.patch = Some(component(text, "patch")?),
                        Piece::Rc => {
                            let rc = component(text, "candidate")?;
                            if rc == 0 {
                                return Err(MatchFailure::Value(
                                    "candidate numbers start at 1 (rc1 is the first candidate)"
                                        .into(),
                                ));
                            }
                            got.rc = Some(u32::try_from(rc).map_err(|_| {
                                MatchFailure::Value(format!("candidate number {rc} is too large"))
                            })?);
                        }
                        Piece::Literal(_) => unreachable!("handled above"),
                    }
                }
            }
        }
        if !rest.is_empty() {
            return Err(MatchFailure::Shape);
        }
        Ok(got)
    }
}

fn component(text: &str, what: &str) -> Result<u64, MatchFailure> {
    parse_component(text, what).map_err(MatchFailure::Value)
}

#[derive(Debug, Default)]
struct Captured {
    version: Option<Version>,
    major: Option<u64>,
    minor: Option<u64>,
    patch: Option<u64>,
    rc: Option<u32>,
}

impl Captured {
    fn version(&self) -> Option<Version> {
        self.version.or(match (self.major, self.minor, self.patch) {
            (Some(a), Some(b), Some(c)) => Some(Version::new(a, b, c)),
            _ => None,
        })
    }
}

#[derive(Debug)]
enum MatchFailure {
    /// The literal structure does not fit.
    Shape,
    /// The structure fits but a number is wrong; the message says which.
    Value(String),
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// The project's tag scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagScheme {
    candidate: Template,
    release: Template,
    branch: Template,
}

impl Default for TagScheme {
    fn default() -> Self {
        TagScheme::new("{version}-rc{rc}", "{version}", "{major}.{minor}.x")
            .expect("the built-in tag scheme is valid")
    }
}

impl TagScheme {
    pub fn new(candidate: &str, release: &str, branch: &str) -> Result<Self, TagError> {
        let candidate = Template::compile("tags.candidate", candidate, true)?;
        let release = Template::compile("tags.release", release, false)?;
        let branch = Template::compile("tags.branch", branch, false)?;
        for (key, t) in [("tags.candidate", &candidate), ("tags.release", &release)] {
            let complete = t.pieces.contains(&Piece::Version)
                || [Piece::Major, Piece::Minor, Piece::Patch]
                    .iter()
                    .all(|p| t.pieces.contains(p));
            if !complete {
                return Err(TagError::BadTemplate {
                    key: key.into(),
                    template: t.source.clone(),
                    reason: "it must contain {version} or all of {major}, {minor} and {patch}"
                        .into(),
                });
            }
        }
        Ok(TagScheme {
            candidate,
            release,
            branch,
        })
    }

    pub(crate) fn candidate_tag(&self, version: Version, rc: u32) -> String {
        self.candidate.render(version, rc)
    }

    pub(crate) fn release_tag(&self, version: Version) -> String {
        self.release.render(version, 0)
    }

    pub fn branch(&self, version: Version) -> String {
        self.branch.render(version, 0)
    }

    fn expected(&self) -> String {
        let example = Version::new(1, 12, 0);
        format!(
            "a candidate tag like `{}` (e.g. `{}`) or a release tag like `{}` (e.g. `{}`)",
            self.candidate.schematic(),
            self.candidate.render(example, 1),
            self.release.schematic(),
            self.release.render(example, 0)
        )
    }

    /// Parses a candidate or release tag.
    pub fn parse(&self, tag: &str) -> Result<Tag, TagError> {
        self.parse_with(tag, true, true)
    }

    /// Parses a tag that must be a release candidate.
    pub(crate) fn parse_candidate(&self, tag: &str) -> Result<(Version, u32), TagError> {
        match self.parse_with(tag, true, false)? {
            Tag::Candidate { version, rc } => Ok((version, rc)),
            Tag::Release { .. } => unreachable!("release templates are not tried"),
        }
    }

    fn parse_with(&self, tag: &str, candidate: bool, release: bool) -> Result<Tag, TagError> {
        if tag.trim().is_empty() {
            return Err(TagError::Empty {
                example: self.candidate.render(Version::new(1, 12, 0), 1),
            });
        }
        let (mut candidate_problem, mut release_problem) = (None, None);
        if candidate {
            match self.candidate.matches(tag) {
                Ok(c) => {
                    if let (Some(version), Some(rc)) = (c.version(), c.rc) {
                        return Ok(Tag::Candidate { version, rc });
                    }
                }
                Err(MatchFailure::Value(v)) => candidate_problem = Some(v),
                Err(MatchFailure::Shape) => {}
            }
        }
        if release {
            match self.release.matches(tag) {
                Ok(c) => {
                    if let Some(version) = c.version() {
                        return Ok(Tag::Release { version });
                    }
                }
                Err(MatchFailure::Value(v)) => release_problem = Some(v),
                Err(MatchFailure::Shape) => {}
            }
        }
        let expected = if release {
            self.expected()
        } else {
            format!(
                "a candidate tag like `{}` (e.g. `{}`)",
                self.candidate.schematic(),
                self.candidate.render(Version::new(1, 12, 0), 1)
            )
        };
        // The most useful explanation wins: a case or prefix slip that has a fix, then a
        // candidate whose numbers are wrong, then a release whose numbers are wrong.
        let shape = self.shape_hint(tag, candidate, release);
        let hint = match (candidate_problem, release_problem) {
            _ if !shape.is_empty() => shape,
            (Some(v), _) | (None, Some(v)) => format!("; {v}"),
            (None, None) => String::new(),
        };
        Err(TagError::Malformed {
            tag: tag.to_string(),
            expected,
            hint,
        })
    }

    /// A guess at what went wrong when the tag's shape does not fit at all.
    fn shape_hint(&self, tag: &str, candidate: bool, release: bool) -> String {
        let lower = tag.to_lowercase();
        let templates = [(candidate, &self.candidate), (release, &self.release)];
        for (on, t) in templates {
            if !on {
                continue;
            }
            if lower != tag && t.matches(&lower).is_ok() {
                return format!("; tags are case-sensitive: did you mean `{lower}`?");
            }
            for prefix in ["v", "V", "release-", "rel-"] {
                if let Some(stripped) = tag.strip_prefix(prefix) {
                    if t.matches(stripped).is_ok() {
                        return format!(
                            "; this project's tags have no `{prefix}` prefix: did you mean `{stripped}`? \
                             (or set `tags.candidate`/`tags.release` in release.toml)"
                        );
                    }
                }
            }
        }
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mesos() -> TagScheme {
        TagScheme::default()
    }

    #[test]
    fn parses_mesos_candidate_and_release_tags() {
        assert_eq!(
            mesos().parse("1.11.0-rc2").unwrap(),
            Tag::Candidate {
                version: Version::new(1, 11, 0),
                rc: 2
            }
        );
        assert_eq!(
            mesos().parse("1.11.0").unwrap(),
            Tag::Release {
                version: Version::new(1, 11, 0)
            }
        );
        assert_eq!(mesos().branch(Version::new(1, 11, 3)), "1.11.x");
        assert_eq!(
            mesos().candidate_tag(Version::new(1, 11, 0), 3),
            "1.11.0-rc3"
        );
    }

    #[test]
    fn two_part_version_is_rejected_with_expected_form() {
        let e = mesos().parse("1.2-rc1").unwrap_err().to_string();
        assert!(e.contains("`1.2-rc1`"), "{e}");
        assert!(e.contains("X.Y.Z-rcN"), "{e}");
        assert!(e.contains("1.12.0-rc1"), "{e}");
        assert!(e.contains("3"), "{e}");
    }

    #[test]
    fn rc_zero_is_rejected() {
        let e = mesos().parse("1.2.0-rc0").unwrap_err().to_string();
        assert!(e.contains("start at 1"), "{e}");
    }

    #[test]
    fn upper_case_rc_gets_a_case_hint() {
        let e = mesos().parse("1.2.0-RC1").unwrap_err().to_string();
        assert!(e.contains("case-sensitive"), "{e}");
        assert!(e.contains("1.2.0-rc1"), "{e}");
    }

    #[test]
    fn v_prefix_gets_a_prefix_hint() {
        let e = mesos().parse("v1.2.0-rc1").unwrap_err().to_string();
        assert!(e.contains("no `v` prefix"), "{e}");
    }

    #[test]
    fn empty_tag_says_what_to_pass() {
        let e = mesos().parse("  ").unwrap_err().to_string();
        assert!(e.contains("--tag 1.12.0-rc1"), "{e}");
    }

    #[test]
    fn custom_schemes_parse_and_render() {
        let s =
            TagScheme::new("v{version}-rc{rc}", "v{version}", "release-{major}.{minor}").unwrap();
        assert_eq!(
            s.parse_candidate("v1.2.0-rc4").unwrap(),
            (Version::new(1, 2, 0), 4)
        );
        assert_eq!(s.release_tag(Version::new(1, 2, 0)), "v1.2.0");
        assert!(s.parse("1.2.0-rc4").is_err());

        let s = TagScheme::new(
            "release-{version}-RC{rc}",
            "release-{version}",
            "{major}.{minor}.x",
        )
        .unwrap();
        assert_eq!(s.parse("release-2.0.1-RC1").unwrap().rc(), Some(1));
        let s = TagScheme::new(
            "{major}_{minor}_{patch}_rc{rc}",
            "{major}_{minor}_{patch}",
            "b{major}",
        )
        .unwrap();
        assert_eq!(
            s.parse("1_2_3_rc9").unwrap().version(),
            Version::new(1, 2, 3)
        );
    }

    #[test]
    fn candidate_only_parsing_refuses_release_tags() {
        let e = mesos().parse_candidate("1.2.0").unwrap_err().to_string();
        assert!(e.contains("candidate tag like `X.Y.Z-rcN`"), "{e}");
        assert!(!e.contains("release tag"), "{e}");
    }

    #[test]
    fn bad_templates_are_reported_with_their_key() {
        let e = TagScheme::new("{version}", "{version}", "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("tags.candidate") && e.contains("{rc}"), "{e}");
        let e = TagScheme::new("{version}-rc{rc}", "{name}", "x")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tags.release") && e.contains("unknown placeholder"),
            "{e}"
        );
        let e = TagScheme::new("{version}{rc}", "{version}", "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("touch"), "{e}");
        let e = TagScheme::new("{major}-rc{rc}", "{version}", "x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("all of"), "{e}");
    }

    #[test]
    fn trailing_garbage_is_rejected() {
        assert!(mesos().parse("1.2.0-rc1-final").is_err());
        assert!(mesos().parse("1.2.0-rc1 ").is_err());
    }
}
