//! The [VOTE] thread: when the vote ends (computed, never guessed: at least 72 hours and at least
//! 3 business days after it starts, skipping weekends and holidays) and the vote email, rendered
//! from a template the project can override into an RFC 5322 message. Pure: no clock reads, no
//! I/O; the caller passes the start instant and the template text.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::Serialize;

use crate::error::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum VoteError {
    #[error("`{value}` is not a time zone known to this system (in {origin}); use an IANA name such as America/Los_Angeles or UTC")]
    BadZone { value: String, origin: String },
    #[error("holiday `{value}` is not a date (in vote.holidays); write dates as YYYY-MM-DD")]
    BadHoliday { value: String },
    #[error("--vote-start `{value}` is not an RFC 3339 time; write it like 2026-03-06T18:00:00Z or 2026-03-06T10:00:00-08:00")]
    BadStart { value: String },
    #[error("the vote window never reaches {hours} business hours within a year of its start; check vote.holidays")]
    NoEnd { hours: i64 },
    #[error("the vote email template {origin} is invalid: {reason}")]
    Template { origin: String, reason: String },
    #[error("the vote email would contain an unfilled placeholder ({what}); fill it in the template {origin} or configure the value it needs")]
    Unfilled { what: String, origin: String },
}

impl crate::error::Classify for VoteError {
    fn exit_code(&self) -> ExitCode {
        match self {
            VoteError::NoEnd { .. } => ExitCode::Usage,
            _ => ExitCode::Usage,
        }
    }
}

/// The rules of a vote's length.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// Business days are counted in this zone.
    pub zone: TimeZone,
    pub holidays: Vec<Date>,
    /// Minimum hours the vote stays open.
    pub min_hours: i64,
    /// Minimum business days (24 hours of weekday, non-holiday time each).
    pub business_days: i64,
}

impl Calendar {
    pub fn new(
        zone: &str,
        holidays: &[String],
        min_hours: i64,
        business_days: i64,
    ) -> Result<Self, VoteError> {
        let zone = parse_zone(zone, "vote.time_zone")?;
        let holidays = holidays
            .iter()
            .map(|h| {
                h.parse::<Date>()
                    .map_err(|_| VoteError::BadHoliday { value: h.clone() })
            })
            .collect::<Result<_, _>>()?;
        Ok(Calendar {
            zone,
            holidays,
            min_hours,
            business_days,
        })
    }

    pub fn is_business_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&date)
    }
}

pub fn parse_zone(name: &str, origin: &str) -> Result<TimeZone, VoteError> {
    TimeZone::get(name).map_err(|_| VoteError::BadZone {
        value: name.to_string(),
        origin: origin.to_string(),
    })
}

pub fn parse_start(value: &str) -> Result<Timestamp, VoteError> {
    value.parse::<Timestamp>().map_err(|_| VoteError::BadStart {
        value: value.to_string(),
    })
}

/// When a vote that starts at `start` may close: the instant by which it has been open for
/// `business_days` × 24 hours of business-day time (weekdays that are not holidays, in the
/// calendar's zone, measured in real elapsed time so DST days count 23 or 25 hours), and at
/// least `min_hours` hours. Rounded up to the whole minute.
pub fn deadline(start: Timestamp, cal: &Calendar) -> Result<Timestamp, VoteError> {
    let need_total = cal.business_days * 24 * 3600;
    let mut need = need_total;
    let start_z = start.to_zoned(cal.zone.clone());
    let mut day = start_z.date();
    let mut end = None;
    for _ in 0..400 {
        let day_start = day
            .to_zoned(cal.zone.clone())
            .map_err(|_| VoteError::NoEnd {
                hours: need_total / 3600,
            })?;
        let next = day.tomorrow().map_err(|_| VoteError::NoEnd {
            hours: need_total / 3600,
        })?;
        let day_end = next
            .to_zoned(cal.zone.clone())
            .map_err(|_| VoteError::NoEnd {
                hours: need_total / 3600,
            })?;
        let from = if day_start.timestamp() > start {
            day_start.timestamp()
        } else {
            start
        };
        if cal.is_business_day(day) {
            let available = day_end.timestamp().as_second() - from.as_second();
            if available >= need {
                end = Some(Timestamp::from_second(from.as_second() + need).expect("in range"));
                break;
            }
            need -= available;
        }
        day = next;
    }
    let end = end.ok_or(VoteError::NoEnd {
        hours: need_total / 3600,
    })?;
    let floor = Timestamp::from_second(start.as_second() + cal.min_hours * 3600).expect("in range");
    let end = end.max(floor);
    // Round up to the minute.
    let secs = end.as_second();
    let rounded = if secs % 60 == 0 {
        secs
    } else {
        secs + 60 - secs.rem_euclid(60)
    };
    Ok(Timestamp::from_second(rounded).expect("in range"))
}

