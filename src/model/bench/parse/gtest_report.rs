//! gtest JSON and XML reports: one `time` per test (1 ms resolution), repeated tests from
//! `--gtest_repeat` or concatenated reports becoming repetitions.

use super::{Format, ParseError, Parsed};
use crate::model::bench::model::Measurement;
use serde_json::Value;

const RESOLUTION: &str = "gtest reports per-test times with 1 ms resolution; tests shorter than about 100 ms are dominated by rounding (prefer the benchmark's own log lines or Google Benchmark JSON)";

fn finish(
    file: &str,
    mut parsed: Parsed,
    zero: usize,
    skipped: usize,
) -> Result<Parsed, ParseError> {
    if parsed.measurements.is_empty() {
        return Err(ParseError::at(
            file,
            None,
            format!("no test with a positive `time` found ({zero} tests took 0 ms, {skipped} were not run); expected a report of benchmark tests"),
        ));
    }
    parsed.warnings.push(format!("{file}: {RESOLUTION}"));
    if zero > 0 {
        parsed.warnings.push(format!(
            "{file}: {zero} tests reported 0 ms (below gtest's resolution) and were left out"
        ));
    }
    Ok(parsed)
}

fn seconds(file: &str, what: &str, text: &str, line: Option<usize>) -> Result<f64, ParseError> {
    text.trim()
        .trim_end_matches('s')
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| {
            ParseError::at(
                file,
                line,
                format!(
                    "test {what} has time `{text}`; expected seconds such as `0.123` or `0.123s`"
                ),
            )
        })
}

/// Parses `--gtest_output=json` (several concatenated reports are repetitions).
pub(crate) fn parse_json(file: &str, text: &str) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed::default();
    let (mut zero, mut skipped) = (0, 0);
    for doc in serde_json::Deserializer::from_str(text).into_iter::<Value>() {
        let doc = doc.map_err(|e| ParseError::json(file, Format::GtestJson, &e))?;
        let reports = match doc {
            Value::Array(a) => a,
            v => vec![v],
        };
        for report in reports {
            let suites = report
                .get("testsuites")
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    ParseError::at(
                        file,
                        None,
                        "expected a gtest JSON report: an object with a `testsuites` array",
                    )
                })?;
            for suite in suites {
                let suite_name = suite.get("name").and_then(Value::as_str).unwrap_or("");
                for test in suite
                    .get("testsuite")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    let name = test.get("name").and_then(Value::as_str).unwrap_or("");
                    let full = format!("{suite_name}.{name}");
                    let status = test.get("status").and_then(Value::as_str).unwrap_or("RUN");
                    let result = test
                        .get("result")
                        .and_then(Value::as_str)
                        .unwrap_or("COMPLETED");
                    if status != "RUN" || result == "SKIPPED" {
                        skipped += 1;
                        continue;
                    }
                    let time = test
                        .get("time")
                        .and_then(Value::as_str)
                        .ok_or_else(|| ParseError::at(file, None, format!("test {full} has no `time` string; expected e.g. \"time\": \"0.123s\"")))?;
                    let v = seconds(file, &full, time, None)?;
                    if v == 0.0 {
                        zero += 1;
                        continue;
                    }
                    if test.get("failures").is_some() {
                        parsed.warnings.push(format!(
                            "{file}: test {full} failed; its time is still compared"
                        ));
                    }
                    parsed
                        .measurements
                        .push(Measurement::duration(full, "time", v));
                }
            }
        }
    }
    finish(file, parsed, zero, skipped)
}

/// Parses `--gtest_output=xml` (several concatenated documents are repetitions).
pub(crate) fn parse_xml(file: &str, text: &str) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed::default();
    let (mut zero, mut skipped) = (0, 0);
    // Concatenated reports: split at each XML declaration, keeping line numbers.
    let mut starts: Vec<usize> = text.match_indices("<?xml").map(|(i, _)| i).collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts.push(text.len());
    for w in starts.windows(2) {
        let chunk = &text[w[0]..w[1]];
        if chunk.trim().is_empty() {
            continue;
        }
        let line_offset = text[..w[0]].lines().count();
        let doc = roxmltree::Document::parse(chunk).map_err(|e| {
            ParseError::at(
                file,
                Some(e.pos().row as usize + line_offset),
                format!("invalid XML ({e}); expected a gtest XML report (`<testsuites><testsuite><testcase time=...>`)"),
            )
        })?;
        if !doc
            .descendants()
            .any(|n| n.has_tag_name("testsuites") || n.has_tag_name("testsuite"))
        {
            return Err(ParseError::at(
                file,
                None,
                "expected a gtest XML report with `<testsuites>`; found other XML",
            ));
        }
        for case in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
            let line = Some(doc.text_pos_at(case.range().start).row as usize + line_offset);
            let class = case.attribute("classname").unwrap_or("");
            let full = format!("{class}.{}", case.attribute("name").unwrap_or(""));
            if case.attribute("status").is_some_and(|s| s != "run")
                || case
                    .attribute("result")
                    .is_some_and(|r| r == "skipped" || r == "suppressed")
            {
                skipped += 1;
                continue;
            }
            let time = case.attribute("time").ok_or_else(|| {
                ParseError::at(
                    file,
                    line,
                    format!(
                        "testcase {full} has no `time` attribute; expected e.g. time=\"0.123\""
                    ),
                )
            })?;
            let v = seconds(file, &full, time, line)?;
            if v == 0.0 {
                zero += 1;
                continue;
            }
            parsed
                .measurements
                .push(Measurement::duration(full, "time", v));
        }
    }
    finish(file, parsed, zero, skipped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_report_with_repetitions() {
        let p = parse_json(
            "r.json",
            include_str!("../../../../tests/fixtures/bench/gtest-report.json"),
        )
        .unwrap();
        let v: Vec<f64> = p
            .measurements
            .iter()
            .filter(|m| m.name == "Bench/Allocator_BENCHMARK_Test.Add/1")
            .map(|m| m.value)
            .collect();
        assert_eq!(v, vec![1.234, 1.301]);
        assert!(p.warnings.iter().any(|w| w.contains("1 ms resolution")));
        assert!(p
            .warnings
            .iter()
            .any(|w| w.contains("1 tests reported 0 ms")));
        assert!(p.measurements.iter().all(|m| !m.name.contains("Disabled")));
    }

    #[test]
    fn xml_report_with_repetitions() {
        let p = parse_xml(
            "r.xml",
            include_str!("../../../../tests/fixtures/bench/gtest-report.xml"),
        )
        .unwrap();
        let v: Vec<f64> = p
            .measurements
            .iter()
            .filter(|m| m.name == "Bench/Allocator_BENCHMARK_Test.Add/1")
            .map(|m| m.value)
            .collect();
        assert_eq!(v, vec![1.234, 1.301]);
        assert!(p.warnings.iter().any(|w| w.contains("1 ms resolution")));
    }

    #[test]
    fn broken_xml_names_the_line() {
        let err = parse_xml("r.xml", "<?xml version=\"1.0\"?>\n<testsuites>\n<testcase name=\"a\" time=\"1\">\n</testsuites>\n").unwrap_err();
        assert_eq!(err.file, "r.xml");
        assert_eq!(err.line, Some(4));
    }

    #[test]
    fn bad_time_is_an_error() {
        let text = r#"{"testsuites":[{"name":"S","testsuite":[{"name":"T","status":"RUN","result":"COMPLETED","time":"fast"}]}]}"#;
        assert!(parse_json("r.json", text)
            .unwrap_err()
            .message
            .contains("`fast`"));
    }
}
