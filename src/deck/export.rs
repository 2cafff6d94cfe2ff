//! PURE writers: decks as CSV/TSV (with the header lines Anki and our importer read back), and
//! the review log as CSV or JSON in the columns FSRS tools read first.

use chrono::DateTime;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::NoteFields;
use crate::records::export::ExportReview;

/// The columns of a CSV/TSV export, in order. Term and definition come first and are named
/// `Front` and `Back`: Anki maps `#columns:` names onto a note type's field names, exactly
/// (`map_field_columns_by_name` in its `csv/metadata.rs`), so only these names give its
/// "Basic" note type the definition as well as the term. jargon reads them as term and
/// definition.
pub const COLUMNS: [&str; 10] = [
    "Front", "Back", "example", "aliases", "tags", "related", "source", "id", "deck", "guid",
];

/// Quotes a field when a reader could misread it: separators, quotes, line breaks, a leading
/// `#` (a header line to Anki) or white space at either end (trimmed on import otherwise).
fn push_field(out: &mut String, field: &str, separator: char) {
    let needs_quotes = field.contains(separator)
        || field.contains(['"', '\n', '\r'])
        || field.starts_with('#')
        || field.starts_with(char::is_whitespace)
        || field.ends_with(char::is_whitespace);
    if needs_quotes {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Tags as Anki writes them: separated by spaces, so white space inside a tag becomes `_`.
pub fn tags_field(tags: &[String]) -> String {
    tags.iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join("_"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes vocab notes (with their deck names) as an Anki-style text file, whose columns Anki
/// maps onto its "Basic" type by name. A selection with notes of other types is written by
/// [`write_typed_text`] instead.
pub fn write_text(notes: &[(String, NoteFields)], separator: char) -> String {
    let name = separator_name(separator);
    let mut out = String::with_capacity(64 + notes.len() * 160);
    out.push_str(&format!("#separator:{name}\n#html:false\n#columns:"));
    out.push_str(&COLUMNS.join(&separator.to_string()));
    let column = |name: &str| COLUMNS.iter().position(|c| *c == name).map_or(0, |i| i + 1);
    out.push_str(&format!(
        "\n#tags column:{}\n#deck column:{}\n#guid column:{}\n",
        column("tags"),
        column("deck"),
        column("guid")
    ));
    for (deck, f) in notes {
        let row = [
            f.term.as_str(),
            f.definition.as_str(),
            f.example.as_str(),
            &f.aliases.join("; "),
            &tags_field(&f.tags),
            &f.related.join("; "),
            f.source.as_str(),
            f.key.as_str(),
            deck.as_str(),
            f.guid.as_deref().unwrap_or(""),
        ];
        for (i, field) in row.iter().enumerate() {
            if i > 0 {
                out.push(separator);
            }
            push_field(&mut out, field, separator);
        }
        out.push('\n');
    }
    out
}

/// The name a vocab note's type goes by in a text file with a note type column: jargon's type
/// as its packages name it, whose fields (Term, Definition, Example, Aliases, Related, Source,
/// Key) are the columns such a row has.
pub const JARGON_TYPE: &str = "jargon";

/// A field's text as HTML, as jargon's packages write it.
fn text_html(text: &str) -> String {
    html_escape::encode_text(text).replace('\n', "<br>")
}

/// Writes notes (with their decks and note type names) as Anki's "Notes in Plain Text" with
/// HTML: the guid, note type and deck columns first, the fields (padded to the most any type
/// has) and the tags last, as Anki's own export lays them out. A note of another type than
/// vocab keeps its fields as stored; a vocab note is a row of [`JARGON_TYPE`] with its fields
/// as HTML. jargon's import gives each note its type back (a type the collection has, or one
/// of Anki's stock types); so does Anki's, for the types it has.
pub fn write_typed_text(notes: &[(String, NoteFields, String)], separator: char) -> String {
    let jargon_fields = |f: &NoteFields| -> Vec<String> {
        [
            f.term.as_str(),
            f.definition.as_str(),
            f.example.as_str(),
            &f.aliases.join("; "),
            &f.related.join("; "),
            f.source.as_str(),
            f.key.as_str(),
        ]
        .map(text_html)
        .into()
    };
    let width = notes
        .iter()
        .map(|(_, f, _)| f.rich.as_ref().map_or(7, |r| r.values.len()))
        .max()
        .unwrap_or(0);
    let mut out = String::with_capacity(128 + notes.len() * 160);
    out.push_str(&format!(
        "#separator:{}\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:{}\n",
        separator_name(separator),
        4 + width
    ));
    for (deck, f, notetype) in notes {
        let values = match &f.rich {
            Some(rich) => rich.values.clone(),
            None => jargon_fields(f),
        };
        let head = [
            f.guid.as_deref().unwrap_or(""),
            notetype.as_str(),
            deck.as_str(),
        ];
        let padding = width.saturating_sub(values.len());
        let tags = tags_field(&f.tags);
        let row = head
            .into_iter()
            .chain(values.iter().map(String::as_str))
            .chain(std::iter::repeat_n("", padding))
            .chain([tags.as_str()]);
        for (i, field) in row.enumerate() {
            if i > 0 {
                out.push(separator);
            }
            push_field(&mut out, field, separator);
        }
        out.push('\n');
    }
    out
}

/// The `#separator:` name of a separator.
fn separator_name(separator: char) -> &'static str {
    match separator {
        '\t' => "Tab",
        ',' => "Comma",
        ';' => "Semicolon",
        '|' => "Pipe",
        _ => "Comma",
    }
}

/// One review log row as exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReviewRecord {
    pub card_id: i64,
    /// ISO 8601, UTC, with milliseconds.
    pub review_time: String,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    pub review_rating: u8,
    /// Milliseconds.
    pub review_duration: i64,
    pub note_key: String,
    pub deck: String,
    /// Its card's template: `forward`/`reverse` for vocab, `c1`... for cloze.
    pub direction: String,
    /// SM-2 quality, 0 to 5.
    pub quality: u8,
    pub kind: &'static str,
    /// The study day (days since 1970-01-01).
    pub day: i64,
    pub scheduler: &'static str,
    pub phase_before: &'static str,
    pub interval_before: u32,
    pub ease_before: u32,
    pub phase_after: &'static str,
    pub interval_after: u32,
    pub ease_after: u32,
    /// FSRS's memory state after the answer (null where the scheduler keeps none).
    pub stability_after: Option<f32>,
    pub difficulty_after: Option<f32>,
    /// FSRS's predicted recall at the answer (null where not FSRS, and at a first answer).
    pub retrievability: Option<f32>,
}

impl ReviewRecord {
    pub fn from_export(row: &ExportReview) -> ReviewRecord {
        let r = &row.review;
        let review_time = DateTime::from_timestamp_millis(r.reviewed_at_ms)
            .unwrap_or_default()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        ReviewRecord {
            card_id: r.card_id,
            review_time,
            review_rating: r.quality.rating(),
            review_duration: r.duration_ms,
            note_key: row.note_key.clone(),
            deck: row.deck.clone(),
            direction: row.template.clone(),
            quality: r.quality.value(),
            kind: r.kind.as_str(),
            day: r.day,
            scheduler: r.scheduler_name,
            phase_before: r.before.phase.as_str(),
            interval_before: r.before.interval_days,
            ease_before: r.before.ease_permille,
            phase_after: r.after.phase.as_str(),
            interval_after: r.after.interval_days,
            ease_after: r.after.ease_permille,
            stability_after: r.after.memory.map(|m| m.stability),
            difficulty_after: r.after.memory.map(|m| m.difficulty),
            retrievability: r.retrievability,
        }
    }
}

/// Writes review records as CSV (with a header row) to `out`.
pub struct ReviewCsv<W: std::io::Write> {
    writer: csv::Writer<W>,
}

impl<W: std::io::Write> ReviewCsv<W> {
    pub fn new(out: W) -> ReviewCsv<W> {
        ReviewCsv {
            writer: csv::Writer::from_writer(out),
        }
    }

    pub fn write(&mut self, record: &ReviewRecord) -> Result<()> {
        self.writer.serialize(record).map_err(csv_write_error)
    }

    pub fn finish(mut self) -> Result<()> {
        self.writer.flush().map_err(Error::Output)
    }
}

fn csv_write_error(e: csv::Error) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::Output(io),
        other => Error::failed(format!("cannot write the review log as CSV: {other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn note(term: &str, definition: &str) -> NoteFields {
        NoteFields {
            key: crate::text::slug(term),
            term: term.into(),
            definition: definition.into(),
            ..NoteFields::default()
        }
    }

    #[test]
    fn text_exports_parse_back_to_the_same_notes() {
        let mut tricky = note("#define", "a \"macro\"; with, commas\nand a second line");
        tricky.aliases = vec!["macro".into(), "define, C".into()];
        tricky.tags = vec!["c".into(), "pre processor".into()];
        tricky.related = vec!["include".into()];
        tricky.guid = Some("g\t1".into());
        tricky.source = " spaced ".trim().into();
        let notes = vec![
            ("C::Macros".to_string(), tricky.clone()),
            ("Other".to_string(), note("x", "y")),
        ];
        for separator in [',', '\t', ';', '|'] {
            let text = write_text(&notes, separator);
            let back = crate::deck::csv::parse(&PathBuf::from("x.csv"), &text, "Default", None)
                .unwrap_or_else(|e| panic!("{separator:?}: {e}\n{text}"));
            assert_eq!(back.decks.len(), 2);
            assert_eq!(back.decks[0].name, "C::Macros");
            let mut expected = tricky.clone();
            expected.tags = vec!["c".into(), "pre_processor".into()];
            assert_eq!(back.decks[0].notes[0].fields, expected, "{separator:?}");
            assert!(back.warnings.is_empty(), "{:?}", back.warnings);
        }
    }

    #[test]
    fn typed_exports_parse_back_to_the_same_notes_under_their_types() {
        let mut vocab = note("a < b", "first line\nsecond, with \"quotes\"");
        vocab.aliases = vec!["lt".into(), "less".into()];
        vocab.related = vec!["gt".into()];
        vocab.tags = vec!["math".into()];
        vocab.source = "src".into();
        let cloze_type = std::sync::Arc::new(crate::model::NoteTypeInput {
            notetype: crate::notes::NoteType::stock(crate::notes::Kind::Cloze),
            anki_id: None,
            extra: "{}".into(),
        });
        let mut cloze = NoteFields {
            guid: Some("#g,1".into()),
            tags: vec!["t".into()],
            ..NoteFields::default()
        };
        crate::deck::notetypes::fill_rich(
            &cloze_type,
            vec![" {{c1::x}}\t<b>y</b> ".into(), "".into()],
            "",
            &mut cloze,
        );
        cloze.key = crate::text::slug(&cloze.term);
        let notes = vec![
            ("D".to_string(), vocab.clone(), JARGON_TYPE.to_string()),
            ("D::E".to_string(), cloze.clone(), "Cloze".to_string()),
        ];
        for separator in [',', '\t'] {
            let text = write_typed_text(&notes, separator);
            assert!(text.contains("#tags column:11\n"), "{text}");
            let back = crate::deck::csv::parse(&PathBuf::from("x.txt"), &text, "Default", None)
                .unwrap_or_else(|e| panic!("{separator:?}: {e}\n{text}"));
            assert!(back.warnings.is_empty(), "{:?}", back.warnings);
            assert_eq!(back.decks[0].notes[0].fields, vocab, "{separator:?}");
            let read = &back.decks[1].notes[0].fields;
            assert_eq!(back.decks[1].name, "D::E");
            assert_eq!(read, &cloze, "{separator:?}");
            assert_eq!(
                read.rich.as_ref().unwrap().values,
                cloze.rich.as_ref().unwrap().values
            );
        }
    }

    #[test]
    fn the_header_names_the_special_columns_one_based() {
        let text = write_text(&[], ',');
        assert!(text.contains("#tags column:5\n"), "{text}");
        assert!(text.contains("#deck column:9\n#guid column:10\n"), "{text}");
    }
}
