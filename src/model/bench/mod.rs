//! The benchmark regression gate: data model, input parsers, statistics, analysis, run schedule and reports.
//!
//! Everything here is pure: no I/O, no process spawning, no clock reads. The runner and the
//! renderers live with bench-compare (`tools::bench_compare`).

pub mod analysis;
pub mod hodges_lehmann;
pub mod model;
pub mod parse;
pub mod schedule;
pub mod stats;
pub mod timing;
