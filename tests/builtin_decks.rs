//! Checks that keep the built-in decks honest: they parse, keys are unique and links resolve,
//! definitions never give their term away (not even a distinctive word of it), nothing is
//! empty, every cited article really uses the term, no two notes share an answer the
//! typed-answer matcher would take for the other's, the counts in decks/README.md are the
//! decks', and every jargon term listed from the articles (tests/jargon_terms/) is covered.
//!
//! The articles are read from `../shared/seeds/` beside the repository (the folder the decks
//! were written from), or from the folder named by `JARGON_ARTICLES_DIR`.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use jargon::deck::DeckInput;
use jargon::deck::builtin;
use jargon::session::matcher::{self, Verdict};
use jargon::text::{fold, normalize};

const ARTICLES: &[&str] = &[
    "How I learn machine learning",
    "How to Keep Learning about Machine Learning",
    "One Month of Machine Learning",
    "12 Things I Learned During My First Year as a Machine Learning Engineer",
    "How to become an ML Engineer?",
];

/// What a note that no article uses cites instead (decks/README.md, "Sources").
const BACKGROUND: &str = "background";

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

/// The examples that speak of "One Month of Machine Learning" (by Dylan Barth) with "she" or
/// "her": the article never says so, and its author is Dylan Barth (issue 15, item 1).
fn one_month_author_as_she(decks: &[DeckInput]) -> Vec<String> {
    decks
        .iter()
        .flat_map(|d| d.notes.iter())
        .filter(|n| {
            let e = &n.fields.example;
            (e.contains("One Month") || e.contains("Barth"))
                && e.split(|c: char| !c.is_alphabetic()).any(|w| {
                    matches!(
                        w.to_lowercase().as_str(),
                        "she" | "her" | "hers" | "herself"
                    )
                })
        })
        .map(|n| n.fields.key.clone())
        .collect()
}

#[test]
fn no_example_calls_the_one_month_author_she() {
    let mut decks = decks();
    assert_eq!(one_month_author_as_she(&decks), Vec::<String>::new());
    // The check can fail: an example in the old wording is caught.
    decks[0].notes[0].fields.example =
        "In One Month of Machine Learning she built ETL pipelines.".into();
    let key = decks[0].notes[0].fields.key.clone();
    assert_eq!(one_month_author_as_she(&decks), vec![key]);
}

#[test]
fn every_source_is_background_or_names_articles_of_the_five() {
    for note in decks().iter().flat_map(|d| d.notes.iter()) {
        if note.fields.source == BACKGROUND {
            continue;
        }
        let titles: Vec<&str> = note.fields.source.split("; ").collect();
        for title in &titles {
            assert!(
                ARTICLES.contains(title),
                "{} cites unknown source {title:?} (\"{BACKGROUND}\" stands alone)",
                note.fields.key
            );
        }
        let distinct: HashSet<&&str> = titles.iter().collect();
        assert_eq!(
            distinct.len(),
            titles.len(),
            "{} cites an article twice",
            note.fields.key
        );
    }
}

/// Sentences in a text: a full stop, question or exclamation mark that ends the text or is
/// followed by a space and a capital letter or digit ends one ("e.g. a" does not).
fn sentences(text: &str) -> usize {
    let chars: Vec<char> = text.trim_end().chars().collect();
    (0..chars.len())
        .filter(|&i| matches!(chars[i], '.' | '?' | '!'))
        .filter(|&i| {
            i + 1 == chars.len()
                || (chars[i + 1] == ' '
                    && chars
                        .get(i + 2)
                        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()))
        })
        .count()
        .max(1)
}

#[test]
fn sentences_are_counted_by_their_ends() {
    assert_eq!(sentences("One."), 1);
    assert_eq!(sentences("One, e.g. this. Two? Three! Four."), 4);
    assert_eq!(sentences("No full stop"), 1);
    assert_eq!(sentences("Version 2. 3 follows."), 2);
}

