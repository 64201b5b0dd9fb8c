//! Which releases leave dist/release after a new one (the ASF archiving policy): keep only the
//! latest release of each version line still under development; the rest stay on
//! archive.apache.org. Pure: the caller lists the dist area and removes what this returns.

use std::collections::BTreeMap;

use crate::model::version::Version;

/// The entries of `existing` (directory names of dist/release, e.g. `1.10.3/`, `KEYS`) to
/// remove once `released` is published. Kept: the latest release of each line in `active`
/// (`MAJOR.MINOR`), or, with no `active` lines, of the newest `keep_lines` lines; `released`
/// itself always. Entries that are not versions (KEYS, README) are never touched.
pub(crate) fn to_archive(
    existing: &[String],
    released: Version,
    active: &[String],
    keep_lines: usize,
) -> Vec<String> {
    let mut versions: Vec<(Version, String)> = existing
        .iter()
        .filter_map(|e| {
            let name = e.trim_end_matches('/');
            name.parse::<Version>().ok().map(|v| (v, name.to_string()))
        })
        .collect();
    if !versions.iter().any(|(v, _)| *v == released) {
        versions.push((released, released.to_string()));
    }
    // The latest release of every line.
    let mut latest: BTreeMap<(u64, u64), Version> = BTreeMap::new();
    for (v, _) in &versions {
        let e = latest.entry((v.major, v.minor)).or_insert(*v);
        if v > e {
            *e = *v;
        }
    }
    let lines: Vec<(u64, u64)> = if active.is_empty() {
        latest
            .keys()
            .rev()
            .take(keep_lines.max(1))
            .copied()
            .collect()
    } else {
        active
            .iter()
            .filter_map(|l| {
                let (a, b) = l.split_once('.')?;
                Some((a.parse().ok()?, b.parse().ok()?))
            })
            .collect()
    };
    let keep: Vec<Version> = lines
        .iter()
        .filter_map(|l| latest.get(l).copied())
        .chain([released])
        .collect();
    let mut out: Vec<(Version, String)> = versions
        .into_iter()
        .filter(|(v, _)| !keep.contains(v))
        .collect();
    out.sort();
    out.into_iter().map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn v(s: &str) -> Version {
        s.parse().unwrap()
    }

    fn list(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_new_patch_release_retires_the_previous_patch_of_its_line() {
        let existing = list(&["1.10.3/", "1.11.0/", "KEYS"]);
        assert_eq!(to_archive(&existing, v("1.11.1"), &[], 3), ["1.11.0"]);
    }

    #[test]
    fn the_newest_lines_keep_their_latest_release() {
        let existing = list(&["1.8.1/", "1.9.0/", "1.10.3/", "1.11.0/"]);
        // Lines 1.12, 1.11, 1.10 are kept; 1.9 and 1.8 go.
        assert_eq!(
            to_archive(&existing, v("1.12.0"), &[], 3),
            ["1.8.1", "1.9.0"]
        );
    }

    #[test]
    fn configured_active_lines_decide_instead_of_the_count() {
        let existing = list(&["1.9.0/", "1.10.3/", "1.11.0/"]);
        let active = list(&["1.11", "1.9"]);
        assert_eq!(
            to_archive(&existing, v("1.11.1"), &active, 3),
            ["1.10.3", "1.11.0"]
        );
    }

    #[test]
    fn a_patch_of_an_old_line_is_kept_even_when_that_line_is_not_active() {
        let existing = list(&["1.10.3/", "1.11.0/"]);
        let active = list(&["1.11"]);
        assert_eq!(to_archive(&existing, v("1.10.4"), &active, 3), ["1.10.3"]);
    }

    #[test]
    fn files_and_odd_names_are_never_archived() {
        let existing = list(&["KEYS", "README.html", "mesos-site/", "1.0.0/"]);
        assert!(to_archive(&existing, v("1.0.0"), &[], 1).is_empty());
    }

    #[test]
    fn a_rerun_after_archiving_removes_nothing_more() {
        let existing = list(&["1.11.1/", "KEYS"]);
        assert!(to_archive(&existing, v("1.11.1"), &[], 3).is_empty());
    }
}
