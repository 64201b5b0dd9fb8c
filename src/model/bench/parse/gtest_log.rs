//! Mesos benchmark logs: gtest text output where each `[ RUN      ] Suite/Test.Name/3` is followed
//! by free-text lines with stout durations (`Added 1000 agents in 123.456789ms`) or throughputs
//! (`Estimated Total: 12345.6 rpcs / sec`). Also reads `--gtest_list_tests` output for sharding.

use super::{to_seconds, ParseError, Parsed, Unparsed};
use crate::model::bench::model::Measurement;
use regex::Regex;
use std::sync::LazyLock;

static RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[\s*RUN\s*\]\s+(\S+)").expect("valid regex"));
static END: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\[\s*(OK|FAILED|SKIPPED)\s*\]").expect("valid regex"));
static GLOG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[IWEF]\d{4} \d\d:\d\d:\d\d").expect("valid regex"));
/// Every number-like token of a line, classified by the alternative that matched.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<dur>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(?P<du>ns|us|ms|secs|mins|hrs|days|weeks)\b",
        r"|(?P<rate>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*(?P<ru>[A-Za-z]+)\s*/\s*(?:sec|s)\b",
        r"|(?P<size>\b\d+(?:\.\d+)?\s*(?:bytes|B|KB|MB|GB|KiB|MiB|GiB)\b)",
        r"|(?P<num>\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)",
    ))
    .expect("valid regex")
});
/// A line that looks like it reports a timing.
static TIMING_LIKE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(took|elapsed|duration|latency|throughput)\b|(\d|\bnan|\binf)\s*(ns|us|µs|ms|s|sec|secs|seconds|mins|minutes|hrs|hours)\b|\d\s*\w+\s*/\s*(sec|s)\b")
        .expect("valid regex")
});

/// True when the text has gtest `[ RUN ]` lines.
pub(crate) fn looks_like(text: &str) -> bool {
    text.lines().any(|l| RUN.is_match(l))
}

/// Normalises a line into its metric template and the values it carries.
///
/// Durations become `{t}` (values in seconds), rates `{x} unit/s`, other numbers `{n}`; sizes
/// (`1024 bytes`) stay literal because they name what was measured.
pub fn template(line: &str) -> (String, Vec<(f64, String, bool)>) {
    let mut out = String::new();
    let mut values = Vec::new();
    let mut last = 0;
    for caps in TOKEN.captures_iter(line) {
        let m = caps.get(0).expect("whole match");
        out.push_str(&line[last..m.start()]);
        last = m.end();
        if let (Some(v), Some(u)) = (caps.name("dur"), caps.name("du")) {
            let secs = v
                .as_str()
                .parse::<f64>()
                .ok()
                .and_then(|x| to_seconds(x, u.as_str()));
            values.push((secs.unwrap_or(f64::NAN), "s".to_string(), true));
            out.push_str("{t}");
        } else if let (Some(v), Some(u)) = (caps.name("rate"), caps.name("ru")) {
            values.push((
                v.as_str().parse().unwrap_or(f64::NAN),
                format!("{}/s", u.as_str()),
                false,
            ));
            out.push_str("{x} ");
            out.push_str(u.as_str());
            out.push_str("/s");
        } else if let Some(s) = caps.name("size") {
            out.push_str(s.as_str());
        } else {
            out.push_str("{n}");
        }
    }
    out.push_str(&line[last..]);
    let collapsed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (collapsed, values)
}

