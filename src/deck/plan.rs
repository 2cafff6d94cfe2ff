//! PURE import planning: what an import would add, update or leave alone.
//!
//! Notes are matched by deck and key. A matched note whose fields differ is updated in place,
//! so its cards and their history stay; `--on-duplicate` can skip it or add a copy instead.

use std::collections::{HashMap, HashSet};

use super::DeckInput;
use crate::model::NoteFields;

/// What to do with a note whose key is already in its deck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OnDuplicate {
    /// Replace the stored fields with the file's (the cards keep their history).
    #[default]
    Update,
    /// Keep the stored note as it is.
    Skip,
    /// Add the file's note as a new note beside the stored one.
    Duplicate,
}

/// Notes already stored, by deck name, then key: (note id, fields).
pub type Existing = HashMap<String, HashMap<String, (i64, NoteFields)>>;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ImportPlan {
    /// Decks the import touches, with the description the file gives (if any).
    pub decks: Vec<(String, Option<String>)>,
    pub add: Vec<(String, NoteFields)>,
    pub update: Vec<(i64, NoteFields)>,
    pub unchanged: usize,
    pub skipped: usize,
}

impl ImportPlan {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.update.is_empty()
    }

    /// "3 added, 1 updated, 40 unchanged" (and skipped when any).
    pub fn summary(&self) -> String {
        let mut text = format!(
            "{} added, {} updated, {} unchanged",
            self.add.len(),
            self.update.len(),
            self.unchanged
        );
        if self.skipped > 0 {
            text.push_str(&format!(
                ", {} skipped (already present; --on-duplicate skip)",
                self.skipped
            ));
        }
        text
    }
}

fn unique_key(base: &str, taken: &HashSet<String>) -> String {
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|k| !taken.contains(k))
        .unwrap_or_else(|| base.to_string())
}

pub fn plan(inputs: &[DeckInput], existing: &Existing, on_duplicate: OnDuplicate) -> ImportPlan {
    let empty = HashMap::new();
    let mut result = ImportPlan::default();
    for deck in inputs {
        if !result.decks.iter().any(|(name, _)| *name == deck.name) {
            result
                .decks
                .push((deck.name.clone(), deck.description.clone()));
        }
        let stored = existing.get(&deck.name).unwrap_or(&empty);
        let mut taken: HashSet<String> = stored.keys().cloned().collect();
        for note in &deck.notes {
            let fields = &note.fields;
            match stored.get(&fields.key) {
                None => {
                    taken.insert(fields.key.clone());
                    result.add.push((deck.name.clone(), fields.clone()));
                }
                Some((id, current)) => {
                    let mut incoming = fields.clone();
                    if incoming.guid.is_none() {
                        incoming.guid.clone_from(&current.guid);
                    }
                    if incoming == *current {
                        result.unchanged += 1;
                        continue;
                    }
                    match on_duplicate {
                        OnDuplicate::Update => result.update.push((*id, incoming)),
                        OnDuplicate::Skip => result.skipped += 1,
                        OnDuplicate::Duplicate => {
                            incoming.key = unique_key(&fields.key, &taken);
                            taken.insert(incoming.key.clone());
                            result.add.push((deck.name.clone(), incoming));
                        }
                    }
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::deck::NoteInput;

    fn note(key: &str, definition: &str) -> NoteInput {
        NoteInput {
            fields: NoteFields {
                key: key.into(),
                term: key.into(),
                definition: definition.into(),
                ..NoteFields::default()
            },
            position: None,
        }
    }

    fn deck(notes: Vec<NoteInput>) -> Vec<DeckInput> {
        vec![DeckInput {
            name: "D".into(),
            description: None,
            notes,
        }]
    }

    fn stored(pairs: &[(&str, &str, i64)]) -> Existing {
        let mut map = HashMap::new();
        for (key, definition, id) in pairs {
            map.insert(key.to_string(), (*id, note(key, definition).fields));
        }
        HashMap::from([("D".to_string(), map)])
    }

    #[test]
    fn new_keys_are_added_and_identical_notes_are_unchanged() {
        let p = plan(
            &deck(vec![note("a", "x"), note("b", "y")]),
            &stored(&[("a", "x", 1)]),
            OnDuplicate::Update,
        );
        assert_eq!(p.add.len(), 1);
        assert_eq!(p.unchanged, 1);
        assert!(p.update.is_empty());
    }

    #[test]
    fn a_changed_definition_updates_the_stored_note_in_place() {
        let p = plan(
            &deck(vec![note("a", "new")]),
            &stored(&[("a", "old", 7)]),
            OnDuplicate::Update,
        );
        assert_eq!(p.update.len(), 1);
        assert_eq!(p.update[0].0, 7);
        assert_eq!(p.update[0].1.definition, "new");
    }

    #[test]
    fn skip_keeps_the_stored_note_and_duplicate_adds_a_copy_under_a_fresh_key() {
        let existing = stored(&[("a", "old", 7), ("a-2", "z", 8)]);
        let skipped = plan(&deck(vec![note("a", "new")]), &existing, OnDuplicate::Skip);
        assert_eq!(
            (skipped.skipped, skipped.add.len(), skipped.update.len()),
            (1, 0, 0)
        );
        let copied = plan(
            &deck(vec![note("a", "new")]),
            &existing,
            OnDuplicate::Duplicate,
        );
        assert_eq!(copied.add[0].1.key, "a-3");
    }
}
