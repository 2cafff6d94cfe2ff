//! The statement a large import writes its notes with: many rows per `INSERT`, only the
//! columns its notes fill, each statement prepared once per shape and kept for the import.
//!
//! Written through rusqlite's safe API: each string is bound with `raw_bind_parameter`, so
//! SQLite copies it (`SQLITE_TRANSIENT`) before the row is built. An earlier version bound the
//! caller's bytes in place through SQLite's C interface to save those copies; bench/README.md
//! has what the safe path costs (a few per cent of a 100,000-row import).
#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use rusqlite::{Connection, PrepFlags, Statement};

use crate::error::{Error, Result};
use crate::model::NoteFields;

/// Notes written by one INSERT statement: at this size running a statement costs more than
/// storing a row.
const NOTES_PER_STATEMENT: usize = 32;

/// A note's columns, in the order a statement lists them. The ones a note may leave at the
/// table's default (see [`Column::optional`]) are left out of a statement when every note it
/// writes does: each value bound costs SQLite as much as a column stored, and a spreadsheet
/// seldom fills them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Deck,
    Key,
    Guid,
    Term,
    Definition,
    Example,
    Aliases,
    Tags,
    Related,
    Source,
    /// `created_at` and `modified_at`, one value.
    Created,
    /// The note's type, its fields (another type than vocab) and its cards: `notetype_id`,
    /// `fields`, `cards`, `card_span` and `fresh` (which is `cards`), four values.
    Shape,
}

impl Column {
    const ALL: [Column; 12] = [
        Column::Deck,
        Column::Key,
        Column::Guid,
        Column::Term,
        Column::Definition,
        Column::Example,
        Column::Aliases,
        Column::Tags,
        Column::Related,
        Column::Source,
        Column::Created,
        Column::Shape,
    ];

    /// Its bit in a [`ColumnSet`] when a note may leave it at the table's default.
    fn optional(self) -> Option<u8> {
        match self {
            Column::Guid => Some(1),
            Column::Example => Some(2),
            Column::Aliases => Some(4),
            Column::Tags => Some(8),
            Column::Related => Some(16),
            Column::Source => Some(32),
            Column::Shape => Some(64),
            Column::Deck | Column::Key | Column::Term | Column::Definition | Column::Created => {
                None
            }
        }
    }

    fn sql(self) -> &'static str {
        match self {
            Column::Deck => "deck_id",
            Column::Key => "key",
            Column::Guid => "guid",
            Column::Term => "term",
            Column::Definition => "definition",
            Column::Example => "example",
            Column::Aliases => "aliases",
            Column::Tags => "tags",
            Column::Related => "related",
            Column::Source => "source",
            Column::Created => "created_at, modified_at",
            Column::Shape => "notetype_id, fields, cards, card_span, fresh",
        }
    }
}

/// The optional columns some note needs: a bit per [`Column::optional`].
type ColumnSet = u8;

/// The optional columns `fields` gives a value other than the table's default.
fn needed(fields: &NoteFields) -> ColumnSet {
    let mut set = 0;
    for (bit, given) in [
        (1, fields.guid.is_some()),
        (2, !fields.example.is_empty()),
        (4, !fields.aliases.is_empty()),
        (8, !fields.tags.is_empty()),
        (16, !fields.related.is_empty()),
        (32, !fields.source.is_empty()),
        (64, fields.rich.is_some() || fields.forward_only),
    ] {
        if given {
            set |= bit;
        }
    }
    set
}

/// Inserts any number of notes: full statements of [`NOTES_PER_STATEMENT`], then the rest one
/// by one, each statement with the columns its notes need (prepared the first time).
pub(crate) struct NoteWriter<'c> {
    conn: &'c Connection,
    /// Prepared statements by (notes per run, optional columns).
    statements: HashMap<(usize, ColumnSet), NoteInsert<'c>>,
    /// Stored note type ids of the types met so far, by the type's address.
    notetypes: HashMap<*const crate::model::NoteTypeInput, i64>,
}

