//! The statement a large import writes its notes with: many rows per `INSERT`, only the
//! columns its notes fill, a value every row of a statement shares (the time, most often the
//! deck and the tags) bound once for all of them, each statement prepared once per shape and
//! kept for the import.
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

/// The columns whose value every row of a statement shares, bound once for all of them: a
/// bit per [`Column::shared`]. `created_at` and `modified_at` (the import's time) always are.
type SharedSet = u8;

impl Column {
    /// Its bit in a [`SharedSet`] when the rows of a statement may share its value.
    fn shared(self) -> Option<u8> {
        match self {
            Column::Deck => Some(1),
            Column::Aliases => Some(2),
            Column::Tags => Some(4),
            Column::Related => Some(8),
            _ => None,
        }
    }

    /// Whether a statement of `shared` binds this column once for all its rows.
    fn is_shared(self, shared: SharedSet) -> bool {
        self == Column::Created || self.shared().is_some_and(|bit| shared & bit != 0)
    }
}

/// A note's aliases (slot 0), tags (1) or related keys (2).
fn list_of(fields: &NoteFields, slot: usize) -> &[String] {
    match slot {
        0 => &fields.aliases,
        1 => &fields.tags,
        _ => &fields.related,
    }
}

/// The shareable values every one of `rows` has the same of.
fn shared_by(rows: &[NoteRow]) -> SharedSet {
    let Some(first) = rows.first() else {
        return 0;
    };
    let mut set = 0;
    if rows.iter().all(|row| row.deck_id == first.deck_id) {
        set |= 1;
    }
    for (slot, bit) in [(0, 2), (1, 4), (2, 8)] {
        let list = list_of(first.fields, slot);
        if rows.iter().all(|row| list_of(row.fields, slot) == list) {
            set |= bit;
        }
    }
    set
}

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
    /// Prepared statements by (notes per run, optional columns, shared values).
    statements: HashMap<(usize, ColumnSet, SharedSet), NoteInsert<'c>>,
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
        // Only the lists the statement writes (the deck always is).
        let written = [(4, 2), (8, 4), (16, 8)]
            .into_iter()
            .filter(|(column, _)| columns & column != 0)
            .fold(1, |set, (_, bit)| set | bit);
        let shared = shared_by(rows) & written;
        let insert = match self.statements.entry((rows.len(), columns, shared)) {
            Entry::Occupied(found) => found.into_mut(),
            Entry::Vacant(slot) => slot.insert(NoteInsert::prepare_with(
                self.conn,
                rows.len(),
                columns,
                shared,
            )?),
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
fn insert_sql(rows: usize, columns: &[Column], shared: SharedSet) -> String {
    // OR ROLLBACK: a failure ends the whole import anyway, and a statement that cannot stop
    // halfway needs no statement journal.
    let names: Vec<&str> = columns.iter().map(|c| c.sql()).collect();
    let mut sql = format!(
        "INSERT OR ROLLBACK INTO notes ({}) VALUES ",
        names.join(", ")
    );
    // The shared values come first, in the order of the columns.
    let mut parameter = 0;
    let shared_parameters: Vec<Option<usize>> = columns
        .iter()
        .map(|column| {
            column.is_shared(shared).then(|| {
                parameter += 1;
                parameter
            })
        })
        .collect();
    for row in 0..rows {
        sql.push_str(if row > 0 { ", (" } else { "(" });
        for (i, (column, shared_at)) in columns.iter().zip(&shared_parameters).enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let at = match shared_at {
                Some(at) => *at,
                None => {
                    parameter += 1;
                    parameter
                }
            };
            sql.push_str(&format!("?{at}"));
            if *column == Column::Created {
                sql.push_str(&format!(", ?{at}"));
            }
            if *column == Column::Shape {
                parameter += 3;
                sql.push_str(&format!(
                    ", ?{}, ?{}, ?{}, ?{}",
                    at + 1,
                    at + 2,
                    at + 3,
                    at + 2
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
    /// The values bound once for every row.
    shared: SharedSet,
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
        NoteInsert::prepare_with(conn, rows, ColumnSet::MAX, 0)
    }

    /// An insert of `rows` notes, of the optional columns in `optional` and the others, that
    /// binds the values in `shared` (and the time) once for all its rows.
    fn prepare_with(
        conn: &'c Connection,
        rows: usize,
        optional: ColumnSet,
        shared: SharedSet,
    ) -> Result<NoteInsert<'c>> {
        let columns: Vec<Column> = Column::ALL
            .into_iter()
            .filter(|c| c.optional().is_none_or(|bit| optional & bit != 0))
            .collect();
        let sql = insert_sql(rows, &columns, shared);
        // Persistent: the statement is run for the whole import.
        let stmt = conn.prepare_with_flags(&sql, PrepFlags::SQLITE_PREPARE_PERSISTENT)?;
        Ok(NoteInsert {
            stmt,
            conn,
            rows,
            columns,
            shared,
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
        if shared_by(notes) & self.shared != self.shared {
            return Err(Error::failed(
                "the notes given to an insert do not share the values it binds once",
            ));
        }
        for (row, note) in notes.iter().enumerate() {
            for (slot, column) in [
                (0, Column::Aliases),
                (1, Column::Tags),
                (2, Column::Related),
            ] {
                if !self.columns.contains(&column) || (row > 0 && column.is_shared(self.shared)) {
                    continue;
                }
                let list = list_of(note.fields, slot);
                if row > 0 && list == list_of(notes[row - 1].fields, slot) {
                    // Rows often share their tags: copied rather than encoded again.
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
        // The shared values first, in the order of the columns (see `insert_sql`), from the
        // first row (the others have the same).
        if let Some(first) = notes.first() {
            for column in self.columns.iter().filter(|c| c.is_shared(self.shared)) {
                parameter += 1;
                match column {
                    Column::Deck => stmt.raw_bind_parameter(parameter, first.deck_id)?,
                    Column::Aliases => {
                        stmt.raw_bind_parameter(parameter, self.lists[0].as_str())?
                    }
                    Column::Tags => stmt.raw_bind_parameter(parameter, self.lists[1].as_str())?,
                    Column::Related => {
                        stmt.raw_bind_parameter(parameter, self.lists[2].as_str())?
                    }
                    Column::Created => stmt.raw_bind_parameter(parameter, now_secs)?,
                    _ => return Err(Error::failed("a note's own value was bound as shared")),
                }
            }
        }
        for (row, note) in notes.iter().enumerate() {
            let f = note.fields;
            for column in &self.columns {
                if column.is_shared(self.shared) {
                    continue;
                }
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
mod tests;
