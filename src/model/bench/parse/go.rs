//! `go test -bench` output: `BenchmarkName-8  1000  1234 ns/op  128 B/op  2 allocs/op  12.5 MB/s`;
//! `-count=N` repetitions are samples. The `-N` GOMAXPROCS suffix is dropped so machines line up.

use super::{ParseError, Parsed};
use crate::model::bench::model::Measurement;
use regex::Regex;
use std::sync::LazyLock;

static LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(Benchmark\S*?)(?:-\d+)?\s+(\d+)\s+(.+)$").expect("valid regex")
});

/// True when the text has Go benchmark result lines.
pub(crate) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| LINE.is_match(l.trim_end()))
}

/// Parses Go benchmark output.
pub fn parse(file: &str, text: &str) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if !line.starts_with("Benchmark") {
            continue;
        }
        let Some(c) = LINE.captures(line) else {
            // `BenchmarkX` alone is printed before a benchmark's output when it logs; not a result.
            if line.split_whitespace().count() > 1 {
                return Err(ParseError::at(file, Some(i + 1), format!("`{line}` is not a benchmark result; expected `BenchmarkName-8  1000  1234 ns/op`")));
            }
            continue;
        };
        let name = &c[1];
        let fields: Vec<&str> = c[3].split_whitespace().collect();
        if !fields.len().is_multiple_of(2) {
            return Err(ParseError::at(file, Some(i + 1), format!("`{line}` has an odd number of value/unit fields; expected pairs such as `1234 ns/op 128 B/op`")));
        }
        for pair in fields.chunks(2) {
            let v: f64 = pair[0].parse().map_err(|_| {
                ParseError::at(
                    file,
                    Some(i + 1),
                    format!(
                        "`{}` in `{line}` is not a number; expected `value unit` pairs",
                        pair[0]
                    ),
                )
            })?;
            let m = match pair[1] {
                "ns/op" => Measurement::duration(name, "time/op", v * 1e-9),
                "B/op" => Measurement::with_unit(name, "B/op", "B", v),
                "allocs/op" => Measurement::with_unit(name, "allocs/op", "allocs", v),
                "MB/s" => Measurement::with_unit(name, "speed", "MB/s", v),
                other => Measurement::with_unit(name, other, other, v),
            };
            parsed.measurements.push(m);
        }
    }
    if parsed.measurements.is_empty() {
        return Err(ParseError::at(
            file,
            None,
            "no `BenchmarkName  N  value ns/op` lines found; expected `go test -bench` output",
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_per_line_and_repetitions() {
        let p = parse(
            "go.txt",
            include_str!("../../../../tests/fixtures/bench/go-bench.txt"),
        )
        .unwrap();
        let t: Vec<f64> = p
            .measurements
            .iter()
            .filter(|m| m.name == "BenchmarkEncode/small" && m.metric == "time/op")
            .map(|m| m.value)
            .collect();
        assert_eq!(t.len(), 3);
        assert!((t[0] - 1234e-9).abs() < 1e-18);
        let speed = p.measurements.iter().find(|m| m.metric == "speed").unwrap();
        assert_eq!(
            speed.direction,
            crate::model::bench::model::Direction::HigherIsBetter
        );
        assert!(p
            .measurements
            .iter()
            .any(|m| m.metric == "allocs/op" && m.value == 2.0));
    }

    #[test]
    fn malformed_result_line_names_the_line() {
        let err = parse("go.txt", "goos: linux\nBenchmarkX-8 100 12 ns/op 5\n").unwrap_err();
        assert_eq!(err.line, Some(2));
    }
}
