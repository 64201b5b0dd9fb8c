//! The benchmark regression gate: data model, input parsers, statistics, analysis, run schedule and reports.
//!
//! Everything here except [`runner`] is pure: no I/O, no process spawning, no clock reads.

pub mod analysis;
pub mod model;
pub mod parse;
pub mod render;
pub mod runner;
pub mod schedule;
pub mod stats;
