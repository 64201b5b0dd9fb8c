//! The I/O side of bench-compare: reading input files, running the base and head benchmark
//! commands in interleaved rounds through the one command wrapper, fingerprinting the machine,
//! and writing reports. Everything it decides is delegated to the pure modules beside it.

use crate::ci::Ci;
use crate::cli;
use crate::error::ExitCode;
use crate::model::bench::analysis::{self, GatePolicy, Options, Report};
use crate::model::bench::model::{
    Environment, ModelError, ResultFile, RoundRecord, SampleSet, Shard, Side, SideEnvironment,
};
use crate::model::bench::parse::{self, Format, ParseError, Parsed, Source};
use crate::model::bench::schedule::{self, BlockOrder};
use crate::model::bench::stats;
use crate::outside::process::{Cmd, CmdError};
use crate::tools::bench_compare::render;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Everything that can stop bench-compare.
#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    /// An input did not parse.
    #[error(transparent)]
    Parse(#[from] ParseError),
    /// Inputs disagree with each other.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// The analysis refused the data.
    #[error(transparent)]
    Analysis(#[from] analysis::AnalysisError),
    /// Timing lines that did not parse, without `--allow-unparsed`.
    #[error("{0}\nfix the benchmark output or pass --allow-unparsed to compare the lines that did parse")]
    Unparsed(String),
    /// A file could not be read or written.
    #[error("cannot {action} {}: {source}; check the path and its permissions", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Base and head are in formats that name their benchmarks differently.
    #[error("base is {base} ({base_files}) but head is {head} ({head_files}); results in different formats name their benchmarks differently, so nothing would be compared. Produce both sides with the same benchmark program and output format (or pass `--input-format` if a file was detected wrongly)")]
    FormatMismatch {
        /// Formats of the base files.
        base: String,
        /// The base files.
        base_files: String,
        /// Formats of the head files.
        head: String,
        /// The head files.
        head_files: String,
    },
    /// Bad arguments.
    #[error("{0}")]
    Usage(String),
    /// A benchmark command crashed, failed or timed out.
    #[error(transparent)]
    Cmd(#[from] CmdError),
    /// Writing CI outputs failed.
    #[error(transparent)]
    Ci(#[from] crate::ci::CiError),
}

impl crate::error::Classify for BenchError {
    /// The toolkit's exit code for this error.
    fn exit_code(&self) -> ExitCode {
        match self {
            BenchError::Cmd(_) => ExitCode::Outside,
            BenchError::Ci(e) => e.exit_code(),
            _ => ExitCode::Usage,
        }
    }
}

fn io<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(std::io::Error) -> BenchError + 'a {
    move |source| BenchError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// Where and how the report goes.
#[derive(Debug, Clone)]
pub struct Outputs {
    /// Format on stdout.
    pub format: cli::Format,
    /// JUnit XML file.
    pub junit: Option<PathBuf>,
    /// SVG plot file.
    pub svg: Option<PathBuf>,
    /// Gate policy.
    pub policy: GatePolicy,
}

/// Inputs of `compare`.
#[derive(Debug, Clone)]
pub struct CompareRequest {
    /// Base files.
    pub base: Vec<PathBuf>,
    /// Head files.
    pub head: Vec<PathBuf>,
    /// Result files of `run`/`merge` holding both sides.
    pub results: Vec<PathBuf>,
    /// Forced input format.
    pub input_format: Option<Format>,
    /// Accept timing lines that do not parse (reported as warnings).
    pub allow_unparsed: bool,
    /// Analysis options.
    pub options: Options,
}

/// Reads one side's files (a Criterion directory is searched for `new/sample.json`), with the
/// format each file was read as.
fn load(
    paths: &[PathBuf],
    format: Option<Format>,
    side: Side,
    allow_unparsed: bool,
    warnings: &mut Vec<String>,
) -> Result<(SampleSet, Vec<(PathBuf, Format)>), BenchError> {
    let mut set = SampleSet::default();
    let mut formats = Vec::new();
    for path in expand(paths)? {
        let (parsed, read_as) = parse_file_as(&path, format)?;
        formats.push((path.clone(), read_as));
        check_unparsed(&path, &parsed, allow_unparsed, warnings)?;
        match &parsed.results {
            Some(file) => {
                // A result file as one side: its rounds of that side, still paired by round.
                for round in file.rounds.iter().filter(|r| r.side == side) {
                    for m in &round.measurements {
                        set.push(m.clone(), Some(round.pair), side)?;
                    }
                }
            }
            None => set.extend_unpaired(parsed.measurements, side)?,
        }
    }
    Ok((set, formats))
}

/// The name a format's benchmarks share with other formats: gtest's JSON and XML reports are one
/// report in two encodings; a result file of `run` holds whatever its commands printed.
fn naming(format: Format) -> Option<&'static str> {
    match format {
        Format::GtestJson | Format::GtestXml => Some("gtest report"),
        Format::Results => None,
        f => Some(f.name()),
    }
}

/// Refuses a base and a head whose files share no benchmark naming (e.g. Google Benchmark JSON
/// against a gtest log): every row would be `missing` or `new` and the gate would pass.
fn check_same_formats(
    base: &[(PathBuf, Format)],
    head: &[(PathBuf, Format)],
) -> Result<(), BenchError> {
    let names = |files: &[(PathBuf, Format)]| -> std::collections::BTreeSet<&'static str> {
        files.iter().filter_map(|(_, f)| naming(*f)).collect()
    };
    let (b, h) = (names(base), names(head));
    if b.is_empty() || h.is_empty() || !b.is_disjoint(&h) {
        return Ok(());
    }
    let describe = |files: &[(PathBuf, Format)]| {
        let mut formats: Vec<&str> = files.iter().map(|(_, f)| f.name()).collect();
        formats.sort_unstable();
        formats.dedup();
        let paths: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
        (formats.join(" + "), paths.join(", "))
    };
    let ((base, base_files), (head, head_files)) = (describe(base), describe(head));
    Err(BenchError::FormatMismatch {
        base,
        base_files,
        head,
        head_files,
    })
}

fn check_unparsed(
    path: &Path,
    parsed: &Parsed,
    allow: bool,
    warnings: &mut Vec<String>,
) -> Result<(), BenchError> {
    warnings.extend(parsed.warnings.iter().cloned());
    if !parsed.unparsed.is_empty() && !allow {
        let lines: Vec<String> = parsed
            .unparsed
            .iter()
            .map(|u| format!("  {}:{}: {}", path.display(), u.line, u.text))
            .collect();
        return Err(BenchError::Unparsed(format!(
            "{}: {} lines look like timings but could not be read:\n{}",
            path.display(),
            parsed.unparsed.len(),
            lines.join("\n")
        )));
    }
    Ok(())
}

fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, BenchError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            walk(p, &mut found)?;
            if found.is_empty() {
                return Err(BenchError::Usage(format!(
                    "{} is a directory without Criterion results (no */new/sample.json); pass result files instead",
                    p.display()
                )));
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) -> Result<(), BenchError> {
    for entry in std::fs::read_dir(dir).map_err(io("read directory", dir))? {
        let path = entry.map_err(io("read directory", dir))?.path();
        if path.is_dir() {
            walk(&path, found)?;
        } else if path.file_name().is_some_and(|n| n == "sample.json")
            && path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|n| n == "new")
        {
            found.push(path);
        }
    }
    Ok(())
}

