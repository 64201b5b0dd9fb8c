//! A release artifact's file name: which project and version it carries, for any version
//! string (`1.11.0`, `9.2p1`, `1.0.0-beta2`, `2024.1`, `590`), with or without a configured
//! tarball template. Pure.

/// Archive extensions, longest first.
const EXTENSIONS: &[&str] = &[
    ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tar.lz", ".tgz", ".tbz2", ".txz", ".tar",
    ".zip",
];

/// The extensions under which a required top-level file counts: `LICENSE`, `LICENSE.txt`,
/// `LICENSE.md` all satisfy `LICENSE`.
pub const REQUIRED_FILE_EXTENSIONS: [&str; 3] = ["", ".txt", ".md"];

/// Whether `name` is the required file `required` under one of its accepted names.
pub fn satisfies(name: &str, required: &str) -> bool {
    name.strip_prefix(required)
        .is_some_and(|ext| REQUIRED_FILE_EXTENSIONS.contains(&ext))
}

/// The file name without its archive extension (and without Debian's `.orig`).
pub fn stem(file_name: &str) -> &str {
    let base = EXTENSIONS
        .iter()
        .find_map(|e| file_name.strip_suffix(e))
        .unwrap_or(file_name);
    base.strip_suffix(".orig").unwrap_or(base)
}

/// `NAME` and `VERSION` of an artifact named `NAME-VERSION.tar.gz` (the version starts at the
/// first `-` followed by a digit) or Debian's `NAME_VERSION.orig.tar.gz` (a Debian package name
/// never holds `_`, but may hold `-6` as in `libtasn1-6`).
pub fn name_version(file_name: &str) -> Option<(String, String)> {
    let stem = stem(file_name);
    let bytes = stem.as_bytes();
    let after = |sep: u8| move |&i: &usize| bytes[i - 1] == sep && bytes[i].is_ascii_digit();
    let at = (1..bytes.len())
        .find(after(b'_'))
        .or_else(|| (1..bytes.len()).find(after(b'-')))?;
    let name = &stem[..at - 1];
    let version = &stem[at..];
    if name.is_empty() || version.is_empty() || version.contains('/') {
        return None;
    }
    Some((name.to_string(), version.to_string()))
}

/// The version in `file_name` by a tarball template such as `{name}-{version}.tar.gz` (`{name}`
/// already filled in or not), any version string.
pub fn version_by_template(template: &str, file_name: &str) -> Option<String> {
    let pattern = regex::escape(template)
        .replace(r"\{version\}", r"(?P<v>[0-9][A-Za-z0-9.+~_-]*?)")
        .replace(r"\{name\}", r"[^/]+?");
    regex::Regex::new(&format!("^{pattern}$"))
        .ok()?
        .captures(file_name)
        .map(|c| c["v"].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nv(n: &str) -> Option<(String, String)> {
        name_version(n)
    }

    #[test]
    fn any_version_string_is_read_from_the_file_name() {
        let pair = |a: &str, b: &str| Some((a.to_string(), b.to_string()));
        assert_eq!(nv("mesos-1.11.0.tar.gz"), pair("mesos", "1.11.0"));
        assert_eq!(nv("openssh-9.2p1.tar.gz"), pair("openssh", "9.2p1"));
        assert_eq!(nv("foo-1.0.0-beta2.tar.xz"), pair("foo", "1.0.0-beta2"));
        assert_eq!(nv("tool-2024.1.zip"), pair("tool", "2024.1"));
        assert_eq!(nv("less-590.tar.gz"), pair("less", "590"));
        assert_eq!(nv("apr-util-1.6.3.tar.bz2"), pair("apr-util", "1.6.3"));
        assert_eq!(nv("apr-util_1.6.3.orig.tar.bz2"), pair("apr-util", "1.6.3"));
        assert_eq!(
            nv("libtasn1-6_4.19.0.orig.tar.gz"),
            pair("libtasn1-6", "4.19.0")
        );
        assert_eq!(
            nv("gpgme1.0_1.18.0.orig.tar.bz2"),
            pair("gpgme1.0", "1.18.0")
        );
        assert_eq!(nv("x.tar.gz"), None);
        assert_eq!(nv("noversion.tar.gz"), None);
    }

    #[test]
    fn the_template_gives_any_version_string() {
        let t = "{name}-{version}.tar.gz";
        assert_eq!(
            version_by_template(t, "openssh-9.2p1.tar.gz").as_deref(),
            Some("9.2p1")
        );
        assert_eq!(
            version_by_template("mesos-{version}.tar.gz", "mesos-1.11.0.tar.gz").as_deref(),
            Some("1.11.0")
        );
        assert_eq!(
            version_by_template(t, "foo-1.0.0-beta2.tar.gz").as_deref(),
            Some("1.0.0-beta2")
        );
        assert_eq!(version_by_template(t, "foo.tar.gz"), None);
    }
}