impl<'c> NoteWriter<'c> {
    pub fn prepare(conn: &'c Connection) -> Result<NoteWriter<'c>> {
        Ok(NoteWriter {
            conn,
            statements: HashMap::new(),
            notetypes: HashMap::new(),
        })
    }

    pub fn insert(&mut self, rows: &[NoteRow], now_secs: i64) -> Result<()> {
        let mut chunks = rows.chunks_exact(NOTES_PER_STATEMENT);
        for chunk in chunks.by_ref() {
            self.run(chunk, now_secs)?;
        }
        for row in chunks.remainder().chunks(1) {
            self.run(row, now_secs)?;
        }
        Ok(())
    }

    fn run(&mut self, rows: &[NoteRow], now_secs: i64) -> Result<()> {
        let columns = rows.iter().fold(0, |set, row| set | needed(row.fields));
        let mut shapes = Vec::new();
        if columns & 64 != 0 {
            for row in rows {
                shapes.push(self.shape(row.fields)?);
            }
        }
        let insert = match self.statements.entry((rows.len(), columns)) {
            Entry::Occupied(found) => found.into_mut(),
            Entry::Vacant(slot) => {
                slot.insert(NoteInsert::prepare_with(self.conn, rows.len(), columns)?)
            }
        };
        insert.run_shaped(rows, &shapes, now_secs)
    }

    /// What [`Column::Shape`] writes for a note.
    fn shape(&mut self, fields: &NoteFields) -> Result<Shape> {
        let cards = fields.card_mask();
        let (notetype_id, values) = match &fields.rich {
            None => (crate::model::VOCAB_NOTETYPE, None),
            Some(rich) => {
                let key = std::sync::Arc::as_ptr(&rich.notetype);
                let id = match self.notetypes.get(&key) {
                    Some(id) => *id,
                    None => {
                        let id = super::notetypes::resolve(self.conn, &rich.notetype)?;
                        self.notetypes.insert(key, id);
                        id
                    }
                };
                (id, Some(super::encode_json_list_text(&rich.values)))
            }
        };
        if cards == 0 {
            return Err(Error::failed(format!("note '{}' has no card", fields.key)));
        }
        Ok(Shape {
            notetype_id,
            fields: values,
            // A mask of ords 0 to 63 in an i64: the same 64 bits.
            cards: cards as i64,
            span: span_of(cards),
        })
    }
}

/// One note to write: its id, its deck's id and its fields. The ids of the rows given to one
/// [`NoteWriter::insert`] follow one another, from one more than the largest id in the table.
pub(crate) struct NoteRow<'a> {
    pub id: i64,
    pub deck_id: i64,
    pub fields: &'a NoteFields,
}

/// A note's type and cards as [`Column::Shape`] writes them.
struct Shape {
    notetype_id: i64,
    /// The fields as a JSON list (another type than vocab), or none.
    fields: Option<String>,
    cards: i64,
    span: i64,
}

/// The highest ord + 1 of a card mask (at least 1).
fn span_of(cards: u64) -> i64 {
    i64::from(64 - cards.leading_zeros()).max(1)
}

/// `INSERT OR ROLLBACK INTO notes (...) VALUES (...), (...)` for `rows` notes and `columns`.
///
/// The id is left to SQLite, which gives each row one more than the largest id in the table:
/// the ids the caller planned, as [`NoteInsert::run`] checks. A given id would cost a search
/// of the table from its root for every row (SQLite checks that the id is free, and its cursor
/// forgets where the last row went), a sixth of the import; a new id is appended where the
/// last one was.
fn insert_sql(rows: usize, columns: &[Column]) -> String {
    // OR ROLLBACK: a failure ends the whole import anyway, and a statement that cannot stop
    // halfway needs no statement journal.
    let names: Vec<&str> = columns.iter().map(|c| c.sql()).collect();
    let mut sql = format!(
        "INSERT OR ROLLBACK INTO notes ({}) VALUES ",
        names.join(", ")
    );
    let mut parameter = 0;
    for row in 0..rows {
        sql.push_str(if row > 0 { ", (" } else { "(" });
        for (i, column) in columns.iter().enumerate() {
            parameter += 1;
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("?{parameter}"));
            if *column == Column::Created {
                sql.push_str(&format!(", ?{parameter}"));
            }
            if *column == Column::Shape {
                let first = parameter;
                parameter += 3;
                sql.push_str(&format!(
                    ", ?{}, ?{}, ?{}, ?{}",
                    first + 1,
                    first + 2,
                    first + 3,
                    first + 2
                ));
            }
        }
        sql.push(')');
    }
    sql
}

