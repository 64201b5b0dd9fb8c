//! The one clock every tool reads: `RELEASE_KIT_NOW` (RFC 3339, e.g. `2026-11-06T17:00:00Z`, or
//! seconds since the epoch) when it is set, else the system's. It governs every date a tool
//! derives from "now": a vote's start, a signing key's validity, a release date, a tally.

use jiff::Timestamp;

use crate::error::{Classify, ExitCode};

/// The environment variable that fixes the clock.
pub const NOW_VAR: &str = "RELEASE_KIT_NOW";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("RELEASE_KIT_NOW `{value}` is not a time; write it as RFC 3339 (2026-11-06T17:00:00Z) or as seconds since the epoch, or unset it to use the system clock")]
pub struct BadNow {
    pub value: String,
}

impl Classify for BadNow {
    fn exit_code(&self) -> ExitCode {
        ExitCode::Usage
    }
}

/// Now, from `RELEASE_KIT_NOW` in `env` when it is set and not blank, else the system clock.
pub fn now_from(env: &[(String, String)]) -> Result<Timestamp, BadNow> {
    let Some((_, value)) = env
        .iter()
        .find(|(k, v)| k == NOW_VAR && !v.trim().is_empty())
    else {
        return Ok(Timestamp::now());
    };
    parse(value)
}

/// Now, from the process environment.
pub fn now() -> Result<Timestamp, BadNow> {
    match std::env::var(NOW_VAR) {
        Ok(v) if !v.trim().is_empty() => parse(&v),
        _ => Ok(Timestamp::now()),
    }
}

/// Today's date in UTC (`YYYY-MM-DD`) by [`now`].
pub fn today_utc() -> Result<String, BadNow> {
    Ok(now()?.strftime("%Y-%m-%d").to_string())
}

fn parse(value: &str) -> Result<Timestamp, BadNow> {
    let bad = || BadNow {
        value: value.to_string(),
    };
    match value.trim().parse::<i64>() {
        Ok(secs) => Timestamp::from_second(secs).map_err(|_| bad()),
        Err(_) => value.trim().parse::<Timestamp>().map_err(|_| bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_kit_now_takes_rfc3339_or_epoch_seconds() {
        let env = |v: &str| vec![(NOW_VAR.to_string(), v.to_string())];
        assert_eq!(
            now_from(&env("2026-11-06T17:00:00Z")).unwrap().as_second(),
            1_793_984_400
        );
        assert_eq!(
            now_from(&env("1793984400")).unwrap().as_second(),
            1_793_984_400
        );
        assert!(now_from(&env("next tuesday")).is_err());
        assert!(now_from(&env("  ")).is_ok());
    }
}
