//! Deck formats: each parser turns a file into validated [`DeckInput`]s, [`plan`] compares
//! them with the collection, and the store applies the plan in one transaction.
//!
//! parse -> validated records -> plan (pure) -> store.
//!
//! [`load`] dispatches on the file's extension (or `--format`): `.toml` native decks, `.csv`,
//! `.tsv` and `.txt` Anki-style text files, `.json`, and `.apkg` Anki packages, whose cards'
//! scheduling and review log come along as [`history::CardHistory`]s.

pub mod apkg;
pub mod apkg_numbers;
pub mod apkg_zip;
pub mod builtin;
pub mod csv;
pub mod export;
pub mod history;
pub mod html;
pub mod json;
pub mod plan;
pub mod revlog;
pub mod sniff;
pub mod toml;

use std::path::Path;

use crate::clock::Clock;
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
    let mut validator = Validator::new(path);
    for deck in decks {
        for note in &deck.notes {
            validator.note(&deck.name, note)?;
        }
        if deck.notes.is_empty() {
            validator.deck(&deck.name)?;
        }
    }
    Ok(())
}

/// The keys a deck's notes used so far, and where. foldhash, seeded per process: several
/// times quicker than the standard SipHash on short keys, and a file cannot be made to
/// collide on purpose.
type Keys = std::collections::HashMap<String, Option<Position>, foldhash::fast::RandomState>;

/// [`validate`] note by note, for a file that is checked while it is read.
pub struct Validator<'p> {
    path: &'p Path,
    /// Per deck name, the keys seen so far and where.
    decks: Vec<(String, Keys)>,
    /// The deck of the previous note: files list a deck's notes together.
    last: usize,
    /// Room made for the first deck's keys: about how many notes the file holds.
    expected: usize,
}

impl<'p> Validator<'p> {
    pub fn new(path: &'p Path) -> Validator<'p> {
        Validator::expecting(path, 0)
    }

    /// A validator for a file of about `notes` notes, most of them in one deck.
    pub fn expecting(path: &'p Path, notes: usize) -> Validator<'p> {
        Validator {
            path,
            decks: Vec::new(),
            last: 0,
            expected: notes,
        }
    }

    /// Checks a deck's name (once per name); returns its index in `self.decks`.
    pub fn deck(&mut self, name: &str) -> Result<usize> {
        if let Some((last, _)) = self.decks.get(self.last)
            && last == name
        {
            return Ok(self.last);
        }
        if let Some(index) = self.decks.iter().position(|(n, _)| n == name) {
            self.last = index;
            return Ok(index);
        }
        let trimmed = name.trim();
        if trimmed.is_empty()
            || trimmed.split("::").any(|part| part.trim().is_empty())
            || name.contains('\0')
        {
            return Err(Error::input(
                self.path,
                None,
                format!("'{name}' is not a usable deck name"),
            ));
        }
        let room = std::mem::take(&mut self.expected);
        self.decks.push((
            name.to_string(),
            Keys::with_capacity_and_hasher(room, foldhash::fast::RandomState::default()),
        ));
        self.last = self.decks.len() - 1;
        Ok(self.last)
    }

    /// Checks one note of `deck`, after the notes before it.
    pub fn note(&mut self, deck: &str, note: &NoteInput) -> Result<()> {
        let f = &note.fields;
        let path = self.path;
        let index = self.deck(deck)?;
        if let Some(field) = nul_field(f) {
            return Err(Error::input(
                path,
                note.position,
                format!(
                    "a note has a NUL character (byte 0) in its {field}; no field may hold one"
                ),
            ));
        }
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
        match self.decks[index].1.entry(f.key.clone()) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(note.position);
                Ok(())
            }
            std::collections::hash_map::Entry::Occupied(first) => {
                let at = first
                    .get()
                    .map(|p| format!(" (first at line {})", p.line))
                    .unwrap_or_default();
                Err(Error::input(
                    path,
                    note.position,
                    format!("the key '{}' is used twice in deck '{deck}'{at}", f.key),
                ))
            }
        }
    }
}

