//! The yum repository: packages laid out per channel, distro and arch, metadata regenerated with
//! `createrepo_c --update`, packages and `repomd.xml` signed, and the new metadata swapped in
//! only once it is complete and signed, so readers never see metadata pointing at missing or
//! unsigned packages.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::outside::process::Cmd;

/// Who signs: a key fingerprint in a GNUPGHOME (the environment's when `None`).
#[derive(Debug, Clone)]
pub struct Signer {
    pub key: String,
    pub gnupghome: Option<PathBuf>,
}

impl Signer {
    fn gpg(&self, why: &str) -> Cmd {
        let c = Cmd::new("gpg", why);
        match &self.gnupghome {
            Some(home) => c.env("GNUPGHOME", home),
            None => c,
        }
    }

    /// Signs RPMs in place with `rpmsign --addsign`.
    pub(crate) fn sign_rpms(&self, rpms: &[&Path]) -> Result<()> {
        if rpms.is_empty() {
            return Ok(());
        }
        // Some rpm builds (Debian's) do not define %__gpg: name the gpg on PATH.
        let gpg = crate::outside::process::find_on_path("gpg").ok_or_else(|| {
            crate::outside::process::CmdError::NotFound {
                program: "gpg".into(),
                why: "sign the packages".into(),
                hint: crate::outside::process::install_hint("gpg"),
            }
        })?;
        let mut c = Cmd::new("rpmsign", "sign the packages")
            .arg("--addsign")
            .arg("--define")
            .arg(format!("_gpg_name {}", self.key))
            .arg("--define")
            .arg(format!("__gpg {}", gpg.display()));
        if let Some(home) = &self.gnupghome {
            c = c
                .arg("--define")
                .arg(format!("_gpg_path {}", home.display()))
                .env("GNUPGHOME", home);
        }
        c.args(rpms).run()?;
        Ok(())
    }

    /// Proves every package carries a valid signature by this key: its public key is imported
    /// into a throwaway rpm database and `rpmkeys -K` must report the signatures OK.
    pub(crate) fn verify_rpms(&self, rpms: &[&Path]) -> Result<()> {
        let db = tempfile::tempdir().map_err(|e| {
            Error::io(
                "create a temporary rpm database in",
                std::env::temp_dir(),
                e,
            )
        })?;
        let public = self
            .gpg("export the signing key's public part")
            .args(["--batch", "--armor", "--export", &self.key])
            .run()?;
        let key_file = db.path().join("key.asc");
        std::fs::write(&key_file, &public.stdout).map_err(|e| Error::io("write", &key_file, e))?;
        let dbpath = format!("_dbpath {}", db.path().join("db").display());
        Cmd::new(
            "rpmkeys",
            "import the signing key into a throwaway rpm database",
        )
        .args(["--define", &dbpath, "--import"])
        .arg(&key_file)
        .run()?;
        for rpm in rpms {
            let out = Cmd::new(
                "rpmkeys",
                format!("check the signature of {}", rpm.display()),
            )
            .args(["--define", &dbpath, "--checksig"])
            .arg(rpm)
            .output()?;
            let text = out.stdout_str();
            if !out.success() || !text.contains("signatures OK") {
                return Err(Error::Problem(format!(
                    "{} is not validly signed by {} after signing ({}); nothing was added to the repository",
                    rpm.display(),
                    self.key,
                    text.trim()
                )));
            }
        }
        Ok(())
    }

    /// Writes a detached, ASCII-armoured signature `file.asc`.
    pub(crate) fn detach_sign(&self, file: &Path) -> Result<PathBuf> {
        let asc = PathBuf::from(format!("{}.asc", file.display()));
        self.gpg(&format!("sign {}", file.display()))
            .args([
                "--batch",
                "--yes",
                "--armor",
                "--detach-sign",
                "--local-user",
                &self.key,
                "--output",
            ])
            .arg(&asc)
            .arg(file)
            .run()?;
        Ok(asc)
    }

