//! Compares a base and a head sample set: one row per (benchmark, metric) with ratio, confidence
//! interval, one-sided p-values, Holm adjustment across the whole run and a verdict.

use crate::model::bench::model::{Direction, MetricKey, SampleSet, Series, Side};
use crate::model::bench::stats::{self, Alternative};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Analysis settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Family-wise error rate for the gate (Holm across every row).
    pub alpha: f64,
    /// Smallest relative change that counts (0.02 = 2%).
    pub min_effect: f64,
    /// Confidence level of the reported interval.
    pub confidence: f64,
    /// Whether interleaved pairs are used when present.
    pub pairing: Pairing,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            alpha: 0.05,
            min_effect: 0.02,
            confidence: 0.95,
            pairing: Pairing::Auto,
        }
    }
}

/// Whether to pair rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pairing {
    /// Paired when every sample on both sides carries a pair index (results of `run`).
    Auto,
    /// Always treat the sides as independent samples.
    Unpaired,
}

/// How a row was analysed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Wilcoxon signed-rank on per-pair log-ratios, one-sample Hodges–Lehmann.
    Paired,
    /// Mann–Whitney U on log values, two-sample Hodges–Lehmann.
    Unpaired,
}

/// The verdict of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Significantly worse (after Holm) by at least the minimum effect.
    Regression,
    /// Significantly better by at least the minimum effect.
    Improvement,
    /// The confidence interval lies within ±min-effect.
    NoChange,
    /// Neither; the reason says why.
    Inconclusive(String),
    /// Only in head.
    New,
    /// Only in base.
    Missing,
}

impl Verdict {
    /// The machine-readable name.
    pub fn name(&self) -> &'static str {
        match self {
            Verdict::Regression => "regression",
            Verdict::Improvement => "improvement",
            Verdict::NoChange => "no-change",
            Verdict::Inconclusive(_) => "inconclusive",
            Verdict::New => "new",
            Verdict::Missing => "missing",
        }
    }

    /// The reason, for inconclusive rows.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Verdict::Inconclusive(r) => Some(r),
            _ => None,
        }
    }
}

impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// Size and median of one side of a row.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SideSummary {
    /// Number of samples.
    pub n: usize,
    /// Median value.
    pub median: f64,
}

/// One (benchmark, metric) row of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// Benchmark name.
    pub name: String,
    /// Metric.
    pub metric: String,
    /// Canonical unit.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// Base side, absent for new rows.
    pub base: Option<SideSummary>,
    /// Head side, absent for missing rows.
    pub head: Option<SideSummary>,
    /// head / base (Hodges–Lehmann, in the metric's own terms: > 1 is slower for times).
    pub ratio: Option<f64>,
    /// Lower bound of the ratio's confidence interval.
    pub ci_low: Option<f64>,
    /// Upper bound.
    pub ci_high: Option<f64>,
    /// One-sided p-value in the direction of the observed change.
    pub p_value: Option<f64>,
    /// Holm-adjusted p-value.
    pub p_adjusted: Option<f64>,
    /// The verdict.
    pub verdict: Verdict,
    /// Why a row is inconclusive.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Paired or unpaired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<Mode>,
    /// One-sided p-value for a slowdown (the gate), before adjustment.
    #[serde(skip)]
    pub p_slowdown: Option<f64>,
}

/// The result of a comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// Family-wise error rate.
    pub alpha: f64,
    /// Minimum effect.
    pub min_effect: f64,
    /// Number of rows in the Holm family.
    pub tests: usize,
    /// Pairs a paired row needs to reach Holm's first threshold.
    pub min_pairs: usize,
    /// Rows sorted by name and metric.
    pub rows: Vec<Row>,
    /// Things the reader should know (not errors).
    pub warnings: Vec<String>,
}

/// What makes a run fail the gate besides regressions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GatePolicy {
    /// Inconclusive rows fail the gate.
    pub fail_on_inconclusive: bool,
    /// Benchmarks missing from head fail the gate.
    pub fail_on_missing: bool,
}

