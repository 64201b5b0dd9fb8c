//! pytest-benchmark JSON: `benchmarks[].stats.data` (saved with `--benchmark-save-data`), or the mean as a single sample.

use super::{Format, ParseError, Parsed};
use crate::model::bench::model::Measurement;
use serde_json::Value;

/// Parses `pytest --benchmark-json` output.
pub fn parse(file: &str, text: &str) -> Result<Parsed, ParseError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| ParseError::json(file, Format::Pytest, &e))?;
    let rows = doc
        .get("benchmarks")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ParseError::at(
                file,
                None,
                "expected pytest-benchmark JSON: an object with a `benchmarks` array",
            )
        })?;
    let mut parsed = Parsed::default();
    let mut means_only = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        let name = row
            .get("fullname")
            .or_else(|| row.get("name"))
            .and_then(Value::as_str)
            .ok_or_else(|| {
                ParseError::at(file, None, format!("benchmarks[{i}] has no `fullname`"))
            })?;
        let stats = row.get("stats").ok_or_else(|| {
            ParseError::at(file, None, format!("benchmark {name} has no `stats`"))
        })?;
        match stats.get("data").and_then(Value::as_array) {
            Some(data) => {
                for v in data {
                    let v = v.as_f64().ok_or_else(|| {
                        ParseError::at(
                            file,
                            None,
                            format!("benchmark {name} has a non-numeric sample `{v}`"),
                        )
                    })?;
                    parsed
                        .measurements
                        .push(Measurement::duration(name, "time", v));
                }
            }
            None => {
                let mean = stats.get("mean").and_then(Value::as_f64).ok_or_else(|| {
                    ParseError::at(
                        file,
                        None,
                        format!("benchmark {name} has neither `stats.data` nor `stats.mean`"),
                    )
                })?;
                parsed
                    .measurements
                    .push(Measurement::duration(name, "time", mean));
                means_only.push(name.to_string());
            }
        }
    }
    if !means_only.is_empty() {
        parsed.warnings.push(format!(
            "{file}: {} benchmarks have no raw samples, only their mean, which counts as one sample; run pytest with `--benchmark-save-data`",
            means_only.len()
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_samples_and_mean_fallback() {
        let p = parse(
            "p.json",
            include_str!("../../../../tests/fixtures/bench/pytest-benchmark.json"),
        )
        .unwrap();
        let v: Vec<f64> = p
            .measurements
            .iter()
            .filter(|m| m.name == "tests/test_codec.py::test_encode")
            .map(|m| m.value)
            .collect();
        assert_eq!(v, vec![0.00101, 0.00099, 0.00102]);
        assert!(p
            .measurements
            .iter()
            .any(|m| m.name == "tests/test_codec.py::test_decode" && m.value == 0.002));
        assert!(p.warnings[0].contains("--benchmark-save-data"));
    }
}
