//! The review log: committing answers, undoing them, and reading the history back.

use std::sync::LazyLock;

use rusqlite::{Row, Transaction, params};

use super::Collection;
use super::cards::{due_columns, due_of, memory_columns, memory_of};
use crate::clock::DayNumber;
use crate::error::{Error, Result};
use crate::records::export::ReviewRow;
use crate::scheduler::replay::{LoggedAnswer, ReviewKind};
use crate::scheduler::{Answer, CardState, Phase, Quality, SchedulerKind, Settings};

/// The activity rule in SQL, `kind IN ('schedule', 'drill', 'import')`: built once from
/// [`ReviewKind::is_activity`], which owns the rule, so the queries and the statistics'
/// arithmetic cannot disagree about which answers count.
pub(crate) fn activity_kinds() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let kinds: Vec<String> = ReviewKind::ALL
            .into_iter()
            .filter(|kind| kind.is_activity())
            .map(|kind| format!("'{}'", kind.as_str()))
            .collect();
        format!("kind IN ({})", kinds.join(", "))
    });
    &SQL
}

/// `kind IN ('schedule', 'import')`: the answers a card's memory is the fold of, built
/// once from [`ReviewKind::is_answer`].
fn answer_kinds() -> &'static str {
    static SQL: LazyLock<String> = LazyLock::new(|| {
        let kinds: Vec<String> = ReviewKind::ALL
            .into_iter()
            .filter(|kind| kind.is_answer())
            .map(|kind| format!("'{}'", kind.as_str()))
            .collect();
        format!("kind IN ({})", kinds.join(", "))
    });
    &SQL
}

/// An answer to be logged.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NewReview {
    pub card_id: i64,
    /// Unix milliseconds.
    pub reviewed_at_ms: i64,
    pub day: DayNumber,
    pub quality: Quality,
    pub duration_ms: i64,
    pub kind: ReviewKind,
    pub scheduler: SchedulerKind,
    /// The settings the answer was scheduled with, kept so replay stays exact after the
    /// config changes.
    pub settings: Settings,
    /// FSRS's predicted recall at the answer (None for other schedulers).
    pub retrievability: Option<f32>,
}

/// Every `scheduler_settings` row, read once: None for a body this build cannot read.
#[derive(Debug, Clone, Default)]
pub struct SettingsTable(std::collections::HashMap<i64, Option<Settings>>);

/// Why a logged row cannot be replayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreplayable {
    /// Made with a scheduler this build does not know.
    Scheduler,
    /// Names a `scheduler_settings` row this build cannot read, or none.
    Settings(i64),
}

pub(crate) const REVIEW_COLUMNS: &str = "id, card_id, reviewed_at, day, quality, duration_ms, kind, scheduler, fuzz, max_interval,
     phase_before, due_day_before, due_at_before, interval_before, ease_before, reps_before, lapses_before, step_before,
     phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after, lapses_after, step_after,
     stability_before, difficulty_before, stability_after, difficulty_after, retrievability, settings_id";

/// How many columns [`REVIEW_COLUMNS`] names: a query's next column is at this offset.
pub(crate) const REVIEW_COLUMN_COUNT: usize = 32;

fn state_from_row(row: &Row, at: usize, memory_at: usize) -> rusqlite::Result<CardState> {
    let phase: String = row.get(at)?;
    Ok(CardState {
        phase: Phase::parse(&phase).ok_or_else(|| super::unreadable(at, "unknown phase"))?,
        due: due_of(row.get(at + 1)?, row.get(at + 2)?),
        interval_days: row.get(at + 3)?,
        ease_permille: row.get(at + 4)?,
        repetitions: row.get(at + 5)?,
        lapses: row.get(at + 6)?,
        step: row.get(at + 7)?,
        memory: memory_of(row, memory_at)?,
    })
}

pub(crate) fn review_from_row(row: &Row) -> rusqlite::Result<ReviewRow> {
    let kind: String = row.get(6)?;
    let scheduler: String = row.get(7)?;
    let quality: u8 = row.get(4)?;
    Ok(ReviewRow {
        id: row.get(0)?,
        card_id: row.get(1)?,
        reviewed_at_ms: row.get(2)?,
        day: row.get(3)?,
        quality: Quality::new(quality).map_err(|_| super::unreadable(4, "quality out of range"))?,
        duration_ms: row.get(5)?,
        kind: ReviewKind::parse(&kind)
            .ok_or_else(|| super::unreadable(6, "unknown review kind"))?,
        scheduler_name: SchedulerKind::parse(&scheduler)
            .map(SchedulerKind::name)
            .unwrap_or("other"),
        fuzz: row.get::<_, i64>(8)? != 0,
        maximum_interval_days: row.get(9)?,
        before: state_from_row(row, 10, 26)?,
        after: state_from_row(row, 18, 28)?,
        retrievability: row.get::<_, Option<f64>>(30)?.map(|r| r as f32),
        settings_id: row.get(31)?,
    })
}

