//! Records of Anki's collections: what the store's hardened reader of a package's SQLite
//! returns (`store::anki`: notes, cards, review log rows, decks and note types) and what
//! `deck::apkg` converts, and the rows of the legacy collection an export writes
//! (`deck::apkg_export` builds them, `store::apkg` writes them).

use std::collections::HashMap;

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
