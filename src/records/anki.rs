//! Records of Anki's collections: what the store's hardened reader of a package's SQLite
//! returns (`store::anki`: notes, cards and review log rows, and the small tables as stored,
//! [`AnkiTables`]), the [`AnkiCollection`] `deck::apkg_collection` decodes from those tables,
//! and the rows of the legacy collection an export writes (`deck::apkg_export` builds them,
//! `store::apkg` writes them). [`AnkiRows`] and [`OpenAnki`] are the reader as `deck/` sees
//! it: the store implements them, the engine hands them in.

use std::collections::HashMap;
use std::path::Path;

use crate::error::Result;

/// A note type, whole: its name, field names, card templates and CSS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnkiNotetype {
    pub name: String,
    pub fields: Vec<String>,
    /// How many card templates it has (`template_list.len()`).
    pub templates: usize,
    /// A cloze note type: its cards are deletions of one text, not directions.
    pub cloze: bool,
    /// The card templates, in their `ord` order (a card's `ord` is its index here).
    pub template_list: Vec<AnkiTemplate>,
    pub css: String,
    /// The index of the field the browser sorts by; 0 when the collection names none or a
    /// field that does not exist.
    pub sort_field: usize,
    /// Unix seconds of the last change (0 when Anki never recorded one).
    pub modified: i64,
}

/// A card template: its name and the templates of the card's two sides.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnkiTemplate {
    pub name: String,
    /// The question side (Anki's `qfmt`, `q_format`).
    pub front: String,
    /// The answer side (Anki's `afmt`, `a_format`).
    pub back: String,
}

/// A row of a package's `notes` table.
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

/// A row of a package's `cards` table.
#[derive(Debug, Clone, Copy, PartialEq)]
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
    /// FSRS's memory state (stability, difficulty) as Anki keeps it in the card's `data`
    /// JSON (`s` and `d`), when both are there and are numbers; read leniently, as Anki
    /// reads `data` (anything else there is no memory state).
    pub fsrs_memory: Option<(f32, f32)>,
}

/// A row of a collection's `revlog` table (read from a package, or written to one).
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
}

/// A note as Anki stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiNoteRow {
    pub id: i64,
    pub guid: String,
    pub notetype_id: i64,
    pub modified: i64,
    /// " tag1 tag2 " (Anki's form, with spaces around).
    pub tags: String,
    /// HTML fields separated by 0x1f.
    pub fields: String,
    /// The sort field's text.
    pub sort_field: String,
    /// The first 8 hex digits of the SHA-1 of the first field's text, as a number.
    pub checksum: i64,
}

/// A card as Anki stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnkiCardRow {
    pub id: i64,
    pub note_id: i64,
    pub deck_id: i64,
    pub ord: i64,
    pub modified: i64,
    pub kind: i64,
    pub queue: i64,
    pub due: i64,
    pub interval: i64,
    pub factor: i64,
    pub reps: i64,
    pub lapses: i64,
    pub left: i64,
    /// Anki's card `data` JSON (FSRS's memory state), or empty.
    pub data: String,
}

/// Everything a schema 11 collection holds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnkiExport {
    /// Creation time, unix seconds: review due days count from its day.
    pub crt: i64,
    /// Unix milliseconds, for the modification stamps.
    pub modified_ms: i64,
    pub conf_json: String,
    pub models_json: String,
    pub decks_json: String,
    pub dconf_json: String,
    pub notes: Vec<AnkiNoteRow>,
    pub cards: Vec<AnkiCardRow>,
    pub revlog: Vec<AnkiReview>,
}

/// What the store reads of a package's small tables, before any of Anki's encodings is
/// decoded (`deck::apkg_collection` makes an [`AnkiCollection`] of it): the `col` row, whose
/// `decks` and `models` hold JSON in a legacy collection, and, in a current one (schema 18),
/// the rows of the `decks`, `notetypes`, `fields` and `templates` tables, whose `config`
/// columns hold protobuf messages.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AnkiTables {
    /// Creation time (unix seconds).
    pub crt: i64,
    /// `col.decks`: the decks as JSON (legacy; empty or `{}` in a current collection).
    pub decks_json: String,
    /// `col.models`: the note types as JSON (legacy).
    pub models_json: String,
    /// The `decks` table's (id, name) rows, when the collection has one.
    pub decks: Option<Vec<(i64, String)>>,
    /// The note type tables, when the collection has them.
    pub notetypes: Option<NotetypeTables>,
}

/// The rows of a current collection's `notetypes`, `fields` and `templates` tables, in the
/// tables' order; templates of a note type the collection does not have are not read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotetypeTables {
    pub notetypes: Vec<NotetypeRow>,
    /// (note type id, ord, name).
    pub fields: Vec<(i64, i64, String)>,
    pub templates: Vec<TemplateRow>,
}

/// A row of `notetypes`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NotetypeRow {
    pub id: i64,
    pub name: String,
    /// `mtime_secs`.
    pub modified: i64,
    /// `config`: Anki's `Notetype.Config` message (empty when it is neither blob nor text).
    pub config: Vec<u8>,
}

/// A row of `templates`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TemplateRow {
    pub notetype_id: i64,
    pub ord: i64,
    pub name: String,
    /// `config`: Anki's `Notetype.Template.Config` message.
    pub config: Vec<u8>,
}

/// A package's collection, opened and checked: the rows `deck::apkg` converts, read as it
/// asks for them. The store's hardened reader (`store::anki::Reader`) is one; `deck/` sees
/// only this trait, so the SQL stays in `store/` and the engine (`import/`) or an
/// [`OpenAnki`] decides which reader `deck/` gets.
///
/// Each `each_*` calls `each` with every row in the table's order and stops at the first
/// error `each` returns; the scans hand over rowids so that [`AnkiRows::card`] and
/// [`AnkiRows::review`] can fetch a row again by its key, never by a scan.
pub trait AnkiRows {
    /// The creation time, decks and note types, as stored ([`AnkiTables`]).
    fn tables(&self) -> Result<AnkiTables>;
    /// How many notes the collection holds (no row read).
    fn note_count(&self) -> Result<usize>;
    /// Every note, in the table's order (Anki's note id).
    fn each_note(&self, each: &mut dyn FnMut(AnkiNote) -> Result<()>) -> Result<()>;
    /// Every card with its rowid.
    fn each_card(&self, each: &mut dyn FnMut(i64, &AnkiCard) -> Result<()>) -> Result<()>;
    /// Every review log row with its rowid.
    fn each_review(&self, each: &mut dyn FnMut(i64, &AnkiReview) -> Result<()>) -> Result<()>;
    /// The card at `rowid`, one [`AnkiRows::each_card`] gave.
    fn card(&self, rowid: i64) -> Result<Option<AnkiCard>>;
    /// The review log row at `rowid`, one [`AnkiRows::each_review`] gave.
    fn review(&self, rowid: i64) -> Result<Option<AnkiReview>>;
}

/// Opens the collection file of a package (a private scratch copy at `file`) for reading;
/// `package` and `entry` name it in messages. `store::anki::Opener` opens the store's
/// hardened reader.
pub trait OpenAnki {
    fn open<'a>(
        &self,
        file: &Path,
        package: &'a Path,
        entry: &'a str,
    ) -> Result<Box<dyn AnkiRows + 'a>>;
}
