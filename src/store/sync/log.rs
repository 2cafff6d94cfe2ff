//! The review log for sync: the local answers not yet published, the merged answers written
//! into it, a card's log read back in the merge's order, and its rows' states rewritten
//! after the replay.

use rusqlite::{OptionalExtension, params};

use super::SyncTx;
use crate::error::{Error, Result};
use crate::records::sync::{LocalAnswer, LogRow, MergedAnswer};
use crate::scheduler::replay::{Rederived, ReviewKind};
use crate::scheduler::{CardState, Settings};
use crate::store::cards::{due_columns, memory_columns};
use crate::store::reviews::{REVIEW_COLUMN_COUNT, REVIEW_COLUMNS, review_from_row, update_state};

/// The settings body of a row: its `scheduler_settings` text, or for a row from before
/// migration 5, the defaults with the fuzz and maximum interval it kept.
fn body_of(body: Option<String>, fuzz: bool, max_interval: u32) -> String {
    body.unwrap_or_else(|| {
        Settings {
            fuzz,
            maximum_interval_days: max_interval,
            ..Settings::default()
        }
        .body()
    })
}

impl SyncTx<'_> {
    /// The highest review id (0 for an empty log).
    pub fn max_review_id(&self) -> Result<i64> {
        Ok(self
            .tx
            .query_row("SELECT coalesce(max(id), 0) FROM reviews", [], |r| r.get(0))?)
    }

    /// Answers logged here after `after_id` and never published, oldest first.
    pub fn unpublished_answers(&self, after_id: i64) -> Result<Vec<LocalAnswer>> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS}, s.body FROM reviews r LEFT JOIN scheduler_settings s ON s.id = r.settings_id
             WHERE r.id > ?1 AND r.gid IS NULL ORDER BY r.id"
        )
        .replace("SELECT id,", "SELECT r.id,");
        let mut stmt = self.tx.prepare(&sql)?;
        let rows = stmt.query_map([after_id], |r| {
            let row = review_from_row(r)?;
            let body: Option<String> = r.get(REVIEW_COLUMN_COUNT)?;
            let scheduler: String = r.get(7)?;
            Ok(LocalAnswer {
                review_id: row.id,
                note_id: crate::model::note_of_card(row.card_id),
                ord: crate::model::ord_of_card(row.card_id),
                reviewed_at_ms: row.reviewed_at_ms,
                day: row.day,
                quality: row.quality.value(),
                duration_ms: row.duration_ms,
                kind: row.kind,
                scheduler,
                settings_body: body_of(body, row.fuzz, row.maximum_interval_days),
                after: row.after,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Gives a local answer its global id and order time.
    pub fn mark_published(&self, review_id: i64, gid: &str, order_ms: i64) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE reviews SET gid = ?2, order_ms = ?3 WHERE id = ?1")?
            .execute(params![review_id, gid, order_ms])?;
        Ok(())
    }

    /// Whether the answer with this global id is already here (in the log, or kept with a
    /// deleted note).
    pub fn has_answer(&self, gid: &str) -> Result<bool> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM reviews WHERE gid = ?1)
                     OR EXISTS (SELECT 1 FROM deleted_answers WHERE gid = ?1)",
            )?
            .query_row([gid], |r| r.get(0))?)
    }

    /// Keeps an answer to a deleted note.
    pub fn keep_deleted_answer(&self, gid: &str, note: &str, body: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO deleted_answers (gid, note, body) VALUES (?1, ?2, ?3)
                 ON CONFLICT (gid) DO NOTHING",
            )?
            .execute(params![gid, note, body])?;
        Ok(())
    }

    /// Deleted notes' answers never published: (row id, note, body).
    pub fn unpublished_deleted_answers(&self) -> Result<Vec<(i64, String, String)>> {
        let mut stmt = self
            .tx
            .prepare("SELECT id, note, body FROM deleted_answers WHERE gid IS NULL ORDER BY id")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn mark_deleted_answer_published(&self, id: i64, gid: &str) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE deleted_answers SET gid = ?2 WHERE id = ?1")?
            .execute(params![id, gid])?;
        Ok(())
    }

    /// The `scheduler_settings` row of a settings body, added when new.
    pub fn settings_id(&self, body: &str) -> Result<i64> {
        self.tx
            .prepare_cached(
                "INSERT INTO scheduler_settings (body) VALUES (?1) ON CONFLICT (body) DO NOTHING",
            )?
            .execute([body])?;
        Ok(self
            .tx
            .prepare_cached("SELECT id FROM scheduler_settings WHERE body = ?1")?
            .query_row([body], |r| r.get(0))?)
    }

    /// A note's id here and whether it was deleted, by global id (None: never seen).
    pub fn note_state(&self, gid: &str) -> Result<Option<(Option<i64>, bool)>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT note_id, deleted_order_ms IS NOT NULL FROM sync_notes WHERE gid = ?1",
            )?
            .query_row([gid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// Writes an answer from another device into a card's log, with the states the replay
    /// worked out for it, or (`states` None) with placeholders (the carried state) until the
    /// card is replayed. The card must have its row ([`SyncTx::materialize`]). Returns the
    /// row's id.
    pub fn insert_merged_answer(
        &self,
        card_id: i64,
        answer: &MergedAnswer,
        settings_id: i64,
        settings: &Settings,
        states: Option<&Rederived>,
    ) -> Result<i64> {
        let (before, after, retrievability) = match states {
            Some(s) => (&s.before, &s.after, s.retrievability),
            None => (&answer.carried, &answer.carried, None),
        };
        let (due_day_before, due_at_before) = due_columns(before.due);
        let (due_day_after, due_at_after) = due_columns(after.due);
        let (stability_before, difficulty_before) = memory_columns(before.memory);
        let (stability_after, difficulty_after) = memory_columns(after.memory);
        self.tx
            .prepare_cached(
                "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler, fuzz, max_interval,
                     phase_before, due_day_before, due_at_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                     phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after, lapses_after, step_after,
                     stability_before, difficulty_before, stability_after, difficulty_after, retrievability, settings_id, gid, order_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
                     ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)",
            )?
            .execute(params![
                card_id,
                answer.reviewed_at_ms,
                answer.day,
                answer.quality,
                answer.duration_ms.max(0),
                answer.kind.as_str(),
                answer.scheduler,
                i64::from(settings.fuzz),
                settings.maximum_interval_days.max(1),
                before.phase.as_str(),
                due_day_before,
                due_at_before,
                before.interval_days,
                before.ease_permille,
                before.repetitions,
                before.lapses,
                before.step,
                after.phase.as_str(),
                due_day_after,
                due_at_after,
                after.interval_days,
                after.ease_permille,
                after.repetitions,
                after.lapses,
                after.step,
                stability_before,
                difficulty_before,
                stability_after,
                difficulty_after,
                retrievability.map(f64::from),
                settings_id,
                answer.gid,
                answer.order_ms,
            ])?;
        self.tally(&super::counts::Counted {
            day: answer.day,
            reviewed_at_ms: answer.reviewed_at_ms,
            kind: answer.kind.as_str(),
            before,
            quality: answer.quality,
            duration_ms: answer.duration_ms.max(0),
        });
        Ok(self.tx.last_insert_rowid())
    }

    /// Gives a card its own row, so that its answers can be logged and its state written.
    /// Gives a card its own row for the answers a merge writes. A card its note no longer
    /// shows (an edit of the note's cards from another device, applied after the answer was
    /// read) still gets one: the answer is kept, never lost, and never stops the merge.
    pub fn materialize(&self, card_id: i64) -> Result<()> {
        let note = crate::model::note_of_card(card_id);
        self.tx
            .prepare_cached(
                "INSERT OR IGNORE INTO card_states (id, note_id)
                 SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM notes WHERE id = ?2)",
            )?
            .execute(params![card_id, note])?;
        Ok(())
    }

    /// The last row of a card's log (the highest id), whole, if it has any.
    pub fn last_row(&self, card_id: i64) -> Result<Option<LogRow>> {
        let Some(id) = self.last_row_before(card_id, i64::MAX)? else {
            return Ok(None);
        };
        Ok(self.card_log_where(card_id, id)?.into_iter().next())
    }

    /// A card's log with what replay needs, in the merge's order: order time (or the time
    /// it was made, for a row never published), then device, then sequence.
    pub fn card_log(&self, card_id: i64) -> Result<Vec<LogRow>> {
        let mut log = self.card_log_where(card_id, i64::MIN)?;
        log.sort_by_key(merge_key);
        Ok(log)
    }

    fn card_log_where(&self, card_id: i64, from_id: i64) -> Result<Vec<LogRow>> {
        let sql = format!(
            "SELECT {REVIEW_COLUMNS}, gid, coalesce(order_ms, reviewed_at), s.body
             FROM reviews r LEFT JOIN scheduler_settings s ON s.id = r.settings_id
             WHERE r.card_id = ?1 AND r.id >= ?2"
        )
        .replace("SELECT id,", "SELECT r.id,");
        let mut stmt = self.tx.prepare_cached(&sql)?;
        let rows = stmt.query_map(params![card_id, from_id], |r| {
            let row = review_from_row(r)?;
            let scheduler: String = r.get(7)?;
            Ok(LogRow {
                review_id: row.id,
                gid: r.get(REVIEW_COLUMN_COUNT)?,
                order_ms: r.get(REVIEW_COLUMN_COUNT + 1)?,
                reviewed_at_ms: row.reviewed_at_ms,
                day: row.day,
                quality: row.quality.value(),
                kind: row.kind,
                scheduler,
                settings_body: r.get(REVIEW_COLUMN_COUNT + 2)?,
                fuzz: row.fuzz,
                max_interval: row.maximum_interval_days,
                before: row.before,
                after: row.after,
                retrievability: row.retrievability,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Moves a card's rows to new ids at the end of the log, in the given order, so that
    /// the log's order by id (which undo, `check` and the exports read) is the merge's
    /// order. Returns the new ids.
    pub fn renumber(&self, review_ids: &[i64]) -> Result<Vec<i64>> {
        let first = self.max_review_id()? + 1;
        let mut out = Vec::with_capacity(review_ids.len());
        for (next, &id) in (first..).zip(review_ids) {
            self.tx
                .prepare_cached("UPDATE reviews SET id = ?2 WHERE id = ?1")?
                .execute(params![id, next])?;
            out.push(next);
        }
        Ok(out)
    }

    /// The rows of a card's log below `before_id` (those already there before a merge), as
    /// little as the merge's order and the answers so far need: (review id, order time, global
    /// id, grade, day, kind, scheduler), by id.
    pub fn card_log_head(&self, card_id: i64, before_id: i64) -> Result<Vec<HeadRow>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT id, coalesce(order_ms, reviewed_at), gid, quality, day, kind, scheduler
             FROM reviews WHERE card_id = ?1 AND id < ?2 ORDER BY id",
        )?;
        let rows = stmt.query_map(params![card_id, before_id], |r| {
            let kind: String = r.get(5)?;
            Ok(HeadRow {
                review_id: r.get(0)?,
                order_ms: r.get(1)?,
                gid: r.get(2)?,
                quality: r.get(3)?,
                day: r.get(4)?,
                kind: ReviewKind::parse(&kind)
                    .ok_or_else(|| crate::store::unreadable(5, "unknown review kind"))?,
                scheduler: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The id of a card's last row below `before_id`, if any.
    pub fn last_row_before(&self, card_id: i64, before_id: i64) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("SELECT max(id) FROM reviews WHERE card_id = ?1 AND id < ?2")?
            .query_row(params![card_id, before_id], |r| r.get(0))?)
    }

    /// A card's last answer (a scheduling or imported row) below `before_id`: (grade, day).
    pub fn last_answer_before(&self, card_id: i64, before_id: i64) -> Result<Option<(u8, i64)>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT quality, day FROM reviews WHERE card_id = ?1 AND id < ?2
                 AND kind IN ('schedule', 'import') ORDER BY id DESC LIMIT 1",
            )?
            .query_row(params![card_id, before_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    /// A card's rows from id `from_id` on, whole, in the merge's order.
    pub fn card_log_from(&self, card_id: i64, from_id: i64) -> Result<Vec<LogRow>> {
        let mut log = self.card_log_where(card_id, from_id)?;
        log.sort_by_key(merge_key);
        Ok(log)
    }

    /// Rewrites one row's states after a replay.
    pub fn set_row_states(
        &self,
        review_id: i64,
        before: &CardState,
        after: &CardState,
        retrievability: Option<f32>,
    ) -> Result<()> {
        let (due_day_before, due_at_before) = due_columns(before.due);
        let (due_day_after, due_at_after) = due_columns(after.due);
        let (stability_before, difficulty_before) = memory_columns(before.memory);
        let (stability_after, difficulty_after) = memory_columns(after.memory);
        let changed = self
            .tx
            .prepare_cached(
                "UPDATE reviews SET phase_before = ?2, due_day_before = ?3, due_at_before = ?4, interval_before = ?5,
                     ease_before = ?6, reps_before = ?7, lapses_before = ?8, step_before = ?9,
                     phase_after = ?10, due_day_after = ?11, due_at_after = ?12, interval_after = ?13,
                     ease_after = ?14, reps_after = ?15, lapses_after = ?16, step_after = ?17,
                     stability_before = ?18, difficulty_before = ?19, stability_after = ?20,
                     difficulty_after = ?21, retrievability = ?22
                 WHERE id = ?1",
            )?
            .execute(params![
                review_id,
                before.phase.as_str(),
                due_day_before,
                due_at_before,
                before.interval_days,
                before.ease_permille,
                before.repetitions,
                before.lapses,
                before.step,
                after.phase.as_str(),
                due_day_after,
                due_at_after,
                after.interval_days,
                after.ease_permille,
                after.repetitions,
                after.lapses,
                after.step,
                stability_before,
                difficulty_before,
                stability_after,
                difficulty_after,
                retrievability.map(f64::from),
            ])?;
        if changed != 1 {
            return Err(Error::failed(format!("there is no review {review_id}")));
        }
        Ok(())
    }

    /// Stores a card's state after its replay (its suspension and burial stay).
    pub fn set_card_state(&self, card_id: i64, state: &CardState) -> Result<()> {
        self.state_writes.borrow_mut().insert(card_id);
        self.materialize(card_id)?;
        update_state(&self.tx, card_id, state)
    }

    /// The cards whose state was stored since the last call, forgotten.
    pub fn take_state_writes(&self) -> std::collections::BTreeSet<i64> {
        std::mem::take(&mut *self.state_writes.borrow_mut())
    }

    /// The scheduler of a card's latest row, if it has one.
    pub fn last_scheduler(&self, card_id: i64) -> Result<Option<String>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT scheduler FROM reviews INDEXED BY reviews_card WHERE card_id = ?1
                 ORDER BY id DESC LIMIT 1",
            )?
            .query_row([card_id], |r| r.get(0))
            .optional()?)
    }

    /// The id here of the note with this global id, if it is live.
    pub fn note_of_gid(&self, gid: &str) -> Result<Option<i64>> {
        Ok(self
            .tx
            .prepare_cached("SELECT note_id FROM sync_notes WHERE gid = ?1")?
            .query_row([gid], |r| r.get::<_, Option<i64>>(0))
            .optional()?
            .flatten())
    }

    /// Keeps an event that waits for its note to arrive.
    pub fn park(&self, device: &str, seq: u64, note: &str, line: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_parked (device, seq, note, line) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (device, seq) DO NOTHING",
            )?
            .execute(params![device, seq as i64, note, line])?;
        Ok(())
    }

    /// Takes the parked events of a note, in (device, seq) order.
    pub fn unpark(&self, note: &str) -> Result<Vec<Vec<u8>>> {
        let lines: Vec<Vec<u8>> = {
            let mut stmt = self.tx.prepare_cached(
                "SELECT line FROM sync_parked WHERE note = ?1 ORDER BY device, seq",
            )?;
            let rows = stmt.query_map([note], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        self.tx
            .prepare_cached("DELETE FROM sync_parked WHERE note = ?1")?
            .execute([note])?;
        Ok(lines)
    }

    /// How many events wait for their note.
    pub fn parked_count(&self) -> Result<u64> {
        let n: i64 = self
            .tx
            .query_row("SELECT count(*) FROM sync_parked", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}

/// The merge's order of a card's rows: order time, device, sequence (from the global id
/// `<device>-<seq>`); a row never published sorts by its time, then after published ones.
pub fn merge_key(row: &LogRow) -> (i64, String, u64, i64) {
    order_key(row.order_ms, row.gid.as_deref(), row.review_id)
}

/// [`merge_key`] from its parts.
pub fn order_key(order_ms: i64, gid: Option<&str>, review_id: i64) -> (i64, String, u64, i64) {
    let (device, seq) = match gid.and_then(|g| g.rsplit_once('-')) {
        Some((device, seq)) => (device.to_string(), seq.parse().unwrap_or(u64::MAX)),
        None => ("~".to_string(), u64::MAX),
    };
    (order_ms, device, seq, review_id)
}

/// A row of a card's log as [`SyncTx::card_log_head`] reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeadRow {
    pub review_id: i64,
    pub order_ms: i64,
    pub gid: Option<String>,
    pub quality: u8,
    pub day: i64,
    pub kind: ReviewKind,
    pub scheduler: String,
}

/// Whether a kind of row takes its state from the log rather than from the scheduler.
pub fn carries_state(kind: ReviewKind) -> bool {
    matches!(kind, ReviewKind::Import | ReviewKind::Reschedule)
}
