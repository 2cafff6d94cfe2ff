//! Cards: their scheduling state, the due queue, suspending and burying.
//!
//! A card is stored in `card_states` only once it leaves its untouched new state; the view
//! `cards` shows every card. [`materialize`] gives a card its row before any write to it, and
//! [`prune`] removes a row that is back to the untouched state with no answer logged, so an
//! undone first answer leaves the collection as it was.

use rusqlite::{Connection, Row, params, params_from_iter};

use super::Collection;
use super::flag_times::Flag;
use crate::clock::DayNumber;
use crate::error::{Error, Result};
use crate::model::{Card, Note, note_of_card, ord_of_card};
use crate::records::queue::QueuedCard;
use crate::scheduler::{CardState, Due, MemoryState, Phase};

pub(crate) const CARD_COLUMNS: &str = "c.id, c.note_id, c.ord, c.phase, c.due_day, c.due_at, c.interval_days, \
     c.ease_permille, c.repetitions, c.lapses, c.step, c.suspended, c.buried_day, c.position, \
     c.stability, c.difficulty";

/// How many columns [`CARD_COLUMNS`] names: a query's next column is at this offset.
pub(crate) const CARD_COLUMN_COUNT: usize = 16;

/// FSRS's memory state from its two columns at `at`: both NULL is none; one NULL, or a value
/// that is not a finite positive stability and finite difficulty, is unreadable.
pub(crate) fn memory_of(row: &Row, at: usize) -> rusqlite::Result<Option<MemoryState>> {
    let stability: Option<f64> = row.get(at)?;
    let difficulty: Option<f64> = row.get(at + 1)?;
    match (stability, difficulty) {
        (None, None) => Ok(None),
        (Some(stability), Some(difficulty)) => {
            // The columns hold what an f32 wrote: the narrowing is exact for them, and
            // anything else is refused just below.
            let memory = MemoryState {
                stability: stability as f32,
                difficulty: difficulty as f32,
            };
            if memory.is_usable()
                && f64::from(memory.stability) == stability
                && f64::from(memory.difficulty) == difficulty
            {
                Ok(Some(memory))
            } else {
                Err(super::unreadable(at, "an unusable FSRS memory state"))
            }
        }
        _ => Err(super::unreadable(at, "half an FSRS memory state")),
    }
}

/// The two memory columns' values for a state.
pub(crate) fn memory_columns(memory: Option<MemoryState>) -> (Option<f64>, Option<f64>) {
    match memory {
        Some(m) => (Some(f64::from(m.stability)), Some(f64::from(m.difficulty))),
        None => (None, None),
    }
}

pub(crate) fn due_of(due_day: Option<i64>, due_at: Option<i64>) -> Due {
    match (due_at, due_day) {
        (Some(at), _) => Due::At(at),
        (None, Some(day)) => Due::Day(day),
        (None, None) => Due::Unscheduled,
    }
}

pub(crate) fn due_columns(due: Due) -> (Option<i64>, Option<i64>) {
    match due {
        Due::Unscheduled => (None, None),
        Due::Day(day) => (Some(day), None),
        Due::At(at) => (None, Some(at)),
    }
}

/// Reads a card from `CARD_COLUMNS` starting at column `at`.
pub(crate) fn card_from_row(row: &Row, at: usize) -> rusqlite::Result<Card> {
    let ord: i64 = row.get(at + 2)?;
    let phase: String = row.get(at + 3)?;
    Ok(Card {
        id: row.get(at)?,
        note_id: row.get(at + 1)?,
        ord: u32::try_from(ord)
            .map_err(|_| super::unreadable(at + 2, format!("unexpected ordinal {ord}")))?,
        state: CardState {
            phase: Phase::parse(&phase).ok_or_else(|| {
                super::unreadable(at + 3, format!("unexpected value '{}'", phase))
            })?,
            due: due_of(row.get(at + 4)?, row.get(at + 5)?),
            interval_days: row.get(at + 6)?,
            ease_permille: row.get(at + 7)?,
            repetitions: row.get(at + 8)?,
            lapses: row.get(at + 9)?,
            step: row.get(at + 10)?,
            memory: memory_of(row, at + 14)?,
        },
        suspended: row.get::<_, i64>(at + 11)? != 0,
        buried_day: row.get(at + 12)?,
        position: row.get(at + 13)?,
    })
}