    /// Imports nothing, checks the key can sign: fails early with the fix when it cannot.
    pub fn preflight(&self) -> Result<()> {
        let out = self
            .gpg("find the signing key")
            .args(["--batch", "--list-secret-keys", "--with-colons", &self.key])
            .output()?;
        if !out.success() {
            return Err(Error::Usage(format!(
                "signing key {} has no secret key in {}; import it (gpg --import) or fix rpm.sign_key",
                self.key,
                self.gnupghome.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "GNUPGHOME".into())
            )));
        }
        Ok(())
    }
}

/// Copies `src` to `dest` through a temporary name, so a crash never leaves half a package.
pub(crate) fn copy_atomic(src: &Path, dest: &Path) -> Result<()> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    let tmp = dir.join(format!(
        ".{}.partial",
        dest.file_name().unwrap_or_default().to_string_lossy()
    ));
    std::fs::copy(src, &tmp).map_err(|e| Error::io("copy into the repository", src, e))?;
    std::fs::rename(&tmp, dest).map_err(|e| Error::io("move into place", dest, e))
}

/// Regenerates (incrementally) and signs the metadata of one repository directory, then swaps
/// it in. Returns the path of `repomd.xml`.
pub(crate) fn update_metadata(dir: &Path, signer: Option<&Signer>) -> Result<PathBuf> {
    let staging = dir.join(".repodata.staging");
    if staging.exists() {
        // Left by a crashed run: never published, safe to discard.
        std::fs::remove_dir_all(&staging).map_err(|e| Error::io("remove", &staging, e))?;
    }
    std::fs::create_dir_all(&staging).map_err(|e| Error::io("create", &staging, e))?;
    let current = dir.join("repodata");
    let mut cmd = Cmd::new(
        "createrepo_c",
        format!("generate the repository metadata of {}", dir.display()),
    )
    .args(["--quiet", "--outputdir"])
    .arg(&staging)
    .args(["--excludes", ".repodata*"]);
    if current.join("repomd.xml").exists() {
        copy_dir(&current, &staging.join("repodata"))?;
        cmd = cmd.arg("--update");
    }
    cmd.arg(dir).run()?;
    let repomd = staging.join("repodata").join("repomd.xml");
    if let Some(s) = signer {
        s.detach_sign(&repomd)?;
    }
    let old = dir.join(".repodata.old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| Error::io("remove", &old, e))?;
    }
    if current.exists() {
        std::fs::rename(&current, &old).map_err(|e| Error::io("move aside", &current, e))?;
    }
    std::fs::rename(staging.join("repodata"), &current)
        .map_err(|e| Error::io("move into place", &current, e))?;
    let _ = std::fs::remove_dir_all(&old);
    let _ = std::fs::remove_dir_all(&staging);
    Ok(current.join("repomd.xml"))
}

fn copy_dir(src: &Path, dest: &Path) -> Result<()> {
    std::fs::create_dir_all(dest).map_err(|e| Error::io("create", dest, e))?;
    for entry in std::fs::read_dir(src).map_err(|e| Error::io("list", src, e))? {
        let p = entry.map_err(|e| Error::io("list", src, e))?.path();
        let to = dest.join(p.file_name().unwrap_or_default());
        if p.is_dir() {
            copy_dir(&p, &to)?;
        } else {
            std::fs::copy(&p, &to).map_err(|e| Error::io("copy", &p, e))?;
        }
    }
    Ok(())
}

/// Every file below `root`, relative, sorted: packages first, then metadata, `repomd.xml` and
/// its signature last — the order in which a publisher must upload them.
pub(crate) fn publish_order(root: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    walk(root, root, &mut files)?;
    files.sort_by_key(|p| {
        let s = p.to_string_lossy();
        let rank = if s.ends_with(".rpm") {
            0
        } else if s.ends_with("repomd.xml") {
            2
        } else if s.ends_with("repomd.xml.asc") {
            3
        } else {
            1
        };
        (rank, p.clone())
    });
    Ok(files)
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<PathBuf>) -> Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        let p = entry.map_err(|e| Error::io("list", dir, e))?.path();
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        if p.is_dir() {
            walk(root, &p, out)?;
        } else {
            out.push(p.strip_prefix(root).unwrap_or(&p).to_path_buf());
        }
    }
    Ok(())
}
