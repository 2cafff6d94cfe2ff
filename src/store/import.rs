//! Writing an import plan: every deck, note and card of it in one transaction.

use std::collections::HashMap;

use rusqlite::{Transaction, params};

use super::{Collection, to_json_list};
use crate::deck::plan::{Existing, ImportPlan};
use crate::error::Result;
use crate::model::NoteFields;

impl Collection {
    /// The stored notes of the named decks, as [`crate::deck::plan::plan`] compares them.
    pub fn existing_notes(&self, deck_names: &[&str]) -> Result<Existing> {
        let mut existing: Existing = HashMap::new();
        let sql = format!(
            "SELECT {} FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = ?1",
            super::notes::NOTE_COLUMNS
        );
        let mut stmt = self.conn().prepare(&sql)?;
        for name in deck_names {
            let rows = stmt.query_map([name], |row| super::notes::note_from_row(row, 0))?;
            let map = existing.entry((*name).to_string()).or_default();
            for row in rows {
                let note = row?;
                map.insert(note.fields.key.clone(), (note.id, note.fields));
            }
        }
        Ok(existing)
    }

    /// Applies a plan atomically; a failure leaves the collection as it was.
    pub fn apply_import(&mut self, plan: &ImportPlan, now_secs: i64) -> Result<()> {
        self.as_bulk_import(|collection| {
            let tx = collection.conn_mut().transaction()?;
            write_plan(&tx, plan, now_secs, &mut |_| {})?;
            tx.commit()?;
            Ok(())
        })
    }

    /// Runs an import's transaction with the connection set for bulk writing. Its rows point
    /// only at decks, notes and cards it has just found or written itself, so SQLite's per-row
    /// foreign-key checks are off for it (on again afterwards, whatever happens): they would
    /// also make every multi-row INSERT keep a statement journal. (The setting cannot change
    /// inside a transaction.) The journal that remains, and the pages, stay in memory rather
    /// than spilling to a temporary file and to the log before the commit.
    pub(crate) fn as_bulk_import<T>(
        &mut self,
        write: impl FnOnce(&mut Collection) -> Result<T>,
    ) -> Result<T> {
        self.conn().pragma_update(None, "temp_store", "MEMORY")?;
        self.conn().pragma_update(None, "cache_size", -262_144)?;
        self.conn().pragma_update(None, "foreign_keys", false)?;
        let written = write(self);
        self.conn().pragma_update(None, "foreign_keys", true)?;
        written
    }
}

/// Notes written by one INSERT statement in a large import.
const NOTES_PER_STATEMENT: usize = 32;
/// The bound values of one note in [`insert_notes_sql`].
const NOTE_PARAMS: usize = 12;

/// `INSERT INTO notes ... VALUES (...), (...)` for `rows` notes.
fn insert_notes_sql(rows: usize) -> String {
    // OR ROLLBACK: a failure ends the whole import anyway, and a statement that cannot stop
    // halfway needs no statement journal.
    let mut sql = String::from(
        "INSERT OR ROLLBACK INTO notes (deck_id, key, guid, term, definition, example, aliases, tags, related, source, created_at, modified_at, id) VALUES ",
    );
    for row in 0..rows {
        let p = row * NOTE_PARAMS;
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&format!(
            "(?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{}, ?{p11}, ?{p11}, ?{})",
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6,
            p + 7,
            p + 8,
            p + 9,
            p + 10,
            p + 12,
            p11 = p + 11
        ));
    }
    sql
}

