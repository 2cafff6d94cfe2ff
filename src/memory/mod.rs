//! PURE "know your memory" (issue 19): fitting FSRS-6 to the learner's own answers, scoring
//! how well each scheduler predicts their recall, and simulating the next days under each.
//!
//! Nothing here touches SQL, the clock or the terminal: the caller reads the log, turns each
//! answer into an [`Answer`], and prints what comes back. `docs/memory.md` gives the rules
//! (which answers count, how same-day answers are treated, the scoring formulas) and the JSON
//! shapes the commands print.
//!
//! - [`items`]: a card's answers become the `fsrs` crate's training items.
//! - [`fit`]: FSRS-6 parameters fitted to the answers (`jargon optimize`).
//! - [`metrics`]: log loss, RMSE(bins) and AUC as srs-benchmark computes them.
//! - [`evaluate`]: a time-series split scoring fsrs (default and fitted), sm2 and anki.
//! - [`simulate`]: the next days under each scheduler, one memory model judging them all.

pub mod evaluate;
pub mod fit;
pub mod items;
pub mod log;
pub mod metrics;
pub mod report;
#[cfg(test)]
mod shared_log;
pub mod simulate;
pub mod synthetic;
#[cfg(test)]
mod testdata;

pub use evaluate::{Evaluation, ModelScore, ParameterSource, evaluate};
pub use fit::{Fitted, fit};
pub use simulate::{Run, SimulateConfig, simulate};

/// One answer of the learner's log, as the memory functions read it.
///
/// The caller leaves out what is not a scheduled answer: cram answers, SM-2's same-day
/// re-drills, `reschedule` rows (a switch moving a due date) and anything else that is not a
/// grade on a card. Answers may come in any order; each function sorts what it needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Answer {
    /// The card answered. A card's answers are its own history; notes do not matter.
    pub card_id: i64,
    /// When the answer was given (unix milliseconds): orders a card's answers and, across
    /// cards, the time-series split of `evaluate`.
    pub reviewed_at_ms: i64,
    /// The study day of the answer (days since the epoch, after the collection's rollover):
    /// FSRS counts elapsed time in whole study days between answers.
    pub day: i64,
    /// The button: 1 Again, 2 Hard, 3 Good, 4 Easy. Anything else is refused.
    pub rating: u8,
    /// How long the learner took (milliseconds; negative counts as 0): the answer times per
    /// button that `simulate` charges.
    pub duration_ms: i64,
    /// The card was new before this answer (its first learning answer, or the first after it
    /// was reset to new). A card's history starts at its latest such answer, as Anki's
    /// optimizer starts at the last group of learning steps; a card with none (its history
    /// began elsewhere) is not used for fitting or scoring.
    pub was_new: bool,
}

/// What the memory functions can fail with. `TooLittleHistory` is the learner's case; the
/// others name a fault in the input or the `fsrs` crate.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum MemoryError {
    /// Fewer usable reviews than fitting needs.
    #[error(
        "FSRS needs at least {needed} reviews made a day or more after the card's previous answer; this log has {have}"
    )]
    TooLittleHistory { have: usize, needed: usize },
    /// The crate found no group of cards to take first stabilities from: at least 6 cards
    /// with the same first grade and the same days to their next answer, once it has set
    /// aside the rarest 5% (at least 20) of each grade's cards as outliers.
    #[error(
        "FSRS cannot start from this log: it needs more cards answered again a day or more after their first answer, at least 6 of them with the same first grade and the same number of days before the next answer"
    )]
    TooFewNewCards,
    /// A rating outside 1..=4.
    #[error("answer {index} (card {card_id}) has rating {rating}; ratings are 1 to 4")]
    BadRating {
        index: usize,
        card_id: i64,
        rating: u8,
    },
    /// A setting out of its range (desired retention, days, splits).
    #[error("{0}")]
    BadSetting(String),
    /// The fitting was stopped by the progress callback.
    #[error("stopped before the end")]
    Interrupted,
    /// The `fsrs` crate refused its input or produced unusable numbers.
    #[error("the FSRS library failed: {0}")]
    Fsrs(String),
}

impl From<fsrs::FSRSError> for MemoryError {
    fn from(error: fsrs::FSRSError) -> MemoryError {
        match error {
            fsrs::FSRSError::Interrupted => MemoryError::Interrupted,
            fsrs::FSRSError::NotEnoughData => MemoryError::TooFewNewCards,
            other => MemoryError::Fsrs(other.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, MemoryError>;

/// Every answer's rating is 1..=4, or the first that is not.
pub fn check_ratings(answers: &[Answer]) -> Result<()> {
    match answers
        .iter()
        .enumerate()
        .find(|(_, a)| !(1..=4).contains(&a.rating))
    {
        Some((index, a)) => Err(MemoryError::BadRating {
            index,
            card_id: a.card_id,
            rating: a.rating,
        }),
        None => Ok(()),
    }
}
