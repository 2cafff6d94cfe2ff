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

    /// Validates and stores one setting.
    pub fn set_config(&self, key: &str, value: &str) -> Result<String> {
        let value = config::validate(key, value)?;
        self.conn().execute(
            "INSERT INTO config (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(value)
    }

    /// Sets and unsets several settings at once, all or none: each `(key, Some(value))` is
    /// validated and stored, each `(key, None)` returned to its default.
    pub fn change_config(&self, changes: &[(&str, Option<&str>)]) -> Result<()> {
        let tx = self.conn().unchecked_transaction()?;
        for (key, value) in changes {
            match value {
                Some(value) => {
                    self.set_config(key, value)?;
                }
                None => self.unset_config(key)?,
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Returns a key to its default.
    pub fn unset_config(&self, key: &str) -> Result<()> {
        config::find_key(key)?;
        self.conn()
            .execute("DELETE FROM config WHERE key = ?1", [key])?;
        Ok(())
    }
}
