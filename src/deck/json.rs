//! JSON decks, for scripts: an array with one object per note.
//!
//! ```json
//! [
//!   {"deck": "ML::Basics", "id": "bert", "term": "BERT", "definition": "A language model.",
//!    "example": "", "aliases": ["Bidirectional Encoder Representations from Transformers"],
//!    "tags": ["nlp"], "related": ["gpt"], "source": "", "guid": null}
//! ]
//! ```
//!
//! `term` and `definition` are required; `deck` defaults to `--deck` or the file's stem; `id`
//! (also spelled `key`) defaults to the slug of the term; the lists default to empty; `guid` is
//! Anki's note id, used to match notes on re-import. Unknown keys are refused, so a typo is
//! never silently dropped. Errors name the line and column.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{DeckInput, NoteInput};
use crate::error::{Error, LineIndex, Position, Result};
use crate::model::NoteFields;

/// One note as JSON has it (written by `export`, read by `import`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonNote {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deck: Option<String>,
    #[serde(default, alias = "key", skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub term: String,
    pub definition: String,
    #[serde(default)]
    pub example: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub related: Vec<String>,
    #[serde(default)]
    pub source: String,
    #[serde(default)]
    pub guid: Option<String>,
    /// The note's cards: `["forward"]` for its forward card only; both when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cards: Option<Vec<String>>,
}

impl JsonNote {
    pub fn from_fields(deck: &str, fields: &NoteFields) -> JsonNote {
        JsonNote {
            deck: Some(deck.to_string()),
            id: Some(fields.key.clone()),
            term: fields.term.clone(),
            definition: fields.definition.clone(),
            example: fields.example.clone(),
            aliases: fields.aliases.clone(),
            tags: fields.tags.clone(),
            related: fields.related.clone(),
            source: fields.source.clone(),
            guid: fields.guid.clone(),
            cards: (fields.forward_only && fields.rich.is_none()).then(|| vec!["forward".into()]),
        }
    }
}

