//! release-kit: the shared model of an Apache-style release and the tools built on it.

pub mod bench;