/// Binds `notes`, with ids from `first_id` on, to a statement from [`insert_notes_sql`] of the
/// same length.
fn bind_notes(
    stmt: &mut rusqlite::Statement,
    notes: &[(String, NoteFields)],
    first_id: i64,
    deck_ids: &HashMap<&str, i64>,
    now_secs: i64,
) -> Result<()> {
    for (row, (deck, fields)) in notes.iter().enumerate() {
        let p = row * NOTE_PARAMS;
        let deck_id = deck_ids.get(deck.as_str()).copied().unwrap_or_default();
        stmt.raw_bind_parameter(p + 1, deck_id)?;
        stmt.raw_bind_parameter(p + 2, &fields.key)?;
        stmt.raw_bind_parameter(p + 3, &fields.guid)?;
        stmt.raw_bind_parameter(p + 4, &fields.term)?;
        stmt.raw_bind_parameter(p + 5, &fields.definition)?;
        stmt.raw_bind_parameter(p + 6, &fields.example)?;
        stmt.raw_bind_parameter(p + 7, to_json_list(&fields.aliases))?;
        stmt.raw_bind_parameter(p + 8, to_json_list(&fields.tags))?;
        stmt.raw_bind_parameter(p + 9, to_json_list(&fields.related))?;
        stmt.raw_bind_parameter(p + 10, &fields.source)?;
        stmt.raw_bind_parameter(p + 11, now_secs)?;
        stmt.raw_bind_parameter(p + 12, first_id + row as i64)?;
    }
    Ok(())
}

/// Writes a plan inside the caller's transaction; returns the ids of the added notes, in the
/// order of [`ImportPlan::add`]. `progress` is told how many notes were written so far.
pub(crate) fn write_plan(
    tx: &Transaction,
    plan: &ImportPlan,
    now_secs: i64,
    progress: &mut dyn FnMut(u64),
) -> Result<Vec<i64>> {
    let mut deck_ids: HashMap<&str, i64> = HashMap::new();
    {
        let mut find = tx.prepare("SELECT id, description FROM decks WHERE name = ?1")?;
        let mut create =
            tx.prepare("INSERT INTO decks (name, description, created_at) VALUES (?1, ?2, ?3)")?;
        let mut describe = tx.prepare("UPDATE decks SET description = ?1 WHERE id = ?2")?;
        for (name, description) in &plan.decks {
            let found: Option<(i64, String)> =
                match find.query_row([name], |r| Ok((r.get(0)?, r.get(1)?))) {
                    Ok(row) => Some(row),
                    Err(rusqlite::Error::QueryReturnedNoRows) => None,
                    Err(e) => return Err(e.into()),
                };
            let id = match found {
                Some((id, current)) => {
                    if let Some(text) = description.as_ref().filter(|d| **d != current) {
                        describe.execute(params![text, id])?;
                    }
                    id
                }
                None => {
                    create.execute(params![
                        name,
                        description.clone().unwrap_or_default(),
                        now_secs
                    ])?;
                    tx.last_insert_rowid()
                }
            };
            deck_ids.insert(name.as_str(), id);
        }
    }
    let mut added = Vec::with_capacity(plan.add.len());
    {
        // Notes only: their cards get rows when first answered (see schema.sql). Many rows per
        // statement, because at this size the cost of running a statement, not of storing a
        // row, dominates. The ids are given, following the largest one in use, so the cards'
        // ids (note id * 2 + direction) are known without asking.
        let last_id: i64 =
            tx.query_row("SELECT coalesce(max(id), 0) FROM notes", [], |r| r.get(0))?;
        let mut single = tx.prepare(&insert_notes_sql(1))?;
        let mut block = tx.prepare(&insert_notes_sql(NOTES_PER_STATEMENT))?;
        let mut chunks = plan.add.chunks_exact(NOTES_PER_STATEMENT);
        let mut next_id = last_id + 1;
        for chunk in chunks.by_ref() {
            bind_notes(&mut block, chunk, next_id, &deck_ids, now_secs)?;
            block.raw_execute()?;
            added.extend(next_id..next_id + NOTES_PER_STATEMENT as i64);
            next_id += NOTES_PER_STATEMENT as i64;
            if added.len() % 1024 < NOTES_PER_STATEMENT {
                progress(added.len() as u64);
            }
        }
        for note in chunks.remainder() {
            bind_notes(
                &mut single,
                std::slice::from_ref(note),
                next_id,
                &deck_ids,
                now_secs,
            )?;
            single.raw_execute()?;
            added.push(next_id);
            next_id += 1;
        }
        for (id, fields) in &plan.update {
            super::notes::write_note_fields(tx, *id, fields, now_secs)?;
        }
    }
    progress(added.len() as u64);
    Ok(added)
}
