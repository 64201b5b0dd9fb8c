//! Benchmark result parsers: every supported input format, detected from the content or forced
//! with `--input-format`. Parsers are pure: they take the file name (for messages) and its text.

pub mod criterion;
pub mod go;
pub mod google_benchmark;
pub mod gtest_log;
pub mod gtest_report;
pub mod hyperfine;
pub mod pytest;

#[cfg(test)]
mod proptests;

use crate::model::bench::model::{Measurement, ResultFile, SCHEMA_VERSION};
use serde_json::Value;
use std::fmt;
use std::str::FromStr;

/// An input format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Mesos-style gtest text output with free-text timing lines.
    GtestLog,
    /// `--gtest_output=json:`.
    GtestJson,
    /// `--gtest_output=xml:`.
    GtestXml,
    /// `--benchmark_format=json` / `--benchmark_out`.
    GoogleBenchmark,
    /// Criterion's `new/sample.json` (with `benchmark.json` beside it).
    Criterion,
    /// `hyperfine --export-json`.
    Hyperfine,
    /// `go test -bench` text output.
    Go,
    /// `pytest --benchmark-json`.
    Pytest,
    /// A result file written by `bench-compare run` or `merge`.
    Results,
}

impl Format {
    /// All formats, for help texts.
    pub(crate) const ALL: [Format; 9] = [
        Format::GtestLog,
        Format::GtestJson,
        Format::GtestXml,
        Format::GoogleBenchmark,
        Format::Criterion,
        Format::Hyperfine,
        Format::Go,
        Format::Pytest,
        Format::Results,
    ];

    /// The name used by `--input-format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::GtestLog => "gtest-log",
            Format::GtestJson => "gtest-json",
            Format::GtestXml => "gtest-xml",
            Format::GoogleBenchmark => "google-benchmark",
            Format::Criterion => "criterion",
            Format::Hyperfine => "hyperfine",
            Format::Go => "go",
            Format::Pytest => "pytest-benchmark",
            Format::Results => "results",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Format::GtestLog => "a gtest text log with `[ RUN      ]` lines",
            Format::GtestJson => "a gtest JSON report (an object with `testsuites`)",
            Format::GtestXml => "a gtest XML report (`<testsuites>`)",
            Format::GoogleBenchmark => {
                "Google Benchmark JSON (an object with `context` and `benchmarks`)"
            }
            Format::Criterion => "Criterion's new/sample.json (an object with `iters` and `times`)",
            Format::Hyperfine => {
                "hyperfine --export-json output (an object with `results[].times`)"
            }
            Format::Go => "`go test -bench` output (`BenchmarkX-8  1000  123 ns/op` lines)",
            Format::Pytest => {
                "pytest-benchmark JSON (an object with `machine_info` and `benchmarks[].stats`)"
            }
            Format::Results => "a bench-compare result file (an object with `schema` and `rounds`)",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name() == s)
            .ok_or_else(|| {
                format!(
                    "unknown input format `{s}`; use one of {}",
                    Format::ALL
                        .iter()
                        .map(|f| f.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }
}

/// A parse failure: the file, the line when known, and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ParseError {
    /// File name as given by the user.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// What went wrong and what was expected.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl ParseError {
    /// An error at a line.
    pub fn at(file: &str, line: Option<usize>, message: impl Into<String>) -> Self {
        ParseError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }

    fn json(file: &str, format: Format, err: &serde_json::Error) -> Self {
        ParseError::at(
            file,
            Some(err.line()),
            format!("invalid JSON ({err}); expected {}", format.describe()),
        )
    }
}

/// A line that looked like a timing but could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unparsed {
    /// 1-based line number.
    pub line: usize,
    /// The line.
    pub text: String,
}

/// What a parser produced.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Parsed {
    /// Every measurement, in file order.
    pub measurements: Vec<Measurement>,
    /// Things the user should know (resolution, skipped rows).
    pub warnings: Vec<String>,
    /// Timing-looking lines that did not parse.
    pub unparsed: Vec<Unparsed>,
    /// The full result file, when the input was one (keeps the pairing of rounds).
    pub results: Option<ResultFile>,
}

