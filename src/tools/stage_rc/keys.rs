//! `stage-rc keys check` and `stage-rc keys add`: release-manager onboarding (the guide's
//! preparation steps). Check a signing key the way the vote will need it; append it to the
//! project's KEYS in the dist release area in one svn commit, in the guide's format (the
//! `gpg --list-sigs` text, then the armoured key); print what only a person can do.

use serde::Serialize;

use crate::ci::Ci;
use crate::cli::{self, CommonArgs};
use crate::error::{Error, ExitCode, Result};
use crate::model::vote;
use crate::outside::dist_area::Target;
use crate::outside::gpg::{self, day, Gpg, Key};
use crate::outside::svn::{Credentials, Svn};
use crate::report::{Check, Finding, Report};
use crate::verify::openpgp;

/// What `stage-rc keys` was asked to do.
#[derive(Debug, Clone)]
pub struct KeysRequest {
    /// Append the key to KEYS (else only check it).
    pub add: bool,
    /// The key's fingerprint; empty: `signing.key`, else the keyring's only secret key.
    pub key: Option<String>,
    /// The domain one of the key's user ids must have, e.g. `apache.org`.
    pub domain: String,
    pub dry_run: bool,
}

/// The plan of `keys add`: what would be appended where.
#[derive(Debug, Clone, Serialize)]
pub struct AddPlan {
    pub keys_url: String,
    pub fingerprint: String,
    /// `already-in-keys` or `append`.
    pub action: &'static str,
    pub message: String,
    /// The text appended (the `--list-sigs` listing and the armoured key).
    pub appended: String,
}

/// The checks of a key, pure: strength, expiry against the vote window, revocation, the
/// domain of a user id, whether KEYS has it.
pub fn key_checks(
    key: &Key,
    in_keys: Option<bool>,
    keys_url: &str,
    domain: &str,
    now: i64,
    needed_until: i64,
) -> Vec<Check> {
    let fpr = &key.fingerprint;
    let mut out = Vec::new();
    let mut strong = Check::new("key-strength", "the key is strong enough for ASF releases");
    match gpg::weakness(key) {
        Some(e) => strong.push(Finding::error(e.to_string(), None)),
        None => strong.summary = key.algorithm_name(),
    }
    out.push(strong);
    let mut valid = Check::new(
        "key-valid-through-vote",
        "the key is not revoked and stays valid through the next vote and the margin",
    );
    if key.validity.contains('r') {
        valid.push(Finding::error(
            format!("key {fpr} is revoked; make a new key (`gpg --full-generate-key`, RSA 4096) and add that one"),
            None,
        ));
    } else {
        match gpg::check_signing_key(key, std::slice::from_ref(fpr), keys_url, now, needed_until, 0) {
            Ok(until) => {
                valid.summary = match until {
                    Some(u) => format!("valid until {} (needed until {})", day(u), day(needed_until)),
                    None => format!("does not expire (needed until {})", day(needed_until)),
                }
            }
            Err(gpg::GpgError::WeakKey { .. }) => {
                valid.summary = "see key-strength".into();
            }
            Err(e) => valid.push(Finding::error(
                format!("{e}; extend it with `gpg --quick-set-expire {fpr} 2y` (and its signing subkey: `gpg --quick-set-expire {fpr} 2y '*'`), then publish it again"),
                None,
            )),
        }
    }
    out.push(valid);
    let mut uid = Check::new("key-user-id-domain", "a user id has the project's domain");
    let suffix = format!("@{}>", domain.trim_start_matches('@'));
    match key.uids.iter().find(|u| u.ends_with(&suffix)) {
        Some(u) => uid.summary = u.clone(),
        None if domain.is_empty() => uid = uid.skipped("no domain configured (keys.domain)"),
        None => uid.push(Finding::error(
            format!(
                "key {fpr} has no user id at {domain} (it has: {}); add one with `gpg --quick-add-uid {fpr} 'Your Name <you{}'`",
                if key.uids.is_empty() { "none".to_string() } else { key.uids.join(", ") },
                suffix.trim_end_matches('>')
            ),
            None,
        )),
    }
    out.push(uid);
    let title = "the key is in the project's KEYS";
    out.push(match in_keys {
        Some(true) => {
            Check::new("key-in-keys", title).with_summary(format!("listed in {keys_url}"))
        }
        Some(false) => {
            let mut c = Check::new("key-in-keys", title);
            c.push(Finding::warning(
                format!("key {fpr} is not in {keys_url} yet; add it with `stage-rc keys add`"),
                None,
            ));
            c.with_summary("not listed yet")
        }
        None => Check::new("key-in-keys", title).skipped(format!("{keys_url} does not exist yet")),
    });
    out
}

