//! CLI tests of bench-compare: the real binary on fixtures and on small shell commands.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bench")
        .join(name)
}

fn bench_compare(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench-compare"))
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("RELEASE_KIT_FORMAT")
        .output()
        .expect("bench-compare runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A gtest log with `n` runs of one benchmark, each taking `ms` × a small deterministic wobble.
fn log(dir: &Path, name: &str, ms: f64, n: usize) -> PathBuf {
    let mut text = String::new();
    for i in 0..n {
        let wobble = 1.0 + ((i * 7919) % 13) as f64 * 0.001;
        text.push_str(&format!(
            "[ RUN      ] Alloc_BENCHMARK_Test.Add/1\nAdded 1000 agents in {:.6}ms\n[       OK ] Alloc_BENCHMARK_Test.Add/1 (10 ms)\n",
            ms * wobble
        ));
    }
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write the log");
    path
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

#[test]
fn compare_finds_a_regression_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let base = log(dir.path(), "base.log", 100.0, 12);
    let head = log(dir.path(), "head.log", 120.0, 12);
    let svg = dir.path().join("plot.svg");
    let junit = dir.path().join("junit.xml");
    let o = bench_compare(&[
        "compare",
        "--base",
        s(&base),
        "--head",
        s(&head),
        "--svg",
        s(&svg),
        "--junit",
        s(&junit),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(
        out.contains("Alloc_BENCHMARK_Test.Add/1 · Added {n} agents in {t}"),
        "{out}"
    );
    assert!(out.contains("regression"));
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    // The JUnit report every tool writes: one suite, one test case per (benchmark, metric).
    let junit = std::fs::read_to_string(&junit).unwrap();
    assert!(
        junit.contains("<failure message=\"regression\">"),
        "{junit}"
    );
    let doc = roxmltree::Document::parse(&junit).unwrap();
    let suites = doc.root_element();
    assert_eq!(suites.tag_name().name(), "testsuites");
    assert_eq!(suites.attribute("failures"), Some("1"));
    let suite = suites.first_element_child().unwrap();
    assert_eq!(suite.attribute("name"), Some("bench-compare"));
    let case = suite.first_element_child().unwrap();
    assert_eq!(
        case.attribute("classname"),
        Some("Alloc_BENCHMARK_Test.Add/1")
    );
    assert_eq!(case.attribute("name"), Some("Added {n} agents in {t}"));
}

#[test]
fn compare_same_build_exits_0_with_json_rows() {
    let dir = tempfile::tempdir().unwrap();
    let base = log(dir.path(), "base.log", 100.0, 12);
    let o = bench_compare(&[
        "compare",
        "--base",
        s(&base),
        "--head",
        s(&base),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rows"][0]["verdict"], "no-change");
    assert_eq!(v["rows"][0]["base"]["n"], 12);
}

#[test]
fn csv_and_markdown_formats() {
    let dir = tempfile::tempdir().unwrap();
    let base = log(dir.path(), "base.log", 100.0, 12);
    let o = bench_compare(&[
        "compare",
        "--base",
        s(&base),
        "--head",
        s(&base),
        "--format",
        "csv",
    ]);
    assert!(stdout(&o).starts_with("name,metric,unit,direction,"));
    let o = bench_compare(&[
        "compare",
        "--base",
        s(&base),
        "--head",
        s(&base),
        "--format",
        "markdown",
    ]);
    assert!(stdout(&o).contains("```mermaid"));
}

#[test]
fn min_effect_flag_and_environment_twin() {
    let dir = tempfile::tempdir().unwrap();
    let base = log(dir.path(), "base.log", 100.0, 12);
    let head = log(dir.path(), "head.log", 101.0, 12);
    let o = bench_compare(&["compare", "--base", s(&base), "--head", s(&head)]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "+1% is below the default 2%: {}",
        stdout(&o)
    );
    let o = Command::new(env!("CARGO_BIN_EXE_bench-compare"))
        .args(["compare", "--base", s(&base), "--head", s(&head)])
        .env("RELEASE_KIT_MIN_EFFECT", "0.5%")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
}

#[test]
fn parse_errors_exit_2_never_0() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.log");
    std::fs::write(&empty, "").unwrap();
    let good = log(dir.path(), "base.log", 100.0, 12);
    let o = bench_compare(&["compare", "--base", s(&empty), "--head", s(&good)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("empty.log: file is empty"),
        "{}",
        stderr(&o)
    );

    let o = bench_compare(&[
        "compare",
        "--base",
        s(&good),
        "--head",
        s(&good),
        "--input-format",
        "google-benchmark",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("--input-format gtest-log"),
        "{}",
        stderr(&o)
    );

    let agg = dir.path().join("agg.json");
    std::fs::write(&agg, r#"{"context":{},"benchmarks":[{"name":"BM_mean","run_name":"BM","run_type":"aggregate","real_time":1,"cpu_time":1,"time_unit":"ns"}]}"#).unwrap();
    let o = bench_compare(&["compare", "--base", s(&agg), "--head", s(&agg)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("only 1 aggregate rows"));
}

#[test]
fn unparsed_timing_lines_exit_2_unless_allowed() {
    let f = fixture("mesos-allocator.log");
    let o = bench_compare(&["compare", "--base", s(&f), "--head", s(&f)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("mesos-allocator.log:20: Took 1.5 ms to decline offers"),
        "{}",
        stderr(&o)
    );
    let o = bench_compare(&[
        "compare",
        "--base",
        s(&f),
        "--head",
        s(&f),
        "--allow-unparsed",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("2 lines look like timings"));
}

#[test]
fn mismatched_units_and_zero_times_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.log");
    let b = dir.path().join("b.log");
    std::fs::write(
        &a,
        "[ RUN      ] P.T\nEstimated Total: 10 rpcs / sec\nEstimated Total: 11 rpcs / sec\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "[ RUN      ] P.T\nEstimated Total: 10 ops / sec\nEstimated Total: 11 ops / sec\n",
    )
    .unwrap();
    let o = bench_compare(&["compare", "--base", s(&a), "--head", s(&b)]);
    // Different units are different metrics here, so each side has one the other lacks.
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("missing") && stdout(&o).contains("new"));
    let o = bench_compare(&[
        "compare",
        "--base",
        s(&a),
        "--head",
        s(&b),
        "--fail-on-missing",
    ]);
    assert_eq!(o.status.code(), Some(1));

    let z = dir.path().join("z.log");
    std::fs::write(&z, "[ RUN      ] P.T\nTook 0ns to start\n").unwrap();
    let o = bench_compare(&["compare", "--base", s(&z), "--head", s(&z)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("z.log:2:"), "{}", stderr(&o));
}

#[test]
fn fewer_than_two_samples_fails_only_with_fail_on_inconclusive() {
    let dir = tempfile::tempdir().unwrap();
    let base = log(dir.path(), "base.log", 100.0, 1);
    let o = bench_compare(&["compare", "--base", s(&base), "--head", s(&base)]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("fewer than 2 samples"));
    let o = bench_compare(&[
        "compare",
        "--base",
        s(&base),
        "--head",
        s(&base),
        "--fail-on-inconclusive",
    ]);
    assert_eq!(o.status.code(), Some(1));
}

/// A benchmark command printing one gtest test with a constant time (ties exercise the tie handling).
fn cmd_with(ms: &str) -> String {
    format!("echo \"[ RUN      ] A.B\"; echo \"Took {ms}ms to x\"")
}

#[test]
fn run_interleaves_records_rounds_and_catches_a_slowdown() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run.json");
    let o = bench_compare(&[
        "run",
        "--base-cmd",
        &cmd_with("1.5"),
        "--head-cmd",
        &cmd_with("1.8"),
        "--rounds",
        "6",
        "--seed",
        "3",
        "--output",
        s(&out),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(file["schema"], 1);
    assert_eq!(file["rounds"].as_array().unwrap().len(), 12);
    assert_eq!(file["environments"].as_array().unwrap().len(), 2);
    assert!(
        file["environments"][0]["environment"]["cores"]
            .as_u64()
            .unwrap()
            >= 1
    );
    // compare --results reads it back, paired.
    let o = bench_compare(&["compare", "--results", s(&out), "--format", "json"]);
    assert_eq!(o.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["rows"][0]["mode"], "paired");
}

#[test]
fn run_with_a_failing_command_exits_3() {
    let o = bench_compare(&[
        "run",
        "--base-cmd",
        "echo boom >&2; exit 4",
        "--head-cmd",
        &cmd_with("1.8"),
        "--rounds",
        "2",
        "--seed",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("exit status 4") && stderr(&o).contains("boom"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn run_with_a_hanging_command_times_out_with_exit_3() {
    let started = std::time::Instant::now();
    let o = bench_compare(&[
        "run",
        "--base-cmd",
        "sleep 30",
        "--head-cmd",
        "sleep 30",
        "--rounds",
        "2",
        "--timeout",
        "1s",
        "--seed",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains("did not finish within 1s"),
        "{}",
        stderr(&o)
    );
    assert!(started.elapsed().as_secs() < 20);
}

#[test]
fn merge_combines_shards_and_refuses_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    let b_cmd = "echo \"[ RUN      ] C.D\"; echo \"Took 2ms to y\"";
    assert_eq!(
        bench_compare(&[
            "run",
            "--base-cmd",
            &cmd_with("1.5"),
            "--head-cmd",
            &cmd_with("1.5"),
            "--rounds",
            "2",
            "--seed",
            "1",
            "--output",
            s(&a)
        ])
        .status
        .code(),
        Some(0)
    );
    assert_eq!(
        bench_compare(&[
            "run",
            "--base-cmd",
            b_cmd,
            "--head-cmd",
            b_cmd,
            "--rounds",
            "2",
            "--seed",
            "1",
            "--output",
            s(&b)
        ])
        .status
        .code(),
        Some(0)
    );
    let merged = dir.path().join("merged.json");
    let o = bench_compare(&["merge", s(&a), s(&b), "--output", s(&merged)]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&merged).unwrap()).unwrap();
    assert_eq!(v["rounds"].as_array().unwrap().len(), 8);
    let o = bench_compare(&["merge", s(&a), s(&a), "--output", s(&merged)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("shards must measure disjoint"));
}

#[test]
fn bad_shard_is_usage_error() {
    let o = bench_compare(&[
        "run",
        "--base-cmd",
        "true",
        "--head-cmd",
        "true",
        "--shard",
        "3/2",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("i/n"));
}

#[test]
fn calibrate_reports_noise() {
    let o = bench_compare(&[
        "calibrate",
        "--cmd",
        &cmd_with("1.5"),
        "--rounds",
        "3",
        "--seed",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("smallest detectable slowdown"));
}

#[test]
fn calibrate_json_is_one_valid_document() {
    let o = bench_compare(&[
        "calibrate",
        "--cmd",
        &cmd_with("1.5"),
        "--rounds",
        "6",
        "--seed",
        "1",
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value =
        serde_json::from_str(&stdout(&o)).expect("stdout is one JSON document");
    assert_eq!(v["schema"], "release-kit/bench-calibration/v1");
    assert!(v["calibration"][0]["noise_sigma"].is_number(), "{v}");
    assert!(v["aa_report"].is_object());
}

/// The sample project's benchmark program, built for real with autotools.
fn sample_bench() -> (tempfile::TempDir, PathBuf) {
    let (d, repo) = support::sample_repo();
    let out = Command::new("bash")
        .args(["-c", "autoreconf -fi && ./configure && make hello-bench"])
        .current_dir(&repo)
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (d, repo.join("hello-bench"))
}

fn names(file: &Path) -> std::collections::BTreeSet<String> {
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("read")).expect("json");
    v["rounds"]
        .as_array()
        .expect("rounds")
        .iter()
        .flat_map(|r| r["measurements"].as_array().expect("measurements").clone())
        .map(|m| m["name"].as_str().expect("name").to_string())
        .collect()
}

#[test]
fn shards_of_a_real_gtest_binary_cover_every_test_once() {
    if !support::require_tool("autoreconf") || !support::require_tool("make") {
        return;
    }
    let (d, bench) = sample_bench();
    let bench = bench.to_str().expect("utf-8 path");
    let mut shards = Vec::new();
    for i in 1..=2 {
        let file = d.path().join(format!("shard{i}.json"));
        let shard = format!("{i}/2");
        let o = bench_compare(&[
            "run",
            "--base-cmd",
            bench,
            "--head-cmd",
            bench,
            "--rounds",
            "4",
            "--seed",
            "7",
            "--shard",
            &shard,
            "--output",
            file.to_str().expect("utf-8"),
            "-q",
        ]);
        assert!(o.status.code() == Some(0), "{}", stderr(&o));
        shards.push(names(&file));
    }
    assert!(shards[0].is_disjoint(&shards[1]), "{shards:?}");
    let all: std::collections::BTreeSet<_> = shards[0].union(&shards[1]).cloned().collect();
    assert_eq!(
        all.into_iter().collect::<Vec<_>>(),
        [
            "GreetBenchmark_BENCHMARK_Test.Format/0",
            "GreetBenchmark_BENCHMARK_Test.Format/1",
            "HashBenchmark_BENCHMARK_Test.Throughput"
        ]
    );
    let merged = d.path().join("all.json");
    let o = bench_compare(&[
        "merge",
        "--output",
        merged.to_str().expect("utf-8"),
        d.path().join("shard1.json").to_str().expect("utf-8"),
        d.path().join("shard2.json").to_str().expect("utf-8"),
    ]);
    assert!(o.status.code() == Some(0), "{}", stderr(&o));
    assert_eq!(names(&merged).len(), 3);
    // Overlapping shards are refused.
    let o = bench_compare(&[
        "merge",
        "--output",
        d.path().join("bad.json").to_str().expect("utf-8"),
        d.path().join("shard1.json").to_str().expect("utf-8"),
        d.path().join("shard1.json").to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

// ---------------------------------------------------------------- time: whole commands

/// A shell loop that burns about `n` × 2 µs of user CPU time.
fn busy(n: u32) -> String {
    format!("i=0; while [ $i -lt {n} ]; do i=$((i+1)); done")
}

#[test]
fn time_mode_times_real_commands_interleaved_and_catches_a_slowdown() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("time.json");
    let marks = dir.path().join("order.txt");
    let m = s(&marks);
    let o = bench_compare(&[
        "time",
        "--base-cmd",
        &format!("echo base >> {m}; {}; sleep 0.05", busy(20_000)),
        "--head-cmd",
        &format!("echo head >> {m}; {}; sleep 0.09", busy(60_000)),
        "--name",
        "suite",
        "--rounds",
        "8",
        "--warmup",
        "2",
        "--seed",
        "5",
        "--output",
        s(&out),
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let row = |metric: &str| {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "suite" && r["metric"] == metric)
            .unwrap_or_else(|| panic!("no {metric} row in {report}"))
            .clone()
    };
    // Wall: 50 ms + loop vs 90 ms + 3× the loop; user: 3× the loop. Both paired regressions.
    for metric in ["wall", "user"] {
        let r = row(metric);
        assert_eq!(r["mode"], "paired", "{r}");
        assert_eq!(r["verdict"], "regression", "{r}");
        assert!(r["ratio"].as_f64().unwrap() > 1.2, "{r}");
        assert_eq!(r["base"]["n"], 8);
    }
    // Every run is recorded with its three times; the runs alternate in ABBA/BAAB blocks.
    let file: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let rounds = file["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 16);
    for r in rounds {
        assert!(r["wall_seconds"].as_f64().unwrap() >= 0.05, "{r}");
        let metrics: Vec<&str> = r["measurements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["metric"].as_str().unwrap())
            .collect();
        assert!(metrics.starts_with(&["wall", "user"]), "{metrics:?}");
    }
    let order = std::fs::read_to_string(&marks).unwrap();
    let order: Vec<&str> = order.lines().collect();
    // 2 warm-up runs of each side first (base, head alternating), then 8 pairs in blocks of 4.
    assert_eq!(order.len(), 4 + 16);
    assert_eq!(&order[..4], ["base", "head", "base", "head"]);
    for block in order[4..].chunks(4) {
        assert!(
            block == ["base", "head", "head", "base"] || block == ["head", "base", "base", "head"],
            "{block:?}"
        );
    }
    // The result file reads back through compare --results, paired.
    let o = bench_compare(&["compare", "--results", s(&out)]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stdout(&o).contains("suite · wall"), "{}", stdout(&o));
}

#[test]
fn time_mode_same_command_passes_the_gate() {
    let o = bench_compare(&[
        "time",
        "--base-cmd",
        "sleep 0.02",
        "--head-cmd",
        "sleep 0.02",
        "--rounds",
        "6",
        "--warmup",
        "0",
        "--min-effect",
        "50%",
        "--seed",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("sleep 0.02 · wall"), "{}", stdout(&o));
}

#[test]
fn time_mode_failing_command_exits_3_and_unpaired_commands_exit_2() {
    let o = bench_compare(&[
        "time",
        "--base-cmd",
        "true",
        "--head-cmd",
        "echo broken >&2; exit 5",
        "--rounds",
        "2",
        "--warmup",
        "0",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("broken"), "{}", stderr(&o));
    let o = bench_compare(&[
        "time",
        "--base-cmd",
        "true",
        "--base-cmd",
        "false",
        "--head-cmd",
        "true",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("2 --base-cmd and 1 --head-cmd given"),
        "{}",
        stderr(&o)
    );
}

// ---------------------------------------------------------------- formats, labels, SVG

#[test]
fn base_and_head_in_different_formats_exit_2_naming_both() {
    let o = bench_compare(&[
        "compare",
        "--base",
        fixture("google-benchmark.json").to_str().unwrap(),
        "--head",
        fixture("mesos-allocator.log").to_str().unwrap(),
        "--allow-unparsed",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(
        err.contains("base is google-benchmark (")
            && err.contains("but head is gtest-log (")
            && err.contains("google-benchmark.json")
            && err.contains("mesos-allocator.log"),
        "{err}"
    );
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
}

/// A result file of 7 pairs where every pair but one is slower in head, yet head's median is
/// lower than base's: the paired estimate and the ratio of medians disagree in sign.
fn opposite_sign_results(dir: &Path) -> PathBuf {
    let pairs = [
        (10.0, 11.0),
        (20.0, 21.0),
        (30.0, 31.0),
        (40.0, 39.0),
        (50.0, 51.0),
        (60.0, 61.0),
        (70.0, 71.0),
    ];
    let mut rounds = Vec::new();
    for (i, (b, h)) in pairs.iter().enumerate() {
        for (side, v) in [("base", b), ("head", h)] {
            rounds.push(serde_json::json!({
                "pair": i, "block": i / 2, "side": side, "order": rounds.len(),
                "measurements": [{"name": "Parse.Big", "metric": "time", "unit": "s",
                                  "direction": "lower-is-better", "value": v / 1000.0}]
            }));
        }
    }
    let path = dir.join("opposite.json");
    let file = serde_json::json!({"schema": 1, "environments": [], "rounds": rounds});
    std::fs::write(&path, file.to_string()).expect("write the result file");
    path
}

#[test]
fn change_of_opposite_sign_to_the_medians_is_labelled() {
    let dir = tempfile::tempdir().unwrap();
    let results = opposite_sign_results(dir.path());
    for format in ["text", "markdown"] {
        let o = bench_compare(&["compare", "--results", s(&results), "--format", format]);
        let out = stdout(&o);
        assert!(o.status.code().is_some(), "{}", stderr(&o));
        assert!(out.contains("change (HL) [95% CI]"), "{out}");
        assert!(
            out.contains("not the ratio of the medians shown"),
            "{format}: {out}"
        );
        // base median 40 ms, head 39 ms: the medians say -2.5%, the paired estimate is positive.
        assert!(
            out.contains("40.00 ms (n=7)") && out.contains("39.00 ms (n=7)"),
            "{out}"
        );
        assert!(out.contains(" †"), "{format}: {out}");
        assert!(
            out.contains(
                "the ratio of medians is -2.5% but the paired Hodges–Lehmann estimate is +"
            ),
            "{format}: {out}"
        );
    }
}

/// RGBA pixels of an 8-bit RGB or RGBA PNG (what rsvg-convert writes), with its size.
fn png_rgba(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    use std::io::Read;
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let (mut pos, mut width, mut height, mut bpp, mut idat) = (8, 0, 0, 4, Vec::new());
    while pos + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[pos..pos + 4].try_into().expect("4 bytes")) as usize;
        let kind = &bytes[pos + 4..pos + 8];
        let data = &bytes[pos + 8..pos + 8 + len];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(data[0..4].try_into().expect("4 bytes"));
                height = u32::from_be_bytes(data[4..8].try_into().expect("4 bytes"));
                bpp = match (data[8], data[9]) {
                    (8, 2) => 3,
                    (8, 6) => 4,
                    other => panic!("expected 8-bit RGB or RGBA, got {other:?}"),
                };
            }
            b"IDAT" => idat.extend_from_slice(data),
            _ => {}
        }
        pos += 12 + len;
    }
    let mut raw = Vec::new();
    flate2::read::ZlibDecoder::new(&idat[..])
        .read_to_end(&mut raw)
        .expect("valid zlib data");
    let stride = width as usize * bpp;
    let mut out = vec![0u8; stride * height as usize];
    for y in 0..height as usize {
        let filter = raw[y * (stride + 1)];
        let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        for x in 0..stride {
            let a = if x >= bpp {
                out[y * stride + x - bpp]
            } else {
                0
            } as i16;
            let b = if y > 0 { out[(y - 1) * stride + x] } else { 0 } as i16;
            let c = if x >= bpp && y > 0 {
                out[(y - 1) * stride + x - bpp]
            } else {
                0
            } as i16;
            let predictor = match filter {
                0 => 0,
                1 => a,
                2 => b,
                3 => (a + b) / 2,
                4 => {
                    let p = a + b - c;
                    let (pa, pb, pc) = ((p - a).abs(), (p - b).abs(), (p - c).abs());
                    if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    }
                }
                f => panic!("PNG filter {f}"),
            };
            out[y * stride + x] = (i16::from(line[x]) + predictor) as u8;
        }
    }
    if bpp == 3 {
        out = out
            .chunks(3)
            .flat_map(|p| [p[0], p[1], p[2], 255])
            .collect();
    }
    (width, height, out)
}

fn rsvg(svg: &Path, png: &Path) {
    let o = Command::new("rsvg-convert")
        .args(["--format", "png", "--output", s(png), s(svg)])
        .output()
        .expect("rsvg-convert runs");
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn svg_chart_renders_with_axis_ticks_full_names_and_nothing_clipped() {
    if !support::require_tool("rsvg-convert") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Two benchmarks, one with a long name that the old chart cut at 55 characters.
    let long = "AgentAndFrameworkCount/HierarchicalAllocator_BENCHMARK_Test.DeclineOffers/11";
    let write = |name: &str, base_ms: f64, head_ms: f64| {
        let file = name.replace('/', "_");
        let (b, h) = (
            dir.path().join(format!("b-{file}.log")),
            dir.path().join(format!("h-{file}.log")),
        );
        for (path, ms) in [(&b, base_ms), (&h, head_ms)] {
            let mut text = String::new();
            for i in 0..12 {
                let wobble = 1.0 + ((i * 7919) % 13) as f64 * 0.001;
                text.push_str(&format!(
                    "[ RUN      ] {name}\nDeclined offers from 2000 agents in {:.6}ms\n[       OK ] {name} (10 ms)\n",
                    ms * wobble
                ));
            }
            std::fs::write(path, text).unwrap();
        }
        (b, h)
    };
    let (b1, h1) = write(long, 100.0, 130.0);
    let (b2, h2) = write("Short.Case", 10.0, 9.0);
    let svg = dir.path().join("chart.svg");
    let base = format!("{},{}", s(&b1), s(&b2));
    let head = format!("{},{}", s(&h1), s(&h2));
    let o = bench_compare(&[
        "compare",
        "--base",
        &base,
        "--head",
        &head,
        "--svg",
        s(&svg),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.contains(long), "the full name is in the chart");
    for tick in ["0%", "+10%", "-9.1%"] {
        assert!(
            text.contains(&format!(">{tick}</text>")),
            "tick {tick}: {text}"
        );
    }
    let doc = roxmltree::Document::parse(&text).unwrap();
    let attr = |a: &str| {
        doc.root_element()
            .attribute(a)
            .unwrap()
            .parse::<u32>()
            .unwrap()
    };
    let (w, h) = (attr("width"), attr("height"));

    // Rendered as drawn: the PNG has the SVG's size and ink on it.
    let png = dir.path().join("chart.png");
    rsvg(&svg, &png);
    let bytes = std::fs::read(&png).unwrap();
    let (pw, ph, pixels) = png_rgba(&bytes);
    assert_eq!((pw, ph), (w, h));
    let dark = pixels
        .chunks(4)
        .filter(|p| p[3] > 200 && u32::from(p[0]) + u32::from(p[1]) + u32::from(p[2]) < 300)
        .count();
    assert!(dark > 2000, "only {dark} dark pixels: the chart is empty");

    // Nothing is clipped: drawn on a canvas 300 px wider and 100 px taller, nothing falls
    // outside the original size.
    let wide = text.replacen(
        &format!("width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\""),
        &format!(
            "width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\"",
            w + 300,
            h + 100,
            w + 300,
            h + 100
        ),
        1,
    );
    assert_ne!(wide, text);
    let wide_svg = dir.path().join("wide.svg");
    std::fs::write(&wide_svg, wide).unwrap();
    let wide_png = dir.path().join("wide.png");
    rsvg(&wide_svg, &wide_png);
    let (ww, wh, wide_pixels) = png_rgba(&std::fs::read(&wide_png).unwrap());
    let outside = (0..wh)
        .flat_map(|y| (0..ww).map(move |x| (x, y)))
        .filter(|&(x, y)| (x >= w || y >= h) && wide_pixels[((y * ww + x) * 4 + 3) as usize] > 0)
        .count();
    assert_eq!(
        outside, 0,
        "{outside} pixels drawn outside the {w}×{h} canvas"
    );
}
