//! The benchmark data model: metric keys, units, directions, samples and the result file format.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Version of the result file format written by `bench-compare run` and `merge`.
pub(crate) const SCHEMA_VERSION: u32 = 1;

/// Which way is better for a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Direction {
    /// Durations, bytes, allocations: smaller is better.
    LowerIsBetter,
    /// Throughput: larger is better.
    HigherIsBetter,
}

impl Direction {
    /// The direction implied by a canonical unit: rates (`.../s`) are higher-is-better, everything else lower.
    pub(crate) fn for_unit(unit: &str) -> Direction {
        if unit.ends_with("/s") {
            Direction::HigherIsBetter
        } else {
            Direction::LowerIsBetter
        }
    }

    /// +1 when a larger value is worse, -1 when a smaller value is worse.
    pub(crate) fn badness_sign(self) -> f64 {
        match self {
            Direction::LowerIsBetter => 1.0,
            Direction::HigherIsBetter => -1.0,
        }
    }

    /// Short label used in tables.
    pub fn label(self) -> &'static str {
        match self {
            Direction::LowerIsBetter => "lower-is-better",
            Direction::HigherIsBetter => "higher-is-better",
        }
    }
}

/// The build a measurement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// The previous release.
    Base,
    /// The release candidate.
    Head,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Base => "base",
            Side::Head => "head",
        })
    }
}

/// Identifies one metric of one benchmark: the test name (with its parameter index) and the
/// normalised line template, e.g. `Added {n} agents in {t}`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct MetricKey {
    /// Benchmark name, e.g. `AgentAndFrameworkCount/HierarchicalAllocator_BENCHMARK_Test.AddAndUpdateSlave/3`.
    pub name: String,
    /// Metric within the benchmark, e.g. `Added {n} agents in {t}` or `real_time`.
    pub metric: String,
}

impl MetricKey {
    /// Builds a key from its two parts.
    pub fn new(name: impl Into<String>, metric: impl Into<String>) -> Self {
        MetricKey {
            name: name.into(),
            metric: metric.into(),
        }
    }
}

impl fmt::Display for MetricKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.name, self.metric)
    }
}

/// One measured value as it comes out of a parser or a result file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Measurement {
    /// Benchmark name.
    pub name: String,
    /// Metric within the benchmark.
    pub metric: String,
    /// Canonical unit: `s` for durations, `B`, `allocs`, or a rate such as `rpcs/s`.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// The value in `unit`.
    pub value: f64,
}

impl Measurement {
    /// A duration in seconds (lower is better).
    pub fn duration(name: impl Into<String>, metric: impl Into<String>, seconds: f64) -> Self {
        Measurement {
            name: name.into(),
            metric: metric.into(),
            unit: "s".into(),
            direction: Direction::LowerIsBetter,
            value: seconds,
        }
    }

    /// A value whose direction follows from its unit.
    pub(crate) fn with_unit(
        name: impl Into<String>,
        metric: impl Into<String>,
        unit: impl Into<String>,
        value: f64,
    ) -> Self {
        let unit = unit.into();
        Measurement {
            name: name.into(),
            metric: metric.into(),
            direction: Direction::for_unit(&unit),
            unit,
            value,
        }
    }

    /// The key this measurement belongs to.
    pub fn key(&self) -> MetricKey {
        MetricKey::new(self.name.clone(), self.metric.clone())
    }
}

/// One sample of a series; `pair` is set when the sample was taken in an interleaved run and can
/// be paired with the other side's sample of the same pair.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    /// The value in the series' unit.
    pub value: f64,
    /// Pair index within an interleaved run, if any.
    pub pair: Option<u32>,
}

/// All samples of one metric on one side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Series {
    /// Canonical unit.
    pub unit: String,
    /// Which way is better.
    pub direction: Direction,
    /// Samples in the order they were read.
    pub samples: Vec<Sample>,
}

