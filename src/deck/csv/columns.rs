//! Which field each column of a CSV/TSV file holds: a spreadsheet's header row, the
//! `#columns:` names, the positional default, and where the term, definition and deck are.

use std::collections::HashMap;

use super::{Field, Headers};

/// The length in bytes of the first row of `data` when it is a header row: every field a
/// column name, the term and the definition among them.
pub(super) fn header_row_length(data: &str, delimiter: u8) -> Option<usize> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(data.as_bytes());
    let mut record = csv::StringRecord::new();
    if !reader.read_record(&mut record).ok()? {
        return None;
    }
    let fields: Option<Vec<Field>> = record.iter().map(Field::from_name).collect();
    let fields = fields?;
    let names_both = fields.contains(&Field::Term) && fields.contains(&Field::Definition);
    let length = usize::try_from(reader.position().byte()).ok()?;
    (names_both && length <= data.len()).then_some(length)
}

/// The columns of the term and the definition (or the sentence saying which has none) and of
/// the deck; a field named by two columns is in the later one.
#[allow(clippy::type_complexity)]
pub(super) fn locate(
    columns: &[(usize, Field)],
) -> (std::result::Result<(usize, usize), String>, Option<usize>) {
    let column_of = |wanted: Field| {
        columns
            .iter()
            .rev()
            .find(|(_, f)| *f == wanted)
            .map(|(c, _)| *c)
    };
    let located = match (column_of(Field::Term), column_of(Field::Definition)) {
        (Some(term), Some(definition)) => Ok((term, definition)),
        (term, _) => Err(format!(
            "no column holds the {} (name one in #columns:, e.g. #columns:term,definition)",
            if term.is_none() { "term" } else { "definition" }
        )),
    };
    (located, column_of(Field::Deck))
}

/// The column names of a `#columns:` line or a header row, split by the separator.
pub(super) fn column_names(raw: &str, delimiter: u8) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .from_reader(raw.as_bytes());
    reader
        .records()
        .next()
        .and_then(|r| r.ok())
        .map(|r| r.iter().map(|s| s.trim().to_string()).collect())
        .unwrap_or_default()
}

/// Which field each column holds: the deck, tags, guid and notetype columns the header
/// lines give, then the named columns (a name that is not a field is ignored with a
/// warning), or else term, definition and example in the first columns left.
pub(super) fn column_roles(
    headers: &Headers,
    named_columns: Option<&[String]>,
    warnings: &mut Vec<String>,
) -> HashMap<usize, Field> {
    let mut roles: HashMap<usize, Field> = HashMap::new();
    for (column, field) in [
        (headers.deck_column, Field::Deck),
        (headers.tags_column, Field::Tags),
        (headers.guid_column, Field::Guid),
        (headers.notetype_column, Field::Notetype),
    ] {
        if let Some(c) = column {
            roles.insert(c, field);
        }
    }
    match named_columns {
        Some(names) => {
            for (index, name) in names.iter().enumerate() {
                if roles.contains_key(&index) {
                    continue;
                }
                match Field::from_name(name) {
                    Some(field) => {
                        roles.insert(index, field);
                    }
                    None => warnings.push(format!(
                        "column {} ('{name}') is not a jargon field and was ignored",
                        index + 1
                    )),
                }
            }
        }
        None => {
            let mut positional = [Field::Term, Field::Definition, Field::Example].into_iter();
            let mut index = 0;
            // Enough columns for the widest row is decided below; map the first few here.
            while index < 64 {
                if let std::collections::hash_map::Entry::Vacant(slot) = roles.entry(index) {
                    match positional.next() {
                        Some(field) => {
                            slot.insert(field);
                        }
                        None => break,
                    }
                }
                index += 1;
            }
        }
    }
    roles
}
