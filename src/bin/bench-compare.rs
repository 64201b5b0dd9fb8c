//! bench-compare: the benchmark regression gate against the previous release.

use clap::builder::BoolishValueParser;
use clap::{Parser, Subcommand};
use release_kit::ci::Ci;
use release_kit::cli::{self, OutputArgs};
use release_kit::model::bench::analysis::{GatePolicy, Options, Pairing};
use release_kit::model::bench::model::Shard;
use release_kit::model::bench::parse::Format;
use release_kit::model::bench::schedule;
use release_kit::tools::bench_compare::runner::{self, CompareRequest, Outputs, RunRequest};
use release_kit::tools::bench_compare::time::{self, TimeRequest};
use std::path::PathBuf;
use std::time::Duration;

/// Compare the benchmarks of the previous release (base) and the candidate (head) with
/// distribution-free, multiplicity-corrected statistics. Exit codes: 0 no regression, 1 a
/// regression (or inconclusive/missing rows when asked to fail on them), 2 bad usage or input
/// (including any parse error), 3 a benchmark command crashed or timed out.
#[derive(Debug, Parser)]
#[command(name = "bench-compare", version, mut_arg("format", cli::with_csv))]
struct Cli {
    #[command(flatten)]
    output: OutputArgs,
    #[command(flatten)]
    gate: GateArgs,
    #[command(subcommand)]
    command: Command,
}

