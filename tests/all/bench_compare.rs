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
