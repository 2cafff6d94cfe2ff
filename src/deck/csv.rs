//! CSV and TSV decks, with the header lines Anki's text import reads and writes.
//!
//! - Header lines at the top, each `#key:value`: `#separator:` (`Tab`, `Comma`, `Semicolon`,
//!   `Pipe`, `Space`, `Colon`, or one character), `#html:true|false`, `#columns:` (column names,
//!   split by the separator), `#deck:NAME`, `#tags:a b` (added to every note), `#deck column:N`,
//!   `#tags column:N`, `#guid column:N`, `#notetype column:N` (1-based), and `#notetype:`,
//!   `#if matches:` (accepted and ignored: a file without a note type column holds vocab notes,
//!   and `--on-duplicate` says what to do with matches). `#` lines without a known key at the
//!   top are comments; below the first row a `#` is ordinary text (a term may start with one).
//! - With `#notetype column:`, each row is a note of the type it names
//!   ([`super::notetypes::KnownTypes`]): `vocab` and `jargon` rows are read as below; a row of
//!   any other type is a note of that type whose fields are the row's columns other than the
//!   deck, tags, guid and note type columns, in order (Anki's rule: missing fields are empty,
//!   extra ones dropped with a warning), kept as HTML with `#html:true` and escaped as Anki
//!   escapes them otherwise; its cards are the ones Anki's rules give it. A row whose first
//!   field is empty is skipped with a warning, as Anki skips it. An unknown type is refused at
//!   its cell. Such a note's key is the slug of its first field with text, made unique in its
//!   deck within the file (`-2`, `-3`...).
//! - Without `#separator:` the separator is detected ([`super::sniff::detect_separator`]):
//!   of tab, comma, semicolon and pipe, the one that splits the first row into at least two
//!   fields and that most of the first rows agree with (the earlier on a tie), so one row
//!   with an unquoted separator is reported as a ragged row on its own line.
//! - Quoting as RFC 4180 (separators, doubled quotes and line breaks inside quoted fields), a
//!   UTF-8 byte-order mark and CRLF line ends are accepted.
//! - `#columns:` names map to fields, case-insensitively: term/front/word/question, definition/
//!   back/meaning/answer, example, aliases, tags, related, source, id/key, guid, deck; other
//!   names are ignored with a warning. Without `#columns:`, the columns that are not the deck,
//!   tags, guid or notetype column are term, definition and example, in that order (a `jargon`
//!   row: term, definition, example, aliases, related, source and key); more are ignored with a
//!   warning.
//! - `aliases` and `related` hold several values separated by `;`; `tags` by spaces (Anki's).
//! - With `#html:true` every field is HTML and becomes plain text ([`super::html`]).
//!
//! A ragged row (its line and field count against the `#columns:` line, the header row or
//! the first row), an unterminated quote (where it opened), text that is not UTF-8 or an
//! empty file is refused with its file, line and column, before anything is written.

use std::collections::HashMap;
use std::path::Path;

use super::notetypes::{KnownTypes, RowType};
pub use super::sniff::{csv_error, field_position};
use super::sniff::{detect_separator, unterminated_quote};
use super::{DeckInput, NoteInput};
use crate::error::{Error, Position, Result};
use crate::model::NoteFields;
use columns::{column_names, column_roles, header_row_length, locate};
use typed::Types;

mod columns;
mod typed;

/// The note field a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Term,
    Definition,
    Example,
    Aliases,
    Tags,
    Related,
    Source,
    Key,
    Guid,
    Deck,
    /// Anki's note type column: read past.
    Notetype,
}

impl Field {
    pub fn from_name(name: &str) -> Option<Field> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "term" | "front" | "word" | "question" => Field::Term,
            "definition" | "back" | "meaning" | "answer" => Field::Definition,
            "example" => Field::Example,
            "aliases" | "alias" => Field::Aliases,
            "tags" | "tag" => Field::Tags,
            "related" => Field::Related,
            "source" => Field::Source,
            "id" | "key" => Field::Key,
            "guid" => Field::Guid,
            "deck" => Field::Deck,
            "notetype" | "note type" => Field::Notetype,
            _ => return None,
        })
    }
}