/// Gives a card its own row (a card without one is new and untouched), so that its state can
/// be written and its answers logged. Does nothing when it has one already.
pub(crate) fn materialize(conn: &Connection, card_id: i64) -> Result<()> {
    let (note, ord) = (note_of_card(card_id), ord_of_card(card_id));
    let exists: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM notes WHERE id = ?1 AND (cards >> ?2) & 1 = 1)",
        )?
        .query_row(params![note, ord], |row| row.get(0))?;
    if !exists {
        return Err(Error::failed(format!("there is no card {card_id}")));
    }
    conn.prepare_cached("INSERT OR IGNORE INTO card_states (id, note_id) VALUES (?1, ?2)")?
        .execute(params![card_id, note])?;
    Ok(())
}

/// Drops a card's row when it says nothing its note does not: the untouched new state, not
/// suspended or buried, and no answer in the log.
pub(crate) fn prune(conn: &Connection, card_id: i64) -> Result<()> {
    conn.prepare_cached(
        "DELETE FROM card_states
         WHERE id = ?1 AND phase = 'new' AND due_day IS NULL AND due_at IS NULL
           AND interval_days = 0 AND ease_permille = 2500 AND repetitions = 0 AND lapses = 0
           AND step = 0 AND suspended = 0 AND buried_day IS NULL AND stability IS NULL
           AND NOT EXISTS (SELECT 1 FROM reviews WHERE card_id = ?1)",
    )?
    .execute([card_id])?;
    Ok(())
}

/// What to look for when building a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueQuery {
    /// Only these decks (already expanded to sub-decks); all when `None`.
    pub deck_ids: Option<Vec<i64>>,
    pub today: DayNumber,
    pub due_limit: u32,
    pub new_limit: u32,
}

fn deck_clause(deck_ids: &Option<Vec<i64>>) -> String {
    match deck_ids {
        None => String::new(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            // One key lookup per card looked at: an `IN (SELECT ...)` list would first gather
            // every note of the decks, however few cards the queue needs.
            format!(
                " AND EXISTS (SELECT 1 FROM notes dn WHERE dn.id = c.note_id AND dn.deck_id IN ({}))",
                list.join(",")
            )
        }
    }
}

fn queued_from_row(row: &Row) -> rusqlite::Result<QueuedCard> {
    let phase: String = row.get(2)?;
    Ok(QueuedCard {
        card_id: row.get(0)?,
        note_id: row.get(1)?,
        phase: Phase::parse(&phase)
            .ok_or_else(|| super::unreadable(2, format!("unexpected value '{}'", phase)))?,
    })
}

