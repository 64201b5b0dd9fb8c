//! Release versions (`MAJOR.MINOR.PATCH`) and how they move on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A release version, `MAJOR.MINOR.PATCH`, as Mesos and most autotools projects use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

/// Which part of a version moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    Major,
    Minor,
    Patch,
}

impl Part {
    pub fn name(self) -> &'static str {
        match self {
            Part::Major => "major",
            Part::Minor => "minor",
            Part::Patch => "patch",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a version: {reason}; write it as MAJOR.MINOR.PATCH, e.g. 1.12.0")]
pub struct VersionError {
    pub input: String,
    pub reason: String,
}

impl crate::error::Classify for VersionError {
    fn exit_code(&self) -> crate::error::ExitCode {
        crate::error::ExitCode::Usage
    }
}

impl Version {
    pub const fn new(major: u64, minor: u64, patch: u64) -> Self {
        Version {
            major,
            minor,
            patch,
        }
    }

    /// The next version: `next(Minor)` of 1.11.2 is 1.12.0, as at a branch cut.
    pub fn next(self, part: Part) -> Version {
        match part {
            Part::Major => Version::new(self.major + 1, 0, 0),
            Part::Minor => Version::new(self.major, self.minor + 1, 0),
            Part::Patch => Version::new(self.major, self.minor, self.patch + 1),
        }
    }

    /// The next version, or `None` when the moving number is already `u64::MAX` (it must not
    /// wrap to 0).
    pub fn checked_next(self, part: Part) -> Option<Version> {
        Some(match part {
            Part::Major => Version::new(self.major.checked_add(1)?, 0, 0),
            Part::Minor => Version::new(self.major, self.minor.checked_add(1)?, 0),
            Part::Patch => Version::new(self.major, self.minor, self.patch.checked_add(1)?),
        })
    }

    pub fn get(self, part: Part) -> u64 {
        match part {
            Part::Major => self.major,
            Part::Minor => self.minor,
            Part::Patch => self.patch,
        }
    }

    /// A regular (minor or major) release: X.Y.0.
    pub(crate) fn is_regular(self) -> bool {
        self.patch == 0
    }
}

/// Parses one numeric component: digits only, no sign, no leading zero.
pub(crate) fn parse_component(input: &str, what: &str) -> Result<u64, String> {
    if input.is_empty() {
        return Err(format!("the {what} number is empty"));
    }
    if !input.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("the {what} number `{input}` is not a whole number"));
    }
    if input.len() > 1 && input.starts_with('0') {
        return Err(format!("the {what} number `{input}` has a leading zero"));
    }
    input
        .parse::<u64>()
        .map_err(|_| format!("the {what} number `{input}` is too large"))
}

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: String| VersionError {
            input: input.to_string(),
            reason,
        };
        if input.trim().is_empty() {
            return Err(err("it is empty".into()));
        }
        let parts: Vec<&str> = input.split('.').collect();
        if parts.len() != 3 {
            return Err(err(format!(
                "it has {} dot-separated numbers instead of 3",
                parts.len()
            )));
        }
        let major = parse_component(parts[0], "major").map_err(err)?;
        let minor = parse_component(parts[1], "minor").map_err(err)?;
        let patch = parse_component(parts[2], "patch").map_err(err)?;
        Ok(Version::new(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

impl Serialize for Version {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Version {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_round_trip() {
        let v: Version = "1.12.0".parse().unwrap();
        assert_eq!(v, Version::new(1, 12, 0));
        assert_eq!(v.to_string(), "1.12.0");
    }

    #[test]
    fn rejects_malformed_versions_with_the_reason() {
        for (input, reason) in [
            ("1.2", "2 dot-separated numbers"),
            ("1.2.3.4", "4 dot-separated numbers"),
            ("", "empty"),
            ("1.02.0", "leading zero"),
            ("1.x.0", "not a whole number"),
            ("v1.2.0", "not a whole number"),
            ("1..0", "minor number is empty"),
            ("99999999999999999999.0.0", "too large"),
        ] {
            let e = input.parse::<Version>().unwrap_err();
            assert!(e.to_string().contains(reason), "{input}: {e}");
            assert!(e.to_string().contains("MAJOR.MINOR.PATCH"));
        }
    }

    #[test]
    fn next_versions_follow_the_release_guide() {
        let v = Version::new(1, 11, 2);
        assert_eq!(v.next(Part::Minor), Version::new(1, 12, 0));
        assert_eq!(v.next(Part::Patch), Version::new(1, 11, 3));
        assert_eq!(v.next(Part::Major), Version::new(2, 0, 0));
    }

    #[test]
    fn orders_numerically_not_lexically() {
        assert!(Version::new(1, 10, 0) > Version::new(1, 9, 9));
    }
}
