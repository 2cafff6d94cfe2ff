//! Which cards a note has, through the binary: `cards = [...]` in TOML and JSON decks (per
//! deck and per note, re-imports that add a card and never take one away, exports that read
//! back the same), and `jargon edit` of a note of an Anki type (`--field NAME=VALUE`, the
//! cards its new values make, the states and log it keeps).

use std::collections::BTreeMap;

use crate::common::{Env, fixture, text};

/// Each note's cards in `deck`, as `jargon cards --json` lists them: key -> templates.
fn cards_of(env: &Env, deck: &str) -> BTreeMap<String, Vec<String>> {
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["cards", "--deck", deck, "--json"])).unwrap();
    let mut notes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for card in listed {
        notes
            .entry(card["key"].as_str().unwrap().to_string())
            .or_default()
            .push(card["template"].as_str().unwrap().to_string());
    }
    notes
}

fn both() -> Vec<String> {
    vec!["forward".into(), "reverse".into()]
}

fn forward() -> Vec<String> {
    vec!["forward".into()]
}

const DECK: &str = r#"name = "Cards"
cards = ["forward"]

[[note]]
term = "alpha"
definition = "The first letter."

[[note]]
term = "beta"
definition = "The second letter."
cards = ["forward", "reverse"]
"#;

const OTHER: &str = r#"name = "Other"

[[note]]
term = "gamma"
definition = "The third letter."
cards = ["forward"]

[[note]]
term = "delta"
definition = "The fourth letter."
"#;

#[test]
fn cards_come_from_the_note_or_the_deck_and_a_second_import_changes_nothing() {
    let env = Env::new();
    let deck = env.write("cards.toml", DECK);
    let other = env.write("other.toml", OTHER);
    let out = env.ok(&["import", deck.to_str().unwrap(), other.to_str().unwrap()]);
    assert!(out.contains("4 added"), "{out}");
    assert_eq!(
        cards_of(&env, "Cards"),
        BTreeMap::from([("alpha".into(), forward()), ("beta".into(), both())])
    );
    assert_eq!(
        cards_of(&env, "Other"),
        BTreeMap::from([("delta".into(), both()), ("gamma".into(), forward())])
    );
    let before = env.fingerprint();
    let again = env.run(&["import", deck.to_str().unwrap(), other.to_str().unwrap()]);
    let (stdout, stderr) = text(&again);
    assert!(again.status.success(), "{stderr}");
    assert!(
        stdout.contains("0 added, 0 updated, 4 unchanged"),
        "{stdout}"
    );
    assert_eq!(stderr, "", "nothing to warn about");
    assert_eq!(env.fingerprint(), before);
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok:"), "{check}");
}

