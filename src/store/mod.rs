//! The only place that speaks SQL: opening and migrating a collection, and reading and
//! writing decks, notes, cards, reviews and settings.
//!
//! A collection is one SQLite file in WAL mode with foreign keys on (a large import switches
//! it to a rollback journal for its transaction; see `import.rs`). Opening checks that the
//! file really is a SQLite database and that its schema is not newer than this build before
//! anything is written, so a wrong path or an old binary never damages a file.

pub mod anki;
pub mod apkg;
pub mod cards;
pub mod config;
pub mod decks;
pub mod export;
pub mod import;
pub mod migrations;
mod note_insert;
pub mod notes;
pub mod reviews;
pub mod revlog;
pub mod stats;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// An open collection.
pub struct Collection {
    conn: Connection,
    path: PathBuf,
    created: bool,
}

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Refuses paths that exist but cannot be a collection, before SQLite touches them.
fn check_existing_file(path: &Path) -> Result<bool> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(Error::io("read", path, e)),
    };
    if meta.is_dir() {
        return Err(Error::failed(format!(
            "{} is a directory, not a collection file",
            path.display()
        )));
    }
    if meta.len() == 0 {
        return Ok(false);
    }
    let mut header = [0u8; 16];
    let mut file = std::fs::File::open(path).map_err(|e| Error::io("open", path, e))?;
    let read = file
        .read(&mut header)
        .map_err(|e| Error::io("read", path, e))?;
    if read < 16 || &header != SQLITE_MAGIC {
        return Err(Error::NotACollection(path.to_path_buf()));
    }
    Ok(true)
}

/// Turns SQLite's "not a database" and corruption errors into one sentence naming the file.
fn describe_open_error(path: &Path, err: rusqlite::Error) -> Error {
    match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::NotACollection(path.to_path_buf()),
        Some(rusqlite::ErrorCode::DatabaseCorrupt) => Error::failed(format!(
            "{} is damaged (SQLite reports: {err}); restore it from a backup",
            path.display()
        )),
        _ => Error::failed(format!("cannot open {}: {err}", path.display())),
    }
}

impl Collection {
    /// Opens (or creates, with its parent folders) the collection at `path` and brings its
    /// schema up to date.
    pub fn open(path: &Path) -> Result<Collection> {
        let existed = check_existing_file(path)?;
        if !existed && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::io("create the folder", parent, e))?;
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| describe_open_error(path, e))?;
        Collection::prepare(conn, path, !existed)
    }

    /// A private collection in memory, for tests and benchmarks.
    pub fn open_in_memory() -> Result<Collection> {
        let conn = Connection::open_in_memory()?;
        Collection::prepare(conn, Path::new(":memory:"), true)
    }

    fn prepare(conn: Connection, path: &Path, created: bool) -> Result<Collection> {
        // Read the version before any write, so a newer file is left exactly as it was.
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .map_err(|e| describe_open_error(path, e))?;
        migrations::check_version(path, version)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        let wal = path != Path::new(":memory:")
            && match conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())) {
                Ok(()) => true,
                // Another process is writing a large import with a rollback journal (see
                // `as_bulk_import`); it goes back to WAL when done. Reading works meanwhile.
                Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => false,
                Err(e) => return Err(describe_open_error(path, e)),
            };
        // In WAL mode NORMAL keeps every committed answer across a crash or kill of jargon;
        // only a power cut can lose the last commits. It saves an fsync per answer. With a
        // rollback journal only FULL promises as much.
        conn.pragma_update(None, "synchronous", if wal { "NORMAL" } else { "FULL" })?;
        let mut collection = Collection {
            conn,
            path: path.to_path_buf(),
            created,
        };
        migrations::migrate(&mut collection.conn, version).map_err(|e| match e {
            Error::Database(db) => describe_open_error(path, db),
            other => Error::failed(format!("{}: {other}", path.display())),
        })?;
        Ok(collection)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether this open created the collection (the first run).
    pub fn was_created(&self) -> bool {
        self.created
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// SQLite's own integrity check: `ok`, or the problems it lists.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |row| row.get::<_, String>(0))?;
        let mut problems = vec![];
        for row in rows {
            let line = row?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = stmt.query_map([], |row| {
            Ok(format!(
                "{} row {} points at a missing {}",
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, String>(2)?
            ))
        })?;
        for row in rows {
            problems.push(row?);
        }
        Ok(problems)
    }

    /// Writes a consistent copy of the collection to `target` (SQLite's `VACUUM INTO`).
    pub fn backup_to(&self, target: &Path) -> Result<()> {
        // An empty file is a place made for the copy (`crate::output`); VACUUM INTO fills it.
        if target.metadata().is_ok_and(|m| m.len() > 0) {
            return Err(Error::failed(format!(
                "{} already exists; choose a new file name",
                target.display()
            )));
        }
        let text = target
            .to_str()
            .ok_or_else(|| Error::failed(format!("{} is not a UTF-8 path", target.display())))?;
        self.conn.execute("VACUUM INTO ?1", [text]).map_err(|e| {
            Error::failed(format!("cannot write the backup {}: {e}", target.display()))
        })?;
        Ok(())
    }
}

/// Reads a JSON array of strings stored in a text column.
pub(crate) fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

/// Writes a list of strings as a JSON array for a text column.
pub(crate) fn to_json_list(items: &[String]) -> String {
    if items.is_empty() {
        // Most notes have no aliases or related keys; a large import asks this per note.
        return "[]".to_string();
    }
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}
