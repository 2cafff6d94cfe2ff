//! Deck formats: each parser turns a file into validated [`DeckInput`]s, [`plan`] compares
//! them with the collection, and the store applies the plan in one transaction.
//!
//! parse -> validated records -> plan (pure) -> store.

pub mod builtin;
pub mod plan;
pub mod toml;

use std::path::Path;

use crate::error::{Error, Position, Result};
use crate::model::NoteFields;

/// One deck's worth of notes from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeckInput {
    pub name: String,
    pub description: Option<String>,
    pub notes: Vec<NoteInput>,
}

/// A note from a file, with where it was found (for error messages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteInput {
    pub fields: NoteFields,
    pub position: Option<Position>,
}

/// Reads a file as UTF-8 text, refusing directories and naming the first invalid byte.
pub fn read_text(path: &Path) -> Result<String> {
    let meta = std::fs::metadata(path).map_err(|e| Error::io("read", path, e))?;
    if meta.is_dir() {
        return Err(Error::input(path, None, "is a directory, not a deck file"));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    decode_utf8(path, bytes)
}

/// UTF-8 text from bytes, without a leading byte-order mark.
pub fn decode_utf8(path: &Path, bytes: Vec<u8>) -> Result<String> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Ok(text)
        }
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid]);
            Err(Error::input(
                path,
                Some(Position::of_offset(&prefix, prefix.len())),
                "the file is not valid UTF-8 text (save it as UTF-8)",
            ))
        }
    }
}

/// Checks the rules every deck obeys, whatever its format: a usable deck name, a term and a
/// definition on every note, and keys unique within a deck.
pub fn validate(path: &Path, decks: &[DeckInput]) -> Result<()> {
    for deck in decks {
        let name = deck.name.trim();
        if name.is_empty() || name.split("::").any(|part| part.trim().is_empty()) {
            return Err(Error::input(
                path,
                None,
                format!("'{}' is not a usable deck name", deck.name),
            ));
        }
        let mut seen: std::collections::HashMap<&str, Option<Position>> =
            std::collections::HashMap::new();
        for note in &deck.notes {
            let f = &note.fields;
            if f.term.trim().is_empty() {
                return Err(Error::input(
                    path,
                    note.position,
                    "a note has an empty term",
                ));
            }
            if f.definition.trim().is_empty() {
                return Err(Error::input(
                    path,
                    note.position,
                    format!("the note '{}' has no definition", f.term),
                ));
            }
            if f.key.is_empty() {
                return Err(Error::input(
                    path,
                    note.position,
                    format!(
                        "no key can be made from the term '{}'; give the note an explicit id",
                        f.term
                    ),
                ));
            }
            if let Some(first) = seen.insert(&f.key, note.position) {
                let at = first
                    .map(|p| format!(" (first at line {})", p.line))
                    .unwrap_or_default();
                return Err(Error::input(
                    path,
                    note.position,
                    format!(
                        "the key '{}' is used twice in deck '{}'{at}",
                        f.key, deck.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Loads deck files of any supported format, validated, all or nothing.
pub fn load_file(path: &Path) -> Result<Vec<DeckInput>> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let decks = match extension.as_deref() {
        Some("toml") => vec![toml::parse(path, &read_text(path)?)?],
        _ => {
            return Err(Error::input(
                path,
                None,
                "unknown deck format (use a .toml deck file)",
            ));
        }
    };
    validate(path, &decks)?;
    Ok(decks)
}
