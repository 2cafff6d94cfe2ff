//! Fuzzes what is inside a valid Anki package: the input is a list of edits (set a cell to
//! a value, splice text into a cell, delete or copy a row) applied to one of the test
//! fixtures' collections, which is then packed into an `.apkg` and read by `import::load`.
//! Raw byte mutation of a SQLite file mostly breaks its page structure; edits reach the
//! converter with hostile ids, due dates, intervals, note types and JSON.
#![no_main]

use std::io::{Read, Write};
use std::path::Path;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use jargon::deck::{Format, LoadOptions};
use jargon_fuzz::{check_loaded, clock};
use libfuzzer_sys::fuzz_target;
use rusqlite::types::Value as SqlValue;

#[derive(Debug, Arbitrary)]
enum Value {
    Int(i64),
    Small(i8),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
    Null,
}

#[derive(Debug, Arbitrary)]
enum Edit {
    Set {
        table: u8,
        row: u8,
        column: u8,
        value: Value,
    },
    /// Replaces `remove` bytes at `at` in a cell's text (JSON of note types, fields).
    Splice {
        table: u8,
        row: u8,
        column: u8,
        at: u16,
        remove: u8,
        insert: String,
    },
    Delete {
        table: u8,
        row: u8,
    },
    Copy {
        table: u8,
        row: u8,
    },
}

#[derive(Debug, Arbitrary)]
struct Input {
    base: u8,
    edits: Vec<Edit>,
}

/// The fixtures' collections, uncompressed SQLite files.
fn bases() -> &'static [Vec<u8>] {
    static BASES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    BASES.get_or_init(|| {
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
        let mut bases = vec![];
        for (package, entry, zstd) in [
            ("anki-scheduled.apkg", "collection.anki21b", true),
            ("anki-scheduled-legacy.apkg", "collection.anki21", false),
            ("genanki-reversed.apkg", "collection.anki2", false),
        ] {
            let file = std::fs::File::open(fixtures.join(package)).expect("the fixture exists");
            let mut archive = zip::ZipArchive::new(file).expect("the fixture is a zip");
            let mut bytes = vec![];
            archive
                .by_name(entry)
                .expect("the fixture holds its collection")
                .read_to_end(&mut bytes)
                .expect("the fixture reads");
            if zstd {
                bytes = zstd::decode_all(&bytes[..]).expect("the fixture decompresses");
            }
            bases.push(bytes);
        }
        bases
    })
}

fn sql(value: Value) -> SqlValue {
    match value {
        Value::Int(i) => SqlValue::Integer(i),
        Value::Small(i) => SqlValue::Integer(i64::from(i)),
        Value::Real(f) => SqlValue::Real(f),
        Value::Text(s) => SqlValue::Text(s),
        Value::Blob(b) => SqlValue::Blob(b),
        Value::Null => SqlValue::Null,
    }
}

/// The user tables and their columns.
fn schema(conn: &rusqlite::Connection) -> rusqlite::Result<Vec<(String, Vec<String>)>> {
    let mut stmt = conn.prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )?;
    let names: Vec<String> = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut tables = vec![];
    for name in names {
        let mut stmt = conn.prepare(&format!("PRAGMA table_info(\"{name}\")"))?;
        let columns: Vec<String> = stmt
            .query_map([], |r| r.get(1))?
            .collect::<rusqlite::Result<_>>()?;
        if !columns.is_empty() {
            tables.push((name, columns));
        }
    }
    Ok(tables)
}

