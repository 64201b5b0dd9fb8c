//! Man pages and shell completions, generated from a binary's own clap definition: with
//! `RELEASE_KIT_GENERATE_DOCS=DIR`, a tool writes `DIR/man/man1/TOOL.1` (and one page per
//! subcommand) and `DIR/completions/{bash,zsh,fish}/...`, prints what it wrote, and exits. The
//! release archives and `scripts/install` use it.

use std::path::{Path, PathBuf};

use clap_complete::Shell;

/// The variable that asks a binary for its man page and completions instead of running.
pub const GENERATE_DOCS: &str = "RELEASE_KIT_GENERATE_DOCS";

/// When `RELEASE_KIT_GENERATE_DOCS` names a directory, writes the binary's man pages and
/// completions there and exits: 0 written, 2 the directory cannot be written.
pub(crate) fn generate_if_asked<P: clap::CommandFactory>() {
    let Some(dir) = std::env::var_os(GENERATE_DOCS).filter(|d| !d.is_empty()) else {
        return;
    };
    let dir = PathBuf::from(dir);
    match write(P::command(), &dir) {
        Ok(files) => {
            for f in files {
                println!("{}", f.display());
            }
            std::process::exit(0);
        }
        Err(e) => {
            eprintln!(
                "error: cannot write the man pages and completions to {}: {e}; point {GENERATE_DOCS} at a writable directory",
                dir.display()
            );
            std::process::exit(2);
        }
    }
}

/// Where each shell looks for a completion file, under `completions/`.
const SHELLS: [(Shell, &str); 3] = [
    (Shell::Bash, "bash"),
    (Shell::Zsh, "zsh"),
    (Shell::Fish, "fish"),
];

/// Writes the man pages of `cmd` (and its subcommands) to `dir/man/man1` and its completions to
/// `dir/completions/<shell>`; returns the files written.
pub fn write(mut cmd: clap::Command, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let name = cmd.get_name().to_string();
    cmd.build();
    let man = dir.join("man/man1");
    std::fs::create_dir_all(&man)?;
    let mut files = Vec::new();
    write_man(&cmd, &name, &man, &mut files)?;
    for (shell, sub) in SHELLS {
        let out = dir.join("completions").join(sub);
        std::fs::create_dir_all(&out)?;
        files.push(clap_complete::generate_to(shell, &mut cmd, &name, &out)?);
    }
    Ok(files)
}

/// `NAME.1`, then `NAME-SUB.1` for each visible subcommand (as git and cargo name theirs; a built
/// command's subcommands carry that display name).
fn write_man(
    cmd: &clap::Command,
    name: &str,
    dir: &Path,
    files: &mut Vec<PathBuf>,
) -> std::io::Result<()> {
    let path = dir.join(format!("{name}.1"));
    let mut page = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut page)?;
    std::fs::write(&path, page)?;
    files.push(path);
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()) {
        if sub.get_name() == "help" {
            continue;
        }
        let sub_name = sub
            .get_display_name()
            .map_or_else(|| format!("{name}-{}", sub.get_name()), str::to_string);
        write_man(sub, &sub_name, dir, files)?;
    }
    Ok(())
}