impl Series {
    /// The sample values.
    pub fn values(&self) -> Vec<f64> {
        self.samples.iter().map(|s| s.value).collect()
    }
}

/// Errors building sample sets and result files.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ModelError {
    /// The same metric was reported in two different units on one side.
    #[error("{key} is reported in `{first}` and in `{second}` on the {side} side; make every input for one build report this benchmark in the same unit")]
    UnitConflict {
        /// The metric.
        key: MetricKey,
        /// The side.
        side: Side,
        /// Unit seen first.
        first: String,
        /// Unit seen later.
        second: String,
    },
    /// A result file of an unknown schema version.
    #[error("{source_name}: result file schema {found} is not supported (this build reads schema {SCHEMA_VERSION}); re-create it with this version of bench-compare")]
    Schema {
        /// File name.
        source_name: String,
        /// Version found.
        found: u32,
    },
    /// Merging shard files that measured the same benchmark.
    #[error("{key} appears in both {first} and {second}; shards must measure disjoint benchmark lists (use `--shard i/n` with the same n on every runner)")]
    OverlappingShards {
        /// The metric.
        key: MetricKey,
        /// First file.
        first: String,
        /// Second file.
        second: String,
    },
}

/// Samples of one side, grouped by metric.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SampleSet {
    /// Series by key.
    pub series: BTreeMap<MetricKey, Series>,
}

impl SampleSet {
    /// Adds one measurement; `side` only names the side in errors.
    pub fn push(
        &mut self,
        m: Measurement,
        pair: Option<u32>,
        side: Side,
    ) -> Result<(), ModelError> {
        let key = m.key();
        let sample = Sample {
            value: m.value,
            pair,
        };
        match self.series.get_mut(&key) {
            Some(series) => {
                if series.unit != m.unit {
                    return Err(ModelError::UnitConflict {
                        key,
                        side,
                        first: series.unit.clone(),
                        second: m.unit,
                    });
                }
                series.samples.push(sample);
            }
            None => {
                self.series.insert(
                    key,
                    Series {
                        unit: m.unit,
                        direction: m.direction,
                        samples: vec![sample],
                    },
                );
            }
        }
        Ok(())
    }

    /// Adds unpaired measurements.
    pub(crate) fn extend_unpaired(
        &mut self,
        ms: impl IntoIterator<Item = Measurement>,
        side: Side,
    ) -> Result<(), ModelError> {
        ms.into_iter().try_for_each(|m| self.push(m, None, side))
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.series.len()
    }

    /// True when no series were read.
    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }
}

/// The machine and binaries a side ran on; recorded in every result file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// CPU model name.
    pub cpu_model: String,
    /// Logical cores.
    pub cores: u32,
    /// Kernel release.
    pub kernel: String,
    /// SHA-256 of each binary the command runs, by path.
    #[serde(default)]
    pub binaries: BTreeMap<String, String>,
}

impl Environment {
    /// Human-readable differences between two machines that make timings incomparable.
    pub(crate) fn machine_differences(&self, other: &Environment) -> Vec<String> {
        let mut out = Vec::new();
        if self.cpu_model != other.cpu_model {
            out.push(format!(
                "CPU model `{}` vs `{}`",
                self.cpu_model, other.cpu_model
            ));
        }
        if self.cores != other.cores {
            out.push(format!("{} vs {} cores", self.cores, other.cores));
        }
        if self.kernel != other.kernel {
            out.push(format!("kernel `{}` vs `{}`", self.kernel, other.kernel));
        }
        out
    }
}

/// A shard of a benchmark list: `index` of `count`, 1-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shard {
    /// 1-based shard number.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

/// One execution of one side's benchmark command.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundRecord {
    /// Pair index: the base and head runs with the same pair are compared with each other.
    pub pair: u32,
    /// ABBA block number.
    pub block: u32,
    /// Which build ran.
    pub side: Side,
    /// Position in the run order (0-based), across both sides.
    pub order: u32,
    /// Shard that produced this round, when the run was sharded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// Wall-clock duration of the command in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wall_seconds: Option<f64>,
    /// Everything the round measured.
    pub measurements: Vec<Measurement>,
}