#[test]
fn definitions_are_one_to_three_sentences() {
    for note in decks().iter().flat_map(|d| d.notes.iter()) {
        let d = &note.fields.definition;
        let n = sentences(d);
        assert!(
            (1..=3).contains(&n),
            "{} has {n} sentences: {d}",
            note.fields.key
        );
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

/// A word as the checks below compare it: a plural folded to its singular ("libraries" ->
/// "library", "stores" -> "store"), so either form matches either.
fn fold_word(word: &str) -> String {
    if word.len() > 4
        && let Some(stem) = word.strip_suffix("ies")
    {
        return format!("{stem}y");
    }
    match word.strip_suffix('s') {
        Some(stem) if word.len() > 3 && !stem.ends_with('s') => stem.to_string(),
        _ => word.to_string(),
    }
}

/// The words of a text, [`normalize`]d (case, accents, punctuation and hyphens gone) and
/// plural-folded, with links (`http...` up to a space or a bracket) left out.
fn words(text: &str) -> Vec<String> {
    let mut kept = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("http") {
        kept.push_str(&rest[..at]);
        let after = &rest[at..];
        let end = after
            .find(|c: char| c.is_whitespace() || c == ')' || c == ']' || c == '>')
            .unwrap_or(after.len());
        kept.push(' ');
        rest = &after[end..];
    }
    kept.push_str(rest);
    normalize(&kept)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(fold_word)
        .collect()
}

/// Whether some run of consecutive `haystack` words, joined, is `phrase` joined: so
/// "feature-stores", "feature stores" and "featurestore" all contain "feature store", and
/// "rapid" does not contain "API".
fn contains_phrase(haystack: &[String], phrase: &[String]) -> bool {
    let target: String = phrase.concat();
    if target.is_empty() {
        return false;
    }
    (0..haystack.len()).any(|start| {
        let mut joined = String::new();
        for word in &haystack[start..] {
            joined.push_str(word);
            if joined.len() >= target.len() {
                return joined == target;
            }
            if !target.starts_with(&joined) {
                return false;
            }
        }
        false
    })
}

/// The text of each of the five articles, by title.
fn articles() -> HashMap<&'static str, String> {
    let dir = std::env::var_os("JARGON_ARTICLES_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("shared")
                .join("seeds")
        });
    let texts: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the articles are read from {}: {e}", dir.display()))
        .map(|entry| std::fs::read_to_string(entry.expect("entry").path()).expect("UTF-8"))
        .collect();
    ARTICLES
        .iter()
        .map(|title| {
            // The title is in an article's first lines (plain, or in its front matter).
            let heads = |t: &String| t.lines().take(12).any(|l| l.contains(title));
            let mut found = texts.iter().filter(|t| heads(t));
            let text = found
                .next()
                .unwrap_or_else(|| panic!("no article titled {title:?} in {}", dir.display()));
            assert!(found.next().is_none(), "two articles titled {title:?}");
            (*title, text.clone())
        })
        .collect()
}

