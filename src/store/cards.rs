//! Cards: their scheduling state, the due queue, suspending and burying.

use rusqlite::{Row, params, params_from_iter};

use super::Collection;
use crate::clock::DayNumber;
use crate::error::{Error, Result};
use crate::model::{Card, Direction, Note};
use crate::scheduler::{CardState, Due, Phase};

pub(crate) const CARD_COLUMNS: &str = "c.id, c.note_id, c.direction, c.phase, c.due_day, c.due_at, c.interval_days, \
     c.ease_permille, c.repetitions, c.lapses, c.step, c.suspended, c.buried_day, c.position";

fn bad_value(column: usize, text: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unexpected value '{text}'").into(),
    )
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
    let direction: String = row.get(at + 2)?;
    let phase: String = row.get(at + 3)?;
    Ok(Card {
        id: row.get(at)?,
        note_id: row.get(at + 1)?,
        direction: Direction::parse(&direction).ok_or_else(|| bad_value(at + 2, &direction))?,
        state: CardState {
            phase: Phase::parse(&phase).ok_or_else(|| bad_value(at + 3, &phase))?,
            due: due_of(row.get(at + 4)?, row.get(at + 5)?),
            interval_days: row.get(at + 6)?,
            ease_permille: row.get(at + 7)?,
            repetitions: row.get(at + 8)?,
            lapses: row.get(at + 9)?,
            step: row.get(at + 10)?,
        },
        suspended: row.get::<_, i64>(at + 11)? != 0,
        buried_day: row.get(at + 12)?,
        position: row.get(at + 13)?,
    })
}

/// A card waiting in the queue, with what the session needs to order it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuedCard {
    pub card_id: i64,
    pub note_id: i64,
    pub phase: Phase,
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
            format!(
                " AND c.note_id IN (SELECT id FROM notes WHERE deck_id IN ({}))",
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
        phase: Phase::parse(&phase).ok_or_else(|| bad_value(2, &phase))?,
    })
}

impl Collection {
    pub fn card(&self, card_id: i64) -> Result<Card> {
        let sql = format!("SELECT {CARD_COLUMNS} FROM cards c WHERE c.id = ?1");
        self.conn()
            .query_row(&sql, [card_id], |row| card_from_row(row, 0))
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
        // so the review one walks `cards_due (phase, due_day)` in order and stops at the
        // limit instead of sorting every due card (tens of thousands in a large collection).
        let mut due = Vec::new();
        for phases in ["'learning', 'relearning'", "'review'"] {
            let left = query
                .due_limit
                .saturating_sub(u32::try_from(due.len()).unwrap_or(u32::MAX));
            if left == 0 {
                break;
            }
            let sql = format!(
                "SELECT c.id, c.note_id, c.phase FROM cards c
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
        let new_sql = format!(
            "SELECT c.id, c.note_id, c.phase FROM cards c
             WHERE c.phase = 'new' AND c.suspended = 0
               AND (c.buried_day IS NULL OR c.buried_day < ?1){decks}
             ORDER BY c.position, c.id LIMIT ?2"
        );
        let mut stmt = self.conn().prepare_cached(&new_sql)?;
        let new = stmt
            .query_map(params![query.today, query.new_limit], queued_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok((due, new))
    }

    /// Sets or clears the suspended flag; returns how many cards changed.
    pub fn set_suspended(&mut self, card_ids: &[i64], suspended: bool) -> Result<usize> {
        let tx = self.conn_mut().transaction()?;
        let mut changed = 0;
        {
            let mut stmt =
                tx.prepare("UPDATE cards SET suspended = ?1 WHERE id = ?2 AND suspended != ?1")?;
            for id in card_ids {
                changed += stmt.execute(params![i64::from(suspended), id])?;
            }
        }
        tx.commit()?;
        Ok(changed)
    }

    /// Hides a card until the next study day.
    pub fn bury(&self, card_id: i64, today: DayNumber) -> Result<()> {
        self.conn().execute(
            "UPDATE cards SET buried_day = ?1 WHERE id = ?2",
            params![today, card_id],
        )?;
        Ok(())
    }

    pub fn unbury(&self, card_id: i64) -> Result<()> {
        self.conn().execute(
            "UPDATE cards SET buried_day = NULL WHERE id = ?1",
            [card_id],
        )?;
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
            "SELECT min(due_day) FROM cards WHERE phase IN ('learning', 'relearning', 'review') AND suspended = 0 AND due_day > ?1",
            [today],
            |row| row.get(0),
        )?;
        match day {
            None => Ok(None),
            Some(day) => {
                let count = self.conn().query_row(
                    "SELECT count(*) FROM cards WHERE phase IN ('learning', 'relearning', 'review') AND suspended = 0 AND due_day = ?1",
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
            "SELECT count(*) FROM cards WHERE phase IN ('learning', 'relearning', 'review') AND suspended = 0 AND due_day = ?1",
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
