//! The per-day answer counts during a merge. The trigger that counts each inserted answer
//! (`reviews_counts_insert`) costs more than the insert itself; a merge that writes many
//! answers holds it back, inside its own transaction, and adds the counts of the rows it
//! wrote in one statement per table. Rows written while it is held are counted before
//! anything else could change or delete them ([`CountsHold::settle`]), and the trigger is
//! put back with its own stored text before the transaction ends, so the schema a merge
//! commits is the one it found.

use rusqlite::OptionalExtension;

use super::SyncTx;
use crate::error::{Error, Result};

const TRIGGER: &str = "reviews_counts_insert";

/// The insert trigger held back: its text, and the first row id not yet counted.
#[derive(Debug)]
pub struct CountsHold {
    sql: String,
    from_id: i64,
}

impl SyncTx<'_> {
    /// Drops the insert trigger until [`SyncTx::release_counts`]; rows inserted meanwhile
    /// are counted by [`SyncTx::settle_counts`]. None when the collection has no such
    /// trigger (nothing to hold).
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
        let from_id = self.max_review_id()? + 1;
        self.tx.execute_batch(&format!("DROP TRIGGER {TRIGGER}"))?;
        Ok(Some(CountsHold { sql, from_id }))
    }

    /// Counts the rows inserted since the hold (or the last settle): before a row may be
    /// deleted or its counted columns changed, whose triggers take back what was counted.
    pub fn settle_counts(&self, hold: &mut CountsHold) -> Result<()> {
        let next = self.max_review_id()? + 1;
        if next > hold.from_id {
            crate::store::stats::add_counts_from(&self.tx, hold.from_id)?;
        }
        hold.from_id = next;
        Ok(())
    }

    /// Counts what is left and puts the trigger back, exactly as it was.
    pub fn release_counts(&self, mut hold: CountsHold) -> Result<()> {
        self.settle_counts(&mut hold)?;
        self.tx.execute_batch(&hold.sql).map_err(|e| {
            Error::failed(format!(
                "the answer-count trigger could not be put back ({e}); nothing was merged"
            ))
        })?;
        Ok(())
    }
}
