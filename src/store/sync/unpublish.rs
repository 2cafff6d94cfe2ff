//! Taking back what a sync marked as published but never wrote: the events queued under a
//! device id that `jargon sync --new-device` gives up (a sync stopped between queueing its
//! events and writing them, then the collection found to share its id). Each change goes
//! back to "not yet published", so the next sync publishes it again under the new id, at
//! the time it was made: an answer loses its global id, a note's add, field or deletion its
//! record, a card flag or a setting the value the folder was thought to hold.

use rusqlite::{OptionalExtension, params};

use super::SyncTx;
use crate::error::Result;
use crate::records::sync::Stamp;

/// A value no setting can hold (each is validated): the folder is taken to hold it, so the
/// setting's own value differs and is published again.
const UNKNOWN_SETTING: &str = "\u{0}unpublished";

impl SyncTx<'_> {
    /// The answer with this global id is unpublished again, in the log or kept with a
    /// deleted note. Returns its review id when it is in the log.
    pub fn unpublish_answer(&self, gid: &str) -> Result<Option<i64>> {
        self.tx
            .prepare_cached("UPDATE deleted_answers SET gid = NULL WHERE gid = ?1")?
            .execute([gid])?;
        let id: Option<i64> = self
            .tx
            .prepare_cached("SELECT id FROM reviews WHERE gid = ?1")?
            .query_row([gid], |r| r.get(0))
            .optional()?;
        if let Some(id) = id {
            self.tx
                .prepare_cached("UPDATE reviews SET gid = NULL, order_ms = NULL WHERE id = ?1")?
                .execute([id])?;
        }
        Ok(id)
    }

    /// Lets the next sync look for unpublished answers from review `id` on.
    pub fn republish_answers_from(&self, id: i64) -> Result<()> {
        self.tx.execute(
            "UPDATE sync_state SET published_review_id = min(published_review_id, ?1) WHERE id = 1",
            [id - 1],
        )?;
        Ok(())
    }

    /// A note's add made by `stamp`: its record goes, so the note is added again.
    pub fn unpublish_note_add(&self, gid: &str, stamp: &Stamp) -> Result<()> {
        self.tx.execute(
            "DELETE FROM sync_notes WHERE gid = ?1 AND note_id IS NOT NULL
                 AND add_device = ?2 AND add_seq = ?3",
            params![gid, stamp.device, stamp.seq as i64],
        )?;
        Ok(())
    }

    /// A field edit made by `stamp`: the record forgets the field, so it differs again.
    pub fn unpublish_note_field(&self, gid: &str, field: &str, stamp: &Stamp) -> Result<()> {
        let Some(mut shadow) = self.shadow_note(gid)? else {
            return Ok(());
        };
        let ours = shadow.fields.get(field).is_some_and(|known| {
            known.stamp.device == stamp.device && known.stamp.seq == stamp.seq
        });
        if ours {
            shadow.fields.remove(field);
            self.save_shadow_note(&shadow)?;
            self.tx
                .execute("UPDATE sync_notes SET synced = 0 WHERE gid = ?1", [gid])?;
        }
        Ok(())
    }

    /// A deletion made by `stamp`: the record is live again without its note, so the
    /// deletion is found again.
    pub fn unpublish_note_delete(&self, gid: &str, stamp: &Stamp) -> Result<()> {
        self.tx.execute(
            "UPDATE sync_notes SET deleted_order_ms = NULL, deleted_device = NULL, deleted_seq = NULL
             WHERE gid = ?1 AND note_id IS NULL AND deleted_device = ?2 AND deleted_seq = ?3",
            params![gid, stamp.device, stamp.seq as i64],
        )?;
        Ok(())
    }

    /// A suspension (or unsuspension, `suspend`) or a burial made by `stamp`: the folder is
    /// taken to hold the other value, so the card's own is published again.
    pub fn unpublish_card_flag(
        &self,
        gid: &str,
        ord: u32,
        suspend: bool,
        stamp: &Stamp,
    ) -> Result<()> {
        let Some(mut card) = self.shadow_cards_of(gid, ord)? else {
            return Ok(());
        };
        let is = |s: &Option<Stamp>| {
            s.as_ref()
                .is_some_and(|s| s.device == stamp.device && s.seq == stamp.seq)
        };
        if suspend && is(&card.suspend_stamp) {
            card.suspended = !card.suspended;
            card.suspend_stamp = None;
        } else if !suspend && is(&card.bury_stamp) {
            card.buried_day = match card.buried_day {
                Some(_) => None,
                None => Some(-1),
            };
            card.bury_stamp = None;
        } else {
            return Ok(());
        }
        self.save_shadow_card(&card)
    }

    /// A setting published by `stamp`: the folder is taken to hold a value no setting has.
    pub fn unpublish_setting(&self, key: &str, stamp: &Stamp) -> Result<()> {
        self.tx.execute(
            "UPDATE sync_settings SET value = ?2 WHERE key = ?1 AND device = ?3 AND seq = ?4",
            params![key, UNKNOWN_SETTING, stamp.device, stamp.seq as i64],
        )?;
        Ok(())
    }
}
