//! The one source of "now" and "today".
//!
//! A study day does not start at midnight: it starts at the rollover hour (default 4 am) in
//! the learner's time zone, so a late-night session still counts for the evening it belongs
//! to. Days are numbered ([`DayNumber`]) as the count of days from 1970-01-01 to the calendar
//! date of the study day; the scheduler and the review log speak only in these numbers and in
//! UTC instants, so nothing downstream depends on the zone once an answer is recorded.
//!
//! `JARGON_NOW` (RFC 3339) replaces the system clock, for tests and demos. A review session
//! still advances from it in real time; with `JARGON_NOW` set, `JARGON_NOW_RATE=N` (1 to
//! 3600) makes that session time run N times faster, so a test can wait for a ten-minute
//! learning step in a second ([`rate_from_env`]). Without `JARGON_NOW` the rate is ignored:
//! the real clock always runs at its own pace.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use crate::error::{Error, Result};

/// Days since 1970-01-01 of the study day's calendar date.
pub type DayNumber = i64;

/// The learner's time zone: the system's own, or an IANA name from the config.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Zone {
    Local,
    Named(Tz),
}

impl Zone {
    /// `"local"` (or empty) for the system zone, otherwise an IANA name such as `Europe/Paris`.
    pub fn parse(name: &str) -> Result<Zone> {
        let name = name.trim();
        if name.is_empty() || name.eq_ignore_ascii_case("local") {
            return Ok(Zone::Local);
        }
        name.parse::<Tz>().map(Zone::Named).map_err(|_| {
            Error::usage(format!(
                "unknown time zone '{name}' (use an IANA name such as Europe/Berlin, or 'local')"
            ))
        })
    }

    fn naive_local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Zone::Local => at.with_timezone(&chrono::Local).naive_local(),
            Zone::Named(tz) => at.with_timezone(tz).naive_local(),
        }
    }

    /// The UTC instant of a local wall-clock time. In a gap (clocks jump forward) the first
    /// instant after the gap is used; in a fold (clocks go back) the earlier one.
    fn instant_of(&self, local: NaiveDateTime) -> DateTime<Utc> {
        fn pick<T: TimeZone>(tz: &T, local: NaiveDateTime) -> DateTime<Utc> {
            match tz.from_local_datetime(&local) {
                LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
                LocalResult::None => {
                    // Walk forward minute by minute out of the gap (gaps are at most a few hours).
                    let mut probe = local;
                    for _ in 0..(24 * 60) {
                        probe += Duration::minutes(1);
                        if let LocalResult::Single(t) | LocalResult::Ambiguous(t, _) =
                            tz.from_local_datetime(&probe)
                        {
                            return t.with_timezone(&Utc);
                        }
                    }
                    // No zone has a gap longer than a day; treat the wall time as UTC.
                    Utc.from_utc_datetime(&local)
                }
            }
        }
        match self {
            Zone::Local => pick(&chrono::Local, local),
            Zone::Named(tz) => pick(tz, local),
        }
    }
}

/// Converts between instants and study days for one learner's settings, at one moment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Clock {
    now: DateTime<Utc>,
    zone: Zone,
    rollover_hour: u32,
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("1970-01-01 is a valid date"),
};

impl Clock {
    pub fn new(now: DateTime<Utc>, zone: Zone, rollover_hour: u32) -> Clock {
        Clock {
            now,
            zone,
            rollover_hour: rollover_hour.min(23),
        }
    }

