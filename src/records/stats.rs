//! The statistics' records: the rows and counts `store/` reads for `jargon stats` and `jargon
//! report`, which `stats::compute` folds. Only data here; which answer counts where is
//! `stats::compute`'s business.

use crate::clock::DayNumber;
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{Due, MemoryState, Phase, Quality};

/// Review cards with an interval of this many days or more are mature. The store's count
/// triggers (schema.sql, migration 4) write `mature` with this threshold.
pub const MATURE_DAYS: u32 = 21;

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
    /// FSRS's memory state, for a card an FSRS answer or a switch to FSRS gave one.
    pub memory: Option<MemoryState>,
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

/// What names a card in the hardest-cards lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardInfo {
    pub card_id: i64,
    pub deck: String,
    pub key: String,
    pub term: String,
    pub direction: String,
}
