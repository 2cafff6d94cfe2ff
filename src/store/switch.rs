//! The scheduler switch's reads and writes: stored cards with their logs, a batch at a time
//! in card order (so a million cards' histories are streamed, never held), and, in one
//! transaction, the new scheduler's name, the cards' new states and `reschedule` rows.

use rusqlite::Connection;

use super::Collection;
use super::cards::{due_of, memory_of};
use super::reviews::{
    NewReview, REVIEW_COLUMNS, SettingsTable, insert_review, read_settings_table, review_from_row,
};
use crate::error::Result;
use crate::records::export::ReviewRow;
use crate::scheduler::{CardState, Phase, SchedulerKind};

/// A stored card as the switch reads it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StoredCard {
    pub id: i64,
    pub state: CardState,
    pub suspended: bool,
}

/// A stored card and its whole log, oldest row first (log order is insertion order).
#[derive(Debug, Clone)]
pub struct CardLog {
    pub card: StoredCard,
    pub log: Vec<ReviewRow>,
}

/// `card_states` read directly, not through the `cards` view: every card the switch reads
/// has its row, and the view's join with `notes` cost a third of the card scan.
const STORED_CARD_COLUMNS: &str = "id, phase, due_day, due_at, interval_days, ease_permille, repetitions, lapses, step, \
     suspended, stability, difficulty";

fn stored_card_from_row(row: &rusqlite::Row) -> rusqlite::Result<StoredCard> {
    let phase: String = row.get(1)?;
    Ok(StoredCard {
        id: row.get(0)?,
        state: CardState {
            phase: Phase::parse(&phase)
                .ok_or_else(|| super::unreadable(1, format!("unexpected value '{phase}'")))?,
            due: due_of(row.get(2)?, row.get(3)?),
            interval_days: row.get(4)?,
            ease_permille: row.get(5)?,
            repetitions: row.get(6)?,
            lapses: row.get(7)?,
            step: row.get(8)?,
            memory: memory_of(row, 10)?,
        },
        suspended: row.get::<_, i64>(9)? != 0,
    })
}

/// What a switch writes for one card.
#[derive(Debug, Clone, PartialEq)]
pub enum SwitchWrite {
    /// The card's state under the new scheduler (its due date kept), replacing `stored`.
    State {
        card_id: i64,
        stored: CardState,
        state: CardState,
    },
    /// A moved due date: a `reschedule` row from `before` to `after`, and `after` stored.
    Reschedule {
        /// Boxed: a review carries every scheduler setting, four times a state's size.
        review: Box<NewReview>,
        before: CardState,
        after: CardState,
    },
}

/// Reads the stored cards with ids above `after`, at most `limit` of them, each with its
/// log, into `out` (cleared first). Cards are those with a row in `card_states`: a card
/// without one has no log and is new under every scheduler.
fn read_batch(conn: &Connection, after: i64, limit: usize, out: &mut Vec<CardLog>) -> Result<()> {
    out.clear();
    let sql =
        format!("SELECT {STORED_CARD_COLUMNS} FROM card_states WHERE id > ?1 ORDER BY id LIMIT ?2");
    let mut cards = conn.prepare_cached(&sql)?;
    let rows = cards.query_map(rusqlite::params![after, limit as i64], stored_card_from_row)?;
    for card in rows {
        out.push(CardLog {
            card: card?,
            log: Vec::new(),
        });
    }
    let (Some(first), Some(last)) = (out.first(), out.last()) else {
        return Ok(());
    };
    let (first, last) = (first.card.id, last.card.id);
    // The log of the batch's id range through `reviews_card`, sorted by card, then row id.
    let sql = format!(
        "SELECT {REVIEW_COLUMNS} FROM reviews WHERE card_id BETWEEN ?1 AND ?2 ORDER BY card_id, id"
    );
    let mut reviews = conn.prepare_cached(&sql)?;
    let rows = reviews.query_map([first, last], review_from_row)?;
    let mut index = 0;
    for row in rows {
        let row = row?;
        while index < out.len() && out[index].card.id < row.card_id {
            index += 1;
        }
        // Every review points at a stored card (a foreign key); one that does not is
        // `check`'s to report, not the switch's.
        if let Some(entry) = out.get_mut(index).filter(|e| e.card.id == row.card_id) {
            entry.log.push(row);
        }
    }
    Ok(())
}