/// A deadline written in one zone, e.g. `Wednesday, 11 March 2026, 10:00 PDT (America/Los_Angeles)`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZonedTime {
    pub zone: String,
    pub text: String,
}

pub fn in_zones(t: Timestamp, zones: &[String]) -> Result<Vec<ZonedTime>, VoteError> {
    let mut out = vec![ZonedTime {
        zone: "UTC".into(),
        text: format_in(&t.to_zoned(TimeZone::UTC), "UTC"),
    }];
    for name in zones {
        if name == "UTC" {
            continue;
        }
        let tz = parse_zone(name, "vote.time_zones")?;
        out.push(ZonedTime {
            zone: name.clone(),
            text: format_in(&t.to_zoned(tz), name),
        });
    }
    Ok(out)
}

fn format_in(z: &Zoned, name: &str) -> String {
    let abbr = z.strftime("%Z").to_string();
    let base = z.strftime("%A, %-d %B %Y, %H:%M").to_string();
    if name == "UTC" {
        format!("{base} UTC")
    } else {
        format!("{base} {abbr} ({name})")
    }
}

/// RFC 5322 date, e.g. `Fri, 06 Mar 2026 18:00:00 +0000`.
pub fn rfc5322_date(t: Timestamp) -> String {
    t.to_zoned(TimeZone::UTC)
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
}

/// The built-in vote email, after Mesos's support/vote.sh.
pub const DEFAULT_TEMPLATE: &str = include_str!("vote-email.txt.j2");

/// Everything the vote email may refer to. Optional values are left out of the template
/// context when unset, so a template that needs one fails instead of printing a blank.
#[derive(Debug, Clone, Serialize)]
pub struct EmailContext {
    pub from: String,
    pub to: String,
    pub project: String,
    pub display_name: String,
    pub version: String,
    pub rc: u32,
    pub tag: String,
    pub commit: String,
    pub tarball_url: String,
    pub signature_url: String,
    pub checksum_url: String,
    pub sha512: String,
    pub keys_url: String,
    pub tag_url: String,
    pub changelog_url: String,
    pub changelog: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub staging_repository: Option<String>,
    pub vote_start_utc: String,
    pub deadline_utc: String,
    pub deadline_zones: Vec<ZonedTime>,
    pub sender_name: String,
    pub message_id: String,
    pub date: String,
}

/// A rendered vote email.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Email {
    pub subject: String,
    pub body: String,
    /// The whole RFC 5322 message (CRLF line ends).
    pub eml: String,
}

/// Renders the email from a template whose first line is `Subject: ...`, then a blank line,
/// then the body. Refuses undefined variables and anything that still looks like a
/// placeholder afterwards.
pub fn render(template: &str, origin: &str, ctx: &EmailContext) -> Result<Email, VoteError> {
    let headers = Headers {
        from: ctx.from.clone(),
        to: ctx.to.clone(),
        cc: String::new(),
        date: ctx.date.clone(),
        message_id: ctx.message_id.clone(),
        in_reply_to: String::new(),
    };
    render_email(template, origin, ctx, &headers)
}

/// The envelope headers of a rendered email.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Headers {
    pub from: String,
    pub to: String,
    /// Empty: no Cc header.
    pub cc: String,
    pub date: String,
    pub message_id: String,
    /// Empty: no In-Reply-To/References headers (a reply to the [VOTE] thread sets it).
    pub in_reply_to: String,
}

