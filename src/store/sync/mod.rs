//! The SQL of sync (issue 20): this collection's place in the folder, the other devices'
//! cursors, the events waiting to be written, and, in [`notes`], [`log`] and
//! [`fingerprint`], what the merge engine (`crate::merge`) reads and writes. A merge runs in
//! one [`SyncTx`]: it changes all of its rows or none.

pub mod columns;
pub mod counts;
pub mod fingerprint;
pub mod log;
pub mod notes;
pub mod unpublish;

use std::path::PathBuf;

use rusqlite::{OptionalExtension, Transaction, params};

use super::Collection;
use crate::error::Result;
use crate::records::sync::{Peer, Stamp, SyncState};

/// One sync's transaction: every write of a publish or a merge goes through it.
pub struct SyncTx<'a> {
    tx: Transaction<'a>,
    /// The per-day counts of the answers written while the count trigger is held back
    /// ([`counts`]), added to the tables when settled.
    tally: std::cell::RefCell<Option<counts::Tally>>,
    /// The cards whose state this transaction stored ([`SyncTx::set_card_state`]).
    state_writes: std::cell::RefCell<std::collections::BTreeSet<i64>>,
}

impl Collection {
    /// Opens the transaction a sync writes in (it waits for another writer, as every write
    /// does).
    pub fn sync_tx(&mut self) -> Result<SyncTx<'_>> {
        Ok(SyncTx {
            tx: self.conn_mut().transaction()?,
            tally: std::cell::RefCell::new(None),
            state_writes: std::cell::RefCell::new(std::collections::BTreeSet::new()),
        })
    }

    /// This collection's sync state, if it ever synced.
    pub fn sync_state(&self) -> Result<Option<SyncState>> {
        read_state(self.conn())
    }

    /// Every other device read so far.
    pub fn sync_peers(&self) -> Result<Vec<Peer>> {
        read_peers(self.conn())
    }

    /// How many of our events are made but not yet in our segment file, and how many local
    /// answers are not yet published.
    pub fn sync_waiting(&self) -> Result<(u64, u64)> {
        let outbox: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM sync_outbox", [], |r| r.get(0))?;
        let published: i64 = self.conn().query_row(
            "SELECT coalesce((SELECT published_review_id FROM sync_state WHERE id = 1), 0)",
            [],
            |r| r.get(0),
        )?;
        let answers: i64 = self.conn().query_row(
            "SELECT count(*) FROM reviews WHERE id > ?1 AND gid IS NULL",
            [published],
            |r| r.get(0),
        )?;
        Ok((outbox.max(0) as u64, answers.max(0) as u64))
    }
}

fn read_state(conn: &rusqlite::Connection) -> Result<Option<SyncState>> {
    Ok(conn
        .query_row(
            "SELECT device, instance, dir, next_seq, last_order_ms, published_review_id, last_sync_ms
             FROM sync_state WHERE id = 1",
            [],
            |r| {
                Ok(SyncState {
                    device: r.get(0)?,
                    instance: r.get(1)?,
                    dir: PathBuf::from(r.get::<_, String>(2)?),
                    next_seq: r.get::<_, i64>(3)?.max(1) as u64,
                    last_order_ms: r.get(4)?,
                    published_review_id: r.get(5)?,
                    last_sync_ms: r.get(6)?,
                })
            },
        )
        .optional()?)
}