/// What only the release manager can do, with the exact commands.
pub fn manual_steps(fingerprint: &str) -> String {
    format!(
        "Steps release-kit cannot do for you:\n\
         - [ ] publish the key to a keyserver: `gpg --keyserver hkps://keyserver.ubuntu.com --send-keys {fingerprint}` (and `gpg --keyserver hkps://keys.openpgp.org --send-keys {fingerprint}`)\n\
         - [ ] register the fingerprint with your Apache account: paste `{fingerprint}` into \"OpenPGP Public Key Primary Fingerprint\" at https://id.apache.org\n\
         - [ ] Maven credentials: add a <server> with <id>apache.releases.https</id>, your Apache user name and your encrypted password (`mvn --encrypt-password`) to ~/.m2/settings.xml\n\
         - [ ] a gpg agent for signing: `echo 'default-cache-ttl 3600' >> ~/.gnupg/gpg-agent.conf && gpgconf --reload gpg-agent`\n"
    )
}

/// The KEYS text appended for a key: `gpg --list-sigs` then `gpg --armor --export`.
fn key_text(g: &Gpg, fpr: &str) -> Result<String> {
    let entry = g.keys_entry(fpr)?;
    if !entry.contains("BEGIN PGP PUBLIC KEY BLOCK") {
        return Err(Error::Usage(format!(
            "gpg exported nothing for {fpr}; is it in {}?",
            g.describe()
        )));
    }
    Ok(entry)
}

