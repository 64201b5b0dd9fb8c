//! What an RPM build is for, as pure functions: version, release and channel from a tag (or a
//! snapshot of a commit), and where packages go in the yum repository.

use serde::Serialize;

use crate::model::tag::Tag;
use crate::model::version::Version;

/// The yum repository channel a build goes to (bintray.sh's mapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// A final release tag `X.Y.Z`.
    Stable,
    /// A release candidate `X.Y.Z-rcN`.
    Testing,
    /// A snapshot of a commit with no tag.
    Unstable,
}

impl Channel {
    pub fn name(self) -> &'static str {
        match self {
            Channel::Stable => "stable",
            Channel::Testing => "testing",
            Channel::Unstable => "unstable",
        }
    }
}

/// Where the source tarball comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// Download from dist (dev for candidates, release for releases) and verify it.
    Dist,
    /// Run the project's `make dist` on the tagged (or HEAD) tree.
    MakeDist,
}

/// The resolved target of a build.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The tag being packaged, or `None` for a snapshot.
    pub tag: Option<String>,
    pub version: Version,
    /// The RPM `Release`, e.g. `1` or `0.1.pre.20260102git1a2b3c4`.
    pub release: String,
    pub channel: Channel,
}

/// A snapshot's identity: the commit's date (UTC, `YYYYMMDD`) and short id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub version: Version,
    pub date: String,
    pub short_sha: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("release number `{0}` is not valid: use digits and dots only, e.g. 1 or 2.1 (MESOS_RELEASE / --release)")]
    BadRelease(String),
    #[error("snapshot date `{0}` is not YYYYMMDD")]
    BadDate(String),
}

fn valid_release(r: &str) -> bool {
    !r.is_empty()
        && !r.starts_with('.')
        && !r.ends_with('.')
        && !r.contains("..")
        && r.chars().all(|c| c.is_ascii_digit() || c == '.')
}

/// Resolves a tag (or a snapshot when there is none) into version, release and channel.
/// `release` is the package release number (`--release` / `MESOS_RELEASE`, default 1).
pub(crate) fn resolve(
    tag: Option<(&str, Tag)>,
    snapshot: Option<&Snapshot>,
    release: &str,
) -> Result<Target, TargetError> {
    if !valid_release(release) {
        return Err(TargetError::BadRelease(release.to_string()));
    }
    match (tag, snapshot) {
        (Some((name, tag)), _) => Ok(Target {
            tag: Some(name.to_string()),
            version: tag.version(),
            release: release.to_string(),
            channel: match tag {
                Tag::Candidate { .. } => Channel::Testing,
                Tag::Release { .. } => Channel::Stable,
            },
        }),
        (None, Some(s)) => {
            if s.date.len() != 8 || !s.date.chars().all(|c| c.is_ascii_digit()) {
                return Err(TargetError::BadDate(s.date.clone()));
            }
            Ok(Target {
                tag: None,
                version: s.version,
                // build_rpm.sh: 0.1.pre.YYYYMMDDgit<sha>, so any real release sorts after it.
                release: format!("0.1.pre.{}git{}", s.date, s.short_sha),
                channel: Channel::Unstable,
            })
        }
        (None, None) => unreachable!("callers pass a tag or a snapshot"),
    }
}

/// Repository layout templates per channel; `{distro}` and `{arch}` are filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub stable: String,
    pub testing: String,
    pub unstable: String,
}

impl Layout {
    /// The directory (relative to the repository root) for packages of `arch`.
    pub fn dir(&self, distro: &str, channel: Channel, arch: &str) -> String {
        let template = match channel {
            Channel::Stable => &self.stable,
            Channel::Testing => &self.testing,
            Channel::Unstable => &self.unstable,
        };
        template.replace("{distro}", distro).replace("{arch}", arch)
    }
}

/// The directory name for an RPM of `arch`: source packages go to `SRPMS`.
pub(crate) fn arch_dir(arch: &str, is_source: bool) -> &str {
    if is_source {
        "SRPMS"
    } else {
        arch
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_go_to_testing_releases_to_stable() {
        let t = resolve(
            Some((
                "1.11.0-rc2",
                Tag::Candidate {
                    version: Version::new(1, 11, 0),
                    rc: 2,
                },
            )),
            None,
            "1",
        )
        .unwrap();
        assert_eq!(
            (t.version.to_string(), t.release.as_str(), t.channel),
            ("1.11.0".into(), "1", Channel::Testing)
        );
        let t = resolve(
            Some((
                "1.11.0",
                Tag::Release {
                    version: Version::new(1, 11, 0),
                },
            )),
            None,
            "3",
        )
        .unwrap();
        assert_eq!((t.release.as_str(), t.channel), ("3", Channel::Stable));
    }

    #[test]
    fn snapshots_use_build_rpm_sh_release_form() {
        let s = Snapshot {
            version: Version::new(1, 12, 0),
            date: "20261124".into(),
            short_sha: "1a2b3c4".into(),
        };
        let t = resolve(None, Some(&s), "1").unwrap();
        assert_eq!(t.release, "0.1.pre.20261124git1a2b3c4");
        assert_eq!(t.channel, Channel::Unstable);
        let bad = Snapshot {
            date: "2026-11-24".into(),
            ..s
        };
        assert!(resolve(None, Some(&bad), "1").is_err());
    }

    #[test]
    fn bad_release_numbers_are_rejected() {
        for r in ["", "1-2", "a", ".1", "1.", "1..2", "1 "] {
            let e = resolve(
                Some((
                    "1.0.0",
                    Tag::Release {
                        version: Version::new(1, 0, 0),
                    },
                )),
                None,
                r,
            )
            .unwrap_err();
            assert!(e.to_string().contains("digits and dots"), "{r}: {e}");
        }
    }

    #[test]
    fn layout_follows_bintray_mapping() {
        let l = Layout {
            stable: "{distro}/{arch}".into(),
            testing: "{distro}-testing/{arch}".into(),
            unstable: "{distro}-unstable/{arch}".into(),
        };
        assert_eq!(
            l.dir("el7", Channel::Testing, "x86_64"),
            "el7-testing/x86_64"
        );
        assert_eq!(l.dir("el7", Channel::Stable, "SRPMS"), "el7/SRPMS");
        assert_eq!(
            l.dir("el8", Channel::Unstable, "noarch"),
            "el8-unstable/noarch"
        );
        assert_eq!(arch_dir("x86_64", true), "SRPMS");
        assert_eq!(arch_dir("noarch", false), "noarch");
    }
}