/// Renders any release email ([VOTE], [RESULT], [ANNOUNCE]) from a minijinja template whose
/// first line is `Subject: ...`, then a blank line, then the body, with `ctx` as the context.
/// Refuses undefined variables and anything that still looks like a placeholder afterwards.
pub fn render_email<S: Serialize>(
    template: &str,
    origin: &str,
    ctx: &S,
    headers: &Headers,
) -> Result<Email, VoteError> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_keep_trailing_newline(true);
    let terr = |e: minijinja::Error| {
        if e.kind() == minijinja::ErrorKind::UndefinedError {
            VoteError::Unfilled {
                what: format!("{e:#}")
                    .lines()
                    .next()
                    .unwrap_or("undefined value")
                    .to_string(),
                origin: origin.to_string(),
            }
        } else {
            VoteError::Template {
                origin: origin.to_string(),
                reason: format!("{e:#}"),
            }
        }
    };
    env.add_template("vote", template).map_err(terr)?;
    let text = env
        .get_template("vote")
        .map_err(terr)?
        .render(ctx)
        .map_err(terr)?;
    for marker in ["{{", "}}", "{%", "%}", "${", "<FILL", "TODO", "XXX"] {
        if let Some(line) = text.lines().find(|l| l.contains(marker)) {
            return Err(VoteError::Unfilled {
                what: format!("`{marker}` in the line `{}`", line.trim()),
                origin: origin.to_string(),
            });
        }
    }
    let (subject, body) =
        match text.split_once('\n') {
            Some((first, rest)) if first.starts_with("Subject: ") => (
                first["Subject: ".len()..].trim().to_string(),
                rest.trim_start_matches('\n').to_string(),
            ),
            _ => return Err(VoteError::Template {
                origin: origin.to_string(),
                reason:
                    "the first line must be `Subject: ...`, followed by a blank line and the body"
                        .into(),
            }),
        };
    if subject.is_empty() {
        return Err(VoteError::Unfilled {
            what: "an empty subject".into(),
            origin: origin.to_string(),
        });
    }
    let mut eml = String::new();
    let mut fields = vec![("From", headers.from.as_str()), ("To", headers.to.as_str())];
    if !headers.cc.is_empty() {
        fields.push(("Cc", headers.cc.as_str()));
    }
    fields.extend([
        ("Subject", subject.as_str()),
        ("Date", headers.date.as_str()),
        ("Message-ID", headers.message_id.as_str()),
    ]);
    if !headers.in_reply_to.is_empty() {
        fields.push(("In-Reply-To", headers.in_reply_to.as_str()));
        fields.push(("References", headers.in_reply_to.as_str()));
    }
    for (k, v) in fields.into_iter().chain([
        ("MIME-Version", "1.0"),
        ("Content-Type", "text/plain; charset=UTF-8"),
        ("Content-Transfer-Encoding", "8bit"),
    ]) {
        eml.push_str(&format!("{k}: {}\r\n", header_value(v)));
    }
    eml.push_str("\r\n");
    for line in body.lines() {
        eml.push_str(line);
        eml.push_str("\r\n");
    }
    Ok(Email { subject, body, eml })
}