/// A parsed text file: its decks and what was ignored on the way.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TextDeck {
    pub decks: Vec<DeckInput>,
    pub warnings: Vec<String>,
}

/// The header lines of a file.
#[derive(Debug, Clone, Default)]
struct Headers {
    separator: Option<u8>,
    html: bool,
    /// The raw `#columns:` value, split once the separator is known.
    columns: Option<String>,
    deck: Option<String>,
    tags: Vec<String>,
    deck_column: Option<usize>,
    tags_column: Option<usize>,
    guid_column: Option<usize>,
    notetype_column: Option<usize>,
}

fn separator_named(value: &str) -> Option<u8> {
    match value.to_ascii_lowercase().as_str() {
        "tab" | "\\t" => Some(b'\t'),
        "comma" => Some(b','),
        "semicolon" => Some(b';'),
        "pipe" => Some(b'|'),
        "space" => Some(b' '),
        "colon" => Some(b':'),
        _ if value == "\t" => Some(b'\t'),
        _ if value.len() == 1 && value.is_ascii() && value != "\"" && value != "\n" => {
            Some(value.as_bytes()[0])
        }
        _ => None,
    }
}

/// Reads the `#key:value` lines at the top; returns them, the byte offset of the data and
/// the number of lines before it.
fn read_headers(path: &Path, text: &str) -> Result<(Headers, usize, usize)> {
    let mut headers = Headers::default();
    let mut offset = 0;
    let mut lines = 0;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line = raw.trim_end_matches(['\n', '\r']);
        let Some(body) = line.strip_prefix('#') else {
            break;
        };
        offset += raw.len();
        lines += 1;
        let Some((key, value)) = body.split_once(':') else {
            continue; // a comment
        };
        let value_column = line.len() - value.len() + 1;
        let at = Some(Position {
            line: index + 1,
            column: line[..value_column - 1].chars().count() + 1,
        });
        let key = key.trim().to_ascii_lowercase();
        // The separator keeps its spaces ("#separator: " is a space), other values are trimmed.
        let trimmed = value.trim();
        let column_number = |what: &str| -> Result<usize> {
            trimmed
                .parse::<usize>()
                .ok()
                .filter(|n| *n >= 1)
                .map(|n| n - 1)
                .ok_or_else(|| {
                    Error::input(
                        path,
                        at,
                        format!("'#{what}:{value}' needs a column number from 1"),
                    )
                })
        };
        match key.as_str() {
            "separator" => {
                let named = if trimmed.is_empty() { value } else { trimmed };
                headers.separator = Some(separator_named(named).ok_or_else(|| {
                    Error::input(
                        path,
                        at,
                        format!(
                            "unknown separator '{value}' (use Tab, Comma, Semicolon, Pipe, Space, Colon or a single character)"
                        ),
                    )
                })?);
            }
            "html" => {
                headers.html = match trimmed.to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => true,
                    "false" | "no" | "0" => false,
                    _ => {
                        return Err(Error::input(
                            path,
                            at,
                            format!("'#html:' must be true or false, not '{trimmed}'"),
                        ));
                    }
                };
            }
            "columns" => headers.columns = Some(value.to_string()),
            "deck" => headers.deck = Some(trimmed.to_string()).filter(|d| !d.is_empty()),
            "tags" => headers.tags = trimmed.split_whitespace().map(String::from).collect(),
            "deck column" => headers.deck_column = Some(column_number("deck column")?),
            "tags column" => headers.tags_column = Some(column_number("tags column")?),
            "guid column" => headers.guid_column = Some(column_number("guid column")?),
            "notetype column" => headers.notetype_column = Some(column_number("notetype column")?),
            // Accepted and ignored: one note type; matching is --on-duplicate's business.
            _ => {}
        }
    }
    Ok((headers, offset, lines))
}

