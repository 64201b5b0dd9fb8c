//! Synthetic Mesos-style CHANGELOGs of any length, for the parser's tests and the benchmark.
//! Deterministic: the same spec gives the same text.

use crate::model::version::Version;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Spec {
    /// At least this many lines.
    pub lines: usize,
    /// The JIRA project key.
    pub project: String,
    /// The name in the headings.
    pub display_name: String,
    /// Mark the newest section "(WIP)".
    pub wip_newest: bool,
}

impl Spec {
    /// A Mesos CHANGELOG of at least `lines` lines.
    pub fn lines(lines: usize) -> Spec {
        Spec {
            lines,
            project: "MESOS".into(),
            display_name: "Mesos".into(),
            wip_newest: false,
        }
    }
}

/// The newest version [`generate`] writes for a spec.
pub fn newest(spec: &Spec) -> Version {
    plan(spec)
        .last()
        .map(|(v, _)| *v)
        .unwrap_or(Version::new(0, 1, 0))
}

/// Generates the CHANGELOG text, newest section first.
pub fn generate(spec: &Spec) -> String {
    let sections = plan(spec);
    let count = sections.len();
    let mut out = String::new();
    for (i, (version, body)) in sections.into_iter().rev().enumerate() {
        if i > 0 {
            out.push_str("\n\n");
        }
        let wip = if i == 0 && spec.wip_newest {
            " (WIP)"
        } else {
            ""
        };
        out.push_str(&format!(
            "Release Notes - {} - Version {version}{wip}\n",
            spec.display_name
        ));
        // The dash count varies, as it does in the real file.
        out.push_str(&"-".repeat(37 + (i + count) % 7));
        out.push('\n');
        out.push_str(&body);
    }
    out
}

/// The sections, oldest first, as (version, body lines after the underline).
fn plan(spec: &Spec) -> Vec<(Version, String)> {
    let mut sections = Vec::new();
    let mut lines = 0;
    let mut key = 100u64;
    let next_key = |n: &mut u64| {
        *n += 7;
        *n
    };
    let p = &spec.project;
    let mut minor = 0;
    while lines < spec.lines {
        for patch in 0..4u64 {
            let version = Version::new(1, minor, patch);
            let mut b = String::new();
            if patch == 0 {
                b.push_str("This release contains the following highlights:\n\n");
                for i in 0..4 {
                    let k = next_key(&mut key);
                    b.push_str(&format!(
                        "  * Feature number {i} of {version} is described here over two\n    lines of text ({p}-{k}).\n\n"
                    ));
                }
                b.push_str("Additional API Changes:\n\n");
                b.push_str("  * **Breaking change** Some API changed.\n\n");
                b.push_str("Unresolved Critical Issues:\n");
                for _ in 0..5 {
                    let k = next_key(&mut key);
                    b.push_str(&format!(
                        "  * [{p}-{k}] - An unresolved critical problem.\n"
                    ));
                }
                b.push_str("\nAll Resolved Issues:\n\n");
                for (group, n) in [("Bug", 60), ("Improvement", 30), ("Task", 15)] {
                    b.push_str(&format!("** {group}\n"));
                    for j in 0..n {
                        let k = next_key(&mut key);
                        b.push_str(&format!(
                            "    * [{p}-{k}] - {group} {j}: something about `Component::method()` was fixed.\n"
                        ));
                    }
                    b.push('\n');
                }
            } else {
                b.push_str("* This is a bug fix release.\n\n** Bug\n");
                for j in 0..12 {
                    let k = next_key(&mut key);
                    b.push_str(&format!("  * [{p}-{k}] - Bug {j} in the patch release.\n"));
                }
            }
            let b = b.trim_end().to_string() + "\n";
            lines += b.lines().count() + 4;
            sections.push((version, b));
        }
        minor += 1;
    }
    sections
}
