//! PURE statistics: plain rows from the store in, one [`Stats`] value out.
//!
//! Nothing here opens a connection or reads the clock: the caller passes the [`Clock`] it
//! read once (its `today` and zone decide study days, weeks and local hours) and feeds the
//! rows it fetched into two accumulators, [`LogSummary`] for answers and [`CardSummary`]
//! for cards, then calls [`build`]. The rules for which answer counts where are written once,
//! in [`Counts`] and, for activity, [`ReviewKind::is_activity`] (which the store's queries
//! share), and in ARCHITECTURE.md under "Statistics":
//!
//! - `cram` answers never count;
//! - `drill` answers (re-drills in a session) are activity: they count in answers per day,
//!   the heatmap, the streak, time spent and answers by hour, but not in the correct share,
//!   retention or answer buttons;
//! - `schedule` and `import` answers are *scored*: they count everywhere;
//! - true retention reads only scored answers given in the `review` phase, split at an
//!   interval of 21 days into young and mature; an answer passes when it was not Again
//!   (quality 3 or more).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;

use crate::clock::{Clock, DayNumber, Zone};
use crate::records::stats::{
    AnswerGroup, CardInfo, CardRow, DayKindCount, LogRow, MATURE_DAYS, QuarterCount,
};
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{Answer, Due, Phase, Quality};

mod build;
mod cards;
mod report;

pub use build::*;
pub use cards::*;
pub use report::*;

/// Days in the due forecast, today included.
pub const FORECAST_DAYS: usize = 30;
/// Days in the heatmap, today included.
pub const HEATMAP_DAYS: i64 = 365;
/// Cards in each "hardest" list.
pub const HARDEST_LIMIT: usize = 20;
/// Buckets of the retrievability distribution, each a tenth of the range 0 to 1.
pub const RETRIEVABILITY_BUCKETS: usize = 10;
/// Leeches listed by name (all are counted).
pub const LEECH_LIMIT: usize = 100;
/// The version of the JSON and CSV layout; bumped only when a field changes meaning or goes.
pub const SCHEMA_VERSION: u32 = 1;

/// How far back the log-based figures look; every period ends today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Period {
    Day,
    Week,
    Month,
    Year,
    All,
}

impl Period {
    pub const NAMES: [&'static str; 5] = ["day", "week", "month", "year", "all"];

    pub fn parse(text: &str) -> Option<Period> {
        Some(match text.trim().to_ascii_lowercase().as_str() {
            "day" | "today" => Period::Day,
            "week" => Period::Week,
            "month" => Period::Month,
            "year" => Period::Year,
            "all" => Period::All,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Year => "year",
            Period::All => "all",
        }
    }

    /// The first study day of the period ending `today`; `None` for the whole history.
    pub fn first_day(self, today: DayNumber) -> Option<DayNumber> {
        match self {
            Period::Day => Some(today),
            Period::Week => Some(today - 6),
            Period::Month => Some(today - 29),
            Period::Year => Some(today - 364),
            Period::All => None,
        }
    }

    /// Words for a heading: "the last 30 days".
    pub fn describe(self) -> &'static str {
        match self {
            Period::Day => "today",
            Period::Week => "the last 7 days",
            Period::Month => "the last 30 days",
            Period::Year => "the last 365 days",
            Period::All => "all time",
        }
    }
}

/// Answers on one study day (cram excluded), as the store counts them for the whole history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayActivity {
    pub day: DayNumber,
    pub answers: u64,
}

impl AnswerGroup {
    /// One logged answer as a group of one.
    pub fn of(row: &LogRow) -> AnswerGroup {
        AnswerGroup {
            day: row.day,
            kind: row.kind,
            quality: row.quality,
            phase_before: row.phase_before,
            mature: Counts::is_mature(row.interval_before_days),
            answers: 1,
            time_ms: row.duration_ms,
        }
    }
}