/// What the field count of every row is measured against.
#[derive(Debug, Clone, Copy)]
enum Measure {
    /// The `#columns:` header line.
    ColumnsLine,
    /// A spreadsheet's header row (`term,definition,...`).
    HeaderRow,
    /// The first row, on this line.
    Row(usize),
}

/// A quoted field opening at byte `open` of `text` that nothing closes.
fn unclosed_quote(path: &Path, text: &str, open: usize) -> Error {
    let at = Position::of_offset(text, open);
    Error::input(
        path,
        Some(at),
        format!(
            "the quoted field opened on line {} is never closed (a \" is missing)",
            at.line
        ),
    )
}

/// About how many notes a CSV/TSV text holds, for a progress bar shown before it is parsed:
/// its non-blank lines below the header lines, a quoted line break not ending a line. (A
/// spreadsheet's header row counts as one, so this can be one too many.)
pub fn estimate_rows(text: &str) -> usize {
    let data = match read_headers(Path::new(""), text) {
        Ok((_, start, _)) => &text[start..],
        Err(_) => text,
    };
    let bytes = data.as_bytes();
    // Only quotes and line breaks matter, and memchr finds them many bytes at a time: this
    // runs before the first note is written. Whether a record is blank is decided from its
    // first bytes (a quote makes it not blank).
    let is_blank = |record: &[u8]| record.iter().all(|b| matches!(b, b'\r' | b' ' | b'\t'));
    let mut rows = 0;
    let mut quoted = false;
    let mut has_quote = false;
    let mut record_start = 0;
    for at in memchr::memchr2_iter(b'"', b'\n', bytes) {
        if bytes[at] == b'"' {
            quoted = !quoted;
            has_quote = true;
        } else if !quoted {
            rows += usize::from(has_quote || !is_blank(&bytes[record_start..at]));
            record_start = at + 1;
            has_quote = false;
        }
    }
    rows + usize::from(has_quote || !is_blank(&bytes[record_start..]))
}

