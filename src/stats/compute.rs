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
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{Answer, Due, Phase, Quality};

/// Review cards with an interval of this many days or more are mature.
pub const MATURE_DAYS: u32 = 21;
/// Days in the due forecast, today included.
pub const FORECAST_DAYS: usize = 30;
/// Days in the heatmap, today included.
pub const HEATMAP_DAYS: i64 = 365;
/// Cards in each "hardest" list.
pub const HARDEST_LIMIT: usize = 20;
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

/// One logged answer, as the statistics read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogRow {
    pub card_id: i64,
    pub day: DayNumber,
    pub reviewed_at_ms: i64,
    pub quality: Quality,
    pub duration_ms: i64,
    pub kind: ReviewKind,
    pub phase_before: Phase,
    pub interval_before_days: u32,
}

/// Answers on one study day (cram excluded), as the store counts them for the whole history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayActivity {
    pub day: DayNumber,
    pub answers: u64,
}

/// One card that has left the new phase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CardRow {
    pub card_id: i64,
    pub phase: Phase,
    pub due: Due,
    pub interval_days: u32,
    pub ease_permille: u32,
    pub lapses: u32,
    pub suspended: bool,
}

/// Answers on one study day that count alike everywhere but in the answers by hour: the same
/// kind, quality, phase before and young or mature interval before. The store keeps these per
/// day as answers are written (`review_day_counts`); one logged answer is a group of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerGroup {
    pub day: DayNumber,
    pub kind: ReviewKind,
    pub quality: Quality,
    pub phase_before: Phase,
    /// The interval before was [`MATURE_DAYS`] or more (read only for the review phase).
    pub mature: bool,
    pub answers: u64,
    pub time_ms: i64,
}

impl AnswerGroup {
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

/// Answers of one kind on one study day given in one quarter hour (every zone offset in use
/// is a whole number of quarter hours, so a quarter hour has one local hour): what the answers
/// by hour read, as the store keeps it (`review_quarter_counts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuarterCount {
    pub day: DayNumber,
    /// The quarter hour's start, in unix milliseconds.
    pub start_ms: i64,
    pub kind: ReviewKind,
    pub answers: u64,
    /// Those that were not Again.
    pub passed: u64,
}

/// Answers of one kind on one study day, as the store counts them for the whole history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayKindCount {
    pub day: DayNumber,
    pub kind: ReviewKind,
    pub answers: u64,
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

/// What names a card in the hardest-cards lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInfo {
    pub card_id: i64,
    pub deck: String,
    pub key: String,
    pub term: String,
    pub direction: String,
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

/// Dates as `YYYY-MM-DD` in the JSON export.
fn date<S: serde::Serializer>(value: &NaiveDate, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(&value.format("%Y-%m-%d"))
}

