//! The [VOTE] thread's clock: when the vote ends (computed, never guessed: at least 72 hours
//! and at least 3 business days after it starts, skipping weekends and holidays) and the
//! deadline in the configured zones. Pure: no clock reads, no I/O; the caller passes the start
//! instant. The vote email itself is rendered by `emails::vote`.

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
}

impl crate::error::Classify for VoteError {
    fn exit_code(&self) -> ExitCode {
        match self {
            VoteError::BadZone { .. }
            | VoteError::BadHoliday { .. }
            | VoteError::BadStart { .. }
            | VoteError::NoEnd { .. } => ExitCode::Usage,
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

    pub(crate) fn is_business_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&date)
    }
}

pub(crate) fn parse_zone(name: &str, origin: &str) -> Result<TimeZone, VoteError> {
    TimeZone::get(name).map_err(|_| VoteError::BadZone {
        value: name.to_string(),
        origin: origin.to_string(),
    })
}

pub(crate) fn parse_start(value: &str) -> Result<Timestamp, VoteError> {
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

pub(crate) fn in_zones(t: Timestamp, zones: &[String]) -> Result<Vec<ZonedTime>, VoteError> {
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
pub(crate) fn rfc5322_date(t: Timestamp) -> String {
    t.to_zoned(TimeZone::UTC)
        .strftime("%a, %d %b %Y %H:%M:%S +0000")
        .to_string()
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
}