fn split_list(text: &str, separator: char) -> Vec<String> {
    text.split(separator)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

/// Parses a CSV/TSV deck. Notes without a deck column or `#deck:` go to `default_deck`;
/// `separator` is the one the caller knows (from `--format tsv`) when the file declares none.
/// A note type column may name vocab and Anki's stock types ([`parse_with`] knows a
/// collection's).
pub fn parse(
    path: &Path,
    text: &str,
    default_deck: &str,
    separator: Option<u8>,
) -> Result<TextDeck> {
    parse_with(path, text, default_deck, separator, &KnownTypes::default())
}

/// [`parse`], with the note types a note type column may name.
pub fn parse_with(
    path: &Path,
    text: &str,
    default_deck: &str,
    separator: Option<u8>,
    known: &KnownTypes,
) -> Result<TextDeck> {
    let mut decks: Vec<DeckInput> = vec![];
    let mut deck_index: HashMap<String, usize> = HashMap::new();
    let mut fresh = NoteFields::default;
    let warnings = parse_each(
        path,
        text,
        default_deck,
        separator,
        known,
        &mut fresh,
        &mut |deck, note| {
            let index = match deck_index.get(deck) {
                Some(i) => *i,
                None => {
                    decks.push(DeckInput {
                        name: deck.to_string(),
                        description: None,
                        notes: vec![],
                    });
                    deck_index.insert(deck.to_string(), decks.len() - 1);
                    decks.len() - 1
                }
            };
            decks[index].notes.push(note);
            Ok(())
        },
    )?;
    Ok(TextDeck { decks, warnings })
}

/// [`parse`], handing each note to `sink` with its deck's name as soon as its row is read, so
/// that a caller can go on with the notes before the whole file is read. An error of the
/// sink's ends the parse; an error in the file is found wherever it is, and may come after
/// many notes were handed over (the caller must then discard them). Each note is read into
/// what `fresh` returns, emptied first: a caller can hand back notes it is done with, and
/// their strings' memory is used again. Returns the warnings.
pub fn parse_each(
    path: &Path,
    text: &str,
    default_deck: &str,
    separator: Option<u8>,
    known: &KnownTypes,
    fresh: &mut dyn FnMut() -> NoteFields,
    sink: &mut dyn FnMut(&str, NoteInput) -> Result<()>,
) -> Result<Vec<String>> {
    let mut warnings = vec![];
    let layout = Layout::read(path, text, separator, &mut warnings)?;
    let data = &text[layout.data_start..];
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(layout.delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(data.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut expected: Option<(usize, Measure)> = layout
        .named_columns
        .as_ref()
        .zip(layout.measure)
        .map(|(names, measure)| (names.len(), measure));
    let mut last_start = layout.data_start;
    let mut rows = 0usize;
    let mut extra_columns = 0usize;
    let mut types = layout
        .headers
        .notetype_column
        .map(|column| Types::new(known, column));
    let default_deck = layout.headers.deck.as_deref().unwrap_or(default_deck);
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(csv_error(path, text, layout.data_start, e)),
        }
        let start = layout.data_start + record.position().map_or(0, |p| p.byte() as usize);
        last_start = start;
        let line = layout.header_lines + record.position().map_or(1, |p| p.line() as usize);
        // A record that runs to the end of the text may be a quote that never closed: that,
        // where it opened, is the error to report, not what the rest of the file became.
        if reader.position().byte() as usize >= data.len()
            && let Some(open) = unterminated_quote(text, start, layout.delimiter)
        {
            return Err(unclosed_quote(path, text, open));
        }
        let row = Row {
            record: &record,
            start,
            line,
        };
        layout.check_width(path, text, &row, &mut expected)?;
        rows += 1;
        let row_type = match types.as_mut() {
            Some(types) => types.of_row(path, text, &layout, &row)?,
            None => RowType::Vocab,
        };
        let deck = layout.deck_of(&record);
        let deck = deck
            .as_deref()
            .filter(|d| !d.is_empty())
            .unwrap_or(default_deck);
        let mut fields = fresh();
        fields.clear();
        match &row_type {
            RowType::Vocab => {
                extra_columns =
                    extra_columns.max(record.len().saturating_sub(layout.columns.len()));
                layout.read_fields(&layout.columns, &record, &mut fields);
                layout.complete(path, text, &row, &mut fields)?;
            }
            RowType::Jargon => {
                let columns = match layout.named_columns {
                    Some(_) => &layout.columns,
                    None => &layout.jargon_columns,
                };
                layout.read_fields(columns, &record, &mut fields);
                layout.complete(path, text, &row, &mut fields)?;
            }
            RowType::Rich(notetype) => {
                let Some(types) = types.as_mut() else {
                    continue; // only a note type column gives a row a rich type
                };
                if !layout.read_rich(notetype, &row, types, &mut fields) {
                    continue;
                }
            }
        }
        if let Some(types) = types.as_mut() {
            types.give_key(deck, &mut fields);
        }
        let note = NoteInput {
            fields,
            position: Some(Position { line, column: 1 }),
        };
        sink(deck, note)?;
    }
    if let Some(open) = unterminated_quote(text, last_start, layout.delimiter) {
        return Err(unclosed_quote(path, text, open));
    }
    if rows == 0 {
        return Err(Error::input(
            path,
            Some(Position::of_offset(text, layout.data_start)),
            "the file has no notes, only header lines",
        ));
    }
    if layout.named_columns.is_none() && extra_columns > 0 {
        warnings.push(format!(
            "{extra_columns} column(s) after term, definition and example were ignored (name them with #columns: to import them)"
        ));
    }
    if let Some(types) = types {
        warnings.extend(types.warnings());
    }
    Ok(warnings)
}

/// One row read from the file: its record, the byte offset of its start in the whole text
/// and its line number.
struct Row<'a> {
    record: &'a csv::StringRecord,
    start: usize,
    line: usize,
}