fn parse_file(path: &Path, format: Option<Format>) -> Result<Parsed, BenchError> {
    parse_file_as(path, format).map(|(parsed, _)| parsed)
}

/// Parses a file and says which format it was read as (forced, or detected from the content).
fn parse_file_as(path: &Path, format: Option<Format>) -> Result<(Parsed, Format), BenchError> {
    let text = std::fs::read_to_string(path).map_err(io("read", path))?;
    let companion = path
        .parent()
        .map(|d| d.join("benchmark.json"))
        .filter(|p| p.is_file());
    let companion_text = match &companion {
        Some(p) => Some(std::fs::read_to_string(p).map_err(io("read", p))?),
        None => None,
    };
    let name = path.display().to_string();
    let source = Source {
        name: &name,
        text: &text,
        criterion_benchmark: companion_text.as_deref(),
    };
    let parsed = parse::parse(source, format)?;
    // parse() succeeded, so the format was forced or detected.
    let read_as = format
        .or_else(|| parse::detect(&text))
        .unwrap_or(Format::Results);
    Ok((parsed, read_as))
}

/// `compare`: reads both sides, analyses, emits the report; returns the exit code.
pub fn compare(req: &CompareRequest, out: &Outputs, ci: &Ci) -> Result<ExitCode, BenchError> {
    let mut warnings = Vec::new();
    let (base, head) = if req.results.is_empty() {
        if req.base.is_empty() || req.head.is_empty() {
            return Err(BenchError::Usage("compare needs --base FILE... and --head FILE..., or --results FILE from `bench-compare run`".into()));
        }
        let (base, base_formats) = load(
            &req.base,
            req.input_format,
            Side::Base,
            req.allow_unparsed,
            &mut warnings,
        )?;
        let (head, head_formats) = load(
            &req.head,
            req.input_format,
            Side::Head,
            req.allow_unparsed,
            &mut warnings,
        )?;
        check_same_formats(&base_formats, &head_formats)?;
        (base, head)
    } else {
        let files = read_results(&req.results)?;
        let merged = ResultFile::merge(&files)?;
        warnings.extend(merged.environment_warnings());
        merged.sample_sets()?
    };
    let mut report = analysis::compare(&base, &head, &req.options)?;
    warnings.append(&mut report.warnings);
    report.warnings = warnings;
    emit(&report, out, ci)
}