/// Parses a Mesos benchmark log.
pub fn parse(file: &str, text: &str) -> Result<Parsed, ParseError> {
    let mut parsed = Parsed::default();
    let mut current: Option<String> = None;
    let mut tests = 0;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches('\r');
        if let Some(c) = RUN.captures(line) {
            current = Some(c[1].to_string());
            tests += 1;
            continue;
        }
        if END.is_match(line) {
            current = None;
            continue;
        }
        let Some(test) = &current else { continue };
        if line.trim_start().starts_with('[') || GLOG.is_match(line) {
            continue;
        }
        let (metric, values) = template(line.trim());
        if values.is_empty() {
            if TIMING_LIKE.is_match(line) {
                parsed.unparsed.push(Unparsed {
                    line: line_no,
                    text: line.trim().to_string(),
                });
            }
            continue;
        }
        let several = values.len() > 1;
        for (k, (value, unit, is_duration)) in values.into_iter().enumerate() {
            if !value.is_finite() {
                parsed.unparsed.push(Unparsed {
                    line: line_no,
                    text: line.trim().to_string(),
                });
                break;
            }
            if value <= 0.0 {
                return Err(ParseError::at(
                    file,
                    Some(line_no),
                    format!(
                        "{} `{}` in test {test} is not positive; times and rates must be greater than zero (is the benchmark or the clock broken?)",
                        if is_duration { "duration" } else { "rate" },
                        line.trim()
                    ),
                ));
            }
            let metric = if several {
                format!("{metric} [#{}]", k + 1)
            } else {
                metric.clone()
            };
            parsed
                .measurements
                .push(Measurement::with_unit(test.clone(), metric, unit, value));
        }
    }
    if tests == 0 {
        return Err(ParseError::at(
            file,
            None,
            "no `[ RUN      ] Suite.Test` lines found; expected gtest output of a benchmark binary (run it with GTEST_FILTER=\"*BENCHMARK*\")",
        ));
    }
    if parsed.measurements.is_empty() && parsed.unparsed.is_empty() {
        return Err(ParseError::at(
            file,
            None,
            format!("{tests} tests ran but none printed a timing; expected lines such as `Added 1000 agents in 123.4ms` or `Estimated Total: 12345.6 rpcs / sec` after `[ RUN ]`"),
        ));
    }
    if !parsed.unparsed.is_empty() {
        let lines: Vec<String> = parsed.unparsed.iter().map(|u| u.line.to_string()).collect();
        parsed.warnings.push(format!(
            "{file}: {} lines look like timings but could not be read (lines {}); durations must be written as stout prints them, e.g. `1.5ms`, `2.31secs`",
            parsed.unparsed.len(),
            lines.join(", ")
        ));
    }
    Ok(parsed)
}

