//! Parse and check a generated 10,000-line Mesos-style CHANGELOG; the target is under 50 ms.
//! `cargo bench --bench changelog` prints the figures and fails when the median misses it.

use std::time::{Duration, Instant};

use release_kit::config::Config;
use release_kit::model::changelog::checks::{self, File};
use release_kit::model::changelog::parse;
use release_kit::model::changelog::synth::{self, Spec};

const TARGET: Duration = Duration::from_millis(50);
const RUNS: usize = 30;

fn main() {
    let format = Config::default()
        .changelog_format()
        .expect("the default config compiles");
    let spec = Spec {
        wip_newest: true,
        ..Spec::lines(10_000)
    };
    let text = synth::generate(&spec);
    let version = synth::newest(&spec);
    let lines = text.lines().count();
    let file = File("CHANGELOG");
    let heading = format.render_heading(version, "Mesos", "mesos");

    let mut times = Vec::with_capacity(RUNS);
    let mut findings = 0;
    for _ in 0..RUNS {
        let start = Instant::now();
        let cl = parse(&text, &format);
        let section = cl.section(version).expect("the newest section exists");
        let all = [
            checks::section(&cl, file, version, Some("1.0.0-rc1"), &format, &heading),
            checks::headings(&cl, file, &heading),
            checks::structure(section, file, &format, true),
            checks::issue_keys(section, file, &format, "MESOS"),
            checks::branch_sync(&cl, Some(&cl), file, version, "origin/master"),
        ];
        findings = all.iter().map(|c| c.findings.len()).sum::<usize>();
        times.push(start.elapsed());
        std::hint::black_box((cl.sections.len(), findings));
    }
    times.sort();
    let median = times[RUNS / 2];
    let mean = times.iter().sum::<Duration>() / RUNS as u32;
    let cl = parse(&text, &format);
    println!(
        "changelog: {lines} lines, {} sections, {} entries, {findings} finding(s)",
        cl.sections.len(),
        cl.sections.iter().map(|s| s.entries.len()).sum::<usize>()
    );
    println!(
        "parse + check ({RUNS} runs): min {:.2} ms, median {:.2} ms, mean {:.2} ms, max {:.2} ms (target < {} ms)",
        ms(times[0]),
        ms(median),
        ms(mean),
        ms(times[RUNS - 1]),
        TARGET.as_millis()
    );
    if median >= TARGET {
        eprintln!("FAIL: the median {:.2} ms misses the target", ms(median));
        std::process::exit(1);
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
