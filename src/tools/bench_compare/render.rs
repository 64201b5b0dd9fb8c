//! Renders a comparison report: benchstat-like text table, Markdown with a Mermaid chart, JSON,
//! CSV, JUnit test cases for Jenkins (written by `report::junit`), and an SVG plot of ratios with
//! their confidence intervals.

use crate::cli::Format;
use crate::model::bench::analysis::{pct, GatePolicy, Mode, Report, Row, Verdict};
use crate::report::junit::{Case, Outcome, Suite};
use crate::report::{md_code, md_escape, xml_escape};
use std::fmt::Write as _;

/// Renders `report` in `format`.
pub(crate) fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Text => text(report),
        Format::Markdown => markdown(report),
        Format::Json => json(report),
        Format::Csv => csv(report),
    }
}

/// A value with a readable unit: durations scaled to ns/µs/ms/s.
pub fn value(v: f64, unit: &str) -> String {
    if unit == "s" {
        let (scaled, u) = if v < 1e-6 {
            (v * 1e9, "ns")
        } else if v < 1e-3 {
            (v * 1e6, "µs")
        } else if v < 1.0 {
            (v * 1e3, "ms")
        } else {
            (v, "s")
        };
        format!("{} {u}", sig4(scaled))
    } else {
        format!("{} {unit}", sig4(v))
    }
}

fn sig4(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (3 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

fn side(s: Option<crate::model::bench::analysis::SideSummary>, unit: &str) -> String {
    s.map_or("—".into(), |s| {
        format!("{} (n={})", value(s.median, unit), s.n)
    })
}

fn ratio_ci(r: &Row) -> String {
    match (r.ratio, r.ci_low, r.ci_high) {
        (Some(x), Some(lo), Some(hi)) => format!("{} [{} .. {}]", pct(x), pct(lo), pct(hi)),
        (Some(x), _, _) => format!("{} [no CI]", pct(x)),
        _ => "—".into(),
    }
}

/// What the change column is: the Hodges–Lehmann estimate the row's test goes with.
fn estimate_name(r: &Row) -> &'static str {
    match r.mode {
        Some(Mode::Paired) => "paired Hodges–Lehmann",
        Some(Mode::Unpaired) => "two-sample Hodges–Lehmann",
        None => "none",
    }
}

/// head median / base median, when both sides were measured.
fn median_ratio(r: &Row) -> Option<f64> {
    Some(r.head?.median / r.base?.median)
}

/// True when the medians shown beside the change move the other way from it.
fn opposite_sign(r: &Row) -> bool {
    match (r.ratio, median_ratio(r)) {
        (Some(change), Some(medians)) => {
            (change > 1.0 && medians < 1.0) || (change < 1.0 && medians > 1.0)
        }
        _ => false,
    }
}

/// The change cell: the estimate and its interval, marked `†` when the medians disagree in sign.
fn change_cell(r: &Row) -> String {
    let mark = if opposite_sign(r) { " †" } else { "" };
    format!("{}{mark}", ratio_ci(r))
}

/// What the change column means, and one line per row whose medians move the other way.
fn legend(report: &Report) -> Vec<String> {
    let used = |mode| report.rows.iter().any(|r| r.mode == Some(mode));
    let how = match (used(Mode::Paired), used(Mode::Unpaired)) {
        (true, true) => {
            " (paired: from each round's head/base ratio; two-sample: from all base × head pairs)"
        }
        (true, false) => " (paired: from each round's head/base ratio)",
        (false, true) => " (two-sample: from all base × head pairs)",
        (false, false) => return Vec::new(),
    };
    let mut out = vec![format!(
        "change: Hodges–Lehmann estimate of head/base{how}, not the ratio of the medians shown"
    )];
    for r in report.rows.iter().filter(|r| opposite_sign(r)) {
        let (Some(change), Some(medians)) = (r.ratio, median_ratio(r)) else {
            continue;
        };
        out.push(format!(
            "† {}: the ratio of medians is {} but the {} estimate is {}; the estimate is what the test and the verdict use",
            label(r),
            pct(medians),
            estimate_name(r),
            pct(change)
        ));
    }
    out
}

fn p(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| {
        if v < 0.001 {
            format!("{v:.1e}")
        } else {
            format!("{v:.3}")
        }
    })
}

