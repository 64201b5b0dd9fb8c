//! Mirrored protobuf definitions, pure: parse a `.proto` file (with `protox-parse`, a real
//! parser) into its declarations (messages, fields, enums, enum values, each with its line) and
//! compare two files' declarations after the configured renames.

use std::collections::BTreeMap;

use prost_types::{DescriptorProto, EnumDescriptorProto, FileDescriptorProto};

/// One declaration: a message, a field, an enum or an enum value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decl {
    /// What it is: `message`, `field`, `enum`, `enum value`.
    pub kind: &'static str,
    /// Its name as written, qualified by its parents (`Offer.Operation.type`).
    pub name: String,
    /// What must agree (number, label and type of a field; number of a value), renamed.
    pub shape: String,
    pub line: usize,
}

/// A file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtoError {
    pub line: usize,
    pub message: String,
}

/// Applies the renames, in order.
pub fn rename(name: &str, renames: &[(String, String)]) -> String {
    renames
        .iter()
        .fold(name.to_string(), |n, (from, to)| n.replace(from, to))
}

fn line_of(source: &str, offset: usize) -> usize {
    source.as_bytes()[..offset.min(source.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

/// The declarations of a file, keyed by renamed qualified name.
pub fn declarations(
    file: &str,
    source: &str,
    renames: &[(String, String)],
) -> Result<BTreeMap<String, Decl>, ProtoError> {
    let parsed = protox_parse::parse(file, source).map_err(|e| ProtoError {
        line: e
            .span()
            .map(|s| line_of(source, s.start))
            .unwrap_or_else(|| source.lines().count().max(1)),
        message: e.to_string(),
    })?;
    let lines = Lines::of(&parsed);
    let package = rename(parsed.package(), renames);
    let mut out = BTreeMap::new();
    let mut walk = Walk {
        lines: &lines,
        renames,
        package: &package,
        out: &mut out,
    };
    for (i, m) in parsed.message_type.iter().enumerate() {
        walk.message(m, "", vec![4, i as i32]);
    }
    for (i, e) in parsed.enum_type.iter().enumerate() {
        walk.enumeration(e, "", vec![5, i as i32]);
    }
    Ok(out)
}

/// Source lines by descriptor path (0-based lines in the descriptor; 1-based here).
struct Lines(BTreeMap<Vec<i32>, usize>);

impl Lines {
    fn of(file: &FileDescriptorProto) -> Self {
        let mut map = BTreeMap::new();
        if let Some(info) = &file.source_code_info {
            for l in &info.location {
                if let Some(line) = l.span.first() {
                    map.entry(l.path.clone()).or_insert(*line as usize + 1);
                }
            }
        }
        Lines(map)
    }

    fn get(&self, path: &[i32]) -> usize {
        self.0.get(path).copied().unwrap_or(0)
    }
}

struct Walk<'a> {
    lines: &'a Lines,
    renames: &'a [(String, String)],
    package: &'a str,
    out: &'a mut BTreeMap<String, Decl>,
}

impl Walk<'_> {
    fn add(&mut self, kind: &'static str, name: String, shape: String, path: &[i32]) {
        let key = format!("{kind} {}", rename(&name, self.renames));
        self.out.insert(
            key,
            Decl {
                kind,
                name,
                shape,
                line: self.lines.get(path),
            },
        );
    }

    /// A type as written, renamed, without a leading dot or the file's own package.
    fn type_name(&self, written: &str) -> String {
        let t = rename(written.trim_start_matches('.'), self.renames);
        match t
            .strip_prefix(self.package)
            .and_then(|r| r.strip_prefix('.'))
        {
            Some(rest) if !self.package.is_empty() => rest.to_string(),
            _ => t,
        }
    }

    fn message(&mut self, m: &DescriptorProto, parent: &str, path: Vec<i32>) {
        let name = qualified(parent, m.name());
        self.add("message", name.clone(), String::new(), &path);
        for (i, f) in m.field.iter().enumerate() {
            let ty = if f.type_name.is_some() {
                self.type_name(f.type_name())
            } else {
                f.r#type()
                    .as_str_name()
                    .trim_start_matches("TYPE_")
                    .to_lowercase()
            };
            let label = f
                .label
                .map(|_| {
                    f.label()
                        .as_str_name()
                        .trim_start_matches("LABEL_")
                        .to_lowercase()
                })
                .unwrap_or_default();
            let shape = format!("{label} {ty} = {}", f.number()).trim().to_string();
            let mut p = path.clone();
            p.extend([2, i as i32]);
            self.add("field", qualified(&name, f.name()), shape, &p);
        }
        for (i, n) in m.nested_type.iter().enumerate() {
            // Map entries are synthesised from `map<K, V>` fields; the field says it all.
            if n.options.as_ref().is_some_and(|o| o.map_entry()) {
                continue;
            }
            let mut p = path.clone();
            p.extend([3, i as i32]);
            self.message(n, &name, p);
        }
        for (i, e) in m.enum_type.iter().enumerate() {
            let mut p = path.clone();
            p.extend([4, i as i32]);
            self.enumeration(e, &name, p);
        }
    }

    fn enumeration(&mut self, e: &EnumDescriptorProto, parent: &str, path: Vec<i32>) {
        let name = qualified(parent, e.name());
        self.add("enum", name.clone(), String::new(), &path);
        for (i, v) in e.value.iter().enumerate() {
            let mut p = path.clone();
            p.extend([2, i as i32]);
            self.add(
                "enum value",
                qualified(&name, v.name()),
                format!("= {}", v.number()),
                &p,
            );
        }
    }
}

fn qualified(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    }
}