/// The activity the streak and the heatmap read, beyond the period's answers: the days with
/// at least one answer over the whole history, and the answers on each recent day.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Activity {
    /// Oldest first.
    pub active_days: Vec<DayNumber>,
    /// At least the heatmap's last 365 days; days without answers may be missing.
    pub recent: Vec<DayActivity>,
}

impl Activity {
    /// From the store's counts: the active days (cram-only days already left out) and the
    /// answers per day and kind of the last year, of which cram answers never count.
    pub fn from_counts(active_days: Vec<DayNumber>, recent: &[DayKindCount]) -> Activity {
        let mut days: BTreeMap<DayNumber, u64> = BTreeMap::new();
        for count in recent {
            if count.kind.is_activity() && count.answers > 0 {
                *days.entry(count.day).or_default() += count.answers;
            }
        }
        Activity {
            active_days,
            recent: days
                .into_iter()
                .map(|(day, answers)| DayActivity { day, answers })
                .collect(),
        }
    }
}

/// Activity answers per study day, summed from answer groups (cram left out), for the streak
/// and the heatmap when the answers come as the store's per-day counts.
#[derive(Debug, Clone, Default)]
pub struct DayAnswers {
    days: BTreeMap<DayNumber, u64>,
}

impl DayAnswers {
    pub fn add(&mut self, group: &AnswerGroup) {
        if group.kind.is_activity() && group.answers > 0 {
            *self.days.entry(group.day).or_default() += group.answers;
        }
    }

    /// Every day with an answer is both active and a recent day (the heatmap takes its year).
    pub fn activity(self) -> Activity {
        let recent: Vec<DayActivity> = self
            .days
            .into_iter()
            .map(|(day, answers)| DayActivity { day, answers })
            .collect();
        Activity {
            active_days: recent.iter().map(|a| a.day).collect(),
            recent,
        }
    }
}

/// Which answers count for what (the module doc gives the rules in words).
pub struct Counts;

impl Counts {
    /// Scored answers: correct share, retention, buttons, new/learning/review counts.
    pub fn is_scored(kind: ReviewKind) -> bool {
        matches!(kind, ReviewKind::Schedule | ReviewKind::Import)
    }

    /// An answer passes unless it was Again.
    pub fn passed(quality: Quality) -> bool {
        quality.rating() > 1
    }

    pub fn is_mature(interval_days: u32) -> bool {
        interval_days >= MATURE_DAYS
    }
}

/// Counts of answers over some span of days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Tally {
    /// Activity answers (scored and re-drills).
    pub answers: u64,
    /// Re-drills in a session.
    pub drill: u64,
    pub time_ms: i64,
    /// Scored answers, and those that were not Again.
    pub scored: u64,
    pub passed: u64,
    /// Scored answers by the phase the card was in.
    pub new: u64,
    pub learning: u64,
    pub review: u64,
    /// Scored review-phase answers, young (interval < 21 days) and mature, and their passes.
    pub young: u64,
    pub young_passed: u64,
    pub mature: u64,
    pub mature_passed: u64,
}

impl Tally {
    pub fn add(&mut self, row: &LogRow) {
        self.add_group(&AnswerGroup::of(row));
    }

