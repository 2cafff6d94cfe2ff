//! Settings as key/value rows.

use std::collections::BTreeMap;

use rusqlite::params;

use super::Collection;
use crate::config::{self, Config};
use crate::error::Result;

impl Collection {
    pub fn config_pairs(&self) -> Result<BTreeMap<String, String>> {
        let mut stmt = self.conn().prepare("SELECT key, value FROM config")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let mut pairs = BTreeMap::new();
        for row in rows {
            let (key, value): (String, String) = row?;
            pairs.insert(key, value);
        }
        Ok(pairs)
    }

    /// The parsed settings (defaults for keys never set).
    pub fn config(&self) -> Result<Config> {
        Config::from_pairs(&self.config_pairs()?)
    }

    /// Validates and stores one setting, changed at `changed_ms` (this machine's clock): the
    /// time the sync publishes a setting that travels with, so the later of two machines'
    /// changes wins whatever order they sync in.
    pub fn set_config(&self, key: &str, value: &str, changed_ms: i64) -> Result<String> {
        let value = config::validate(key, value)?;
        let tx = self.conn().unchecked_transaction()?;
        write(&tx, key, Some(&value), changed_ms)?;
        tx.commit()?;
        Ok(value)
    }

    /// Sets and unsets several settings at once, all or none: each `(key, Some(value))` is
    /// validated and stored, each `(key, None)` returned to its default; all changed at
    /// `changed_ms`.
    pub fn change_config(&self, changes: &[(&str, Option<&str>)], changed_ms: i64) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        for (key, value) in changes {
            match value {
                Some(value) => {
                    let value = config::validate(key, value)?;
                    write(&tx, key, Some(&value), changed_ms)?;
                }
                None => {
                    config::find_key(key)?;
                    write(&tx, key, None, changed_ms)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Returns a key to its default, changed at `changed_ms`.
    pub fn unset_config(&self, key: &str, changed_ms: i64) -> Result<()> {
        config::find_key(key)?;
        let tx = self.conn().unchecked_transaction()?;
        write(&tx, key, None, changed_ms)?;
        tx.commit()?;
        Ok(())
    }
}

/// Stores (or with None, removes) a validated setting and records when it was changed here.
fn write(
    conn: &rusqlite::Connection,
    key: &str,
    value: Option<&str>,
    changed_ms: i64,
) -> Result<()> {
    match value {
        Some(value) => conn.execute(
            "INSERT INTO config (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?,
        None => conn.execute("DELETE FROM config WHERE key = ?1", [key])?,
    };
    conn.execute(
        "INSERT INTO config_times (key, changed_ms) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET changed_ms = excluded.changed_ms",
        params![key, changed_ms],
    )?;
    Ok(())
}