/// One difference between the two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// Declared on the left only (line on the left).
    LeftOnly(Decl),
    /// Declared on the right only (line on the right).
    RightOnly(Decl),
    /// Declared on both sides with different shapes.
    Differs { left: Decl, right: Decl },
}

/// Compares two files' declarations. A member of a declaration missing on one side is not
/// reported again (the missing message says it all).
pub fn compare(left: &BTreeMap<String, Decl>, right: &BTreeMap<String, Decl>) -> Vec<Difference> {
    let mut out = Vec::new();
    let missing_parent = |key: &str, other: &BTreeMap<String, Decl>| {
        let (_, name) = key.split_once(' ').unwrap_or(("", key));
        let name = name.trim_start_matches("value ");
        let mut parent = name;
        while let Some((p, _)) = parent.rsplit_once('.') {
            parent = p;
            if !other.contains_key(&format!("message {p}"))
                && !other.contains_key(&format!("enum {p}"))
            {
                return true;
            }
        }
        false
    };
    for (key, l) in left {
        match right.get(key) {
            None if missing_parent(key, right) => {}
            None => out.push(Difference::LeftOnly(l.clone())),
            Some(r) if r.shape != l.shape => out.push(Difference::Differs {
                left: l.clone(),
                right: r.clone(),
            }),
            Some(_) => {}
        }
    }
    for (key, r) in right {
        if !left.contains_key(key) && !missing_parent(key, left) {
            out.push(Difference::RightOnly(r.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renames() -> Vec<(String, String)> {
        vec![
            ("mesos.v1".into(), "mesos".into()),
            ("Slave".into(), "Agent".into()),
            ("slave".into(), "agent".into()),
        ]
    }

    const LEFT: &str = r#"syntax = "proto2";
package mesos;

message SlaveID {
  required string value = 1;
}

message Offer {
  required SlaveID slave_id = 1;
  optional string hostname = 2;
  enum Type {
    LAUNCH = 1;
    RESERVE = 2;
  }
  message Old {
    optional int32 x = 1;
  }
}
"#;

    const RIGHT: &str = r#"syntax = "proto2";
package mesos.v1;

message AgentID {
  required string value = 1;
}

message Offer {
  required AgentID agent_id = 1;
  optional bytes hostname = 2;
  enum Type {
    LAUNCH = 1;
    RESERVE = 3;
    UNRESERVE = 4;
  }
}
"#;

    #[test]
    fn renamed_declarations_agree_and_real_differences_are_found_with_lines() {
        let l = declarations("mesos.proto", LEFT, &renames()).unwrap();
        let r = declarations("v1/mesos.proto", RIGHT, &renames()).unwrap();
        let diffs = compare(&l, &r);
        let text: Vec<String> = diffs
            .iter()
            .map(|d| match d {
                Difference::LeftOnly(d) => format!("left {} {} :{}", d.kind, d.name, d.line),
                Difference::RightOnly(d) => format!("right {} {} :{}", d.kind, d.name, d.line),
                Difference::Differs { left, right } => format!(
                    "differs {} `{}`:{} `{}`:{}",
                    left.name, left.shape, left.line, right.shape, right.line
                ),
            })
            .collect();
        assert_eq!(
            text,
            [
                "differs Offer.Type.RESERVE `= 2`:13 `= 3`:13",
                "differs Offer.hostname `optional string = 2`:10 `optional bytes = 2`:10",
                "left message Offer.Old :15",
                "right enum value Offer.Type.UNRESERVE :14",
            ]
        );
    }

    #[test]
    fn a_file_that_does_not_parse_is_reported_with_its_line() {
        let bad = "syntax = \"proto2\";\npackage x;\n\nmessage A {\n  optional string = 1;\n}\n";
        let e = declarations("bad.proto", bad, &[]).unwrap_err();
        assert_eq!(e.line, 5, "{e:?}");
        assert!(!e.message.is_empty());
    }
}