fn read_results(paths: &[PathBuf]) -> Result<Vec<(String, ResultFile)>, BenchError> {
    paths
        .iter()
        .map(|p| {
            let parsed = parse_file(p, Some(Format::Results))?;
            let file = parsed.results.ok_or_else(|| {
                BenchError::Usage(format!("{} is not a result file", p.display()))
            })?;
            Ok((p.display().to_string(), file))
        })
        .collect()
}

/// Prints the report and writes the side files; returns 1 when the gate fails.
pub(crate) fn emit(report: &Report, out: &Outputs, ci: &Ci) -> Result<ExitCode, BenchError> {
    // Annotations, outputs and the summary first; the report last (see cli::emit_report).
    let code = side_effects(report, out, ci)?;
    cli::print_stdout(&render::render(report, out.format));
    Ok(code)
}

/// Everything but stdout: warnings, JUnit, SVG, GitHub outputs, summary and annotations.
fn side_effects(report: &Report, out: &Outputs, ci: &Ci) -> Result<ExitCode, BenchError> {
    for w in &report.warnings {
        tracing::warn!("{w}");
    }
    if let Some(path) = &out.junit {
        crate::ci::write_junit(path, &render::junit(report, out.policy))?;
    }
    if let Some(path) = &out.svg {
        std::fs::write(path, render::svg(report)).map_err(io("write SVG plot", path))?;
    }
    let failing = report.failing_rows(out.policy);
    ci.set_output("regressions", &report.count("regression").to_string())?;
    ci.set_output("inconclusive", &report.count("inconclusive").to_string())?;
    ci.set_output("missing", &report.count("missing").to_string())?;
    ci.set_output("passed", if failing.is_empty() { "true" } else { "false" })?;
    ci.summary(&render::markdown(report))?;
    for r in &failing {
        ci.annotate(
            crate::report::Severity::Error,
            None,
            None,
            "bench-compare",
            &format!("{} · {}: {}", r.name, r.metric, r.verdict.name()),
        );
    }
    Ok(if failing.is_empty() {
        ExitCode::Ok
    } else {
        ExitCode::Problems
    })
}