#[test]
fn toml_and_json_exports_name_the_forward_only_notes_and_read_back_the_same() {
    let env = Env::new();
    let deck = env.write("cards.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    let exported = env.ok(&["export", "deck", "--deck", "Cards", "--format", "toml"]);
    assert_eq!(
        exported.matches("cards = [\"forward\"]").count(),
        1,
        "{exported}"
    );
    let json = env.ok(&["export", "deck", "--deck", "Cards", "--format", "json"]);
    assert_eq!(json.matches("\"cards\"").count(), 1, "{json}");
    for (name, body) in [("back.toml", &exported), ("back.json", &json)] {
        let fresh = Env::new();
        let file = fresh.write(name, body);
        fresh.ok(&["import", file.to_str().unwrap()]);
        assert_eq!(cards_of(&fresh, "Cards"), cards_of(&env, "Cards"), "{name}");
        // And into the collection it came from: nothing changes.
        let before = env.fingerprint();
        let file = env.write(name, body);
        let out = env.ok(&["import", file.to_str().unwrap()]);
        assert!(
            out.contains("0 added, 0 updated, 2 unchanged"),
            "{name}: {out}"
        );
        assert_eq!(env.fingerprint(), before, "{name}");
    }
}

#[test]
fn a_bad_card_list_is_refused_with_its_place_and_nothing_is_written() {
    let env = Env::new();
    env.ok(&["decks"]);
    let before = env.fingerprint();
    for (list, said) in [
        (
            "[]",
            "bad.toml:5:9: `cards` is empty: a note has at least its forward card (cards = [\"forward\"], or leave `cards` out for both)",
        ),
        (
            "[\"forward\", \"revers\"]",
            "bad.toml:5:21: unknown card 'revers' in `cards`: a note's cards are \"forward\" and \"reverse\"",
        ),
        (
            "[\"reverse\"]",
            "bad.toml:5:9: `cards` leaves out the forward card, which every note has: write [\"forward\"] or [\"forward\", \"reverse\"]",
        ),
    ] {
        let file = env.write(
            "bad.toml",
            format!("name = \"Bad\"\n[[note]]\nterm = \"a\"\ndefinition = \"b\"\ncards = {list}\n"),
        );
        let stderr = env.fails(&["import", file.to_str().unwrap()], 1);
        let path = file.display().to_string();
        assert_eq!(
            stderr,
            format!("jargon: {}\n", said.replacen("bad.toml", &path, 1)),
            "{list}"
        );
        assert_eq!(env.fingerprint(), before);
    }
    let file = env.write(
        "bad.json",
        "[\n {\"term\": \"a\", \"definition\": \"b\",\n  \"cards\": [\"back\"]}\n]\n",
    );
    let stderr = env.fails(&["import", file.to_str().unwrap()], 1);
    assert!(
        stderr.contains("bad.json:3:3: invalid JSON deck: unknown card 'back'"),
        "{stderr}"
    );
    assert_eq!(env.fingerprint(), before);
}

/// The reverse card of the only note of deck "Letters", answered on day 3 (days 1 and 2 answer
/// the forward card; a new sibling waits while the other is in the session).
fn answered_both_ways() -> Env {
    let mut env = Env::new();
    let deck = env.write(
        "letters.toml",
        "name = \"Letters\"\n[[note]]\nterm = \"omega\"\ndefinition = \"The last letter.\"\n",
    );
    env.ok(&["import", deck.to_str().unwrap()]);
    env.ok(&["config", "set", "fuzz", "false"]);
    env.run_with_input(&["review", "--deck", "Letters"], "g\n");
    env.now = "2026-11-23T09:00:00Z".into();
    env.run_with_input(&["review", "--deck", "Letters"], "g\n");
    env.now = "2026-11-24T09:00:00Z".into();
    env.run_with_input(&["review", "--deck", "Letters"], "omega\n\n");
    let reverse: i64 =
        env.sql("SELECT count(*) FROM reviews r JOIN cards c ON c.id = r.card_id WHERE c.ord = 1");
    assert_eq!(reverse, 1, "the reverse card was answered");
    env
}

#[test]
fn a_deck_that_comes_to_name_the_forward_card_alone_keeps_the_reverse_card_and_its_answers() {
    let env = answered_both_ways();
    let listed_before = env.ok(&["cards", "--deck", "Letters", "--json"]);
    let reviews: i64 = env.sql("SELECT count(*) FROM reviews");
    let deck = env.write(
        "letters.toml",
        "name = \"Letters\"\ncards = [\"forward\"]\n[[note]]\nterm = \"omega\"\ndefinition = \"The last letter.\"\n",
    );
    let before = env.fingerprint();
    for _ in 0..2 {
        let out = env.run(&["import", deck.to_str().unwrap()]);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(
            stdout.contains("0 added, 0 updated, 1 unchanged"),
            "{stdout}"
        );
        assert_eq!(
            stderr,
            "jargon: warning: 1 note keeps its reverse card, which the file now leaves out: cards \
             are never removed, so its answers stay (`jargon suspend --card ID` stops it)\n"
        );
        assert_eq!(env.fingerprint(), before, "nothing is written, twice");
    }
    assert_eq!(
        env.ok(&["cards", "--deck", "Letters", "--json"]),
        listed_before
    );
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), reviews);
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok:"), "{check}");
}

