//! `jargon import --map-fields SPEC`: notes of an Anki note type (from a package or a text
//! file's note type column) become vocab notes, their fields mapped by name onto jargon's.
//!
//! A SPEC is a comma-separated list of `ANKI FIELD=JARGON FIELD` pairs, e.g.
//! `Prompt=term,Answer=definition,Chapter=example`. The jargon fields are `term`,
//! `definition`, `example`, `aliases`, `related` (both split at `;`), `tags` (split at
//! spaces, added to the note's tags), `source` and `key`; `term` and `definition` are required.
//! Anki field names are matched ignoring case and spaces around them; a name cannot hold a
//! comma or `=`. A note type is mapped by the first SPEC whose every Anki field it has (the
//! option may be given once per type); its notes' fields become text (HTML to text, sound
//! references dropped). A note left without a term or a definition is skipped with a warning.
//! Of its cards' histories, the first template's becomes the forward card's and the second's
//! the reverse card's; the others are left out with a warning.
//!
//! A SPEC that cannot be read, or an Anki field that no note type of the files has, is a usage
//! error (exit 2) naming it, before anything is written.

use std::collections::{HashMap, HashSet};

use super::csv::Field;
use super::{DeckInput, Loaded};
use crate::error::{Error, Result};
use crate::model::NoteFields;

/// The jargon fields a SPEC may name, as it names them.
const TARGETS: [(&str, Field); 8] = [
    ("term", Field::Term),
    ("definition", Field::Definition),
    ("example", Field::Example),
    ("aliases", Field::Aliases),
    ("tags", Field::Tags),
    ("related", Field::Related),
    ("source", Field::Source),
    ("key", Field::Key),
];

/// One `--map-fields` SPEC: Anki field names (as given) and the jargon field each becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    pub pairs: Vec<(String, Field)>,
}

impl FieldMap {
    /// Reads a SPEC; a usage error names what is wrong.
    pub fn parse(spec: &str) -> Result<FieldMap> {
        let usage = |what: String| Error::usage(format!("--map-fields '{spec}': {what}"));
        let mut pairs: Vec<(String, Field)> = Vec::new();
        for part in spec.split(',') {
            let Some((anki, target)) = part.split_once('=') else {
                return Err(usage(format!(
                    "'{}' is not ANKI FIELD=JARGON FIELD (e.g. Front=term,Back=definition)",
                    part.trim()
                )));
            };
            let (anki, target) = (anki.trim(), target.trim());
            if anki.is_empty() {
                return Err(usage(format!("'{}' names no Anki field", part.trim())));
            }
            let field = TARGETS
                .iter()
                .find(|(name, _)| name.eq_ignore_ascii_case(target))
                .map(|(_, f)| *f)
                .ok_or_else(|| {
                    let names: Vec<&str> = TARGETS.iter().map(|(n, _)| *n).collect();
                    usage(format!(
                        "'{target}' is not a jargon field (one of {})",
                        names.join(", ")
                    ))
                })?;
            if let Some((other, _)) = pairs.iter().find(|(_, f)| *f == field) {
                return Err(usage(format!(
                    "'{other}' and '{anki}' both map to {}",
                    target.to_ascii_lowercase()
                )));
            }
            if pairs.iter().any(|(a, _)| a.eq_ignore_ascii_case(anki)) {
                return Err(usage(format!("the Anki field '{anki}' is mapped twice")));
            }
            pairs.push((anki.to_string(), field));
        }
        for (needed, name) in [(Field::Term, "term"), (Field::Definition, "definition")] {
            if !pairs.iter().any(|(_, f)| *f == needed) {
                return Err(usage(format!(
                    "no Anki field maps to {name} (a vocab note needs a term and a definition)"
                )));
            }
        }
        Ok(FieldMap { pairs })
    }

    /// For a type with fields `names`: the index of the type's field for each pair, when the
    /// type has all of them.
    fn indexes(&self, names: &[String]) -> Option<Vec<usize>> {
        self.pairs
            .iter()
            .map(|(anki, _)| {
                names
                    .iter()
                    .position(|n| n.trim().eq_ignore_ascii_case(anki))
            })
            .collect()
    }
}

/// Turns the notes of `loaded` whose type a map fits into vocab notes (see the module's
/// documentation); returns the warnings. Refuses, as a usage error, an Anki field that no note
/// type of the files has, and a map that no type fits.
pub fn apply(maps: &[FieldMap], loaded: &mut Loaded) -> Result<Vec<String>> {
    // The field names of each type the notes have, once per distinct list.
    let mut types: Vec<&[String]> = Vec::new();
    for deck in &loaded.decks {
        for note in &deck.notes {
            if let Some(rich) = &note.fields.rich {
                let names = rich.notetype.notetype.fields.as_slice();
                if !types.contains(&names) {
                    types.push(names);
                }
            }
        }
    }
    for map in maps {
        let unknown: Vec<&str> = map
            .pairs
            .iter()
            .map(|(anki, _)| anki.as_str())
            .filter(|anki| {
                !types
                    .iter()
                    .any(|names| names.iter().any(|n| n.trim().eq_ignore_ascii_case(anki)))
            })
            .collect();
        if !unknown.is_empty() {
            let quoted: Vec<String> = unknown.iter().map(|n| format!("'{n}'")).collect();
            return Err(Error::usage(format!(
                "--map-fields: no note type in the files has a field named {}",
                quoted.join(", ")
            )));
        }
        if !types.iter().any(|names| map.indexes(names).is_some()) {
            let names: Vec<&str> = map.pairs.iter().map(|(a, _)| a.as_str()).collect();
            return Err(Error::usage(format!(
                "--map-fields: no note type in the files has all of the fields {}",
                names.join(", ")
            )));
        }
    }
    drop(types);
    let mut converter = Converter {
        maps,
        skipped: 0,
        cards_left_out: 0,
    };
    converter.convert(loaded);
    Ok(converter.warnings())
}