impl ReviewRow {
    /// The row as replay reads it, with the settings it names in `table`.
    pub fn as_logged(
        &self,
        table: &SettingsTable,
    ) -> std::result::Result<LoggedAnswer, Unreplayable> {
        let settings = match self.settings_id {
            None => Settings {
                fuzz: self.fuzz,
                maximum_interval_days: self.maximum_interval_days,
                ..Settings::default()
            },
            Some(id) => table
                .0
                .get(&id)
                .copied()
                .flatten()
                .ok_or(Unreplayable::Settings(id))?,
        };
        Ok(LoggedAnswer {
            kind: self.kind,
            quality: self.quality,
            day: self.day,
            at: self.reviewed_at_ms.div_euclid(1000),
            scheduler: SchedulerKind::parse(self.scheduler_name)
                .map_err(|_| Unreplayable::Scheduler)?,
            settings,
            after: self.after,
        })
    }
}

/// Every `scheduler_settings` row (also read inside a transaction, by the scheduler switch).
pub(crate) fn read_settings_table(conn: &rusqlite::Connection) -> Result<SettingsTable> {
    let mut stmt = conn.prepare("SELECT id, body FROM scheduler_settings")?;
    let rows = stmt.query_map([], |row| {
        let body: String = row.get(1)?;
        Ok((row.get(0)?, Settings::from_body(&body)))
    })?;
    Ok(SettingsTable(rows.collect::<rusqlite::Result<_>>()?))
}

/// Writes a card's state (used by answers, undo and imports), giving the card its row first.
pub(crate) fn write_state(tx: &Transaction, card_id: i64, state: &CardState) -> Result<()> {
    super::cards::materialize(tx, card_id)?;
    update_state(tx, card_id, state)
}

/// Writes the state of a card that has its row.
pub(crate) fn update_state(tx: &Transaction, card_id: i64, state: &CardState) -> Result<()> {
    let (due_day, due_at) = due_columns(state.due);
    let (stability, difficulty) = memory_columns(state.memory);
    let changed = tx
        .prepare_cached(
            "UPDATE card_states SET phase = ?1, due_day = ?2, due_at = ?3, interval_days = ?4, ease_permille = ?5,
                 repetitions = ?6, lapses = ?7, step = ?8, stability = ?10, difficulty = ?11 WHERE id = ?9",
        )?
        .execute(params![
            state.phase.as_str(),
            due_day,
            due_at,
            state.interval_days,
            state.ease_permille,
            state.repetitions,
            state.lapses,
            state.step,
            card_id,
            stability,
            difficulty,
        ])?;
    if changed != 1 {
        return Err(Error::failed(format!("there is no card {card_id}")));
    }
    Ok(())
}

/// Appends one log row; the card must have its row (see [`super::cards::materialize`]).
pub(crate) fn insert_review(
    tx: &Transaction,
    review: &NewReview,
    before: &CardState,
    after: &CardState,
) -> Result<i64> {
    let (due_day_before, due_at_before) = due_columns(before.due);
    let (due_day_after, due_at_after) = due_columns(after.due);
    let (stability_before, difficulty_before) = memory_columns(before.memory);
    let (stability_after, difficulty_after) = memory_columns(after.memory);
    let settings_id = settings_id(tx, &review.settings)?;
    tx.prepare_cached(
        "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler, fuzz, max_interval,
             phase_before, due_day_before, due_at_before, interval_before, ease_before, reps_before, lapses_before, step_before,
             phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after, lapses_after, step_after,
             stability_before, difficulty_before, stability_after, difficulty_after, retrievability, settings_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,
             ?26, ?27, ?28, ?29, ?30, ?31)",
    )?
    .execute(params![
        review.card_id,
        review.reviewed_at_ms,
        review.day,
        review.quality.value(),
        review.duration_ms.max(0),
        review.kind.as_str(),
        review.scheduler.name(),
        i64::from(review.settings.fuzz),
        review.settings.maximum_interval_days,
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
        review.retrievability.map(f64::from),
        settings_id,
    ])?;
    Ok(tx.last_insert_rowid())
}

