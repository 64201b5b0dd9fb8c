//! Simulates noisy benchmark suites and prints the gate's power and family-wise false-alarm rates
//! next to the targets of issue 6, plus the time to analyse 1,000 benchmarks × 30 samples.
//!
//! Run with `cargo bench --bench accuracy`. `ACCURACY_TRIALS` overrides the trial count (default 10000).

use release_kit::model::bench::analysis::{compare, Options, Verdict};
use release_kit::model::bench::model::{Measurement, SampleSet, Side};
use release_kit::model::bench::schedule::{plan, BlockOrder, SplitMix64};
use std::time::Instant;

const SIGMA: f64 = 0.03;
const N_BENCH: usize = 50;

/// How the noise of a simulated suite behaves.
#[derive(Clone, Copy)]
enum Noise {
    /// Independent log-normal noise per sample, sides analysed as independent samples.
    IidUnpaired,
    /// Independent noise, interleaved pairs analysed paired.
    IidPaired,
    /// Every round (one base and one head run of the whole suite) shares a log-normal drift of this σ.
    SharedRoundDrift(f64),
    /// The machine's speed random-walks by this σ per suite run, runs ordered by `BlockOrder`.
    RandomWalk(f64, BlockOrder),
    /// Independent noise plus this fraction of samples multiplied by 3, paired.
    Outliers(f64),
}

struct Trial {
    base: SampleSet,
    head: SampleSet,
}

/// One simulated suite: `effects[i]` is the true head/base ratio of benchmark i.
fn simulate(rng: &mut SplitMix64, noise: Noise, n: u32, effects: &[f64]) -> Trial {
    let mut base = SampleSet::default();
    let mut head = SampleSet::default();
    let paired = !matches!(noise, Noise::IidUnpaired);
    let order = match noise {
        Noise::RandomWalk(_, order) => order,
        _ => BlockOrder::Abba,
    };
    let slots = plan(n, order, rng.next_u64());
    let mut walk = 0.0;
    let mut round_drift = vec![0.0; n as usize];
    if let Noise::SharedRoundDrift(s) = noise {
        for d in &mut round_drift {
            *d = s * rng.next_normal();
        }
    }
    for slot in slots {
        let machine = match noise {
            Noise::RandomWalk(step, _) => {
                walk += step * rng.next_normal();
                walk
            }
            Noise::SharedRoundDrift(_) => round_drift[slot.pair as usize],
            _ => 0.0,
        };
        for (i, effect) in effects.iter().enumerate() {
            let mut v = (machine + SIGMA * rng.next_normal()).exp();
            if let Noise::Outliers(rate) = noise {
                if rng.next_f64() < rate {
                    v *= 3.0;
                }
            }
            let (set, v) = match slot.side {
                Side::Base => (&mut base, v),
                Side::Head => (&mut head, v * effect),
            };
            let m = Measurement::duration(BENCH_NAMES[i], "time", v);
            set.push(m, paired.then_some(slot.pair), slot.side)
                .expect("one unit");
        }
    }
    Trial { base, head }
}

static BENCH_NAMES: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    (0..1000)
        .map(|i| &*Box::leak(format!("Suite.Bench{i:04}").into_boxed_str()))
        .collect()
});

