//! Reading an Anki collection: the SQLite file inside an `.apkg`, already copied to a private
//! temporary file. Read only; both the legacy schema (11: decks and note types as JSON in
//! `col`) and the current one (18: `decks`, `notetypes`, `fields` and `templates` tables) are
//! understood. The rows are returned as stored ([`crate::records::anki`]): decoding the
//! JSON and protobuf of the small tables is `deck::apkg_collection`'s.
//!
//! The collection is SQL someone else wrote, so it is read defensively:
//! - the copy is opened read-only, with `trusted_schema` off, views and triggers disabled
//!   (`SQLITE_DBCONFIG_ENABLE_VIEW`/`_TRIGGER`), defensive mode, no attached databases, and
//!   values limited to [`VALUE_LIMIT`] bytes (`SQLITE_LIMIT_LENGTH`);
//! - before anything is read, `pragma_table_list` and `pragma_table_xinfo` show that each table
//!   read is a real table (not a view, not virtual) with the columns read and no generated or
//!   hidden column, and that no trigger is attached to it; anything else refuses the package;
//! - every query is a plain scan of one table, or a lookup of one row by its rowid: no
//!   `ORDER BY`, `GROUP BY`, join or subquery, so SQLite never needs temporary storage (the
//!   rows are sorted in Rust, and `temp_store` is `MEMORY` in any case), and a row costs a
//!   few instructions per column;
//! - a progress handler stops the reading once it has run [`STEPS_PER_BYTE`] instructions per
//!   byte of the file (plus a fixed allowance): far more than those scans need, so only
//!   something that is not one of them reaches it. It is per connection, unlike
//!   `sqlite3_hard_heap_limit64`, which would bound the whole process (the jargon collection
//!   included).

use std::collections::HashSet;
use std::path::Path;

use rusqlite::config::DbConfig;
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{DbError, Error, Result};
use crate::records::anki::{
    AnkiCard, AnkiNote, AnkiReview, AnkiRows, AnkiTables, NotetypeRow, NotetypeTables, OpenAnki,
    TemplateRow,
};

/// The largest value (text or blob) read from a package's collection: 8 MiB. A note's fields
/// are text; the note types of a legacy collection are one JSON value, a few hundred KiB even
/// for large collections.
pub const VALUE_LIMIT: i32 = 8 << 20;

/// SQLite instructions allowed per byte of the collection file, and on top of that. Every
/// query jargon runs on a package is a plain scan of one table or a lookup of one row by
/// rowid (no sorting, grouping, join or subquery: the sorting is done in Rust), a few
/// instructions per column of each row, and a card or review row is read at most twice, so a
/// collection of any size needs far fewer; something that runs past the budget is not one of
/// those reads, and is stopped.
const STEPS_PER_BYTE: u64 = 32;
const STEPS_BASE: u64 = 50_000_000;
/// Instructions between two calls of the progress handler.
const STEP_GRAIN: i32 = 10_000;

/// A table jargon reads, and the columns it reads from it.
struct Table {
    name: &'static str,
    columns: &'static [&'static str],
}

const COL: Table = Table {
    name: "col",
    columns: &["crt", "decks", "models"],
};
const NOTES: Table = Table {
    name: "notes",
    columns: &["id", "guid", "mid", "mod", "tags", "flds"],
};
const CARDS: Table = Table {
    name: "cards",
    columns: &[
        "id", "nid", "did", "ord", "mod", "type", "queue", "due", "ivl", "factor", "reps",
        "lapses", "odid", "odue", "data",
    ],
};
const REVLOG: Table = Table {
    name: "revlog",
    columns: &[
        "id", "cid", "ease", "ivl", "lastIvl", "factor", "time", "type",
    ],
};
const DECKS: Table = Table {
    name: "decks",
    columns: &["id", "name"],
};
const NOTETYPES: Table = Table {
    name: "notetypes",
    columns: &["id", "name", "mtime_secs", "config"],
};
const FIELDS: Table = Table {
    name: "fields",
    columns: &["ntid", "ord", "name"],
};
const TEMPLATES: Table = Table {
    name: "templates",
    columns: &["ntid", "ord", "name", "config"],
};

/// Messages about the collection inside a package.
struct Source<'a> {
    package: &'a Path,
    entry: &'a str,
}