/// An answer without its parenthesised qualifiers: "Deep Learning (book)" is cited where an
/// article says "Deep Learning".
fn unqualified(answer: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in answer.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

fn answers(note: &jargon::deck::NoteInput) -> impl Iterator<Item = &String> {
    std::iter::once(&note.fields.term).chain(note.fields.aliases.iter())
}

#[test]
fn words_fold_case_plurals_and_hyphens_and_keep_word_boundaries() {
    let text = words("Our Feature-Stores feed (see https://example.com/rapid) two Libraries.");
    let has = |phrase: &str| contains_phrase(&text, &words(phrase));
    assert!(has("feature store"));
    assert!(has("featurestores"));
    assert!(has("library"));
    assert!(
        !has("API"),
        "a word inside another word or a link is not the word"
    );
    assert!(!has("example"), "links are left out");
    assert!(!has("store feed two library extra"));
    assert_eq!(unqualified("Deep Learning (book)").trim(), "Deep Learning");
}

#[test]
fn every_cited_article_contains_the_term_or_an_alias() {
    let articles: HashMap<&str, Vec<String>> = articles()
        .into_iter()
        .map(|(title, text)| (title, words(&text)))
        .collect();
    let mut wrong = vec![];
    for note in decks().iter().flat_map(|d| d.notes.iter()) {
        if note.fields.source == BACKGROUND {
            continue;
        }
        for title in note.fields.source.split("; ") {
            let Some(text) = articles.get(title) else {
                continue; // every_source_is_background_or_names_articles_of_the_five
            };
            if !answers(note).any(|a| contains_phrase(text, &words(&unqualified(a)))) {
                wrong.push(format!("{} <- {title:?}", note.fields.key));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} citations of an article that uses neither the term nor an alias:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// Pairs of notes whose answers the typed-answer matcher takes for one another: one note's
/// term or alias, typed on the other's reverse card, is judged right (exactly or as a slip).
fn confusable(decks: &[DeckInput]) -> Vec<String> {
    let notes: Vec<_> = decks.iter().flat_map(|d| d.notes.iter()).collect();
    let mut found = vec![];
    for card in &notes {
        for other in &notes {
            if std::ptr::eq(*card, *other) {
                continue;
            }
            for typed in answers(other) {
                let verdict = matcher::check(typed, &card.fields.term, &card.fields.aliases, &[]);
                if matches!(verdict, Verdict::Exact { .. } | Verdict::Typo { .. }) {
                    found.push(format!(
                        "{typed:?} (of {}) is taken as an answer of {}: {verdict:?}",
                        other.fields.key, card.fields.key
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn the_confusable_check_finds_equal_and_slip_close_answers() {
    let text = r#"
name = "ML::Test"
description = "d"
[[note]]
term = "Machine Learning Systems Design"
definition = "d"
[[note]]
term = "machine learning system design"
definition = "d"
[[note]]
term = "batch"
definition = "d"
[[note]]
term = "mini-batch"
aliases = ["Batch"]
definition = "d"
[[note]]
term = "tree"
definition = "d"
[[note]]
term = "trie"
definition = "d"
"#;
    let deck = jargon::deck::toml::parse(Path::new("t.toml"), text).expect("parses");
    let found = confusable(&[deck]);
    // Both ways for each of the two pairs; "tree" and "trie" are short, so never a slip.
    assert_eq!(found.len(), 4, "{found:#?}");
    assert!(
        found
            .iter()
            .all(|f| !f.contains("tree") && !f.contains("trie"))
    );
}

#[test]
fn no_two_notes_answers_are_equal_or_within_what_the_matcher_forgives() {
    let found = confusable(&decks());
    assert!(
        found.is_empty(),
        "{} answers the matcher takes for another note's:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Words of a note's term that give it away when its definition uses them: five letters or
/// more, and in no other note's term or aliases (a word two notes share tells neither apart).
/// Each entry: (note key, word, why the definition may still use it).
const DISTINCTIVE_ALLOWED: &[(&str, &str, &str)] = &[];

/// The distinctive words of each note's term that its definition contains (as a word, a
/// run of words such as "min-hash", or a longer or shorter form of at least five letters
/// such as "linear" for "linearity").
fn giveaways(decks: &[DeckInput], allowed: &[(&str, &str, &str)]) -> Vec<String> {
    let notes: Vec<_> = decks.iter().flat_map(|d| d.notes.iter()).collect();
    let mut owners: HashMap<String, HashSet<&str>> = HashMap::new();
    for note in &notes {
        for answer in answers(note) {
            for word in words(answer) {
                owners.entry(word).or_default().insert(&note.fields.key);
            }
        }
    }
    // Another form of the same word: "linear" for "linearity", "objects" for "object" (not
    // "graph" for "GraphX" nor "course" for "Coursera": a suffix has to be one of these).
    const SUFFIXES: &[&str] = &[
        "s", "es", "ed", "d", "ing", "er", "ers", "ity", "al", "ally", "ly", "ic", "ation", "ise",
        "ize", "ised", "ized",
    ];
    let related = |a: &str, b: &str| {
        let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
        let stem = short.strip_suffix('e').unwrap_or(short);
        short.len() >= 5
            && [short, stem].iter().any(|s| {
                long.strip_prefix(s)
                    .is_some_and(|rest| SUFFIXES.contains(&rest))
            })
    };
    let mut found = vec![];
    for note in &notes {
        let definition = words(&note.fields.definition);
        let mut own: Vec<String> = words(&note.fields.term);
        own.sort();
        own.dedup();
        for word in own {
            let distinctive = word.chars().count() >= 5 && owners[&word].len() == 1;
            let allowed = allowed
                .iter()
                .any(|(key, w, _)| *key == note.fields.key && *w == word);
            if !distinctive || allowed {
                continue;
            }
            let given = contains_phrase(&definition, std::slice::from_ref(&word))
                || definition.iter().any(|d| related(d, &word));
            if given {
                found.push(format!(
                    "{} gives away {word:?}: {}",
                    note.fields.key, note.fields.definition
                ));
            }
        }
    }
    found
}

#[test]
fn the_giveaway_check_finds_distinctive_words_and_their_forms() {
    let text = r#"
name = "ML::Test"
description = "d"
[[note]]
term = "non-linearity"
definition = "A non-linear function."
[[note]]
term = "MinHash"
definition = "Min-hash signatures estimate overlap."
[[note]]
term = "GraphX"
definition = "A library for graph computation on Spark."
[[note]]
term = "linear regression"
definition = "A model; unlike logistic regression, it predicts a number."
[[note]]
term = "logistic regression"
definition = "A model."
"#;
    let deck = jargon::deck::toml::parse(Path::new("t.toml"), text).expect("parses");
    let found = giveaways(&[deck], &[]);
    // "linearity" (through "linear") and "minhash"; "regression" is in two terms.
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found[0].starts_with("non-linearity gives away \"linearity\""));
    assert!(found[1].starts_with("minhash gives away \"minhash\""));
}

#[test]
fn no_definition_contains_a_distinctive_word_of_its_term() {
    let found = giveaways(&decks(), DISTINCTIVE_ALLOWED);
    assert!(
        found.is_empty(),
        "{} definitions give a distinctive word of their answer away:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_allowed_giveaway_is_still_needed_and_has_a_reason() {
    let found = giveaways(&decks(), &[]);
    for (key, word, why) in DISTINCTIVE_ALLOWED {
        assert!(why.len() > 10, "{key}/{word} has no reason");
        let prefix = format!("{key} gives away {word:?}:");
        assert!(
            found.iter().any(|f| f.starts_with(&prefix)),
            "{key}'s definition no longer uses {word:?}: drop it from the allow-list"
        );
    }
}

/// The number in `text` just before `after` ("311 notes in all" -> 311 for " notes in all").
fn number_before(text: &str, after: &str) -> usize {
    let at = text
        .find(after)
        .unwrap_or_else(|| panic!("decks/README.md no longer says {after:?}"));
    let digits: String = text[..at]
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().expect("a number")
}

#[test]
fn the_counts_in_decks_readme_are_the_decks() {
    let readme = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("decks")
            .join("README.md"),
    )
    .expect("decks/README.md");
    let decks = decks();
    let mut total = 0;
    for ((file, _), deck) in builtin::FILES.iter().zip(&decks) {
        let row = readme
            .lines()
            .find(|l| l.starts_with(&format!("| `{file}` |")))
            .unwrap_or_else(|| panic!("decks/README.md has no row for {file}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[2], deck.name, "{file}'s deck name in the README");
        assert_eq!(
            cells[3].parse::<usize>().ok(),
            Some(deck.notes.len()),
            "{file}'s note count in the README"
        );
        total += deck.notes.len();
    }
    assert_eq!(number_before(&readme, " notes in all"), total);
    assert_eq!(number_before(&readme, " cards (each note"), 2 * total);
    assert_eq!(
        number_before(&readme, " jargon terms listed"),
        listed_terms().len()
    );
}