/// Inputs of `run` and `calibrate`.
#[derive(Debug, Clone)]
pub struct RunRequest {
    /// Shell command of the previous release's benchmark.
    pub base_cmd: String,
    /// Shell command of the candidate's benchmark.
    pub head_cmd: String,
    /// Pairs of runs.
    pub rounds: u32,
    /// GTEST_FILTER for both commands.
    pub filter: Option<String>,
    /// Limit per command run.
    pub timeout: Duration,
    /// Seed of the block order.
    pub seed: u64,
    /// This runner's shard.
    pub shard: Option<Shard>,
    /// Format of the commands' output (detected when absent).
    pub input_format: Option<Format>,
    /// Accept timing lines that do not parse.
    pub allow_unparsed: bool,
    /// Where to write the result file.
    pub output: Option<PathBuf>,
}

fn sh(command: &str, why: &str, req: &RunRequest, filter: Option<&str>) -> Cmd {
    let mut cmd = Cmd::new("sh", why)
        .args(["-c", command])
        .timeout(req.timeout);
    if let Some(f) = filter {
        cmd = cmd.env("GTEST_FILTER", f);
    }
    cmd
}

/// The GTEST_FILTER for this shard: the test list of the base build dealt round-robin.
fn shard_filter(req: &RunRequest) -> Result<Option<String>, BenchError> {
    let Some(shard) = req.shard else {
        return Ok(req.filter.clone());
    };
    let out = sh(
        &req.base_cmd,
        "list the benchmarks to shard",
        req,
        req.filter.as_deref(),
    )
    .env("GTEST_LIST_TESTS", "1")
    .run()?;
    let tests = parse::gtest_log::parse_test_list(&out.stdout_str());
    if tests.is_empty() {
        return Err(BenchError::Usage(format!(
            "--shard {}/{} needs a gtest benchmark binary: `{}` listed no tests with GTEST_LIST_TESTS=1",
            shard.index, shard.count, req.base_cmd
        )));
    }
    let mine = schedule::shard_list(&tests, shard);
    tracing::info!(
        "shard {}/{}: {} of {} tests",
        shard.index,
        shard.count,
        mine.len(),
        tests.len()
    );
    if mine.is_empty() {
        return Ok(Some("-*".into()));
    }
    Ok(Some(mine.join(":")))
}

/// Runs both commands in interleaved ABBA/BAAB rounds and returns the result file.
pub(crate) fn run_rounds(req: &RunRequest) -> Result<ResultFile, BenchError> {
    if req.rounds < 2 {
        return Err(BenchError::Usage(format!(
            "--rounds {} is too few; use at least 2 (10 or more for a 50-benchmark suite)",
            req.rounds
        )));
    }
    let filter = shard_filter(req)?;
    let mut file = ResultFile::new();
    file.shards.extend(req.shard);
    for (side, command) in [(Side::Base, &req.base_cmd), (Side::Head, &req.head_cmd)] {
        file.environments.push(SideEnvironment {
            side,
            shard: req.shard,
            environment: fingerprint(command),
        });
    }
    for w in file.environment_warnings() {
        tracing::warn!("{w}");
    }
    for slot in schedule::plan(req.rounds, BlockOrder::Abba, req.seed) {
        let command = match slot.side {
            Side::Base => &req.base_cmd,
            Side::Head => &req.head_cmd,
        };
        let why = format!(
            "run the {} benchmarks, round {} of {}",
            slot.side,
            slot.pair + 1,
            req.rounds
        );
        tracing::info!("{why}");
        let started = Instant::now();
        let out = sh(command, &why, req, filter.as_deref()).run()?;
        let wall = started.elapsed().as_secs_f64();
        let name = format!("{} output of round {}", slot.side, slot.pair + 1);
        let text = out.stdout_str();
        let parsed = parse::parse(Source::new(&name, &text), req.input_format)?;
        let mut warnings = Vec::new();
        check_unparsed(Path::new(&name), &parsed, req.allow_unparsed, &mut warnings)?;
        for w in warnings {
            tracing::warn!("{w}");
        }
        file.rounds.push(RoundRecord {
            pair: slot.pair,
            block: slot.block,
            side: slot.side,
            order: slot.order,
            shard: req.shard,
            wall_seconds: Some(wall),
            measurements: parsed.measurements,
        });
    }
    if let Some(path) = &req.output {
        write_result_file(&file, path)?;
    }
    Ok(file)
}