/// A prepared insert of exactly `rows` notes per run.
pub(crate) struct NoteInsert<'c> {
    stmt: Statement<'c>,
    conn: &'c Connection,
    rows: usize,
    /// The columns it writes, in order; the others keep the table's defaults.
    columns: Vec<Column>,
    /// JSON text of the aliases, tags and related keys of each row, reused run after run
    /// (a row whose list is the row before's binds that row's text).
    lists: Vec<String>,
    /// The buffer JSON is written to before it goes to [`NoteInsert::lists`] as text.
    scratch: Vec<u8>,
}

impl<'c> NoteInsert<'c> {
    /// An insert of `rows` notes into every column.
    #[cfg(test)]
    pub fn prepare(conn: &'c Connection, rows: usize) -> Result<NoteInsert<'c>> {
        NoteInsert::prepare_with(conn, rows, ColumnSet::MAX)
    }

    /// An insert of `rows` notes, of the optional columns in `optional` and the others.
    fn prepare_with(
        conn: &'c Connection,
        rows: usize,
        optional: ColumnSet,
    ) -> Result<NoteInsert<'c>> {
        let columns: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| c.optional().is_none_or(|bit| optional & bit != 0))
            .collect();
        let sql = insert_sql(rows, &columns);
        // Persistent: the statement is run for the whole import.
        let stmt = conn.prepare_with_flags(&sql, PrepFlags::SQLITE_PREPARE_PERSISTENT)?;
        Ok(NoteInsert {
            stmt,
            conn,
            rows,
            columns,
            lists: vec![String::new(); rows * 3],
            scratch: Vec::new(),
        })
    }

    /// Writes exactly as many notes as the statement was prepared for, whose ids follow one
    /// another from one more than the largest in the table.
    #[cfg(test)]
    pub fn run(&mut self, notes: &[NoteRow], now_secs: i64) -> Result<()> {
        let shapes: Vec<Shape> = notes
            .iter()
            .map(|n| Shape {
                notetype_id: crate::model::VOCAB_NOTETYPE,
                fields: None,
                cards: n.fields.card_mask() as i64,
                span: span_of(n.fields.card_mask()),
            })
            .collect();
        self.run_shaped(notes, &shapes, now_secs)
    }

    /// [`NoteInsert::run`] with each note's [`Shape`] (none when the statement writes none).
    fn run_shaped(&mut self, notes: &[NoteRow], shapes: &[Shape], now_secs: i64) -> Result<()> {
        if notes.len() != self.rows {
            return Err(Error::failed(format!(
                "{} notes given to an insert of {}",
                notes.len(),
                self.rows
            )));
        }
        if notes.windows(2).any(|pair| pair[1].id != pair[0].id + 1) {
            return Err(Error::failed(
                "the ids of the notes to insert do not follow one another",
            ));
        }
        for (row, note) in notes.iter().enumerate() {
            for (slot, column, list) in [
                (0, Column::Aliases, &note.fields.aliases),
                (1, Column::Tags, &note.fields.tags),
                (2, Column::Related, &note.fields.related),
            ] {
                if !self.columns.contains(&column) {
                    continue;
                }
                let previous = row.checked_sub(1).map(|before| &notes[before].fields);
                let same = previous.is_some_and(|before| {
                    list == match slot {
                        0 => &before.aliases,
                        1 => &before.tags,
                        _ => &before.related,
                    }
                });
                if same {
                    // A file's rows often share their tags: copied rather than encoded again.
                    let (done, rest) = self.lists.split_at_mut(row * 3 + slot);
                    rest[0].clone_from(&done[(row - 1) * 3 + slot]);
                } else {
                    self.scratch.clear();
                    super::encode_json_list(list, &mut self.scratch);
                    let buffer = &mut self.lists[row * 3 + slot];
                    buffer.clear();
                    buffer.push_str(text(&self.scratch)?);
                }
            }
        }
        let result = self.bind_and_step(notes, shapes, now_secs);
        // SQLite holds its own copy of each bound string; clearing them frees those copies
        // rather than keeping a statement's worth of text until the next run.
        self.stmt.clear_bindings();
        result
    }

    fn bind_and_step(&mut self, notes: &[NoteRow], shapes: &[Shape], now_secs: i64) -> Result<()> {
        let stmt = &mut self.stmt;
        let mut parameter = 0;
        for (row, note) in notes.iter().enumerate() {
            let f = note.fields;
            for column in &self.columns {
                parameter += 1;
                let p = parameter;
                match column {
                    Column::Deck => stmt.raw_bind_parameter(p, note.deck_id)?,
                    Column::Key => stmt.raw_bind_parameter(p, f.key.as_str())?,
                    Column::Guid => stmt.raw_bind_parameter(p, f.guid.as_deref())?,
                    Column::Term => stmt.raw_bind_parameter(p, f.term.as_str())?,
                    Column::Definition => stmt.raw_bind_parameter(p, f.definition.as_str())?,
                    Column::Example => stmt.raw_bind_parameter(p, f.example.as_str())?,
                    Column::Aliases => stmt.raw_bind_parameter(p, self.lists[row * 3].as_str())?,
                    Column::Tags => stmt.raw_bind_parameter(p, self.lists[row * 3 + 1].as_str())?,
                    Column::Related => {
                        stmt.raw_bind_parameter(p, self.lists[row * 3 + 2].as_str())?
                    }
                    Column::Source => stmt.raw_bind_parameter(p, f.source.as_str())?,
                    Column::Created => stmt.raw_bind_parameter(p, now_secs)?,
                    Column::Shape => {
                        let shape = shapes.get(row).ok_or_else(|| {
                            Error::failed("a note to insert has no type and cards")
                        })?;
                        stmt.raw_bind_parameter(p, shape.notetype_id)?;
                        stmt.raw_bind_parameter(p + 1, shape.fields.as_deref())?;
                        stmt.raw_bind_parameter(p + 2, shape.cards)?;
                        stmt.raw_bind_parameter(p + 3, shape.span)?;
                        parameter += 3;
                    }
                }
            }
        }
        // Steps and resets the statement.
        stmt.raw_execute()?;
        // The rows got consecutive ids (one statement, one more than the largest each time),
        // so they are the planned ones when the last one is.
        let last = self.conn.last_insert_rowid();
        match notes.last() {
            Some(note) if note.id != last => Err(Error::failed(format!(
                "note {} was stored under id {last}",
                note.id
            ))),
            _ => Ok(()),
        }
    }
}