impl Source<'_> {
    fn refuse(&self, message: impl std::fmt::Display) -> Error {
        Error::input(
            self.package,
            None,
            format!("{message}; refusing the package"),
        )
    }

    /// A SQLite error while reading, as one sentence.
    fn sqlite(&self, e: impl Into<DbError>) -> Error {
        let e: DbError = e.into();
        let entry = self.entry;
        let has = |code| super::error::has_code(&e, code);
        if has(rusqlite::ffi::SQLITE_NOTADB) {
            Error::input(
                self.package,
                None,
                format!("the {entry} inside the package is not a SQLite database"),
            )
        } else if has(rusqlite::ffi::SQLITE_TOOBIG) {
            self.refuse(format_args!(
                "the {entry} inside the package holds a value too big to read (over {} MiB)",
                VALUE_LIMIT >> 20
            ))
        } else if has(rusqlite::ffi::SQLITE_INTERRUPT) {
            self.refuse(format_args!(
                "reading the {entry} inside the package took far more work than reading any Anki collection of its size"
            ))
        } else {
            Error::input(
                self.package,
                None,
                format!("the {entry} inside the package cannot be read: {e}"),
            )
        }
    }

    fn db(&self) -> impl Fn(Error) -> Error + '_ {
        move |e| match e {
            Error::Database(db) => self.sqlite(db),
            other => other,
        }
    }
}

/// Opens the private copy read-only, with everything a hostile schema could use switched off
/// or bounded: no views, triggers or untrusted functions, values of at most [`VALUE_LIMIT`]
/// bytes, temporary data in memory, and a budget of instructions proportional to the file.
fn open(file: &Path, source: &Source) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| source.sqlite(e))?;
    let size = std::fs::metadata(file)
        .map_err(|e| Error::io("read", file, e))?
        .len();
    harden(
        &conn,
        STEPS_BASE.saturating_add(size.saturating_mul(STEPS_PER_BYTE)),
    )
    .map_err(|e| source.sqlite(e))?;
    // Current collections sort names with Anki's own collation; any order will do to read.
    conn.create_collation("unicase", |a: &str, b: &str| {
        a.to_lowercase().cmp(&b.to_lowercase())
    })
    .map_err(|e| source.sqlite(e))?;
    Ok(conn)
}

/// The settings of [`open`] on any connection, with a budget of `steps` instructions.
fn harden(conn: &Connection, steps: u64) -> rusqlite::Result<()> {
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_VIEW, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_TRIGGER, false)?;
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, VALUE_LIMIT)?;
    conn.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, 100_000)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    let calls = steps / u64::from(STEP_GRAIN.unsigned_abs());
    let mut made = 0u64;
    conn.progress_handler(
        STEP_GRAIN,
        Some(move || {
            made += 1;
            made > calls
        }),
    );
    Ok(())
}

/// What `name` is in the collection: `None` when absent, else `pragma_table_list`'s type
/// (`table`, `view`, `virtual` or `shadow`).
fn kind_of(conn: &Connection, name: &str) -> rusqlite::Result<Option<String>> {
    conn.query_row(
        "SELECT type FROM pragma_table_list WHERE schema = 'main' AND name = ?1 COLLATE NOCASE",
        [name],
        |r| r.get(0),
    )
    .optional()
}