impl Report {
    /// Rows with the given verdict name.
    pub fn count(&self, verdict: &str) -> usize {
        self.rows
            .iter()
            .filter(|r| r.verdict.name() == verdict)
            .count()
    }

    /// Rows that fail the gate under `policy`.
    pub(crate) fn failing_rows(&self, policy: GatePolicy) -> Vec<&Row> {
        self.rows
            .iter()
            .filter(|r| match r.verdict {
                Verdict::Regression => true,
                Verdict::Inconclusive(_) => policy.fail_on_inconclusive,
                Verdict::Missing => policy.fail_on_missing,
                _ => false,
            })
            .collect()
    }

    /// True when the gate fails.
    pub fn fails(&self, policy: GatePolicy) -> bool {
        !self.failing_rows(policy).is_empty()
    }
}

/// Inputs the analysis refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnalysisError {
    /// Base and head report a metric in different units.
    #[error("{key} is in `{base}` in base but `{head}` in head; the two builds must report it in the same unit (check that both inputs come from the same benchmark program and format)")]
    UnitMismatch {
        /// The metric.
        key: MetricKey,
        /// Base unit.
        base: String,
        /// Head unit.
        head: String,
    },
    /// A value the log-space analysis cannot use.
    #[error("{key} has the value {value} on the {side} side; measurements must be finite and greater than zero (a zero or negative time means the benchmark or its parser is broken)")]
    BadValue {
        /// The metric.
        key: MetricKey,
        /// The side.
        side: Side,
        /// The value.
        value: f64,
    },
    /// Nothing to compare.
    #[error(
        "no benchmarks were found in base or head; check the input files and `--input-format`"
    )]
    Empty,
    /// Options out of range.
    #[error("{0}")]
    BadOption(String),
}

struct Partial {
    row: Row,
    bad_estimate: f64,
    p_slow: f64,
    p_impr: f64,
    ci: Option<(f64, f64)>,
    guard: Option<String>,
}