#[test]
fn a_note_first_imported_forward_only_gains_its_reverse_card_when_the_deck_names_both() {
    let env = Env::new();
    let deck = env.write(
        "late.toml",
        "name = \"Late\"\ncards = [\"forward\"]\n[[note]]\nterm = \"omega\"\ndefinition = \"The last letter.\"\n",
    );
    env.ok(&["import", deck.to_str().unwrap()]);
    env.run_with_input(&["review", "--deck", "Late"], "g\n");
    assert_eq!(
        cards_of(&env, "Late"),
        BTreeMap::from([("omega".into(), forward())])
    );
    let forward_state = |env: &Env| -> String {
        env.sql("SELECT phase || ' ' || interval_days || ' ' || due_day FROM cards WHERE ord = 0 AND note_id = (SELECT id FROM notes WHERE key = 'omega')")
    };
    let state = forward_state(&env);
    // The deck-level line gone: both cards, the default.
    let deck = env.write(
        "late.toml",
        "name = \"Late\"\n[[note]]\nterm = \"omega\"\ndefinition = \"The last letter.\"\n",
    );
    let out = env.ok(&["import", deck.to_str().unwrap()]);
    assert!(out.contains("0 added, 1 updated"), "{out}");
    assert_eq!(
        cards_of(&env, "Late"),
        BTreeMap::from([("omega".into(), both())])
    );
    assert_eq!(
        forward_state(&env),
        state,
        "the forward card keeps its state"
    );
    let reverse: String = env.sql(
        "SELECT phase FROM cards WHERE ord = 1 AND note_id = (SELECT id FROM notes WHERE key = 'omega')",
    );
    assert_eq!(reverse, "new");
    let again = env.ok(&["import", deck.to_str().unwrap()]);
    assert!(again.contains("0 added, 0 updated, 1 unchanged"), "{again}");
    // A CSV row names no cards: a note keeps the cards it has.
    let csv = env.write("late.csv", "#deck:Late\nomega,The last letter.\n");
    let out = env.ok(&["import", csv.to_str().unwrap()]);
    assert!(out.contains("1 unchanged"), "{out}");
}

/// A collection with `tests/fixtures/anki-rich.apkg` imported.
fn rich() -> Env {
    let mut env = Env::new();
    env.now = "2026-10-28T15:00:00Z".to_string();
    let package = fixture("anki-rich.apkg");
    env.ok(&["import", package.to_str().unwrap()]);
    env
}

/// `jargon cards --json` of one note: its cards by template.
fn note_cards(env: &Env, deck: &str, key: &str) -> BTreeMap<String, serde_json::Value> {
    let listed: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["cards", "--deck", deck, "--json"])).unwrap();
    listed
        .into_iter()
        .filter(|c| c["key"] == key)
        .map(|c| (c["template"].as_str().unwrap().to_string(), c))
        .collect()
}

/// Everything `cards --json` says of a card but its note's text.
fn state(card: &serde_json::Value) -> serde_json::Value {
    let mut card = card.clone();
    for text in ["term", "definition"] {
        card.as_object_mut().unwrap().remove(text);
    }
    card
}