/// Checks that `table` is a real table with the columns jargon reads, no generated or hidden
/// column and no trigger. `Ok(false)` when there is no such table.
fn check_table(conn: &Connection, source: &Source, table: &Table) -> Result<bool> {
    let entry = source.entry;
    let name = table.name;
    match kind_of(conn, name)?.as_deref() {
        None => return Ok(false),
        Some("table") => {}
        Some(kind) => {
            let what = if kind == "view" {
                "a view"
            } else {
                "a virtual table"
            };
            return Err(source.refuse(format_args!(
                "'{name}' in the {entry} inside the package is {what}, not a table"
            )));
        }
    }
    let mut stmt = conn.prepare("SELECT name, hidden FROM pragma_table_xinfo(?1, 'main')")?;
    let columns = stmt
        .query_map([name], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    if let Some((column, _)) = columns.iter().find(|(_, hidden)| *hidden != 0) {
        return Err(source.refuse(format_args!(
            "the table '{name}' of the {entry} inside the package has a generated or hidden column '{column}', which an Anki collection never has"
        )));
    }
    for wanted in table.columns {
        if !columns.iter().any(|(c, _)| c.eq_ignore_ascii_case(wanted)) {
            return Err(Error::input(
                source.package,
                None,
                format!(
                    "the {entry} inside the package is not an Anki collection (its table '{name}' has no '{wanted}' column)"
                ),
            ));
        }
    }
    let trigger: Option<String> = conn
        .query_row(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?1 COLLATE NOCASE",
            [name],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(trigger) = trigger {
        return Err(source.refuse(format_args!(
            "the {entry} inside the package has a trigger '{trigger}' on the table '{name}', which an Anki collection never has"
        )));
    }
    Ok(true)
}

/// An opened and checked collection: [`Reader::tables`] reads the small tables (decks,
/// note types) as stored, [`Reader::each_card`] and [`Reader::each_review`] scan the cards and the
/// review log (the caller keeps what it needs to find them again: their rowids), and
/// [`Reader::each_note`] hands the notes over one at a time, while [`Reader::card`] and
/// [`Reader::review`] fetch a note's cards and their log by rowid. No table is ever held
/// whole as Anki rows. It is the `records::anki::AnkiRows` that `deck::apkg` converts.
pub struct Reader<'a> {
    conn: Connection,
    source: Source<'a>,
    decks: bool,
    notetypes: bool,
}

impl<'a> Reader<'a> {
    /// Opens the collection at `file` and checks its tables; `package` and `entry` name it in
    /// error messages.
    pub fn open(file: &Path, package: &'a Path, entry: &'a str) -> Result<Reader<'a>> {
        let source = Source { package, entry };
        let conn = open(file, &source)?;
        let (decks, notetypes) = check_tables(&conn, &source).map_err(source.db())?;
        Ok(Reader {
            conn,
            source,
            decks,
            notetypes,
        })
    }

    /// The collection's creation time, decks and note types, as stored (their JSON and
    /// protobuf are `deck::apkg_collection`'s to decode).
    pub fn tables(&self) -> Result<AnkiTables> {
        read_tables(&self.conn, self.decks, self.notetypes).map_err(self.source.db())
    }

    /// Calls `each` with every note, in the table's order (its rowid, which is Anki's note
    /// id); stops at the first error `each` returns.
    pub fn each_note(&self, mut each: impl FnMut(AnkiNote) -> Result<()>) -> Result<()> {
        let mut read = || -> Result<()> {
            let mut stmt = self
                .conn
                .prepare("SELECT id, guid, mid, mod, tags, flds FROM notes")?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                each(AnkiNote {
                    id: r.get(0)?,
                    guid: r.get(1)?,
                    notetype_id: r.get(2)?,
                    modified: r.get(3)?,
                    tags: r.get(4)?,
                    fields: r.get(5)?,
                })?;
            }
            Ok(())
        };
        read().map_err(self.source.db())
    }

    /// How many notes the collection holds (SQLite counts the table's pages, no row is read).
    pub fn note_count(&self) -> Result<usize> {
        let count: i64 = self
            .conn
            .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
            .map_err(|e| self.source.sqlite(e))?;
        Ok(usize::try_from(count).unwrap_or(0))
    }

    /// Calls `each` with every card and its rowid, in the table's order; stops at the first
    /// error `each` returns.
    pub fn each_card(&self, mut each: impl FnMut(i64, &AnkiCard) -> Result<()>) -> Result<()> {
        let sql = format!("SELECT rowid, {CARD_COLUMNS} FROM cards");
        self.scan(&sql, |r| each(r.get(0)?, &card_from_row(r, 1)?))
    }

    /// Calls `each` with every review log row and its rowid, in the table's order; stops at
    /// the first error `each` returns.
    pub fn each_review(&self, mut each: impl FnMut(i64, &AnkiReview) -> Result<()>) -> Result<()> {
        let sql = format!("SELECT rowid, {REVIEW_COLUMNS} FROM revlog");
        self.scan(&sql, |r| each(r.get(0)?, &review_from_row(r, 1)?))
    }

    /// The card at `rowid` (one found by [`Reader::each_card`]): a lookup by the table's
    /// own key, never a scan.
    pub fn card(&self, rowid: i64) -> Result<Option<AnkiCard>> {
        let sql = format!("SELECT {CARD_COLUMNS} FROM cards WHERE rowid = ?1");
        self.lookup(&sql, rowid, |r| card_from_row(r, 0))
    }

    /// The review log row at `rowid` (one found by [`Reader::each_review`]).
    pub fn review(&self, rowid: i64) -> Result<Option<AnkiReview>> {
        let sql = format!("SELECT {REVIEW_COLUMNS} FROM revlog WHERE rowid = ?1");
        self.lookup(&sql, rowid, |r| review_from_row(r, 0))
    }

    fn scan(&self, sql: &str, mut each: impl FnMut(&rusqlite::Row) -> Result<()>) -> Result<()> {
        let mut read = || -> Result<()> {
            let mut stmt = self.conn.prepare(sql)?;
            let mut rows = stmt.query([])?;
            while let Some(r) = rows.next()? {
                each(r)?;
            }
            Ok(())
        };
        read().map_err(self.source.db())
    }

    fn lookup<T>(
        &self,
        sql: &str,
        rowid: i64,
        row: impl FnOnce(&rusqlite::Row) -> rusqlite::Result<T>,
    ) -> Result<Option<T>> {
        let read = || -> Result<Option<T>> {
            Ok(self
                .conn
                .prepare_cached(sql)?
                .query_row([rowid], row)
                .optional()?)
        };
        read().map_err(self.source.db())
    }
}

