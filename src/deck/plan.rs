//! PURE import planning: what an import would add, update or leave alone.
//!
//! Notes are matched within their deck: first by Anki guid when the incoming note has one (so
//! a package from Anki finds its notes again even after a term was edited there), then by key.
//! A matched note whose fields differ is updated in place, so its cards and their history stay;
//! `--on-duplicate` can skip it or add a copy instead. An incoming note whose key is taken by a
//! stored note with a *different* guid is another note with the same term: it is added under a
//! fresh key (`key-2`).

use std::collections::{HashMap, HashSet};

use super::DeckInput;
use crate::model::NoteFields;
use crate::records::import::{Existing, ImportPlan, Target};

/// What to do with a note whose key is already in its deck.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnDuplicate {
    /// Replace the stored fields with the file's (the cards keep their history).
    #[default]
    Update,
    /// Keep the stored note as it is.
    Skip,
    /// Add the file's note as a new note beside the stored one.
    Duplicate,
}

impl ImportPlan {
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.update.is_empty()
    }

    /// "3 added, 1 updated, 40 unchanged" (and skipped when any).
    pub fn summary(&self) -> String {
        summary(
            self.add.len(),
            self.update.len(),
            self.unchanged,
            self.skipped,
        )
    }
}

/// "3 added, 1 updated, 40 unchanged", and the skipped notes when there are any.
pub fn summary(added: usize, updated: usize, unchanged: usize, skipped: usize) -> String {
    let mut text = format!("{added} added, {updated} updated, {unchanged} unchanged");
    if skipped > 0 {
        text.push_str(&format!(
            ", {skipped} skipped (already present; --on-duplicate skip)"
        ));
    }
    text
}

fn unique_key(base: &str, taken: &HashSet<String>) -> String {
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|k| !taken.contains(k))
        .unwrap_or_else(|| base.to_string())
}

pub fn plan(inputs: &[DeckInput], existing: &Existing, on_duplicate: OnDuplicate) -> ImportPlan {
    let (mut result, pending) = decide(inputs, existing, on_duplicate);
    for (deck, note, slot) in pending {
        result.add[slot] = (
            inputs[deck].name.clone(),
            inputs[deck].notes[note].fields.clone(),
        );
    }
    result
}

/// [`plan`], moving the added notes out of `inputs` instead of copying them: a large import
/// adds every note of its file.
pub fn plan_owned(
    mut inputs: Vec<DeckInput>,
    existing: &Existing,
    on_duplicate: OnDuplicate,
) -> ImportPlan {
    let (mut result, pending) = decide(&inputs, existing, on_duplicate);
    for (deck, note, slot) in pending {
        let fields = std::mem::take(&mut inputs[deck].notes[note].fields);
        result.add[slot] = (inputs[deck].name.clone(), fields);
    }
    result
}

/// The plan, except that the notes added as they are (most of a new file) are left as empty
/// slots, listed as (deck index, note index, slot in `add`) for the caller to fill.
fn decide(
    inputs: &[DeckInput],
    existing: &Existing,
    on_duplicate: OnDuplicate,
) -> (ImportPlan, Vec<(usize, usize, usize)>) {
    let mut pending = Vec::new();
    let empty = HashMap::new();
    let mut result = ImportPlan {
        targets: Vec::with_capacity(inputs.iter().map(|d| d.notes.len()).sum()),
        ..ImportPlan::default()
    };
    for (deck_index, deck) in inputs.iter().enumerate() {
        if !result.decks.iter().any(|(name, _)| *name == deck.name) {
            result
                .decks
                .push((deck.name.clone(), deck.description.clone()));
        }
        let stored = existing.get(&deck.name).unwrap_or(&empty);
        let by_guid = guid_index(deck, stored);
        let mut keys = FreshKeys {
            stored,
            deck,
            reserved: None,
            given: HashSet::new(),
        };
        for (note_index, note) in deck.notes.iter().enumerate() {
            let fields = &note.fields;
            let by_guid_match = fields
                .guid
                .as_deref()
                .and_then(|g| by_guid.get(g))
                .and_then(|key| stored.get(*key));
            let matched = match by_guid_match {
                Some(found) => Some(found),
                None => match stored.get(&fields.key) {
                    // The same key, but another Anki note, or a vocab note where the file
                    // gives a note of another type: not a match.
                    Some((_, current))
                        if (fields.guid.is_some()
                            && current.guid.is_some()
                            && current.guid != fields.guid)
                            || (fields.rich.is_some() && current.rich.is_none()) =>
                    {
                        let mut renamed = fields.clone();
                        renamed.key = keys.take(&fields.key, false);
                        result.targets.push(Target::Added(result.add.len()));
                        result.add.push((deck.name.clone(), renamed));
                        continue;
                    }
                    other => other,
                },
            };
            match matched {
                None => {
                    result.targets.push(Target::Added(result.add.len()));
                    pending.push((deck_index, note_index, result.add.len()));
                    result.add.push((String::new(), NoteFields::default()));
                }
                // A guid names a vocab note, and the file gives a note of another type: a
                // new note, without the guid (the stored note keeps it).
                Some((_, current)) if fields.rich.is_some() && current.rich.is_none() => {
                    let mut renamed = fields.clone();
                    renamed.key = keys.take(&fields.key, true);
                    renamed.guid = None;
                    result.targets.push(Target::Added(result.add.len()));
                    result.add.push((deck.name.clone(), renamed));
                }
                Some((id, current)) => {
                    let stored_note = (*id, current);
                    merge(&mut result, &mut keys, fields, stored_note, on_duplicate);
                }
            }
        }
    }
    (result, pending)
}

