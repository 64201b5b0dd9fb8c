//! bump-version on files with several sites, and on sites it must refuse.
#![allow(clippy::unwrap_used)]

use crate::support::*;

const CONFIG: &str = r#"[project]
name = "hello"

[[version_sites]]
file = "configure.ac"
major = "m4_define([hello_major], [{major}])"
minor = "m4_define([hello_minor], [{minor}])"
patch = "m4_define([hello_patch], [{patch}])"

[[version_sites]]
file = "ANNOUNCE"
version = "Hello {version} is out"

[[version_sites]]
file = "ANNOUNCE"
version = "hello-{version}.tar.gz"

[[version_sites]]
file = "ANNOUNCE"
version = "Upgrade to {version} now"
"#;

const CONFIGURE_AC: &str = "m4_define([hello_major], [1])\nm4_define([hello_minor], [4])\nm4_define([hello_patch], [2])\nAC_INIT([hello], [hello_major.hello_minor.hello_patch])\n";
const ANNOUNCE: &str =
    "Hello 1.4.2 is out.\n\nDownload hello-1.4.2.tar.gz.\n\nUpgrade to 1.4.2 now.\n";

fn several_sites_repo() -> tempfile::TempDir {
    repo_with(&[
        ("release.toml", CONFIG),
        ("configure.ac", CONFIGURE_AC),
        ("ANNOUNCE", ANNOUNCE),
    ])
}

#[test]
fn bump_rewrites_every_site_in_one_file() {
    let d = several_sites_repo();
    let r = run_tool("bump-version", d.path(), &["set", "1.5.0", "--commit"]);
    r.assert_code(0);
    // The report names every edit, file and line, and counts them.
    assert!(
        r.stdout
            .contains("version 1.4.2 -> 1.5.0: changed 2 file(s), 5 edit(s)"),
        "{}",
        r.stdout
    );
    for line in [
        "configure.ac:2: 4 -> 5",
        "configure.ac:3: 2 -> 0",
        "ANNOUNCE:1: 1.4.2 -> 1.5.0",
        "ANNOUNCE:3: 1.4.2 -> 1.5.0",
        "ANNOUNCE:5: 1.4.2 -> 1.5.0",
    ] {
        assert!(r.stdout.contains(line), "{line} missing:\n{}", r.stdout);
    }
    // Every edit is committed, none is left behind in the work tree.
    assert_eq!(
        git(d.path(), &["show", "HEAD:ANNOUNCE"]),
        "Hello 1.5.0 is out.\n\nDownload hello-1.5.0.tar.gz.\n\nUpgrade to 1.5.0 now.\n"
    );
    assert_eq!(
        git(d.path(), &["show", "HEAD:configure.ac"]),
        CONFIGURE_AC
            .replace("[4]", "[5]")
            .replace("hello_patch], [2]", "hello_patch], [0]")
    );
    assert_eq!(git(d.path(), &["status", "--porcelain"]), "");
    run_tool("bump-version", d.path(), &["check", "--expect", "1.5.0"]).assert_code(0);
}

#[test]
fn bump_dry_run_shows_every_site_of_a_file_in_one_diff() {
    let d = several_sites_repo();
    let r = run_tool("bump-version", d.path(), &["next", "patch", "--dry-run"]);
    r.assert_code(0);
    assert!(
        r.stdout.contains("would change 2 file(s), 4 edit(s)"),
        "{}",
        r.stdout
    );
    assert_eq!(
        r.stdout.matches("+++ b/ANNOUNCE").count(),
        1,
        "{}",
        r.stdout
    );
    assert_eq!(r.stdout.matches("+Upgrade to 1.4.3 now.").count(), 1);
    assert_eq!(r.stdout.matches("+Hello 1.4.3 is out.").count(), 1);
    assert_eq!(
        std::fs::read_to_string(d.path().join("ANNOUNCE")).unwrap(),
        ANNOUNCE
    );
}

#[test]
fn bump_refuses_a_version_site_outside_the_repository() {
    for file in ["../outside.txt", "/etc/hostname", "sub/../../x"] {
        let d = repo_with(&[(
            "release.toml",
            &format!(
                "[project]\nname = \"hello\"\n\n[[version_sites]]\nfile = \"{file}\"\nversion = \"{{version}}\"\n"
            ),
        )]);
        let r = run_tool("bump-version", d.path(), &["set", "1.0.0"]);
        r.assert_code(2);
        assert!(
            r.stderr.contains(file) && r.stderr.contains("relative to the project root"),
            "{file}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{file}: {}", r.stdout);
    }
    assert!(!std::env::temp_dir().join("outside.txt").exists());
}

#[test]
fn bump_refuses_to_wrap_the_largest_number_to_zero() {
    let max = u64::MAX;
    let d = repo_with(&[
        (
            "release.toml",
            "[project]\nname = \"hello\"\n\n[[version_sites]]\nfile = \"VERSION\"\nversion = \"{version}\"\n",
        ),
        ("VERSION", &format!("1.2.{max}\n")),
    ]);
    let r = run_tool("bump-version", d.path(), &["next", "patch"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("would wrap it to 0") && r.stderr.contains("bump-version set"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(d.path().join("VERSION")).unwrap(),
        format!("1.2.{max}\n")
    );
    // One more than the largest number is not a version either.
    let r = run_tool(
        "bump-version",
        d.path(),
        &["set", "1.2.18446744073709551616"],
    );
    r.assert_code(2);
    assert!(r.stderr.contains("too large"), "{}", r.stderr);
}

#[test]
fn bump_refuses_a_version_site_behind_a_symlink_out_of_the_repository() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("VERSION"), "1.0.0\n").unwrap();
    let d = repo_with(&[(
        "release.toml",
        "[project]\nname = \"hello\"\n\n[[version_sites]]\nfile = \"ext/VERSION\"\nversion = \"{version}\"\n",
    )]);
    std::os::unix::fs::symlink(outside.path(), d.path().join("ext")).unwrap();
    let r = run_tool("bump-version", d.path(), &["set", "2.0.0"]);
    r.assert_code(2);
    assert!(
        r.stderr.contains("outside the project") && r.stderr.contains("ext/VERSION"),
        "{}",
        r.stderr
    );
    assert_eq!(
        std::fs::read_to_string(outside.path().join("VERSION")).unwrap(),
        "1.0.0\n"
    );
}
