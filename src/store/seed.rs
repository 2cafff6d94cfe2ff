//! The fuzz seed of a note (`notes.seed`, migration 7): the number its cards draw their fuzz
//! from in place of the note's id. Note ids are local to a collection, so a note that also
//! exists on another device takes the seed of the device that added it first, and every
//! device replays its cards to the same intervals. NULL (the usual case) is the note's own id.
//!
//! Everything that answers or replays a stored card asks here for the card id its fuzz is
//! drawn from ([`crate::model::fuzz_card_id`]): one card at a time ([`Collection::fuzz_card_id`],
//! the review), or the whole collection at once ([`Collection::note_seeds`], `check` and the
//! scheduler switch). Only the sync merge sets a seed ([`set_note_seed`]).
//!
//! No index serves `WHERE seed IS NOT NULL`: reading the seeds is one scan of `notes` per
//! `check` or switch (which read every card anyway), and a partial index would be one more
//! thing every imported note writes.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::Collection;
use crate::error::{Error, Result};
use crate::model::{fuzz_card_id, note_of_card};

/// The seed of note `note_id` (None: its own id), or an error when there is no such note.
fn note_seed(conn: &Connection, note_id: i64) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT seed FROM notes WHERE id = ?1")?
        .query_row([note_id], |row| row.get::<_, Option<i64>>(0))
        .optional()?
        .ok_or_else(|| Error::failed(format!("there is no note {note_id}")))
}

/// The card id card `card_id`'s fuzz is drawn from, read inside the caller's transaction or
/// connection (an import merging a card's history).
pub(crate) fn fuzz_card_id_in(conn: &Connection, card_id: i64) -> Result<i64> {
    Ok(fuzz_card_id(
        card_id,
        note_seed(conn, note_of_card(card_id))?,
    ))
}

/// Sets (or, with None, clears) the fuzz seed of note `note_id`, inside the caller's
/// transaction. The note's logged answers are not replayed here: the caller rewrites them
/// (the sync merge replays every touched card), or `check` would find them disagreeing.
pub(crate) fn set_note_seed(tx: &Transaction, note_id: i64, seed: Option<i64>) -> Result<()> {
    let changed = tx
        .prepare_cached("UPDATE notes SET seed = ?1 WHERE id = ?2")?
        .execute(params![seed, note_id])?;
    if changed != 1 {
        return Err(Error::failed(format!("there is no note {note_id}")));
    }
    Ok(())
}

impl Collection {
    /// The seed of every note that has one, by note id; notes without one (their own id
    /// seeds their cards) are left out, so the map is empty until a sync brings a note.
    pub fn note_seeds(&self) -> Result<HashMap<i64, i64>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT id, seed FROM notes WHERE seed IS NOT NULL")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The card id card `card_id`'s fuzz is drawn from: the value a `Moment` for this card
    /// carries (one query). Fails when the card's note does not exist.
    pub fn fuzz_card_id(&self, card_id: i64) -> Result<i64> {
        fuzz_card_id_in(self.conn(), card_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::card_id;

    /// A collection with notes 1, 2 and 3 and no seed set.
    fn collection() -> Collection {
        let collection = Collection::open_in_memory().unwrap();
        collection
            .conn()
            .execute_batch(
                "INSERT INTO decks (id, name, created_at) VALUES (1, 'One', 0);
                 INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                     VALUES (1, 1, 'a', 'A', 'a', 0, 0), (2, 1, 'b', 'B', 'b', 0, 0),
                            (3, 1, 'c', 'C', 'c', 0, 0);",
            )
            .unwrap();
        collection
    }

    fn set(collection: &mut Collection, note_id: i64, seed: Option<i64>) -> Result<()> {
        let tx = collection.conn_mut().transaction().unwrap();
        set_note_seed(&tx, note_id, seed)?;
        tx.commit().unwrap();
        Ok(())
    }

    #[test]
    fn a_card_without_a_seed_draws_its_fuzz_from_its_own_id() {
        let collection = collection();
        assert_eq!(collection.fuzz_card_id(card_id(2, 1)).unwrap(), 129);
        assert!(collection.note_seeds().unwrap().is_empty());
    }

    #[test]
    fn a_seeded_note_s_cards_draw_their_fuzz_as_card_ord_of_note_seed() {
        let mut collection = collection();
        set(&mut collection, 2, Some(9_000)).unwrap();
        set(&mut collection, 3, Some(-5)).unwrap();
        assert_eq!(collection.fuzz_card_id(card_id(2, 0)).unwrap(), 9_000 * 64);
        assert_eq!(
            collection.fuzz_card_id(card_id(2, 3)).unwrap(),
            9_000 * 64 + 3
        );
        assert_eq!(collection.fuzz_card_id(card_id(3, 1)).unwrap(), -5 * 64 + 1);
        assert_eq!(collection.fuzz_card_id(card_id(1, 1)).unwrap(), 65);
        let seeds = collection.note_seeds().unwrap();
        assert_eq!(seeds, HashMap::from([(2, 9_000), (3, -5)]));
        // The map and the one-card query agree.
        for card in [card_id(1, 0), card_id(2, 1), card_id(3, 2)] {
            let seed = seeds.get(&note_of_card(card)).copied();
            assert_eq!(
                fuzz_card_id(card, seed),
                collection.fuzz_card_id(card).unwrap()
            );
        }
    }

    #[test]
    fn clearing_a_seed_gives_the_cards_their_own_ids_back() {
        let mut collection = collection();
        set(&mut collection, 2, Some(7)).unwrap();
        set(&mut collection, 2, None).unwrap();
        assert_eq!(collection.fuzz_card_id(card_id(2, 0)).unwrap(), 128);
        assert!(collection.note_seeds().unwrap().is_empty());
    }

    #[test]
    fn a_missing_note_is_named_in_one_sentence() {
        let mut collection = collection();
        assert_eq!(
            set(&mut collection, 44, Some(1)).unwrap_err().to_string(),
            "there is no note 44"
        );
        assert_eq!(
            collection
                .fuzz_card_id(card_id(44, 0))
                .unwrap_err()
                .to_string(),
            "there is no note 44"
        );
    }
}
