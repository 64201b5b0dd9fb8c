//! Property tests of every benchmark input parser: arbitrary and mutated input never panics,
//! never hangs and yields output bounded by the input; a NaN, negative or infinite timing
//! is refused (an error, a line listed as unparsed, or the analysis's `BadValue`), never compared.

use super::{parse, Format, Source};
use crate::model::bench::analysis::{compare, AnalysisError, Options};
use crate::model::bench::model::{SampleSet, Side};
use proptest::prelude::*;
use std::time::{Duration, Instant};

/// The random inputs (at most a few KB) must parse or fail within this, even in a debug build
/// on a loaded machine: a hang is minutes.
const LIMIT: Duration = Duration::from_secs(5);

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/bench/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_default()
}

/// Parses `text` forced to `format` (and detected), checking time and output size.
fn parse_bounded(text: &str, format: Option<Format>, companion: Option<&str>) {
    parse_within(text, format, companion, LIMIT);
}

fn parse_within(text: &str, format: Option<Format>, companion: Option<&str>, limit: Duration) {
    let started = Instant::now();
    let source = Source {
        name: "input",
        text,
        criterion_benchmark: companion,
    };
    let result = parse(source, format);
    let took = started.elapsed();
    assert!(
        took < limit,
        "{format:?} took {took:?} on {} bytes",
        text.len()
    );
    if let Ok(p) = result {
        let budget = text.len() + companion.map_or(0, str::len) + 1;
        assert!(
            p.measurements.len() <= budget,
            "{format:?}: {} measurements from {budget} bytes",
            p.measurements.len()
        );
        assert!(p.unparsed.len() <= text.lines().count());
    }
}

/// Tokens each format is made of, so that random input reaches deep into the parsers.
const TOKENS: &[&str] = &[
    "[ RUN      ] A.B\n",
    "[       OK ] A.B (1 ms)\n",
    "[  FAILED  ] A.B\n",
    "Took ",
    " ms",
    "ns",
    "us",
    "µs",
    "secs",
    " rpcs/s",
    "nan",
    "inf",
    "-",
    "1.5",
    "0",
    "1e308",
    "1e999",
    " agents in ",
    "\n",
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    "\"",
    "\"results\"",
    "\"times\"",
    "\"command\"",
    "\"benchmarks\"",
    "\"context\"",
    "\"name\"",
    "\"real_time\"",
    "\"time_unit\"",
    "\"iters\"",
    "\"stats\"",
    "\"data\"",
    "\"machine_info\"",
    "\"testsuites\"",
    "\"testsuite\"",
    "\"time\"",
    "\"schema\"",
    "\"rounds\"",
    "<testsuites>",
    "<testsuite name=\"S\">",
    "<testcase name=\"t\" time=\"",
    "\"/>",
    "</testsuite>",
    "BenchmarkX-8 ",
    " 1000 ",
    " ns/op",
    " B/op",
    "\t",
    "\r",
    "\u{feff}",
];

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..300).prop_map(|t| t.concat())
}

