//! The scheduler family through the binary (issue 17): `fsrs` and `anki` answers logged with
//! their memory state and settings, replayed by `check`, undone exactly, exported.

use crate::common::{Env, text};

/// Answers `answers` (one grade per card: Enter reveals, the digit grades) on `day` of March
/// 2026 at 10:00 UTC.
fn review_on(env: &mut Env, day: u32, grades: &str) {
    env.now = format!("2026-03-{day:02}T10:00:00Z");
    let input: String = grades.chars().map(|g| format!("\n{g}\n")).collect();
    let limit = grades.len().to_string();
    let out = env.run_with_input(&["review", "--limit", &limit], &input);
    assert!(out.status.success(), "{}", text(&out).1);
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("JSON")
}

#[test]
fn fsrs_answers_over_days_replay_export_and_show_their_memory() {
    let mut env = Env::new();
    env.ok(&["config", "set", "scheduler", "fsrs"]);
    for (day, grades) in [
        (1, "333"),
        (2, "3413"),
        (4, "33"),
        (9, "3233"),
        (20, "3333"),
    ] {
        review_on(&mut env, day, grades);
    }
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok: "), "{check}");
    let rows = json(&env.ok(&["export", "reviews", "--format", "json"]));
    let rows = rows.as_array().expect("a list");
    assert!(rows.len() >= 15, "{} rows", rows.len());
    for row in rows {
        for key in [
            "note_key",
            "kind",
            "review_rating",
            "phase_after",
            "interval_after",
            "ease_after",
        ] {
            assert!(row.get(key).is_some(), "{key} missing in {row}");
        }
        assert_eq!(row["scheduler"], "fsrs");
        assert!(
            row["stability_after"].as_f64().is_some_and(|s| s > 0.0),
            "{row}"
        );
        assert!(
            row["difficulty_after"]
                .as_f64()
                .is_some_and(|d| (1.0..=10.0).contains(&d)),
            "{row}"
        );
    }
    // A later answer of a card has the recall predicted at it.
    assert!(
        rows.iter().any(|r| r["retrievability"]
            .as_f64()
            .is_some_and(|p| p > 0.0 && p < 1.0)),
        "no retrievability"
    );
    // The stored memory is the logged one, exactly (REAL holds the f32).
    let stored: f64 = env.sql(
        "SELECT s.stability FROM card_states s JOIN reviews r ON r.card_id = s.id
         WHERE r.id = (SELECT max(id) FROM reviews)",
    );
    let logged: f64 = env.sql("SELECT stability_after FROM reviews ORDER BY id DESC LIMIT 1");
    assert_eq!(stored, logged);
    let cards = json(&env.ok(&["cards", "--json"]));
    let remembered: Vec<&serde_json::Value> = cards
        .as_array()
        .expect("a list")
        .iter()
        .filter(|c| !c["stability"].is_null())
        .collect();
    assert!(!remembered.is_empty());
    for card in remembered {
        let r = card["retrievability"].as_f64().expect("retrievability");
        assert!(r > 0.0 && r <= 1.0, "{card}");
    }
}