/// Compares base with head.
pub fn compare(
    base: &SampleSet,
    head: &SampleSet,
    opts: &Options,
) -> Result<Report, AnalysisError> {
    if !(opts.alpha > 0.0 && opts.alpha < 1.0) {
        return Err(AnalysisError::BadOption(format!(
            "--alpha {} is out of range; use a family-wise error rate between 0 and 1, e.g. 0.05",
            opts.alpha
        )));
    }
    if !(opts.min_effect >= 0.0 && opts.min_effect < 1.0) {
        return Err(AnalysisError::BadOption(format!(
            "--min-effect {} is out of range; use a fraction between 0 and 1, e.g. 0.02 for 2%",
            opts.min_effect
        )));
    }
    if base.is_empty() && head.is_empty() {
        return Err(AnalysisError::Empty);
    }
    for (set, side) in [(base, Side::Base), (head, Side::Head)] {
        for (key, series) in &set.series {
            if let Some(s) = series
                .samples
                .iter()
                .find(|s| !(s.value.is_finite() && s.value > 0.0))
            {
                return Err(AnalysisError::BadValue {
                    key: key.clone(),
                    side,
                    value: s.value,
                });
            }
        }
    }
    let keys: BTreeSet<&MetricKey> = base.series.keys().chain(head.series.keys()).collect();
    let tests = keys
        .iter()
        .filter(|k| {
            let (b, h) = (base.series.get(**k), head.series.get(**k));
            matches!((b, h), (Some(b), Some(h)) if b.samples.len() >= 2 && h.samples.len() >= 2)
        })
        .count();
    let min_pairs = stats::paired_min_n(tests, opts.alpha);
    let threshold = opts.alpha / tests.max(1) as f64;

    let mut partials = Vec::new();
    let mut rows_done = Vec::new();
    for key in keys {
        match (base.series.get(key), head.series.get(key)) {
            (Some(b), Some(h)) => {
                if b.unit != h.unit {
                    return Err(AnalysisError::UnitMismatch {
                        key: key.clone(),
                        base: b.unit.clone(),
                        head: h.unit.clone(),
                    });
                }
                match analyse_row(key, b, h, opts, threshold, min_pairs) {
                    Ok(p) => partials.push(p),
                    Err(row) => rows_done.push(*row),
                }
            }
            (Some(b), None) => rows_done.push(one_sided_row(key, b, Side::Base)),
            (None, Some(h)) => rows_done.push(one_sided_row(key, h, Side::Head)),
            (None, None) => unreachable!("key comes from one of the sets"),
        }
    }

    let adj_slow = stats::holm(&partials.iter().map(|p| p.p_slow).collect::<Vec<_>>());
    let adj_impr = stats::holm(&partials.iter().map(|p| p.p_impr).collect::<Vec<_>>());
    let effect = (1.0 + opts.min_effect).ln();
    let (eq_low, eq_high) = ((1.0 - opts.min_effect).ln(), effect);
    let mut rows = rows_done;
    for (i, mut p) in partials.into_iter().enumerate() {
        let worse = p.bad_estimate >= 0.0;
        let (raw, adj) = if worse {
            (p.p_slow, adj_slow[i])
        } else {
            (p.p_impr, adj_impr[i])
        };
        p.row.p_value = Some(raw);
        p.row.p_adjusted = Some(adj);
        // A row that cannot reach significance with exact p-values never gets a verdict from an
        // approximate one (tied, quantised samples can make the normal approximation optimistic).
        let testable = p.guard.is_none();
        p.row.verdict = if testable && adj_slow[i] <= opts.alpha && p.bad_estimate >= effect {
            Verdict::Regression
        } else if testable && adj_impr[i] <= opts.alpha && p.bad_estimate <= -effect {
            Verdict::Improvement
        } else if matches!(p.ci, Some((lo, hi)) if lo >= eq_low && hi <= eq_high) {
            Verdict::NoChange
        } else if let Some(reason) = p.guard.take() {
            Verdict::Inconclusive(reason)
        } else if let Some((lo, hi)) = p.ci {
            Verdict::Inconclusive(format!(
                "95% CI {} .. {} is wider than ±{}; run more rounds",
                pct(lo.exp()),
                pct(hi.exp()),
                trim_pct(opts.min_effect)
            ))
        } else {
            Verdict::Inconclusive("too few samples for a 95% confidence interval (paired runs need at least 6 rounds); run more rounds".into())
        };
        p.row.reason = p.row.verdict.reason().map(str::to_string);
        rows.push(p.row);
    }
    rows.sort_by(|a, b| (&a.name, &a.metric).cmp(&(&b.name, &b.metric)));
    let mut warnings = Vec::new();
    let unpaired = rows
        .iter()
        .filter(|r| r.mode == Some(Mode::Unpaired))
        .count();
    if unpaired > 0 && rows.iter().any(|r| r.mode == Some(Mode::Paired)) {
        warnings.push(format!(
            "{unpaired} rows had no complete pairing and were analysed as independent samples"
        ));
    }
    Ok(Report {
        alpha: opts.alpha,
        min_effect: opts.min_effect,
        tests,
        min_pairs,
        rows,
        warnings,
    })
}

/// Formats a ratio as a signed percentage change, e.g. `+5.1%`.
pub(crate) fn pct(ratio: f64) -> String {
    format!("{:+.1}%", (ratio - 1.0) * 100.0)
}

fn trim_pct(fraction: f64) -> String {
    let s = format!("{:.2}", fraction * 100.0);
    format!("{}%", s.trim_end_matches('0').trim_end_matches('.'))
}

fn summary(series: &Series) -> SideSummary {
    SideSummary {
        n: series.samples.len(),
        median: stats::median(&series.values()),
    }
}

