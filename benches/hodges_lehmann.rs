//! Times the Hodges–Lehmann estimates with their 95% confidence intervals, and the whole analysis
//! of one benchmark, at 1k, 30k and 1M samples per side: the O(n log n) selection the gate uses
//! beside the quadratic definition it replaced (every Walsh average / pairwise difference
//! materialised and sorted), each in its own process so that its peak RSS (VmHWM) is its own.
//!
//! Run with `cargo bench --bench hodges_lehmann`. The quadratic version runs only where its
//! 8 bytes per element fit under `HL_BENCH_QUADRATIC_MAX_BYTES` (default 4 GiB) and finishes
//! within `HL_BENCH_TIMEOUT` seconds (default 300). `HL_BENCH_SIZES` overrides the sizes.

use release_kit::model::bench::analysis::{compare, Options};
use release_kit::model::bench::hodges_lehmann::reference;
use release_kit::model::bench::model::{Measurement, SampleSet, Side};
use release_kit::model::bench::schedule::SplitMix64;
use release_kit::model::bench::stats::{hodges_lehmann_paired, hodges_lehmann_shift};
use release_kit::outside::process::Cmd;
use std::time::{Duration, Instant};

const CONFIDENCE: f64 = 0.95;

/// Log-normal timings around 10 ms with 3% noise, rounded to the microsecond (ties, as real
/// timings have); head is 1% slower.
fn timings(n: usize, seed: u64, factor: f64) -> Vec<f64> {
    let mut rng = SplitMix64::new(seed);
    (0..n)
        .map(|_| {
            let t = 0.010 * factor * (0.03 * rng.next_normal()).exp();
            (t * 1e6).round() / 1e6
        })
        .collect()
}

