//! The native deck format: one TOML file per deck (documented in `decks/README.md`).

use std::borrow::Cow;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{DeckInput, NoteInput};
use crate::error::{Error, Position, Result};
use crate::model::NoteFields;
use crate::text::slug;

/// The top of a deck file: everything before its first `[[note]]` header.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeckHead<'a> {
    #[serde(borrow)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow)]
    description: Option<Cow<'a, str>>,
    /// The cards of every note that names none itself.
    cards: Option<CardList>,
    /// Notes written inline (`note = [{...}]`) rather than as tables.
    #[serde(default, borrow)]
    note: Vec<Spanned<NoteEntry<'a>>>,
}

/// A run of `[[note]]` tables, parsed on its own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteRun<'a> {
    #[serde(default, borrow)]
    note: Vec<Spanned<NoteEntry<'a>>>,
}

/// A note's fields, borrowed from the file's text where TOML allows (strings without escapes).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteEntry<'a> {
    #[serde(borrow)]
    id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    term: Cow<'a, str>,
    #[serde(borrow)]
    definition: Cow<'a, str>,
    #[serde(borrow)]
    example: Option<Cow<'a, str>>,
    #[serde(default, borrow)]
    aliases: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    tags: Vec<Cow<'a, str>>,
    #[serde(default, borrow)]
    related: Vec<Cow<'a, str>>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    /// This note's cards, over the deck's.
    cards: Option<CardList>,
}

/// A `cards = [...]` list, each name placed in the text.
type CardList = Spanned<Vec<Spanned<String>>>;

/// Whether a `cards` list (of a part of the text starting at `base`) makes a note forward
/// only. Both cards, or the forward card alone; anything else is refused where it stands.
fn forward_only(path: &Path, text: &str, base: usize, cards: CardList) -> Result<bool> {
    let at = |offset: usize| Some(Position::of_offset(text, base + offset));
    let list_start = cards.span().start;
    let names = cards.into_inner();
    let (mut forward, mut reverse) = (false, false);
    for name in &names {
        match name.get_ref().as_str() {
            "forward" => forward = true,
            "reverse" => reverse = true,
            other => {
                return Err(Error::input(
                    path,
                    at(name.span().start),
                    format!(
                        "unknown card '{other}' in `cards`: a note's cards are \"forward\" and \"reverse\""
                    ),
                ));
            }
        }
    }
    if names.is_empty() {
        return Err(Error::input(
            path,
            at(list_start),
            "`cards` is empty: a note has at least its forward card (cards = [\"forward\"], or leave `cards` out for both)",
        ));
    }
    if !forward {
        return Err(Error::input(
            path,
            at(list_start),
            "`cards` leaves out the forward card, which every note has: write [\"forward\"] or [\"forward\", \"reverse\"]",
        ));
    }
    Ok(!reverse)
}

