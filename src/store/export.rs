//! Reading what an export writes: notes with their decks and dates, cards, and the review log
//! with the note each row belongs to.

use rusqlite::params_from_iter;

use super::Collection;
use super::reviews::{REVIEW_COLUMNS, ReviewRow, review_from_row};
use crate::error::Result;
use crate::model::{Card, Direction, Note};

/// A note with its dates (unix seconds), as exports write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportNote {
    pub note: Note,
    pub created_at: i64,
    pub modified_at: i64,
}

/// A review with the note it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportReview {
    pub review: ReviewRow,
    pub note_key: String,
    pub deck: String,
    pub direction: Direction,
}

/// A deck with its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDeck {
    pub id: i64,
    pub name: String,
    pub description: String,
}

fn deck_filter(column: &str, deck_ids: Option<&[i64]>) -> String {
    match deck_ids {
        None => String::new(),
        Some(ids) => {
            let list: Vec<String> = ids.iter().map(i64::to_string).collect();
            format!(" AND {column} IN ({})", list.join(","))
        }
    }
}

impl Collection {
    /// The decks (all, or these), by name.
    pub fn export_decks(&self, deck_ids: Option<&[i64]>) -> Result<Vec<ExportDeck>> {
        let sql = format!(
            "SELECT id, name, description FROM decks WHERE 1 = 1{} ORDER BY name",
            deck_filter("id", deck_ids)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |r| {
            Ok(ExportDeck {
                id: r.get(0)?,
                name: r.get(1)?,
                description: r.get(2)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The notes of these decks (or all), by deck name and then in the order they were added.
    pub fn export_notes(&self, deck_ids: Option<&[i64]>) -> Result<Vec<ExportNote>> {
        let sql = format!(
            "SELECT {}, n.created_at, n.modified_at FROM notes n JOIN decks d ON d.id = n.deck_id
             WHERE 1 = 1{} ORDER BY d.name, n.id",
            super::notes::NOTE_COLUMNS,
            deck_filter("n.deck_id", deck_ids)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |row| {
            Ok(ExportNote {
                note: super::notes::note_from_row(row, 0)?,
                created_at: row.get(12)?,
                modified_at: row.get(13)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The cards of these decks' notes (or all), by note.
    pub fn export_cards(&self, deck_ids: Option<&[i64]>) -> Result<Vec<Card>> {
        let sql = format!(
            "SELECT {} FROM cards c JOIN notes n ON n.id = c.note_id WHERE 1 = 1{} ORDER BY c.note_id, c.direction",
            super::cards::CARD_COLUMNS,
            deck_filter("n.deck_id", deck_ids)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |row| super::cards::card_from_row(row, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Visits the review log of these decks (or all) in time order, without `cram` rows
    /// unless asked for.
    pub fn export_reviews(
        &self,
        deck_ids: Option<&[i64]>,
        include_cram: bool,
        mut visit: impl FnMut(ExportReview) -> Result<()>,
    ) -> Result<()> {
        let mut kinds = vec!["schedule", "drill", "import"];
        if include_cram {
            kinds.push("cram");
        }
        let marks = vec!["?"; kinds.len()].join(", ");
        let sql = format!(
            "SELECT {REVIEW_COLUMNS}, note_key, deck, direction FROM (
                 SELECT r.*, n.key AS note_key, d.name AS deck, c.direction AS direction
                 FROM reviews r JOIN cards c ON c.id = r.card_id JOIN notes n ON n.id = c.note_id
                 JOIN decks d ON d.id = n.deck_id
                 WHERE r.kind IN ({marks}){}
             ) ORDER BY reviewed_at, id",
            deck_filter("n.deck_id", deck_ids)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(kinds))?;
        while let Some(row) = rows.next()? {
            let direction: String = row.get(28)?;
            visit(ExportReview {
                review: review_from_row(row)?,
                note_key: row.get(26)?,
                deck: row.get(27)?,
                direction: Direction::parse(&direction).unwrap_or(Direction::Forward),
            })?;
        }
        Ok(())
    }
}
