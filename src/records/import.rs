//! Records of an import: what `deck/` hands the store to write (an [`ImportPlan`] and the
//! [`CardHistory`] of each incoming card) and what the store hands back for merging (a
//! [`StoredCard`], the notes already stored as [`Existing`]), with the [`CardWrite`] the merge
//! decides. Planning is `deck::plan`, merging `deck::history`; the writes are
//! `store::import` and `store::revlog`.

use std::collections::HashMap;

use crate::clock::DayNumber;
use crate::model::NoteFields;
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{Answer, CardState, Quality};

/// One answer from another program's log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportedAnswer {
    /// Unix milliseconds.
    pub reviewed_at_ms: i64,
    pub quality: Quality,
    pub duration_ms: i64,
    /// The state the other program gave the card after this answer (Anki); `None` to replay
    /// the answer through our scheduler.
    pub after: Option<CardState>,
}

/// The history of one card of an incoming note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardHistory {
    /// The incoming note, as an index into the notes of all input decks in order (the order of
    /// [`ImportPlan::targets`]).
    pub note: usize,
    /// Its card's ordinal in the note (vocab: 0 forward, 1 reverse).
    pub ord: u32,
    /// Oldest first.
    pub answers: Vec<ImportedAnswer>,
    /// The card's state in the other program, adopted after its last answer.
    pub state: Option<CardState>,
    pub suspended: bool,
    pub buried: bool,
}

/// A stored card as the merge needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCard {
    pub id: i64,
    /// The card id its fuzz is drawn from (`model::fuzz_card_id`: `id` unless its note has a
    /// seed), which the answers it is given are scheduled with.
    pub fuzz_card_id: i64,
    pub state: CardState,
    /// The instants (unix ms) of its logged answers, sorted.
    pub logged_ms: Vec<i64>,
    /// Its answers (grade, study day) in log order, the rows [`ReviewKind::is_answer`] picks:
    /// what `replay::prepare` folds into a memory state and reads the previous day from.
    pub answers: Vec<(Answer, DayNumber)>,
    /// Its note was added by this import (so the file's flags apply even without answers).
    pub fresh: bool,
}

/// A log row to write.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRow {
    pub reviewed_at_ms: i64,
    pub day: DayNumber,
    pub quality: Quality,
    pub duration_ms: i64,
    pub kind: ReviewKind,
    pub before: CardState,
    pub after: CardState,
    /// FSRS's predicted recall at the answer, as a review logs it (None for other
    /// schedulers, a card's first FSRS answer and imported rows).
    pub retrievability: Option<f32>,
}

/// What to write for one card.
#[derive(Debug, Clone, PartialEq)]
pub struct CardWrite {
    pub card_id: i64,
    pub rows: Vec<LogRow>,
    /// The card's new state, when it changes.
    pub state: Option<CardState>,
    pub suspended: Option<bool>,
    pub buried_day: Option<DayNumber>,
}

/// How the answers of an import fared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MergeCounts {
    pub added: usize,
    /// Already in the log (a re-import).
    pub present: usize,
    /// Older than the card's latest logged answer but not in its log.
    pub older: usize,
    /// Cards whose state changed.
    pub cards: usize,
}

impl std::ops::AddAssign for MergeCounts {
    fn add_assign(&mut self, other: MergeCounts) {
        self.added += other.added;
        self.present += other.present;
        self.older += other.older;
        self.cards += other.cards;
    }
}

/// Notes already stored, by deck name, then key: (note id, fields).
pub type Existing = HashMap<String, HashMap<String, (i64, NoteFields)>>;

/// What became of one incoming note, in input order (decks in order, then their notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Matched a stored note (unchanged or updated).
    Existing(i64),
    /// Added: the index into [`ImportPlan::add`].
    Added(usize),
    /// Matched a stored note that `--on-duplicate skip` leaves alone.
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportPlan {
    /// Decks the import touches, with the description the file gives (if any).
    pub decks: Vec<(String, Option<String>)>,
    pub add: Vec<(String, NoteFields)>,
    pub update: Vec<(i64, NoteFields)>,
    pub unchanged: usize,
    pub skipped: usize,
    /// One entry per incoming note, in input order: where its cards are (for imported history).
    pub targets: Vec<Target>,
    /// Stored vocab notes whose file names their forward card only: their reverse card stays
    /// (cards are only ever added), and the import says so.
    pub cards_kept: usize,
}