fn clean_list(items: Vec<Cow<'_, str>>) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// `[[note]]` tables parsed at once: the toml crate builds a document tree of the text it
/// parses, about 40 times the text's size, so a run is kept small and dropped before the next.
const NOTES_PER_RUN: usize = 256;

/// Parses one deck file. The deck is named by its `name`, or else by the file's stem.
pub fn parse(path: &Path, text: &str) -> Result<DeckInput> {
    let mut notes = Vec::new();
    let (name, description) = parse_each(path, text, &mut |_, note| {
        notes.push(note);
        Ok(())
    })?;
    Ok(DeckInput {
        name,
        description,
        notes,
    })
}

/// [`parse`] note by note: hands each note to `sink` with the deck's name as soon as it is
/// read, and returns the deck's name and description. A file with no notes is an error.
///
/// The text is cut at its top-level `[[note]]` headers ([`note_headers`]) and parsed a run
/// of notes at a time, so memory stays near the size of the notes themselves, whatever the
/// size of the file.
pub fn parse_each(
    path: &Path,
    text: &str,
    sink: &mut dyn FnMut(&str, NoteInput) -> Result<()>,
) -> Result<(String, Option<String>)> {
    parse_in_runs(path, text, NOTES_PER_RUN, sink)
}

/// [`parse_each`] with `per_run` notes parsed at a time (tests cut at every header).
fn parse_in_runs(
    path: &Path,
    text: &str,
    per_run: usize,
    sink: &mut dyn FnMut(&str, NoteInput) -> Result<()>,
) -> Result<(String, Option<String>)> {
    let headers = note_headers(text);
    let head_end = headers.first().copied().unwrap_or(text.len());
    let head: DeckHead = parse_part(path, text, 0, head_end)?;
    let name = match &head.name {
        Some(name) => name.trim().to_string(),
        None => path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("imported")
            .to_string(),
    };
    let description = head.description.map(|d| d.trim().to_string());
    let deck_forward_only = match head.cards {
        Some(cards) => forward_only(path, text, 0, cards)?,
        None => false,
    };
    let mut lines = Lines::new(text);
    let inline = head.note.len();
    let mut place = Place {
        path,
        text,
        lines: &mut lines,
        base: 0,
        forward_only: deck_forward_only,
    };
    for entry in head.note {
        sink(&name, note(&mut place, entry)?)?;
    }
    if inline > 0
        && let Some(&first) = headers.first()
    {
        return Err(Error::input(
            path,
            Some(Position::of_offset(text, first)),
            "invalid deck: the notes are given both as `note = [...]` and as [[note]] tables",
        ));
    }
    let mut count = inline;
    for (index, run) in headers.chunks(per_run).enumerate() {
        let start = run[0];
        let end = headers
            .get((index + 1) * per_run)
            .copied()
            .unwrap_or(text.len());
        let part: NoteRun = parse_part(path, text, start, end)?;
        count += part.note.len();
        place.base = start;
        for entry in part.note {
            sink(&name, note(&mut place, entry)?)?;
        }
    }
    if count == 0 {
        return Err(Error::input(
            path,
            None,
            "the deck has no notes (add [[note]] tables)",
        ));
    }
    Ok((name, description))
}

/// Deserializes `text[start..end]` as a document of its own, placing errors in the whole text.
fn parse_part<'a, T: Deserialize<'a>>(
    path: &Path,
    text: &'a str,
    start: usize,
    end: usize,
) -> Result<T> {
    ::toml::from_str(&text[start..end]).map_err(|e| {
        let position = e
            .span()
            .map(|span| Position::of_offset(text, start + span.start));
        let message = e.message().trim().trim_end_matches('.').to_string();
        Error::input(path, position, format!("invalid deck: {message}"))
    })
}

/// Where the notes being read are: the file, its text, the part being parsed (`base`: where
/// it starts) and what the deck says of its notes' cards.
struct Place<'p, 't> {
    path: &'p Path,
    text: &'t str,
    lines: &'p mut Lines<'t>,
    base: usize,
    /// The deck's `cards` is `["forward"]`.
    forward_only: bool,
}

/// A parsed note as [`NoteInput`], placed at its table.
fn note(place: &mut Place<'_, '_>, spanned: Spanned<NoteEntry<'_>>) -> Result<NoteInput> {
    let (path, base) = (place.path, place.base);
    let position = Some(place.lines.position(base + spanned.span().start));
    let entry = spanned.into_inner();
    let forward_only = match entry.cards {
        Some(cards) => forward_only(path, place.text, base, cards)?,
        None => place.forward_only,
    };
    let term = entry.term.trim().to_string();
    let key = match entry.id {
        Some(id) if id.trim().is_empty() => {
            return Err(Error::input(
                path,
                position,
                "the note's id is empty (remove it to use the term)",
            ));
        }
        Some(id) => id.trim().to_string(),
        None => slug(&term),
    };
    let text = |field: Option<Cow<'_, str>>| field.as_deref().unwrap_or("").trim().to_string();
    Ok(NoteInput {
        fields: NoteFields {
            key,
            guid: None,
            term,
            definition: entry.definition.trim().to_string(),
            example: text(entry.example),
            aliases: clean_list(entry.aliases),
            tags: clean_list(entry.tags),
            related: clean_list(entry.related),
            source: text(entry.source),
            rich: None,
            forward_only,
            cards_from_file: true,
        },
        position,
    })
}

/// Positions of offsets that come in increasing order (the notes of a file), counting lines
/// as it goes rather than keeping an index of every line.
struct Lines<'a> {
    text: &'a str,
    /// The last offset asked for, its line, and where that line starts.
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Lines<'a> {
        Lines {
            text,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn position(&mut self, offset: usize) -> Position {
        if offset < self.offset {
            return Position::of_offset(self.text, offset);
        }
        let offset = offset.min(self.text.len());
        let between = &self.text.as_bytes()[self.offset..offset];
        self.line += memchr::memchr_iter(b'\n', between).count();
        if let Some(last) = memchr::memrchr(b'\n', between) {
            self.line_start = self.offset + last + 1;
        }
        self.offset = offset;
        let line_text = self.text.get(self.line_start..offset).unwrap_or("");
        Position {
            line: self.line,
            column: line_text.chars().count() + 1,
        }
    }
}

/// Byte offsets of the `[[note]]` headers at the top level of a TOML document: a line whose
/// first non-blank character opens `[[note]]` (or `[["note"]]`) outside any string, comment,
/// array or inline table. Cutting the text there gives parts that are documents of their
/// own. A text this scan misreads is malformed TOML, which the parser of its part refuses.
fn note_headers(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut headers = Vec::new();
    let mut i = 0;
    let mut depth = 0usize;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            _ => {}
        }
        let first = std::mem::replace(&mut line_start, false);
        match c {
            b'#' => {
                i = memchr::memchr(b'\n', &b[i..]).map_or(b.len(), |n| i + n);
                continue;
            }
            b'"' | b'\'' => {
                i = skip_string(b, i);
                continue;
            }
            b'[' if depth == 0 && first => {
                let double = b.get(i + 1) == Some(&b'[');
                let open = if double { 2 } else { 1 };
                let mut j = i + open;
                while j < b.len() && b[j] != b']' && b[j] != b'\n' {
                    j = if b[j] == b'"' || b[j] == b'\'' {
                        skip_string(b, j)
                    } else {
                        j + 1
                    };
                }
                let name = text.get(i + open..j.min(b.len())).unwrap_or("").trim();
                if double && matches!(name, "note" | "\"note\"" | "'note'") {
                    headers.push(i);
                }
                i = j;
                continue;
            }
            b'[' | b'{' => depth += 1,
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    headers
}

/// The offset just past the string that opens at `b[i]` (a quote), or where it stops being
/// one (an unterminated single-line string ends at its line).
fn skip_string(b: &[u8], i: usize) -> usize {
    let quote = b[i];
    let escapes = quote == b'"';
    if b[i..].starts_with(&[quote; 3]) {
        let mut j = i + 3;
        while j < b.len() {
            if escapes && b[j] == b'\\' {
                j += 2;
            } else if b[j] == quote && b[j..].starts_with(&[quote; 3]) {
                // Up to two more quotes right before the closing three belong to the string.
                let run = b[j..].iter().take_while(|&&q| q == quote).count();
                return j + run.min(5);
            } else {
                j += 1;
            }
        }
        return b.len();
    }
    let mut j = i + 1;
    while j < b.len() {
        match b[j] {
            b'\\' if escapes => j += 2,
            b'\n' => return j,
            c if c == quote => return j + 1,
            _ => j += 1,
        }
    }
    b.len()
}

/// Writes a deck in the native format (the inverse of [`parse`]).
pub fn write(name: &str, description: &str, notes: &[NoteFields]) -> Result<String> {
    #[derive(serde::Serialize)]
    struct OutDeck<'a> {
        name: &'a str,
        #[serde(skip_serializing_if = "str::is_empty")]
        description: &'a str,
        note: Vec<OutNote<'a>>,
    }
    #[derive(serde::Serialize)]
    struct OutNote<'a> {
        id: &'a str,
        term: &'a str,
        definition: &'a str,
        #[serde(skip_serializing_if = "str::is_empty")]
        example: &'a str,
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        aliases: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        tags: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        related: &'a [String],
        #[serde(skip_serializing_if = "str::is_empty")]
        source: &'a str,
        /// Written for a note with its forward card only (both is the default).
        #[serde(skip_serializing_if = "Option::is_none")]
        cards: Option<[&'a str; 1]>,
    }
    let deck = OutDeck {
        name,
        description,
        note: notes
            .iter()
            .map(|n| OutNote {
                id: &n.key,
                term: &n.term,
                definition: &n.definition,
                example: &n.example,
                aliases: &n.aliases,
                tags: &n.tags,
                related: &n.related,
                source: &n.source,
                cards: (n.forward_only && n.rich.is_none()).then_some(["forward"]),
            })
            .collect(),
    };
    ::toml::to_string_pretty(&deck)
        .map_err(|e| Error::failed(format!("cannot write the deck as TOML: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse_str(text: &str) -> Result<DeckInput> {
        let deck = parse(&PathBuf::from("deck.toml"), text)?;
        super::super::validate(&PathBuf::from("deck.toml"), std::slice::from_ref(&deck))?;
        Ok(deck)
    }

    #[test]
    fn a_note_gets_its_key_from_the_term_unless_an_id_is_given() {
        let deck = parse_str(
            "name = \"ML\"\n[[note]]\nterm = \"Zipf's law\"\ndefinition = \"d\"\n[[note]]\nid = \"x\"\nterm = \"t\"\ndefinition = \"d\"\n",
        )
        .unwrap();
        assert_eq!(deck.notes[0].fields.key, "zipfs-law");
        assert_eq!(deck.notes[1].fields.key, "x");
        assert_eq!(deck.notes[1].position.map(|p| p.line), Some(5));
    }

    #[test]
    fn a_missing_definition_is_reported_at_its_note() {
        let err = parse_str("name = \"ML\"\n\n[[note]]\nterm = \"a\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("deck.toml:3:1:"), "{err}");
        assert!(err.contains("definition"), "{err}");
    }

    #[test]
    fn a_duplicate_key_names_both_places() {
        let err = parse_str("[[note]]\nterm = \"a b\"\ndefinition = \"d\"\n[[note]]\nterm = \"A-B\"\ndefinition = \"e\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("deck.toml:4:1"), "{err}");
        assert!(
            err.contains("'a-b' is used twice") && err.contains("first at line 1"),
            "{err}"
        );
    }

    #[test]
    fn malformed_toml_names_line_and_column() {
        let err = parse_str("name = \"ML\"\n[[note]]\nterm = \"a\ndefinition = \"d\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("deck.toml:3:"), "{err}");
    }

    #[test]
    fn an_empty_id_is_reported_as_such() {
        let err = parse_str("[[note]]\nterm = \"a\"\ndefinition = \"d\"\n\n[[note]]\nid = \" \"\nterm = \"x\"\ndefinition = \"d\"\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            err,
            "deck.toml:5:1: the note's id is empty (remove it to use the term)"
        );
    }

    #[test]
    fn unknown_fields_are_refused_rather_than_ignored() {
        let err = parse_str("[[note]]\nterm = \"a\"\ndefinition = \"d\"\ndefinitoin = \"x\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("definitoin"), "{err}");
    }

    /// [`parse`] cutting at every `[[note]]` header, so a header misread anywhere shows.
    fn parse_cut(path: &Path, text: &str) -> Result<DeckInput> {
        let mut notes = Vec::new();
        let (name, description) = parse_in_runs(path, text, 1, &mut |_, note| {
            notes.push(note);
            Ok(())
        })?;
        Ok(DeckInput {
            name,
            description,
            notes,
        })
    }

    /// The parser as it was: the whole document at once, through the toml crate alone.
    fn parse_whole(path: &Path, text: &str) -> Result<DeckInput> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Whole<'a> {
            #[serde(borrow)]
            name: Option<Cow<'a, str>>,
            #[serde(borrow)]
            description: Option<Cow<'a, str>>,
            cards: Option<CardList>,
            #[serde(default, borrow)]
            note: Vec<Spanned<NoteEntry<'a>>>,
        }
        let whole: Whole = parse_part(path, text, 0, text.len())?;
        let mut lines = Lines::new(text);
        let deck_forward_only = match whole.cards {
            Some(cards) => forward_only(path, text, 0, cards)?,
            None => false,
        };
        let mut place = Place {
            path,
            text,
            lines: &mut lines,
            base: 0,
            forward_only: deck_forward_only,
        };
        let notes = whole
            .note
            .into_iter()
            .map(|entry| note(&mut place, entry))
            .collect::<Result<Vec<_>>>()?;
        if notes.is_empty() {
            return Err(Error::input(
                path,
                None,
                "the deck has no notes (add [[note]] tables)",
            ));
        }
        Ok(DeckInput {
            name: whole.name.map_or("deck".into(), |n| n.trim().to_string()),
            description: whole.description.map(|d| d.trim().to_string()),
            notes,
        })
    }

    #[test]
    fn cutting_at_the_note_headers_reads_what_the_whole_document_says() {
        let path = PathBuf::from("deck.toml");
        let many: String = (0..3 * NOTES_PER_RUN + 7)
            .map(|i| format!("[[note]]\nterm = \"t{i}\"\ndefinition = 'd'\n\n"))
            .collect();
        let tricky = [
            // Headers inside strings, arrays and comments are not headers.
            "name = \"X\"\n[[note]]\nterm = \"a\"\ndefinition = \"\"\"\n[[note]]\nterm = \"b\"\n\"\"\"\n[[note]]\nterm = 'c'\ndefinition = '''\n[[note]]'''\n",
            "[[note]]\nterm = \"a\"\ndefinition = \"d\"\naliases = [\n[[\"x\"]],\n]\n",
            "[[note]]\nterm = \"a\"\ndefinition = \"d\"\ntags = [\n  \"x\", # [[note]]\n  \"y\",\n]\n# [[note]]\n[[ note ]] # a comment\nterm = \"b\"\ndefinition = \"q\\\"\"\n[[\"note\"]]\nterm = \"c\"\ndefinition = \"\"\"x\"\"\"\"\"\n",
            "[[note]]\r\nterm = \"a\"\r\ndefinition = \"d\"\r\n  [[note]]\r\nterm = \"é\"\r\ndefinition = \"\\\\\"\r\n",
            "note = [{term = \"a\", definition = \"d\"}, {term = \"b\", definition = \"e\"}]\n",
            "cards = [\"forward\"]\nnote = [{term = \"a\", definition = \"d\", cards = [\"forward\", \"reverse\"]}, {term = \"b\", definition = \"e\"}]\n",
            "cards = [\"forward\"] # [[note]]\n[[note]]\nterm = \"a\"\ndefinition = \"d\"\n[[note]]\nterm = \"b\"\ndefinition = \"d\"\ncards = [\"reverse\", \"forward\"]\n",
            many.as_str(),
        ];
        for text in tricky {
            let whole = parse_whole(&path, text);
            for cut in [parse(&path, text), parse_cut(&path, text)] {
                match (&cut, &whole) {
                    (Ok(cut), Ok(whole)) => {
                        assert_eq!(cut.notes, whole.notes, "{text}");
                        assert_eq!(cut.description, whole.description, "{text}");
                    }
                    (Err(cut), Err(whole)) => assert_eq!(cut.to_string(), whole.to_string()),
                    _ => panic!(
                        "{text}\ncut: {:?}\nwhole: {:?}",
                        cut.err(),
                        whole.as_ref().err()
                    ),
                }
            }
        }
        assert_eq!(
            parse(&path, tricky[0]).unwrap().notes.len(),
            2,
            "the header in a string is not a note"
        );
        assert_eq!(parse(&path, tricky[2]).unwrap().notes.len(), 3);
    }

    #[test]
    fn errors_after_the_first_run_of_notes_keep_their_line_and_column() {
        let path = PathBuf::from("deck.toml");
        let mut text: String = (0..NOTES_PER_RUN + 3)
            .map(|i| format!("[[note]]\nterm = \"t{i}\"\ndefinition = \"d\"\n"))
            .collect();
        // The note after them repeats its term on its fourth line.
        text.push_str("[[note]]\nterm = \"z\"\ndefinition = \"d\"\nterm = \"again\"\n");
        let line = 3 * (NOTES_PER_RUN + 3) + 4;
        let cut = parse(&path, &text).unwrap_err().to_string();
        let whole = parse_whole(&path, &text).unwrap_err().to_string();
        assert_eq!(cut, whole);
        assert!(cut.starts_with(&format!("deck.toml:{line}:1:")), "{cut}");
        let both = "note = [{term = \"a\", definition = \"d\"}]\n[[note]]\nterm = \"b\"\ndefinition = \"e\"\n";
        assert!(parse(&path, both).is_err());
        assert!(parse_whole(&path, both).is_err());
    }

    /// One note in one of the shapes TOML allows, with headers hidden in strings, comments
    /// and arrays.
    fn note_text(i: usize, shape: u8) -> String {
        let header = [
            "[[note]]",
            "  [[ note ]] # a comment",
            "[[\"note\"]]",
            "[['note']]",
        ][usize::from(shape % 4)];
        let definition = match (shape / 4) % 4 {
            0 => "definition = \"plain\"".to_string(),
            1 => "definition = \"\"\"\n[[note]]\nterm = \"hidden\"\n\"\"\"".to_string(),
            2 => "definition = '''\n# [[note]]\n'''".to_string(),
            _ => "definition = \"q \\\" [[note]] # not a comment\"".to_string(),
        };
        let extra = match (shape / 16) % 4 {
            0 => "",
            1 => "tags = [\n  \"a\", # [[note]]\n  \"b\",\n]",
            2 => "aliases = [\n\"x\",\n]\n# [[note]]\n",
            _ => "example = 'it has # and [[note]]'",
        };
        format!("{header}\nterm = \"term {i}\"\n{definition}\n{extra}\n")
    }

    proptest::proptest! {
        // Each case parses a deck of up to 300 notes twice, unoptimised.
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        #[test]
        fn cutting_agrees_with_the_whole_document_on_generated_decks(
            shapes in proptest::collection::vec(0u8..64, 0..(NOTES_PER_RUN + 40)),
            head in 0u8..3,
        ) {
            let path = PathBuf::from("deck.toml");
            let mut text = ["", "name = \"N\"\n", "description = \"D\" # [[note]]\n\n"]
                [usize::from(head)]
                .to_string();
            for (i, shape) in shapes.iter().enumerate() {
                text.push_str(&note_text(i, *shape));
            }
            let whole = parse_whole(&path, &text);
            let cut = if shapes.len() % 2 == 0 { parse(&path, &text) } else { parse_cut(&path, &text) };
            match (cut, whole) {
                (Ok(cut), Ok(whole)) => proptest::prop_assert_eq!(cut.notes, whole.notes),
                (Err(cut), Err(whole)) => {
                    proptest::prop_assert_eq!(cut.to_string(), whole.to_string())
                }
                (cut, whole) => proptest::prop_assert!(
                    false,
                    "cut: {:?}\nwhole: {:?}",
                    cut.err(),
                    whole.err()
                ),
            }
        }

        #[test]
        fn cutting_agrees_on_whether_arbitrary_lines_are_a_deck(
            lines in proptest::collection::vec(
                proptest::sample::select(vec![
                    "[[note]]", " [[ note ]]", "[[\"note\"]]", "[note]", "[[other]]",
                    "term = \"t\"", "definition = \"d\"", "definition = \"\"\"", "\"\"\"",
                    "definition = '''", "'''", "# [[note]]", "tags = [", "\"a\",", "]",
                    "example = \"a # b\"", "name = \"N\"", "x = {a = 1}", "", "\"\"\"\"\"",
                    "aliases = [\"[[note]]\"]", "related = [[\"x\"]]",
                ]),
                0..30,
            ),
        ) {
            let path = PathBuf::from("deck.toml");
            let text = lines.join("\n");
            let cut = parse_cut(&path, &text);
            let whole = parse_whole(&path, &text);
            proptest::prop_assert_eq!(cut.is_ok(), whole.is_ok(), "{}\ncut: {:?}\nwhole: {:?}", text, cut.as_ref().err(), whole.as_ref().err());
            if let (Ok(cut), Ok(whole)) = (cut, whole) {
                proptest::prop_assert_eq!(cut.notes, whole.notes);
            }
        }
    }

    #[test]
    fn cards_come_from_the_note_then_the_deck_and_default_to_both() {
        let forward_only = |text: &str| -> Vec<bool> {
            let deck = parse_str(text).unwrap();
            assert!(deck.notes.iter().all(|n| n.fields.cards_from_file));
            deck.notes.iter().map(|n| n.fields.forward_only).collect()
        };
        let notes = "[[note]]\nterm = \"a\"\ndefinition = \"d\"\n[[note]]\nterm = \"b\"\ndefinition = \"d\"\ncards = [\"forward\", \"reverse\"]\n[[note]]\nterm = \"c\"\ndefinition = \"d\"\ncards = [\"forward\"]\n";
        assert_eq!(forward_only(notes), [false, false, true]);
        assert_eq!(
            forward_only(&format!("cards = [\"forward\"]\n{notes}")),
            [true, false, true]
        );
        assert_eq!(
            forward_only(&format!("cards = [\"reverse\", \"forward\"]\n{notes}")),
            [false, false, true]
        );
    }

    #[test]
    fn a_card_list_that_is_empty_unknown_or_without_the_forward_card_is_refused_where_it_stands() {
        for (cards, at, says) in [
            ("[]", "deck.toml:4:9:", "`cards` is empty"),
            (
                "[\"forward\", \"back\"]",
                "deck.toml:4:21:",
                "unknown card 'back'",
            ),
            (
                "[\"reverse\"]",
                "deck.toml:4:9:",
                "leaves out the forward card",
            ),
            ("\"forward\"", "deck.toml:4:9:", "expected a sequence"),
        ] {
            let text = format!("[[note]]\nterm = \"a\"\ndefinition = \"d\"\ncards = {cards}\n");
            let err = parse_str(&text).unwrap_err().to_string();
            assert!(err.starts_with(at) && err.contains(says), "{cards}: {err}");
            let deck_level = format!(
                "name = \"N\"\n\n\ncards = {cards}\n[[note]]\nterm = \"a\"\ndefinition = \"d\"\n"
            );
            let err = parse_str(&deck_level).unwrap_err().to_string();
            assert!(err.starts_with(at) && err.contains(says), "{cards}: {err}");
        }
    }

    #[test]
    fn written_decks_parse_back_to_the_same_notes() {
        let deck = parse_str(
            "name = \"ML::Deep\"\ndescription = \"d\"\n[[note]]\nterm = \"BERT\"\ndefinition = \"a \\\"model\\\"\"\naliases = [\"b\"]\nrelated = [\"x\"]\nsource = \"s\"\n",
        )
        .unwrap();
        let mut fields: Vec<NoteFields> = deck.notes.iter().map(|n| n.fields.clone()).collect();
        let forward = NoteFields {
            key: "fwd".into(),
            forward_only: true,
            ..fields[0].clone()
        };
        fields.push(forward);
        let text = write(&deck.name, "d", &fields).unwrap();
        assert_eq!(text.matches("cards = [\"forward\"]").count(), 1, "{text}");
        let back = parse_str(&text).unwrap();
        assert_eq!(back.name, "ML::Deep");
        assert_eq!(back.notes[0].fields, fields[0]);
        assert_eq!(back.notes[1].fields, fields[1]);
    }
}