    /// Adds a group of answers that count alike.
    pub fn add_group(&mut self, group: &AnswerGroup) {
        if !group.kind.is_activity() {
            return;
        }
        let n = group.answers;
        self.answers += n;
        self.time_ms += group.time_ms.max(0);
        if group.kind == ReviewKind::Drill {
            self.drill += n;
        }
        if !Counts::is_scored(group.kind) {
            return;
        }
        let passed = if Counts::passed(group.quality) { n } else { 0 };
        self.scored += n;
        self.passed += passed;
        match group.phase_before {
            Phase::New => self.new += n,
            Phase::Learning | Phase::Relearning => self.learning += n,
            Phase::Review => {
                self.review += n;
                if group.mature {
                    self.mature += n;
                    self.mature_passed += passed;
                } else {
                    self.young += n;
                    self.young_passed += passed;
                }
            }
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.answers += other.answers;
        self.drill += other.drill;
        self.time_ms += other.time_ms;
        self.scored += other.scored;
        self.passed += other.passed;
        self.new += other.new;
        self.learning += other.learning;
        self.review += other.review;
        self.young += other.young;
        self.young_passed += other.young_passed;
        self.mature += other.mature;
        self.mature_passed += other.mature_passed;
    }

    /// Scored answers that were Again.
    pub fn again(&self) -> u64 {
        self.scored - self.passed
    }

    /// The share of scored answers that passed; `None` without any.
    pub fn correct_share(&self) -> Option<f64> {
        ratio(self.passed, self.scored)
    }

    pub fn young_retention(&self) -> Option<f64> {
        ratio(self.young_passed, self.young)
    }

    pub fn mature_retention(&self) -> Option<f64> {
        ratio(self.mature_passed, self.mature)
    }

    /// True retention over young and mature review answers together.
    pub fn retention(&self) -> Option<f64> {
        ratio(
            self.young_passed + self.mature_passed,
            self.young + self.mature,
        )
    }
}

/// `part / whole`, or `None` when there is nothing to divide.
pub fn ratio(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Answers in one hour of the local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct HourTally {
    pub hour: u32,
    pub answers: u64,
    pub scored: u64,
    pub passed: u64,
}

/// Scored answers by button, for one phase group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Buttons {
    /// Again, Hard, Good, Easy.
    pub counts: [u64; 4],
}

impl Buttons {
    pub fn total(&self) -> u64 {
        self.counts.iter().sum()
    }
}

/// Accumulates the answers of the period, one row at a time (rows arrive in any order).
#[derive(Debug, Clone)]
pub struct LogSummary {
    clock: Clock,
    first_day: Option<DayNumber>,
    today: DayNumber,
    days: BTreeMap<DayNumber, Tally>,
    /// The day being filled: rows mostly arrive day by day, so this saves a map lookup each.
    current: Option<(DayNumber, Tally)>,
    today_cards: HashSet<i64>,
    /// New, learning (and relearning), review.
    buttons: [Buttons; 3],
    hours: [HourTally; 24],
    /// The zone's offset for the last quarter hour seen (every zone offset in use is a whole
    /// number of quarter hours), so most rows skip the time-zone lookup.
    offset_cache: Option<(i64, i64)>,
}

impl LogSummary {
    /// Answers from study day `first_day` (or the beginning) to `clock.today()` count.
    pub fn new(clock: Clock, first_day: Option<DayNumber>) -> LogSummary {
        let mut hours = [HourTally::default(); 24];
        for (hour, tally) in (0u32..).zip(hours.iter_mut()) {
            tally.hour = hour;
        }
        LogSummary {
            clock,
            first_day,
            today: clock.today(),
            days: BTreeMap::new(),
            current: None,
            today_cards: HashSet::new(),
            buttons: [Buttons::default(); 3],
            hours,
            offset_cache: None,
        }
    }

    /// Whether answers of `kind` on `day` count in this summary.
    fn counts(&self, kind: ReviewKind, day: DayNumber) -> bool {
        kind.is_activity() && day <= self.today && self.first_day.is_none_or(|first| day >= first)
    }

    /// Adds one logged answer.
    pub fn add(&mut self, row: &LogRow) {
        if !self.counts(row.kind, row.day) {
            return;
        }
        self.add_group(&AnswerGroup::of(row));
        if row.day == self.today {
            self.today_cards.insert(row.card_id);
        }
        self.add_quarter(&QuarterCount {
            day: row.day,
            start_ms: row.reviewed_at_ms,
            kind: row.kind,
            answers: 1,
            passed: u64::from(Counts::passed(row.quality)),
        });
    }

