//! The PMC roster: who casts a binding vote. A TOML file of `[[member]]` tables with `name`,
//! `emails` (every address the member writes from) and `apache_id` (`<id>@apache.org` is implied).
//! Senders are matched by address, ignoring case. Pure: text in, roster out.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::TallyError;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    member: Vec<toml::Spanned<MemberFile>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MemberFile {
    name: String,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    apache_id: Option<String>,
}

/// One PMC member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub name: String,
    /// Every address, lower case, the implied `<apache_id>@apache.org` included.
    pub addresses: Vec<String>,
    pub apache_id: Option<String>,
}

/// The roster, with an index from address to member.
#[derive(Debug, Clone, Default)]
pub struct Roster {
    pub path: PathBuf,
    pub members: Vec<Member>,
    by_address: BTreeMap<String, usize>,
}

fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

impl Roster {
    /// Parses a roster file's text; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Roster, TallyError> {
        let bad = |line: Option<usize>, message: String| TallyError::BadRoster {
            path: path.to_path_buf(),
            line,
            message,
        };
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|s| line_of(text, s.start));
            bad(line, e.message().trim().to_string())
        })?;
        if file.member.is_empty() {
            return Err(bad(
                None,
                "it lists no [[member]]; add one table per PMC member with name, emails and apache_id".into(),
            ));
        }
        let mut roster = Roster {
            path: path.to_path_buf(),
            ..Roster::default()
        };
        for spanned in file.member {
            let line = line_of(text, spanned.span().start);
            let m = spanned.into_inner();
            let name = m.name.trim().to_string();
            if name.is_empty() {
                return Err(bad(Some(line), "a [[member]] has an empty `name`".into()));
            }
            let mut addresses = Vec::new();
            for e in &m.emails {
                let e = e.trim().to_lowercase();
                let ok = e
                    .split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !e.contains(' '));
                if !ok {
                    return Err(bad(
                        Some(line),
                        format!("member `{name}`: `{e}` is not an email address"),
                    ));
                }
                addresses.push(e);
            }
            let apache_id = m
                .apache_id
                .map(|id| id.trim().to_lowercase())
                .filter(|id| !id.is_empty());
            if let Some(id) = &apache_id {
                if id.contains(['@', ' ']) {
                    return Err(bad(
                        Some(line),
                        format!("member `{name}`: apache_id `{id}` must be the bare id (without @apache.org)"),
                    ));
                }
                addresses.push(format!("{id}@apache.org"));
            }
            addresses.dedup();
            if addresses.is_empty() {
                return Err(bad(
                    Some(line),
                    format!("member `{name}` has neither `emails` nor `apache_id`, so no message can be matched to them"),
                ));
            }
            let index = roster.members.len();
            for a in &addresses {
                if let Some(&other) = roster.by_address.get(a) {
                    if other != index {
                        return Err(bad(
                            Some(line),
                            format!(
                                "`{a}` is listed for both `{}` and `{name}`; an address belongs to one member",
                                roster.members[other].name
                            ),
                        ));
                    }
                }
                roster.by_address.insert(a.clone(), index);
            }
            roster.members.push(Member {
                name,
                addresses,
                apache_id,
            });
        }
        Ok(roster)
    }

    /// Reads and parses a roster file.
    pub fn load(path: &Path) -> Result<Roster, TallyError> {
        let text = std::fs::read_to_string(path).map_err(|e| TallyError::BadRoster {
            path: path.to_path_buf(),
            line: None,
            message: format!("cannot be read ({e})"),
        })?;
        Roster::parse(&text, path)
    }

    /// The member writing from `address` (any case).
    pub fn member(&self, address: &str) -> Option<(usize, &Member)> {
        let i = *self.by_address.get(&address.trim().to_lowercase())?;
        Some((i, &self.members[i]))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const ROSTER: &str = r#"
[[member]]
name = "Alice Andersen"
emails = ["alice@example.org", "Alice.Andersen@Example.COM"]
apache_id = "alice"

[[member]]
name = "Bilal Chaudhry"
apache_id = "bilal"
"#;

    #[test]
    fn addresses_aliases_and_apache_ids_match_ignoring_case() {
        let r = Roster::parse(ROSTER, Path::new("roster.toml")).unwrap();
        assert_eq!(
            r.member("ALICE@example.org").unwrap().1.name,
            "Alice Andersen"
        );
        assert_eq!(r.member("alice.andersen@example.com").unwrap().0, 0);
        assert_eq!(r.member("alice@apache.org").unwrap().0, 0);
        assert_eq!(r.member("Bilal@Apache.org").unwrap().0, 1);
        assert!(r.member("bilal@example.org").is_none());
    }

    #[test]
    fn malformed_rosters_name_the_file_and_line() {
        let e = Roster::parse(
            "[[member]]\nname = \"A\"\nemail = [\"a@x.org\"]\n",
            Path::new("r.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("r.toml") && e.contains("line 3"), "{e}");
        let e = Roster::parse("[[member]\nname = 1", Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("r.toml line 1"), "{e}");
        let e = Roster::parse("\n\n[[member]]\nname = \"A\"\n", Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 3") && e.contains("neither"), "{e}");
        let e = Roster::parse(
            "[[member]]\nname = \"A\"\nemails = [\"a@x.org\"]\n[[member]]\nname = \"B\"\nemails = [\"A@x.org\"]\n",
            Path::new("r.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("both `A` and `B`") && e.contains("line 4"),
            "{e}"
        );
        let e = Roster::parse("", Path::new("r.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("no [[member]]"), "{e}");
        let e = Roster::parse(
            "[[member]]\nname = \"A\"\nemails = [\"not-an-address\"]\n",
            Path::new("r.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("not an email address"), "{e}");
    }
}
