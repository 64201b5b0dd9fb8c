//! Google Benchmark JSON: every `iteration` row (repetitions kept), aggregates skipped.

use super::{json_f64, to_seconds, Format, ParseError, Parsed};
use crate::model::bench::model::Measurement;
use serde_json::Value;

/// Parses `--benchmark_format=json` output.
pub fn parse(file: &str, text: &str) -> Result<Parsed, ParseError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| ParseError::json(file, Format::GoogleBenchmark, &e))?;
    let rows = doc
        .get("benchmarks")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ParseError::at(
                file,
                None,
                "expected Google Benchmark JSON: an object with a `benchmarks` array",
            )
        })?;
    let mut parsed = Parsed::default();
    let mut aggregates = 0;
    for (i, row) in rows.iter().enumerate() {
        let name = row
            .get("run_name")
            .or_else(|| row.get("name"))
            .and_then(Value::as_str)
            .ok_or_else(|| ParseError::at(file, None, format!("benchmarks[{i}] has no `name`")))?;
        if row.get("run_type").and_then(Value::as_str) == Some("aggregate") {
            aggregates += 1;
            continue;
        }
        if row.get("error_occurred").and_then(Value::as_bool) == Some(true) {
            let msg = row
                .get("error_message")
                .and_then(Value::as_str)
                .unwrap_or("");
            parsed.warnings.push(format!(
                "{file}: benchmark {name} reported an error ({msg}) and was left out"
            ));
            continue;
        }
        let unit = row.get("time_unit").and_then(Value::as_str).unwrap_or("ns");
        if to_seconds(1.0, unit).is_none() {
            return Err(ParseError::at(
                file,
                None,
                format!("benchmark {name} has time_unit `{unit}`; expected ns, us, ms or s"),
            ));
        }
        for metric in ["real_time", "cpu_time"] {
            let v = row.get(metric).and_then(json_f64).ok_or_else(|| {
                ParseError::at(
                    file,
                    None,
                    format!("benchmark {name} has no numeric `{metric}`"),
                )
            })?;
            parsed.measurements.push(Measurement::duration(
                name,
                metric,
                to_seconds(v, unit).unwrap_or(f64::NAN),
            ));
        }
        for (counter, unit) in [("items_per_second", "items/s"), ("bytes_per_second", "B/s")] {
            if let Some(v) = row.get(counter).and_then(json_f64) {
                parsed
                    .measurements
                    .push(Measurement::with_unit(name, counter, unit, v));
            }
        }
    }
    if parsed.measurements.is_empty() && aggregates > 0 {
        return Err(ParseError::at(
            file,
            None,
            format!("contains only {aggregates} aggregate rows (mean/median/stddev) and no repetitions; re-run without `--benchmark_report_aggregates_only` / `--benchmark_display_aggregates_only` so every repetition is kept"),
        ));
    }
    if parsed.measurements.is_empty() {
        return Err(ParseError::at(
            file,
            None,
            "the `benchmarks` array has no results; did the benchmark filter match anything?",
        ));
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_repetitions_and_skips_aggregates() {
        let p = parse(
            "gb.json",
            include_str!("../../../../tests/fixtures/bench/google-benchmark.json"),
        )
        .unwrap();
        let real: Vec<f64> = p
            .measurements
            .iter()
            .filter(|m| m.name == "BM_Sort/1024" && m.metric == "real_time")
            .map(|m| m.value)
            .collect();
        assert_eq!(real.len(), 3);
        assert_eq!(real[0], 10_250.0 / 1e9);
        let items = p
            .measurements
            .iter()
            .find(|m| m.metric == "items_per_second")
            .unwrap();
        assert_eq!(items.unit, "items/s");
        let ms: Vec<f64> = p
            .measurements
            .iter()
            .filter(|m| m.name == "BM_Copy/8" && m.metric == "cpu_time")
            .map(|m| m.value)
            .collect();
        assert_eq!(ms, vec![0.0015, 0.00151]);
    }

    #[test]
    fn only_aggregates_is_an_error() {
        let text = r#"{"context":{},"benchmarks":[{"name":"BM_x_mean","run_name":"BM_x","run_type":"aggregate","aggregate_name":"mean","real_time":1,"cpu_time":1,"time_unit":"ns"}]}"#;
        let err = parse("agg.json", text).unwrap_err();
        assert!(err.message.contains("only 1 aggregate rows"), "{err}");
        assert!(err.message.contains("--benchmark_report_aggregates_only"));
    }
}
