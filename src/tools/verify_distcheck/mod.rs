//! verify-distcheck: `source` runs distcheck from a clean tag before it is voted on;
//! `candidate` is a PMC voter's full verification of a staged release candidate.

pub mod candidate;
pub mod licences;
pub mod source;
