//! Without `release.toml`: the project's name read from its build files (`AC_INIT` in
//! `configure.ac`, else `project()` in `CMakeLists.txt`) instead of assuming Mesos, and one
//! plain sentence saying that the built-in defaults are in use. Parsing is pure; the files are
//! read through a reader, from the work tree or from a tag's tree.

use std::sync::Once;

use super::Config;

/// Reads a file of the project (a path relative to its root); `None` when it is absent.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Option<String>;

/// The project's files as seen at a revision instead of the work tree: a voter's `--tag` run
/// reads the tag's `release.toml` and build files.
pub struct Tree<'a> {
    /// How messages name it, e.g. `1.11.0-rc1`.
    pub label: String,
    pub read: ReadFile<'a>,
}

impl std::fmt::Debug for Tree<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tree")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

/// What was inferred about a project that has no configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    pub name: String,
    pub display_name: String,
    /// Where it came from, e.g. `configure.ac (AC_INIT)`.
    pub from: &'static str,
}

/// The arguments of the first call of `macro` (`AC_INIT`, `project`), split at top-level
/// commas, with m4 quotes (`[...]`) and blanks removed.
fn macro_args(text: &str, macro_name: &str) -> Option<Vec<String>> {
    let lower = text.to_ascii_lowercase();
    let needle = format!("{}(", macro_name.to_ascii_lowercase());
    let mut from = 0;
    let start = loop {
        let at = from + lower[from..].find(&needle)?;
        // A whole word, not in a comment line.
        let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
        let before = text[line_start..at].trim_start();
        let word_start = at == 0
            || !text.as_bytes()[at - 1].is_ascii_alphanumeric() && text.as_bytes()[at - 1] != b'_';
        if word_start && !before.starts_with('#') && !before.starts_with("dnl") {
            break at + needle.len();
        }
        from = at + needle.len();
    };
    let mut depth = 0usize;
    let mut args = vec![String::new()];
    for c in text[start..].chars() {
        match c {
            '(' => {
                depth += 1;
                args.last_mut()?.push(c);
            }
            ')' if depth == 0 => {
                return Some(
                    args.into_iter()
                        .map(|a| a.replace(['[', ']'], "").trim().to_string())
                        .collect(),
                )
            }
            ')' => {
                depth -= 1;
                args.last_mut()?.push(c);
            }
            ',' if depth == 0 => args.push(String::new()),
            _ => args.last_mut()?.push(c),
        }
    }
    None
}