/// One input file.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    /// Name for messages.
    pub name: &'a str,
    /// Content.
    pub text: &'a str,
    /// For Criterion: the text of `benchmark.json` beside `sample.json`, when found.
    pub criterion_benchmark: Option<&'a str>,
}

impl<'a> Source<'a> {
    /// A plain source.
    pub fn new(name: &'a str, text: &'a str) -> Self {
        Source {
            name,
            text,
            criterion_benchmark: None,
        }
    }
}

/// Guesses the format from the content.
pub fn detect(text: &str) -> Option<Format> {
    let t = text.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('<') {
        return (t.contains("<testsuites") || t.contains("<testsuite")).then_some(Format::GtestXml);
    }
    if t.starts_with('{') || t.starts_with('[') {
        if let Some(Ok(first)) = serde_json::Deserializer::from_str(t)
            .into_iter::<Value>()
            .next()
        {
            return detect_json(&first);
        }
    }
    if gtest_log::looks_like(t) {
        return Some(Format::GtestLog);
    }
    if go::looks_like(t) {
        return Some(Format::Go);
    }
    None
}

fn detect_json(first: &Value) -> Option<Format> {
    let obj = match first {
        Value::Array(a) => a.first()?.as_object()?,
        Value::Object(o) => o,
        _ => return None,
    };
    let has = |k: &str| obj.contains_key(k);
    if has("schema") && has("rounds") {
        Some(Format::Results)
    } else if has("benchmarks") && has("context") {
        Some(Format::GoogleBenchmark)
    } else if has("benchmarks")
        && (has("machine_info") || first.pointer("/benchmarks/0/stats").is_some())
    {
        Some(Format::Pytest)
    } else if has("results") {
        Some(Format::Hyperfine)
    } else if has("testsuites") {
        Some(Format::GtestJson)
    } else if has("iters") && has("times") {
        Some(Format::Criterion)
    } else {
        None
    }
}

/// Parses one input, detecting its format unless `format` is given.
pub fn parse(source: Source<'_>, format: Option<Format>) -> Result<Parsed, ParseError> {
    let name = source.name;
    if source.text.trim().is_empty() {
        return Err(ParseError::at(
            name,
            None,
            "file is empty; expected benchmark output (did the benchmark run and write its results?)",
        ));
    }
    let detected = detect(source.text);
    let format = match (format, detected) {
        (Some(f), _) => f,
        (None, Some(f)) => f,
        (None, None) => {
            return Err(ParseError::at(
                name,
                None,
                format!(
                    "cannot tell the format of this file; expected one of: {}. Pass `--input-format` if it is one of them",
                    Format::ALL.iter().map(|f| f.describe()).collect::<Vec<_>>().join("; ")
                ),
            ))
        }
    };
    let result = match format {
        Format::GtestLog => gtest_log::parse(name, source.text),
        Format::GtestJson => gtest_report::parse_json(name, source.text),
        Format::GtestXml => gtest_report::parse_xml(name, source.text),
        Format::GoogleBenchmark => google_benchmark::parse(name, source.text),
        Format::Criterion => criterion::parse(name, source.text, source.criterion_benchmark),
        Format::Hyperfine => hyperfine::parse(name, source.text),
        Format::Go => go::parse(name, source.text),
        Format::Pytest => pytest::parse(name, source.text),
        Format::Results => parse_results(name, source.text),
    };
    // When a forced format fails on a file that is clearly something else, say so.
    result.map_err(|mut e| {
        if let Some(d) = detected.filter(|d| *d != format) {
            e.message = format!(
                "{}; this file looks like {} — use `--input-format {}` or drop `--input-format`",
                e.message,
                d.describe(),
                d.name()
            );
        }
        e
    })
}

