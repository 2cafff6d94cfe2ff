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
        } = self;
        for text in [key, term, definition, example, source] {
            text.clear();
        }
        *guid = None;
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
}

/// A stored card.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Card {
    pub id: i64,
    pub note_id: i64,
    pub direction: Direction,
    pub state: CardState,
    pub suspended: bool,
    pub buried_day: Option<i64>,
    pub position: i64,
}
