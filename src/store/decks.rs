//! Decks: names, sub-decks and per-deck counts.

use rusqlite::params;

use super::Collection;
use crate::clock::DayNumber;
use crate::error::{Error, Result};

/// Counts for one deck, as `jargon decks` and the status line show them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeckSummary {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub notes: i64,
    pub cards: i64,
    pub new: i64,
    pub learning_due: i64,
    pub review_due: i64,
    pub suspended: i64,
}

impl Collection {
    pub fn deck_id(&self, name: &str) -> Result<Option<i64>> {
        match self
            .conn()
            .query_row("SELECT id FROM decks WHERE name = ?1", [name], |r| r.get(0))
        {
            Ok(id) => Ok(Some(id)),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The deck called `name` and its sub-decks (`name::...`); an error naming the known decks
    /// when there is none.
    pub fn deck_ids_under(&self, name: &str) -> Result<Vec<i64>> {
        let mut stmt = self.conn().prepare(
            "SELECT id FROM decks WHERE lower(name) = lower(?1) OR lower(name) LIKE lower(?2) || '::%' ESCAPE '\\' ORDER BY id",
        )?;
        let escaped = name
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let ids = stmt
            .query_map(params![name, escaped], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        if ids.is_empty() {
            let names: Vec<String> = self
                .deck_summaries(0)?
                .into_iter()
                .map(|d| d.name)
                .collect();
            return Err(Error::usage(format!(
                "there is no deck '{name}' (decks: {})",
                if names.is_empty() {
                    "none yet".to_string()
                } else {
                    names.join(", ")
                }
            )));
        }
        Ok(ids)
    }

    /// Every deck with its counts on study day `today`.
    pub fn deck_summaries(&self, today: DayNumber) -> Result<Vec<DeckSummary>> {
        // Counted from the notes (their `cards` bits) and the stored card rows: a card without a
        // row is new, not suspended and not due. The view `cards` would be materialised here.
        let sql = format!(
            "SELECT d.id, d.name, d.description,
                    coalesce(n.notes, 0),
                    coalesce(n.cards, 0),
                    coalesce(n.cards, 0) - coalesce(s.not_new, 0),
                    coalesce(s.learning_due, 0),
                    coalesce(s.review_due, 0),
                    coalesce(s.suspended, 0)
             FROM decks d
             LEFT JOIN (SELECT deck_id, count(*) AS notes, sum({}) AS cards
                        FROM notes n GROUP BY deck_id) n
                    ON n.deck_id = d.id
             LEFT JOIN (SELECT o.deck_id,
                               sum(NOT (c.phase = 'new' AND c.suspended = 0)) AS not_new,
                               sum(c.phase IN ('learning', 'relearning') AND c.suspended = 0 AND c.due_day <= ?1
                                   AND (c.buried_day IS NULL OR c.buried_day < ?1)) AS learning_due,
                               sum(c.phase = 'review' AND c.suspended = 0 AND c.due_day <= ?1
                                   AND (c.buried_day IS NULL OR c.buried_day < ?1)) AS review_due,
                               sum(c.suspended) AS suspended
                        FROM card_states c JOIN notes o ON o.id = c.note_id
                        GROUP BY o.deck_id) s
                    ON s.deck_id = d.id
             ORDER BY d.name",
            super::notes::CARD_COUNT_SQL
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map(params![today], |row| {
            Ok(DeckSummary {
                id: row.get(0)?,
                name: row.get(1)?,
                description: row.get(2)?,
                notes: row.get(3)?,
                cards: row.get(4)?,
                new: row.get(5)?,
                learning_due: row.get(6)?,
                review_due: row.get(7)?,
                suspended: row.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
