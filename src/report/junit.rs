//! JUnit XML, in the form Jenkins's `junit` step reads, written by one renderer for every tool:
//! a [`Suite`] of test cases. A check report is one test case per check ([`to_junit`]); other
//! results (bench-compare's rows) map onto a [`Suite`] themselves.

use std::fmt::Write as _;

use crate::report::{xml_escape, Report, Status};

/// One tool's run: a `<testsuite>` inside `<testsuites name="release-kit">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suite {
    /// The tool, e.g. `bump-version`.
    pub name: String,
    /// `<properties>`, e.g. what was checked.
    pub properties: Vec<(String, String)>,
    pub cases: Vec<Case>,
}

/// One `<testcase>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    pub classname: String,
    pub name: String,
    pub outcome: Outcome,
    /// Details of the case (`<system-out>`).
    pub system_out: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    /// `<failure message="..." type="...">text</failure>`.
    Failed {
        message: String,
        kind: Option<String>,
        text: String,
    },
    /// `<skipped message="..."/>`.
    Skipped {
        message: String,
    },
}

impl Suite {
    /// The suite as a JUnit `<testsuites>` document.
    pub(crate) fn to_xml(&self) -> String {
        let tests = self.cases.len();
        let count = |f: fn(&Outcome) -> bool| self.cases.iter().filter(|c| f(&c.outcome)).count();
        let failures = count(|o| matches!(o, Outcome::Failed { .. }));
        let skipped = count(|o| matches!(o, Outcome::Skipped { .. }));
        let mut x = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let _ = writeln!(
            x,
            "<testsuites name=\"release-kit\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
        );
        let _ = writeln!(
            x,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">",
            xml_escape(&self.name)
        );
        if !self.properties.is_empty() {
            x.push_str("    <properties>");
            for (name, value) in &self.properties {
                let _ = write!(
                    x,
                    "<property name=\"{}\" value=\"{}\"/>",
                    xml_escape(name),
                    xml_escape(value)
                );
            }
            x.push_str("</properties>\n");
        }
        for case in &self.cases {
            case.write_xml(&mut x);
        }
        x.push_str("  </testsuite>\n</testsuites>\n");
        x
    }
}

impl Case {
    fn write_xml(&self, x: &mut String) {
        let _ = write!(
            x,
            "    <testcase classname=\"{}\" name=\"{}\" time=\"0\"",
            xml_escape(&self.classname),
            xml_escape(&self.name)
        );
        if self.outcome == Outcome::Passed && self.system_out.is_none() {
            x.push_str("/>\n");
            return;
        }
        x.push_str(">\n");
        match &self.outcome {
            Outcome::Passed => {}
            Outcome::Failed {
                message,
                kind,
                text,
            } => {
                let _ = write!(x, "      <failure message=\"{}\"", xml_escape(message));
                if let Some(kind) = kind {
                    let _ = write!(x, " type=\"{}\"", xml_escape(kind));
                }
                let _ = writeln!(x, ">{}</failure>", xml_escape(text));
            }
            Outcome::Skipped { message } => {
                let _ = writeln!(x, "      <skipped message=\"{}\"/>", xml_escape(message));
            }
        }
        if let Some(out) = &self.system_out {
            let _ = writeln!(x, "      <system-out>{}</system-out>", xml_escape(out));
        }
        x.push_str("    </testcase>\n");
    }
}

/// One test case per check: a failed check fails with its summary and findings, a skipped one is
/// skipped, and the findings of the others are their output.
impl From<&Report> for Suite {
    fn from(report: &Report) -> Suite {
        let cases = report
            .checks
            .iter()
            .map(|check| {
                let details: String = check
                    .findings
                    .iter()
                    .map(|f| match &f.location {
                        Some(l) => format!("{l}: {}\n", f.message),
                        None => format!("{}\n", f.message),
                    })
                    .collect();
                let (outcome, system_out) = match check.status {
                    Status::Pass | Status::Warn => {
                        (Outcome::Passed, Some(details).filter(|d| !d.is_empty()))
                    }
                    Status::Fail => (
                        Outcome::Failed {
                            message: check.summary.clone(),
                            kind: Some(check.id.clone()),
                            text: details,
                        },
                        None,
                    ),
                    Status::Skip => (
                        Outcome::Skipped {
                            message: check.summary.clone(),
                        },
                        None,
                    ),
                };
                Case {
                    classname: format!("release-kit.{}", report.tool),
                    name: check.id.clone(),
                    outcome,
                    system_out,
                }
            })
            .collect();
        Suite {
            name: report.tool.clone(),
            properties: vec![("subject".into(), report.subject.clone())],
            cases,
        }
    }
}

/// The report as a JUnit `<testsuites>` document.
pub fn to_junit(report: &Report) -> String {
    Suite::from(report).to_xml()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Check, Finding, Location};

    #[test]
    fn one_testcase_per_check_with_failures_and_skips() {
        let mut r = Report::new("bump-version", "hello <1.1.0>");
        r.push(Check::new("a", "a"));
        let mut c = Check::new("b", "b").with_summary("sites disagree");
        c.push(Finding::error(
            "x & y",
            Some(Location::new("configure.ac", Some(3))),
        ));
        r.push(c);
        r.push(Check::new("c", "c").skipped("no tag"));
        let x = to_junit(&r);
        assert!(
            x.contains(r#"tests="3" failures="1" errors="0" skipped="1""#),
            "{x}"
        );
        assert!(
            x.contains(r#"<testcase classname="release-kit.bump-version" name="a" time="0"/>"#),
            "{x}"
        );
        assert!(
            x.contains(r#"<failure message="sites disagree" type="b">configure.ac:3: x &amp; y"#),
            "{x}"
        );
        assert!(x.contains(r#"<skipped message="no tag"/>"#), "{x}");
        assert!(x.contains("hello &lt;1.1.0&gt;"));
        roxmltree::Document::parse(&x).unwrap();
    }

    #[test]
    fn a_case_without_a_type_or_properties_is_still_well_formed() {
        let suite = Suite {
            name: "bench-compare".into(),
            properties: Vec::new(),
            cases: vec![
                Case {
                    classname: "A.\u{1b}b".into(),
                    name: "time".into(),
                    outcome: Outcome::Failed {
                        message: "regression".into(),
                        kind: None,
                        text: "1 s -> 2 s".into(),
                    },
                    system_out: None,
                },
                Case {
                    classname: "C".into(),
                    name: "time".into(),
                    outcome: Outcome::Passed,
                    system_out: Some("1 s -> 1 s".into()),
                },
            ],
        };
        let x = suite.to_xml();
        assert!(
            x.contains(r#"<failure message="regression">1 s -&gt; 2 s</failure>"#),
            "{x}"
        );
        assert!(x.contains("<system-out>1 s -&gt; 1 s</system-out>"), "{x}");
        assert!(!x.contains("<properties>"), "{x}");
        let doc = roxmltree::Document::parse(&x).unwrap();
        assert_eq!(doc.root_element().attribute("failures"), Some("1"));
        assert!(x.contains(r#"classname="A.b""#), "{x}");
    }
}