/// Guid -> key of a deck's stored notes, built only when the file carries guids.
fn guid_index<'a>(
    deck: &DeckInput,
    stored: &'a HashMap<String, (i64, NoteFields)>,
) -> HashMap<&'a str, &'a str> {
    if deck.notes.iter().any(|n| n.fields.guid.is_some()) {
        stored
            .iter()
            .filter_map(|(key, (_, f))| f.guid.as_deref().map(|g| (g, key.as_str())))
            .collect()
    } else {
        HashMap::new()
    }
}

/// Keys a renamed or duplicated note of one deck may take: not a stored one, not the file's
/// own (each file key belongs to one incoming note) and not one handed out already.
struct FreshKeys<'a> {
    stored: &'a HashMap<String, (i64, NoteFields)>,
    deck: &'a DeckInput,
    /// Every key taken, gathered at the first rename (most imports have none).
    reserved: Option<HashSet<String>>,
    given: HashSet<String>,
}

impl FreshKeys<'_> {
    /// A key from `base`; `own` lets a note keep its own key when no stored note has it.
    fn take(&mut self, base: &str, own: bool) -> String {
        let (stored, deck) = (self.stored, self.deck);
        let set = self.reserved.get_or_insert_with(|| {
            stored
                .keys()
                .cloned()
                .chain(deck.notes.iter().map(|n| n.fields.key.clone()))
                .collect()
        });
        let key = if own && !stored.contains_key(base) && !self.given.contains(base) {
            base.to_string()
        } else {
            unique_key(base, set)
        };
        set.insert(key.clone());
        self.given.insert(key.clone());
        key
    }
}

/// What an incoming note that matches the stored note `(id, current)` becomes: unchanged,
/// an update, skipped or a copy with a new key, as `on_duplicate` says.
fn merge(
    result: &mut ImportPlan,
    keys: &mut FreshKeys,
    fields: &NoteFields,
    (id, current): (i64, &NoteFields),
    on_duplicate: OnDuplicate,
) {
    let mut incoming = fields.clone();
    let mut kept = false;
    // The stored key stays (it is how the learner names the note).
    incoming.key.clone_from(&current.key);
    // A text file gives a note of an Anki type as its term and definition (the plain text of
    // its first two fields): the note keeps its type, its fields where those are unchanged,
    // and takes a changed one as text.
    if incoming.rich.is_none() {
        if let Some(rich) = &current.rich {
            let mut rich = rich.clone();
            for (index, (new, old)) in [
                (&incoming.term, &current.term),
                (&incoming.definition, &current.definition),
            ]
            .into_iter()
            .enumerate()
            {
                if let Some(value) = rich.values.get_mut(index).filter(|_| new != old) {
                    *value = crate::notes::edit::text_field(new);
                }
            }
            incoming.rich = Some(rich);
        }
        // A file that names the cards gives the note those it lacks and takes none away;
        // others leave the note the cards it has.
        incoming.forward_only = if incoming.cards_from_file && current.rich.is_none() {
            kept = incoming.forward_only && !current.forward_only;
            incoming.forward_only && current.forward_only
        } else {
            current.forward_only
        };
    } else if let (Some(new), Some(old)) = (incoming.rich.as_mut(), &current.rich) {
        // Cards are only ever added: the stored ones stay whatever the fields now give.
        new.cards |= old.cards;
    }
    incoming.cards_from_file = false;
    if kept && on_duplicate != OnDuplicate::Duplicate {
        result.cards_kept += 1;
    }
    if incoming.guid.is_none() {
        incoming.guid.clone_from(&current.guid);
    }
    if incoming == *current {
        result.unchanged += 1;
        result.targets.push(Target::Existing(id));
        return;
    }
    match on_duplicate {
        OnDuplicate::Update => {
            result.targets.push(Target::Existing(id));
            result.update.push((id, incoming));
        }
        OnDuplicate::Skip => {
            result.skipped += 1;
            result.targets.push(Target::Skipped);
        }
        OnDuplicate::Duplicate => {
            incoming.key = keys.take(&fields.key, true);
            if fields.cards_from_file && fields.rich.is_none() {
                // The copy is a new note, with the cards its file names.
                incoming.forward_only = fields.forward_only;
            }
            // A guid names one note; the copy is a new one.
            incoming.guid = None;
            result.targets.push(Target::Added(result.add.len()));
            result.add.push((keys.deck.name.clone(), incoming));
        }
    }
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

    #[test]
    fn a_file_naming_the_cards_adds_the_missing_reverse_card_and_never_takes_one_away() {
        let cards = |forward_only: bool, from_file: bool| {
            let mut n = note("a", "x");
            n.fields.forward_only = forward_only;
            n.fields.cards_from_file = from_file;
            n
        };
        let stored_with = |forward_only: bool| {
            let mut existing = stored(&[("a", "x", 7)]);
            if let Some((_, f)) = existing.get_mut("D").and_then(|d| d.get_mut("a")) {
                f.forward_only = forward_only;
            }
            existing
        };
        // Both cards named, the stored note has its forward card only: the reverse is added.
        let p = plan(
            &deck(vec![cards(false, true)]),
            &stored_with(true),
            OnDuplicate::Update,
        );
        assert_eq!(p.update.len(), 1);
        assert!(!p.update[0].1.forward_only && !p.update[0].1.cards_from_file);
        // The forward card alone named, the note has both: unchanged, the reverse card kept.
        let p = plan(
            &deck(vec![cards(true, true)]),
            &stored_with(false),
            OnDuplicate::Update,
        );
        assert_eq!((p.unchanged, p.update.len(), p.cards_kept), (1, 0, 1));
        // A file that does not name cards (a CSV row) leaves the note the cards it has.
        let p = plan(
            &deck(vec![cards(false, false)]),
            &stored_with(true),
            OnDuplicate::Update,
        );
        assert_eq!((p.unchanged, p.cards_kept), (1, 0));
        // A copy is a new note with the cards its file names.
        let mut changed = cards(true, true);
        changed.fields.definition = "y".into();
        let p = plan(
            &deck(vec![changed]),
            &stored_with(false),
            OnDuplicate::Duplicate,
        );
        assert!(p.add[0].1.forward_only);
        assert_eq!(p.cards_kept, 0);
    }

    #[test]
    fn moving_the_notes_plans_exactly_what_copying_them_does() {
        let existing = stored(&[("a", "old", 7), ("b", "y", 8)]);
        let notes = vec![
            note("c", "first new"),
            note("a", "changed"),
            note("b", "y"),
            note("d", "second new"),
        ];
        for on_duplicate in [
            OnDuplicate::Update,
            OnDuplicate::Skip,
            OnDuplicate::Duplicate,
        ] {
            let copied = plan(&deck(notes.clone()), &existing, on_duplicate);
            let moved = plan_owned(deck(notes.clone()), &existing, on_duplicate);
            assert_eq!(moved, copied);
            assert!(
                moved
                    .add
                    .iter()
                    .all(|(deck, f)| deck == "D" && !f.key.is_empty())
            );
        }
    }
}

