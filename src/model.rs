//! The plain records shared by the store, the formats and the front ends.

use crate::scheduler::CardState;

/// Which way a card asks about its note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Shows the term, asks for the definition (self-graded).
    Forward,
    /// Shows the definition, asks the learner to type the term.
    Reverse,
}

impl Direction {
    /// The direction of a vocab card's ordinal: 0 forward, anything else reverse.
    pub fn of_ord(ord: u32) -> Direction {
        if ord == 0 {
            Direction::Forward
        } else {
            Direction::Reverse
        }
    }

    /// A vocab card's ordinal.
    pub fn ord(self) -> u32 {
        match self {
            Direction::Forward => 0,
            Direction::Reverse => 1,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Forward => "forward",
            Direction::Reverse => "reverse",
        }
    }

    pub fn parse(text: &str) -> Option<Direction> {
        match text {
            "forward" => Some(Direction::Forward),
            "reverse" => Some(Direction::Reverse),
            _ => None,
        }
    }
}

/// The content of a vocabulary entry, as a deck file gives it or the store holds it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoteFields {
    pub key: String,
    pub guid: Option<String>,
    pub term: String,
    pub definition: String,
    pub example: String,
    pub aliases: Vec<String>,
    pub tags: Vec<String>,
    pub related: Vec<String>,
    pub source: String,
    /// A note of another type than vocab (from an Anki package): its type and fields.
    pub rich: Option<Box<RichFields>>,
    /// A vocab note with a forward card only (TOML `cards = ["forward"]`, a review log's card).
    pub forward_only: bool,
    /// The file says which cards the note has (a TOML or JSON deck: its `cards`, or their
    /// default of both), so an import gives a stored vocab note the cards it lacks of these
    /// (it never takes one away). Otherwise (a CSV row, a package, a stored note) a stored note
    /// keeps the cards it has. Not stored: the plan clears it before comparing notes.
    pub cards_from_file: bool,
}

/// A note type as an import brings it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteTypeInput {
    pub notetype: crate::notes::NoteType,
    /// Anki's id of the type, when it came from Anki.
    pub anki_id: Option<i64>,
    /// What else Anki keeps of the type (JSON), for the way back.
    pub extra: String,
}

/// The fields of a note of another type than vocab, with its type and the cards it has. Two
/// are the same note content when their fields and cards are: a stored note is read back with
/// its type's id only (see `store::notes`), and a note keeps the type it was first stored with.
#[derive(Debug, Clone)]
pub struct RichFields {
    pub notetype: std::sync::Arc<NoteTypeInput>,
    /// In the type's field order, as written (HTML where they came as HTML).
    pub values: Vec<String>,
    /// Bit 1 << ord for each card the note has (ords 0 to 63).
    pub cards: u64,
}

impl PartialEq for RichFields {
    fn eq(&self, other: &RichFields) -> bool {
        self.values == other.values && self.cards == other.cards
    }
}

impl Eq for RichFields {}

impl NoteFields {
    /// Bit 1 << ord for each card the note has.
    pub fn card_mask(&self) -> u64 {
        match &self.rich {
            Some(rich) => rich.cards,
            None if self.forward_only => 1,
            None => 3,
        }
    }
}

impl NoteFields {
    /// Empties every field and keeps the memory of its strings and lists, for a note to be
    /// read into again.
    pub fn clear(&mut self) {
        let NoteFields {
            key,
            guid,
            term,
            definition,
            example,
            aliases,
            tags,
            related,
            source,
            rich,
            forward_only,
            cards_from_file,
        } = self;
        for text in [key, term, definition, example, source] {
            text.clear();
        }
        *guid = None;
        *rich = None;
        *forward_only = false;
        *cards_from_file = false;
        for list in [aliases, tags, related] {
            list.clear();
        }
    }
}

/// A stored note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub id: i64,
    pub deck_id: i64,
    pub deck: String,
    pub fields: NoteFields,
    /// Its note type (1 is `vocab`, whose fields are `fields`).
    pub notetype_id: i64,
    /// A note of another type than vocab: its fields in its type's order, as stored (HTML
    /// where they came as HTML); `fields.term` and `fields.definition` hold the plain text of
    /// the first two. Empty for vocab.
    pub values: Vec<String>,
}

/// The note type every note made by jargon has: `vocab` (`notetypes` row 1).
pub const VOCAB_NOTETYPE: i64 = 1;

/// How many cards a note can have: a card's id is its note's id * `CARDS_PER_NOTE` + its
/// ordinal, so both follow from it.
pub const CARDS_PER_NOTE: i64 = crate::scheduler::fuzz::CARDS_PER_NOTE;

/// The id of card `ord` of note `note_id`.
pub fn card_id(note_id: i64, ord: u32) -> i64 {
    note_id * CARDS_PER_NOTE + i64::from(ord)
}

/// The note a card id belongs to.
pub fn note_of_card(card_id: i64) -> i64 {
    card_id.div_euclid(CARDS_PER_NOTE)
}

/// A card id's ordinal within its note.
pub fn ord_of_card(card_id: i64) -> u32 {
    // rem_euclid of 64 is in 0..64, which u32 holds.
    card_id.rem_euclid(CARDS_PER_NOTE) as u32
}

/// The card id a card's fuzz is drawn from (`scheduler::Moment::card_id`): the card's own id,
/// or, when its note has a seed (`notes.seed`: a note that also exists on another device, whose
/// id there differs), the id the card would have if its note's id were the seed, so every
/// device replays the card to the same intervals. Wraps rather than overflows on a seed too
/// large to be a note id (one read from another device's file): the draw stays the same
/// everywhere, which is all a fuzz seed needs.
pub fn fuzz_card_id(card_id: i64, seed: Option<i64>) -> i64 {
    match seed {
        Some(seed) => seed
            .wrapping_mul(CARDS_PER_NOTE)
            .wrapping_add(card_id.rem_euclid(CARDS_PER_NOTE)),
        None => card_id,
    }
}

/// A stored card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Card {
    pub id: i64,
    pub note_id: i64,
    /// Its ordinal in its note: the template's (vocab: 0 forward, 1 reverse), or the cloze
    /// number - 1.
    pub ord: u32,
    pub state: CardState,
    pub suspended: bool,
    pub buried_day: Option<i64>,
    pub position: i64,
}

impl Card {
    /// The direction of a vocab card.
    pub fn direction(&self) -> Direction {
        Direction::of_ord(self.ord)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_takes_the_place_of_the_note_s_id_and_keeps_the_ordinal() {
        let card = card_id(2, 3);
        assert_eq!(fuzz_card_id(card, None), card);
        assert_eq!(fuzz_card_id(card, Some(5)), card_id(5, 3));
        assert_eq!(fuzz_card_id(card, Some(2)), card);
        assert_eq!(note_of_card(fuzz_card_id(card, Some(-7))), -7);
        assert_eq!(ord_of_card(fuzz_card_id(card, Some(-7))), 3);
    }

    #[test]
    fn a_seed_too_large_for_a_note_id_wraps_instead_of_failing() {
        let wrapped = fuzz_card_id(card_id(1, 1), Some(i64::MAX));
        assert_eq!(wrapped, i64::MAX.wrapping_mul(CARDS_PER_NOTE) + 1);
        assert_eq!(wrapped, fuzz_card_id(card_id(9, 1), Some(i64::MAX)));
    }
}