fn read_peers(conn: &rusqlite::Connection) -> Result<Vec<Peer>> {
    let mut stmt = conn.prepare(
        "SELECT device, cursor, last_seq, last_order_ms, last_at_ms, seen_ms, events
         FROM sync_peers ORDER BY device",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(Peer {
            device: r.get(0)?,
            cursor: r.get(1)?,
            last_seq: r.get::<_, i64>(2)?.max(0) as u64,
            last_order_ms: r.get(3)?,
            last_at_ms: r.get(4)?,
            seen_ms: r.get(5)?,
            events: r.get::<_, i64>(6)?.max(0) as u64,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stamp stored as JSON `[order_ms, device, seq]`.
pub(crate) fn stamp_json(stamp: &Stamp) -> String {
    serde_json::Value::Array(vec![
        stamp.order_ms.into(),
        stamp.device.clone().into(),
        stamp.seq.into(),
    ])
    .to_string()
}

pub(crate) fn stamp_from_json(text: &str) -> Option<Stamp> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    let list = value.as_array()?;
    Some(Stamp {
        order_ms: list.first()?.as_i64()?,
        device: list.get(1)?.as_str()?.to_string(),
        seq: list.get(2)?.as_u64()?,
    })
}

impl SyncTx<'_> {
    pub fn commit(self) -> Result<()> {
        self.tx.commit()?;
        Ok(())
    }

    pub fn state(&self) -> Result<Option<SyncState>> {
        read_state(&self.tx)
    }

    pub fn peers(&self) -> Result<Vec<Peer>> {
        read_peers(&self.tx)
    }

    /// Makes or replaces the state (the first sync, or a new folder).
    pub fn init_state(&self, device: &str, instance: &str, dir: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO sync_state (id, device, instance, dir, next_seq) VALUES (1, ?1, ?2, ?3, 1)
             ON CONFLICT (id) DO UPDATE SET dir = excluded.dir",
            params![device, instance, dir],
        )?;
        Ok(())
    }

    /// Gives this collection a new device id (a copy that collided with another): its events
    /// start again from 1 under the new id; what it published under the old one stays there.
    pub fn new_device(&self, device: &str, instance: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE sync_state SET device = ?1, instance = ?2, next_seq = 1 WHERE id = 1",
            params![device, instance],
        )?;
        // Lines queued under the old id cannot go into the new folder.
        self.tx.execute("DELETE FROM sync_outbox", [])?;
        Ok(())
    }

    pub fn save_progress(
        &self,
        next_seq: u64,
        last_order_ms: i64,
        published_review_id: i64,
    ) -> Result<()> {
        self.tx.execute(
            "UPDATE sync_state SET next_seq = ?1, last_order_ms = ?2, published_review_id = ?3 WHERE id = 1",
            params![next_seq as i64, last_order_ms, published_review_id],
        )?;
        Ok(())
    }

    pub fn set_last_sync(&self, at_ms: i64) -> Result<()> {
        self.tx.execute(
            "UPDATE sync_state SET last_sync_ms = ?1 WHERE id = 1",
            [at_ms],
        )?;
        Ok(())
    }

    /// Queues an event line until it is in our segment file.
    pub fn push_outbox(&self, seq: u64, line: &[u8]) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO sync_outbox (seq, line) VALUES (?1, ?2)")?
            .execute(params![seq as i64, line])?;
        Ok(())
    }

    /// The queued lines, oldest first.
    pub fn outbox(&self) -> Result<Vec<(u64, Vec<u8>)>> {
        let mut stmt = self
            .tx
            .prepare("SELECT seq, line FROM sync_outbox ORDER BY seq")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?.max(0) as u64, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Forgets the queued lines up to `seq`, now in the file.
    pub fn clear_outbox(&self, through_seq: u64) -> Result<()> {
        self.tx.execute(
            "DELETE FROM sync_outbox WHERE seq <= ?1",
            [through_seq as i64],
        )?;
        Ok(())
    }

    pub fn save_peer(&self, peer: &Peer) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_peers (device, cursor, last_seq, last_order_ms, last_at_ms, seen_ms, events)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (device) DO UPDATE SET cursor = excluded.cursor, last_seq = excluded.last_seq,
                     last_order_ms = excluded.last_order_ms, last_at_ms = excluded.last_at_ms,
                     seen_ms = excluded.seen_ms, events = excluded.events",
            )?
            .execute(params![
                peer.device,
                peer.cursor,
                peer.last_seq as i64,
                peer.last_order_ms,
                peer.last_at_ms,
                peer.seen_ms,
                peer.events as i64
            ])?;
        Ok(())
    }

    /// Settings that travel, as last published or merged: key -> (value, stamp).
    pub fn shadow_settings(&self) -> Result<Vec<(String, String, Stamp)>> {
        let mut stmt = self
            .tx
            .prepare("SELECT key, value, order_ms, device, seq FROM sync_settings")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                Stamp {
                    order_ms: r.get(2)?,
                    device: r.get(3)?,
                    seq: r.get::<_, i64>(4)?.max(0) as u64,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn save_shadow_setting(&self, key: &str, value: &str, stamp: &Stamp) -> Result<()> {
        self.tx.execute(
            "INSERT INTO sync_settings (key, value, order_ms, device, seq) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value, order_ms = excluded.order_ms,
                 device = excluded.device, seq = excluded.seq",
            params![key, value, stamp.order_ms, stamp.device, stamp.seq as i64],
        )?;
        Ok(())
    }

    /// The stored settings, key -> value.
    pub fn config_pairs(&self) -> Result<std::collections::BTreeMap<String, String>> {
        let mut stmt = self.tx.prepare("SELECT key, value FROM config")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When each setting was last changed here, key -> unix milliseconds (`config_times`; a
    /// setting never changed since that table came has none).
    pub fn config_times(&self) -> Result<std::collections::HashMap<String, i64>> {
        let mut stmt = self
            .tx
            .prepare("SELECT key, changed_ms FROM config_times")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// When each card's flags were last changed here, card id -> (suspended flag, burial),
    /// unix milliseconds (`card_flag_times`; None: not known).
    pub fn card_flag_times(&self) -> Result<crate::store::flag_times::FlagTimes> {
        let mut stmt = self
            .tx
            .prepare("SELECT card_id, suspend_ms, bury_ms FROM card_flag_times")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?))))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets (or with None, unsets) a stored setting from another device: not a change made
    /// here, so `config_times` is left as it is.
    pub fn set_config(&self, key: &str, value: Option<&str>) -> Result<()> {
        match value {
            Some(value) => self.tx.execute(
                "INSERT INTO config (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )?,
            None => self
                .tx
                .execute("DELETE FROM config WHERE key = ?1", [key])?,
        };
        Ok(())
    }
}