    /// The clock for this run: `JARGON_NOW` if set, else the system time.
    pub fn from_env(zone: Zone, rollover_hour: u32) -> Result<Clock> {
        Ok(Clock::new(now_from_env()?, zone, rollover_hour))
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// This clock, moved to another instant (the session keeps one clock and moves it on).
    pub fn at(&self, now: DateTime<Utc>) -> Clock {
        Clock { now, ..*self }
    }

    /// The study day an instant belongs to.
    pub fn day_of(&self, at: DateTime<Utc>) -> DayNumber {
        let local = self.zone.naive_local(at) - Duration::hours(i64::from(self.rollover_hour));
        (local.date() - EPOCH).num_days()
    }

    pub fn today(&self) -> DayNumber {
        self.day_of(self.now)
    }

    /// The instant a study day begins: its date at the rollover hour, local time.
    pub fn day_start(&self, day: DayNumber) -> DateTime<Utc> {
        let date = EPOCH + Duration::days(day);
        let time = NaiveTime::from_hms_opt(self.rollover_hour, 0, 0).unwrap_or(NaiveTime::MIN);
        self.zone.instant_of(date.and_time(time))
    }

    /// The calendar date of a study day.
    pub fn date_of_day(day: DayNumber) -> NaiveDate {
        EPOCH + Duration::days(day)
    }

    /// The local wall-clock time of an instant, for display.
    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        self.zone.naive_local(at)
    }
}

/// Reads `JARGON_NOW` (RFC 3339) or the system clock.
pub fn now_from_env() -> Result<DateTime<Utc>> {
    match std::env::var("JARGON_NOW") {
        Ok(text) if !text.trim().is_empty() => DateTime::parse_from_rfc3339(text.trim())
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| {
                Error::usage(format!(
                    "JARGON_NOW='{text}' is not an RFC 3339 time such as 2026-03-01T09:30:00Z ({e})"
                ))
            }),
        _ => Ok(Utc::now()),
    }
}

/// How many session seconds pass per real second: `JARGON_NOW_RATE` when `JARGON_NOW` is
/// also set (a fixed clock is already a test or a demo), else 1.
pub fn rate_from_env() -> Result<u32> {
    let fixed = std::env::var("JARGON_NOW").is_ok_and(|t| !t.trim().is_empty());
    match std::env::var("JARGON_NOW_RATE") {
        Ok(text) if fixed && !text.trim().is_empty() => text
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|r| (1..=3600).contains(r))
            .ok_or_else(|| {
                Error::usage(format!(
                    "JARGON_NOW_RATE='{text}' is not a whole number from 1 to 3600"
                ))
            }),
        _ => Ok(1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn new_york() -> Zone {
        Zone::parse("America/New_York").unwrap()
    }

    #[test]
    fn a_session_after_midnight_but_before_rollover_counts_for_the_previous_day() {
        let clock = Clock::new(utc("2026-01-10T03:30:00Z"), Zone::Named(chrono_tz::UTC), 4);
        let evening = clock.day_of(utc("2026-01-09T22:00:00Z"));
        assert_eq!(clock.today(), evening);
        let morning = clock.day_of(utc("2026-01-10T04:00:00Z"));
        assert_eq!(morning, evening + 1);
    }

    #[test]
    fn day_start_is_the_rollover_hour_in_local_time_on_both_sides_of_a_dst_change() {
        // New York moved to daylight time on 2026-03-08 at 02:00 local.
        let clock = Clock::new(utc("2026-03-07T15:00:00Z"), new_york(), 4);
        let saturday = clock.today();
        // 4 am EST (UTC-5) on Saturday, 4 am EDT (UTC-4) on Sunday: 23 hours apart.
        assert_eq!(clock.day_start(saturday), utc("2026-03-07T09:00:00Z"));
        assert_eq!(clock.day_start(saturday + 1), utc("2026-03-08T08:00:00Z"));
        assert_eq!(clock.day_of(utc("2026-03-08T07:59:59Z")), saturday);
        assert_eq!(clock.day_of(utc("2026-03-08T08:00:00Z")), saturday + 1);
    }

    #[test]
    fn a_rollover_hour_inside_the_spring_gap_starts_the_day_when_the_clocks_resume() {
        let clock = Clock::new(utc("2026-03-07T15:00:00Z"), new_york(), 2);
        let sunday = clock.today() + 1;
        // 02:00 does not exist on 2026-03-08 in New York; 03:00 EDT = 07:00 UTC does.
        assert_eq!(clock.day_start(sunday), utc("2026-03-08T07:00:00Z"));
    }

    #[test]
    fn unknown_zone_names_are_refused() {
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert_eq!(Zone::parse("local").unwrap(), Zone::Local);
    }
}