/// What [`apply`] does once the maps are known to fit, with its counts.
struct Converter<'m> {
    maps: &'m [FieldMap],
    skipped: usize,
    cards_left_out: usize,
}

impl Converter<'_> {
    /// Converts every note a map fits, skipping those left without a term or definition, and
    /// moves the histories along (the ords of a converted note's cards: 0 and 1 kept).
    fn convert(&mut self, loaded: &mut Loaded) {
        // Index of each note among all notes, before and after (None: skipped).
        let mut new_index: Vec<Option<usize>> = Vec::new();
        // Notes converted, by their new index.
        let mut converted: HashSet<usize> = HashSet::new();
        let mut kept = 0usize;
        // Per deck name (several files may give one deck), the keys of the notes kept as they
        // are: a converted note's fresh key avoids them.
        let mut taken: HashMap<String, HashSet<String>> = HashMap::new();
        for deck in &loaded.decks {
            let keys = taken.entry(deck.name.clone()).or_default();
            for note in &deck.notes {
                if self.map_of(&note.fields).is_none() {
                    keys.insert(note.fields.key.clone());
                }
            }
        }
        for deck in &mut loaded.decks {
            let notes = std::mem::take(&mut deck.notes);
            let keys = taken.entry(deck.name.clone()).or_default();
            for mut note in notes {
                let Some((map, indexes)) = self.map_of(&note.fields) else {
                    new_index.push(Some(kept));
                    kept += 1;
                    deck.notes.push(note);
                    continue;
                };
                match vocab_fields(map, &indexes, &note.fields) {
                    Some(mut fields) => {
                        if fields.key.is_empty() {
                            fields.key = fresh_key(&fields.term, keys);
                        }
                        keys.insert(fields.key.clone());
                        note.fields = fields;
                        new_index.push(Some(kept));
                        converted.insert(kept);
                        kept += 1;
                        deck.notes.push(note);
                    }
                    None => {
                        self.skipped += 1;
                        new_index.push(None);
                    }
                }
            }
        }
        let mut left_out = 0usize;
        loaded.histories.retain_mut(|history| {
            let Some(Some(index)) = new_index.get(history.note).copied() else {
                return false;
            };
            history.note = index;
            if converted.contains(&index) && history.ord > 1 {
                left_out += 1;
                return false;
            }
            true
        });
        self.cards_left_out = left_out;
        retain_decks(&mut loaded.decks);
    }

    /// The first map that fits a note's type, with its fields' indexes.
    fn map_of(&self, fields: &NoteFields) -> Option<(&FieldMap, Vec<usize>)> {
        let names = &fields.rich.as_ref()?.notetype.notetype.fields;
        self.maps
            .iter()
            .find_map(|map| map.indexes(names).map(|indexes| (map, indexes)))
    }

    fn warnings(self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.skipped > 0 {
            warnings.push(format!(
                "{} note(s) left without a term or a definition by --map-fields were skipped",
                self.skipped
            ));
        }
        if self.cards_left_out > 0 {
            warnings.push(format!(
                "{} card(s) of notes made vocab by --map-fields were left out with their history (a vocab note has a forward and a reverse card)",
                self.cards_left_out
            ));
        }
        warnings
    }
}

/// Decks a conversion emptied are dropped (their notes were all skipped).
fn retain_decks(decks: &mut Vec<DeckInput>) {
    decks.retain(|d| !d.notes.is_empty() || d.description.is_some());
}

/// A vocab note from a rich one: each mapped field's text into its jargon field; the guid and
/// tags kept. `None` when it has no term or no definition.
fn vocab_fields(map: &FieldMap, indexes: &[usize], rich: &NoteFields) -> Option<NoteFields> {
    let values = &rich.rich.as_ref()?.values;
    let mut fields = NoteFields {
        guid: rich.guid.clone(),
        tags: rich.tags.clone(),
        ..NoteFields::default()
    };
    for ((_, target), index) in map.pairs.iter().zip(indexes) {
        let text = values
            .get(*index)
            .map(|v| super::apkg::field_text(v))
            .unwrap_or_default();
        let text = text.trim().to_string();
        if *target == Field::Tags {
            for tag in text.split_whitespace() {
                if !fields.tags.iter().any(|t| t == tag) {
                    fields.tags.push(tag.to_string());
                }
            }
        } else {
            super::apkg::set_vocab_field(&mut fields, *target, text);
        }
    }
    (!fields.term.is_empty() && !fields.definition.is_empty()).then_some(fields)
}