/// The result file of `bench-compare run` / `merge`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultFile {
    /// Format version, [`SCHEMA_VERSION`].
    pub schema: u32,
    /// Environment fingerprint of each side (one per shard after a merge).
    pub environments: Vec<SideEnvironment>,
    /// Shards merged into this file (empty when not sharded).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub shards: Vec<Shard>,
    /// Every round, in run order.
    pub rounds: Vec<RoundRecord>,
}

/// An environment fingerprint tagged with its side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SideEnvironment {
    /// Which build.
    pub side: Side,
    /// Shard, if sharded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// The fingerprint.
    pub environment: Environment,
}

impl ResultFile {
    /// An empty result file of the current schema.
    pub fn new() -> Self {
        ResultFile {
            schema: SCHEMA_VERSION,
            environments: Vec::new(),
            shards: Vec::new(),
            rounds: Vec::new(),
        }
    }

    /// Splits the rounds into paired base and head sample sets.
    pub(crate) fn sample_sets(&self) -> Result<(SampleSet, SampleSet), ModelError> {
        let mut base = SampleSet::default();
        let mut head = SampleSet::default();
        for round in &self.rounds {
            let set = match round.side {
                Side::Base => &mut base,
                Side::Head => &mut head,
            };
            for m in &round.measurements {
                set.push(m.clone(), Some(round.pair), round.side)?;
            }
        }
        Ok((base, head))
    }

    /// Warnings about base and head having run on different machines.
    pub(crate) fn environment_warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for b in self.environments.iter().filter(|e| e.side == Side::Base) {
            for h in self
                .environments
                .iter()
                .filter(|e| e.side == Side::Head && e.shard == b.shard)
            {
                let diffs = b.environment.machine_differences(&h.environment);
                if !diffs.is_empty() {
                    out.push(format!(
                        "base and head ran on different machines ({}); timings may not be comparable",
                        diffs.join(", ")
                    ));
                }
            }
        }
        out
    }

    /// Merges shard result files (`(file name, file)`) into one, refusing benchmarks measured by two shards.
    pub fn merge(files: &[(String, ResultFile)]) -> Result<ResultFile, ModelError> {
        let mut owner: BTreeMap<MetricKey, &str> = BTreeMap::new();
        let mut merged = ResultFile::new();
        for (name, file) in files {
            if file.schema != SCHEMA_VERSION {
                return Err(ModelError::Schema {
                    source_name: name.clone(),
                    found: file.schema,
                });
            }
            let mut keys_here = std::collections::BTreeSet::new();
            for round in &file.rounds {
                for m in &round.measurements {
                    keys_here.insert(m.key());
                }
            }
            for key in keys_here {
                if let Some(first) = owner.get(&key) {
                    return Err(ModelError::OverlappingShards {
                        key,
                        first: (*first).to_string(),
                        second: name.clone(),
                    });
                }
                owner.insert(key, name);
            }
            for env in &file.environments {
                if !merged.environments.contains(env) {
                    merged.environments.push(env.clone());
                }
            }
            for shard in &file.shards {
                if !merged.shards.contains(shard) {
                    merged.shards.push(*shard);
                }
            }
            merged.rounds.extend(file.rounds.iter().cloned());
        }
        merged.shards.sort_by_key(|s| (s.count, s.index));
        Ok(merged)
    }
}