/// Reads `--gtest_list_tests` output into full test names (`Suite.Test`, `Param/Suite.Test/3`).
pub(crate) fn parse_test_list(text: &str) -> Vec<String> {
    let mut suite = String::new();
    let mut out = Vec::new();
    for line in text.lines() {
        let no_comment = line.split('#').next().unwrap_or("").trim_end();
        if no_comment.is_empty() {
            continue;
        }
        if !no_comment.starts_with(' ') {
            suite = no_comment.trim().to_string();
        } else if !suite.is_empty() {
            out.push(format!("{suite}{}", no_comment.trim()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = include_str!("../../../../tests/fixtures/bench/mesos-allocator.log");

    fn values(p: &Parsed, name: &str, metric: &str) -> Vec<f64> {
        p.measurements
            .iter()
            .filter(|m| m.name == name && m.metric == metric)
            .map(|m| m.value)
            .collect()
    }

    #[test]
    fn templates_replace_numbers_and_normalise_durations() {
        let (t, v) = template("Added 1000 agents in 123.456789ms");
        assert_eq!(t, "Added {n} agents in {t}");
        assert_eq!(v.len(), 1);
        assert!((v[0].0 - 0.123456789).abs() < 1e-15);
        let (t, v) = template("Took 2.31secs to launch 100 tasks");
        assert_eq!(t, "Took {t} to launch {n} tasks");
        assert_eq!(v[0].0, 2.31);
        let (_, v) = template("Took 1.5mins");
        assert_eq!(v[0].0, 90.0);
        let (_, v) = template("Took 123456789012345ns");
        assert!(
            (v[0].0 - 123456.789012345).abs() < 1e-9,
            "15 significant digits"
        );
    }

    #[test]
    fn throughput_lines_are_higher_is_better_rates() {
        let (t, v) = template("Estimated Total: 12345.6 rpcs / sec");
        assert_eq!(t, "Estimated Total: {x} rpcs/s");
        assert_eq!((v[0].0, v[0].1.as_str()), (12345.6, "rpcs/s"));
        let (t, v) = template("Estimated total throughput: 98765.000000 op/s");
        assert_eq!(t, "Estimated total throughput: {x} op/s");
        assert_eq!(v[0].0, 98765.0);
        let (t, v) = template("Size:  1024 bytes, throughput:    123456 messages/s");
        assert_eq!(t, "Size: 1024 bytes, throughput: {x} messages/s");
        assert_eq!((v[0].0, v[0].1.as_str()), (123456.0, "messages/s"));
    }

    #[test]
    fn mesos_log_keys_keep_parameter_index_and_line_up_repeats() {
        let p = parse("allocator.log", LOG).unwrap();
        let name =
            "AgentAndFrameworkCount/HierarchicalAllocator_BENCHMARK_Test.AddAndUpdateSlave/3";
        assert_eq!(
            values(&p, name, "Added {n} agents in {t}"),
            vec![0.123456789, 0.125001]
        );
        assert_eq!(
            values(&p, name, "Updated {n} agents in {t}"),
            vec![1.07853, 1.1]
        );
        let other =
            "AgentAndFrameworkCount/HierarchicalAllocator_BENCHMARK_Test.AddAndUpdateSlave/0";
        assert_eq!(values(&p, other, "Added {n} agents in {t}"), vec![0.0123]);
        let long = "HierarchicalAllocator_BENCHMARK_Test.DeclineOffers";
        let metric = "Launched {n} tasks out of {n} total tasks in {n} rounds. Current allocation round generated {n} offers and took {t}";
        assert_eq!(values(&p, long, metric), vec![0.0152, 0.0161]);
        let rate = p.measurements.iter().find(|m| m.unit == "rpcs/s").unwrap();
        assert_eq!(
            rate.direction,
            crate::model::bench::model::Direction::HigherIsBetter
        );
        assert_eq!(rate.value, 12345.6);
    }

    #[test]
    fn glog_and_gtest_lines_are_not_metrics() {
        let p = parse("allocator.log", LOG).unwrap();
        assert!(p
            .measurements
            .iter()
            .all(|m| !m.metric.contains("hierarchical.cpp")));
        assert!(p.measurements.iter().all(|m| !m.metric.contains("OK")));
    }

    #[test]
    fn timing_lines_that_do_not_parse_are_counted_with_line_numbers() {
        let p = parse("allocator.log", LOG).unwrap();
        let lines: Vec<usize> = p.unparsed.iter().map(|u| u.line).collect();
        assert_eq!(lines, vec![20, 21]);
        assert!(
            p.warnings[0].contains("2 lines look like timings"),
            "{}",
            p.warnings[0]
        );
        assert!(p.warnings[0].contains("lines 20, 21"));
    }

    #[test]
    fn zero_and_negative_durations_are_errors_with_line() {
        let err = parse(
            "x.log",
            "[ RUN      ] A.B\nTook 0ns to do it\n[       OK ] A.B (0 ms)\n",
        )
        .unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("not positive"));
        let err = parse("x.log", "[ RUN      ] A.B\nTook -5ms\n").unwrap_err();
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn log_without_tests_or_timings_is_an_error() {
        assert!(parse("x.log", "hello\n")
            .unwrap_err()
            .message
            .contains("RUN"));
        let err = parse(
            "x.log",
            "[ RUN      ] A.B\nnothing here\n[       OK ] A.B (1 ms)\n",
        )
        .unwrap_err();
        assert!(err.message.contains("none printed a timing"));
    }

    #[test]
    fn test_list_is_read_with_parameters() {
        let text = "Suite.\n  One\n  Two\nParam/S_BENCHMARK_Test.\n  Run/0  # GetParam() = (1, 2)\n  Run/1  # GetParam() = (3, 4)\n";
        assert_eq!(
            parse_test_list(text),
            vec![
                "Suite.One",
                "Suite.Two",
                "Param/S_BENCHMARK_Test.Run/0",
                "Param/S_BENCHMARK_Test.Run/1"
            ]
        );
    }
}
