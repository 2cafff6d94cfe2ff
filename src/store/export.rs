//! Reading what an export writes: the decks it selects, notes with their decks and dates,
//! cards, and the review log with the note each row belongs to.

use rusqlite::params_from_iter;

use super::Collection;
use super::reviews::{REVIEW_COLUMN_COUNT, REVIEW_COLUMNS, review_from_row};
use crate::error::Result;
use crate::model::Card;
use crate::records::export::{ExportDeck, ExportNote, ExportReview};

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
    /// The decks an export takes: each deck in `names` with its sub-decks (every deck when
    /// `names` is empty), less the decks named exactly in `excluded`; each deck once, by id.
    /// `None` (every deck) when nothing is named or excluded. An unknown name is refused,
    /// naming it, before anything is read.
    pub fn export_selection(
        &self,
        names: &[String],
        excluded: &[String],
    ) -> Result<Option<Vec<i64>>> {
        if names.is_empty() && excluded.is_empty() {
            return Ok(None);
        }
        let mut ids = vec![];
        if names.is_empty() {
            let mut stmt = self.conn().prepare("SELECT id FROM decks")?;
            let rows = stmt.query_map([], |r| r.get::<_, i64>(0))?;
            ids = rows.collect::<rusqlite::Result<_>>()?;
        }
        for name in names {
            ids.extend(self.deck_ids_under(name)?);
        }
        if !excluded.is_empty() {
            let marks = vec!["?"; excluded.len()].join(", ");
            let mut stmt = self
                .conn()
                .prepare(&format!("SELECT id FROM decks WHERE name IN ({marks})"))?;
            let rows = stmt.query_map(params_from_iter(excluded), |r| r.get::<_, i64>(0))?;
            let left_out = rows.collect::<rusqlite::Result<Vec<i64>>>()?;
            ids.retain(|id| !left_out.contains(id));
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(Some(ids))
    }

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
                created_at: row.get(super::notes::NOTE_COLUMN_COUNT)?,
                modified_at: row.get(super::notes::NOTE_COLUMN_COUNT + 1)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The cards of these decks' notes (or all), by note.
    pub fn export_cards(&self, deck_ids: Option<&[i64]>) -> Result<Vec<Card>> {
        let sql = format!(
            "SELECT {} FROM cards c JOIN notes n ON n.id = c.note_id WHERE 1 = 1{} ORDER BY c.note_id, c.ord",
            super::cards::CARD_COLUMNS,
            deck_filter("n.deck_id", deck_ids)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let rows = stmt.query_map([], |row| super::cards::card_from_row(row, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Visits the review log of these decks (or all) in time order, without `cram` rows
    /// unless asked for. A card's note and ordinal follow from its id (note * 64 + ord);
    /// joining the view `cards` on the id instead would scan every note for every row.
    pub fn export_reviews(
        &self,
        deck_ids: Option<&[i64]>,
        include_cram: bool,
        mut visit: impl FnMut(ExportReview) -> Result<()>,
    ) -> Result<()> {
        let mut kinds = vec!["schedule", "drill", "import", "reschedule"];
        if include_cram {
            kinds.push("cram");
        }
        let marks = vec!["?"; kinds.len()].join(", ");
        let sql = format!(
            "SELECT {REVIEW_COLUMNS}, note_key, deck, template FROM (
                 SELECT r.*, n.key AS note_key, d.name AS deck, {} AS template
                 FROM reviews r JOIN notes n ON n.id = r.card_id / 64
                 JOIN notetypes t ON t.id = n.notetype_id
                 JOIN decks d ON d.id = n.deck_id
                 WHERE r.kind IN ({marks}){}
             ) ORDER BY reviewed_at, id",
            super::notes::template_name_sql("r.card_id % 64"),
            deck_filter("n.deck_id", deck_ids)
        );
        let mut stmt = self.conn().prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(kinds))?;
        while let Some(row) = rows.next()? {
            visit(ExportReview {
                review: review_from_row(row)?,
                note_key: row.get(REVIEW_COLUMN_COUNT)?,
                deck: row.get(REVIEW_COLUMN_COUNT + 1)?,
                template: row.get(REVIEW_COLUMN_COUNT + 2)?,
            })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU64, Ordering};

    use crate::store::Collection;

    /// A collection with `notes` notes, the forward card of the first 500 answered twice each.
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
                     SELECT id * 64, id, 'review', 10, 1, 2 FROM notes WHERE id <= 500;
                 INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                     phase_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                     phase_after, due_day_after, interval_after, ease_after, reps_after, lapses_after, step_after)
                     SELECT c.id, k * 1000, k, 4, 1000, 'schedule', 'sm2', 'new', 0, 2500, 0, 0, 0,
                            'review', 10, 1, 2500, 1, 0, 0
                     FROM card_states c, (SELECT 1 AS k UNION ALL SELECT 2);"
            ))
            .unwrap();
        collection
    }

    /// Thousands of SQLite virtual-machine steps an export of the whole log takes: a measure
    /// of work that, unlike time, does not depend on the machine.
    fn export_steps(collection: &Collection) -> (u64, usize) {
        let steps = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&steps);
        collection.conn().progress_handler(
            1000,
            Some(move || {
                counter.fetch_add(1, Ordering::Relaxed);
                false
            }),
        );
        let mut rows = 0;
        collection
            .export_reviews(None, true, |_| {
                rows += 1;
                Ok(())
            })
            .unwrap();
        collection
            .conn()
            .progress_handler(1000, None::<fn() -> bool>);
        (steps.load(Ordering::Relaxed), rows)
    }

    #[test]
    fn a_selection_holds_each_named_deck_and_its_sub_decks_once_less_the_excluded() {
        let collection = Collection::open_in_memory().unwrap();
        collection
            .conn()
            .execute_batch(
                "INSERT INTO decks (id, name, created_at) VALUES
                     (1, 'A', 0), (2, 'A::Sub', 0), (3, 'B', 0), (4, 'Built', 0), (5, 'Built::Mine', 0);",
            )
            .unwrap();
        let names = |list: &[&str]| -> Vec<String> { list.iter().map(|s| s.to_string()).collect() };
        assert_eq!(collection.export_selection(&[], &[]).unwrap(), None);
        assert_eq!(
            collection
                .export_selection(&names(&["B", "a", "A::sub", "B"]), &[])
                .unwrap(),
            Some(vec![1, 2, 3])
        );
        assert_eq!(
            collection
                .export_selection(&[], &names(&["Built"]))
                .unwrap(),
            Some(vec![1, 2, 3, 5])
        );
        assert_eq!(
            collection
                .export_selection(&names(&["Built"]), &names(&["Built", "Built::Mine"]))
                .unwrap(),
            Some(vec![])
        );
        let error = collection
            .export_selection(&names(&["A", "Nope"]), &[])
            .unwrap_err();
        assert!(error.to_string().contains("no deck 'Nope'"), "{error}");
    }

    #[test]
    fn exporting_the_log_does_not_grow_with_the_number_of_notes() {
        let (small, small_rows) = export_steps(&collection(1_000));
        let (large, large_rows) = export_steps(&collection(20_000));
        assert_eq!((small_rows, large_rows), (1000, 1000));
        // The same 1,000 rows: looking each card up must not walk the notes.
        assert!(
            large < small * 2,
            "{large} thousand steps with 20,000 notes against {small} with 1,000"
        );
    }
}
