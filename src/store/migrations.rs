//! Numbered schema migrations, recorded in `PRAGMA user_version`.
//!
//! Migration N brings the schema from version N-1 to N. They run in one transaction, are never
//! edited once released, and never drop learner data. `schema.sql` is migration 1.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{Error, Result};

const MIGRATIONS: &[&str] = &[include_str!("../../schema.sql")];

/// The schema version this build writes.
pub const CURRENT_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn check_version(path: &Path, found: i64) -> Result<()> {
    if found > CURRENT_VERSION {
        return Err(Error::TooNew {
            path: path.to_path_buf(),
            found,
            known: CURRENT_VERSION,
        });
    }
    if found < 0 {
        return Err(Error::NotACollection(path.to_path_buf()));
    }
    Ok(())
}

/// Applies the migrations after `from`, all in one transaction.
pub fn migrate(conn: &mut Connection, from: i64) -> Result<()> {
    if from >= CURRENT_VERSION {
        return Ok(());
    }
    if from == 0 {
        // A version-0 file with tables in it was not made by jargon.
        let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
        if tables > 0 {
            return Err(Error::failed(
                "this SQLite database is not a jargon collection (it has tables but no jargon schema version)",
            ));
        }
    }
    let tx = conn.transaction()?;
    for (index, sql) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(from).unwrap_or(0))
    {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
    }
    tx.commit()?;
    Ok(())
}