fn empty_row(key: &MetricKey, series: &Series, verdict: Verdict) -> Row {
    Row {
        name: key.name.clone(),
        metric: key.metric.clone(),
        unit: series.unit.clone(),
        direction: series.direction,
        base: None,
        head: None,
        ratio: None,
        ci_low: None,
        ci_high: None,
        p_value: None,
        p_adjusted: None,
        reason: verdict.reason().map(str::to_string),
        verdict,
        mode: None,
        p_slowdown: None,
    }
}

fn one_sided_row(key: &MetricKey, series: &Series, side: Side) -> Row {
    let (verdict, base, head) = match side {
        Side::Base => (Verdict::Missing, Some(summary(series)), None),
        Side::Head => (Verdict::New, None, Some(summary(series))),
    };
    Row {
        base,
        head,
        ..empty_row(key, series, verdict)
    }
}

/// Per-pair geometric means of both sides, for pairs present on both; None unless every sample is paired.
fn pairs(b: &Series, h: &Series) -> Option<Vec<(f64, f64)>> {
    let group = |s: &Series| -> Option<BTreeMap<u32, (f64, usize)>> {
        let mut m: BTreeMap<u32, (f64, usize)> = BTreeMap::new();
        for sample in &s.samples {
            let e = m.entry(sample.pair?).or_insert((0.0, 0));
            e.0 += sample.value.ln();
            e.1 += 1;
        }
        Some(m)
    };
    let (gb, gh) = (group(b)?, group(h)?);
    Some(
        gb.iter()
            .filter_map(|(pair, (sb, nb))| {
                gh.get(pair)
                    .map(|(sh, nh)| (sb / *nb as f64, sh / *nh as f64))
            })
            .collect(),
    )
}

