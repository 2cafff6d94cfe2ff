//! The per-day answer counts during a merge. The trigger that counts each inserted answer
//! (`reviews_counts_insert`) costs more than the insert itself; a merge that writes answers
//! holds it back, inside its own transaction, tallies the rows it writes in memory
//! ([`Tally`]), and adds the tally in one upsert per counted group. The tally is settled
//! before anything could delete a row it counted ([`SyncTx::settle_counts`]: the delete
//! trigger takes back what the tables hold), and the trigger is put back with its own stored
//! text before the transaction ends, so the schema a merge commits is the one it found.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};

use super::SyncTx;
use crate::error::{Error, Result};
use crate::scheduler::CardState;

const TRIGGER: &str = "reviews_counts_insert";

/// The insert trigger held back: its text, to put back.
#[derive(Debug)]
pub struct CountsHold {
    sql: String,
}

/// What the trigger would have added for the rows written so far: per (day, kind, phase
/// before, interval before 21 days or more, quality) the answers and their time, and per
/// (day, quarter hour, kind) the answers and those not Again, as `schema.sql` defines them.
#[derive(Debug, Default)]
pub struct Tally {
    days: HashMap<DayGroup, (i64, i64)>,
    quarters: HashMap<(i64, i64, &'static str), (i64, i64)>,
}

/// A `review_day_counts` key: day, kind, phase before, mature, quality.
type DayGroup = (i64, &'static str, &'static str, bool, u8);

/// One row as the count trigger reads it.
pub struct Counted<'a> {
    pub day: i64,
    pub reviewed_at_ms: i64,
    pub kind: &'static str,
    pub before: &'a CardState,
    pub quality: u8,
    pub duration_ms: i64,
}

impl SyncTx<'_> {
    /// Drops the insert trigger until [`SyncTx::release_counts`]; the rows written meanwhile
    /// are tallied. None when the collection has no such trigger (nothing to hold).
    pub fn hold_counts(&self) -> Result<Option<CountsHold>> {
        let sql: Option<String> = self
            .tx
            .query_row(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?1",
                [TRIGGER],
                |r| r.get(0),
            )
            .optional()?;
        let Some(sql) = sql else {
            return Ok(None);
        };
        self.tx.execute_batch(&format!("DROP TRIGGER {TRIGGER}"))?;
        *self.tally.borrow_mut() = Some(Tally::default());
        Ok(Some(CountsHold { sql }))
    }

    /// Tallies a row written while the trigger is held (nothing otherwise: the trigger
    /// counts it).
    pub(super) fn tally(&self, row: &Counted) {
        let mut tally = self.tally.borrow_mut();
        let Some(tally) = tally.as_mut() else {
            return;
        };
        let day = tally
            .days
            .entry((
                row.day,
                row.kind,
                row.before.phase.as_str(),
                row.before.interval_days >= 21,
                row.quality,
            ))
            .or_default();
        day.0 += 1;
        day.1 += row.duration_ms;
        let quarter = tally
            .quarters
            .entry((row.day, row.reviewed_at_ms.div_euclid(900_000), row.kind))
            .or_default();
        quarter.0 += 1;
        quarter.1 += i64::from(row.quality >= 3);
    }

    /// Adds the tally to the count tables: before a row may be deleted, whose trigger takes
    /// back what they hold.
    pub fn settle_counts(&self, _hold: &CountsHold) -> Result<()> {
        let taken = self.tally.borrow_mut().as_mut().map(std::mem::take);
        let Some(tally) = taken else {
            return Ok(());
        };
        let mut days = self.tx.prepare_cached(
            "INSERT INTO review_day_counts (day, kind, phase_before, mature, quality, answers, time_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT DO UPDATE SET answers = answers + excluded.answers,
                 time_ms = time_ms + excluded.time_ms",
        )?;
        for ((day, kind, phase, mature, quality), (answers, time_ms)) in tally.days {
            days.execute(params![day, kind, phase, mature, quality, answers, time_ms])?;
        }
        let mut quarters = self.tx.prepare_cached(
            "INSERT INTO review_quarter_counts (day, quarter, kind, answers, passed)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT DO UPDATE SET answers = answers + excluded.answers,
                 passed = passed + excluded.passed",
        )?;
        for ((day, quarter, kind), (answers, passed)) in tally.quarters {
            quarters.execute(params![day, quarter, kind, answers, passed])?;
        }
        Ok(())
    }

    /// Adds what is tallied and puts the trigger back, exactly as it was.
    pub fn release_counts(&self, hold: CountsHold) -> Result<()> {
        self.settle_counts(&hold)?;
        *self.tally.borrow_mut() = None;
        self.tx.execute_batch(&hold.sql).map_err(|e| {
            Error::failed(format!(
                "the answer-count trigger could not be put back ({e}); nothing was merged"
            ))
        })?;
        Ok(())
    }
}
