//! verify-distcheck: `source` runs distcheck from a clean tag before it is voted on;
//! `candidate` is a PMC voter's full verification of a staged release candidate.

mod aux_dir;
pub mod candidate;
mod excerpt;
pub mod licences;
pub mod source;