impl Default for ResultFile {
    fn default() -> Self {
        ResultFile::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(pair: u32, side: Side, name: &str, v: f64) -> RoundRecord {
        RoundRecord {
            pair,
            block: pair / 2,
            side,
            order: pair * 2 + u32::from(side == Side::Head),
            shard: None,
            wall_seconds: None,
            measurements: vec![Measurement::duration(name, "time", v)],
        }
    }

    #[test]
    fn direction_follows_unit() {
        assert_eq!(Direction::for_unit("s"), Direction::LowerIsBetter);
        assert_eq!(Direction::for_unit("rpcs/s"), Direction::HigherIsBetter);
        assert_eq!(Direction::for_unit("B"), Direction::LowerIsBetter);
    }

    #[test]
    fn unit_conflict_on_one_side_is_an_error() {
        let mut set = SampleSet::default();
        set.push(
            Measurement::with_unit("A", "m", "op/s", 1.0),
            None,
            Side::Base,
        )
        .unwrap();
        let err = set
            .push(
                Measurement::with_unit("A", "m", "rpcs/s", 1.0),
                None,
                Side::Base,
            )
            .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("`op/s`") && msg.contains("`rpcs/s`") && msg.contains("base"),
            "{msg}"
        );
    }

    #[test]
    fn result_file_round_trips_and_splits_sides_with_pairs() {
        let mut file = ResultFile::new();
        file.rounds = vec![
            round(0, Side::Base, "A", 1.0),
            round(0, Side::Head, "A", 2.0),
        ];
        let json = serde_json::to_string(&file).unwrap();
        let back: ResultFile = serde_json::from_str(&json).unwrap();
        assert_eq!(back, file);
        let (b, h) = back.sample_sets().unwrap();
        let key = MetricKey::new("A", "time");
        assert_eq!(
            b.series[&key].samples,
            vec![Sample {
                value: 1.0,
                pair: Some(0)
            }]
        );
        assert_eq!(
            h.series[&key].samples,
            vec![Sample {
                value: 2.0,
                pair: Some(0)
            }]
        );
    }

    #[test]
    fn result_file_rejects_unknown_keys() {
        let err = serde_json::from_str::<ResultFile>(
            r#"{"schema":1,"environments":[],"rounds":[],"extra":1}"#,
        )
        .unwrap_err();
        assert!(err.to_string().contains("extra"));
    }

    #[test]
    fn merge_concatenates_disjoint_shards_and_refuses_overlap() {
        let mut a = ResultFile::new();
        a.shards = vec![Shard { index: 1, count: 2 }];
        a.rounds = vec![round(0, Side::Base, "A", 1.0)];
        let mut b = ResultFile::new();
        b.shards = vec![Shard { index: 2, count: 2 }];
        b.rounds = vec![round(0, Side::Base, "B", 1.0)];
        let merged =
            ResultFile::merge(&[("a.json".into(), a.clone()), ("b.json".into(), b)]).unwrap();
        assert_eq!(merged.rounds.len(), 2);
        assert_eq!(merged.shards.len(), 2);
        let err =
            ResultFile::merge(&[("a.json".into(), a.clone()), ("c.json".into(), a)]).unwrap_err();
        assert!(err.to_string().contains("a.json") && err.to_string().contains("c.json"));
    }

    #[test]
    fn merge_refuses_other_schema() {
        let mut a = ResultFile::new();
        a.schema = 99;
        let err = ResultFile::merge(&[("old.json".into(), a)]).unwrap_err();
        assert!(err.to_string().contains("schema 99"));
    }

    #[test]
    fn environment_differences_are_warned() {
        let mut file = ResultFile::new();
        let env = Environment {
            cpu_model: "Xeon".into(),
            cores: 2,
            kernel: "6.1".into(),
            binaries: BTreeMap::new(),
        };
        let mut other = env.clone();
        other.cores = 4;
        file.environments = vec![
            SideEnvironment {
                side: Side::Base,
                shard: None,
                environment: env,
            },
            SideEnvironment {
                side: Side::Head,
                shard: None,
                environment: other,
            },
        ];
        let w = file.environment_warnings();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("2 vs 4 cores"), "{}", w[0]);
    }
}
