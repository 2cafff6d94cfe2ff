//! A collection made by the release before note types (schema 5, made by jargon at commit
//! f232bc4: the built-in decks, 37 answers over five days under sm2 and then anki, two cards
//! suspended) opens with this build as `vocab` notes: the same cards in the same states, the
//! same log, the same statistics, and `check` passes. The `.cards.json`, `.stats.json` and
//! `.reviews.csv` beside it are what that release printed for it on 2026-11-28.

use crate::common::{Env, fixture};

/// The fixture copied into a fresh collection path, with the clock of the expected files.
fn env() -> Env {
    let mut env = Env::new();
    std::fs::copy(fixture("collection-v5.sqlite3"), &env.db).unwrap();
    env.now = "2026-11-28T09:00:00Z".to_string();
    env
}

#[test]
fn a_schema_5_collection_opens_as_vocab_notes_with_the_same_cards_states_and_log() {
    let env = env();
    let out = env.ok(&["check"]);
    assert_eq!(
        out.trim(),
        "ok: the database is intact and 37 reviews replay to the stored state of all 658 cards."
    );
    let version: i64 = env.sql("PRAGMA user_version");
    assert_eq!(version, 8, "migrated to the current schema");

    let cards: Vec<serde_json::Value> =
        serde_json::from_str(&env.ok(&["cards", "--json"])).unwrap();
    let expected: Vec<serde_json::Value> = serde_json::from_str(
        &std::fs::read_to_string(fixture("collection-v5.cards.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(cards.len(), expected.len());
    for (card, old) in cards.iter().zip(&expected) {
        assert_eq!(card["note_type"], "vocab", "{card}");
        assert_eq!(card["template"], old["direction"], "{card}");
        let direction_bit = if old["direction"] == "forward" { 0 } else { 1 };
        assert_eq!(
            card["card_id"].as_i64().unwrap(),
            old["note_id"].as_i64().unwrap() * 64 + direction_bit,
            "a card's id is its note's * 64 + its ordinal"
        );
        for key in old.as_object().unwrap().keys() {
            assert_eq!(card[key], old[key], "{key} of {card}");
        }
    }

    let stats = env.ok(&["stats", "--format", "json"]);
    let mut stats: serde_json::Value = serde_json::from_str(&stats).unwrap();
    let mut old: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("collection-v5.stats.json")).unwrap(),
    )
    .unwrap();
    let (new_ids, old_ids) = (without_card_ids(&mut stats), without_card_ids(&mut old));
    assert_eq!(
        stats, old,
        "the statistics are those the older release printed, but for the card ids"
    );
    assert_eq!(
        new_ids,
        old_ids
            .iter()
            .map(|id| id / 2 * 64 + id % 2)
            .collect::<Vec<_>>()
    );

    // The log, every column but the card id (renumbered), as the older release exported it.
    let log = env.ok(&["export", "reviews", "--format", "csv"]);
    let without_ids: Vec<&str> = log
        .lines()
        .map(|line| line.split_once(',').map_or(line, |(_, rest)| rest))
        .collect();
    let old_log = std::fs::read_to_string(fixture("collection-v5.reviews.csv")).unwrap();
    assert_eq!(without_ids, old_log.lines().collect::<Vec<_>>());
    assert_eq!(without_ids.len(), 38, "a header and 37 answers");
}

/// Takes every `card_id` out of a JSON value, and gives them in order.
fn without_card_ids(value: &mut serde_json::Value) -> Vec<i64> {
    let mut ids = vec![];
    match value {
        serde_json::Value::Object(map) => {
            if let Some(id) = map.remove("card_id") {
                ids.push(id.as_i64().unwrap());
            }
            for item in map.values_mut() {
                ids.extend(without_card_ids(item));
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                ids.extend(without_card_ids(item));
            }
        }
        _ => {}
    }
    ids
}

#[test]
fn a_migrated_collection_goes_on_reviewing_and_undoing() {
    let env = env();
    let before: i64 = env.sql("SELECT count(*) FROM reviews");
    let out = env.run_with_input(&["review", "--limit", "3"], "g\ng\ng\n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after: i64 = env.sql("SELECT count(*) FROM reviews");
    assert!(after > before, "{before} -> {after}");
    env.ok(&["check"]);
}