/// Share of trials where benchmark 0 (true ratio `effect0`, the other 49 null) was flagged as a regression.
fn run(noise: Noise, n: u32, effect0: f64, trials: usize, opts: &Options, seed: u64) -> f64 {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    let results: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut rng =
                        SplitMix64::new(seed ^ (t as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
                    let mut effects = vec![1.0; N_BENCH];
                    effects[0] = effect0;
                    let mut hit0 = 0;
                    let lo = (t * trials) / threads;
                    let hi = ((t + 1) * trials) / threads;
                    for _ in lo..hi {
                        let trial = simulate(&mut rng, noise, n, &effects);
                        let report =
                            compare(&trial.base, &trial.head, opts).expect("valid simulated data");
                        let flagged = |r: &&release_kit::model::bench::analysis::Row| {
                            r.verdict == Verdict::Regression
                        };
                        hit0 += usize::from(
                            report
                                .rows
                                .iter()
                                .filter(flagged)
                                .any(|r| r.name == BENCH_NAMES[0]),
                        );
                    }
                    hit0
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    results.iter().sum::<usize>() as f64 / trials as f64
}

/// Prints a rate with its Monte-Carlo standard error (or a time) next to its target.
fn line(what: &str, figure: f64, trials: Option<usize>, target: &str, verdict: &str) {
    let se = trials.map_or(String::new(), |t| {
        format!("± {:.4}", (figure * (1.0 - figure) / t as f64).sqrt())
    });
    println!("{what:<74} {figure:>8.4} {se:<9}  target {target:<8} {verdict}");
}

fn main() {
    // `cargo bench` passes `--bench`; ignore arguments.
    let trials: usize = std::env::var("ACCURACY_TRIALS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10000);
    let opts = Options::default();
    let started = Instant::now();
    println!("bench-compare accuracy: log-normal σ = 3%, N = {N_BENCH} benchmarks, {trials} trials per figure, α = 0.05, min-effect 2%\n");

    let mut all_ok = true;
    let mut check = |what: &str, figure: f64, target: &str, ok: bool| {
        all_ok &= ok;
        let rate = (figure <= 1.0).then_some(trials);
        line(what, figure, rate, target, if ok { "ok" } else { "MISSED" });
    };

    let alt = run(Noise::IidUnpaired, 20, 1.05, trials, &opts, 1);
    check(
        "iid, n=20 unpaired (Mann–Whitney): power for one +5% regression",
        alt,
        "≥ 0.90",
        alt >= 0.90,
    );
    let nul = run_family(Noise::IidUnpaired, 20, trials, &opts, 2);
    check(
        "iid, n=20 unpaired: family false-alarm rate, all-null suites",
        nul,
        "≤ 0.055",
        nul <= 0.055,
    );
    let alt = run(Noise::IidPaired, 20, 1.05, trials, &opts, 3);
    check(
        "iid, n=20 paired ABBA (Wilcoxon): power for one +5% regression",
        alt,
        "≥ 0.90",
        alt >= 0.90,
    );
    let nul = run_family(Noise::IidPaired, 20, trials, &opts, 4);
    check(
        "iid, n=20 paired ABBA: family false-alarm rate, all-null suites",
        nul,
        "≤ 0.055",
        nul <= 0.055,
    );

    let alt = run(Noise::SharedRoundDrift(0.05), 20, 1.05, trials, &opts, 5);
    check(
        "shared 5% per-round drift, paired, n=20: power",
        alt,
        "≥ 0.85",
        alt >= 0.85,
    );
    let nul = run_family(Noise::SharedRoundDrift(0.05), 20, trials, &opts, 6);
    check(
        "shared 5% per-round drift, paired, n=20: family false alarms",
        nul,
        "≤ 0.055",
        nul <= 0.055,
    );

    let alt = run(
        Noise::RandomWalk(0.01, BlockOrder::Abba),
        20,
        1.05,
        trials,
        &opts,
        7,
    );
    check(
        "random-walk drift 1%/run, ABBA order, n=20: power",
        alt,
        "≥ 0.85",
        alt >= 0.85,
    );
    let nul = run_family(
        Noise::RandomWalk(0.01, BlockOrder::Abba),
        20,
        trials,
        &opts,
        8,
    );
    check(
        "random-walk drift 1%/run, ABBA order, n=20: family false alarms",
        nul,
        "≤ 0.055",
        nul <= 0.055,
    );
    let nul = run_family(
        Noise::RandomWalk(0.01, BlockOrder::Sequential),
        20,
        trials,
        &opts,
        9,
    );
    line(
        "random-walk drift 1%/run, AAAA…BBBB order, n=20: family false alarms",
        nul,
        Some(trials),
        "≤ 0.055",
        if nul <= 0.055 {
            "ok (expected to fail!)"
        } else {
            "fails, as expected: why ABBA"
        },
    );

    let small = run(Noise::IidUnpaired, 20, 1.01, trials, &opts, 10);
    check(
        "true +1% change, min-effect 2%, iid n=20 unpaired: that row fails the gate",
        small,
        "≤ 0.02",
        small <= 0.02,
    );
    let small = run(Noise::IidPaired, 20, 1.01, trials, &opts, 11);
    check(
        "true +1% change, min-effect 2%, iid n=20 paired: that row fails the gate",
        small,
        "≤ 0.02",
        small <= 0.02,
    );

    let nul = run_family(Noise::Outliers(0.05), 20, trials, &opts, 12);
    check(
        "5% outliers at 3×, paired, n=20: family false alarms",
        nul,
        "≤ 0.055",
        nul <= 0.055,
    );
    let alt = run(Noise::Outliers(0.05), 20, 1.05, trials, &opts, 13);
    line(
        "5% outliers at 3×, paired, n=20: power for +5% (for information)",
        alt,
        Some(trials),
        "none",
        "",
    );

    // Performance: 1,000 benchmarks × 30 samples per side.
    let mut rng = SplitMix64::new(99);
    let effects = vec![1.0; 1000];
    let paired = simulate(&mut rng, Noise::IidPaired, 30, &effects);
    let unpaired = simulate(&mut rng, Noise::IidUnpaired, 30, &effects);
    for (label, trial) in [("paired", &paired), ("unpaired", &unpaired)] {
        let mut times = Vec::new();
        for _ in 0..7 {
            let t = Instant::now();
            let report = compare(&trial.base, &trial.head, &opts).expect("valid");
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(report.rows.len(), 1000);
        }
        times.sort_by(f64::total_cmp);
        let ms = times[times.len() / 2];
        let ok = ms < 100.0;
        all_ok &= ok;
        line(
            &format!("analyse 1,000 benchmarks × 30 samples, {label} (median of 7), ms"),
            ms,
            None,
            "< 100",
            if ok { "ok" } else { "MISSED" },
        );
    }
    println!(
        "\n{} in {:.1}s",
        if all_ok {
            "all targets met"
        } else {
            "SOME TARGETS MISSED"
        },
        started.elapsed().as_secs_f64()
    );
}

/// Family false-alarm rate of all-null suites: any of the 50 benchmarks flagged.
fn run_family(noise: Noise, n: u32, trials: usize, opts: &Options, seed: u64) -> f64 {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    let counts: Vec<usize> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                s.spawn(move || {
                    let mut rng =
                        SplitMix64::new(seed ^ (t as u64 + 1).wrapping_mul(0xA24B_AED4_963E_E407));
                    let effects = vec![1.0; N_BENCH];
                    let lo = (t * trials) / threads;
                    let hi = ((t + 1) * trials) / threads;
                    (lo..hi)
                        .filter(|_| {
                            let trial = simulate(&mut rng, noise, n, &effects);
                            let report = compare(&trial.base, &trial.head, opts)
                                .expect("valid simulated data");
                            report.rows.iter().any(|r| r.verdict == Verdict::Regression)
                        })
                        .count()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("worker"))
            .collect()
    });
    counts.iter().sum::<usize>() as f64 / trials as f64
}