/// A fixture with a few random byte ranges deleted, duplicated or replaced.
fn mutated(text: String) -> impl Strategy<Value = String> {
    let len = text.len().max(1);
    prop::collection::vec((0..len, 0..len, any::<u8>(), 0u8..3), 1..6).prop_map(move |edits| {
        let mut bytes = text.clone().into_bytes();
        for (a, b, byte, kind) in edits {
            let (a, b) = (a.min(bytes.len()), b.min(bytes.len()));
            let (lo, hi) = (a.min(b), a.max(b));
            match kind {
                0 => {
                    bytes.drain(lo..hi);
                }
                1 => {
                    let copy = bytes[lo..hi.min(lo + 256)].to_vec();
                    bytes.splice(lo..lo, copy);
                }
                _ => {
                    if lo < bytes.len() {
                        bytes[lo] = byte;
                    }
                }
            }
        }
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

const FIXTURES: [(&str, Format); 8] = [
    ("mesos-allocator.log", Format::GtestLog),
    ("gtest-report.json", Format::GtestJson),
    ("gtest-report.xml", Format::GtestXml),
    ("google-benchmark.json", Format::GoogleBenchmark),
    ("criterion/sample.json", Format::Criterion),
    ("hyperfine.json", Format::Hyperfine),
    ("go-bench.txt", Format::Go),
    ("pytest-benchmark.json", Format::Pytest),
];

/// A document of `format` with one timing slot holding `v`, and a good timing beside it.
fn with_timing(format: Format, v: &str) -> String {
    match format {
        Format::GtestLog => format!(
            "[ RUN      ] A.B\nTook 1.5ms to warm up\nTook {v}ms to add agents\n[       OK ] A.B (3 ms)\n"
        ),
        Format::GtestJson => format!(
            r#"{{"testsuites":[{{"name":"S","testsuite":[{{"name":"a","status":"RUN","result":"COMPLETED","time":"0.5s"}},{{"name":"t","status":"RUN","result":"COMPLETED","time":"{v}s"}}]}}]}}"#
        ),
        Format::GtestXml => format!(
            r#"<testsuites><testsuite name="S"><testcase name="a" status="run" result="completed" time="0.5"/><testcase name="t" status="run" result="completed" time="{v}"/></testsuite></testsuites>"#
        ),
        Format::GoogleBenchmark => format!(
            r#"{{"context":{{}},"benchmarks":[{{"name":"BM_A","run_type":"iteration","iterations":10,"real_time":{v},"cpu_time":10,"time_unit":"ns"}}]}}"#
        ),
        Format::Criterion => {
            format!(r#"{{"sampling_mode":"Linear","iters":[1.0,2.0],"times":[100.0,{v}]}}"#)
        }
        Format::Hyperfine => {
            format!(r#"{{"results":[{{"command":"c","times":[0.5,{v}],"exit_codes":[0,0]}}]}}"#)
        }
        Format::Go => format!("BenchmarkA-8   1000   1234 ns/op\nBenchmarkA-8   1000   {v} ns/op\n"),
        Format::Pytest => format!(
            r#"{{"machine_info":{{}},"benchmarks":[{{"name":"t","stats":{{"data":[0.5,{v}]}}}}]}}"#
        ),
        Format::Results => format!(
            r#"{{"schema":1,"environments":[],"rounds":[{{"pair":0,"block":0,"side":"base","order":0,"measurements":[{{"name":"A","metric":"t","unit":"s","direction":"lower-is-better","value":{v}}}]}}]}}"#
        ),
    }
}

/// Whether a timing of `v` in `format` is refused somewhere between the parser and the gate.
fn refused(format: Format, v: &str) -> bool {
    let text = with_timing(format, v);
    let parsed = match parse(Source::new("input", &text), Some(format)) {
        Err(_) => return true,
        Ok(p) => p,
    };
    if !parsed.unparsed.is_empty() {
        return true; // exit 2 unless --allow-unparsed, which drops the line
    }
    let mut set = SampleSet::default();
    if set
        .extend_unpaired(parsed.measurements, Side::Base)
        .is_err()
    {
        return true;
    }
    matches!(
        compare(&set, &set, &Options::default()),
        Err(AnalysisError::BadValue { .. })
    )
}

#[test]
fn templates_accept_a_good_timing() {
    for (_, format) in FIXTURES.iter().copied().chain([("", Format::Results)]) {
        assert!(!refused(format, "2.5"), "{format} refused a good timing");
    }
}

fn bad_timing() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("NaN".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("Infinity".to_string()),
        Just("-Infinity".to_string()),
        Just("1e999".to_string()),
        (1u32..1_000_000).prop_map(|n| format!("-{}", f64::from(n) / 1000.0)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_text_never_panics_or_hangs(text in ".{0,2000}", forced in 0usize..10) {
        let format = Format::ALL.get(forced).copied();
        parse_bounded(&text, format, None);
    }

    #[test]
    fn token_soup_never_panics_or_hangs(text in token_soup(), forced in 0usize..10) {
        let format = Format::ALL.get(forced).copied();
        parse_bounded(&text, format, Some(&text));
    }

    #[test]
    fn mutated_fixtures_never_panic_or_hang(
        (text, index) in (0usize..FIXTURES.len()).prop_flat_map(|i| (mutated(fixture(FIXTURES[i].0)), Just(i)))
    ) {
        let (_, format) = FIXTURES[index];
        parse_bounded(&text, Some(format), Some(&fixture("criterion/benchmark.json")));
        parse_bounded(&text, None, None);
    }

    #[test]
    fn nan_negative_and_infinite_timings_are_refused(
        index in 0usize..=FIXTURES.len(), v in bad_timing()
    ) {
        let format = FIXTURES.get(index).map_or(Format::Results, |f| f.1);
        prop_assert!(refused(format, &v), "{} accepted the timing {}", format, v);
    }
}

#[test]
fn large_inputs_parse_without_hanging() {
    // 5,000 benchmarks of each text format and a 20,000-sample JSON export; the limit allows for
    // a debug build on a loaded machine (a release build takes milliseconds), a hang is minutes.
    let limit = Duration::from_secs(30);
    let log: String = (0..5_000)
        .map(|i| {
            format!(
                "[ RUN      ] A.B/{i}\nTook {}ms to add agents\n[       OK ] A.B/{i} (1 ms)\n",
                1.0 + f64::from(i % 7)
            )
        })
        .collect();
    parse_within(&log, Some(Format::GtestLog), None, limit);
    let go: String = (0..5_000)
        .map(|i| format!("BenchmarkA/{i}-8   1000   {} ns/op\n", 1000 + i))
        .collect();
    parse_within(&go, Some(Format::Go), None, limit);
    let times: Vec<String> = (0..20_000)
        .map(|i| format!("{}", 0.5 + f64::from(i) * 1e-6))
        .collect();
    let hf = format!(
        r#"{{"results":[{{"command":"c","times":[{}]}}]}}"#,
        times.join(",")
    );
    parse_within(&hf, Some(Format::Hyperfine), None, limit);
}
