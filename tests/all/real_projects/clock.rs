//! `RELEASE_KIT_NOW` is read the same way by every tool: RFC 3339 or epoch seconds, and a value
//! that is neither is refused naming the variable (exit 2).
#![allow(clippy::unwrap_used)]

use crate::support::*;

#[test]
fn release_kit_now_is_read_alike_by_every_tool() {
    let d = tempfile::tempdir().unwrap();
    // verify-distcheck's expiry clock takes RFC 3339 too: what fails is the missing artifact.
    let mut c = tool("verify-distcheck", d.path());
    c.env("RELEASE_KIT_NOW", "2026-11-06T17:00:00Z").args([
        "candidate",
        "--artifact",
        "missing-1.0.0.tar.gz",
        "--keys",
        "KEYS",
    ]);
    let r = run(c);
    r.assert_code(2);
    assert!(
        r.stderr.contains("missing-1.0.0.tar.gz") && !r.stderr.contains("RELEASE_KIT_NOW"),
        "{}",
        r.stderr
    );
    let mut c = tool("verify-distcheck", d.path());
    c.env("RELEASE_KIT_NOW", "next tuesday").args([
        "candidate",
        "--artifact",
        "missing-1.0.0.tar.gz",
        "--keys",
        "KEYS",
    ]);
    let r = run(c);
    r.assert_code(2);
    assert!(
        r.stderr
            .contains("RELEASE_KIT_NOW `next tuesday` is not a time"),
        "{}",
        r.stderr
    );
}
