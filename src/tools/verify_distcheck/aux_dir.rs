//! The directories autoconf fills with generated helper files, read from `configure.ac`:
//! `AC_CONFIG_AUX_DIR([build-aux])` (config.guess, install-sh, ...) and `AC_CONFIG_MACRO_DIR`
//! / `AC_CONFIG_MACRO_DIRS` (libtool's and gnulib's m4 files). Pure: text in, globs out.

/// Globs (relative to the top directory) of the files autoconf and libtool copy into the
/// directories `configure.ac` names, so a project whose aux directory is `config/` or `aux/`
/// needs no `distcheck.extra_generated` for them.
pub(crate) fn generated_globs(configure_ac: &str) -> Vec<String> {
    let mut globs = Vec::new();
    for line in configure_ac.lines() {
        let line = line.trim_start();
        if line.starts_with("dnl") || line.starts_with('#') {
            continue;
        }
        if let Some(dir) = macro_arg(line, "AC_CONFIG_AUX_DIR") {
            for d in dirs(&dir) {
                globs.push(format!("{d}/**"));
            }
        }
        for name in ["AC_CONFIG_MACRO_DIRS", "AC_CONFIG_MACRO_DIR"] {
            if let Some(dir) = macro_arg(line, name) {
                for d in dirs(&dir) {
                    for f in ["libtool.m4", "lt*.m4"] {
                        globs.push(format!("{d}/{f}"));
                    }
                }
                break;
            }
        }
    }
    globs.sort();
    globs.dedup();
    globs
}

/// The first argument of `NAME(...)` on `line`, without m4 quotes.
fn macro_arg(line: &str, name: &str) -> Option<String> {
    let at = line.find(name)?;
    let rest = line[at + name.len()..].trim_start();
    let rest = rest.strip_prefix('(')?;
    let end = rest.find([')', ','])?;
    let arg = rest[..end]
        .trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim();
    (!arg.is_empty()).then(|| arg.to_string())
}

/// The directories of an argument (`AC_CONFIG_MACRO_DIRS` takes several), normalised, and only
/// plain relative paths: `.`, absolute paths, `..` and shell variables name nothing generated.
fn dirs(arg: &str) -> Vec<String> {
    arg.split_whitespace()
        .map(|d| d.trim_start_matches("./").trim_end_matches('/'))
        .filter(|d| {
            !d.is_empty()
                && *d != "."
                && !d.starts_with('/')
                && !d.contains('$')
                && !d.split('/').any(|c| c == "..")
        })
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::generated_globs;

    #[test]
    fn ac_config_aux_dir_is_honoured() {
        let text =
            "AC_INIT([hello], [1.0.0])\nAC_CONFIG_AUX_DIR([config])\nAC_CONFIG_MACRO_DIR([m4])\n";
        assert_eq!(
            generated_globs(text),
            vec!["config/**", "m4/libtool.m4", "m4/lt*.m4"]
        );
        assert_eq!(
            generated_globs("AC_CONFIG_AUX_DIR(aux)\nAC_CONFIG_MACRO_DIRS([m4 gl/m4])\n"),
            vec![
                "aux/**",
                "gl/m4/libtool.m4",
                "gl/m4/lt*.m4",
                "m4/libtool.m4",
                "m4/lt*.m4"
            ]
        );
        assert!(generated_globs(
            "dnl AC_CONFIG_AUX_DIR([x])\nAC_CONFIG_AUX_DIR([.])\nAC_CONFIG_AUX_DIR([../up])\n"
        )
        .is_empty());
    }
}
