//! The native deck format: one TOML file per deck (documented in `decks/README.md`).

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::{DeckInput, NoteInput};
use crate::error::{Error, LineIndex, Position, Result};
use crate::model::NoteFields;
use crate::text::slug;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeckFile {
    name: Option<String>,
    description: Option<String>,
    #[serde(default)]
    note: Vec<Spanned<NoteEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteEntry {
    id: Option<String>,
    term: String,
    definition: String,
    example: Option<String>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    related: Vec<String>,
    source: Option<String>,
}

fn clean_list(items: Vec<String>) -> Vec<String> {
    items
        .into_iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Parses one deck file. The deck is named by its `name`, or else by the file's stem.
pub fn parse(path: &Path, text: &str) -> Result<DeckInput> {
    let file: DeckFile = ::toml::from_str(text).map_err(|e| {
        let position = e.span().map(|span| Position::of_offset(text, span.start));
        let message = e.message().trim().trim_end_matches('.').to_string();
        Error::input(path, position, format!("invalid deck: {message}"))
    })?;
    if file.note.is_empty() {
        return Err(Error::input(
            path,
            None,
            "the deck has no notes (add [[note]] tables)",
        ));
    }
    let name = match file.name {
        Some(name) => name.trim().to_string(),
        None => path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("imported")
            .to_string(),
    };
    let lines = LineIndex::new(text);
    let mut notes = Vec::with_capacity(file.note.len());
    for spanned in file.note {
        let position = Some(lines.position(spanned.span().start));
        let entry = spanned.into_inner();
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
        notes.push(NoteInput {
            fields: NoteFields {
                key,
                guid: None,
                term,
                definition: entry.definition.trim().to_string(),
                example: entry.example.unwrap_or_default().trim().to_string(),
                aliases: clean_list(entry.aliases),
                tags: clean_list(entry.tags),
                related: clean_list(entry.related),
                source: entry.source.unwrap_or_default().trim().to_string(),
            },
            position,
        });
    }
    Ok(DeckInput {
        name,
        description: file.description.map(|d| d.trim().to_string()),
        notes,
    })
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

    #[test]
    fn written_decks_parse_back_to_the_same_notes() {
        let deck = parse_str(
            "name = \"ML::Deep\"\ndescription = \"d\"\n[[note]]\nterm = \"BERT\"\ndefinition = \"a \\\"model\\\"\"\naliases = [\"b\"]\nrelated = [\"x\"]\nsource = \"s\"\n",
        )
        .unwrap();
        let fields: Vec<NoteFields> = deck.notes.iter().map(|n| n.fields.clone()).collect();
        let text = write(&deck.name, "d", &fields).unwrap();
        let back = parse_str(&text).unwrap();
        assert_eq!(back.name, "ML::Deep");
        assert_eq!(back.notes[0].fields, fields[0]);
    }
}