/// `stage-rc keys check|add`: the library side.
pub fn run(common: &CommonArgs, req: &KeysRequest) -> Result<ExitCode> {
    let ci = Ci::detect();
    let project = common.project()?;
    let cfg = &project.config;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let g = Gpg::ambient();
    let wanted = req
        .key
        .clone()
        .or_else(|| Some(cfg.signing.key.clone()).filter(|k| !k.is_empty()));
    let key = match g.signing_key(wanted.as_deref()) {
        Ok(k) => k,
        // A public key alone is enough to check and publish it.
        Err(e) => match wanted.as_deref().map(|w| g.list(false, Some(w))) {
            Some(Ok(mut keys)) if keys.len() == 1 => keys.remove(0),
            _ => return Err(e.into()),
        },
    };
    let fpr = key.fingerprint.clone();
    let release = cfg.expand(&cfg.dist.release);
    let url = match Target::parse_setting(&release, "dist.release")? {
        Target::Svn { url } => url,
        other => {
            return Err(Error::Usage(format!(
                "dist.release `{release}` is a {}; KEYS is added to an svn dist area (https://dist.apache.org/repos/dist/release/<project>)",
                other.kind()
            )))
        }
    };
    let svn = Svn {
        url: url.clone(),
        creds: Credentials::from_env(&env),
    };
    let keys_url = format!("{url}/KEYS");
    let current = svn.read_file("KEYS")?;
    let text = match &current {
        Some(b) => Some(String::from_utf8(b.clone()).map_err(|_| {
            Error::Usage(format!(
                "{keys_url} is not UTF-8 text; fix KEYS by hand before adding keys"
            ))
        })?),
        None => None,
    };
    let listed = match &text {
        None => None,
        Some(t) => {
            let ring = openpgp::parse_keys(t, &keys_url).map_err(|e| {
                Error::Usage(format!("{e}; refusing to append to a KEYS file that cannot be read: fix it by hand first"))
            })?;
            if let Some(p) = ring.problems.first() {
                return Err(Error::Usage(format!(
                    "{keys_url}: {}; refusing to append to a KEYS file that cannot be read: fix it by hand first",
                    p.message
                )));
            }
            Some(
                ring.keys
                    .iter()
                    .any(|k| k.fingerprint.eq_ignore_ascii_case(&fpr)),
            )
        }
    };
    let now = crate::outside::clock::now()?;
    let calendar = vote::Calendar::new(
        &cfg.vote.time_zone,
        &cfg.vote.holidays,
        cfg.vote.min_hours,
        cfg.vote.business_days,
    )?;
    let deadline = vote::deadline(now, &calendar)?;
    let needed_until = deadline.as_second() + cfg.signing.margin_days * 86_400;
    let mut report = Report::new(
        "stage-rc keys",
        format!("key {fpr} for {}", cfg.project.name),
    );
    for c in key_checks(
        &key,
        listed,
        &keys_url,
        &req.domain,
        now.as_second(),
        needed_until,
    ) {
        report.push(c);
    }
    if !req.add {
        let code = cli::emit_report(&report, common, &ci)?;
        cli::print_stdout(&manual_steps(&fpr));
        return Ok(code);
    }
    if !report.ok {
        cli::emit_report(&report, common, &ci)?;
        return Err(Error::Problem(format!(
            "key {fpr} is not fit for the vote (see above); fix it before adding it to KEYS"
        )));
    }
    let already = listed == Some(true);
    let appended = if already {
        String::new()
    } else {
        key_text(&g, &fpr)?
    };
    let plan = AddPlan {
        keys_url: keys_url.clone(),
        fingerprint: fpr.clone(),
        action: if already { "already-in-keys" } else { "append" },
        message: format!(
            "Added the key of {} to KEYS.",
            key.uids.first().cloned().unwrap_or_else(|| fpr.clone())
        ),
        appended: appended.clone(),
    };
    let shown = match common.format {
        cli::Format::Json => serde_json::to_string_pretty(&plan).unwrap_or_default() + "\n",
        _ => format!(
            "plan: {} {fpr} {} {keys_url} in one svn commit\n",
            if already { "nothing to do:" } else { "append" },
            if already { "is already in" } else { "to" }
        ),
    };
    cli::print_stdout(&shown);
    if req.dry_run || already {
        cli::print_stdout(&manual_steps(&fpr));
        return Ok(ExitCode::Ok);
    }
    let mut new = text.unwrap_or_default();
    if !new.is_empty() && !new.ends_with('\n') {
        new.push('\n');
    }
    if !new.is_empty() {
        new.push('\n');
    }
    new.push_str(&appended);
    let tmp =
        tempfile::NamedTempFile::new().map_err(|e| Error::io("create", "a temporary KEYS", e))?;
    std::fs::write(tmp.path(), &new).map_err(|e| Error::io("write", tmp.path(), e))?;
    svn.commit_ops(
        &plan.message,
        &[
            "put".to_string(),
            tmp.path().display().to_string(),
            keys_url.clone(),
        ],
    )?;
    cli::print_stdout(&format!(
        "added {fpr} to {keys_url}\n{}",
        manual_steps(&fpr)
    ));
    Ok(ExitCode::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(uids: &[&str], bits: u32, expires: Option<i64>, validity: &str) -> Key {
        Key {
            fingerprint: "ABCDEF0123456789ABCDEF0123456789ABCDEF01".into(),
            algorithm: 1,
            bits,
            curve: None,
            created: 0,
            expires,
            capabilities: "scSC".into(),
            validity: validity.into(),
            uids: uids.iter().map(|s| s.to_string()).collect(),
            subkeys: Vec::new(),
        }
    }

    fn statuses(cs: &[Check]) -> Vec<(String, &'static str)> {
        cs.iter()
            .map(|c| (c.id.clone(), c.status.label()))
            .collect()
    }

    #[test]
    fn a_good_key_passes_and_each_rule_fails_on_its_own() {
        let now = 1_700_000_000;
        let good = key(&["Release Manager <rm@apache.org>"], 4096, None, "u");
        let s = statuses(&key_checks(
            &good,
            Some(true),
            "KEYS",
            "apache.org",
            now,
            now + 86_400,
        ));
        assert!(s.iter().all(|(_, st)| *st == "pass"), "{s:?}");
        let weak = key(&["RM <rm@apache.org>"], 1024, None, "u");
        let s = statuses(&key_checks(
            &weak,
            Some(true),
            "KEYS",
            "apache.org",
            now,
            now,
        ));
        assert_eq!(s[0], ("key-strength".into(), "FAIL"));
        let soon = key(&["RM <rm@apache.org>"], 4096, Some(now + 3600), "u");
        let s = statuses(&key_checks(
            &soon,
            Some(true),
            "KEYS",
            "apache.org",
            now,
            now + 86_400,
        ));
        assert_eq!(s[1], ("key-valid-through-vote".into(), "FAIL"));
        let revoked = key(&["RM <rm@apache.org>"], 4096, None, "r");
        let s = statuses(&key_checks(
            &revoked,
            Some(true),
            "KEYS",
            "apache.org",
            now,
            now,
        ));
        assert_eq!(s[1], ("key-valid-through-vote".into(), "FAIL"));
        let gmail = key(&["RM <rm@gmail.com>"], 4096, None, "u");
        let cs = key_checks(&gmail, Some(false), "KEYS", "apache.org", now, now);
        assert_eq!(statuses(&cs)[2], ("key-user-id-domain".into(), "FAIL"));
        assert_eq!(statuses(&cs)[3], ("key-in-keys".into(), "warn"));
        assert!(
            cs[2].findings[0].message.contains("gpg --quick-add-uid"),
            "{:?}",
            cs[2]
        );
    }
}