/// autoconf's tarname of a package name: `GNU ` dropped, lower case, anything but letters,
/// digits and `_` turned into `-`.
fn tarname(package: &str) -> String {
    let p = package.strip_prefix("GNU ").unwrap_or(package);
    p.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// The project from `AC_INIT(package, version, [bug-report], [tarname], [url])`.
pub fn from_configure_ac(text: &str) -> Option<Inferred> {
    let args = macro_args(text, "AC_INIT")?;
    let package = args.first().filter(|p| !p.is_empty() && !p.contains('$'))?;
    let name = args
        .get(3)
        .filter(|t| !t.is_empty() && !t.contains('$'))
        .cloned()
        .unwrap_or_else(|| tarname(package));
    Some(Inferred {
        name,
        display_name: package.strip_prefix("GNU ").unwrap_or(package).to_string(),
        from: "configure.ac (AC_INIT)",
    })
}

/// The project from `project(Name ...)` in `CMakeLists.txt`.
pub fn from_cmake(text: &str) -> Option<Inferred> {
    let args = macro_args(text, "project")?;
    let first = args.first()?.split_whitespace().next()?.to_string();
    if first.is_empty() || first.contains('$') {
        return None;
    }
    Some(Inferred {
        name: first.to_ascii_lowercase(),
        display_name: first,
        from: "CMakeLists.txt (project())",
    })
}

/// The project's name from its build files, `configure.ac` first.
/// When `AC_INIT` gives only a lower-case name (`mesos`), a `project(Mesos)` of the same name
/// gives the display name.
pub fn project(read: ReadFile<'_>) -> Option<Inferred> {
    let cmake = read("CMakeLists.txt").as_deref().and_then(from_cmake);
    let autoconf = read("configure.ac")
        .as_deref()
        .and_then(from_configure_ac)
        .or_else(|| read("configure.in").as_deref().and_then(from_configure_ac));
    match (autoconf, cmake) {
        (Some(mut a), Some(c)) => {
            if a.display_name == a.name && c.display_name.eq_ignore_ascii_case(&a.name) {
                a.display_name = c.display_name;
            }
            Some(a)
        }
        (a, c) => a.or(c),
    }
}

/// Applies what the build files say to the default configuration.
pub(crate) fn apply(config: &mut Config, read: ReadFile<'_>) -> Option<Inferred> {
    let found = project(read)?;
    if found.name == config.project.name {
        // The defaults' own project (Mesos): nothing to change.
        return Some(found);
    }
    config.project.name = found.name.clone();
    config.project.display_name = found.display_name.clone();
    Some(found)
}

/// The one sentence saying the built-in defaults are in use.
pub fn defaults_notice(place: &str, inferred: Option<&Inferred>) -> String {
    let name = match inferred {
        Some(i) => format!(
            "project `{}` (\"{}\") from {}",
            i.name, i.display_name, i.from
        ),
        None => {
            "project `mesos`: no configure.ac AC_INIT or CMakeLists.txt project() names another"
                .to_string()
        }
    };
    format!(
        "no release.toml in {place}: using release-kit's built-in defaults, which follow Apache Mesos (tags X.Y.Z-rcN, dist.apache.org, lists at NAME.apache.org, LICENSE and NOTICE required in the tree and tarball the tag makes), with {name}; write a release.toml to describe your project (docs/configuration.md)"
    )
}

/// Says [`defaults_notice`] on stderr, once per process.
pub(crate) fn announce(place: &str, inferred: Option<&Inferred>) {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| tracing::warn!("{}", defaults_notice(place, inferred)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_name_comes_from_ac_init() {
        let i = from_configure_ac(
            "dnl Process this file\nAC_INIT([GNU Hello], [2.10], [bug-hello@gnu.org])\nAM_INIT_AUTOMAKE\n",
        )
        .unwrap();
        assert_eq!(
            (i.name.as_str(), i.display_name.as_str()),
            ("hello", "Hello")
        );
        let i = from_configure_ac("AC_INIT([mesos], [1.11.0])").unwrap();
        assert_eq!(i.name, "mesos");
        let i = from_configure_ac(
            "AC_INIT([libsigsegv], m4_esyscmd([build-aux/git-version-gen .tarball-version]), [bug@gnu.org], [libsigsegv-tar])",
        )
        .unwrap();
        assert_eq!(i.name, "libsigsegv-tar");
        let i = from_configure_ac("AC_INIT(Apache Portable Runtime, 1.7.2)").unwrap();
        assert_eq!(i.name, "apache-portable-runtime");
        assert_eq!(from_configure_ac("# AC_INIT([x], [1])\n"), None);
    }

    #[test]
    fn mesos_keeps_its_display_name() {
        let read = |f: &str| match f {
            "configure.ac" => Some("AC_INIT([mesos], [1.12.0])".to_string()),
            "CMakeLists.txt" => Some("project(Mesos)".to_string()),
            _ => None,
        };
        let i = project(&read).unwrap();
        assert_eq!(
            (i.name.as_str(), i.display_name.as_str()),
            ("mesos", "Mesos")
        );
        let mut c = Config::default();
        apply(&mut c, &read);
        assert_eq!(c, Config::default());
    }

    #[test]
    fn the_name_comes_from_cmake_project() {
        let i = from_cmake(
            "cmake_minimum_required(VERSION 3.10)\nproject(Hello VERSION 1.0.0 LANGUAGES C)\n",
        )
        .unwrap();
        assert_eq!(
            (i.name.as_str(), i.display_name.as_str()),
            ("hello", "Hello")
        );
        assert_eq!(from_cmake("project(${NAME})"), None);
    }

    #[test]
    fn the_defaults_notice_says_what_is_assumed_and_the_fix() {
        let i = from_configure_ac("AC_INIT([hello], [1.0])").unwrap();
        let s = defaults_notice("/src/hello", Some(&i));
        assert!(s.contains("no release.toml in /src/hello"), "{s}");
        assert!(s.contains("Apache Mesos"), "{s}");
        assert!(s.contains("project `hello`"), "{s}");
        assert!(s.contains("write a release.toml"), "{s}");
    }
}