/// The id of the `scheduler_settings` row naming these settings, added when new.
fn settings_id(tx: &Transaction, settings: &Settings) -> Result<i64> {
    let body = settings.body();
    tx.prepare_cached(
        "INSERT INTO scheduler_settings (body) VALUES (?1) ON CONFLICT (body) DO NOTHING",
    )?
    .execute([&body])?;
    Ok(tx
        .prepare_cached("SELECT id FROM scheduler_settings WHERE body = ?1")?
        .query_row([&body], |row| row.get(0))?)
}

/// Why [`Collection::undo_review`] leaves an answer where it is: each is something another
/// jargon did since the answer (a sync, a session or a deletion in another terminal).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoRefused {
    /// A sync has published it: the other devices keep it whatever happens here, so taking it
    /// back here would part the collections for good (Anki's sync clears its undo queue too).
    Synced,
    /// The card has a later answer; only a card's latest answer can be undone.
    NotLatest,
    /// The row is no longer in the log (a merge moved it, or its note was deleted).
    Gone,
}

impl std::fmt::Display for UndoRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UndoRefused::Synced => {
                "that answer was already synced to your other devices, so it stays; the card's next answer changes its schedule"
            }
            UndoRefused::NotLatest => "only the latest answer of a card can be undone",
            UndoRefused::Gone => {
                "that answer is no longer in the log (another jargon moved or deleted it meanwhile), so it stays"
            }
        })
    }
}

