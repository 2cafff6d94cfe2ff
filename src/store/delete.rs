//! Deleting notes. A note goes with its cards' states and its answers, but no answer is lost:
//! each review row moves into `deleted_answers` (migration 7) as a JSON object holding every
//! column of the row by its name, plus the card's ordinal, the note's deck and key and the
//! text of the scheduler settings it names. The count triggers on `reviews` keep the
//! statistics' per-day counts right as the rows go.
//!
//! [`delete_notes_in`] works inside a transaction the caller holds (the sync merge deletes in
//! its own); [`Collection::delete_notes`] opens one and names each note `deck/key`.
//! Related keys pointing at a deleted note stay (they resolve to nothing, as a key never
//! imported does), so do its media files and a deck it leaves empty, and so do the
//! `scheduler_settings` rows (other answers may use them; the archived body copies the text).

use std::collections::HashSet;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::{Map, Value};

use super::{Collection, unreadable};
use crate::error::{Error, Result};

/// What a deletion removed (or, from [`Collection::deletion_preview`], would remove).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Notes deleted.
    pub notes: u64,
    /// Their cards, every card a note has (started or still new).
    pub cards: u64,
    /// Review rows moved into `deleted_answers`.
    pub answers: u64,
}

/// What one note is, read before it goes.
struct Target {
    deck: String,
    key: String,
    cards: u64,
    /// Its cards' ids: `note * 64 + ord`, ord 0..64.
    first_card: i64,
    last_card: i64,
}

/// The note `note_id`, or an error naming it when the collection has no such note.
fn target(conn: &Connection, note_id: i64) -> Result<Target> {
    let found = conn
        .prepare_cached(
            "SELECT d.name, n.key, n.cards FROM notes n JOIN decks d ON d.id = n.deck_id
             WHERE n.id = ?1",
        )?
        .query_row([note_id], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })
        .optional()?;
    let (deck, key, bits) = found.ok_or_else(|| {
        Error::failed(format!(
            "there is no note {note_id} in the collection; nothing was deleted"
        ))
    })?;
    let first_card = note_id
        .checked_mul(64)
        .filter(|first| first.checked_add(63).is_some())
        .ok_or_else(|| Error::failed(format!("note id {note_id} is out of range")))?;
    Ok(Target {
        deck,
        key,
        cards: u64::from(bits.count_ones()),
        first_card,
        last_card: first_card + 63,
    })
}

/// Deletes the notes `(note id, name)` inside `tx`, which the caller commits: every review
/// row of their cards moves into `deleted_answers` (`note` = the name given, `gid` = the
/// row's), then the rows, the card states and the notes are deleted. A note listed twice
/// counts once; a note id the collection does not have is an error (roll the transaction
/// back: nothing should be deleted).
pub(crate) fn delete_notes_in(tx: &Transaction, notes: &[(i64, String)]) -> Result<Deleted> {
    let mut deleted = Deleted::default();
    let mut seen = HashSet::new();
    for (note_id, name) in notes {
        if !seen.insert(*note_id) {
            continue;
        }
        let target = target(tx, *note_id)?;
        let moved = archive_answers(tx, &target, name)?;
        let removed = tx
            .prepare_cached("DELETE FROM reviews WHERE card_id BETWEEN ?1 AND ?2")?
            .execute([target.first_card, target.last_card])?;
        if removed as u64 != moved {
            return Err(Error::failed(format!(
                "note {name}: {moved} answers were archived but {removed} deleted; nothing was deleted"
            )));
        }
        // By id (the primary key): `card_states.note_id` has no index. Deleting the note
        // then has SQLite look for card states still naming it, which without that index is
        // one scan of `card_states` per note (about 45 ms at 500,000 started cards).
        tx.prepare_cached("DELETE FROM card_states WHERE id BETWEEN ?1 AND ?2")?
            .execute([target.first_card, target.last_card])?;
        // When their flags changed goes with the cards: a new note given the id starts clean.
        tx.prepare_cached("DELETE FROM card_flag_times WHERE card_id BETWEEN ?1 AND ?2")?
            .execute([target.first_card, target.last_card])?;
        tx.prepare_cached("DELETE FROM notes WHERE id = ?1")?
            .execute([note_id])?;
        // The folder's record of the note lets go of its id (a new note may be given it
        // next): with no note and no tombstone yet, the next sync publishes the deletion.
        let recorded = tx
            .prepare_cached("UPDATE sync_notes SET note_id = NULL WHERE note_id = ?1")?
            .execute([note_id])?;
        if recorded == 0 {
            // A note the folder never heard of from here may still be there under its name
            // (a built-in note, a file imported on another machine too): a record under the
            // name it would have been published with makes the next sync publish the
            // deletion, so the other machines' copy does not bring it back. A name already
            // recorded is another note's; the record is left to it.
            tx.prepare_cached(
                "INSERT INTO sync_notes (gid, note_id, deck, notetype, fields, seed,
                     add_order_ms, add_device, add_seq)
                 VALUES (?1, NULL, ?2, '', '{}', 0, 0, '', 0)
                 ON CONFLICT (gid) DO NOTHING",
            )?
            .execute(params![
                format!("{}/{}", target.deck, target.key),
                target.deck
            ])?;
        }
        deleted.notes += 1;
        deleted.cards += target.cards;
        deleted.answers += moved;
    }
    Ok(deleted)
}

