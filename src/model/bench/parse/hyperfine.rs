//! hyperfine `--export-json`: `results[].times` in seconds, one benchmark per command.

use super::{Format, ParseError, Parsed};
use crate::model::bench::model::Measurement;
use serde_json::Value;

/// Parses a hyperfine export.
pub fn parse(file: &str, text: &str) -> Result<Parsed, ParseError> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| ParseError::json(file, Format::Hyperfine, &e))?;
    let results = doc
        .get("results")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            ParseError::at(
                file,
                None,
                "expected hyperfine JSON: an object with a `results` array",
            )
        })?;
    let mut parsed = Parsed::default();
    for (i, r) in results.iter().enumerate() {
        let command = r
            .get("command")
            .and_then(Value::as_str)
            .ok_or_else(|| ParseError::at(file, None, format!("results[{i}] has no `command`")))?;
        let times = r.get("times").and_then(Value::as_array).ok_or_else(|| {
            ParseError::at(file, None, format!("results[{i}] ({command}) has no `times` array; export with `hyperfine --export-json` (version 1.6 or later)"))
        })?;
        for t in times {
            let v = t.as_f64().ok_or_else(|| {
                ParseError::at(
                    file,
                    None,
                    format!("results[{i}] ({command}) has a non-numeric time `{t}`"),
                )
            })?;
            parsed
                .measurements
                .push(Measurement::duration(command, "time", v));
        }
        let failed = r
            .get("exit_codes")
            .and_then(Value::as_array)
            .map_or(0, |c| c.iter().filter(|c| c.as_i64() != Some(0)).count());
        if failed > 0 {
            parsed.warnings.push(format!(
                "{file}: `{command}` exited non-zero in {failed} runs"
            ));
        }
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_per_command() {
        let p = parse(
            "h.json",
            include_str!("../../../../tests/fixtures/bench/hyperfine.json"),
        )
        .unwrap();
        let v: Vec<f64> = p
            .measurements
            .iter()
            .filter(|m| m.name == "./mesos-tests --benchmark")
            .map(|m| m.value)
            .collect();
        assert_eq!(v, vec![1.012, 0.998, 1.005]);
        assert!(p.warnings[0].contains("exited non-zero in 1 runs"));
    }
}