#[test]
fn undoing_an_fsrs_answer_leaves_every_table_as_it_was() {
    let mut env = Env::new();
    env.ok(&["config", "set", "scheduler", "fsrs"]);
    review_on(&mut env, 1, "33");
    review_on(&mut env, 3, "33");
    let before = env.fingerprint();
    env.now = "2026-03-12T10:00:00Z".to_string();
    let out = env.run_with_input(
        &["review", "--limit", "2"],
        "\n3\n\n1\n:undo\n:undo\n:quit\n",
    );
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(env.fingerprint(), before);
    // And after a config change, whose settings row only the undone answer used.
    env.ok(&["config", "set", "desired_retention", "0.85"]);
    let before = env.fingerprint();
    let out = env.run_with_input(&["review", "--limit", "1"], "\n3\n:undo\n:quit\n");
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn anki_answers_still_replay_after_the_steps_and_multipliers_change() {
    let mut env = Env::new();
    env.ok(&["config", "set", "scheduler", "anki"]);
    env.ok(&["config", "set", "learning_steps", "30s 5m 1h"]);
    review_on(&mut env, 1, "3333");
    review_on(&mut env, 2, "3343");
    env.ok(&["config", "set", "learning_steps", "2m"]);
    env.ok(&["config", "set", "hard_interval", "1.1"]);
    env.ok(&["config", "set", "easy_bonus", "1.5"]);
    review_on(&mut env, 5, "3243");
    let settings: i64 = env.sql("SELECT count(*) FROM scheduler_settings");
    assert_eq!(settings, 2, "one settings row per set of settings used");
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok: "), "{check}");
    let steps: i64 = env
        .sql("SELECT count(*) FROM reviews WHERE scheduler = 'anki' AND due_at_after IS NOT NULL");
    assert!(steps > 0, "no answer landed on a learning step");
}

#[test]
fn a_row_naming_settings_this_build_cannot_read_is_a_problem_for_check() {
    let mut env = Env::new();
    review_on(&mut env, 1, "3");
    let conn = rusqlite::Connection::open(&env.db).expect("open");
    conn.execute(
        "UPDATE scheduler_settings SET body = 'from_a_newer_jargon 1'",
        [],
    )
    .expect("tamper");
    drop(conn);
    let id: i64 = env.sql("SELECT id FROM reviews");
    let settings: i64 = env.sql("SELECT settings_id FROM reviews");
    let card: i64 = env.sql("SELECT card_id FROM reviews");
    let out = env.run(&["check"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains(&format!(
            "problem: card {card}: review {id} names scheduler settings (row {settings}) this build cannot read, so its log cannot be replayed"
        )),
        "{stdout}"
    );
}

#[test]
fn scheduler_settings_out_of_range_are_refused_with_the_key_and_range() {
    let env = Env::new();
    for (key, value, message) in [
        (
            "desired_retention",
            "0.5",
            "desired_retention must be a number from 0.70 to 0.97, not '0.5'",
        ),
        (
            "scheduler",
            "sm3",
            "unknown scheduler 'sm3' (available: sm2, anki, fsrs)",
        ),
        (
            "starting_ease",
            "9",
            "starting_ease must be a number from 1.31 to 5.0, not '9'",
        ),
    ] {
        let stderr = env.fails(&["config", "set", key, value], 2);
        assert_eq!(stderr, format!("jargon: {message}\n"), "{key}");
    }
    for (key, default) in [
        ("desired_retention", "0.90"),
        ("learning_steps", "1m 10m"),
        ("relearning_steps", "10m"),
        ("lapse_minimum_interval", "1"),
    ] {
        assert_eq!(
            env.ok(&["config", "get", key]),
            format!("{default}\n"),
            "{key}"
        );
    }
}

/// Anki's ease changes and floor are settings too: a lapse under a harsher Again takes that
/// much ease, Easy under a kinder one adds that much, and `check` replays both from the log
/// after the settings go back to Anki's.
#[test]
fn anki_ease_changes_and_floor_are_settings_the_log_keeps() {
    let mut env = Env::new();
    env.ok(&["config", "set", "scheduler", "anki"]);
    env.ok(&["config", "set", "learning_steps", "1m"]);
    env.ok(&["config", "set", "learn_ahead", "0"]);
    // Day 1: two new cards graduate (Good on the one step), ease 2.5.
    review_on(&mut env, 1, "33");
    env.ok(&["config", "set", "again_ease_change", "-0.35"]);
    env.ok(&["config", "set", "easy_ease_change", "0.25"]);
    // Day 2: both review cards are due; Again on the first, Easy on the second.
    review_on(&mut env, 2, "14");
    let eases: Vec<i64> = {
        let conn = rusqlite::Connection::open(&env.db).expect("open");
        let mut stmt = conn
            .prepare("SELECT ease_after FROM reviews WHERE day = (SELECT max(day) FROM reviews) ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(eases, vec![2150, 2750]);
    env.ok(&["config", "unset", "again_ease_change"]);
    env.ok(&["config", "unset", "easy_ease_change"]);
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok: "), "{check}");
    for (key, value, message) in [
        (
            "again_ease_change",
            "0.1",
            "again_ease_change must be a number from -1.0 to 0.0, not '0.1'",
        ),
        (
            "minimum_ease",
            "1.2",
            "minimum_ease must be a number from 1.3 to 2.5, not '1.2'",
        ),
    ] {
        let stderr = env.fails(&["config", "set", key, value], 2);
        assert_eq!(stderr, format!("jargon: {message}\n"), "{key}");
    }
}