/// The slug of `term`, or its first free `-2`, `-3`... form, among `taken`.
fn fresh_key(term: &str, taken: &HashSet<String>) -> String {
    let mut base = crate::text::slug(term);
    if base.is_empty() {
        base.push_str("note");
    }
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|k| !taken.contains(k))
        .unwrap_or(base)
}

/// The maps of every `--map-fields` given, read in turn.
pub fn parse_all(specs: &[String]) -> Result<Vec<FieldMap>> {
    specs.iter().map(|s| FieldMap::parse(s)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spec_maps_anki_fields_onto_jargons_and_says_what_is_wrong() {
        let map = FieldMap::parse(" Prompt = term, answer=Definition ,Chapter=example").unwrap();
        assert_eq!(
            map.pairs,
            vec![
                ("Prompt".to_string(), Field::Term),
                ("answer".to_string(), Field::Definition),
                ("Chapter".to_string(), Field::Example),
            ]
        );
        let names: Vec<String> = ["Chapter", "Prompt", "Answer"].map(String::from).into();
        assert_eq!(map.indexes(&names), Some(vec![1, 2, 0]));
        assert_eq!(map.indexes(&names[..2]), None);
        let cases = [
            ("Front=term", "no Anki field maps to definition"),
            (
                "Front=term,Back=meaning",
                "'meaning' is not a jargon field (one of term, definition, example, aliases, tags, related, source, key)",
            ),
            (
                "Front=term,Back=term",
                "'Front' and 'Back' both map to term",
            ),
            (
                "Front=term,front=definition",
                "the Anki field 'front' is mapped twice",
            ),
            (
                "Front,Back=definition",
                "'Front' is not ANKI FIELD=JARGON FIELD",
            ),
            ("=term,Back=definition", "'=term' names no Anki field"),
        ];
        for (spec, expected) in cases {
            let err = FieldMap::parse(spec).unwrap_err();
            assert!(matches!(err, Error::Usage(_)), "{spec}");
            assert!(err.to_string().contains(expected), "{spec}: {err}");
        }
    }

    fn basic_note(front: &str, back: &str, key: &str) -> crate::deck::NoteInput {
        let notetype = std::sync::Arc::new(crate::model::NoteTypeInput {
            notetype: crate::notes::NoteType::stock(crate::notes::Kind::BasicReversed),
            anki_id: None,
            extra: "{}".into(),
        });
        let mut fields = NoteFields {
            key: key.into(),
            ..NoteFields::default()
        };
        crate::deck::notetypes::fill_rich(
            &notetype,
            vec![front.into(), back.into()],
            "",
            &mut fields,
        );
        crate::deck::NoteInput {
            fields,
            position: None,
        }
    }

    #[test]
    fn converted_notes_take_keys_free_across_files_and_their_histories_follow() {
        let deck = |notes| DeckInput {
            name: "D".into(),
            description: None,
            notes,
        };
        let vocab = crate::deck::NoteInput {
            fields: NoteFields {
                key: "hund".into(),
                term: "Hund".into(),
                definition: "a dog".into(),
                ..NoteFields::default()
            },
            position: None,
        };
        let history = |note: usize, ord: u32| crate::records::import::CardHistory {
            note,
            ord,
            answers: vec![],
            state: None,
            suspended: true,
            buried: false,
        };
        let mut loaded = Loaded {
            decks: vec![
                deck(vec![
                    basic_note("<b>Hund</b>", "dog", "hund-x"),
                    basic_note("", "", "e"),
                ]),
                deck(vec![vocab, basic_note("Katze", "cat", "katze")]),
            ],
            histories: vec![history(0, 0), history(0, 1), history(1, 0), history(3, 1)],
            ..Loaded::default()
        };
        let maps = [FieldMap::parse("Front=term,Back=definition").unwrap()];
        let warnings = apply(&maps, &mut loaded).unwrap();
        assert_eq!(
            warnings,
            ["1 note(s) left without a term or a definition by --map-fields were skipped"]
        );
        let first = &loaded.decks[0].notes;
        assert_eq!(first.len(), 1);
        assert_eq!(
            (first[0].fields.key.as_str(), first[0].fields.term.as_str()),
            ("hund-2", "Hund"),
            "the other file's vocab note keeps 'hund'"
        );
        assert!(first[0].fields.rich.is_none());
        let notes: Vec<usize> = loaded.histories.iter().map(|h| h.note).collect();
        assert_eq!(notes, [0, 0, 2], "the skipped note's history goes with it");
    }

    #[test]
    fn fresh_keys_take_the_first_free_suffix() {
        let taken: HashSet<String> = ["hund", "hund-2"].map(String::from).into();
        assert_eq!(fresh_key("Hund", &taken), "hund-3");
        assert_eq!(fresh_key("Katze", &taken), "katze");
        assert_eq!(fresh_key("???", &taken), "note");
    }
}
