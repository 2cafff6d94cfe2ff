//! The rows of a file with a note type column (`#notetype column:N`): the type each row
//! names, the note a row of another type than vocab becomes, and its key.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use super::{Field, Layout, Row, field_position};
use crate::deck::notetypes::{KnownTypes, RowType};
use crate::error::{Error, Result};
use crate::model::{NoteFields, NoteTypeInput};

/// What the rows of a file with a note type column need beyond a vocab file's: the type each
/// name gives, the keys given so far per deck, and what was left out.
pub(super) struct Types<'k> {
    known: &'k KnownTypes,
    /// The note type column (0-based).
    column: usize,
    /// The type of each name met so far (`None`: unknown).
    by_name: HashMap<String, Option<RowType>>,
    /// Per deck, a 64-bit hash of each key given so far (as for a package's notes: two keys
    /// sharing a hash only make the second take a suffix it did not need).
    keys: HashMap<String, HashSet<u64>>,
    /// Rows skipped for an empty first field, and rows with more fields than their type.
    empty_first: usize,
    extra_fields: usize,
}

impl<'k> Types<'k> {
    pub(super) fn new(known: &'k KnownTypes, column: usize) -> Types<'k> {
        Types {
            known,
            column,
            by_name: HashMap::new(),
            keys: HashMap::new(),
            empty_first: 0,
            extra_fields: 0,
        }
    }

    /// The type the row names (an empty cell: vocab); an unknown name is refused at its cell.
    pub(super) fn of_row(
        &mut self,
        path: &Path,
        text: &str,
        layout: &Layout,
        row: &Row,
    ) -> Result<RowType> {
        let name = row.record.get(self.column).unwrap_or("").trim();
        if name.is_empty() {
            return Ok(RowType::Vocab);
        }
        let found = match self.by_name.get(name) {
            Some(found) => found.clone(),
            None => {
                let found = self.known.resolve(name);
                self.by_name.insert(name.to_string(), found.clone());
                found
            }
        };
        found.ok_or_else(|| {
            Error::input(
                path,
                Some(field_position(text, row.start, self.column, layout.delimiter)),
                format!(
                    "the note type '{name}' is neither in the collection nor one of Anki's stock types; import an Anki package that has it first"
                ),
            )
        })
    }

    /// Gives a note without a key the slug of its term, made unique in `deck` (`-2`, `-3`...),
    /// and records its key as given.
    pub(super) fn give_key(&mut self, deck: &str, fields: &mut NoteFields) {
        let taken = match self.keys.get_mut(deck) {
            Some(taken) => taken,
            None => self.keys.entry(deck.to_string()).or_default(),
        };
        if fields.key.is_empty() {
            let mut base = crate::text::slug(&fields.term);
            if base.is_empty() {
                base.push_str("note");
            }
            let mut key = base.clone();
            let mut n = 2;
            while taken.contains(&key_hash(&key)) {
                key = format!("{base}-{n}");
                n += 1;
            }
            fields.key = key;
        }
        taken.insert(key_hash(&fields.key));
    }

    pub(super) fn warnings(self) -> Vec<String> {
        let mut warnings = vec![];
        if self.empty_first > 0 {
            warnings.push(format!(
                "{} row(s) with an empty first field were skipped, as Anki skips them",
                self.empty_first
            ));
        }
        if self.extra_fields > 0 {
            warnings.push(format!(
                "{} row(s) have more fields than their note type; the extra ones were dropped",
                self.extra_fields
            ));
        }
        warnings
    }
}

/// A key's hash for [`Types`]'s keys given so far: fixed keys, so a file always gets the same
/// note keys.
fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

impl Layout {
    /// Fills `fields` (empty) with a note of `notetype` from the row: its fields are the
    /// columns that are not the deck, tags, guid or note type (HTML as written, or text
    /// escaped as Anki escapes it), its guid and tags from their columns. `false` for a row
    /// whose first field is empty, which Anki skips (counted in `types`).
    pub(super) fn read_rich(
        &self,
        notetype: &Arc<NoteTypeInput>,
        row: &Row,
        types: &mut Types,
        fields: &mut NoteFields,
    ) -> bool {
        let mut values: Vec<String> = Vec::with_capacity(notetype.notetype.fields.len());
        for (column, raw) in row.record.iter().enumerate() {
            if self.meta_columns.contains(&column) {
                continue;
            }
            if self.headers.html {
                values.push(raw.to_string());
            } else {
                let mut value = String::with_capacity(raw.len());
                crate::deck::notetypes::escape_text(raw, &mut value);
                values.push(value);
            }
        }
        if values.first().is_none_or(|v| v.is_empty()) {
            types.empty_first += 1;
            return false;
        }
        let meta: Vec<(usize, Field)> = self
            .columns
            .iter()
            .filter(|(c, f)| {
                self.meta_columns.contains(c) && matches!(f, Field::Tags | Field::Guid)
            })
            .copied()
            .collect();
        self.read_fields(&meta, row.record, fields);
        self.add_file_tags(fields);
        let unnamed = format!("note at line {}", row.line);
        if crate::deck::notetypes::fill_rich(notetype, values, &unnamed, fields) > 0 {
            types.extra_fields += 1;
        }
        true
    }
}