#[test]
fn editing_a_field_of_an_anki_note_adds_the_card_it_makes_and_keeps_the_others() {
    let mut env = rich();
    env.now = "2026-10-29T10:00:00Z".to_string();
    let reviews: i64 = env.sql("SELECT count(*) FROM reviews");
    let before = note_cards(&env, "Rich::Sub", "auto");
    assert_eq!(before.keys().collect::<Vec<_>>(), ["Card 1"]);

    // "Add Reverse" of Basic (optional reversed card), named in any case.
    let out = env.ok(&["edit", "Rich::Sub/auto", "--field", "add reverse=y"]);
    assert_eq!(
        out,
        "Updated Rich::Sub/auto; its cards keep their history; new card: Card 2.\n"
    );
    let after = note_cards(&env, "Rich::Sub", "auto");
    assert_eq!(after.keys().collect::<Vec<_>>(), ["Card 1", "Card 2"]);
    assert_eq!(state(&after["Card 1"]), state(&before["Card 1"]));
    assert_eq!(after["Card 2"]["phase"], "new");
    let (fields, modified): (String, i64) = {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.query_row(
            "SELECT fields, modified_at FROM notes WHERE key = 'auto'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    assert_eq!(fields, r#"["Auto","car","y"]"#);
    assert_eq!(modified, 1_793_268_000, "modified at JARGON_NOW");
    // The same again changes nothing.
    assert_eq!(
        env.ok(&["edit", "Rich::Sub/auto", "--field", "Add Reverse=y"]),
        "No change to Rich::Sub/auto.\n"
    );

    // --definition is the second field, as text; --field takes HTML as it is.
    env.ok(&[
        "edit",
        "Rich::Sub/auto",
        "--definition",
        "a <car>",
        "--field",
        "Front=<b>Auto</b>",
    ]);
    let fields: String = env.sql("SELECT fields FROM notes WHERE key = 'auto'");
    assert_eq!(fields, r#"["<b>Auto</b>","a &lt;car&gt;","y"]"#);
    let listed = note_cards(&env, "Rich::Sub", "auto");
    assert_eq!(listed["Card 1"]["term"], "Auto");
    assert_eq!(listed["Card 1"]["definition"], "a <car>");

    // A new cloze number is a new card; c1 keeps its state.
    let key = "the-capital-of-france-is-c1-paris-capital";
    let before = note_cards(&env, "Rich", key);
    let out = env.ok(&[
        "edit",
        &format!("Rich/{key}"),
        "--field",
        "text=The capital of {{c2::France}} is {{c1::Paris::capital}}.",
    ]);
    assert!(out.ends_with("new card: c2.\n"), "{out}");
    let after = note_cards(&env, "Rich", key);
    assert_eq!(after.keys().collect::<Vec<_>>(), ["c1", "c2"]);
    assert_eq!(state(&after["c1"]), state(&before["c1"]));

    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), reviews);
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok:"), "{check}");
}

#[test]
fn edits_an_anki_note_cannot_take_are_refused_in_one_sentence_and_change_nothing() {
    let env = rich();
    let before = env.fingerprint();
    let fields = "(its fields: Front, Back, Add Reverse)";
    for (args, said) in [
        (
            vec!["--example", "x", "--alias", "y"],
            format!(
                "Rich::Sub/auto is a note of type 'Basic (optional reversed card)', which keeps no \
                 example or aliases: change its fields with --field NAME=VALUE; nothing was changed {fields}"
            ),
        ),
        (
            vec!["--field", "Extra=x"],
            format!(
                "the note type 'Basic (optional reversed card)' has no field 'Extra'; nothing was changed {fields}"
            ),
        ),
        (
            vec!["--field", "Front"],
            format!(
                "--field takes NAME=VALUE (e.g. --field 'Back=<b>bold</b>'), not 'Front'; nothing was changed {fields}"
            ),
        ),
        (
            vec!["--term", "x", "--field", "front=y"],
            format!(
                "the field 'Front' is given twice (--term and --field front); nothing was changed {fields}"
            ),
        ),
        (
            vec![],
            format!(
                "Rich::Sub/auto is a note of type 'Basic (optional reversed card)': give the fields \
                 to change with --field NAME=VALUE ($EDITOR edits vocab notes only); nothing was changed {fields}"
            ),
        ),
    ] {
        let mut all = vec!["edit", "Rich::Sub/auto"];
        all.extend(&args);
        let stderr = env.fails(&all, 2);
        assert_eq!(stderr, format!("jargon: {said}\n"), "{args:?}");
    }
    // --field on a vocab note.
    let stderr = env.fails(&["edit", "ML::Foundations/tf-idf", "--field", "Term=x"], 2);
    assert_eq!(
        stderr,
        "jargon: ML::Foundations/tf-idf is a vocab note: change it with --term, --definition, \
         --example, --alias, --tag, --related or --source (--field is for notes of other types); \
         nothing was changed\n"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn an_edit_that_gives_an_anki_note_a_term_and_definition_edits_its_first_two_fields() {
    // What `:edit` in the review hands the store: the note's text fields, no field values.
    let env = rich();
    let key = "the-capital-of-france-is-c1-paris-capital";
    let before = note_cards(&env, "Rich", key);
    let collection = jargon::store::Collection::open(&env.db).unwrap();
    let note = collection.find_note(&format!("Rich/{key}")).unwrap();
    let mut fields = note.fields.clone();
    fields.rich = None;
    fields.definition = "Paris & more".into();
    let added = collection
        .update_note(note.id, &fields, 1_800_000_000)
        .unwrap();
    drop(collection);
    assert_eq!(added, 0, "no card 2 for a cloze note with one deletion");
    let stored: String = env.sql(&format!("SELECT fields FROM notes WHERE key = '{key}'"));
    assert_eq!(
        stored,
        r#"["The capital of France is {{c1::Paris::capital}}.","Paris &amp; more"]"#
    );
    let after = note_cards(&env, "Rich", key);
    assert_eq!(after.keys().collect::<Vec<_>>(), ["c1"]);
    assert_eq!(state(&after["c1"]), state(&before["c1"]));
    assert_eq!(after["c1"]["definition"], "Paris & more");
}
