//! Criterion: `new/sample.json` (`iters`, `times` in ns per sample) named by `benchmark.json`.

use super::{Format, ParseError, Parsed};
use crate::model::bench::model::Measurement;
use serde::Deserialize;

#[derive(Deserialize)]
struct Sample {
    iters: Vec<f64>,
    times: Vec<f64>,
}

#[derive(Deserialize)]
struct Benchmark {
    full_id: String,
}

/// Parses a `sample.json`; the benchmark is named by `benchmark.json`'s `full_id` when given,
/// otherwise by the directory above `new/` in `file`.
pub fn parse(
    file: &str,
    sample_text: &str,
    benchmark_text: Option<&str>,
) -> Result<Parsed, ParseError> {
    let sample: Sample = serde_json::from_str(sample_text)
        .map_err(|e| ParseError::json(file, Format::Criterion, &e))?;
    let mut parsed = Parsed::default();
    let name = match benchmark_text {
        Some(text) => {
            serde_json::from_str::<Benchmark>(text)
                .map_err(|e| ParseError::at(file, Some(e.line()), format!("benchmark.json beside it is invalid ({e}); expected an object with `full_id`")))?
                .full_id
        }
        None => {
            let parts: Vec<&str> = file.split(['/', '\\']).collect();
            let name = parts.iter().rev().skip_while(|p| **p != "new").nth(1).copied().unwrap_or(file);
            parsed.warnings.push(format!("{file}: no benchmark.json beside it; naming the benchmark `{name}` after its directory"));
            name.to_string()
        }
    };
    if sample.iters.len() != sample.times.len() || sample.iters.is_empty() {
        return Err(ParseError::at(
            file,
            None,
            format!("`iters` has {} entries and `times` {}; expected two equally long, non-empty arrays", sample.iters.len(), sample.times.len()),
        ));
    }
    for (iters, total_ns) in sample.iters.iter().zip(&sample.times) {
        if *iters <= 0.0 {
            return Err(ParseError::at(
                file,
                None,
                format!("a sample has {iters} iterations; expected a positive count"),
            ));
        }
        parsed.measurements.push(Measurement::duration(
            name.clone(),
            "time",
            total_ns / iters * 1e-9,
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_iteration_times_named_by_benchmark_json() {
        let p = parse(
            "target/criterion/fib/20/new/sample.json",
            include_str!("../../../../tests/fixtures/bench/criterion/sample.json"),
            Some(include_str!(
                "../../../../tests/fixtures/bench/criterion/benchmark.json"
            )),
        )
        .unwrap();
        assert_eq!(p.measurements.len(), 4);
        assert_eq!(p.measurements[0].name, "fib/20");
        assert!((p.measurements[0].value - 26_000.0 / 1000.0 * 1e-9).abs() < 1e-18);
    }

    #[test]
    fn without_benchmark_json_the_directory_names_it() {
        let p = parse(
            "c/fib_30/new/sample.json",
            r#"{"sampling_mode":"Linear","iters":[1,2],"times":[10,20]}"#,
            None,
        )
        .unwrap();
        assert_eq!(p.measurements[0].name, "fib_30");
        assert!(p.warnings[0].contains("no benchmark.json"));
    }

    #[test]
    fn mismatched_arrays_are_an_error() {
        let err = parse("s.json", r#"{"iters":[1,2],"times":[10]}"#, None).unwrap_err();
        assert!(err.message.contains("equally long"));
    }
}