/// Copies every review row of the note's cards into `deleted_answers`; returns how many.
fn archive_answers(tx: &Transaction, target: &Target, name: &str) -> Result<u64> {
    // `r.*`: every column the table has now, by the name it is stored under; the settings'
    // text comes last.
    let mut select = tx.prepare_cached(
        "SELECT r.*, s.body FROM reviews r
         LEFT JOIN scheduler_settings s ON s.id = r.settings_id
         WHERE r.card_id BETWEEN ?1 AND ?2 ORDER BY r.id",
    )?;
    let names: Vec<String> = select
        .column_names()
        .into_iter()
        .map(str::to_string)
        .collect();
    let columns = names.len() - 1;
    let gid_at = names[..columns]
        .iter()
        .position(|n| n == "gid")
        .ok_or_else(|| Error::failed("the reviews table has no gid column"))?;
    let card_at = names[..columns]
        .iter()
        .position(|n| n == "card_id")
        .ok_or_else(|| Error::failed("the reviews table has no card_id column"))?;
    let mut insert =
        tx.prepare_cached("INSERT INTO deleted_answers (gid, note, body) VALUES (?1, ?2, ?3)")?;
    let mut rows = select.query([target.first_card, target.last_card])?;
    let mut moved = 0u64;
    while let Some(row) = rows.next()? {
        let mut body = Map::new();
        for (at, column) in names[..columns].iter().enumerate() {
            body.insert(column.clone(), json_value(row.get_ref(at)?, at)?);
        }
        let card_id: i64 = row.get(card_at)?;
        body.insert("ord".into(), Value::from(card_id.rem_euclid(64)));
        body.insert("deck".into(), Value::from(target.deck.as_str()));
        body.insert("key".into(), Value::from(target.key.as_str()));
        body.insert(
            "settings_body".into(),
            json_value(row.get_ref(columns)?, columns)?,
        );
        let gid: Option<String> = row.get(gid_at)?;
        let text = crate::text::to_json(&Value::Object(body))
            .map_err(|e| Error::failed(format!("cannot write an answer of {name}: {e}")))?;
        insert.execute(params![gid, name, text])?;
        moved += 1;
    }
    Ok(moved)
}

/// A stored value as JSON: NULL, an integer, a real, a text; a blob (no column of `reviews`
/// holds one) as its bytes.
fn json_value(value: ValueRef, column: usize) -> rusqlite::Result<Value> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        // SQLite stores no NaN or infinity (a NaN becomes NULL), so every real is a number.
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        ValueRef::Text(bytes) => Value::from(
            std::str::from_utf8(bytes)
                .map_err(|_| unreadable(column, "a review column holds text that is not UTF-8"))?,
        ),
        ValueRef::Blob(bytes) => Value::from(bytes.to_vec()),
    })
}

impl Collection {
    /// What deleting these notes would remove, read without writing (a note listed twice
    /// counts once; an unknown note id is an error).
    pub fn deletion_preview(&self, note_ids: &[i64]) -> Result<Deleted> {
        let mut preview = Deleted::default();
        let mut seen = HashSet::new();
        for &note_id in note_ids {
            if !seen.insert(note_id) {
                continue;
            }
            let target = target(self.conn(), note_id)?;
            let answers: i64 = self
                .conn()
                .prepare_cached("SELECT count(*) FROM reviews WHERE card_id BETWEEN ?1 AND ?2")?
                .query_row([target.first_card, target.last_card], |row| row.get(0))?;
            preview.notes += 1;
            preview.cards += target.cards;
            preview.answers += answers.unsigned_abs();
        }
        Ok(preview)
    }

    /// Deletes these notes in one transaction, their answers kept in `deleted_answers` under
    /// the note's `deck/key` (see [`delete_notes_in`]). An unknown note id deletes nothing.
    pub fn delete_notes(&mut self, note_ids: &[i64]) -> Result<Deleted> {
        let tx = self.conn_mut().transaction()?;
        let mut named = Vec::with_capacity(note_ids.len());
        for &note_id in note_ids {
            let target = target(&tx, note_id)?;
            named.push((note_id, format!("{}/{}", target.deck, target.key)));
        }
        let deleted = delete_notes_in(&tx, &named)?;
        tx.commit()?;
        Ok(deleted)
    }
}

#[cfg(test)]
#[path = "delete_tests.rs"]
mod tests;
