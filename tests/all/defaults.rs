//! Without `release.toml`: the built-in (Mesos) defaults are announced once, plainly, and the
//! project's name comes from `AC_INIT` in configure.ac or `project()` in CMakeLists.txt.
#![allow(clippy::unwrap_used)]

use crate::support::*;

fn notices(r: &Run) -> usize {
    r.stderr.matches("no release.toml in").count()
}

#[test]
fn without_release_toml_the_defaults_are_announced_once_with_the_name_from_ac_init() {
    if !require_tool("git") {
        return;
    }
    let repo = repo_with(&[
        (
            "configure.ac",
            "AC_INIT([GNU Frobnicate], [2.0.1], [bug-frob@example.org])\nAM_INIT_AUTOMAKE\n",
        ),
        ("CHANGELOG", "Release Notes - Frobnicate - Version 2.0.1\n"),
    ]);
    let r = run_tool("bump-version", repo.path(), &["check"]);
    assert_eq!(notices(&r), 1, "said exactly once:\n{}", r.stderr);
    assert!(r.stderr.contains("built-in defaults"), "{}", r.stderr);
    assert!(r.stderr.contains("Apache Mesos"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("project `frobnicate` (\"Frobnicate\") from configure.ac (AC_INIT)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("write a release.toml"), "{}", r.stderr);
}

#[test]
fn a_cmake_project_name_is_used_when_there_is_no_configure_ac() {
    if !require_tool("git") {
        return;
    }
    let repo = repo_with(&[(
        "CMakeLists.txt",
        "cmake_minimum_required(VERSION 3.10)\nproject(Widget VERSION 0.3.0 LANGUAGES CXX)\n",
    )]);
    let r = run_tool("bump-version", repo.path(), &["check"]);
    assert_eq!(notices(&r), 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("project `widget` (\"Widget\") from CMakeLists.txt"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_project_with_release_toml_hears_nothing_about_defaults() {
    if !require_tool("git") {
        return;
    }
    let repo = repo_with(&[
        ("configure.ac", "AC_INIT([frob], [2.0.1])\n"),
        ("release.toml", "[project]\nname = \"frob\"\n"),
    ]);
    let r = run_tool("bump-version", repo.path(), &["check"]);
    assert_eq!(notices(&r), 0, "{}", r.stderr);
}
