//! Reading an Anki collection: the SQLite file inside an `.apkg`, already copied to a private
//! temporary file. Read only; both the legacy schema (11: decks and note types as JSON in
//! `col`) and the current one (18: `decks`, `notetypes`, `fields` and `templates` tables) are
//! understood.

use std::collections::HashMap;
use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{Error, Result};

/// A note type: its name, field names and number of card templates.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnkiNotetype {
    pub name: String,
    pub fields: Vec<String>,
    pub templates: usize,
    /// A cloze note type: its cards are deletions of one text, not directions.
    pub cloze: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiNote {
    pub id: i64,
    pub guid: String,
    pub notetype_id: i64,
    /// Unix seconds.
    pub modified: i64,
    /// Space-separated, as Anki stores them.
    pub tags: String,
    /// The fields, separated by 0x1f.
    pub fields: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnkiCard {
    pub id: i64,
    pub note_id: i64,
    pub deck_id: i64,
    pub ord: i64,
    /// Unix seconds.
    pub modified: i64,
    /// 0 new, 1 learning, 2 review, 3 relearning.
    pub kind: i64,
    /// -3/-2 buried, -1 suspended, 0 new, 1 learning (due in unix seconds), 2 review,
    /// 3 learning across days (due a day number), 4 preview.
    pub queue: i64,
    pub due: i64,
    pub interval: i64,
    pub factor: i64,
    pub reps: i64,
    pub lapses: i64,
    /// In a filtered deck: the home deck and its due there (0 when not filtered).
    pub original_deck_id: i64,
    pub original_due: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnkiReview {
    /// Unix milliseconds of the answer.
    pub id: i64,
    pub card_id: i64,
    /// The button, 1 to 4; 0 for a manual rescheduling.
    pub ease: i64,
    /// Days when positive, seconds when negative.
    pub interval: i64,
    pub last_interval: i64,
    pub factor: i64,
    pub time_ms: i64,
    /// 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled.
    pub kind: i64,
}

/// Everything jargon reads from an Anki collection.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnkiCollection {
    /// Creation time (unix seconds): review cards' due days count from its day.
    pub crt: i64,
    pub decks: HashMap<i64, String>,
    pub notetypes: HashMap<i64, AnkiNotetype>,
    pub notes: Vec<AnkiNote>,
    pub cards: Vec<AnkiCard>,
    pub revlog: Vec<AnkiReview>,
}

#[derive(serde::Deserialize)]
struct LegacyDeck {
    name: String,
}

#[derive(serde::Deserialize)]
struct LegacyField {
    name: String,
}

#[derive(serde::Deserialize)]
struct LegacyNotetype {
    name: String,
    #[serde(default)]
    flds: Vec<LegacyField>,
    #[serde(default)]
    tmpls: Vec<serde_json::Value>,
    #[serde(default, rename = "type")]
    kind: i64,
}

fn has_table(conn: &Connection, name: &str) -> Result<bool> {
    Ok(conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            [name],
            |_| Ok(()),
        )
        .optional()?
        .is_some())
}

/// Reads the collection at `file`; `package` and `entry` name it in error messages.
pub fn read(file: &Path, package: &Path, entry: &str) -> Result<AnkiCollection> {
    let damaged = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::input(
            package,
            None,
            format!("the {entry} inside the package is not a SQLite database"),
        ),
        _ => Error::input(
            package,
            None,
            format!("the {entry} inside the package cannot be read: {e}"),
        ),
    };
    // A private copy, so read-write is harmless and lets SQLite open a WAL-mode file.
    let conn = Connection::open_with_flags(
        file,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(damaged)?;
    // Current collections sort names with Anki's own collation; any order will do to read.
    conn.create_collation("unicase", |a: &str, b: &str| {
        a.to_lowercase().cmp(&b.to_lowercase())
    })
    .map_err(damaged)?;
    for table in ["col", "notes", "cards", "revlog"] {
        if !has_table(&conn, table).map_err(|e| match e {
            Error::Database(db) => damaged(db),
            other => other,
        })? {
            return Err(Error::input(
                package,
                None,
                format!(
                    "the {entry} inside the package is not an Anki collection (it has no '{table}' table)"
                ),
            ));
        }
    }
    read_tables(&conn, package, entry).map_err(|e| match e {
        Error::Database(db) => damaged(db),
        other => other,
    })
}

