//! Right answers on projects release-kit was not fitted to (issue 15): regression tests named
//! after the wrong answer each one guards, one file per area.

mod bump;
mod changelog;
mod clock;
mod config;
mod distcheck;
mod mesos;
mod release_model;
mod scripts;
mod upstream;