/// How a file's rows are read, decided from its header lines, a header row and the
/// separator before the first note.
struct Layout {
    headers: Headers,
    delimiter: u8,
    /// The byte offset of the first row and the number of lines before it.
    data_start: usize,
    header_lines: usize,
    /// The column names from `#columns:` or a header row, when the file names them.
    named_columns: Option<Vec<String>>,
    /// What the `#columns:` line or the header row measures rows against (the first row
    /// otherwise).
    measure: Option<Measure>,
    /// The columns read, in order, with the field each holds.
    columns: Vec<(usize, Field)>,
    /// The columns of a `jargon` row when the file does not name them: the deck, tags and
    /// guid columns, then the others as jargon's fields in the order its packages write them.
    jargon_columns: Vec<(usize, Field)>,
    /// The deck, tags, guid and note type columns: a note of another type than vocab has
    /// every other column as a field.
    meta_columns: Vec<usize>,
    /// Where the term, the definition and the deck are (a field named by two columns takes
    /// the later one). A file with a note type column may have no term or definition
    /// column: the sentence is given at its first vocab row.
    located: std::result::Result<(usize, usize), String>,
    deck_column: Option<usize>,
}

impl Layout {
    /// Reads the header lines, the separator and a header row, and which field each column
    /// holds; refuses an empty file and one without a term or definition column.
    fn read(
        path: &Path,
        text: &str,
        separator: Option<u8>,
        warnings: &mut Vec<String>,
    ) -> Result<Layout> {
        if text.trim().is_empty() {
            return Err(Error::input(
                path,
                Some(Position { line: 1, column: 1 }),
                "the file is empty",
            ));
        }
        let (mut headers, mut data_start, mut header_lines) = read_headers(path, text)?;
        let delimiter = match headers.separator.or(separator) {
            Some(d) => d,
            None => detect_separator(&text[data_start..]).ok_or_else(|| {
                Error::input(
                    path,
                    Some(Position::of_offset(text, data_start)),
                    "cannot tell which separator the file uses; add a line such as #separator:Comma at the top",
                )
            })?,
        };
        // A spreadsheet's own header row (`term,definition,...` without `#columns:`) names
        // the columns: every field of the first row is a column name and the term and
        // definition are among them. What a ragged row is measured against: the `#columns:`
        // line, the header row or the first row.
        let mut measure = headers.columns.as_ref().map(|_| Measure::ColumnsLine);
        if headers.columns.is_none() {
            let data = &text[data_start..];
            if let Some(length) = header_row_length(data, delimiter) {
                measure = Some(Measure::HeaderRow);
                headers.columns = Some(data[..length].trim_end_matches(['\n', '\r']).to_string());
                header_lines += data[..length].matches('\n').count();
                data_start += length;
            }
        }
        let named_columns = headers
            .columns
            .as_ref()
            .map(|raw| column_names(raw, delimiter));
        let roles = column_roles(&headers, named_columns.as_deref(), warnings);
        let mut columns: Vec<(usize, Field)> = roles.into_iter().collect();
        columns.sort_by_key(|(c, _)| *c);
        let (located, deck_column) = locate(&columns);
        if headers.notetype_column.is_none()
            && let Err(sentence) = located
        {
            return Err(Error::input(path, None, sentence));
        }
        let meta_columns: Vec<usize> = [
            headers.deck_column,
            headers.tags_column,
            headers.guid_column,
            headers.notetype_column,
        ]
        .into_iter()
        .flatten()
        .collect();
        let meta_fields = columns
            .iter()
            .filter(|(c, _)| meta_columns.contains(c))
            .copied();
        let jargon_fields = [
            Field::Term,
            Field::Definition,
            Field::Example,
            Field::Aliases,
            Field::Related,
            Field::Source,
            Field::Key,
        ];
        let mut jargon_columns: Vec<(usize, Field)> = meta_fields
            .chain(
                (0..)
                    .filter(|c| !meta_columns.contains(c))
                    .zip(jargon_fields),
            )
            .collect();
        jargon_columns.sort_by_key(|(c, _)| *c);
        Ok(Layout {
            headers,
            delimiter,
            data_start,
            header_lines,
            named_columns,
            measure,
            columns,
            jargon_columns,
            meta_columns,
            located,
            deck_column,
        })
    }

