//! bench-compare: runs the benchmarks of the previous release and of the candidate, or times
//! whole commands (or reads results produced elsewhere), analyses them with `model::bench`,
//! renders and gates.

pub mod render;
pub mod runner;
pub mod time;