/// A header value on one line, RFC 2047-encoded when it is not ASCII.
fn header_value(v: &str) -> String {
    let v = v.replace(['\r', '\n'], " ");
    if v.is_ascii() {
        v
    } else {
        use std::fmt::Write;
        let mut out = String::from("=?UTF-8?Q?");
        for b in v.bytes() {
            if b.is_ascii_alphanumeric() {
                out.push(b as char);
            } else {
                let _ = write!(out, "={b:02X}");
            }
        }
        out.push_str("?=");
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn cal(zone: &str, holidays: &[&str]) -> Calendar {
        let h: Vec<String> = holidays.iter().map(|s| s.to_string()).collect();
        Calendar::new(zone, &h, 72, 3).unwrap()
    }

    fn end(start: &str, c: &Calendar) -> String {
        deadline(parse_start(start).unwrap(), c)
            .unwrap()
            .to_string()
    }

    #[test]
    fn a_monday_vote_lasts_exactly_72_hours() {
        assert_eq!(
            end("2026-03-02T10:00:00Z", &cal("UTC", &[])),
            "2026-03-05T10:00:00Z"
        );
    }

    #[test]
    fn a_friday_start_skips_the_weekend() {
        // Friday 18:00: 6 h Friday, Monday, Tuesday, then 18 h of Wednesday.
        assert_eq!(
            end("2026-03-06T18:00:00Z", &cal("UTC", &[])),
            "2026-03-11T18:00:00Z"
        );
        // A Saturday start counts from Monday 00:00.
        assert_eq!(
            end("2026-03-07T09:00:00Z", &cal("UTC", &[])),
            "2026-03-12T00:00:00Z"
        );
    }

    #[test]
    fn wednesday_start_runs_into_next_week() {
        assert_eq!(
            end("2026-03-04T12:00:00Z", &cal("UTC", &[])),
            "2026-03-09T12:00:00Z"
        );
    }

    #[test]
    fn holidays_are_skipped() {
        // Monday 2026-05-25 (Memorial Day) off: Thursday start ends Wednesday instead of Tuesday.
        assert_eq!(
            end("2026-05-21T15:00:00Z", &cal("UTC", &[])),
            "2026-05-26T15:00:00Z"
        );
        assert_eq!(
            end("2026-05-21T15:00:00Z", &cal("UTC", &["2026-05-25"])),
            "2026-05-27T15:00:00Z"
        );
        // Christmas and Boxing Day around a weekend.
        let c = cal(
            "UTC",
            &["2026-12-24", "2026-12-25", "2026-12-31", "2027-01-01"],
        );
        assert_eq!(end("2026-12-23T09:00:00Z", &c), "2026-12-30T09:00:00Z");
    }

    #[test]
    fn business_days_follow_the_configured_zone() {
        // Friday 20:00 in Los Angeles is Saturday 04:00 UTC: in UTC the weekend has begun.
        let utc = end("2026-03-06T20:00:00-08:00", &cal("UTC", &[]));
        let la = end(
            "2026-03-06T20:00:00-08:00",
            &cal("America/Los_Angeles", &[]),
        );
        assert_eq!(utc, "2026-03-12T00:00:00Z");
        // LA: 4 h of Friday, Mon, Tue (DST starts Sunday 8 March: no effect on weekdays), 20 h Wed.
        assert_eq!(la, "2026-03-12T03:00:00Z");
    }

    #[test]
    fn dst_changes_are_counted_in_real_hours() {
        // Europe/Berlin leaves DST on Sunday 2026-10-25; a weekday DST change is simulated with
        // a zone whose change falls on a weekday: America/Sao_Paulo has none any more, so use a
        // holiday-free week where the switch is on Sunday and check the vote keeps 72 real hours.
        let c = cal("Europe/Berlin", &[]);
        let start = "2026-10-23T10:00:00+02:00"; // Friday, CEST
                                                 // Fri 14 h, Mon 24 h, Tue 24 h, Wed 10 h → Wed 10:00 CET = 09:00 UTC.
        assert_eq!(end(start, &c), "2026-10-28T09:00:00Z");
        // A start on the DST day itself (Sunday) counts from Monday 00:00 CET.
        assert_eq!(end("2026-10-25T12:00:00+01:00", &c), "2026-10-28T23:00:00Z");
        // New York springs forward on Sunday 8 March; a vote from Friday ends at the same
        // wall-clock hour on Wednesday, which is one UTC hour earlier.
        let ny = cal("America/New_York", &[]);
        assert_eq!(
            end("2026-03-06T12:00:00-05:00", &ny),
            "2026-03-11T16:00:00Z"
        );
    }

    #[test]
    fn deadline_is_printed_in_utc_and_configured_zones() {
        let t = parse_start("2026-03-11T18:00:00Z").unwrap();
        let z = in_zones(t, &["America/Los_Angeles".into(), "Asia/Shanghai".into()]).unwrap();
        assert_eq!(z[0].text, "Wednesday, 11 March 2026, 18:00 UTC");
        assert_eq!(
            z[1].text,
            "Wednesday, 11 March 2026, 11:00 PDT (America/Los_Angeles)"
        );
        assert_eq!(
            z[2].text,
            "Thursday, 12 March 2026, 02:00 CST (Asia/Shanghai)"
        );
        assert!(in_zones(t, &["Mars/Olympus".into()]).is_err());
        assert_eq!(rfc5322_date(t), "Wed, 11 Mar 2026 18:00:00 +0000");
    }

    #[test]
    fn bad_inputs_are_named() {
        assert!(Calendar::new("UTC", &["2026-13-01".into()], 72, 3)
            .unwrap_err()
            .to_string()
            .contains("2026-13-01"));
        assert!(parse_start("next friday")
            .unwrap_err()
            .to_string()
            .contains("RFC 3339"));
    }

    #[test]
    fn unfilled_placeholders_are_refused() {
        let ctx = EmailContext {
            from: "A <a@example.org>".into(),
            to: "dev@example.org".into(),
            project: "hello".into(),
            display_name: "Hello".into(),
            version: "1.1.0".into(),
            rc: 1,
            tag: "1.1.0-rc1".into(),
            commit: "abc".into(),
            tarball_url: "u".into(),
            signature_url: "u".into(),
            checksum_url: "u".into(),
            sha512: "00".into(),
            keys_url: "k".into(),
            tag_url: "t".into(),
            changelog_url: "c".into(),
            changelog: "notes".into(),
            staging_repository: None,
            vote_start_utc: "s".into(),
            deadline_utc: "d".into(),
            deadline_zones: vec![],
            sender_name: "A".into(),
            message_id: "<m@x>".into(),
            date: "Wed, 11 Mar 2026 18:00:00 +0000".into(),
        };
        let e = render("Subject: x\n\n{{ staging_repository }}\n", "t", &ctx).unwrap_err();
        assert!(matches!(e, VoteError::Unfilled { .. }), "{e}");
        let e = render("Subject: x\n\nVote ends <FILL IN DATE>\n", "t", &ctx).unwrap_err();
        assert!(e.to_string().contains("<FILL"), "{e}");
        let e = render("no subject\n", "t", &ctx).unwrap_err();
        assert!(e.to_string().contains("Subject:"), "{e}");
        let ok = render(DEFAULT_TEMPLATE, "built-in", &ctx).unwrap();
        assert_eq!(ok.subject, "[VOTE] Release Apache Hello 1.1.0 (rc1)");
        assert!(ok
            .eml
            .contains("\r\nSubject: [VOTE] Release Apache Hello 1.1.0 (rc1)\r\n"));
        assert!(!ok.body.contains("staging repository"));
    }
}
