//! Packages made by Anki's own engine with rich notes (`bench/anki_notes_fixture.sh`): Basic,
//! reversed, optional reversed, type-in, Cloze (c1-c3, hints, MathJax, empty Back Extra) and a
//! five-field custom type, with HTML, media and four months of answers. Each Anki card becomes
//! one jargon card of a note that keeps its type, fields (as HTML), guid and tags.

use std::collections::BTreeMap;

use crate::common::{Env, fixture};

fn expected() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("anki-rich.expected.json")).unwrap())
        .unwrap()
}

fn imported() -> Env {
    let mut env = Env::new();
    // Half an hour after Anki made the package: its cards in intraday learning steps (due at
    // 15:10) are due, so a review shows them instead of waiting for them.
    env.now = "2026-10-28T15:30:00Z".to_string();
    let package = fixture("anki-rich.apkg");
    env.ok(&["import", package.to_str().unwrap()]);
    env
}

#[test]
fn every_anki_card_arrives_once_with_every_answer_and_its_notes_keep_type_fields_and_guid() {
    let env = imported();
    let expected = expected();
    let cards: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["cards", "--deck", "Rich", "--json"])).unwrap();
    assert_eq!(cards.len(), expected["cards"].as_array().unwrap().len());
    // Cards per note type, as Anki has them.
    let mut ours: BTreeMap<String, usize> = BTreeMap::new();
    for card in &cards {
        *ours
            .entry(card["note_type_name"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let notetype_of: BTreeMap<String, String> = expected["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["guid"].as_str().unwrap().to_string(),
                n["notetype"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut anki: BTreeMap<String, usize> = BTreeMap::new();
    for card in expected["cards"].as_array().unwrap() {
        *anki
            .entry(notetype_of[card["note"].as_str().unwrap()].clone())
            .or_default() += 1;
    }
    assert_eq!(
        ours, anki,
        "one jargon card per Anki card, under its note type"
    );
    // `note_type` is the kind for the stock types, the name for any other.
    let kinds: BTreeMap<&str, &str> = cards
        .iter()
        .map(|c| {
            (
                c["note_type_name"].as_str().unwrap(),
                c["note_type"].as_str().unwrap(),
            )
        })
        .collect();
    let want: BTreeMap<&str, &str> = [
        ("Basic", "basic"),
        ("Basic (and reversed card)", "basic-reversed"),
        ("Basic (optional reversed card)", "basic-optional-reversed"),
        ("Basic (type in the answer)", "typed"),
        ("Cloze", "cloze"),
        ("Vocab Plus", "Vocab Plus"),
    ]
    .into_iter()
    .collect();
    assert_eq!(kinds, want);

    // Every answer, per card.
    let reviews: i64 = env.sql("SELECT count(*) FROM reviews");
    assert_eq!(reviews, expected["revlog_rows"].as_i64().unwrap());
    for card in expected["cards"].as_array().unwrap() {
        let (guid, ord) = (
            card["note"].as_str().unwrap(),
            card["ord"].as_i64().unwrap(),
        );
        let logged: i64 = env.sql(&format!(
            "SELECT count(*) FROM reviews r JOIN notes n ON n.id = r.card_id / 64
             WHERE n.guid = '{guid}' AND r.card_id % 64 = {ord}"
        ));
        let revlog = card["revlog"].as_i64().unwrap();
        // A card with scheduling and no log gets one row carrying its state.
        assert!(
            logged == revlog || (revlog == 0 && logged <= 1),
            "{guid} card {ord}: {logged} rows for Anki's {revlog}"
        );
    }

    // Notes keep their fields byte for byte, their guid, tags and type.
    for note in expected["notes"].as_array().unwrap() {
        let guid = note["guid"].as_str().unwrap();
        let fields: String = env.sql(&format!("SELECT fields FROM notes WHERE guid = '{guid}'"));
        let fields: Vec<String> = serde_json::from_str(&fields).unwrap();
        let want: Vec<String> = serde_json::from_value(note["fields"].clone()).unwrap();
        assert_eq!(fields, want, "{guid}");
        let name: String = env.sql(&format!(
            "SELECT t.name FROM notes n JOIN notetypes t ON t.id = n.notetype_id WHERE n.guid = '{guid}'"
        ));
        assert_eq!(name, note["notetype"].as_str().unwrap());
    }
    let out = env.ok(&["check"]);
    assert!(out.starts_with("ok:"), "{out}");

    // Importing it again changes nothing.
    let package = fixture("anki-rich.apkg");
    let again = env.ok(&["import", package.to_str().unwrap()]);
    assert!(again.contains("0 added"), "{again}");
    let reviews_again: i64 = env.sql("SELECT count(*) FROM reviews");
    assert_eq!(reviews_again, reviews);
}

#[test]
fn a_review_renders_the_cards_from_their_templates_and_judges_a_typed_answer() {
    let env = imported();
    // Only the type-in notes' cards, answered in line mode.
    // Enter reveals (or gives an empty typed answer, which shows the expected one) and g grades.
    let out = env.run_with_input(
        &["review", "--deck", "Rich", "--limit", "50"],
        &"\ng\n".repeat(30),
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(
        text.contains("2¹⁰ = ?"),
        "superscripts are shown as such: {text}"
    );
    assert!(
        !text.contains("<sup>"),
        "no HTML reaches the terminal: {text}"
    );
    assert!(
        !text.contains("{{"),
        "no template or cloze markup is shown raw: {text}"
    );
}

#[test]
fn edit_in_a_review_sends_a_note_of_an_anki_type_to_the_field_editor_and_changes_nothing() {
    let env = imported();
    let before = env.fingerprint();
    let out = env.run_with_input(&["review", "--deck", "Rich"], ":edit\n:quit\n");
    let (stdout, _) = crate::common::text(&out);
    assert!(
        stdout.contains(
            "This note is of type 'Basic': edit it with `jargon edit 'Rich/gradient-descent' --field NAME=VALUE`."
        ),
        "{stdout}"
    );
    assert_eq!(env.fingerprint(), before);
}
