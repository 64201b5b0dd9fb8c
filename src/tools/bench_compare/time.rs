//! `bench-compare time`: times whole commands (like hyperfine) for a project with no benchmark
//! harness. Each command pair's base and head commands run in the same ABBA/BAAB interleaved
//! rounds as `run`, after warm-up runs; every run records wall, user and system time, and the
//! rounds go through the same paired analysis and gate.

use crate::ci::Ci;
use crate::error::ExitCode;
use crate::model::bench::analysis::{self, Options};
use crate::model::bench::model::{ResultFile, RoundRecord, Side, SideEnvironment};
use crate::model::bench::schedule::{self, BlockOrder};
use crate::model::bench::timing::{self, RunTimes};
use crate::outside::process::Cmd;
use crate::outside::timed;
use crate::tools::bench_compare::runner::{self, BenchError, Outputs};
use std::path::PathBuf;
use std::time::Duration;

/// Inputs of `time`.
#[derive(Debug, Clone)]
pub struct TimeRequest {
    /// Shell commands of the previous release, one per pair.
    pub base_cmds: Vec<String>,
    /// Shell commands of the candidate, one per pair.
    pub head_cmds: Vec<String>,
    /// Report names of the pairs (empty: the head commands).
    pub names: Vec<String>,
    /// Measured pairs of runs.
    pub rounds: u32,
    /// Unmeasured runs of every command before the rounds.
    pub warmup: u32,
    /// Shell command run before every run, not timed.
    pub prepare: Option<String>,
    /// Limit per run.
    pub timeout: Duration,
    /// Seed of the block order.
    pub seed: u64,
    /// Where to write the result file.
    pub output: Option<PathBuf>,
}

fn sh(command: &str, why: String, timeout: Duration) -> Cmd {
    Cmd::new("sh", why).args(["-c", command]).timeout(timeout)
}

/// Runs the warm-up and the interleaved timed rounds and returns the result file (CPU metrics
/// that read zero removed, with warnings).
pub(crate) fn time_rounds(req: &TimeRequest) -> Result<(ResultFile, Vec<String>), BenchError> {
    let names = timing::command_names(&req.base_cmds, &req.head_cmds, &req.names)
        .map_err(BenchError::Usage)?;
    if req.rounds < 2 {
        return Err(BenchError::Usage(format!(
            "--rounds {} is too few; use at least 2 (6 or more for one command pair at --alpha 0.05)",
            req.rounds
        )));
    }
    let command = |side: Side, i: usize| match side {
        Side::Base => &req.base_cmds[i],
        Side::Head => &req.head_cmds[i],
    };
    let prepare = |why: &str| -> Result<(), BenchError> {
        if let Some(p) = &req.prepare {
            sh(
                p,
                format!("prepare the next timed run ({why})"),
                req.timeout,
            )
            .run()?;
        }
        Ok(())
    };
    let mut file = ResultFile::new();
    for (side, cmds) in [(Side::Base, &req.base_cmds), (Side::Head, &req.head_cmds)] {
        file.environments.push(SideEnvironment {
            side,
            shard: None,
            environment: runner::fingerprint(&cmds[0]),
        });
    }
    for w in file.environment_warnings() {
        tracing::warn!("{w}");
    }
    for round in 0..req.warmup {
        for (i, name) in names.iter().enumerate() {
            for side in [Side::Base, Side::Head] {
                let why = format!(
                    "warm up {name} ({side}), run {} of {}",
                    round + 1,
                    req.warmup
                );
                prepare(&why)?;
                sh(command(side, i), why, req.timeout).run()?;
            }
        }
    }
    for slot in schedule::plan(req.rounds, BlockOrder::Abba, req.seed) {
        let mut measurements = Vec::new();
        let mut wall = 0.0;
        for (i, name) in names.iter().enumerate() {
            let why = format!(
                "time {name} ({}), round {} of {}",
                slot.side,
                slot.pair + 1,
                req.rounds
            );
            prepare(&why)?;
            tracing::info!("{why}");
            let t = timed::run(&sh(command(slot.side, i), why, req.timeout))?;
            let times = RunTimes {
                wall: t.wall.as_secs_f64(),
                user: t.user.as_secs_f64(),
                sys: t.sys.as_secs_f64(),
            };
            wall += times.wall;
            measurements.extend(timing::measurements(name, times));
        }
        file.rounds.push(RoundRecord {
            pair: slot.pair,
            block: slot.block,
            side: slot.side,
            order: slot.order,
            shard: None,
            wall_seconds: Some(wall),
            measurements,
        });
    }
    let warnings = timing::drop_unmeasured_cpu(&mut file);
    if let Some(path) = &req.output {
        runner::write_result_file(&file, path)?;
    }
    Ok((file, warnings))
}

/// `time`: timed interleaved rounds, then the paired comparison and the gate.
pub fn time(
    req: &TimeRequest,
    options: &Options,
    out: &Outputs,
    ci: &Ci,
) -> Result<ExitCode, BenchError> {
    let (file, mut warnings) = time_rounds(req)?;
    let (base, head) = file.sample_sets()?;
    let mut report = analysis::compare(&base, &head, options)?;
    warnings.extend(file.environment_warnings());
    report.warnings.extend(warnings);
    runner::emit(&report, out, ci)
}