/// Stores a card's converted state over `stored`. When its phase and due date stay, only the
/// other columns are set: naming `phase` or `due_day` would make SQLite rewrite the card's
/// entry in `card_states_due` and fire the trigger that keeps `notes.fresh`, a write to two
/// more places per card, for nothing.
fn write_converted(
    conn: &rusqlite::Transaction,
    card_id: i64,
    stored: &CardState,
    state: &CardState,
) -> Result<()> {
    if stored.phase != state.phase || stored.due != state.due {
        return super::reviews::write_state(conn, card_id, state);
    }
    let (stability, difficulty) = super::cards::memory_columns(state.memory);
    let changed = conn
        .prepare_cached(
            "UPDATE card_states SET interval_days = ?1, ease_permille = ?2, repetitions = ?3,
                 lapses = ?4, step = ?5, stability = ?6, difficulty = ?7 WHERE id = ?8",
        )?
        .execute(rusqlite::params![
            state.interval_days,
            state.ease_permille,
            state.repetitions,
            state.lapses,
            state.step,
            stability,
            difficulty,
            card_id
        ])?;
    if changed != 1 {
        return Err(crate::error::Error::failed(format!(
            "there is no card {card_id}"
        )));
    }
    Ok(())
}

/// The page cache while a switch writes, in KiB. A switch rewrites nearly every page of
/// `card_states` (and FSRS's memory columns make each row longer, so its pages split): with
/// an import's 16 MiB the cache spilled pages, each spill syncing the rollback journal first.
/// 64 MiB took a 1,000,000-card switch to fsrs from 9.3-10.3 s to 8.6-8.9 s (peak memory
/// 37 MB -> 90 MB); the cache is only filled as far as the switch touches pages.
const SWITCH_CACHE_KIB: i64 = 64 * 1024;

impl Collection {
    /// How many cards have a stored row (the switch's progress counts these).
    pub fn stored_card_count(&self) -> Result<u64> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM card_states", [], |row| row.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Calls `each` with every stored card and its log, a batch of at most `batch` cards at
    /// a time, in card order; reads only.
    pub fn for_each_card_log(
        &self,
        batch: usize,
        mut each: impl FnMut(&[CardLog]) -> Result<()>,
    ) -> Result<()> {
        let mut buffer = Vec::with_capacity(batch);
        let mut after = i64::MIN;
        loop {
            read_batch(self.conn(), after, batch.max(1), &mut buffer)?;
            let Some(last) = buffer.last() else {
                return Ok(());
            };
            after = last.card.id;
            each(&buffer)?;
        }
    }

    /// Switches the collection to `scheduler` in one transaction: stores its name, then hands
    /// `plan` the log's settings table and every stored card with its log, a batch at a time in card order, and writes
    /// what it returns. Everything or nothing: an error rolls it all back.
    pub fn switch_scheduler(
        &mut self,
        scheduler: SchedulerKind,
        batch: usize,
        mut plan: impl FnMut(&SettingsTable, &[CardLog], &mut Vec<SwitchWrite>) -> Result<()>,
    ) -> Result<()> {
        // A large switch is written as a large import is: a bounded page cache and, from
        // 10,000 cards, a rollback journal instead of the log (see `as_bulk_import`).
        let rows = usize::try_from(self.stored_card_count()?).unwrap_or(usize::MAX);
        self.as_bulk_import(rows, |collection| {
            collection.switch_in_transaction(scheduler, batch, &mut plan)
        })
    }

    fn switch_in_transaction(
        &mut self,
        scheduler: SchedulerKind,
        batch: usize,
        plan: &mut impl FnMut(&SettingsTable, &[CardLog], &mut Vec<SwitchWrite>) -> Result<()>,
    ) -> Result<()> {
        // After `as_bulk_import` set its own (see SWITCH_CACHE_KIB).
        self.conn()
            .pragma_update(None, "cache_size", -SWITCH_CACHE_KIB)?;
        let tx = self.conn_mut().transaction()?;
        let settings = read_settings_table(&tx)?;
        tx.execute(
            "INSERT INTO config (key, value) VALUES ('scheduler', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [scheduler.name()],
        )?;
        let mut buffer = Vec::with_capacity(batch);
        let mut writes = Vec::new();
        let mut after = i64::MIN;
        loop {
            read_batch(&tx, after, batch.max(1), &mut buffer)?;
            let Some(last) = buffer.last() else {
                break;
            };
            after = last.card.id;
            writes.clear();
            plan(&settings, &buffer, &mut writes)?;
            for write in &writes {
                match write {
                    SwitchWrite::State {
                        card_id,
                        stored,
                        state,
                    } => write_converted(&tx, *card_id, stored, state)?,
                    SwitchWrite::Reschedule {
                        review,
                        before,
                        after,
                    } => {
                        insert_review(&tx, review, before, after)?;
                        super::reviews::write_state(&tx, review.card_id, after)?;
                    }
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}
