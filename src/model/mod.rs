//! The release guide's nouns, pure: no process spawning, no network, no clock reads. Parsing,
//! checking and computing only; the adapters in `outside` feed them and the tools act on them.

pub mod artifact;
pub mod bench;
pub mod changelog;
pub mod jira;
pub mod licence;
pub mod rpm;
pub mod tag;
pub mod tally;
pub mod version;
pub mod version_sites;
pub mod vote;