    /// Adds a group of answers to the day figures and the buttons (not to the answers by hour:
    /// [`LogSummary::add_quarter`] does those).
    pub fn add_group(&mut self, group: &AnswerGroup) {
        if !self.counts(group.kind, group.day) {
            return;
        }
        match &mut self.current {
            Some((day, tally)) if *day == group.day => tally.add_group(group),
            _ => {
                self.flush();
                let mut tally = self.days.remove(&group.day).unwrap_or_default();
                tally.add_group(group);
                self.current = Some((group.day, tally));
            }
        }
        if Counts::is_scored(group.kind) {
            let phase = match group.phase_before {
                Phase::New => 0,
                Phase::Learning | Phase::Relearning => 1,
                Phase::Review => 2,
            };
            let button = usize::from(group.quality.rating().clamp(1, 4) - 1);
            self.buttons[phase].counts[button] += group.answers;
        }
    }

    /// Adds answers given in one quarter hour to the answers by hour.
    pub fn add_quarter(&mut self, quarter: &QuarterCount) {
        if !self.counts(quarter.kind, quarter.day) {
            return;
        }
        let hour = self.local_hour(quarter.start_ms);
        let slot = &mut self.hours[hour];
        slot.answers += quarter.answers;
        if Counts::is_scored(quarter.kind) {
            slot.scored += quarter.answers;
            slot.passed += quarter.passed;
        }
    }

    /// Notes the cards answered today (cram aside), when the answers come as counts.
    pub fn add_today_cards(&mut self, card_ids: impl IntoIterator<Item = i64>) {
        self.today_cards.extend(card_ids);
    }

    fn flush(&mut self) {
        if let Some((day, tally)) = self.current.take() {
            self.days.insert(day, tally);
        }
    }

    /// The local hour (0-23) of an instant in unix milliseconds.
    fn local_hour(&mut self, at_ms: i64) -> usize {
        const QUARTER_MS: i64 = 15 * 60 * 1000;
        let quarter = at_ms.div_euclid(QUARTER_MS);
        let offset_ms = match self.offset_cache {
            Some((q, offset)) if q == quarter => offset,
            _ => {
                let offset = DateTime::<Utc>::from_timestamp_millis(at_ms)
                    .map(|at| (self.clock.local(at) - at.naive_utc()).num_milliseconds())
                    .unwrap_or(0);
                self.offset_cache = Some((quarter, offset));
                offset
            }
        };
        let hour = (at_ms + offset_ms).div_euclid(3_600_000).rem_euclid(24);
        usize::try_from(hour).unwrap_or(0)
    }

    /// Adds the answers another summary of the same period read (the log can be read in
    /// parts, side by side).
    pub fn merge(&mut self, mut other: LogSummary) {
        self.flush();
        other.flush();
        for (day, tally) in other.days {
            self.days.entry(day).or_default().merge(&tally);
        }
        self.today_cards.extend(other.today_cards);
        for (mine, theirs) in self.buttons.iter_mut().zip(other.buttons.iter()) {
            for (a, b) in mine.counts.iter_mut().zip(theirs.counts.iter()) {
                *a += b;
            }
        }
        for (mine, theirs) in self.hours.iter_mut().zip(other.hours.iter()) {
            mine.answers += theirs.answers;
            mine.scored += theirs.scored;
            mine.passed += theirs.passed;
        }
    }

    /// Tallies of every study day with an answer, oldest first.
    pub fn days(&mut self) -> &BTreeMap<DayNumber, Tally> {
        self.flush();
        &self.days
    }

    /// The activity these answers show, when they are the whole history (no need to ask the
    /// store again).
    pub fn activity(&mut self) -> Activity {
        let recent: Vec<DayActivity> = self
            .days()
            .iter()
            .filter(|(_, t)| t.answers > 0)
            .map(|(&day, t)| DayActivity {
                day,
                answers: t.answers,
            })
            .collect();
        Activity {
            active_days: recent.iter().map(|a| a.day).collect(),
            recent,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fsrs_tests;

/// Small but complete [`Stats`] values for the renderers' tests.
#[cfg(test)]
pub(crate) mod sample;
