//! Whole-command timing (`bench-compare time`, for projects with no benchmark harness): the
//! metrics of one timed run, the names of the timed commands, and which metrics can be compared.

use crate::model::bench::model::{Measurement, ResultFile};
use std::collections::{BTreeMap, BTreeSet};

/// Wall-clock time of a run.
pub const WALL: &str = "wall";
/// User CPU time of a run (the command and its waited-for descendants).
pub const USER: &str = "user";
/// System CPU time of a run.
pub const SYS: &str = "sys";

/// The times of one run of one command, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunTimes {
    /// Wall-clock seconds.
    pub wall: f64,
    /// User CPU seconds.
    pub user: f64,
    /// System CPU seconds.
    pub sys: f64,
}

/// The three measurements of one run of the command pair `name`.
pub fn measurements(name: &str, t: RunTimes) -> Vec<Measurement> {
    [(WALL, t.wall), (USER, t.user), (SYS, t.sys)]
        .into_iter()
        .map(|(metric, v)| Measurement::duration(name, metric, v))
        .collect()
}

/// The report name of each (base, head) command pair: `names` when given (one per pair), else
/// the head command itself. Errors say what to pass instead.
pub fn command_names(
    base: &[String],
    head: &[String],
    names: &[String],
) -> Result<Vec<String>, String> {
    if base.is_empty() || base.len() != head.len() {
        return Err(format!(
            "{} --base-cmd and {} --head-cmd given; pass them in pairs, the n-th --base-cmd timed against the n-th --head-cmd",
            base.len(),
            head.len()
        ));
    }
    if !names.is_empty() && names.len() != base.len() {
        return Err(format!(
            "{} --name given for {} command pairs; name every pair or none (the head command is the default name)",
            names.len(),
            base.len()
        ));
    }
    let out: Vec<String> = if names.is_empty() {
        head.to_vec()
    } else {
        names.to_vec()
    };
    let mut seen = BTreeSet::new();
    for n in &out {
        if n.trim().is_empty() {
            return Err("a command pair has an empty name; give it a --name".into());
        }
        if !seen.insert(n) {
            return Err(format!(
                "two command pairs are named `{n}`; give each pair its own --name"
            ));
        }
    }
    Ok(out)
}

/// Removes the CPU-time metrics (user, sys) that read zero in some run: a command shorter than
/// the kernel's CPU accounting cannot be compared on them (the analysis needs values above zero).
/// Returns one warning per removed metric; wall-clock time is always kept.
pub fn drop_unmeasured_cpu(file: &mut ResultFile) -> Vec<String> {
    let mut zero_runs: BTreeMap<(String, String), usize> = BTreeMap::new();
    for round in &file.rounds {
        for m in &round.measurements {
            if m.metric != WALL && m.value <= 0.0 {
                *zero_runs
                    .entry((m.name.clone(), m.metric.clone()))
                    .or_default() += 1;
            }
        }
    }
    for round in &mut file.rounds {
        round
            .measurements
            .retain(|m| !zero_runs.contains_key(&(m.name.clone(), m.metric.clone())));
    }
    zero_runs
        .into_iter()
        .map(|((name, metric), runs)| {
            format!(
                "{name}: {metric} CPU time read 0 in {runs} runs (the command is shorter than the kernel's CPU accounting); {metric} is not compared, wall time is"
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::bench::model::{RoundRecord, Side};

    #[test]
    fn a_run_gives_wall_user_and_sys_in_seconds() {
        let ms = measurements(
            "make check",
            RunTimes {
                wall: 2.0,
                user: 1.5,
                sys: 0.25,
            },
        );
        let got: Vec<(&str, &str, f64)> = ms
            .iter()
            .map(|m| (m.metric.as_str(), m.unit.as_str(), m.value))
            .collect();
        assert_eq!(
            got,
            [("wall", "s", 2.0), ("user", "s", 1.5), ("sys", "s", 0.25)]
        );
        assert!(ms.iter().all(|m| m.name == "make check"));
    }

    #[test]
    fn names_default_to_the_head_command_and_must_pair_up() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(
            command_names(&v(&["a1", "b1"]), &v(&["a2", "b2"]), &[]),
            Ok(v(&["a2", "b2"]))
        );
        assert_eq!(
            command_names(&v(&["a1"]), &v(&["a2"]), &v(&["parse"])),
            Ok(v(&["parse"]))
        );
        assert!(command_names(&v(&["a1"]), &v(&[]), &[])
            .unwrap_err()
            .contains("in pairs"));
        assert!(command_names(&v(&["a", "b"]), &v(&["c", "d"]), &v(&["x"]))
            .unwrap_err()
            .contains("name every pair"));
        assert!(command_names(&v(&["a", "b"]), &v(&["c", "c"]), &[])
            .unwrap_err()
            .contains("`c`"));
    }

    #[test]
    fn zero_cpu_times_drop_that_metric_only() {
        let round = |pair, side, sys| RoundRecord {
            pair,
            block: 0,
            side,
            order: 0,
            shard: None,
            wall_seconds: None,
            measurements: measurements(
                "t",
                RunTimes {
                    wall: 0.01,
                    user: 0.004,
                    sys,
                },
            ),
        };
        let mut file = ResultFile::new();
        file.rounds = vec![round(0, Side::Base, 0.001), round(0, Side::Head, 0.0)];
        let warnings = drop_unmeasured_cpu(&mut file);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].starts_with("t: sys CPU time read 0 in 1 runs"));
        for r in &file.rounds {
            let metrics: Vec<&str> = r.measurements.iter().map(|m| m.metric.as_str()).collect();
            assert_eq!(metrics, ["wall", "user"]);
        }
    }
}