fn analyse_row(
    key: &MetricKey,
    b: &Series,
    h: &Series,
    opts: &Options,
    threshold: f64,
    min_pairs: usize,
) -> Result<Partial, Box<Row>> {
    let mut row = empty_row(key, b, Verdict::NoChange);
    row.base = Some(summary(b));
    row.head = Some(summary(h));
    if b.samples.len() < 2 || h.samples.len() < 2 {
        row.verdict = Verdict::Inconclusive(format!(
            "fewer than 2 samples (base n={}, head n={}); run the benchmark more times",
            b.samples.len(),
            h.samples.len()
        ));
        row.reason = row.verdict.reason().map(str::to_string);
        return Err(Box::new(row));
    }
    let sign = b.direction.badness_sign();
    let paired = match opts.pairing {
        Pairing::Auto => pairs(b, h).filter(|p| p.len() >= 2),
        Pairing::Unpaired => None,
    };
    let (estimate, p_slow, p_impr, guard) = if let Some(pairs) = paired {
        row.mode = Some(Mode::Paired);
        let d: Vec<f64> = pairs.iter().map(|(lb, lh)| lh - lb).collect();
        let bad: Vec<f64> = d.iter().map(|x| sign * x).collect();
        let p = |alt| stats::wilcoxon_signed_rank(&bad, alt).map_or(1.0, |t| t.p_value);
        let guard = (d.len() < min_pairs).then(|| {
            format!(
                "{} pairs cannot reach p ≤ α/N = {:.2e} after Holm over {} rows; run at least {} rounds",
                d.len(),
                threshold,
                (opts.alpha / threshold).round(),
                min_pairs
            )
        });
        let est = stats::hodges_lehmann_paired(&d, opts.confidence).expect("at least 2 pairs");
        (est, p(Alternative::Greater), p(Alternative::Less), guard)
    } else {
        row.mode = Some(Mode::Unpaired);
        let lb: Vec<f64> = b.values().iter().map(|v| v.ln()).collect();
        let lh: Vec<f64> = h.values().iter().map(|v| v.ln()).collect();
        let (slow_alt, impr_alt) = match b.direction {
            Direction::LowerIsBetter => (Alternative::Greater, Alternative::Less),
            Direction::HigherIsBetter => (Alternative::Less, Alternative::Greater),
        };
        let p = |alt| stats::mann_whitney_u(&lb, &lh, alt).map_or(1.0, |t| t.p_value);
        let guard = (stats::unpaired_min_p(lb.len(), lh.len()) > threshold).then(|| {
            format!(
                "{} vs {} samples cannot reach p ≤ α/N = {:.2e} after Holm over {} rows; collect more samples per side",
                lb.len(),
                lh.len(),
                threshold,
                (opts.alpha / threshold).round()
            )
        });
        let est =
            stats::hodges_lehmann_shift(&lb, &lh, opts.confidence).expect("at least 2 samples");
        (est, p(slow_alt), p(impr_alt), guard)
    };
    row.ratio = Some(estimate.estimate.exp());
    row.ci_low = estimate.low.map(f64::exp);
    row.ci_high = estimate.high.map(f64::exp);
    row.p_slowdown = Some(p_slow);
    Ok(Partial {
        bad_estimate: sign * estimate.estimate,
        p_slow,
        p_impr,
        ci: estimate.low.zip(estimate.high),
        guard,
        row,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bench::model::Measurement;

    fn set(side: Side, data: &[(&str, &str, &[f64])], paired: bool) -> SampleSet {
        let mut s = SampleSet::default();
        for (name, unit, values) in data {
            for (i, v) in values.iter().enumerate() {
                s.push(
                    Measurement::with_unit(*name, "m", *unit, *v),
                    paired.then_some(i as u32),
                    side,
                )
                .unwrap();
            }
        }
        s
    }

    /// Deterministic multiplicative jitter in ±3%.
    fn jitter(n: usize, seed: u64, scale: f64) -> Vec<f64> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (x >> 11) as f64 / (1u64 << 53) as f64;
                scale * (1.0 + 0.06 * (u - 0.5))
            })
            .collect()
    }

    fn row<'a>(r: &'a Report, name: &str) -> &'a Row {
        r.rows.iter().find(|x| x.name == name).unwrap()
    }

    #[test]
    fn clear_slowdown_is_a_regression_and_speedup_an_improvement() {
        let base_v = jitter(20, 1, 1.0);
        let slow: Vec<f64> = jitter(20, 2, 1.0).iter().map(|v| v * 1.2).collect();
        let fast: Vec<f64> = jitter(20, 3, 1.0).iter().map(|v| v * 0.8).collect();
        let base = set(
            Side::Base,
            &[("slow", "s", &base_v), ("fast", "s", &base_v)],
            false,
        );
        let head = set(
            Side::Head,
            &[("slow", "s", &slow), ("fast", "s", &fast)],
            false,
        );
        let r = compare(&base, &head, &Options::default()).unwrap();
        assert_eq!(r.tests, 2);
        let s = row(&r, "slow");
        assert_eq!(s.verdict, Verdict::Regression);
        assert_eq!(s.mode, Some(Mode::Unpaired));
        let ratio = s.ratio.unwrap();
        assert!((1.15..1.25).contains(&ratio), "{ratio}");
        assert!(s.ci_low.unwrap() < ratio && ratio < s.ci_high.unwrap());
        assert!(s.p_adjusted.unwrap() <= 0.05 && s.p_adjusted.unwrap() >= s.p_value.unwrap());
        assert_eq!(row(&r, "fast").verdict, Verdict::Improvement);
        assert!(r.fails(GatePolicy::default()));
    }

    #[test]
    fn throughput_drop_is_a_regression() {
        let base_v = jitter(20, 4, 1000.0);
        let head_v: Vec<f64> = jitter(20, 5, 1000.0).iter().map(|v| v * 0.85).collect();
        let base = set(Side::Base, &[("rpc", "rpcs/s", &base_v)], true);
        let head = set(Side::Head, &[("rpc", "rpcs/s", &head_v)], true);
        let r = compare(&base, &head, &Options::default()).unwrap();
        let row = row(&r, "rpc");
        assert_eq!(row.direction, Direction::HigherIsBetter);
        assert_eq!(row.mode, Some(Mode::Paired));
        assert_eq!(row.verdict, Verdict::Regression);
        assert!(row.ratio.unwrap() < 0.9);
    }

    #[test]
    fn identical_distributions_are_no_change() {
        let v = jitter(30, 6, 2.0);
        let w = jitter(30, 7, 2.0);
        let r = compare(
            &set(Side::Base, &[("a", "s", &v)], true),
            &set(Side::Head, &[("a", "s", &w)], true),
            &Options::default(),
        )
        .unwrap();
        assert_eq!(row(&r, "a").verdict, Verdict::NoChange, "{:?}", r.rows);
        assert!(!r.fails(GatePolicy {
            fail_on_inconclusive: true,
            fail_on_missing: true
        }));
    }

    #[test]
    fn significant_change_below_min_effect_never_fails_the_gate() {
        // A consistent 1% slowdown with almost no noise: significant, but below --min-effect 2%.
        let v: Vec<f64> = jitter(30, 8, 1.0)
            .iter()
            .map(|x| 1.0 + (x - 1.0) / 30.0)
            .collect();
        let w: Vec<f64> = v.iter().map(|x| x * 1.01).collect();
        let r = compare(
            &set(Side::Base, &[("a", "s", &v)], true),
            &set(Side::Head, &[("a", "s", &w)], true),
            &Options::default(),
        )
        .unwrap();
        let row = row(&r, "a");
        assert!(row.p_adjusted.unwrap() < 0.001);
        assert_eq!(row.verdict, Verdict::NoChange);
        let strict = Options {
            min_effect: 0.005,
            ..Options::default()
        };
        let r = compare(
            &set(Side::Base, &[("a", "s", &v)], true),
            &set(Side::Head, &[("a", "s", &w)], true),
            &strict,
        )
        .unwrap();
        assert_eq!(r.rows[0].verdict, Verdict::Regression);
    }

    #[test]
    fn holm_spans_every_row() {
        // One moderately significant slowdown among many null rows is no longer significant after Holm.
        let mut base_data: Vec<(String, Vec<f64>)> = Vec::new();
        let mut head_data: Vec<(String, Vec<f64>)> = Vec::new();
        for i in 0..40 {
            base_data.push((format!("b{i:02}"), jitter(8, 100 + i, 1.0)));
            head_data.push((format!("b{i:02}"), jitter(8, 200 + i, 1.0)));
        }
        head_data[0].1 = base_data[0]
            .1
            .iter()
            .enumerate()
            .map(|(i, v)| v * (1.04 + 0.001 * i as f64))
            .collect();
        let to = |d: &Vec<(String, Vec<f64>)>, side| {
            let refs: Vec<(&str, &str, &[f64])> = d
                .iter()
                .map(|(n, v)| (n.as_str(), "s", v.as_slice()))
                .collect();
            set(side, &refs, true)
        };
        let r = compare(
            &to(&base_data, Side::Base),
            &to(&head_data, Side::Head),
            &Options::default(),
        )
        .unwrap();
        let first = row(&r, "b00");
        // 8 pairs all slower: p = 2^-8 = 0.0039 > 0.05/40; the guard explains why.
        assert!((first.p_value.unwrap() - 0.00390625).abs() < 1e-12);
        assert!((first.p_adjusted.unwrap() - 0.15625).abs() < 1e-9);
        assert_eq!(r.min_pairs, 10);
        match &first.verdict {
            Verdict::Inconclusive(reason) => {
                assert!(reason.contains("run at least 10 rounds"), "{reason}")
            }
            v => panic!("expected inconclusive, got {v:?}"),
        }
    }

    #[test]
    fn one_sided_rows_are_new_and_missing() {
        let v = jitter(5, 9, 1.0);
        let r = compare(
            &set(Side::Base, &[("old", "s", &v)], false),
            &set(Side::Head, &[("new", "s", &v)], false),
            &Options::default(),
        )
        .unwrap();
        assert_eq!(row(&r, "old").verdict, Verdict::Missing);
        assert_eq!(row(&r, "new").verdict, Verdict::New);
        assert!(!r.fails(GatePolicy::default()));
        assert!(r.fails(GatePolicy {
            fail_on_missing: true,
            ..GatePolicy::default()
        }));
    }

    #[test]
    fn fewer_than_two_samples_is_inconclusive() {
        let r = compare(
            &set(Side::Base, &[("a", "s", &[1.0])], false),
            &set(Side::Head, &[("a", "s", &[2.0, 2.1])], false),
            &Options::default(),
        )
        .unwrap();
        let reason = r.rows[0].verdict.reason().unwrap();
        assert!(
            reason.contains("fewer than 2 samples (base n=1, head n=2)"),
            "{reason}"
        );
        assert_eq!(r.tests, 0);
        assert!(r.fails(GatePolicy {
            fail_on_inconclusive: true,
            ..GatePolicy::default()
        }));
    }

    #[test]
    fn mismatched_units_are_an_error() {
        let err = compare(
            &set(Side::Base, &[("a", "op/s", &[1.0, 2.0])], false),
            &set(Side::Head, &[("a", "rpcs/s", &[1.0, 2.0])], false),
            &Options::default(),
        )
        .unwrap_err();
        assert!(matches!(err, AnalysisError::UnitMismatch { .. }));
        assert!(err
            .to_string()
            .contains("`op/s` in base but `rpcs/s` in head"));
    }

    #[test]
    fn zero_negative_and_nan_values_are_errors() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            let err = compare(
                &set(Side::Base, &[("a", "s", &[1.0, 2.0])], false),
                &set(Side::Head, &[("a", "s", &[1.0, bad])], false),
                &Options::default(),
            )
            .unwrap_err();
            assert!(
                matches!(
                    err,
                    AnalysisError::BadValue {
                        side: Side::Head,
                        ..
                    }
                ),
                "{bad}"
            );
            assert!(err.to_string().contains("greater than zero"));
        }
    }

    #[test]
    fn empty_inputs_and_bad_options_are_errors() {
        let empty = SampleSet::default();
        assert_eq!(
            compare(&empty, &empty, &Options::default()).unwrap_err(),
            AnalysisError::Empty
        );
        let v = set(Side::Base, &[("a", "s", &[1.0, 2.0])], false);
        let bad = Options {
            alpha: 0.0,
            ..Options::default()
        };
        assert!(compare(&v, &v, &bad)
            .unwrap_err()
            .to_string()
            .contains("--alpha"));
    }

    #[test]
    fn wide_interval_is_inconclusive_with_reason() {
        let v = [1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0, 1.0, 2.0];
        let w = [2.0, 1.0, 1.5, 1.0, 2.0, 1.2, 1.0, 2.0, 1.3, 2.0, 1.9, 1.1];
        let r = compare(
            &set(Side::Base, &[("a", "s", &v)], true),
            &set(Side::Head, &[("a", "s", &w)], true),
            &Options::default(),
        )
        .unwrap();
        let reason = r.rows[0].verdict.reason().unwrap();
        assert!(reason.contains("wider than ±2%"), "{reason}");
    }

    #[test]
    fn incomplete_pairing_falls_back_to_unpaired() {
        let mut base = set(Side::Base, &[("a", "s", &jitter(10, 1, 1.0))], true);
        base.push(Measurement::with_unit("a", "m", "s", 1.0), None, Side::Base)
            .unwrap();
        let head = set(Side::Head, &[("a", "s", &jitter(10, 2, 1.0))], true);
        let r = compare(&base, &head, &Options::default()).unwrap();
        assert_eq!(r.rows[0].mode, Some(Mode::Unpaired));
    }
}