/// A list's JSON as text: bound as bytes it would be stored as a blob.
fn text(json: &[u8]) -> Result<&str> {
    // serde_json writes UTF-8, so this never fails; checked rather than assumed.
    std::str::from_utf8(json).map_err(|_| Error::failed("a note's list is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Collection;

    fn fields(n: usize) -> NoteFields {
        NoteFields {
            key: format!("key-{n}"),
            guid: n.is_multiple_of(2).then(|| format!("g{n}")),
            term: format!("naïve term {n} \"quoted\""),
            definition: format!("definition {n}\nsecond line, with a comma"),
            example: if n == 1 {
                "an example".into()
            } else {
                String::new()
            },
            aliases: vec![format!("alias {n}"), "a\"b\\c".into()],
            tags: if n == 2 { vec![] } else { vec!["t1".into()] },
            related: vec![],
            rich: None,
            forward_only: false,
            cards_from_file: false,
            source: "src".into(),
        }
    }

    #[test]
    fn every_field_arrives_as_given_and_nothing_stays_bound() {
        let collection = Collection::open_in_memory().unwrap();
        let conn = collection.conn();
        conn.execute(
            "INSERT INTO decks (id, name, created_at) VALUES (7, 'D', 0)",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
             VALUES (99, 7, 'before', 't', 'd', 0, 0)",
            [],
        )
        .unwrap();
        let notes: Vec<NoteFields> = (0..3).map(fields).collect();
        let mut insert = NoteInsert::prepare(conn, 3).unwrap();
        let rows: Vec<NoteRow> = notes
            .iter()
            .enumerate()
            .map(|(i, f)| NoteRow {
                id: 100 + i as i64,
                deck_id: 7,
                fields: f,
            })
            .collect();
        insert.run(&rows, 1234).unwrap();
        // The wrong number of rows is refused rather than half bound.
        assert!(insert.run(&rows[..2], 1234).is_err());
        // The expanded text shows each parameter's value.
        let expanded = insert.stmt.expanded_sql().unwrap();
        assert!(
            !expanded.contains("key-"),
            "a string stayed bound: {expanded}"
        );
        // 17 places a row: 12 columns, the dates twice, the shape's four values with `cards` twice.
        assert_eq!(expanded.matches("NULL").count(), 3 * 17, "{expanded}");
        drop(insert);
        for (i, expected) in notes.iter().enumerate() {
            let id = 100 + i as i64;
            let stored = collection.note(id).unwrap();
            assert_eq!(&stored.fields, expected, "note {id}");
            assert_eq!(stored.deck_id, 7);
            let (created, modified, fresh): (i64, i64, i64) = conn
                .query_row(
                    "SELECT created_at, modified_at, fresh FROM notes WHERE id = ?1",
                    [id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .unwrap();
            assert_eq!((created, modified, fresh), (1234, 1234, 3));
        }
    }

    #[test]
    fn notes_leaving_optional_columns_empty_are_stored_exactly() {
        // Chunks where no note, one note or every note fills the optional columns, each
        // column on its own, and a remainder written one by one: every note reads back as
        // given, defaults included.
        let collection = Collection::open_in_memory().unwrap();
        let conn = collection.conn();
        conn.execute(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0)",
            [],
        )
        .unwrap();
        let plain = |n: usize| NoteFields {
            key: format!("k{n}"),
            term: format!("t{n}"),
            definition: format!("d{n}"),
            ..NoteFields::default()
        };
        let mut notes: Vec<NoteFields> = Vec::new();
        for n in 0..32 {
            notes.push(plain(n));
        }
        for n in 32..64 {
            notes.push(if n == 40 { fields(n) } else { plain(n) });
        }
        for n in 64..96 {
            notes.push(fields(n));
        }
        for (i, n) in (96..102).enumerate() {
            let mut note = plain(n);
            match i {
                0 => note.guid = Some(format!("g{n}")),
                1 => note.example = "e".into(),
                2 => note.aliases = vec!["a".into()],
                3 => note.tags = vec!["t".into()],
                4 => note.related = vec!["r".into()],
                _ => note.source = "s".into(),
            }
            notes.push(note);
        }
        for n in 102..135 {
            notes.push(if n % 5 == 0 { fields(n) } else { plain(n) });
        }
        let rows: Vec<NoteRow> = notes
            .iter()
            .enumerate()
            .map(|(i, fields)| NoteRow {
                id: 1 + i as i64,
                deck_id: 1,
                fields,
            })
            .collect();
        let mut writer = NoteWriter::prepare(conn).unwrap();
        writer.insert(&rows, 77).unwrap();
        // Several statements were needed, one per set of columns and size.
        assert!(writer.statements.len() >= 4, "{}", writer.statements.len());
        drop(writer);
        for (i, expected) in notes.iter().enumerate() {
            let stored = collection.note(1 + i as i64).unwrap();
            assert_eq!(&stored.fields, expected, "note {}", i + 1);
        }
        let defaults: i64 = conn
            .query_row(
                "SELECT count(*) FROM notes WHERE guid IS NULL AND example = '' AND aliases = '[]'
                 AND tags = '[]' AND related = '[]' AND source = '' AND created_at = 77
                 AND modified_at = 77 AND fresh = 3",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let plain_count = notes.iter().filter(|n| needed(n) == 0).count();
        assert_eq!(defaults, plain_count as i64);
    }

    #[test]
    fn every_column_is_stored_as_text_or_integer_never_a_blob() {
        // The JSON lists are built as bytes; bound as bytes they would be stored as blobs,
        // which read back as an error. Every column of every note has SQLite's type for it.
        let collection = Collection::open_in_memory().unwrap();
        let conn = collection.conn();
        conn.execute(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0)",
            [],
        )
        .unwrap();
        let notes: Vec<NoteFields> = (0..4).map(fields).collect();
        let rows: Vec<NoteRow> = notes
            .iter()
            .enumerate()
            .map(|(i, fields)| NoteRow {
                id: 1 + i as i64,
                deck_id: 1,
                fields,
            })
            .collect();
        NoteInsert::prepare(conn, 4).unwrap().run(&rows, 5).unwrap();
        let types: Vec<String> = conn
            .prepare(
                "SELECT DISTINCT typeof(deck_id) || typeof(key) || typeof(term)
                 || typeof(definition) || typeof(example) || typeof(aliases) || typeof(tags)
                 || typeof(related) || typeof(source) || typeof(created_at)
                 || typeof(modified_at) || (typeof(guid) IN ('text', 'null'))
                 FROM notes",
            )
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(
            types,
            ["integer".to_string() + &"text".repeat(8) + "integerinteger1"],
            "{types:?}"
        );
    }

    #[test]
    fn ids_that_are_not_the_next_ones_are_refused() {
        let collection = Collection::open_in_memory().unwrap();
        let conn = collection.conn();
        conn.execute(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0)",
            [],
        )
        .unwrap();
        let notes: Vec<NoteFields> = (0..6).map(fields).collect();
        let mut insert = NoteInsert::prepare(conn, 2).unwrap();
        let rows = |first: i64, second: i64| {
            // Other keys for each try: a refused run may have written its rows (the caller's
            // transaction rolls them back).
            [first, second]
                .into_iter()
                .zip(&notes[first as usize - 1..])
                .map(|(id, fields)| NoteRow {
                    id,
                    deck_id: 1,
                    fields,
                })
                .collect::<Vec<_>>()
        };
        // Not one after the other: refused before anything is written.
        let err = insert.run(&rows(1, 3), 0).unwrap_err().to_string();
        assert!(err.contains("do not follow one another"), "{err}");
        let count = |conn: &rusqlite::Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(count(conn), 0);
        // Not after the largest id (the table is empty, so SQLite gives 1 and 2).
        let err = insert.run(&rows(5, 6), 0).unwrap_err().to_string();
        assert!(err.contains("note 6 was stored under id 2"), "{err}");
        // The planned ones.
        insert.run(&rows(3, 4), 0).unwrap();
        let ids: Vec<i64> = conn
            .prepare("SELECT id FROM notes ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(ids, [1, 2, 3, 4]);
    }

    #[test]
    fn a_constraint_failure_is_an_error_with_sqlite_message() {
        let collection = Collection::open_in_memory().unwrap();
        let conn = collection.conn();
        conn.execute(
            "INSERT INTO decks (id, name, created_at) VALUES (1, 'D', 0)",
            [],
        )
        .unwrap();
        let note = fields(0);
        let mut insert = NoteInsert::prepare(conn, 2).unwrap();
        let rows = [
            NoteRow {
                id: 1,
                deck_id: 1,
                fields: &note,
            },
            NoteRow {
                id: 2,
                deck_id: 1,
                fields: &note,
            },
        ];
        let err = insert.run(&rows, 0).unwrap_err().to_string();
        assert!(err.contains("UNIQUE constraint failed"), "{err}");
    }
}