const CARD_COLUMNS: &str =
    "id, nid, did, ord, mod, type, queue, due, ivl, factor, reps, lapses, odid, odue, data";
const REVIEW_COLUMNS: &str = "id, cid, ease, ivl, lastIvl, factor, time, type";

fn card_from_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<AnkiCard> {
    Ok(AnkiCard {
        id: r.get(at)?,
        note_id: r.get(at + 1)?,
        deck_id: r.get(at + 2)?,
        ord: r.get(at + 3)?,
        modified: r.get(at + 4)?,
        kind: r.get(at + 5)?,
        queue: r.get(at + 6)?,
        due: r.get(at + 7)?,
        interval: r.get(at + 8)?,
        factor: r.get(at + 9)?,
        reps: r.get(at + 10)?,
        lapses: r.get(at + 11)?,
        original_deck_id: r.get(at + 12)?,
        original_due: r.get(at + 13)?,
        fsrs_memory: match r.get_ref(at + 14)? {
            rusqlite::types::ValueRef::Text(data) => fsrs_memory_of(data),
            _ => None,
        },
    })
}

/// The FSRS memory state in a card's `data` JSON: `{"s": stability, "d": difficulty, ...}`
/// (Anki's `CardData`; it also keeps `dr`, the desired retention, `decay` and `lrt`, the last
/// review time, which jargon takes from its own settings and log). None unless both are
/// numbers that fit an `f32`.
fn fsrs_memory_of(data: &[u8]) -> Option<(f32, f32)> {
    #[derive(serde::Deserialize)]
    struct Memory {
        s: Option<f64>,
        d: Option<f64>,
    }
    if !data.contains(&b'"') {
        return None;
    }
    let memory: Memory = serde_json::from_slice(data).ok()?;
    let narrow = |v: f64| {
        let narrow = v as f32;
        narrow.is_finite().then_some(narrow)
    };
    Some((narrow(memory.s?)?, narrow(memory.d?)?))
}

fn review_from_row(r: &rusqlite::Row, at: usize) -> rusqlite::Result<AnkiReview> {
    Ok(AnkiReview {
        id: r.get(at)?,
        card_id: r.get(at + 1)?,
        ease: r.get(at + 2)?,
        interval: r.get(at + 3)?,
        last_interval: r.get(at + 4)?,
        factor: r.get(at + 5)?,
        time_ms: r.get(at + 6)?,
        kind: r.get(at + 7)?,
    })
}

/// Checks every table read; tells whether the `decks` and `notetypes` tables (schema 18)
/// are there.
fn check_tables(conn: &Connection, source: &Source) -> Result<(bool, bool)> {
    let entry = source.entry;
    let not_anki = |table: &str| {
        Error::input(
            source.package,
            None,
            format!(
                "the {entry} inside the package is not an Anki collection (it has no '{table}' table)"
            ),
        )
    };
    for table in [&COL, &NOTES, &CARDS, &REVLOG] {
        if !check_table(conn, source, table)? {
            return Err(not_anki(table.name));
        }
    }
    let decks = check_table(conn, source, &DECKS)?;
    let notetypes = check_table(conn, source, &NOTETYPES)?;
    if notetypes {
        for table in [&FIELDS, &TEMPLATES] {
            if !check_table(conn, source, table)? {
                return Err(not_anki(table.name));
            }
        }
    }
    Ok((decks, notetypes))
}