/// Writes a result file (for `merge` and `compare --results`).
pub(crate) fn write_result_file(file: &ResultFile, path: &Path) -> Result<(), BenchError> {
    let json = serde_json::to_string_pretty(file).map_err(|e| BenchError::Usage(e.to_string()))?;
    std::fs::write(path, json + "\n").map_err(io("write result file", path))
}

/// Interleaved rounds, then the paired comparison of their sample sets.
fn run_and_compare(
    req: &RunRequest,
    options: &Options,
) -> Result<(SampleSet, SampleSet, Report), BenchError> {
    let file = run_rounds(req)?;
    let (base, head) = file.sample_sets()?;
    let mut report = analysis::compare(&base, &head, options)?;
    report.warnings.extend(file.environment_warnings());
    Ok((base, head, report))
}

/// `run`: interleaved rounds, then the paired comparison.
pub fn run(
    req: &RunRequest,
    options: &Options,
    out: &Outputs,
    ci: &Ci,
) -> Result<ExitCode, BenchError> {
    let (_, _, report) = run_and_compare(req, options)?;
    emit(&report, out, ci)
}

/// `calibrate`: an A/A run of one command against itself; prints the noise of every metric and
/// the smallest slowdown detectable with this many rounds.
pub fn calibrate(
    req: &RunRequest,
    options: &Options,
    out: &Outputs,
    ci: &Ci,
) -> Result<ExitCode, BenchError> {
    let (base, head, report) = run_and_compare(req, options)?;
    let rows = calibration(&base, &head, report.tests, options.alpha);
    let text = render::calibration(&rows, &report, out.format);
    let false_alarms = report.count("regression") + report.count("improvement");
    if false_alarms > 0 {
        tracing::warn!("{false_alarms} rows differ in an A/A run: the machine drifts more than the analysis assumes");
    }
    // An A/A run is not a gate: the report is shown, the exit code only says the run worked.
    side_effects(&report, out, ci)?;
    cli::print_stdout(&text);
    Ok(ExitCode::Ok)
}

/// Per metric: robust σ of the per-pair log-ratios and the minimum detectable effect (log scale)
/// for a one-sided test at Holm's first threshold α/N with 80% power, Wilcoxon efficiency 3/π.
pub fn calibration(
    base: &SampleSet,
    head: &SampleSet,
    tests: usize,
    alpha: f64,
) -> Vec<(String, f64, Option<f64>)> {
    let mut out = Vec::new();
    for (key, b) in &base.series {
        let Some(h) = head.series.get(key) else {
            continue;
        };
        let mut by_pair: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
        for s in &b.samples {
            if let Some(p) = s.pair {
                by_pair.entry(p).or_insert((f64::NAN, f64::NAN)).0 = s.value.ln();
            }
        }
        for s in &h.samples {
            if let Some(p) = s.pair {
                by_pair.entry(p).or_insert((f64::NAN, f64::NAN)).1 = s.value.ln();
            }
        }
        let d: Vec<f64> = by_pair
            .values()
            .map(|(x, y)| y - x)
            .filter(|v| v.is_finite())
            .collect();
        if d.len() < 2 {
            continue;
        }
        let m = stats::median(&d);
        let mad = stats::median(&d.iter().map(|x| (x - m).abs()).collect::<Vec<_>>()) * 1.4826;
        let z =
            stats::normal_quantile(1.0 - alpha / tests.max(1) as f64) + stats::normal_quantile(0.8);
        let n = d.len() as f64;
        let mde = (d.len() >= stats::paired_min_n(tests, alpha))
            .then(|| z * mad / n.sqrt() * (std::f64::consts::PI / 3.0).sqrt());
        out.push((key.to_string(), mad, mde));
    }
    out
}

