//! The integration tests, in one test binary (every extra binary links the whole library again):
//! one module per tool or deliverable, and one copy of the shared test support.

mod support;

mod actions;
mod bench_compare;
mod build_rpms;
mod bump_version;
mod changelog_check;
mod corpus;
mod defaults;
mod docs;
mod hostile;
mod jenkins;
mod layers;
mod licence;
mod pr_changelog_workflow;
mod publish_dist;
mod publish_tally;
mod rc_workflow;
mod readiness;
mod real_projects;
mod sample_project;
mod stage_rc;
mod stage_rc_keys;
mod stage_rc_split;
mod verify_distcheck;
mod website;
mod workflows;
