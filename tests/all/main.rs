//! The integration tests, in one test binary (every extra binary links the whole library again):
//! one module per tool or deliverable, and one copy of the shared test support.

mod support;

mod actions;
mod bench_compare;
mod build_rpms;
mod bump_version;
mod changelog_check;
mod docs;
mod jenkins;
mod layers;
mod licence;
mod pr_changelog_workflow;
mod publish_dist;
mod publish_tally;
mod rc_workflow;
mod sample_project;
mod stage_rc;
mod verify_distcheck;
mod website;
mod workflows;