/// The first field of a note that holds a NUL character, by name.
fn nul_field(f: &NoteFields) -> Option<&'static str> {
    let nul = |text: &str| memchr::memchr(0, text.as_bytes()).is_some();
    let any = |list: &[String]| list.iter().any(|t| nul(t));
    [
        ("term", nul(&f.term)),
        ("definition", nul(&f.definition)),
        ("example", nul(&f.example)),
        ("aliases", any(&f.aliases)),
        ("related keys", any(&f.related)),
        ("source", nul(&f.source)),
        ("tags", any(&f.tags)),
        ("key", nul(&f.key)),
        ("guid", f.guid.as_deref().is_some_and(nul)),
    ]
    .into_iter()
    .find_map(|(name, found)| found.then_some(name))
}

/// The formats of deck files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Toml,
    Csv,
    Tsv,
    Json,
    Apkg,
}

impl Format {
    /// The format a file name implies: `.txt` is a text file like `.csv` (separator detected).
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match extension.as_str() {
            "toml" => Format::Toml,
            "csv" | "txt" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "json" => Format::Json,
            "apkg" | "colpkg" => Format::Apkg,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Toml => "toml",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Apkg => "apkg",
        }
    }
}

/// How to read files.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The deck for notes whose file names none (default: the file's stem).
    pub deck: Option<String>,
    /// Overrides the format the extension implies.
    pub format: Option<Format>,
    /// The collection's clock, to place Anki's due dates on our study days (default: UTC,
    /// rollover at 4, now).
    pub clock: Option<Clock>,
}

/// Everything one file brings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loaded {
    pub decks: Vec<DeckInput>,
    /// Scheduling and review history of cards (Anki packages), by index of the note among
    /// all notes of `decks` in order.
    pub histories: Vec<history::CardHistory>,
    /// Media files in a package, which jargon does not import.
    pub media_skipped: usize,
    /// What was ignored or changed on the way, one sentence each.
    pub warnings: Vec<String>,
}

/// The deck of notes whose file names none: `--deck`, else the file's stem.
pub fn default_deck(path: &Path, options: &LoadOptions) -> String {
    options.deck.clone().unwrap_or_else(|| {
        path.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("imported")
            .to_string()
    })
}

/// Loads one deck file of any supported format, validated, all or nothing.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Loaded> {
    if path.is_dir() {
        return Err(Error::input(path, None, "is a directory, not a deck file"));
    }
    let format = match options.format.or_else(|| Format::from_path(path)) {
        Some(format) => format,
        None => {
            return Err(Error::input(
                path,
                None,
                "unknown deck format (use .toml, .csv, .tsv, .txt, .json or .apkg, or pass --format)",
            ));
        }
    };
    let mut loaded = match format {
        // A TOML deck names itself (or takes its file's stem), as it always has.
        Format::Toml => Loaded {
            decks: vec![toml::parse(path, &read_text(path)?)?],
            ..Loaded::default()
        },
        Format::Csv | Format::Tsv => {
            let hint = (format == Format::Tsv).then_some(b'\t');
            let text = csv::parse(path, &read_text(path)?, &default_deck(path, options), hint)?;
            Loaded {
                decks: text.decks,
                warnings: text.warnings,
                ..Loaded::default()
            }
        }
        Format::Json => Loaded {
            decks: json::parse(path, &read_text(path)?, &default_deck(path, options))?,
            ..Loaded::default()
        },
        Format::Apkg => {
            let clock = match options.clock {
                Some(clock) => clock,
                None => Clock::from_env(crate::clock::Zone::Named(chrono_tz::UTC), 4)?,
            };
            apkg::load(path, &clock)?
        }
    };
    validate(path, &loaded.decks)?;
    loaded.decks.retain(|d| !d.notes.is_empty());
    Ok(loaded)
}

/// Loads deck files of any supported format, validated, all or nothing (notes only).
pub fn load_file(path: &Path) -> Result<Vec<DeckInput>> {
    Ok(load(path, &LoadOptions::default())?.decks)
}