#[cfg(test)]
mod guid_tests {
    use super::*;
    use crate::deck::NoteInput;

    fn note(key: &str, guid: Option<&str>, definition: &str) -> NoteInput {
        NoteInput {
            fields: NoteFields {
                key: key.into(),
                guid: guid.map(String::from),
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

    fn stored(notes: &[(i64, NoteInput)]) -> Existing {
        let map = notes
            .iter()
            .map(|(id, n)| (n.fields.key.clone(), (*id, n.fields.clone())))
            .collect();
        HashMap::from([("D".to_string(), map)])
    }

    #[test]
    fn a_guid_finds_its_note_even_when_the_term_and_key_changed() {
        let existing = stored(&[(5, note("old-term", Some("g1"), "d"))]);
        let p = plan(
            &deck(vec![note("new-term", Some("g1"), "d")]),
            &existing,
            OnDuplicate::Update,
        );
        assert!(p.add.is_empty());
        assert_eq!(p.update.len(), 1);
        assert_eq!(p.update[0].0, 5);
        // The stored key stays.
        assert_eq!(p.update[0].1.key, "old-term");
        assert_eq!(p.targets, vec![Target::Existing(5)]);
    }

    #[test]
    fn the_same_key_with_another_guid_is_another_note_under_a_fresh_key() {
        let existing = stored(&[(5, note("bank", Some("g1"), "river"))]);
        let p = plan(
            &deck(vec![
                note("bank", Some("g2"), "money"),
                note("bank-2", None, "x"),
            ]),
            &existing,
            OnDuplicate::Update,
        );
        assert_eq!(p.add.len(), 2);
        // bank-2 belongs to the second incoming note, so the renamed one takes bank-3.
        assert_eq!(p.add[0].1.key, "bank-3");
        assert_eq!(p.add[1].1.key, "bank-2");
        assert_eq!(p.targets, vec![Target::Added(0), Target::Added(1)]);
    }

    #[test]
    fn a_stored_note_without_a_guid_adopts_the_files_guid() {
        let existing = stored(&[(5, note("k", None, "d"))]);
        let p = plan(
            &deck(vec![note("k", Some("g"), "d")]),
            &existing,
            OnDuplicate::Update,
        );
        assert_eq!(p.update.len(), 1);
        assert_eq!(p.update[0].1.guid.as_deref(), Some("g"));
    }
}