fn clean_list(items: Vec<String>) -> Vec<String> {
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The byte offset in `text` of what `e` is about. serde_json's column counts the bytes of
/// its line read so far: the fault is the last byte read (column 0: the line break before
/// the line). A type error is found by looking at the next value, so the fault is that value,
/// past the blanks last read; at the end of input, it is the end of the last line with text.
fn fault_offset(text: &str, e: &serde_json::Error) -> usize {
    if e.classify() == serde_json::error::Category::Eof {
        return text.trim_end().len();
    }
    let line_start = text
        .split_inclusive('\n')
        .take(e.line().saturating_sub(1))
        .map(str::len)
        .sum::<usize>();
    let mut offset = (line_start + e.column()).saturating_sub(1).min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    if e.classify() == serde_json::error::Category::Data {
        let rest = &text[offset..];
        offset += rest.len() - rest.trim_start().len();
    }
    offset
}

fn json_error(path: &Path, text: &str, base: usize, inner: &str, e: &serde_json::Error) -> Error {
    let offset = base + fault_offset(inner, e);
    let message = e.to_string();
    // serde_json appends " at line L column C"; the position is given in front instead.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m);
    Error::input(
        path,
        Some(Position::of_offset(text, offset)),
        format!("invalid JSON deck: {message}"),
    )
}

/// Parses a JSON deck file into its decks (in the order they first appear).
pub fn parse(path: &Path, text: &str, default_deck: &str) -> Result<Vec<DeckInput>> {
    let mut decks: Vec<DeckInput> = vec![];
    parse_each(path, text, default_deck, &mut |deck, note| {
        match decks.iter_mut().find(|d| d.name == deck) {
            Some(found) => found.notes.push(note),
            None => decks.push(DeckInput {
                name: deck.to_string(),
                description: None,
                notes: vec![note],
            }),
        }
        Ok(())
    })?;
    Ok(decks)
}

/// [`parse`] note by note: hands each note to `sink` with its deck's name as soon as it is
/// read. Only the array's outline (where each note starts and ends) is held meanwhile.
pub fn parse_each(
    path: &Path,
    text: &str,
    default_deck: &str,
    sink: &mut dyn FnMut(&str, NoteInput) -> Result<()>,
) -> Result<()> {
    if text.trim().is_empty() {
        return Err(Error::input(
            path,
            Some(Position { line: 1, column: 1 }),
            "the file is empty",
        ));
    }
    let raw: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        if e.classify() == serde_json::error::Category::Data {
            Error::input(
                path,
                Some(Position::of_offset(text, fault_offset(text, &e))),
                "a JSON deck is an array of note objects ([{\"term\": ..., \"definition\": ...}])",
            )
        } else {
            json_error(path, text, 0, text, &e)
        }
    })?;
    let empty = raw.is_empty();
    // One index of line starts for all notes: rescanning the text per note is quadratic.
    let lines = LineIndex::new(text);
    for item in raw {
        let inner = item.get();
        let base = inner.as_ptr() as usize - text.as_ptr() as usize;
        let position = Some(lines.position(base));
        let note: JsonNote =
            serde_json::from_str(inner).map_err(|e| json_error(path, text, base, inner, &e))?;
        let deck = note
            .deck
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| default_deck.to_string());
        let forward_only = match &note.cards {
            None => false,
            Some(cards) => forward_only(cards).map_err(|message| {
                let at = cards_key(inner).map_or(position, |offset| {
                    Some(Position::of_offset(text, base + offset))
                });
                Error::input(path, at, format!("invalid JSON deck: {message}"))
            })?,
        };
        let term = note.term.trim().to_string();
        let key = note
            .id
            .map(|k| k.trim().to_string())
            .filter(|k| !k.is_empty())
            .unwrap_or_else(|| crate::text::slug(&term));
        let fields = NoteFields {
            key,
            guid: note.guid.filter(|g| !g.trim().is_empty()),
            term,
            definition: note.definition.trim().to_string(),
            example: note.example.trim().to_string(),
            aliases: clean_list(note.aliases),
            tags: clean_list(note.tags),
            related: clean_list(note.related),
            source: note.source.trim().to_string(),
            rich: None,
            forward_only,
            cards_from_file: true,
        };
        sink(&deck, NoteInput { fields, position })?;
    }
    if empty {
        return Err(Error::input(path, None, "the JSON deck has no notes"));
    }
    Ok(())
}

/// The offset of the `"cards"` key in a note's text: a string `"cards"` followed by a colon
/// (a value is followed by a comma or a brace, and a quote inside a string is escaped).
fn cards_key(note: &str) -> Option<usize> {
    memchr::memmem::find_iter(note.as_bytes(), b"\"cards\"")
        .find(|&at| note[at + 7..].trim_start().starts_with(':'))
}

/// Whether a note's `cards` list makes it forward only: both cards, or the forward card
/// alone; anything else is refused in one sentence.
fn forward_only(cards: &[String]) -> std::result::Result<bool, String> {
    if let Some(other) = cards
        .iter()
        .find(|c| !matches!(c.as_str(), "forward" | "reverse"))
    {
        return Err(format!(
            "unknown card '{other}' in \"cards\": a note's cards are \"forward\" and \"reverse\""
        ));
    }
    if cards.is_empty() {
        return Err("\"cards\" is empty: a note has at least its forward card ([\"forward\"], or leave \"cards\" out for both)".into());
    }
    if !cards.iter().any(|c| c == "forward") {
        return Err("\"cards\" leaves out the forward card, which every note has: write [\"forward\"] or [\"forward\", \"reverse\"]".into());
    }
    Ok(!cards.iter().any(|c| c == "reverse"))
}