fn logs(v: &[f64]) -> Vec<f64> {
    v.iter().map(|x| x.ln()).collect()
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

/// The normal-approximation critical values the gate uses above 50 samples (exact below).
fn k_paired(n: usize) -> Option<u64> {
    let nf = n as f64;
    let sd = (nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0).sqrt();
    let k = (nf * (nf + 1.0) / 4.0 - 1.959_963_984_540_054 * sd).floor();
    (k >= 1.0).then_some(k as u64)
}

fn k_shift(m: usize, n: usize) -> Option<u64> {
    let (mf, nf) = (m as f64, n as f64);
    let sd = (mf * nf * (mf + nf + 1.0) / 12.0).sqrt();
    let k = (mf * nf / 2.0 - 1.959_963_984_540_054 * sd).floor();
    (k >= 1.0).then_some(k as u64)
}

/// One measurement in this process: prints `seconds peak_kib estimate low high`.
fn one(implementation: &str, kind: &str, n: usize) {
    let base = timings(n, 1, 1.0);
    let head = timings(n, 2, 1.01);
    let started = Instant::now();
    let (estimate, ci) = match (implementation, kind) {
        ("nlogn", "paired") => {
            let d: Vec<f64> = logs(&head)
                .iter()
                .zip(logs(&base))
                .map(|(h, b)| h - b)
                .collect();
            let e = hodges_lehmann_paired(&d, CONFIDENCE).expect("non-empty");
            (e.estimate, e.low.zip(e.high))
        }
        ("quadratic", "paired") => {
            let d: Vec<f64> = logs(&head)
                .iter()
                .zip(logs(&base))
                .map(|(h, b)| h - b)
                .collect();
            reference::walsh(&d, k_paired(n))
        }
        ("nlogn", "unpaired") => {
            let e =
                hodges_lehmann_shift(&logs(&base), &logs(&head), CONFIDENCE).expect("non-empty");
            (e.estimate, e.low.zip(e.high))
        }
        ("quadratic", "unpaired") => {
            reference::differences(&logs(&base), &logs(&head), k_shift(n, n))
        }
        ("nlogn", "analysis") => {
            // The whole analysis of one benchmark with n interleaved pairs, from the sample sets.
            let (mut b, mut h) = (SampleSet::default(), SampleSet::default());
            for (i, (x, y)) in base.iter().zip(&head).enumerate() {
                let pair = Some(i as u32);
                b.push(Measurement::duration("B", "t", *x), pair, Side::Base)
                    .expect("one unit");
                h.push(Measurement::duration("B", "t", *y), pair, Side::Head)
                    .expect("one unit");
            }
            let started = Instant::now();
            let report = compare(&b, &h, &Options::default()).expect("valid input");
            let secs = started.elapsed().as_secs_f64();
            let row = &report.rows[0];
            let ratio = row.ratio.expect("compared");
            println!(
                "{secs:.3} {} {} {} {}",
                peak_rss_kib(),
                ratio.ln(),
                row.ci_low.map_or(f64::NAN, f64::ln),
                row.ci_high.map_or(f64::NAN, f64::ln)
            );
            return;
        }
        other => panic!("unknown measurement {other:?}"),
    };
    let secs = started.elapsed().as_secs_f64();
    let (lo, hi) = ci.unwrap_or((f64::NAN, f64::NAN));
    println!("{secs:.3} {} {estimate} {lo} {hi}", peak_rss_kib());
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--one") {
        let n = args[i + 3].parse().expect("a size");
        one(&args[i + 1], &args[i + 2], n);
        return;
    }
    let sizes: Vec<usize> = std::env::var("HL_BENCH_SIZES")
        .unwrap_or_else(|_| "1000,30000,1000000".into())
        .split(',')
        .map(|s| {
            s.trim()
                .parse()
                .expect("HL_BENCH_SIZES: comma-separated sizes")
        })
        .collect();
    let max_bytes = env_u64("HL_BENCH_QUADRATIC_MAX_BYTES", 4 << 30);
    let timeout = Duration::from_secs(env_u64("HL_BENCH_TIMEOUT", 300));
    let exe = std::env::current_exe().expect("own path");
    println!("Hodges–Lehmann estimate + 95% CI; n samples per side (paired: n pairs); time in s, peak RSS in MiB");
    println!(
        "{:<10} {:>9}  {:>9} {:>9}  {:>9} {:>9}  same estimates",
        "kind", "n", "nlogn s", "MiB", "quadr. s", "MiB"
    );
    for kind in ["paired", "unpaired", "analysis"] {
        for &n in &sizes {
            let elements = match kind {
                "paired" => (n as u64) * (n as u64 + 1) / 2,
                _ => (n as u64) * (n as u64),
            };
            let run = |implementation: &str| -> Result<Vec<String>, String> {
                let out = Cmd::new(
                    &exe,
                    format!("time the {implementation} {kind} estimate at n = {n}"),
                )
                .args(["--one", implementation, kind, &n.to_string()])
                .timeout(timeout)
                .run()
                .map_err(|e| e.to_string().lines().next().unwrap_or("failed").to_string())?;
                Ok(String::from_utf8_lossy(&out.stdout)
                    .split_whitespace()
                    .map(str::to_string)
                    .collect())
            };
            let fast = run("nlogn");
            let slow = if kind == "analysis" {
                Err("(no quadratic switch in the analysis)".to_string())
            } else if elements.saturating_mul(8) > max_bytes {
                Err(format!(
                    "skipped: needs {:.1} GiB",
                    (elements * 8) as f64 / f64::from(1u32 << 30)
                ))
            } else {
                run("quadratic")
            };
            let cells = |r: &Result<Vec<String>, String>| match r {
                Ok(v) => format!(
                    "{:>9} {:>9.1}",
                    v[0],
                    v[1].parse::<f64>().unwrap_or(0.0) / 1024.0
                ),
                Err(e) => format!("{e:>19}"),
            };
            let same = match (&fast, &slow) {
                (Ok(a), Ok(b)) => {
                    if a[2..] == b[2..] {
                        "yes".to_string()
                    } else {
                        format!("NO: {:?} vs {:?}", &a[2..], &b[2..])
                    }
                }
                _ => "—".to_string(),
            };
            println!(
                "{kind:<10} {n:>9}  {}  {}  {same}",
                cells(&fast),
                match &slow {
                    Ok(_) => cells(&slow),
                    Err(e) => e.clone(),
                }
            );
        }
    }
}