fn optional_date<S: serde::Serializer>(
    value: &Option<NaiveDate>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => date(value, serializer),
        None => serializer.serialize_none(),
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

/// A bounded selection of the smallest keys seen.
#[derive(Debug, Clone)]
struct TopN<K: Ord> {
    limit: usize,
    heap: BinaryHeap<K>,
}

impl<K: Ord + Copy> TopN<K> {
    fn new(limit: usize) -> TopN<K> {
        TopN {
            limit,
            heap: BinaryHeap::new(),
        }
    }

    /// Keeps `key` if it is among the `limit` smallest so far; says whether it was kept.
    fn offer(&mut self, key: K) -> bool {
        if self.heap.len() < self.limit {
            self.heap.push(key);
            true
        } else if self.heap.peek().is_some_and(|worst| key < *worst) {
            self.heap.pop();
            self.heap.push(key);
            true
        } else {
            false
        }
    }

    fn sorted(&self) -> Vec<K> {
        let mut keys: Vec<K> = self.heap.iter().copied().collect();
        keys.sort();
        keys
    }
}

/// Interval buckets: (label, first day, last day inclusive).
pub const INTERVAL_BUCKETS: [(&str, u32, u32); 12] = [
    ("1d", 1, 1),
    ("2d", 2, 2),
    ("3-6d", 3, 6),
    ("1-2w", 7, 13),
    ("2-3w", 14, 20),
    ("3w-1mo", 21, 29),
    ("1-2mo", 30, 59),
    ("2-3mo", 60, 89),
    ("3-6mo", 90, 179),
    ("6mo-1y", 180, 364),
    ("1-2y", 365, 729),
    ("2y+", 730, u32::MAX),
];

/// Ease buckets in percent: (label, lowest, highest inclusive).
pub const EASE_BUCKETS: [(&str, u32, u32); 9] = [
    ("130-149%", 130, 149),
    ("150-169%", 150, 169),
    ("170-189%", 170, 189),
    ("190-209%", 190, 209),
    ("210-229%", 210, 229),
    ("230-249%", 230, 249),
    ("250-269%", 250, 269),
    ("270-289%", 270, 289),
    ("290%+", 290, u32::MAX),
];

/// The bucket holding `value`; values under the first bucket count in it (an interval of 0
/// days, which a review card never has, or an ease under 130%, which SM-2 never gives).
fn bucket_of(buckets: &[(&str, u32, u32)], value: u32) -> usize {
    buckets
        .iter()
        .position(|&(_, low, high)| value >= low && value <= high)
        .unwrap_or(if buckets.first().is_some_and(|b| value < b.1) {
            0
        } else {
            buckets.len().saturating_sub(1)
        })
}

const NANOS: u64 = 1_000_000_000;

/// The keys of the hardest lists: smaller is harder; the card id breaks ties.
type LapseKey = (Reverse<u32>, u32, i64);
type EaseKey = (u32, Reverse<u32>, i64);

/// Accumulates cards that have left the new phase.
#[derive(Debug, Clone)]
pub struct CardSummary {
    clock: Clock,
    today: DayNumber,
    leech_lapses: u32,
    counts: CardCounts,
    intervals: Vec<u64>,
    ease: Vec<u64>,
    interval_sum: u64,
    ease_sum: u64,
    forecast: [u64; FORECAST_DAYS],
    overdue: u64,
    /// The load in billionths of a review a day: whole numbers add up the same in any order,
    /// so reading the cards in parts gives the same figure.
    load_nanos: u64,
    most_lapses: TopN<LapseKey>,
    lowest_ease: TopN<EaseKey>,
    leeches: TopN<LapseKey>,
    /// The rows of the cards kept in any list, to describe them at the end.
    kept: HashMap<i64, CardRow>,
}

impl CardSummary {
    pub fn new(clock: Clock, leech_lapses: u32) -> CardSummary {
        CardSummary {
            clock,
            today: clock.today(),
            leech_lapses,
            counts: CardCounts::default(),
            intervals: vec![0; INTERVAL_BUCKETS.len()],
            ease: vec![0; EASE_BUCKETS.len()],
            interval_sum: 0,
            ease_sum: 0,
            forecast: [0; FORECAST_DAYS],
            overdue: 0,
            load_nanos: 0,
            most_lapses: TopN::new(HARDEST_LIMIT),
            lowest_ease: TopN::new(HARDEST_LIMIT),
            leeches: TopN::new(LEECH_LIMIT),
            kept: HashMap::new(),
        }
    }

    pub fn add(&mut self, card: &CardRow) {
        self.counts.total += 1;
        let mut listed = false;
        if self.leech_lapses > 0 && card.lapses >= self.leech_lapses {
            self.counts.leeches += 1;
            listed |= self
                .leeches
                .offer((Reverse(card.lapses), card.ease_permille, card.card_id));
        }
        if card.phase != Phase::New {
            if card.lapses > 0 {
                listed |= self.most_lapses.offer((
                    Reverse(card.lapses),
                    card.ease_permille,
                    card.card_id,
                ));
            }
            listed |=
                self.lowest_ease
                    .offer((card.ease_permille, Reverse(card.lapses), card.card_id));
        }
        if card.suspended {
            self.counts.suspended += 1;
        } else {
            match card.phase {
                Phase::New => self.counts.new += 1,
                Phase::Learning => self.counts.learning += 1,
                Phase::Relearning => {
                    self.counts.learning += 1;
                    self.counts.relearning += 1;
                }
                Phase::Review => {
                    if Counts::is_mature(card.interval_days) {
                        self.counts.mature += 1;
                    } else {
                        self.counts.young += 1;
                    }
                    self.intervals[bucket_of(&INTERVAL_BUCKETS, card.interval_days)] += 1;
                    self.ease[bucket_of(&EASE_BUCKETS, card.ease_permille / 10)] += 1;
                    self.interval_sum += u64::from(card.interval_days);
                    self.ease_sum += u64::from(card.ease_permille);
                    self.load_nanos += NANOS / u64::from(card.interval_days.max(1));
                }
            }
            self.add_to_forecast(card.due);
        }
        // Keep the row while it is in a list; now and then drop the rows that harder cards
        // pushed out, so memory stays bounded however many cards there are.
        if listed {
            self.kept.insert(card.card_id, *card);
            if self.kept.len() > 4 * (2 * HARDEST_LIMIT + LEECH_LIMIT) {
                self.prune();
            }
        }
    }

    fn add_to_forecast(&mut self, due: Due) {
        let day = match due {
            Due::Unscheduled => return,
            Due::Day(day) => day,
            Due::At(secs) => match DateTime::<Utc>::from_timestamp(secs, 0) {
                Some(at) => self.clock.day_of(at),
                None => return,
            },
        };
        let offset = day - self.today;
        if offset < 0 {
            self.overdue += 1;
            self.forecast[0] += 1;
        } else if let Ok(index) = usize::try_from(offset)
            && index < FORECAST_DAYS
        {
            self.forecast[index] += 1;
        }
    }

    /// Drops the kept rows no list holds any more.
    fn prune(&mut self) {
        let keep = self.listed_ids();
        self.kept.retain(|id, _| keep.contains(id));
    }

    fn listed_ids(&self) -> HashSet<i64> {
        let mut ids = HashSet::new();
        ids.extend(self.most_lapses.heap.iter().map(|k| k.2));
        ids.extend(self.lowest_ease.heap.iter().map(|k| k.2));
        ids.extend(self.leeches.heap.iter().map(|k| k.2));
        ids
    }

    /// Completes the counts with the cards never added one by one: the store sends only the
    /// cards that left the new phase and suspended new cards, and counts all of them; the
    /// rest are unsuspended new cards.
    pub fn set_total_cards(&mut self, total: u64) {
        self.counts.new += total.saturating_sub(self.counts.total);
        self.counts.total = self.counts.total.max(total);
    }

    /// Adds the cards another summary read (the cards can be read in parts, side by side).
    pub fn merge(&mut self, other: CardSummary) {
        let c = &mut self.counts;
        let o = &other.counts;
        c.total += o.total;
        c.new += o.new;
        c.learning += o.learning;
        c.young += o.young;
        c.mature += o.mature;
        c.suspended += o.suspended;
        c.relearning += o.relearning;
        c.leeches += o.leeches;
        for (a, b) in self.intervals.iter_mut().zip(&other.intervals) {
            *a += b;
        }
        for (a, b) in self.ease.iter_mut().zip(&other.ease) {
            *a += b;
        }
        for (a, b) in self.forecast.iter_mut().zip(&other.forecast) {
            *a += b;
        }
        self.interval_sum += other.interval_sum;
        self.ease_sum += other.ease_sum;
        self.overdue += other.overdue;
        self.load_nanos += other.load_nanos;
        for key in other.most_lapses.heap {
            self.most_lapses.offer(key);
        }
        for key in other.lowest_ease.heap {
            self.lowest_ease.offer(key);
        }
        for key in other.leeches.heap {
            self.leeches.offer(key);
        }
        self.kept.extend(other.kept);
        self.prune();
    }

    /// The cards the hardest lists name, to fetch their deck, key and term.
    pub fn listed_card_ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self.listed_ids().into_iter().collect();
        ids.sort_unstable();
        ids
    }
}

