//! When a card's flags (suspended, buried) were last changed here: `card_flag_times`. A sync
//! publishes a suspension or burial with this time rather than its own, so two machines'
//! offline changes of one card resolve to the later change whatever order they sync in. Only
//! local changes write it (the commands and the review); the merge never does.

use rusqlite::{Connection, OptionalExtension, params};

use super::Collection;
use crate::error::Result;

/// Card id -> when its suspended flag and its burial were last changed here (unix ms; None:
/// not known).
pub type FlagTimes = std::collections::HashMap<i64, (Option<i64>, Option<i64>)>;

/// A card flag whose change time is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Suspend,
    Bury,
}

impl Flag {
    fn column(self) -> &'static str {
        match self {
            Flag::Suspend => "suspend_ms",
            Flag::Bury => "bury_ms",
        }
    }
}

/// Records that `card_id`'s `flag` was changed here at `changed_ms`.
pub(crate) fn stamp(conn: &Connection, card_id: i64, flag: Flag, changed_ms: i64) -> Result<()> {
    let column = flag.column();
    conn.prepare_cached(&format!(
        "INSERT INTO card_flag_times (card_id, {column}) VALUES (?1, ?2)
         ON CONFLICT (card_id) DO UPDATE SET {column} = excluded.{column}"
    ))?
    .execute(params![card_id, changed_ms])?;
    Ok(())
}

/// Puts back the time `flag` had before a change that is being undone (None: none), dropping
/// the row when it no longer says anything, so an undo leaves the file as it was.
pub(crate) fn restore(
    conn: &Connection,
    card_id: i64,
    flag: Flag,
    previous_ms: Option<i64>,
) -> Result<()> {
    let column = flag.column();
    conn.prepare_cached(&format!(
        "UPDATE card_flag_times SET {column} = ?2 WHERE card_id = ?1"
    ))?
    .execute(params![card_id, previous_ms])?;
    conn.prepare_cached(
        "DELETE FROM card_flag_times
         WHERE card_id = ?1 AND suspend_ms IS NULL AND bury_ms IS NULL",
    )?
    .execute([card_id])?;
    Ok(())
}

/// Drops `card_id`'s times when they can no longer matter: the card has no flag here and the
/// sync folder knows none for it, so no sync will publish a change of it. A card suspended
/// and unsuspended again before any sync leaves the file as it was.
pub(crate) fn forget_if_moot(conn: &Connection, card_id: i64) -> Result<()> {
    let (note, ord) = (
        crate::model::note_of_card(card_id),
        crate::model::ord_of_card(card_id),
    );
    conn.prepare_cached(
        "DELETE FROM card_flag_times WHERE card_id = ?1
         AND NOT EXISTS (SELECT 1 FROM card_states
                         WHERE id = ?1 AND (suspended = 1 OR buried_day IS NOT NULL))
         AND NOT EXISTS (SELECT 1 FROM sync_notes n JOIN sync_cards c ON c.gid = n.gid
                         WHERE n.note_id = ?2 AND c.ord = ?3
                           AND (c.suspended = 1 OR c.buried_day IS NOT NULL))",
    )?
    .execute(params![card_id, note, ord])?;
    Ok(())
}

impl Collection {
    /// When `card_id`'s `flag` was last changed here (None: never, or not since this was
    /// kept): what an undo of the next change puts back.
    pub fn flag_time(&self, card_id: i64, flag: Flag) -> Result<Option<i64>> {
        let sql = format!(
            "SELECT {} FROM card_flag_times WHERE card_id = ?1",
            flag.column()
        );
        let found: Option<Option<i64>> = self
            .conn()
            .query_row(&sql, [card_id], |r| r.get(0))
            .optional()?;
        Ok(found.flatten())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_change_undone_puts_back_the_time_before_it_and_no_row_when_there_was_none() {
        let collection = Collection::open_in_memory().unwrap();
        let conn = collection.conn();
        stamp(conn, 64, Flag::Suspend, 1_000).unwrap();
        assert_eq!(
            collection.flag_time(64, Flag::Suspend).unwrap(),
            Some(1_000)
        );
        assert_eq!(collection.flag_time(64, Flag::Bury).unwrap(), None);
        stamp(conn, 64, Flag::Bury, 2_000).unwrap();
        restore(conn, 64, Flag::Bury, None).unwrap();
        assert_eq!(collection.flag_time(64, Flag::Bury).unwrap(), None);
        assert_eq!(
            collection.flag_time(64, Flag::Suspend).unwrap(),
            Some(1_000)
        );
        stamp(conn, 64, Flag::Suspend, 3_000).unwrap();
        restore(conn, 64, Flag::Suspend, Some(1_000)).unwrap();
        assert_eq!(
            collection.flag_time(64, Flag::Suspend).unwrap(),
            Some(1_000)
        );
        restore(conn, 64, Flag::Suspend, None).unwrap();
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM card_flag_times", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 0, "nothing left to say: no row");
    }

    #[test]
    fn the_times_of_a_card_with_no_flag_here_or_in_the_folder_are_forgotten() {
        let collection = Collection::open_in_memory().unwrap();
        let conn = collection.conn();
        stamp(conn, 64, Flag::Suspend, 1_000).unwrap();
        forget_if_moot(conn, 64).unwrap();
        assert_eq!(collection.flag_time(64, Flag::Suspend).unwrap(), None);
        // The folder knows the card as suspended: unsuspending it must be published, at
        // its time.
        conn.execute_batch(
            "INSERT INTO sync_notes (gid, note_id, deck, notetype, fields, seed, add_order_ms, add_device, add_seq)
                 VALUES ('D/k', 1, 'D', 'vocab', '{}', 1, 0, 'x', 1);
             INSERT INTO sync_cards (gid, ord, suspended) VALUES ('D/k', 0, 1);",
        )
        .unwrap();
        stamp(conn, 64, Flag::Suspend, 2_000).unwrap();
        forget_if_moot(conn, 64).unwrap();
        assert_eq!(
            collection.flag_time(64, Flag::Suspend).unwrap(),
            Some(2_000)
        );
    }
}
