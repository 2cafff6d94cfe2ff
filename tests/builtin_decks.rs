//! Checks that keep the built-in decks honest: they parse, keys are unique and links resolve,
//! definitions never give their term away, nothing is empty, every note names its article,
//! and every jargon term listed from the articles (tests/jargon_terms/) is covered.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use jargon::deck::DeckInput;
use jargon::deck::builtin;
use jargon::text::{fold, normalize};

const ARTICLES: &[&str] = &[
    "How I learn machine learning",
    "How to Keep Learning about Machine Learning",
    "One Month of Machine Learning",
    "12 Things I Learned During My First Year as a Machine Learning Engineer",
    "How to become an ML Engineer?",
];

fn decks() -> Vec<DeckInput> {
    builtin::decks().expect("the built-in decks parse and validate")
}

fn listed_terms() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("jargon_terms");
    let mut terms = vec![];
    for entry in std::fs::read_dir(&dir).expect("tests/jargon_terms exists") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("terms file is UTF-8");
        terms.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    terms
}

/// The listed terms that no note's term or alias covers.
fn uncovered(decks: &[DeckInput], terms: &[String]) -> Vec<String> {
    let squash = |s: &str| normalize(s).replace(' ', "");
    let known: HashSet<String> = decks
        .iter()
        .flat_map(|d| d.notes.iter())
        .flat_map(|n| std::iter::once(&n.fields.term).chain(n.fields.aliases.iter()))
        .map(|s| squash(s))
        .collect();
    terms
        .iter()
        .filter(|t| !known.contains(&squash(t)))
        .cloned()
        .collect()
}

#[test]
fn every_built_in_deck_parses_and_there_are_at_least_150_notes() {
    let decks = decks();
    assert_eq!(decks.len(), builtin::FILES.len());
    let total: usize = decks.iter().map(|d| d.notes.len()).sum();
    assert!(total >= 150, "only {total} notes");
    for deck in &decks {
        assert!(deck.name.starts_with("ML::"), "{}", deck.name);
        assert!(
            deck.description.as_deref().is_some_and(|d| !d.is_empty()),
            "{} has no description",
            deck.name
        );
    }
}

#[test]
fn keys_are_unique_across_all_built_in_decks() {
    let mut seen: HashMap<String, String> = HashMap::new();
    for deck in decks() {
        for note in &deck.notes {
            if let Some(other) = seen.insert(note.fields.key.clone(), deck.name.clone()) {
                panic!(
                    "key {} is in both {other} and {}",
                    note.fields.key, deck.name
                );
            }
        }
    }
}

#[test]
fn every_related_key_names_an_existing_note_other_than_itself() {
    let decks = decks();
    let keys: HashSet<&str> = decks
        .iter()
        .flat_map(|d| d.notes.iter())
        .map(|n| n.fields.key.as_str())
        .collect();
    for note in decks.iter().flat_map(|d| d.notes.iter()) {
        for key in &note.fields.related {
            assert!(
                keys.contains(key.as_str()),
                "{} links to missing {key}",
                note.fields.key
            );
            assert_ne!(key, &note.fields.key, "{} links to itself", note.fields.key);
        }
    }
}

#[test]
fn no_definition_contains_its_own_term_or_an_alias() {
    for note in decks().iter().flat_map(|d| d.notes.iter()) {
        let definition = fold(&note.fields.definition);
        for word in std::iter::once(&note.fields.term).chain(note.fields.aliases.iter()) {
            assert!(
                !definition.contains(&fold(word)),
                "the definition of {} gives away {word:?}: {}",
                note.fields.term,
                note.fields.definition
            );
        }
    }
}

#[test]
fn no_field_is_empty_and_every_note_has_an_example_tags_and_a_source() {
    for (name, text) in builtin::FILES {
        let value: toml::Value = toml::from_str(text).expect("valid TOML");
        fn walk(file: &str, v: &toml::Value) {
            match v {
                toml::Value::String(s) => {
                    assert!(!s.trim().is_empty(), "{file} has an empty string")
                }
                toml::Value::Array(items) => items.iter().for_each(|i| walk(file, i)),
                toml::Value::Table(t) => t.values().for_each(|i| walk(file, i)),
                _ => {}
            }
        }
        walk(name, &value);
    }
    for note in decks().iter().flat_map(|d| d.notes.iter()) {
        let f = &note.fields;
        assert!(!f.example.is_empty(), "{} has no example", f.key);
        assert!(!f.tags.is_empty(), "{} has no tags", f.key);
        assert!(!f.source.is_empty(), "{} names no source", f.key);
    }
}

#[test]
fn every_source_names_one_of_the_five_articles() {
    for note in decks().iter().flat_map(|d| d.notes.iter()) {
        for title in note.fields.source.split("; ") {
            assert!(
                ARTICLES.contains(&title),
                "{} cites unknown source {title:?}",
                note.fields.key
            );
        }
    }
}

#[test]
fn definitions_are_one_to_three_sentences() {
    for note in decks().iter().flat_map(|d| d.notes.iter()) {
        let d = &note.fields.definition;
        let sentences = d.matches(". ").count() + usize::from(d.ends_with('.'));
        assert!((1..=4).contains(&sentences), "{}: {d}", note.fields.key);
    }
}

#[test]
fn every_listed_jargon_term_from_the_articles_is_covered() {
    let terms = listed_terms();
    assert!(terms.len() >= 100, "only {} listed terms", terms.len());
    let missing = uncovered(&decks(), &terms);
    assert!(missing.is_empty(), "not covered by any note: {missing:?}");
}

#[test]
fn the_coverage_check_fails_when_a_covering_note_is_removed() {
    let terms = listed_terms();
    let mut decks = decks();
    let first = terms[0].clone();
    let squash = |s: &str| normalize(s).replace(' ', "");
    for deck in &mut decks {
        deck.notes.retain(|n| {
            !std::iter::once(&n.fields.term)
                .chain(n.fields.aliases.iter())
                .any(|s| squash(s) == squash(&first))
        });
    }
    assert_eq!(uncovered(&decks, &terms[..1]), vec![first]);
}