/// Applies the edits; each one that SQLite refuses (a constraint) is skipped.
fn apply(conn: &rusqlite::Connection, edits: Vec<Edit>) -> rusqlite::Result<()> {
    let tables = schema(conn)?;
    if tables.is_empty() {
        return Ok(());
    }
    let pick = |table: u8| &tables[usize::from(table) % tables.len()];
    let row_id = |table: &str, row: u8| -> Option<i64> {
        let count: i64 = conn
            .query_row(&format!("SELECT count(*) FROM \"{table}\""), [], |r| {
                r.get(0)
            })
            .ok()?;
        if count == 0 {
            return None;
        }
        conn.query_row(
            &format!("SELECT rowid FROM \"{table}\" ORDER BY rowid LIMIT 1 OFFSET ?1"),
            [i64::from(row) % count],
            |r| r.get(0),
        )
        .ok()
    };
    for edit in edits {
        match edit {
            Edit::Set {
                table,
                row,
                column,
                value,
            } => {
                let (name, columns) = pick(table);
                let column = &columns[usize::from(column) % columns.len()];
                if let Some(id) = row_id(name, row) {
                    let _ = conn.execute(
                        &format!("UPDATE \"{name}\" SET \"{column}\" = ?1 WHERE rowid = ?2"),
                        rusqlite::params![sql(value), id],
                    );
                }
            }
            Edit::Splice {
                table,
                row,
                column,
                at,
                remove,
                insert,
            } => {
                let (name, columns) = pick(table);
                let column = &columns[usize::from(column) % columns.len()];
                let Some(id) = row_id(name, row) else {
                    continue;
                };
                let Ok(mut text) = conn.query_row(
                    &format!("SELECT CAST(\"{column}\" AS TEXT) FROM \"{name}\" WHERE rowid = ?1"),
                    [id],
                    |r| r.get::<_, String>(0),
                ) else {
                    continue;
                };
                let mut start = usize::from(at) % (text.len() + 1);
                while !text.is_char_boundary(start) {
                    start -= 1;
                }
                let mut end = (start + usize::from(remove)).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(start..end, &insert);
                let _ = conn.execute(
                    &format!("UPDATE \"{name}\" SET \"{column}\" = ?1 WHERE rowid = ?2"),
                    rusqlite::params![text, id],
                );
            }
            Edit::Delete { table, row } => {
                let (name, _) = pick(table);
                if let Some(id) = row_id(name, row) {
                    let _ = conn.execute(&format!("DELETE FROM \"{name}\" WHERE rowid = ?1"), [id]);
                }
            }
            Edit::Copy { table, row } => {
                let (name, columns) = pick(table);
                if let Some(id) = row_id(name, row) {
                    // The copy keeps every column; a primary key clash is skipped, so the
                    // copy gets a fresh id when the first column is an integer key.
                    let list = columns
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let rest = columns[1..]
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let copied = conn.execute(
                        &format!("INSERT INTO \"{name}\" ({list}) SELECT {list} FROM \"{name}\" WHERE rowid = ?1"),
                        [id],
                    );
                    if copied.is_err() && !rest.is_empty() {
                        let first = &columns[0];
                        let _ = conn.execute(
                            &format!(
                                "INSERT INTO \"{name}\" (\"{first}\", {rest}) SELECT (SELECT max(\"{first}\") + 1 FROM \"{name}\"), {rest} FROM \"{name}\" WHERE rowid = ?1"
                            ),
                            [id],
                        );
                    }
                }
            }
        }
    }
    Ok(())
}

fuzz_target!(|input: Input| {
    let bases = bases();
    let base = &bases[usize::from(input.base) % bases.len()];
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let collection = dir.path().join("collection.sqlite");
    if std::fs::write(&collection, base).is_err() {
        return;
    }
    {
        let Ok(conn) = rusqlite::Connection::open(&collection) else {
            return;
        };
        // Anki's collation, so indexes on names stay usable while editing.
        let _ = conn.create_collation("unicase", |a: &str, b: &str| {
            a.to_lowercase().cmp(&b.to_lowercase())
        });
        if apply(&conn, input.edits).is_err() {
            return;
        }
    }
    let Ok(bytes) = std::fs::read(&collection) else {
        return;
    };
    let path = dir.path().join("fuzz.apkg");
    let Ok(file) = std::fs::File::create(&path) else {
        return;
    };
    let mut zip = zip::ZipWriter::new(file);
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    if zip.start_file("collection.anki21", stored).is_err()
        || zip.write_all(&bytes).is_err()
        || zip.finish().is_err()
    {
        return;
    }
    let options = LoadOptions {
        deck: None,
        format: Some(Format::Apkg),
        clock: Some(clock()),
    };
    match jargon::import::load(&path, &options) {
        Ok(loaded) => check_loaded(&loaded),
        Err(e) => assert_eq!(e.exit_code(), 1, "{e}"),
    }
});