impl Collection {
    pub fn card(&self, card_id: i64) -> Result<Card> {
        // Naming the note lets SQLite find the card through the note's key.
        let sql = format!("SELECT {CARD_COLUMNS} FROM cards c WHERE c.note_id = ?2 AND c.id = ?1");
        self.conn()
            .query_row(&sql, params![card_id, note_of_card(card_id)], |row| {
                card_from_row(row, 0)
            })
            .map_err(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => {
                    Error::failed(format!("there is no card {card_id}"))
                }
                other => other.into(),
            })
    }

    /// A card with its note and deck name.
    pub fn card_with_note(&self, card_id: i64) -> Result<(Card, Note)> {
        let card = self.card(card_id)?;
        let note = self.note(card.note_id)?;
        Ok((card, note))
    }

    pub fn cards_of_note(&self, note_id: i64) -> Result<Vec<Card>> {
        let sql = format!("SELECT {CARD_COLUMNS} FROM cards c WHERE c.note_id = ?1 ORDER BY c.id");
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map([note_id], |row| card_from_row(row, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Cards due today or earlier (learning first, then the most overdue), and new cards in
    /// their introduction order, neither suspended nor buried.
    pub fn queue_candidates(
        &self,
        query: &QueueQuery,
    ) -> Result<(Vec<QueuedCard>, Vec<QueuedCard>)> {
        let decks = deck_clause(&query.deck_ids);
        // Learning cards first, then reviews, most overdue first. Each phase is its own query
        // so the review one walks `card_states_due (phase, due_day)` in order and stops at the
        // limit instead of sorting every due card (tens of thousands in a large collection).
        // Cards in these phases always have a row.
        let mut due = Vec::new();
        for phases in ["'learning', 'relearning'", "'review'"] {
            let left = query
                .due_limit
                .saturating_sub(u32::try_from(due.len()).unwrap_or(u32::MAX));
            if left == 0 {
                break;
            }
            let sql = format!(
                "SELECT c.id, c.note_id, c.phase FROM card_states c
                 WHERE c.phase IN ({phases}) AND c.due_day <= ?1
                   AND c.suspended = 0 AND (c.buried_day IS NULL OR c.buried_day < ?1){decks}
                 ORDER BY c.due_day, c.id LIMIT ?2"
            );
            let mut stmt = self.conn().prepare_cached(&sql)?;
            let rows = stmt.query_map(params![query.today, left], queued_from_row)?;
            for row in rows {
                due.push(row?);
            }
        }
        // New cards in note order, walking the partial index of notes with a new card; a card
        // row is only looked at to skip a suspended or buried one. A card whose sibling (the
        // note's other direction) is due today, or was answered today in any session, waits
        // for another day (answers that count are those the statistics count as activity).
        // Leaving them out here rather than in the session keeps them from using up the
        // limit, since a day's reviews put their notes at the head of this walk; each costs
        // a key lookup and a seek into `reviews_card` (named: SQLite would rather walk all of
        // today's answers in `reviews_day` for every candidate), and the walk still stops at
        // the limit.
        let new_decks = match &query.deck_ids {
            None => String::new(),
            Some(ids) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                format!(" AND n.deck_id IN ({})", list.join(","))
            }
        };
        let activity = super::reviews::activity_kinds();
        let new_sql = format!(
            "SELECT n.id * 64 + d.ord, n.id, 'new' FROM notes n INDEXED BY notes_fresh
             JOIN card_ords d ON d.ord < n.card_span
             WHERE n.fresh != 0 AND (n.fresh >> d.ord) & 1 = 1{new_decks}
               AND NOT EXISTS (SELECT 1 FROM card_states s WHERE s.id = n.id * 64 + d.ord
                               AND (s.suspended = 1 OR s.buried_day >= ?1))
               AND NOT EXISTS (SELECT 1 FROM card_states o
                               WHERE o.id >= n.id * 64 AND o.id < n.id * 64 + 64
                               AND o.id != n.id * 64 + d.ord
                               AND o.phase != 'new' AND o.due_day <= ?1 AND o.suspended = 0
                               AND (o.buried_day IS NULL OR o.buried_day < ?1))
               AND NOT EXISTS (SELECT 1 FROM reviews r INDEXED BY reviews_card
                               WHERE r.card_id >= n.id * 64 AND r.card_id < n.id * 64 + 64
                               AND r.card_id != n.id * 64 + d.ord
                               AND r.day = ?1 AND r.{activity})
             ORDER BY n.id, d.ord LIMIT ?2"
        );
        let mut stmt = self.conn().prepare_cached(&new_sql)?;
        let new = stmt
            .query_map(params![query.today, query.new_limit], queued_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((due, new))
    }

    /// Cards on an intraday learning step (`due_at`) due before `until` (unix seconds: the
    /// end of the study day), neither suspended nor buried, soonest first, with their
    /// instants. Learning cards are few, so walking the `learning`/`relearning` part of
    /// `card_states_due` (their `due_day` is null) is cheap.
    pub fn learning_candidates(
        &self,
        deck_ids: Option<&[i64]>,
        today: DayNumber,
        until: i64,
    ) -> Result<Vec<(i64, QueuedCard)>> {
        let decks = deck_clause(&deck_ids.map(<[i64]>::to_vec));
        let sql = format!(
            "SELECT c.id, c.note_id, c.phase, c.due_at FROM card_states c
             WHERE c.phase IN ('learning', 'relearning') AND c.due_day IS NULL
               AND c.due_at < ?2
               AND c.suspended = 0 AND (c.buried_day IS NULL OR c.buried_day < ?1){decks}
             ORDER BY c.due_at, c.id"
        );
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params![today, until], |row| {
            Ok((row.get(3)?, queued_from_row(row)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Cards on an intraday learning step due in `[from, until)` (unix seconds), not
    /// suspended or buried, per deck: (deck id, how many, the soonest instant).
    pub fn learning_due_by_deck(
        &self,
        today: DayNumber,
        from: i64,
        until: i64,
    ) -> Result<Vec<(i64, i64, i64)>> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT n.deck_id, count(*), min(c.due_at) FROM card_states c
             JOIN notes n ON n.id = c.note_id
             WHERE c.phase IN ('learning', 'relearning') AND c.due_day IS NULL
               AND c.due_at >= ?1 AND c.due_at < ?2 AND c.suspended = 0
               AND (c.buried_day IS NULL OR c.buried_day < ?3)
             GROUP BY n.deck_id ORDER BY n.deck_id",
        )?;
        let rows = stmt.query_map(params![from, until, today], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets or clears the suspended flag, changed at `changed_ms` (this machine's clock, the
    /// time a sync publishes the change with); returns how many cards changed.
    pub fn set_suspended(
        &mut self,
        card_ids: &[i64],
        suspended: bool,
        changed_ms: i64,
    ) -> Result<usize> {
        let tx = self.conn_mut().transaction()?;
        let mut changed = 0;
        {
            let mut stmt = tx.prepare(
                "UPDATE card_states SET suspended = ?1 WHERE id = ?2 AND suspended != ?1",
            )?;
            for id in card_ids {
                if suspended {
                    materialize(&tx, *id)?;
                }
                let updated = stmt.execute(params![i64::from(suspended), id])?;
                if updated > 0 {
                    super::flag_times::stamp(&tx, *id, Flag::Suspend, changed_ms)?;
                }
                changed += updated;
                if !suspended {
                    prune(&tx, *id)?;
                    super::flag_times::forget_if_moot(&tx, *id)?;
                }
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Hides a card until the next study day; buried at `changed_ms`.
    pub fn bury(&mut self, card_id: i64, today: DayNumber, changed_ms: i64) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        materialize(&tx, card_id)?;
        tx.execute(
            "UPDATE card_states SET buried_day = ?1 WHERE id = ?2",
            params![today, card_id],
        )?;
        super::flag_times::stamp(&tx, card_id, Flag::Bury, changed_ms)?;
        tx.commit()?;
        Ok(())
    }

    /// Takes back a burial: the card's burial day becomes `previous` again (none, or an
    /// older day) and its change time `previous_ms` ([`Collection::flag_time`] before the
    /// burial), and a card back in its untouched state loses its row: the file is as before.
    pub fn unbury(
        &mut self,
        card_id: i64,
        previous: Option<DayNumber>,
        previous_ms: Option<i64>,
    ) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "UPDATE card_states SET buried_day = ?2 WHERE id = ?1",
            params![card_id, previous],
        )?;
        super::flag_times::restore(&tx, card_id, Flag::Bury, previous_ms)?;
        prune(&tx, card_id)?;
        tx.commit()?;
        Ok(())
    }

    /// Takes back a suspension: the card is unsuspended with its change time `previous_ms`
    /// again ([`Collection::flag_time`] before the suspension); the file is as before.
    pub fn unsuspend_to(&mut self, card_id: i64, previous_ms: Option<i64>) -> Result<()> {
        let tx = self.conn_mut().transaction()?;
        tx.execute(
            "UPDATE card_states SET suspended = 0 WHERE id = ?1",
            [card_id],
        )?;
        super::flag_times::restore(&tx, card_id, Flag::Suspend, previous_ms)?;
        prune(&tx, card_id)?;
        tx.commit()?;
        Ok(())
    }

    /// Card ids of the given notes (both directions).
    pub fn card_ids_of_notes(&self, note_ids: &[i64]) -> Result<Vec<i64>> {
        if note_ids.is_empty() {
            return Ok(vec![]);
        }
        let marks = vec!["?"; note_ids.len()].join(",");
        let sql = format!("SELECT id FROM cards WHERE note_id IN ({marks}) ORDER BY id");
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(note_ids), |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The earliest study day after `today` on which some card falls due, and how many.
    pub fn next_due_after(&self, today: DayNumber) -> Result<Option<(DayNumber, i64)>> {
        let day: Option<i64> = self.conn().query_row(
            "SELECT min(due_day) FROM card_states WHERE phase IN ('learning', 'relearning', 'review') AND suspended = 0 AND due_day > ?1",
            [today],
            |row| row.get(0),
        )?;
        match day {
            None => Ok(None),
            Some(day) => {
                let count = self.conn().query_row(
                    "SELECT count(*) FROM card_states WHERE phase IN ('learning', 'relearning', 'review') AND suspended = 0 AND due_day = ?1",
                    [day],
                    |row| row.get(0),
                )?;
                Ok(Some((day, count)))
            }
        }
    }

    /// How many cards fall due on exactly this day.
    pub fn due_on(&self, day: DayNumber) -> Result<i64> {
        Ok(self.conn().query_row(
            "SELECT count(*) FROM card_states WHERE phase IN ('learning', 'relearning', 'review') AND suspended = 0 AND due_day = ?1",
            [day],
            |row| row.get(0),
        )?)
    }
}

impl Collection {
    /// Cards for a cram session: every unsuspended card that is not new, soonest due first,
    /// whether or not it is due.
    pub fn cram_candidates(
        &self,
        deck_ids: Option<&[i64]>,
        today: DayNumber,
        limit: u32,
    ) -> Result<Vec<QueuedCard>> {
        let decks = deck_clause(&deck_ids.map(<[i64]>::to_vec));
        let sql = format!(
            "SELECT c.id, c.note_id, c.phase FROM cards c
             WHERE c.suspended = 0 AND (c.buried_day IS NULL OR c.buried_day < ?1){decks}
             ORDER BY c.phase = 'new', c.due_day, c.position, c.id LIMIT ?2"
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params![today, limit], queued_from_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decks 1 and 2 with three notes each: ids 1-3 in deck 1, 4-6 in deck 2.
    fn collection() -> Collection {
        let collection = Collection::open_in_memory().unwrap();
        collection
            .conn()
            .execute_batch(
                "INSERT INTO decks (id, name, created_at) VALUES (1, 'One', 0), (2, 'Two', 0);
                 INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at) VALUES
                     (1, 1, 'a', 'A', 'a', 0, 0), (2, 1, 'b', 'B', 'b', 0, 0), (3, 1, 'c', 'C', 'c', 0, 0),
                     (4, 2, 'd', 'D', 'd', 0, 0), (5, 2, 'e', 'E', 'e', 0, 0), (6, 2, 'f', 'F', 'f', 0, 0);",
            )
            .unwrap();
        collection
    }

    fn new_ids(collection: &Collection, deck_ids: Option<Vec<i64>>, today: i64) -> Vec<i64> {
        let query = QueueQuery {
            deck_ids,
            today,
            due_limit: 100,
            new_limit: 5,
        };
        let (_, new) = collection.queue_candidates(&query).unwrap();
        new.iter().map(|c| c.card_id).collect()
    }

    /// Card `ord` of note `note`.
    fn c(note: i64, ord: i64) -> i64 {
        note * 64 + ord
    }

    fn ids(pairs: &[(i64, i64)]) -> Vec<i64> {
        pairs.iter().map(|&(n, o)| c(n, o)).collect()
    }

    fn stored_rows(collection: &Collection) -> i64 {
        collection
            .conn()
            .query_row("SELECT count(*) FROM card_states", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn new_cards_come_in_note_order_without_suspended_buried_or_started_ones() {
        let mut collection = collection();
        assert_eq!(
            new_ids(&collection, None, 10),
            ids(&[(1, 0), (1, 1), (2, 0), (2, 1), (3, 0)])
        );
        assert_eq!(stored_rows(&collection), 0, "no card has a row yet");
        collection.set_suspended(&[c(1, 1)], true, 0).unwrap();
        collection.bury(c(2, 0), 10, 0).unwrap();
        let tx = collection.conn_mut().transaction().unwrap();
        let learning = CardState {
            phase: Phase::Learning,
            due: Due::Day(10),
            ..CardState::new_card()
        };
        crate::store::reviews::write_state(&tx, c(1, 0), &learning).unwrap();
        tx.commit().unwrap();
        assert_eq!(
            new_ids(&collection, None, 10),
            ids(&[(2, 1), (3, 0), (3, 1), (4, 0), (4, 1)])
        );
        assert_eq!(
            new_ids(&collection, None, 11),
            ids(&[(2, 0), (2, 1), (3, 0), (3, 1), (4, 0)]),
            "a burial lasts one day"
        );
        assert_eq!(
            new_ids(&collection, Some(vec![2]), 10),
            ids(&[(4, 0), (4, 1), (5, 0), (5, 1), (6, 0)])
        );
        let card = collection.card(c(1, 0)).unwrap();
        assert_eq!(card.state.phase, Phase::Learning);
        assert_eq!(
            collection.card(c(2, 1)).unwrap().state,
            CardState::new_card()
        );
        assert!(collection.card(c(7, 0)).is_err(), "note 7 does not exist");
        assert!(
            collection.card(c(1, 2)).is_err(),
            "note 1 has no third card"
        );
    }

    #[test]
    fn a_new_card_waits_while_its_sibling_is_due_or_was_answered_today() {
        let collection = collection();
        // Note 1: forward answered on day 10 (due day 15). Note 2: forward due on day 10.
        // Note 3: reverse crammed on day 10 (cram does not count).
        collection
            .conn()
            .execute_batch(
                "INSERT INTO card_states (id, note_id, phase, due_day, interval_days, repetitions)
                     VALUES (64, 1, 'review', 15, 5, 1), (128, 2, 'review', 10, 1, 1),
                            (193, 3, 'review', 20, 5, 2);
                 INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind,
                     scheduler, phase_before, interval_before, ease_before, reps_before,
                     lapses_before, step_before, phase_after, due_day_after, interval_after,
                     ease_after, reps_after, lapses_after, step_after)
                 VALUES (64, 0, 10, 4, 0, 'schedule', 'sm2', 'new', 0, 2500, 0, 0, 0,
                         'review', 15, 5, 2500, 1, 0, 0),
                        (193, 0, 10, 4, 0, 'cram', 'sm2', 'review', 5, 2500, 2, 0, 0,
                         'review', 20, 5, 2500, 2, 0, 0);",
            )
            .unwrap();
        assert_eq!(new_ids(&collection, Some(vec![1]), 10), vec![c(3, 0)]);
        assert_eq!(
            new_ids(&collection, Some(vec![1]), 11),
            vec![c(1, 1), c(3, 0)]
        );
        assert_eq!(new_ids(&collection, Some(vec![1]), 15), vec![c(3, 0)]);
    }

    #[test]
    fn undoing_a_suspension_or_burial_of_an_untouched_card_leaves_no_row() {
        let mut collection = collection();
        assert_eq!(
            collection
                .set_suspended(&[c(2, 1), c(3, 0)], true, 0)
                .unwrap(),
            2
        );
        assert!(collection.card(c(2, 1)).unwrap().suspended);
        assert_eq!(stored_rows(&collection), 2);
        assert_eq!(
            collection
                .set_suspended(&[c(2, 1), c(3, 0)], false, 0)
                .unwrap(),
            2
        );
        assert_eq!(stored_rows(&collection), 0);
        collection.bury(c(3, 1), 3, 0).unwrap();
        assert_eq!(collection.card(c(3, 1)).unwrap().buried_day, Some(3));
        collection.unbury(c(3, 1), None, None).unwrap();
        assert_eq!(stored_rows(&collection), 0);
        assert!(
            collection.set_suspended(&[c(20, 0)], true, 0).is_err(),
            "there is no note 20"
        );
        assert!(
            collection.set_suspended(&[c(2, 5)], true, 0).is_err(),
            "note 2 has no card 5"
        );
    }
}

#[cfg(test)]
mod cost {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;

    /// `notes` notes in one deck, the first 100 with a card in review.
    fn collection(notes: i64) -> Collection {
        let collection = Collection::open_in_memory().unwrap();
        collection
            .conn()
            .execute_batch(&format!(
                "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0);
                 INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                     WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < {notes})
                     SELECT n, 1, 'k' || n, 't' || n, 'd' || n, 0, 0 FROM s;
                 INSERT INTO card_states (id, note_id, phase, due_day, interval_days, repetitions)
                     SELECT id * 64 + 1, id, 'review', 5, 1, 2 FROM notes WHERE id <= 100;"
            ))
            .unwrap();
        collection
    }

    /// Thousands of SQLite virtual-machine steps `work` takes: a measure that, unlike time,
    /// does not depend on the machine.
    fn steps(collection: &Collection, work: impl FnOnce(&Collection)) -> u64 {
        let steps = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&steps);
        collection.conn().progress_handler(
            1000,
            Some(move || {
                counter.fetch_add(1, Ordering::Relaxed);
                false
            }),
        );
        work(collection);
        collection
            .conn()
            .progress_handler(1000, None::<fn() -> bool>);
        steps.load(Ordering::Relaxed)
    }

    fn session_start(collection: &Collection) {
        for id in [65, 128, 75 * 64 + 1, 99 * 64 + 1] {
            let card = collection.card(id).unwrap();
            assert_eq!(card.id, id);
            assert_eq!(collection.cards_of_note(id / 64).unwrap().len(), 2);
        }
        let query = QueueQuery {
            deck_ids: Some(vec![1]),
            today: 10,
            due_limit: 200,
            new_limit: 20,
        };
        for _ in 0..20 {
            let (due, new) = collection.queue_candidates(&query).unwrap();
            assert_eq!((due.len(), new.len()), (100, 20));
        }
    }

    #[test]
    fn the_new_card_queue_does_not_walk_todays_answers() {
        let quiet = collection(1_000);
        let busy = collection(1_000);
        // 5,000 answers today (day 10) on the 100 review cards.
        busy.conn()
            .execute_batch(
                "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind,
                     scheduler, phase_before, interval_before, ease_before, reps_before,
                     lapses_before, step_before, phase_after, due_day_after, interval_after,
                     ease_after, reps_after, lapses_after, step_after)
                 WITH RECURSIVE s(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM s WHERE n < 4999)
                 SELECT (n % 100 + 1) * 64 + 1, n, 10, 4, 0, 'drill', 'sm2', 'review', 1, 2500,
                        2, 0, 0, 'review', 5, 1, 2500, 2, 0, 0 FROM s;",
            )
            .unwrap();
        let quiet_steps = steps(&quiet, session_start);
        let busy_steps = steps(&busy, session_start);
        assert!(
            busy_steps <= quiet_steps + 5,
            "{busy_steps} thousand steps with 5,000 answers today against {quiet_steps} with none"
        );
    }

    #[test]
    fn finding_cards_and_the_queue_does_not_walk_every_note() {
        let small = steps(&collection(1_000), session_start);
        let large = steps(&collection(50_000), session_start);
        assert!(
            large <= small + 5,
            "{large} thousand steps with 50,000 notes against {small} with 1,000"
        );
    }
}
