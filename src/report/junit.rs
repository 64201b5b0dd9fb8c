//! JUnit XML reports (one testcase per check), in the form Jenkins's `junit` step reads.

use std::fmt::Write as _;

use crate::report::{Report, Status};

/// Escapes text for XML and drops characters XML 1.0 cannot carry.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The report as a JUnit `<testsuites>` document.
pub fn to_junit(report: &Report) -> String {
    let tests = report.checks.len();
    let failures = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Fail)
        .count();
    let skipped = report
        .checks
        .iter()
        .filter(|c| c.status == Status::Skip)
        .count();
    let suite = xml_escape(&report.tool);
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        x,
        "<testsuites name=\"release-kit\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        x,
        "  <testsuite name=\"{suite}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" time=\"0\">"
    );
    let _ = writeln!(
        x,
        "    <properties><property name=\"subject\" value=\"{}\"/></properties>",
        xml_escape(&report.subject)
    );
    for check in &report.checks {
        let _ = write!(
            x,
            "    <testcase classname=\"release-kit.{suite}\" name=\"{}\" time=\"0\"",
            xml_escape(&check.id)
        );
        let details: String = check
            .findings
            .iter()
            .map(|f| match &f.location {
                Some(l) => format!("{l}: {}\n", f.message),
                None => format!("{}\n", f.message),
            })
            .collect();
        match check.status {
            Status::Pass | Status::Warn if details.is_empty() => x.push_str("/>\n"),
            Status::Pass | Status::Warn => {
                let _ = writeln!(
                    x,
                    ">\n      <system-out>{}</system-out>\n    </testcase>",
                    xml_escape(&details)
                );
            }
            Status::Fail => {
                let _ = writeln!(
                    x,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    xml_escape(&check.summary),
                    xml_escape(&check.id),
                    xml_escape(&details)
                );
            }
            Status::Skip => {
                let _ = writeln!(
                    x,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    xml_escape(&check.summary)
                );
            }
        }
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
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
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(xml_escape("a\u{1}b\u{1b}[31mc\n"), "ab[31mc\n");
    }
}