/// Everything the statistics show, as the JSON export writes it (docs/stats.md).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub schema_version: u32,
    pub scope: Scope,
    pub today: Today,
    pub streak: Streak,
    pub period_totals: PeriodTotals,
    pub daily: Vec<DailyRow>,
    pub retention: Retention,
    pub forecast: Forecast,
    pub heatmap: Vec<HeatDay>,
    pub cards: CardCounts,
    pub intervals: Distribution,
    pub ease: Distribution,
    pub buttons: Vec<ButtonRow>,
    pub hours: Vec<HourTally>,
    pub hardest: Hardest,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scope {
    /// The deck (and its sub-decks), or `None` for the whole collection.
    pub deck: Option<String>,
    pub period: &'static str,
    /// The period's first study day; `None` for all time.
    #[serde(serialize_with = "optional_date")]
    pub first_date: Option<NaiveDate>,
    #[serde(serialize_with = "date")]
    pub today: NaiveDate,
    /// The instant the statistics were computed, RFC 3339.
    pub generated_at: String,
    pub timezone: String,
    pub rollover_hour: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Today {
    #[serde(serialize_with = "date")]
    pub date: NaiveDate,
    /// Activity answers (scored and re-drills).
    pub answers: u64,
    /// Distinct cards answered.
    pub cards: u64,
    pub new: u64,
    pub learning: u64,
    pub review: u64,
    pub drill: u64,
    pub again: u64,
    pub scored: u64,
    pub passed: u64,
    pub correct_share: Option<f64>,
    pub time_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Streak {
    pub current_days: i64,
    pub longest_days: i64,
    /// Study days with at least one answer, in all.
    pub active_days: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeriodTotals {
    #[serde(flatten)]
    pub tally: Tally,
    pub again: u64,
    pub correct_share: Option<f64>,
    pub young_retention: Option<f64>,
    pub mature_retention: Option<f64>,
    pub retention: Option<f64>,
    /// Days of the period with at least one answer.
    pub active_days: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DailyRow {
    #[serde(serialize_with = "date")]
    pub date: NaiveDate,
    #[serde(flatten)]
    pub tally: Tally,
    pub again: u64,
    pub correct_share: Option<f64>,
}

/// One row of a retention series (a day, an ISO week or a calendar month).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RetentionRow {
    /// `2024-03-29`, `2024-W13` or `2024-03`.
    pub label: String,
    /// The first calendar date of the span.
    #[serde(serialize_with = "date")]
    pub start: NaiveDate,
    pub answers: u64,
    pub scored: u64,
    pub passed: u64,
    pub pass_rate: Option<f64>,
    pub young: u64,
    pub young_passed: u64,
    pub young_retention: Option<f64>,
    pub mature: u64,
    pub mature_passed: u64,
    pub mature_retention: Option<f64>,
    pub retention: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retention {
    pub daily: Vec<RetentionRow>,
    pub weekly: Vec<RetentionRow>,
    pub monthly: Vec<RetentionRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastDay {
    #[serde(serialize_with = "date")]
    pub date: NaiveDate,
    /// Days from today (0 is today, overdue cards included).
    pub offset: u32,
    pub due: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Forecast {
    pub overdue: u64,
    pub days: Vec<ForecastDay>,
    /// Sum of 1/interval over unsuspended review cards: the reviews a day they cost.
    pub load: f64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeatDay {
    #[serde(serialize_with = "date")]
    pub date: NaiveDate,
    pub answers: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct CardCounts {
    /// Every card in scope.
    pub total: u64,
    /// The following five are exclusive: a suspended card is only counted as suspended.
    pub new: u64,
    /// Learning and relearning.
    pub learning: u64,
    pub young: u64,
    pub mature: u64,
    pub suspended: u64,
    /// Of `learning`, how many are relearning after a lapse.
    pub relearning: u64,
    /// Cards with at least `leech_lapses` lapses, suspended or not.
    pub leeches: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bucket {
    pub label: &'static str,
    pub low: u32,
    /// Inclusive; `None` for the open last bucket.
    pub high: Option<u32>,
    pub cards: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// Unsuspended review cards counted.
    pub cards: u64,
    /// The mean interval in days, or the mean ease in percent.
    pub mean: Option<f64>,
    pub buckets: Vec<Bucket>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ButtonRow {
    /// `new`, `learning` (learning and relearning) or `review`: the phase before the answer.
    pub phase: &'static str,
    pub again: u64,
    pub hard: u64,
    pub good: u64,
    pub easy: u64,
    pub total: u64,
}

impl ButtonRow {
    pub fn count(&self, answer: Answer) -> u64 {
        match answer {
            Answer::Again => self.again,
            Answer::Hard => self.hard,
            Answer::Good => self.good,
            Answer::Easy => self.easy,
        }
    }

    pub fn share(&self, answer: Answer) -> Option<f64> {
        ratio(self.count(answer), self.total)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HardCard {
    pub card_id: i64,
    pub deck: String,
    pub key: String,
    pub term: String,
    pub direction: String,
    pub phase: &'static str,
    pub lapses: u32,
    pub ease_permille: u32,
    pub interval_days: u32,
    pub suspended: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hardest {
    pub leech_lapses: u32,
    pub most_lapses: Vec<HardCard>,
    pub lowest_ease: Vec<HardCard>,
    pub leeches: Vec<HardCard>,
}

/// What [`build`] needs besides the accumulators.
#[derive(Debug, Clone)]
pub struct Context {
    pub clock: Clock,
    pub period: Period,
    pub deck: Option<String>,
    pub rollover_hour: u32,
}

/// The time zone's name as the config spells it.
pub fn zone_name(zone: Zone) -> String {
    match zone {
        Zone::Local => "local".to_string(),
        Zone::Named(tz) => tz.name().to_string(),
    }
}

/// Assembles the statistics. `activity` gives the streak and the heatmap; `info` names the
/// cards in the hardest lists.
pub fn build(
    context: &Context,
    mut log: LogSummary,
    cards: CardSummary,
    activity: &Activity,
    info: &HashMap<i64, CardInfo>,
) -> Stats {
    let clock = context.clock;
    let today = clock.today();
    let first_day = context.period.first_day(today);
    log.flush();
    let days = &log.days;

    let scope = Scope {
        deck: context.deck.clone(),
        period: context.period.as_str(),
        first_date: first_day.map(Clock::date_of_day),
        today: Clock::date_of_day(today),
        generated_at: clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        timezone: zone_name(clock.zone()),
        rollover_hour: context.rollover_hour,
    };

    let today_tally = days.get(&today).copied().unwrap_or_default();
    let today_stats = Today {
        date: Clock::date_of_day(today),
        answers: today_tally.answers,
        cards: log.today_cards.len() as u64,
        new: today_tally.new,
        learning: today_tally.learning,
        review: today_tally.review,
        drill: today_tally.drill,
        again: today_tally.again(),
        scored: today_tally.scored,
        passed: today_tally.passed,
        correct_share: today_tally.correct_share(),
        time_ms: today_tally.time_ms,
    };

    let active: Vec<DayNumber> = activity
        .active_days
        .iter()
        .copied()
        .filter(|&day| day <= today)
        .collect();
    let (current_days, longest_days) = super::streak(&active, today);
    let streak = Streak {
        current_days,
        longest_days,
        active_days: active.len() as u64,
    };

    let mut total = Tally::default();
    for tally in days.values() {
        total.merge(tally);
    }
    let period_totals = PeriodTotals {
        tally: total,
        again: total.again(),
        correct_share: total.correct_share(),
        young_retention: total.young_retention(),
        mature_retention: total.mature_retention(),
        retention: total.retention(),
        active_days: days.values().filter(|t| t.answers > 0).count() as u64,
    };

    let daily = days
        .iter()
        .map(|(&day, tally)| DailyRow {
            date: Clock::date_of_day(day),
            tally: *tally,
            again: tally.again(),
            correct_share: tally.correct_share(),
        })
        .collect();

    let retention = Retention {
        daily: series(days, |date| (date.format("%Y-%m-%d").to_string(), date)),
        weekly: series(days, |date| {
            let week = date.iso_week();
            let monday =
                date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()));
            (format!("{}-W{:02}", week.year(), week.week()), monday)
        }),
        monthly: series(days, |date| {
            let first = date.with_day(1).unwrap_or(date);
            (date.format("%Y-%m").to_string(), first)
        }),
    };

    let forecast = Forecast {
        overdue: cards.overdue,
        days: (0u32..)
            .zip(cards.forecast.iter())
            .map(|(offset, &due)| ForecastDay {
                date: Clock::date_of_day(today + i64::from(offset)),
                offset,
                due,
            })
            .collect(),
        load: cards.load_nanos as f64 / NANOS as f64,
    };

    let by_day: HashMap<DayNumber, u64> =
        activity.recent.iter().map(|a| (a.day, a.answers)).collect();
    let heatmap = (today - HEATMAP_DAYS + 1..=today)
        .map(|day| HeatDay {
            date: Clock::date_of_day(day),
            answers: by_day.get(&day).copied().unwrap_or(0),
        })
        .collect();

    let reviewed = cards.counts.young + cards.counts.mature;
    let distribution = |buckets: &[(&'static str, u32, u32)], counts: &[u64], mean| Distribution {
        cards: reviewed,
        mean,
        buckets: buckets
            .iter()
            .zip(counts)
            .map(|(&(label, low, high), &n)| Bucket {
                label,
                low,
                high: (high != u32::MAX).then_some(high),
                cards: n,
            })
            .collect(),
    };
    let intervals = distribution(
        &INTERVAL_BUCKETS,
        &cards.intervals,
        ratio(cards.interval_sum, reviewed),
    );
    let ease = distribution(
        &EASE_BUCKETS,
        &cards.ease,
        ratio(cards.ease_sum, reviewed).map(|permille| permille / 10.0),
    );

    let buttons = ["new", "learning", "review"]
        .iter()
        .zip(log.buttons.iter())
        .map(|(&phase, b)| ButtonRow {
            phase,
            again: b.counts[0],
            hard: b.counts[1],
            good: b.counts[2],
            easy: b.counts[3],
            total: b.total(),
        })
        .collect();

    let describe = |id: i64| -> Option<HardCard> {
        let row = cards.kept.get(&id)?;
        let named = info.get(&id);
        Some(HardCard {
            card_id: id,
            deck: named.map(|i| i.deck.clone()).unwrap_or_default(),
            key: named.map(|i| i.key.clone()).unwrap_or_default(),
            term: named.map(|i| i.term.clone()).unwrap_or_default(),
            direction: named.map(|i| i.direction.clone()).unwrap_or_default(),
            phase: row.phase.as_str(),
            lapses: row.lapses,
            ease_permille: row.ease_permille,
            interval_days: row.interval_days,
            suspended: row.suspended,
        })
    };
    let hardest = Hardest {
        leech_lapses: cards.leech_lapses,
        most_lapses: cards
            .most_lapses
            .sorted()
            .iter()
            .filter_map(|k| describe(k.2))
            .collect(),
        lowest_ease: cards
            .lowest_ease
            .sorted()
            .iter()
            .filter_map(|k| describe(k.2))
            .collect(),
        leeches: cards
            .leeches
            .sorted()
            .iter()
            .filter_map(|k| describe(k.2))
            .collect(),
    };

    Stats {
        schema_version: SCHEMA_VERSION,
        scope,
        today: today_stats,
        streak,
        period_totals,
        daily,
        retention,
        forecast,
        heatmap,
        cards: cards.counts,
        intervals,
        ease,
        buttons,
        hours: log.hours.to_vec(),
        hardest,
    }
}

/// Groups day tallies into spans named by `span` (a label and the span's first date).
fn series(
    days: &BTreeMap<DayNumber, Tally>,
    span: impl Fn(NaiveDate) -> (String, NaiveDate),
) -> Vec<RetentionRow> {
    let mut groups: BTreeMap<NaiveDate, (String, Tally)> = BTreeMap::new();
    for (&day, tally) in days {
        let (label, start) = span(Clock::date_of_day(day));
        groups
            .entry(start)
            .or_insert_with(|| (label, Tally::default()))
            .1
            .merge(tally);
    }
    groups
        .into_iter()
        .map(|(start, (label, t))| RetentionRow {
            label,
            start,
            answers: t.answers,
            scored: t.scored,
            passed: t.passed,
            pass_rate: t.correct_share(),
            young: t.young,
            young_passed: t.young_passed,
            young_retention: t.young_retention(),
            mature: t.mature,
            mature_passed: t.mature_passed,
            mature_retention: t.mature_retention(),
            retention: t.retention(),
        })
        .collect()
}

#[cfg(test)]
mod tests;

/// Small but complete [`Stats`] values for the renderers' tests.
#[cfg(test)]
pub(crate) mod sample;
