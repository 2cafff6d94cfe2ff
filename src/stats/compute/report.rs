//! The [`Stats`] value: everything the statistics show, as the JSON export writes it
//! (docs/stats.md).

use super::*;

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
    /// FSRS's predicted recall of the cards now; `None` unless the active scheduler is
    /// `fsrs` or a card in scope has a memory state.
    pub retrievability: Option<Retrievability>,
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
    /// FSRS's `desired_retention`, the recall asked for; `None` when FSRS is not shown
    /// (see [`Stats::retrievability`]).
    pub desired: Option<f64>,
    /// The true retention achieved over the period (`period_totals.retention`).
    pub achieved: Option<f64>,
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

/// A bucket of a continuous value: from `low` up to, not including, `high` (the last bucket
/// includes its `high`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RangeBucket {
    pub label: &'static str,
    pub low: f64,
    pub high: f64,
    pub cards: u64,
}

/// The distribution of retrievability (FSRS's predicted probability of recall) now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Retrievability {
    /// Unsuspended cards with a memory state.
    pub cards: u64,
    pub mean: Option<f64>,
    /// Ten buckets of 10%: `0-10%` to `90-100%`.
    pub buckets: Vec<RangeBucket>,
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