/// The gate's own flags.
#[derive(Debug, clap::Args)]
struct GateArgs {
    /// Also write an SVG plot of the ratios with their confidence intervals.
    #[arg(long, global = true, env = "RELEASE_KIT_SVG", value_name = "PATH")]
    svg: Option<PathBuf>,
    /// Smallest change that counts as a regression or improvement, e.g. 2% or 0.02.
    #[arg(long, global = true, env = "RELEASE_KIT_MIN_EFFECT", default_value = "2%", value_parser = runner::parse_fraction)]
    min_effect: f64,
    /// Family-wise false-alarm rate, Holm-corrected across every (benchmark, metric).
    #[arg(long, global = true, env = "RELEASE_KIT_ALPHA", default_value = "0.05", value_parser = runner::parse_fraction)]
    alpha: f64,
    /// Fail (exit 1) when a row is inconclusive.
    #[arg(long, global = true, env = "RELEASE_KIT_FAIL_ON_INCONCLUSIVE", value_parser = BoolishValueParser::new())]
    fail_on_inconclusive: bool,
    /// Fail (exit 1) when a benchmark of base is missing from head.
    #[arg(long, global = true, env = "RELEASE_KIT_FAIL_ON_MISSING", value_parser = BoolishValueParser::new())]
    fail_on_missing: bool,
    /// Compare the sides as independent samples even when rounds are paired.
    #[arg(long, global = true, env = "RELEASE_KIT_UNPAIRED", value_parser = BoolishValueParser::new())]
    unpaired: bool,
    /// Format of the inputs or of the commands' output [default: detected from the content].
    #[arg(long, global = true, env = "RELEASE_KIT_INPUT_FORMAT", value_parser = |s: &str| s.parse::<Format>())]
    input_format: Option<Format>,
    /// Compare what parsed even when some timing-looking lines did not (they are still listed).
    #[arg(long, global = true, env = "RELEASE_KIT_ALLOW_UNPARSED", value_parser = BoolishValueParser::new())]
    allow_unparsed: bool,
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Number of base/head pairs, run in ABBA/BAAB blocks.
    #[arg(long, env = "RELEASE_KIT_ROUNDS", default_value = "20")]
    rounds: u32,
    /// GTEST_FILTER passed to the benchmark commands.
    #[arg(long, env = "RELEASE_KIT_FILTER", value_name = "PATTERN")]
    filter: Option<String>,
    /// Kill a benchmark command that runs longer than this (exit 3), e.g. 600, 90s, 30m.
    #[arg(long, env = "RELEASE_KIT_TIMEOUT", default_value = "30m", value_parser = runner::parse_timeout)]
    timeout: Duration,
    /// Seed of the randomised block order [default: from the clock, logged].
    #[arg(long, env = "RELEASE_KIT_SEED")]
    seed: Option<u64>,
    /// Run only shard i of n of the benchmark list (gtest binaries), for a CI matrix.
    #[arg(long, env = "RELEASE_KIT_SHARD", value_name = "i/n", value_parser = |s: &str| schedule::parse_shard(s).map_err(|e| e.to_string()))]
    shard: Option<Shard>,
    /// Write every round to this result file (for `merge` and `compare --results`).
    #[arg(long, env = "RELEASE_KIT_OUTPUT", value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Compare result files produced elsewhere (e.g. attached to the previous release).
    Compare {
        /// Result files of the previous release.
        #[arg(long, env = "RELEASE_KIT_BASE", num_args = 1.., value_delimiter = ',', required_unless_present = "results")]
        base: Vec<PathBuf>,
        /// Result files of the candidate.
        #[arg(long, env = "RELEASE_KIT_HEAD", num_args = 1.., value_delimiter = ',', required_unless_present = "results")]
        head: Vec<PathBuf>,
        /// Result files of `run` / `merge` holding both sides (paired analysis).
        #[arg(long, env = "RELEASE_KIT_RESULTS", num_args = 1.., value_delimiter = ',', conflicts_with_all = ["base", "head"])]
        results: Vec<PathBuf>,
    },
    /// Run both builds' benchmarks interleaved in the same job, then compare them paired.
    Run {
        /// Shell command running the previous release's benchmarks.
        #[arg(long, env = "RELEASE_KIT_BASE_CMD")]
        base_cmd: String,
        /// Shell command running the candidate's benchmarks.
        #[arg(long, env = "RELEASE_KIT_HEAD_CMD")]
        head_cmd: String,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Time whole commands (like hyperfine), for a project with no benchmark harness: wall, user
    /// and system time of every run, base and head interleaved in ABBA/BAAB rounds after warm-up
    /// runs, then the same paired comparison and gate as `run`.
    Time {
        /// Shell command of the previous release, e.g. `make -C base check`; repeat for several
        /// commands, each timed against the --head-cmd at the same position.
        #[arg(long, env = "RELEASE_KIT_BASE_CMD", required = true)]
        base_cmd: Vec<String>,
        /// Shell command of the candidate; one per --base-cmd.
        #[arg(long, env = "RELEASE_KIT_HEAD_CMD", required = true)]
        head_cmd: Vec<String>,
        /// Name of each command pair in the report, one per pair [default: the head command].
        #[arg(long, env = "RELEASE_KIT_NAME")]
        name: Vec<String>,
        /// Unmeasured runs of every command before the timed rounds (base and head alternating).
        #[arg(long, env = "RELEASE_KIT_WARMUP", default_value = "1")]
        warmup: u32,
        /// Shell command run before every run, not timed (e.g. to reset a build or cache).
        #[arg(long, env = "RELEASE_KIT_PREPARE", value_name = "CMD")]
        prepare: Option<String>,
        /// Number of base/head pairs, run in ABBA/BAAB blocks.
        #[arg(long, env = "RELEASE_KIT_ROUNDS", default_value = "10")]
        rounds: u32,
        /// Kill a command that runs longer than this (exit 3), e.g. 600, 90s, 30m.
        #[arg(long, env = "RELEASE_KIT_TIMEOUT", default_value = "30m", value_parser = runner::parse_timeout)]
        timeout: Duration,
        /// Seed of the randomised block order [default: from the clock, logged].
        #[arg(long, env = "RELEASE_KIT_SEED")]
        seed: Option<u64>,
        /// Write every round to this result file (for `compare --results`).
        #[arg(long, env = "RELEASE_KIT_OUTPUT", value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Run one build against itself (A/A) and report the noise and the smallest detectable regression.
    Calibrate {
        /// Shell command running the benchmarks.
        #[arg(long, env = "RELEASE_KIT_CMD")]
        cmd: String,
        #[command(flatten)]
        run: RunArgs,
    },
    /// Combine the result files of several shards into one.
    Merge {
        /// Shard result files.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The merged result file.
        #[arg(long, short, env = "RELEASE_KIT_OUTPUT")]
        output: PathBuf,
    },
}

/// The given seed, or one from the clock (logged so that the order can be repeated).
fn seed(given: Option<u64>) -> u64 {
    let seed = given.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    tracing::info!("block order seed {seed} (pass --seed {seed} to repeat this order)");
    seed
}

fn run_request(base_cmd: String, head_cmd: String, run: RunArgs, gate: &GateArgs) -> RunRequest {
    let seed = seed(run.seed);
    RunRequest {
        base_cmd,
        head_cmd,
        rounds: run.rounds,
        filter: run.filter,
        timeout: run.timeout,
        seed,
        shard: run.shard,
        input_format: gate.input_format,
        allow_unparsed: gate.allow_unparsed,
        output: run.output,
    }
}

impl GateArgs {
    fn options(&self) -> Options {
        Options {
            alpha: self.alpha,
            min_effect: self.min_effect,
            pairing: if self.unpaired {
                Pairing::Unpaired
            } else {
                Pairing::Auto
            },
            ..Options::default()
        }
    }

    fn outputs(&self, output: &OutputArgs) -> Outputs {
        Outputs {
            format: output.format,
            junit: output.junit.clone(),
            svg: self.svg.clone(),
            policy: GatePolicy {
                fail_on_inconclusive: self.fail_on_inconclusive,
                fail_on_missing: self.fail_on_missing,
            },
        }
    }
}

fn main() -> std::process::ExitCode {
    let cli: Cli = cli::parse();
    cli::init_logging(&cli.output);
    let g = &cli.gate;
    let (options, outputs) = (g.options(), g.outputs(&cli.output));
    let ci = Ci::detect();
    let outcome = match cli.command {
        Command::Compare {
            base,
            head,
            results,
        } => {
            let req = CompareRequest {
                base,
                head,
                results,
                input_format: g.input_format,
                allow_unparsed: g.allow_unparsed,
                options,
            };
            runner::compare(&req, &outputs, &ci)
        }
        Command::Run {
            base_cmd,
            head_cmd,
            run,
        } => {
            let req = run_request(base_cmd, head_cmd, run, g);
            runner::run(&req, &options, &outputs, &ci)
        }
        Command::Time {
            base_cmd,
            head_cmd,
            name,
            warmup,
            prepare,
            rounds,
            timeout,
            seed: given,
            output,
        } => {
            let req = TimeRequest {
                base_cmds: base_cmd,
                head_cmds: head_cmd,
                names: name,
                rounds,
                warmup,
                prepare,
                timeout,
                seed: seed(given),
                output,
            };
            time::time(&req, &options, &outputs, &ci)
        }
        Command::Calibrate { cmd, run } => {
            let req = run_request(cmd.clone(), cmd, run, g);
            runner::calibrate(&req, &options, &outputs, &ci)
        }
        Command::Merge { inputs, output } => runner::merge(&inputs, &output),
    };
    cli::finish(outcome.map_err(Into::into))
}