/// Writes notes as a JSON deck (the inverse of [`parse`]).
pub fn write(notes: &[(String, NoteFields)]) -> Result<String> {
    let list: Vec<JsonNote> = notes
        .iter()
        .map(|(deck, fields)| JsonNote::from_fields(deck, fields))
        .collect();
    let mut text = crate::text::to_json_pretty(&list)
        .map_err(|e| Error::failed(format!("cannot write the deck as JSON: {e}")))?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn parse_str(text: &str) -> Result<Vec<DeckInput>> {
        parse(&PathBuf::from("deck.json"), text, "Default")
    }

    #[test]
    fn notes_take_their_deck_and_key_or_the_defaults() {
        let decks = parse_str(
            r#"[{"term": "BERT", "definition": "a model", "deck": "NLP", "key": "b"},
                {"term": "Zipf's law", "definition": "d", "aliases": ["zipf", " "]}]"#,
        )
        .unwrap();
        assert_eq!(decks.len(), 2);
        assert_eq!(decks[0].name, "NLP");
        assert_eq!(decks[0].notes[0].fields.key, "b");
        assert_eq!(decks[1].name, "Default");
        assert_eq!(decks[1].notes[0].fields.key, "zipfs-law");
        assert_eq!(decks[1].notes[0].fields.aliases, vec!["zipf"]);
        assert_eq!(decks[1].notes[0].position.map(|p| p.line), Some(2));
    }

    #[test]
    fn a_syntax_error_names_line_and_column() {
        let err = parse_str("[\n  {\"term\": \"a\", \"definition\": \"b\",}\n]")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("deck.json:2:"), "{err}");
    }

    #[test]
    fn an_unknown_or_missing_key_is_located_inside_its_note() {
        let err = parse_str("[\n {\"term\": \"a\", \"definition\": \"b\"},\n {\"term\": \"c\",\n  \"definiton\": \"d\"}\n]")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("deck.json:4:"), "{err}");
        assert!(err.contains("definiton"), "{err}");
        let err = parse_str("[{\"term\": \"a\"}]").unwrap_err().to_string();
        assert!(err.contains("definition"), "{err}");
    }

    #[test]
    fn the_top_level_must_be_an_array() {
        let err = parse_str("{\"term\": \"a\"}").unwrap_err().to_string();
        assert!(err.contains("array"), "{err}");
    }

    #[test]
    fn written_notes_parse_back() {
        let fields = NoteFields {
            key: "k".into(),
            guid: Some("g".into()),
            term: "T \"q\"".into(),
            definition: "D\nline".into(),
            tags: vec!["x".into()],
            forward_only: true,
            // What a deck file gives: it names the note's cards.
            cards_from_file: true,
            ..NoteFields::default()
        };
        let both = NoteFields {
            key: "both".into(),
            forward_only: false,
            ..fields.clone()
        };
        let text = write(&[
            ("ML::A".into(), fields.clone()),
            ("ML::A".into(), both.clone()),
        ])
        .unwrap();
        assert_eq!(text.matches("\"cards\"").count(), 1, "{text}");
        let back = parse_str(&text).unwrap();
        assert_eq!(back[0].name, "ML::A");
        assert_eq!(back[0].notes[0].fields, fields);
        assert_eq!(back[0].notes[1].fields, both);
    }

    #[test]
    fn cards_are_both_by_default_the_forward_one_alone_or_an_error_at_the_key() {
        let decks = parse_str(
            r#"[{"term": "a", "definition": "b", "cards": ["forward"]},
                {"term": "c", "definition": "d", "cards": ["reverse", "forward"]},
                {"term": "e", "definition": "f"}]"#,
        )
        .unwrap();
        let forward_only: Vec<bool> = decks[0]
            .notes
            .iter()
            .map(|n| n.fields.forward_only)
            .collect();
        assert_eq!(forward_only, [true, false, false]);
        assert!(decks[0].notes.iter().all(|n| n.fields.cards_from_file));
        for (cards, says) in [
            ("[]", "is empty"),
            ("[\"reverse\"]", "leaves out the forward card"),
            ("[\"forward\", \"Reverse\"]", "unknown card 'Reverse'"),
        ] {
            let text = format!(
                "[\n {{\"term\": \"a\", \"definition\": \"\\\"cards\\\": x\",\n   \"cards\": {cards}}}\n]"
            );
            let err = parse_str(&text).unwrap_err().to_string();
            assert!(
                err.starts_with("deck.json:3:4: invalid JSON deck: "),
                "{err}"
            );
            assert!(err.contains(says), "{err}");
        }
    }
}
