//! Records of an export: what the store reads for `jargon export` (decks, notes with their
//! dates, answers with their note, the note types kept whole) and hands to the writers in
//! `deck/` (`deck::export`, `deck::apkg_export`), and the stored answer ([`ReviewRow`]) that
//! `check` and the scheduler switch read too.

use crate::clock::DayNumber;
use crate::model::Note;
use crate::notes::NoteType;
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{CardState, Quality};

/// A logged answer as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReviewRow {
    pub id: i64,
    pub card_id: i64,
    pub reviewed_at_ms: i64,
    pub day: DayNumber,
    pub quality: Quality,
    pub duration_ms: i64,
    pub kind: ReviewKind,
    pub scheduler_name: &'static str,
    pub fuzz: bool,
    pub maximum_interval_days: u32,
    pub before: CardState,
    pub after: CardState,
    /// FSRS's predicted recall at the answer (None where the scheduler keeps no memory).
    pub retrievability: Option<f32>,
    /// The `scheduler_settings` row the answer was made with (None: a row from before
    /// migration 5, made with the defaults and the fuzz and maximum interval above).
    pub settings_id: Option<i64>,
}

/// A stored note type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredNoteType {
    pub id: i64,
    pub anki_id: Option<i64>,
    pub notetype: NoteType,
    pub extra: String,
}

/// A note with its dates (unix seconds), as exports write it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportNote {
    pub note: Note,
    pub created_at: i64,
    pub modified_at: i64,
}

/// A review with the note it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportReview {
    pub review: ReviewRow,
    pub note_key: String,
    pub deck: String,
    /// The name of its card's template (vocab: `forward` or `reverse`; cloze: `c1`...).
    pub template: String,
}

/// A deck with its description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportDeck {
    pub id: i64,
    pub name: String,
    pub description: String,
}
