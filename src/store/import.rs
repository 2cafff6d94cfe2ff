//! Writing an import plan: every deck, note and card of it in one transaction.

use std::collections::HashMap;

use rusqlite::{Transaction, params};

use super::{Collection, to_json_list};
use crate::deck::plan::{Existing, ImportPlan};
use crate::error::Result;

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
        let tx = self.conn_mut().transaction()?;
        write_plan(&tx, plan, now_secs, &mut |_| {})?;
        tx.commit()?;
        Ok(())
    }
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
        let mut position: i64 =
            tx.query_row("SELECT coalesce(max(position), 0) FROM cards", [], |r| {
                r.get(0)
            })?;
        let mut insert_note = tx.prepare(
            "INSERT INTO notes (deck_id, key, guid, term, definition, example, aliases, tags, related, source, created_at, modified_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)",
        )?;
        let mut insert_card =
            tx.prepare("INSERT INTO cards (note_id, direction, position) VALUES (?1, ?2, ?3)")?;
        for (deck, fields) in &plan.add {
            let deck_id = deck_ids.get(deck.as_str()).copied().unwrap_or_default();
            insert_note.execute(params![
                deck_id,
                fields.key,
                fields.guid,
                fields.term,
                fields.definition,
                fields.example,
                to_json_list(&fields.aliases),
                to_json_list(&fields.tags),
                to_json_list(&fields.related),
                fields.source,
                now_secs
            ])?;
            let note_id = tx.last_insert_rowid();
            added.push(note_id);
            if added.len() % 1024 == 0 {
                progress(added.len() as u64);
            }
            position += 1;
            insert_card.execute(params![note_id, "forward", position])?;
            insert_card.execute(params![note_id, "reverse", position])?;
        }
        for (id, fields) in &plan.update {
            super::notes::write_note_fields(tx, *id, fields, now_secs)?;
        }
    }
    progress(added.len() as u64);
    Ok(added)
}