    /// Refuses a row whose field count differs from what rows are measured against (the
    /// first row sets it when nothing else does).
    fn check_width(
        &self,
        path: &Path,
        text: &str,
        row: &Row,
        expected: &mut Option<(usize, Measure)>,
    ) -> Result<()> {
        let found = row.record.len();
        match *expected {
            None => *expected = Some((found, Measure::Row(row.line))),
            Some((count, measure)) if count != found => {
                let what = match measure {
                    Measure::ColumnsLine => format!("the #columns: line names {count}"),
                    Measure::HeaderRow => format!("the header has {count}"),
                    Measure::Row(first_line) => format!("line {first_line} has {count}"),
                };
                let at = field_position(text, row.start, count.min(found), self.delimiter);
                return Err(Error::input(
                    path,
                    Some(at),
                    format!(
                        "line {} has {found} fields, {what} (quote a field that contains the separator)",
                        row.line
                    ),
                ));
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Fills `fields` (empty) from the record's `columns`.
    fn read_fields(
        &self,
        columns: &[(usize, Field)],
        record: &csv::StringRecord,
        fields: &mut NoteFields,
    ) {
        for &(column, field) in columns {
            let Some(raw) = record.get(column) else {
                continue;
            };
            let value: std::borrow::Cow<str> = if self.headers.html && field != Field::Guid {
                super::html::to_text(raw).into()
            } else {
                raw.trim().into()
            };
            // A field named by two columns takes the later one.
            let text = |into: &mut String| {
                into.clear();
                into.push_str(&value);
            };
            match field {
                Field::Term => text(&mut fields.term),
                Field::Definition => text(&mut fields.definition),
                Field::Example => text(&mut fields.example),
                Field::Aliases => fields.aliases = split_list(&value, ';'),
                Field::Related => fields.related = split_list(&value, ';'),
                Field::Tags => {
                    fields.tags.clear();
                    fields
                        .tags
                        .extend(value.split_whitespace().map(String::from));
                }
                Field::Source => text(&mut fields.source),
                Field::Key => text(&mut fields.key),
                Field::Guid => fields.guid = Some(value.into_owned()).filter(|g| !g.is_empty()),
                Field::Deck | Field::Notetype => {}
            }
        }
    }

    /// Refuses a note without a term or definition; gives it a key from its term when it
    /// has none, and the `#tags:` of the file.
    fn complete(&self, path: &Path, text: &str, row: &Row, fields: &mut NoteFields) -> Result<()> {
        let at = |column: usize| Some(field_position(text, row.start, column, self.delimiter));
        let (term_column, definition_column) = match &self.located {
            Ok(columns) => *columns,
            Err(sentence) => {
                return Err(Error::input(
                    path,
                    Some(Position {
                        line: row.line,
                        column: 1,
                    }),
                    format!("a vocab row: {sentence}"),
                ));
            }
        };
        if fields.term.is_empty() {
            return Err(Error::input(path, at(term_column), "the term is empty"));
        }
        if fields.definition.is_empty() {
            return Err(Error::input(
                path,
                at(definition_column),
                format!("the note '{}' has no definition", fields.term),
            ));
        }
        if fields.key.is_empty() {
            crate::text::slug_into(&fields.term, &mut fields.key);
        }
        self.add_file_tags(fields);
        Ok(())
    }

    /// Adds the `#tags:` of the file to a note's.
    fn add_file_tags(&self, fields: &mut NoteFields) {
        for tag in &self.headers.tags {
            if !fields.tags.contains(tag) {
                fields.tags.push(tag.clone());
            }
        }
    }

    /// The record's deck, when the file has a deck column (empty when the row leaves it
    /// empty).
    fn deck_of(&self, record: &csv::StringRecord) -> Option<String> {
        let raw = record.get(self.deck_column?).unwrap_or("");
        Some(if self.headers.html {
            super::html::to_text(raw)
        } else {
            raw.trim().to_string()
        })
    }
}

#[cfg(test)]
mod tests;