fn verdict(r: &Row) -> String {
    match &r.verdict {
        Verdict::Inconclusive(reason) => format!("inconclusive: {reason}"),
        v => v.name().to_string(),
    }
}

fn label(r: &Row) -> String {
    format!("{} · {}", r.name, r.metric)
}

fn summary_line(report: &Report) -> String {
    format!(
        "{} rows, Holm across {} tests at α = {}, min-effect {}: {} regression, {} improvement, {} no-change, {} inconclusive, {} new, {} missing",
        report.rows.len(),
        report.tests,
        report.alpha,
        pct(1.0 + report.min_effect).trim_start_matches('+'),
        report.count("regression"),
        report.count("improvement"),
        report.count("no-change"),
        report.count("inconclusive"),
        report.count("new"),
        report.count("missing")
    )
}

/// benchstat-like table.
pub fn text(report: &Report) -> String {
    let header = [
        "benchmark",
        "base",
        "head",
        "change (HL) [95% CI]",
        "p",
        "p (Holm)",
        "verdict",
    ];
    let rows: Vec<[String; 7]> = report
        .rows
        .iter()
        .map(|r| {
            [
                label(r),
                side(r.base, &r.unit),
                side(r.head, &r.unit),
                change_cell(r),
                p(r.p_value),
                p(r.p_adjusted),
                verdict(r),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |cells: &[String], out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i == cells.len() - 1 {
                    c.clone()
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        let _ = writeln!(out, "{}", parts.join("  ").trim_end());
    };
    line(&header.map(String::from), &mut out);
    for r in &rows {
        line(r, &mut out);
    }
    let _ = writeln!(out);
    for l in legend(report) {
        let _ = writeln!(out, "{l}");
    }
    let _ = writeln!(out, "{}", summary_line(report));
    for w in &report.warnings {
        let _ = writeln!(out, "warning: {w}");
    }
    out
}

/// Markdown table with a Mermaid bar chart of the changes.
pub fn markdown(report: &Report) -> String {
    let mut out = String::from("## Benchmark comparison\n\n");
    let _ = writeln!(out, "{}\n", summary_line(report));
    out.push_str("| benchmark | metric | base | head | change (HL) [95% CI] | p | p (Holm) | verdict |\n|---|---|---|---|---|---|---|---|\n");
    for r in &report.rows {
        let v = match r.verdict {
            Verdict::Regression => "**regression**".to_string(),
            _ => md_escape(&verdict(r)),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {v} |",
            md_code(&r.name),
            md_escape(&r.metric),
            side(r.base, &r.unit),
            side(r.head, &r.unit),
            change_cell(r),
            p(r.p_value),
            p(r.p_adjusted),
        );
    }
    out.push('\n');
    for l in legend(report) {
        let _ = writeln!(out, "{}  ", md_escape(&l));
    }
    let charted: Vec<&Row> = report.rows.iter().filter(|r| r.ratio.is_some()).collect();
    if !charted.is_empty() {
        out.push_str(
            "\n```mermaid\nxychart-beta\n    title \"Change head vs base (%)\"\n    x-axis [",
        );
        let names: Vec<String> = (1..=charted.len()).map(|i| format!("\"#{i}\"")).collect();
        out.push_str(&names.join(", "));
        out.push_str("]\n    y-axis \"change %\"\n    bar [");
        let vals: Vec<String> = charted
            .iter()
            .map(|r| format!("{:.2}", (r.ratio.unwrap_or(1.0) - 1.0) * 100.0))
            .collect();
        out.push_str(&vals.join(", "));
        out.push_str("]\n```\n\n");
        for (i, r) in charted.iter().enumerate() {
            let _ = writeln!(
                out,
                "{}. {} {}",
                i + 1,
                md_code(&r.name),
                md_escape(&r.metric)
            );
        }
    }
    for w in &report.warnings {
        let _ = writeln!(out, "\n> warning: {w}");
    }
    out
}

/// JSON with stable field names.
pub fn json(report: &Report) -> String {
    serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        + "\n"
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// CSV, one row per (benchmark, metric).
pub fn csv(report: &Report) -> String {
    let mut out = String::from("name,metric,unit,direction,base_n,base_median,head_n,head_median,ratio,ci_low,ci_high,p_value,p_adjusted,verdict,reason\n");
    let num = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
    for r in &report.rows {
        let fields = [
            csv_field(&r.name),
            csv_field(&r.metric),
            csv_field(&r.unit),
            r.direction.label().to_string(),
            r.base.map_or(String::new(), |s| s.n.to_string()),
            num(r.base.map(|s| s.median)),
            r.head.map_or(String::new(), |s| s.n.to_string()),
            num(r.head.map(|s| s.median)),
            num(r.ratio),
            num(r.ci_low),
            num(r.ci_high),
            num(r.p_value),
            num(r.p_adjusted),
            r.verdict.name().to_string(),
            csv_field(r.verdict.reason().unwrap_or("")),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// JUnit XML: one test case per row; regressions are failures, inconclusive and missing rows are
/// failures only when the gate policy makes them fail.
pub fn junit(report: &Report, policy: GatePolicy) -> Suite {
    let failing = report.failing_rows(policy);
    let cases = report
        .rows
        .iter()
        .map(|r| {
            let detail = format!(
                "{} -> {}: {} ({}{})",
                side(r.base, &r.unit),
                side(r.head, &r.unit),
                change_cell(r),
                verdict(r),
                match r.mode {
                    Some(_) => format!("; change is the {} estimate", estimate_name(r)),
                    None => String::new(),
                }
            );
            let (outcome, system_out) = if failing.iter().any(|f| std::ptr::eq(*f, r)) {
                let message = r.verdict.name().to_string();
                (
                    Outcome::Failed {
                        message,
                        kind: None,
                        text: detail,
                    },
                    None,
                )
            } else {
                (Outcome::Passed, Some(detail))
            };
            Case {
                classname: r.name.clone(),
                name: r.metric.clone(),
                outcome,
                system_out,
            }
        })
        .collect();
    Suite {
        name: "bench-compare".into(),
        properties: Vec::new(),
        cases,
    }
}

/// `calibrate`'s result: per metric, the noise and the smallest slowdown detectable with this many
/// rounds (`rows` as from `runner::calibration`), then the A/A comparison itself.
pub fn calibration(rows: &[(String, f64, Option<f64>)], report: &Report, format: Format) -> String {
    let mde_pct = |m: &Option<f64>| m.map(|m| (m.exp() - 1.0) * 100.0);
    match format {
        Format::Text | Format::Markdown => {
            let md = format == Format::Markdown;
            let mut t = if md {
                String::from("| metric | noise (robust σ of per-round log-ratio) | smallest detectable slowdown (80% power) |\n| --- | --- | --- |\n")
            } else {
                String::from("metric  noise (robust σ of per-round log-ratio)  smallest detectable slowdown (80% power)\n")
            };
            for (key, sigma, mde) in rows {
                let m = mde_pct(mde).map_or("—".into(), |m| format!("{m:+.1}%"));
                if md {
                    let _ = writeln!(t, "| {} | {:.2}% | {m} |", md_escape(key), sigma * 100.0);
                } else {
                    let _ = writeln!(t, "{key}  {:.2}%  {m}", sigma * 100.0);
                }
            }
            t.push('\n');
            t.push_str(&render(report, format));
            t
        }
        Format::Json => {
            let calibration: Vec<serde_json::Value> = rows
                .iter()
                .map(|(key, sigma, mde)| {
                    serde_json::json!({
                        "metric": key,
                        "noise_sigma": sigma,
                        "min_detectable_slowdown_pct": mde_pct(mde),
                    })
                })
                .collect();
            let document = serde_json::json!({
                "schema": "release-kit/bench-calibration/v1",
                "calibration": calibration,
                "aa_report": serde_json::to_value(report).unwrap_or_default(),
            });
            serde_json::to_string_pretty(&document).unwrap_or_default() + "\n"
        }
        Format::Csv => {
            let mut t = String::from("metric,noise_sigma,min_detectable_slowdown_pct\n");
            for (key, sigma, mde) in rows {
                let m = mde_pct(mde).map_or(String::new(), |m| format!("{m:.3}"));
                let _ = writeln!(t, "\"{}\",{sigma:.6},{m}", key.replace('"', "\"\""));
            }
            t
        }
    }
}

/// Width in pixels of `s` set in the SVG's monospace font (0.6 em per character, rounded up).
fn text_width(s: &str, font_size: f64) -> f64 {
    (s.chars().count() as f64 * font_size * 0.62).ceil()
}

/// Axis ticks (as ratios) for a log axis spanning ratios `exp(-extreme) ..= exp(extreme)`.
fn ticks(extreme: f64, pixels_per_log: f64) -> Vec<f64> {
    const STEPS: [f64; 14] = [
        0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 4.0, 9.0,
    ];
    // Changes of +s and their mirror images 1/(1+s), so that the axis is symmetric in log space.
    let mut out = vec![1.0];
    let mut last = 0.0;
    for s in STEPS {
        let l = (1.0 + s).ln();
        if l > extreme {
            break;
        }
        // Keep ticks at least 44 px apart so their labels never overlap.
        if (l - last) * pixels_per_log >= 44.0 {
            out.push(1.0 + s);
            out.push(1.0 / (1.0 + s));
            last = l;
        }
    }
    out.sort_by(f64::total_cmp);
    out
}

/// SVG forest plot: one line per row with the Hodges–Lehmann ratio and its CI on a log axis with
/// ticks, the ±min-effect band shaded, every benchmark's full name, and a canvas sized to fit
/// every text.
pub fn svg(report: &Report) -> String {
    const FONT: f64 = 12.0;
    const TITLE_FONT: f64 = 14.0;
    let rows: Vec<&Row> = report.rows.iter().filter(|r| r.ratio.is_some()).collect();
    let labels: Vec<String> = rows.iter().map(|r| label(r)).collect();
    let results: Vec<String> = rows
        .iter()
        .map(|r| format!("{} {}", pct(r.ratio.unwrap_or(1.0)), r.verdict.name()))
        .collect();
    let title = format!(
        "head / base: Hodges–Lehmann estimate with 95% CI (log scale); shaded: ±{}",
        pct(1.0 + report.min_effect).trim_start_matches('+')
    );
    let margin = 10.0;
    let label_w = labels
        .iter()
        .map(|l| text_width(l, FONT))
        .fold(0.0, f64::max);
    let result_w = results
        .iter()
        .map(|l| text_width(l, FONT))
        .fold(text_width("+100.0% inconclusive", FONT), f64::max);
    let (plot_w, row_h, top) = (420.0, 22.0, 44.0);
    let left = margin + label_w + 16.0;
    let plot_h = row_h * rows.len().max(1) as f64;
    let axis_y = top + plot_h;
    let width = (left + plot_w + 16.0 + result_w + margin)
        .max(margin * 2.0 + text_width(&title, TITLE_FONT))
        .ceil();
    let height = (axis_y + 44.0).ceil();
    let extreme = rows
        .iter()
        .flat_map(|r| [r.ratio, r.ci_low, r.ci_high])
        .flatten()
        .map(|v| v.ln().abs())
        .fold((1.0 + report.min_effect).ln() * 2.0, f64::max)
        * 1.1;
    let scale = plot_w / 2.0 / extreme;
    let x = |ratio: f64| left + plot_w / 2.0 + ratio.ln() * scale;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"monospace\" font-size=\"{FONT}\">"
    );
    let _ = writeln!(
        out,
        "<rect width=\"{width}\" height=\"{height}\" fill=\"#ffffff\"/>"
    );
    let _ = writeln!(
        out,
        "<text x=\"{margin}\" y=\"22\" font-size=\"{TITLE_FONT}\">{}</text>",
        xml_escape(&title)
    );
    let (band_lo, band_hi) = (x(1.0 - report.min_effect), x(1.0 + report.min_effect));
    let _ = writeln!(
        out,
        "<rect x=\"{band_lo:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{plot_h:.1}\" fill=\"#eeeeee\"/>",
        band_hi - band_lo,
    );
    // The axis: a baseline, a tick and a light grid line at each tick, the tick's change below.
    let _ = writeln!(
        out,
        "<line x1=\"{left:.1}\" y1=\"{axis_y:.1}\" x2=\"{:.1}\" y2=\"{axis_y:.1}\" stroke=\"#333\"/>",
        left + plot_w
    );
    for t in ticks(extreme, scale) {
        let tx = x(t);
        let grid = if t == 1.0 { "#888" } else { "#dddddd" };
        let _ = writeln!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"{top}\" x2=\"{tx:.1}\" y2=\"{axis_y:.1}\" stroke=\"{grid}\"/>"
        );
        let _ = writeln!(
            out,
            "<line x1=\"{tx:.1}\" y1=\"{axis_y:.1}\" x2=\"{tx:.1}\" y2=\"{:.1}\" stroke=\"#333\"/>",
            axis_y + 5.0
        );
        let tick_label = if t == 1.0 {
            "0%".to_string()
        } else {
            format!("{:+}%", ((t - 1.0) * 1000.0).round() / 10.0)
        };
        let _ = writeln!(
            out,
            "<text x=\"{tx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{tick_label}</text>",
            axis_y + 18.0
        );
    }
    let _ = writeln!(
        out,
        "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">change of head vs base</text>",
        left + plot_w / 2.0,
        axis_y + 36.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + row_h * (i as f64 + 0.5);
        let colour = match r.verdict {
            Verdict::Regression => "#c62828",
            Verdict::Improvement => "#2e7d32",
            Verdict::NoChange => "#555555",
            _ => "#ef6c00",
        };
        let _ = writeln!(
            out,
            "<text x=\"{margin}\" y=\"{:.1}\">{}</text>",
            y + 4.0,
            xml_escape(&labels[i])
        );
        if let (Some(lo), Some(hi)) = (r.ci_low, r.ci_high) {
            let _ = writeln!(out, "<line x1=\"{:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{colour}\" stroke-width=\"2\"/>", x(lo), x(hi));
        }
        let _ = writeln!(
            out,
            "<circle cx=\"{:.1}\" cy=\"{y:.1}\" r=\"4\" fill=\"{colour}\"/>",
            x(r.ratio.unwrap_or(1.0))
        );
        let _ = writeln!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            left + plot_w + 16.0,
            y + 4.0,
            xml_escape(&results[i])
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bench::analysis::{compare, Options};
    use crate::model::bench::model::{Measurement, SampleSet, Side};

    fn report() -> Report {
        let mut base = SampleSet::default();
        let mut head = SampleSet::default();
        for i in 0..12u32 {
            let j = 1.0 + f64::from(i % 5) * 0.002;
            let pair = Some(i);
            base.push(
                Measurement::duration("Alloc.Add/3", "Added {n} agents in {t}", 0.1 * j),
                pair,
                Side::Base,
            )
            .unwrap();
            head.push(
                Measurement::duration(
                    "Alloc.Add/3",
                    "Added {n} agents in {t}",
                    0.12 * j * (1.0 + f64::from(i) * 1e-4),
                ),
                pair,
                Side::Head,
            )
            .unwrap();
            base.push(
                Measurement::with_unit(
                    "Proc.Rpc",
                    "Estimated Total: {x} rpcs/s",
                    "rpcs/s",
                    1000.0 * j,
                ),
                pair,
                Side::Base,
            )
            .unwrap();
            head.push(
                Measurement::with_unit(
                    "Proc.Rpc",
                    "Estimated Total: {x} rpcs/s",
                    "rpcs/s",
                    1000.0 * j * (1.0 + f64::from(i) * 1e-5),
                ),
                pair,
                Side::Head,
            )
            .unwrap();
        }
        base.push(
            Measurement::duration("Old.Gone", "time", 1.0),
            None,
            Side::Base,
        )
        .unwrap();
        compare(&base, &head, &Options::default()).unwrap()
    }

    #[test]
    fn values_use_readable_units() {
        assert_eq!(value(0.1234567, "s"), "123.5 ms");
        assert_eq!(value(2.5e-8, "s"), "25.00 ns");
        assert_eq!(value(12345.6, "rpcs/s"), "12346 rpcs/s");
    }

    #[test]
    fn text_table_snapshot() {
        insta::assert_snapshot!(text(&report()));
    }

    #[test]
    fn markdown_snapshot_has_mermaid_chart() {
        let md = markdown(&report());
        assert!(md.contains("```mermaid\nxychart-beta"));
        insta::assert_snapshot!(md);
    }

    #[test]
    fn markdown_shows_any_benchmark_name_as_written() {
        let mut r = report();
        r.rows[0].name = "A|b_*c*<d>".into();
        let md = markdown(&r);
        let shown = "<code>A\\|b\\_\\*c\\*&lt;d&gt;</code>";
        assert!(md.contains(&format!("| {shown} | Added")), "{md}");
        assert!(md.contains(&format!("1. {shown} Added")), "{md}");
    }

    #[test]
    fn json_has_the_documented_fields() {
        let v: serde_json::Value = serde_json::from_str(&json(&report())).unwrap();
        let row = &v["rows"][0];
        for field in [
            "name",
            "metric",
            "unit",
            "direction",
            "base",
            "head",
            "ratio",
            "ci_low",
            "ci_high",
            "p_value",
            "p_adjusted",
            "verdict",
        ] {
            assert!(row.get(field).is_some(), "missing {field}");
        }
        assert_eq!(row["verdict"], "regression");
        assert_eq!(row["base"]["n"], 12);
        assert_eq!(v["rows"][1]["verdict"], "missing");
    }

    #[test]
    fn csv_has_one_line_per_row_and_quotes_commas() {
        let c = csv(&report());
        assert_eq!(c.lines().count(), 4);
        assert!(c
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("Alloc.Add/3,Added {n} agents in {t},s,lower-is-better,12,"));
    }

    #[test]
    fn junit_fails_regressions_and_missing_only_when_asked() {
        let r = report();
        let x = junit(&r, GatePolicy::default()).to_xml();
        assert!(x.contains("failures=\"1\""), "{x}");
        assert!(
            x.contains(
                r#"<testcase classname="Alloc.Add/3" name="Added {n} agents in {t}" time="0">"#
            ),
            "{x}"
        );
        assert!(x.contains(r#"<failure message="regression">"#), "{x}");
        assert!(x.contains("<system-out>1.000 s (n=1) -&gt; —"), "{x}");
        let strict = junit(
            &r,
            GatePolicy {
                fail_on_missing: true,
                ..GatePolicy::default()
            },
        )
        .to_xml();
        assert!(strict.contains("failures=\"2\""), "{strict}");
        roxmltree::Document::parse(&x).unwrap();
    }

    #[test]
    fn svg_is_well_formed_with_one_marker_per_compared_row() {
        let s = svg(&report());
        let doc = roxmltree::Document::parse(&s).unwrap();
        assert_eq!(
            doc.descendants()
                .filter(|n| n.has_tag_name("circle"))
                .count(),
            2
        );
    }
}
