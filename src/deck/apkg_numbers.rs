//! The numbers of an Anki collection, checked before they are mapped onto jargon's records.
//!
//! The rule: every number read must fit the type Anki itself gives it (`rslib`: a card's `due`
//! and `odue` are `i32`, `ivl`, `reps` and `lapses` `u32`, `factor` `u16`; a review's `ivl` and
//! `lastIvl` `i32`, `factor` and `time` `u32`, its button 0 to 4 and its kind 0 to 5), and every
//! number used as an instant (the collection's `crt`, a review's id in milliseconds, a started
//! card's `mod` when it stands in for a missing log) must lie between 2000-01-01 and
//! 2100-01-01 ([`super::history::plausible_ms`]). A value outside refuses the whole package
//! with one sentence naming the table, the row and the value: Anki could not have written it,
//! so nothing in the package can be trusted to mean what it says, and clamping would import a
//! schedule nobody made. Within these ranges no day or instant arithmetic of the mapping can
//! overflow. Ids are only compared, so any integer is a valid id; the card's `left` is not read.

use std::path::Path;

use super::history::{EARLIEST_MS, LATEST_MS, plausible_ms};
use crate::error::{Error, Result};
use crate::records::anki::{AnkiCard, AnkiCollection, AnkiReview};

const I32: (i64, i64) = (i32::MIN as i64, i32::MAX as i64);
const U32: (i64, i64) = (0, u32::MAX as i64);
const U16: (i64, i64) = (0, u16::MAX as i64);

/// Where a number was found, for the message.
struct At<'a> {
    package: &'a Path,
    entry: &'a str,
}

impl At<'_> {
    fn range(
        &self,
        row: &str,
        table: &str,
        column: &str,
        value: i64,
        (min, max): (i64, i64),
    ) -> Result<()> {
        if (min..=max).contains(&value) {
            return Ok(());
        }
        Err(Error::input(
            self.package,
            None,
            format!(
                "{row} in the {table} table of the {} inside the package has {column} {value}, outside the range Anki itself stores ({min} to {max}); refusing the package",
                self.entry
            ),
        ))
    }

    /// Checks `value`, an instant in seconds (or milliseconds when `millis`).
    fn instant(
        &self,
        row: &str,
        table: &str,
        column: &str,
        value: i64,
        millis: bool,
    ) -> Result<()> {
        let ms = if millis {
            Some(value)
        } else {
            value.checked_mul(1000)
        };
        if ms.is_some_and(plausible_ms) {
            return Ok(());
        }
        let unit = if millis { "milliseconds" } else { "seconds" };
        let date = |ms: i64| {
            chrono::DateTime::from_timestamp_millis(ms)
                .map(|t| t.format("%Y-%m-%d").to_string())
                .unwrap_or_default()
        };
        Err(Error::input(
            self.package,
            None,
            format!(
                "{row} in the {table} table of the {} inside the package has {column} {value}, which as a time in {unit} is not between {} and {}; refusing the package",
                self.entry,
                date(EARLIEST_MS),
                date(LATEST_MS)
            ),
        ))
    }
}

/// Checks the numbers of a collection, row by row as they are read; `package` and `entry`
/// name it in messages.
pub struct Checker<'a> {
    at: At<'a>,
}

impl<'a> Checker<'a> {
    pub fn new(package: &'a Path, entry: &'a str) -> Checker<'a> {
        Checker {
            at: At { package, entry },
        }
    }

    /// The collection's own numbers (its creation time).
    pub fn collection(&self, collection: &AnkiCollection) -> Result<()> {
        self.at
            .instant("the collection", "col", "crt", collection.crt, false)
    }

    /// Every number of a card that jargon reads.
    pub fn card(&self, card: &AnkiCard) -> Result<()> {
        let at = &self.at;
        let row = format!("the card {}", card.id);
        let check = |column: &str, value: i64, range: (i64, i64)| {
            at.range(&row, "cards", column, value, range)
        };
        check("type", card.kind, (0, 3))?;
        check("queue", card.queue, (-3, 4))?;
        check("due", card.due, I32)?;
        check("odue", card.original_due, I32)?;
        check("ivl", card.interval, U32)?;
        check("factor", card.factor, U16)?;
        check("reps", card.reps, U32)?;
        check("lapses", card.lapses, U32)?;
        if card.kind != 0 {
            at.instant(&row, "cards", "mod", card.modified, false)?;
        }
        Ok(())
    }

    /// Every number of a review log row that jargon reads.
    pub fn review(&self, review: &AnkiReview) -> Result<()> {
        let at = &self.at;
        let row = format!("the review {}", review.id);
        let check = |column: &str, value: i64, range: (i64, i64)| {
            at.range(&row, "revlog", column, value, range)
        };
        at.instant(&row, "revlog", "id", review.id, true)?;
        check("ease", review.ease, (0, 4))?;
        check("ivl", review.interval, I32)?;
        check("lastIvl", review.last_interval, I32)?;
        check("factor", review.factor, U32)?;
        check("time", review.time_ms, U32)?;
        check("type", review.kind, (0, 5))?;
        Ok(())
    }
}