/// The collection's creation time and the rows of its small tables: `col` always, the
/// `decks` table and the note type tables where they exist (schema 18).
fn read_tables(conn: &Connection, decks_table: bool, notetypes_table: bool) -> Result<AnkiTables> {
    let (crt, decks_json, models_json): (i64, String, String) =
        conn.query_row("SELECT crt, decks, models FROM col LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let decks = if decks_table {
        let mut stmt = conn.prepare("SELECT id, name FROM decks")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        Some(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    } else {
        None
    };
    let notetypes = if notetypes_table {
        Some(notetype_tables(conn)?)
    } else {
        None
    };
    Ok(AnkiTables {
        crt,
        decks_json,
        models_json,
        decks,
        notetypes,
    })
}

/// The rows of a schema 18 collection's note type tables; templates of a note type the
/// collection does not have are not kept.
fn notetype_tables(conn: &Connection) -> Result<NotetypeTables> {
    let mut tables = NotetypeTables::default();
    let mut stmt = conn.prepare("SELECT id, name, mtime_secs, config FROM notetypes")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        tables.notetypes.push(NotetypeRow {
            id: r.get(0)?,
            name: r.get(1)?,
            modified: r.get(2)?,
            config: blob_of(r.get_ref(3)?).to_vec(),
        });
    }
    let mut stmt = conn.prepare("SELECT ntid, ord, name FROM fields")?;
    tables.fields = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let known: HashSet<i64> = tables.notetypes.iter().map(|n| n.id).collect();
    let mut stmt = conn.prepare("SELECT ntid, ord, name, config FROM templates")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let notetype_id: i64 = r.get(0)?;
        // Templates of a note type the collection does not have are not kept.
        if !known.contains(&notetype_id) {
            continue;
        }
        tables.templates.push(TemplateRow {
            notetype_id,
            ord: r.get(1)?,
            name: r.get(2)?,
            config: blob_of(r.get_ref(3)?).to_vec(),
        });
    }
    Ok(tables)
}

/// A config column's bytes: a blob as Anki writes it (or text); anything else is empty.
fn blob_of(value: rusqlite::types::ValueRef<'_>) -> &[u8] {
    match value {
        rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => b,
        _ => &[],
    }
}

impl AnkiRows for Reader<'_> {
    fn tables(&self) -> Result<AnkiTables> {
        Reader::tables(self)
    }

    fn note_count(&self) -> Result<usize> {
        Reader::note_count(self)
    }

    fn each_note(&self, each: &mut dyn FnMut(AnkiNote) -> Result<()>) -> Result<()> {
        Reader::each_note(self, each)
    }

    fn each_card(&self, each: &mut dyn FnMut(i64, &AnkiCard) -> Result<()>) -> Result<()> {
        Reader::each_card(self, each)
    }

    fn each_review(&self, each: &mut dyn FnMut(i64, &AnkiReview) -> Result<()>) -> Result<()> {
        Reader::each_review(self, each)
    }

    fn card(&self, rowid: i64) -> Result<Option<AnkiCard>> {
        Reader::card(self, rowid)
    }

    fn review(&self, rowid: i64) -> Result<Option<AnkiReview>> {
        Reader::review(self, rowid)
    }
}

/// Opens [`Reader`]s: what `deck::apkg` is given to read a package's collection.
#[derive(Debug, Clone, Copy, Default)]
pub struct Opener;

impl OpenAnki for Opener {
    fn open<'a>(
        &self,
        file: &Path,
        package: &'a Path,
        entry: &'a str,
    ) -> Result<Box<dyn AnkiRows + 'a>> {
        Ok(Box::new(Reader::open(file, package, entry)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_instruction_budget_stops_a_query_that_never_ends() {
        let conn = Connection::open_in_memory().unwrap();
        harden(&conn, 1_000_000).unwrap();
        let err = conn
            .query_row(
                "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r)
                 SELECT count(*) FROM r",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_err();
        assert_eq!(
            err.sqlite_error_code(),
            Some(rusqlite::ErrorCode::OperationInterrupted),
            "{err}"
        );
        let source = Source {
            package: Path::new("x.apkg"),
            entry: "collection.anki2",
        };
        let message = source.sqlite(err).to_string();
        assert!(
            message.starts_with("x.apkg: reading the collection.anki2"),
            "{message}"
        );
        assert!(message.ends_with("refusing the package"), "{message}");
    }

    #[test]
    fn values_past_the_limit_and_views_are_refused_by_sqlite_itself() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (v); INSERT INTO t VALUES (zeroblob(9000000));
             CREATE VIEW w AS SELECT 1;",
        )
        .unwrap();
        harden(&conn, u64::MAX).unwrap();
        let err = conn
            .query_row("SELECT v FROM t", [], |r| r.get::<_, Vec<u8>>(0))
            .unwrap_err();
        assert_eq!(err.sqlite_error_code(), Some(rusqlite::ErrorCode::TooBig));
        assert!(conn.query_row("SELECT * FROM w", [], |_| Ok(())).is_err());
    }
}