/// `merge`: combines shard result files into one.
pub fn merge(inputs: &[PathBuf], output: &Path) -> Result<ExitCode, BenchError> {
    let files = read_results(inputs)?;
    let merged = ResultFile::merge(&files)?;
    let json =
        serde_json::to_string_pretty(&merged).map_err(|e| BenchError::Usage(e.to_string()))?;
    std::fs::write(output, json + "\n").map_err(io("write merged result file", output))?;
    tracing::info!(
        "merged {} files ({} rounds) into {}",
        files.len(),
        merged.rounds.len(),
        output.display()
    );
    Ok(ExitCode::Ok)
}

/// The environment fingerprint: CPU model, cores, kernel, and the SHA-256 of the command's program.
pub fn fingerprint(command: &str) -> Environment {
    let cpu_model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get() as u32);
    let kernel = Cmd::new("uname", "record the kernel in the environment fingerprint")
        .arg("-r")
        .run()
        .map(|o| o.stdout_str().trim().to_string())
        .unwrap_or_else(|_| "unknown".into());
    let mut binaries = BTreeMap::new();
    if let Some(program) = command
        .split_whitespace()
        .next()
        .filter(|p| Path::new(p).is_file())
    {
        if let Ok(out) = Cmd::new("sha256sum", "fingerprint the benchmark binary")
            .arg(program)
            .run()
        {
            if let Some(hash) = out.stdout_str().split_whitespace().next() {
                binaries.insert(program.to_string(), hash.to_string());
            }
        }
    }
    Environment {
        cpu_model,
        cores,
        kernel,
        binaries,
    }
}

/// Parses `--timeout`: seconds, or a number with `s`, `m` or `h`.
pub fn parse_timeout(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let (num, factor) = match t.char_indices().last() {
        Some((i, 's')) => (&t[..i], 1.0),
        Some((i, 'm')) => (&t[..i], 60.0),
        Some((i, 'h')) => (&t[..i], 3600.0),
        _ => (t, 1.0),
    };
    num.trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v > 0.0)
        .map(|v| Duration::from_secs_f64(v * factor))
        .ok_or_else(|| format!("`{text}` is not a duration; write e.g. 600, 90s, 30m or 2h"))
}

/// Parses `--min-effect`: a fraction (`0.02`) or a percentage (`2%`).
pub fn parse_fraction(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
        None => t.parse::<f64>(),
    };
    v.ok()
        .filter(|v| (0.0..1.0).contains(v))
        .ok_or_else(|| format!("`{text}` is not a fraction between 0 and 1; write e.g. 0.02 or 2%"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_and_fractions_parse() {
        assert_eq!(parse_timeout("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_timeout("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_timeout("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_timeout("soon").unwrap_err().contains("90s"));
        assert_eq!(parse_fraction("2%"), Ok(0.02));
        assert_eq!(parse_fraction("0.05"), Ok(0.05));
        assert!(parse_fraction("150%").is_err());
    }

    #[test]
    fn calibration_reports_noise_and_detectable_effect() {
        let mut base = SampleSet::default();
        let mut head = SampleSet::default();
        for i in 0..20u32 {
            let wobble = if i % 2 == 0 { 1.01 } else { 0.99 };
            base.push(
                crate::model::bench::model::Measurement::duration("A", "t", 1.0),
                Some(i),
                Side::Base,
            )
            .unwrap();
            head.push(
                crate::model::bench::model::Measurement::duration("A", "t", wobble),
                Some(i),
                Side::Head,
            )
            .unwrap();
        }
        let rows = calibration(&base, &head, 1, 0.05);
        assert_eq!(rows.len(), 1);
        let (_, sigma, mde) = &rows[0];
        assert!((sigma - 0.01 * 1.4826).abs() < 1e-3, "{sigma}");
        // z(0.95) + z(0.8) = 2.486; × σ / √20 × √(π/3)
        let expected = 2.486 * sigma / 20f64.sqrt() * (std::f64::consts::PI / 3.0).sqrt();
        assert!((mde.unwrap() - expected).abs() < 1e-3);
    }
}