fn read_tables(conn: &Connection, package: &Path, entry: &str) -> Result<AnkiCollection> {
    let bad_json = |what: &str, e: serde_json::Error| {
        Error::input(
            package,
            None,
            format!("the {what} of the {entry} inside the package are not valid JSON: {e}"),
        )
    };
    let (crt, decks_json, models_json): (i64, String, String) =
        conn.query_row("SELECT crt, decks, models FROM col LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?;
    let mut collection = AnkiCollection {
        crt,
        ..AnkiCollection::default()
    };
    if has_table(conn, "decks")? {
        let mut stmt = conn.prepare("SELECT id, name FROM decks")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, name) = row?;
            // Schema 18 separates sub-decks with 0x1f.
            collection.decks.insert(id, name.replace('\u{1f}', "::"));
        }
    } else if !decks_json.trim().is_empty() {
        let decks: HashMap<String, LegacyDeck> =
            serde_json::from_str(&decks_json).map_err(|e| bad_json("decks", e))?;
        for (id, deck) in decks {
            if let Ok(id) = id.parse::<i64>() {
                collection.decks.insert(id, deck.name);
            }
        }
    }
    if has_table(conn, "notetypes")? {
        let mut stmt = conn.prepare("SELECT id, name FROM notetypes")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, name) = row?;
            collection.notetypes.insert(
                id,
                AnkiNotetype {
                    name,
                    ..AnkiNotetype::default()
                },
            );
        }
        let mut stmt = conn.prepare("SELECT ntid, name FROM fields ORDER BY ntid, ord")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?;
        for row in rows {
            let (id, name) = row?;
            if let Some(notetype) = collection.notetypes.get_mut(&id) {
                notetype.fields.push(name);
            }
        }
        let mut stmt = conn.prepare("SELECT ntid, count(*) FROM templates GROUP BY ntid")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))?;
        for row in rows {
            let (id, count) = row?;
            if let Some(notetype) = collection.notetypes.get_mut(&id) {
                notetype.templates = usize::try_from(count).unwrap_or(0);
            }
        }
    } else if !models_json.trim().is_empty() {
        let models: HashMap<String, LegacyNotetype> =
            serde_json::from_str(&models_json).map_err(|e| bad_json("note types", e))?;
        for (id, model) in models {
            if let Ok(id) = id.parse::<i64>() {
                collection.notetypes.insert(
                    id,
                    AnkiNotetype {
                        name: model.name,
                        fields: model.flds.into_iter().map(|f| f.name).collect(),
                        templates: model.tmpls.len(),
                        cloze: model.kind == 1,
                    },
                );
            }
        }
    }
    let mut stmt = conn.prepare("SELECT id, guid, mid, mod, tags, flds FROM notes ORDER BY id")?;
    collection.notes = stmt
        .query_map([], |r| {
            Ok(AnkiNote {
                id: r.get(0)?,
                guid: r.get(1)?,
                notetype_id: r.get(2)?,
                modified: r.get(3)?,
                tags: r.get(4)?,
                fields: r.get(5)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare(
        "SELECT id, nid, did, ord, mod, type, queue, due, ivl, factor, reps, lapses, odid, odue
         FROM cards ORDER BY nid, ord",
    )?;
    collection.cards = stmt
        .query_map([], |r| {
            Ok(AnkiCard {
                id: r.get(0)?,
                note_id: r.get(1)?,
                deck_id: r.get(2)?,
                ord: r.get(3)?,
                modified: r.get(4)?,
                kind: r.get(5)?,
                queue: r.get(6)?,
                due: r.get(7)?,
                interval: r.get(8)?,
                factor: r.get(9)?,
                reps: r.get(10)?,
                lapses: r.get(11)?,
                original_deck_id: r.get(12)?,
                original_due: r.get(13)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut stmt = conn.prepare(
        "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY cid, id",
    )?;
    collection.revlog = stmt
        .query_map([], |r| {
            Ok(AnkiReview {
                id: r.get(0)?,
                card_id: r.get(1)?,
                ease: r.get(2)?,
                interval: r.get(3)?,
                last_interval: r.get(4)?,
                factor: r.get(5)?,
                time_ms: r.get(6)?,
                kind: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(collection)
}
