//! One folder per binary, named as the binary. A tool imports the layers below it and never
//! another tool: what two tools share lives in a lower layer.

pub mod bench_compare;
pub mod build_rpms;
pub mod bump_version;
pub mod changelog_check;
pub mod publish_dist;
pub mod stage_rc;
pub mod verify_distcheck;
