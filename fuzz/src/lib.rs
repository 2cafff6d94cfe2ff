//! Shared checks for jargon's fuzz targets (`fuzz_targets/`, run with `bench/fuzz.sh`).
//!
//! Each target feeds bytes to one parser through its public entry point, the way
//! `import::load` or `jargon import --revlog` would, and then asserts the cheap invariants
//! every parser promises: no panic, every error is an input error (exit code 1) that names
//! the file, and every line and column it reports (in an error or on a note) lies inside the
//! text. A broken invariant panics, which libFuzzer reports as a crash.

use std::path::Path;

use chrono::{TimeZone, Utc};
use jargon::clock::{Clock, Zone};
use jargon::deck::{DeckInput, Loaded};
use jargon::error::{Error, Position};

/// The file name every target pretends to read.
pub fn path(extension: &str) -> std::path::PathBuf {
    Path::new("fuzz").with_extension(extension)
}

/// A fixed clock, so a run does not depend on the day it runs (packages' due dates).
pub fn clock() -> Clock {
    // 2024-06-01 12:00 UTC is a valid instant; `single` cannot be None for UTC.
    let now = Utc
        .with_ymd_and_hms(2024, 6, 1, 12, 0, 0)
        .single()
        .unwrap_or_default();
    Clock::new(now, Zone::Named(chrono_tz::UTC), 4)
}

/// The bytes as deck text, as `deck::read_text` decodes a file; `None` (after checking the
/// error) when they are not UTF-8.
pub fn text(path: &Path, bytes: &[u8]) -> Option<String> {
    match jargon::deck::decode_utf8(path, bytes.to_vec()) {
        Ok(text) => Some(text),
        Err(e) => {
            // The position is counted in the valid prefix, so only its lower bounds hold.
            let (line, column) = input_error(path, &e);
            assert!(line >= 1 && column >= 1, "{e}");
            None
        }
    }
}

/// Checks that `e` is an input error about `path` with a message; returns its line and
/// column (1, 1 when it has none).
fn input_error(path: &Path, e: &Error) -> (usize, usize) {
    assert_eq!(e.exit_code(), 1, "an input error is not a usage error: {e}");
    match e {
        Error::Input {
            file,
            position,
            message,
        } => {
            assert_eq!(file, path, "the error names another file: {e}");
            assert!(!message.trim().is_empty(), "an error without a message");
            position.map_or((1, 1), |p| (p.line, p.column))
        }
        other => panic!("a parser returned a non-input error: {other:?}"),
    }
}

/// Checks that a 1-based position lies inside `text` (the column may be one past the end
/// of its line).
pub fn check_position(text: &str, position: Position, what: &str) {
    assert!(
        position.line >= 1 && position.column >= 1,
        "{what}: position {position:?} is not 1-based"
    );
    let Some(line) = text.split('\n').nth(position.line - 1) else {
        panic!(
            "{what}: line {} is past the end of a {}-line text",
            position.line,
            text.split('\n').count()
        );
    };
    let length = line.chars().count();
    assert!(
        position.column <= length + 1,
        "{what}: column {} is past the end of line {} ({length} characters)",
        position.column,
        position.line
    );
}

/// Checks a parser's error: an input error about `path` whose position lies in `text`.
pub fn check_error(path: &Path, text: &str, e: &Error) {
    input_error(path, e);
    if let Error::Input {
        position: Some(p), ..
    } = e
    {
        check_position(text, *p, &format!("error '{e}'"));
    }
}

/// Checks parsed decks: every note's position lies in `text`, and `deck::validate` either
/// accepts them or refuses them with a well-formed error.
pub fn check_decks(path: &Path, text: &str, decks: &[DeckInput]) {
    for deck in decks {
        for note in &deck.notes {
            if let Some(p) = note.position {
                check_position(text, p, &format!("note '{}'", note.fields.term));
            }
        }
    }
    if let Err(e) = jargon::deck::validate(path, decks) {
        check_error(path, text, &e);
    }
}

/// Checks a loaded package: every history points at a note that exists.
pub fn check_loaded(loaded: &Loaded) {
    let notes: usize = loaded.decks.iter().map(|d| d.notes.len()).sum();
    for history in &loaded.histories {
        assert!(
            history.note < notes,
            "a card history points at note {} of {notes}",
            history.note
        );
    }
    for deck in &loaded.decks {
        assert!(!deck.notes.is_empty(), "import::load kept an empty deck");
    }
}