impl Collection {
    /// Logs an answer and stores the card's new state in one transaction. Refuses when the
    /// card is no longer in `before` (another session answered it meanwhile).
    pub fn commit_answer(
        &mut self,
        review: &NewReview,
        before: &CardState,
        after: &CardState,
        suspend: bool,
    ) -> Result<i64> {
        let tx = self.conn_mut().transaction()?;
        let stored = {
            let sql = format!(
                "SELECT {} FROM cards c WHERE c.note_id = ?2 AND c.id = ?1",
                super::cards::CARD_COLUMNS
            );
            let mut stmt = tx.prepare_cached(&sql)?;
            stmt.query_row(
                params![review.card_id, crate::model::note_of_card(review.card_id)],
                |row| super::cards::card_from_row(row, 0),
            )
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => {
                    Error::failed(format!("there is no card {}", review.card_id))
                }
                other => other.into(),
            })?
        };
        if stored.state != *before {
            return Err(Error::failed(format!(
                "card {} was changed by another jargon session; its answer was not recorded",
                review.card_id
            )));
        }
        super::cards::materialize(&tx, review.card_id)?;
        let id = insert_review(&tx, review, before, after)?;
        if after != before {
            write_state(&tx, review.card_id, after)?;
        }
        if suspend {
            tx.execute(
                "UPDATE card_states SET suspended = 1 WHERE id = ?1",
                [review.card_id],
            )?;
            // A leech's suspension is a change made here at the answer: a sync publishes it
            // at that time, not its own.
            super::flag_times::stamp(
                &tx,
                review.card_id,
                super::flag_times::Flag::Suspend,
                review.reviewed_at_ms,
            )?;
        }
        tx.commit()?;
        Ok(id)
    }

    /// Every `scheduler_settings` row, for replaying the log.
    pub fn settings_table(&self) -> Result<SettingsTable> {
        read_settings_table(self.conn())
    }

    pub fn review(&self, review_id: i64) -> Result<ReviewRow> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE id = ?1");
        self.conn()
            .query_row(&sql, [review_id], review_from_row)
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => {
                    Error::failed(format!("there is no review {review_id}"))
                }
                other => other.into(),
            })
    }

    /// Takes an answer back: the card returns to the state logged before it and the row is
    /// deleted, in one transaction. Refused, changing nothing, when the answer is no longer
    /// this collection's alone to take back ([`UndoRefused`]): a sync has published it, the
    /// card has a later answer, or the row is gone.
    pub fn undo_review(
        &mut self,
        review_id: i64,
        unsuspend: bool,
    ) -> Result<std::result::Result<ReviewRow, UndoRefused>> {
        // Read inside the (immediate) transaction: a `jargon sync` in another terminal cannot
        // publish the row between this check and the deletion.
        let tx = self.conn_mut().transaction()?;
        let sql = format!("SELECT {REVIEW_COLUMNS}, gid FROM reviews WHERE id = ?1");
        let found = tx.query_row(&sql, [review_id], |r| {
            Ok((
                review_from_row(r)?,
                r.get::<_, Option<String>>(REVIEW_COLUMN_COUNT)?,
            ))
        });
        let (row, gid) = match found {
            Ok(found) => found,
            Err(rusqlite::Error::QueryReturnedNoRows) => return Ok(Err(UndoRefused::Gone)),
            Err(other) => return Err(other.into()),
        };
        if gid.is_some() {
            return Ok(Err(UndoRefused::Synced));
        }
        let latest: i64 = tx.query_row(
            "SELECT id FROM reviews WHERE card_id = ?1 ORDER BY id DESC LIMIT 1",
            [row.card_id],
            |r| r.get(0),
        )?;
        if latest != review_id {
            return Ok(Err(UndoRefused::NotLatest));
        }
        write_state(&tx, row.card_id, &row.before)?;
        tx.execute("DELETE FROM reviews WHERE id = ?1", [review_id])?;
        if let Some(settings_id) = row.settings_id {
            // The settings row goes too when this answer was its only user, so an undo leaves
            // the file as it was. Newest rows first: answers made with the same settings are
            // usually the latest, so the search stops at once.
            tx.execute(
                "DELETE FROM scheduler_settings WHERE id = ?1
                 AND NOT EXISTS (SELECT 1 FROM reviews WHERE settings_id = ?1 ORDER BY id DESC LIMIT 1)",
                [settings_id],
            )?;
        }
        if unsuspend {
            tx.execute(
                "UPDATE card_states SET suspended = 0 WHERE id = ?1",
                [row.card_id],
            )?;
            // The suspension's time goes with it; a card the folder knows no flag of is left
            // with no times, as before the answer.
            super::flag_times::restore(&tx, row.card_id, super::flag_times::Flag::Suspend, None)?;
            super::flag_times::forget_if_moot(&tx, row.card_id)?;
        }
        super::cards::prune(&tx, row.card_id)?;
        tx.commit()?;
        Ok(Ok(row))
    }

    /// A card's answers (grade, study day), oldest first: the scheduling and imported rows
    /// ([`ReviewKind::is_answer`]), as `replay::prepare` reads them.
    pub fn card_answers(&self, card_id: i64) -> Result<Vec<(Answer, DayNumber)>> {
        let sql = format!(
            "SELECT quality, day FROM reviews INDEXED BY reviews_card
             WHERE card_id = ?1 AND {} ORDER BY id",
            answer_kinds()
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([card_id], |row| {
            let quality: u8 = row.get(0)?;
            let quality =
                Quality::new(quality).map_err(|_| super::unreadable(0, "quality out of range"))?;
            Ok((Answer::from_quality(quality), row.get(1)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// A card's log in the order it was written (ids only grow; timestamps can go back when
    /// a clock is set back, so they do not order the log). Only tests read a log this way.
    #[cfg(test)]
    pub fn reviews_of_card(&self, card_id: i64) -> Result<Vec<ReviewRow>> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews WHERE card_id = ?1 ORDER BY id");
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([card_id], review_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Visits every review, grouped by card and oldest first within a card.
    pub fn for_each_review_by_card(
        &self,
        mut visit: impl FnMut(ReviewRow) -> Result<()>,
    ) -> Result<()> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM reviews ORDER BY card_id, id");
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            visit(review_from_row(row)?)?;
        }
        Ok(())
    }

    /// New cards introduced and reviews done on `day` (scheduling answers only).
    pub fn studied_on(&self, day: DayNumber) -> Result<(u32, u32)> {
        Ok(self.conn().query_row(
            "SELECT coalesce(sum(phase_before = 'new'), 0), coalesce(sum(phase_before != 'new'), 0)
             FROM reviews WHERE day = ?1 AND kind = 'schedule'",
            [day],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?)
    }

    /// The latest study day on or before `day` with an answer that counts as activity, or
    /// `None`. One seek in the `reviews(day, kind)` index (the statement is cached), so the
    /// current streak (`stats::current_streak`, which asks this once per day of the streak)
    /// stays fast however long the log is.
    pub fn latest_active_day(&self, day: DayNumber) -> Result<Option<DayNumber>> {
        let sql = format!(
            "SELECT max(day) FROM reviews WHERE day <= ?1 AND {}",
            activity_kinds()
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        Ok(stmt.query_row([day], |row| row.get(0))?)
    }

    /// Every card's stored state, for `check`.
    pub fn for_each_card(
        &self,
        mut visit: impl FnMut(crate::model::Card) -> Result<()>,
    ) -> Result<()> {
        let sql = format!(
            "SELECT {} FROM cards c ORDER BY c.id",
            super::cards::CARD_COLUMNS
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            visit(super::cards::card_from_row(row, 0)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A collection with one note (cards 64 and 65) and a stored state for card 64.
    fn collection() -> Collection {
        let collection = Collection::open_in_memory().unwrap();
        collection
            .conn()
            .execute_batch(
                "INSERT INTO decks (id, name, created_at) VALUES (1, 'One', 0);
                 INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                     VALUES (1, 1, 'a', 'A', 'a', 0, 0);
                 INSERT INTO card_states (id, note_id, phase, due_day, interval_days, repetitions)
                     VALUES (64, 1, 'review', 15, 5, 1);",
            )
            .unwrap();
        collection
    }

    fn log(collection: &Collection, day: DayNumber, kind: ReviewKind) {
        collection
            .conn()
            .execute(
                "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind,
                     scheduler, phase_before, interval_before, ease_before, reps_before,
                     lapses_before, step_before, phase_after, due_day_after, interval_after,
                     ease_after, reps_after, lapses_after, step_after)
                 VALUES (64, ?1 * 86400000, ?1, 4, 1000, ?2, 'sm2', 'review', 5, 2500, 1, 0, 0,
                         'review', 15, 5, 2500, 1, 0, 0)",
                params![day, kind.as_str()],
            )
            .unwrap();
    }

    #[test]
    fn the_sql_activity_list_is_the_rust_rule_for_every_kind() {
        let collection = collection();
        // One answer of each kind, each on its own day.
        for (index, kind) in ReviewKind::ALL.into_iter().enumerate() {
            log(&collection, 10 + 2 * index as i64, kind);
        }
        let expected: Vec<DayNumber> = ReviewKind::ALL
            .into_iter()
            .enumerate()
            .filter(|(_, kind)| kind.is_activity())
            .map(|(index, _)| 10 + 2 * index as i64)
            .collect();
        assert_eq!(collection.stats_active_days(None, 100).unwrap(), expected);
        assert_eq!(
            collection.stats_active_days(Some(&[1]), 100).unwrap(),
            expected
        );
        for (index, kind) in ReviewKind::ALL.into_iter().enumerate() {
            let day = 10 + 2 * index as i64;
            let answered = collection.stats_cards_answered_on(day).unwrap();
            assert_eq!(answered == vec![64], kind.is_activity(), "{kind:?}");
            let latest = collection.latest_active_day(day).unwrap();
            assert_eq!(latest == Some(day), kind.is_activity(), "{kind:?}");
        }
    }

    /// The latest active day up to each day is the last of the active days up to it, whatever
    /// cram answers lie between (what `stats::current_streak` walks back through).
    #[test]
    fn the_latest_active_day_is_the_last_active_day_up_to_it() {
        let cases: &[(&[DayNumber], DayNumber)] = &[
            (&[], 8),
            (&[8], 8),
            (&[6], 8),
            (&[1, 2, 5, 6, 7, 8], 8),
            (&[1, 2, 3, 4, 6, 7], 8),
            (&[5, 6, 9, 10], 7),
        ];
        for &(days, today) in cases {
            let collection = collection();
            for &day in days {
                log(&collection, day, ReviewKind::Schedule);
            }
            // Cram on every other day, including today and yesterday, changes nothing.
            for day in (today - 9..=today).filter(|day| !days.contains(day)) {
                log(&collection, day, ReviewKind::Cram);
            }
            for day in 0..=today + 3 {
                assert_eq!(
                    collection.latest_active_day(day).unwrap(),
                    days.iter().rev().find(|&&active| active <= day).copied(),
                    "{days:?} on {day}"
                );
            }
            let active: Vec<DayNumber> = days.iter().copied().filter(|&d| d <= today).collect();
            assert_eq!(
                collection.stats_active_days(None, today).unwrap(),
                active,
                "{days:?} on {today}"
            );
        }
    }
}