fn parse_results(name: &str, text: &str) -> Result<Parsed, ParseError> {
    let probe: Value =
        serde_json::from_str(text).map_err(|e| ParseError::json(name, Format::Results, &e))?;
    if let Some(v) = probe.get("schema").and_then(Value::as_u64) {
        if v != u64::from(SCHEMA_VERSION) {
            return Err(ParseError::at(
                name,
                None,
                format!("result file schema {v} is not supported (this build reads schema {SCHEMA_VERSION}); re-create it with this version of bench-compare"),
            ));
        }
    }
    let file: ResultFile =
        serde_json::from_str(text).map_err(|e| ParseError::json(name, Format::Results, &e))?;
    let measurements = file
        .rounds
        .iter()
        .flat_map(|r| r.measurements.iter().cloned())
        .collect();
    Ok(Parsed {
        measurements,
        warnings: file.environment_warnings(),
        unparsed: Vec::new(),
        results: Some(file),
    })
}

/// Converts a value in a stout (or Google Benchmark) duration unit to seconds; sub-second units
/// divide so that `16.1ms` is exactly the double nearest 0.0161.
pub(crate) fn to_seconds(value: f64, unit: &str) -> Option<f64> {
    Some(match unit {
        "ns" => value / 1e9,
        "us" | "µs" => value / 1e6,
        "ms" => value / 1e3,
        "s" | "secs" => value,
        "mins" => value * 60.0,
        "hrs" => value * 3600.0,
        "days" => value * 86_400.0,
        "weeks" => value * 604_800.0,
        _ => return None,
    })
}

/// Reads a JSON number or numeric string as f64.
fn json_f64(v: &Value) -> Option<f64> {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/bench/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn every_fixture_is_detected_by_content() {
        for (file, format) in [
            ("mesos-allocator.log", Format::GtestLog),
            ("gtest-report.json", Format::GtestJson),
            ("gtest-report.xml", Format::GtestXml),
            ("google-benchmark.json", Format::GoogleBenchmark),
            ("criterion/sample.json", Format::Criterion),
            ("hyperfine.json", Format::Hyperfine),
            ("go-bench.txt", Format::Go),
            ("pytest-benchmark.json", Format::Pytest),
        ] {
            assert_eq!(detect(&fixture(file)), Some(format), "{file}");
        }
    }

    #[test]
    fn gtest_log_starting_with_a_bracket_is_not_mistaken_for_json() {
        assert_eq!(
            detect("[ RUN      ] A.B\nTook 1.5ms to x\n"),
            Some(Format::GtestLog)
        );
    }

    #[test]
    fn empty_file_is_an_error_naming_the_file() {
        let err = parse(Source::new("base.log", "  \n"), None).unwrap_err();
        assert_eq!(err.file, "base.log");
        assert!(err.message.contains("file is empty"));
    }

    #[test]
    fn unknown_content_lists_the_expected_formats() {
        let err = parse(Source::new("x.txt", "hello world\n"), None).unwrap_err();
        assert!(err.to_string().contains("--input-format"), "{err}");
        assert!(err.to_string().contains("Google Benchmark JSON"), "{err}");
    }

    #[test]
    fn forced_format_that_does_not_match_says_what_the_file_looks_like() {
        let text = fixture("mesos-allocator.log");
        let err = parse(
            Source::new("bench.log", &text),
            Some(Format::GoogleBenchmark),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("bench.log:"), "{msg}");
        assert!(msg.contains("expected Google Benchmark JSON"), "{msg}");
        assert!(msg.contains("--input-format gtest-log"), "{msg}");
    }

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert!("csv".parse::<Format>().unwrap_err().contains("gtest-log"));
    }

    #[test]
    fn results_file_keeps_rounds_and_checks_schema() {
        let text = r#"{"schema":1,"environments":[],"rounds":[{"pair":0,"block":0,"side":"base","order":0,
            "measurements":[{"name":"A","metric":"t","unit":"s","direction":"lower-is-better","value":1.0}]}]}"#;
        let p = parse(Source::new("r.json", text), None).unwrap();
        assert_eq!(p.measurements.len(), 1);
        assert!(p.results.is_some());
        let err = parse(
            Source::new("r.json", &text.replace("\"schema\":1", "\"schema\":7")),
            None,
        )
        .unwrap_err();
        assert!(err.message.contains("schema 7"));
    }
}
