//! The real binary on a temporary collection: first run, scripted reviews, imports, edits,
//! checks, exit codes, and every bad input the core issue names.

use crate::common;

use common::{Env, text};

const DECK: &str = r#"name = "Test"
description = "A small deck for tests."

[[note]]
term = "gradient descent"
definition = "An optimisation method that repeatedly steps against the slope of the loss."
example = "We trained with plain gradient descent."
aliases = ["GD"]
related = ["learning-rate"]
source = "tests"

[[note]]
term = "learning rate"
definition = "The step size used when updating weights."
source = "tests"
"#;

fn with_deck() -> Env {
    let env = Env::new();
    let deck = env.write("test.toml", DECK);
    env.ok(&["import", deck.to_str().unwrap()]);
    env.ok(&["config", "set", "fuzz", "false"]);
    env
}

fn count(env: &Env, sql: &str) -> i64 {
    env.sql(sql)
}

#[test]
fn the_first_run_creates_the_collection_with_the_built_in_decks() {
    let env = Env::new();
    assert!(!env.db.exists());
    let out = env.ok(&["decks"]);
    assert!(env.db.exists());
    for deck in [
        "ML::Foundations",
        "ML::Deep learning and NLP",
        "ML::Data and MLOps",
        "ML::Software engineering",
        "ML::Research and learning",
    ] {
        assert!(out.contains(deck), "{deck} missing from:\n{out}");
    }
    let notes = count(&env, "SELECT count(*) FROM notes");
    assert!(notes >= 150, "{notes}");
    assert_eq!(count(&env, "SELECT count(*) FROM cards"), notes * 2);
}

#[test]
fn status_with_no_command_shows_what_is_due_per_deck() {
    let env = Env::new();
    let out = env.ok(&[]);
    assert!(out.contains("ML::Foundations"), "{out}");
    assert!(out.contains("20 new to introduce"), "{out}");
    assert!(out.contains("jargon review"), "{out}");
}

#[test]
fn a_piped_review_logs_one_row_per_answer_with_sm2_values() {
    let env = with_deck();
    // Reveal and grade Good; grade Again straight away; three cards later... the drill.
    let out = env.run_with_input(&["review", "--deck", "Test"], "\ng\na\ng\n");
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("gradient descent") && stdout.contains("learning rate"),
        "{stdout}"
    );
    assert!(stdout.contains("re-drill"), "{stdout}");
    let rows: Vec<(i64, String, String, i64, i64, i64)> = {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT quality, kind, phase_after, interval_after, ease_after, reps_after FROM reviews ORDER BY id")
            .unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    assert_eq!(
        rows,
        vec![
            (4, "schedule".into(), "review".into(), 1, 2500, 1),
            (1, "schedule".into(), "learning".into(), 1, 1960, 0),
            (4, "drill".into(), "learning".into(), 1, 1960, 0),
        ]
    );
    env.ok(&["check"]);
}

#[test]
fn answering_good_on_time_gives_1_6_15_and_38_days() {
    let mut env = with_deck();
    let mut intervals = vec![];
    for (now, new) in [
        ("2026-11-22T09:00:00Z", "1"),
        ("2026-11-23T09:00:00Z", "0"),
        ("2026-11-29T09:00:00Z", "0"),
        ("2026-12-14T09:00:00Z", "0"),
    ] {
        env.now = now.to_string();
        // `--new 1` would take the one place of `--limit 1` from the due card.
        let out = env.run_with_input(
            &["review", "--deck", "Test", "--new", new, "--limit", "1"],
            "g\n",
        );
        assert!(out.status.success());
        let interval: i64 = env.sql("SELECT interval_after FROM reviews ORDER BY id DESC LIMIT 1");
        intervals.push(interval);
    }
    assert_eq!(intervals, vec![1, 6, 15, 38]);
    env.ok(&["check"]);
}

#[test]
fn undo_restores_the_card_and_removes_its_log_row_exactly() {
    let env = with_deck();
    let before = env.fingerprint();
    let out = env.run_with_input(
        &["review", "--deck", "Test", "--new", "1"],
        "\ng\n:undo\n:quit\n",
    );
    assert!(out.status.success());
    assert!(text(&out).0.contains("Undid good"), "{}", text(&out).0);
    assert_eq!(env.fingerprint(), before);
}

/// The "left exactly as it was" tests rest on the fingerprint: it must see a state row that
/// changes nothing the `cards` view shows (a new card's defaults), and the derived counts.
#[test]
fn the_fingerprint_sees_a_leftover_state_row_and_the_answer_counts() {
    let env = with_deck();
    let before = env.fingerprint();
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    let note: i64 = conn
        .query_row("SELECT min(id) FROM notes", [], |r| r.get(0))
        .unwrap();
    conn.execute(
        "INSERT INTO card_states (id, note_id) VALUES (?1 * 64, ?1)",
        [note],
    )
    .unwrap();
    let view: String = conn
        .query_row(
            "SELECT phase || interval_days || ease_permille FROM cards WHERE id = ?1 * 64",
            [note],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        view, "new02500",
        "the view shows the row as an untouched card"
    );
    let with_state = env.fingerprint();
    assert_ne!(with_state, before, "a leftover card_states row went unseen");
    conn.execute(
        "INSERT INTO review_day_counts VALUES (1, 'schedule', 'new', 0, 4, 1, 0)",
        [],
    )
    .unwrap();
    assert_ne!(
        env.fingerprint(),
        with_state,
        "review_day_counts went unseen"
    );
}

#[test]
fn undo_after_answers_leaves_every_table_of_the_file_as_it_was() {
    let env = with_deck();
    let first = env.run_with_input(&["review", "--deck", "Test", "--new", "1"], "g\n:quit\n");
    assert!(first.status.success(), "{}", text(&first).1);
    let before = env.fingerprint();
    let states: i64 = env.sql("SELECT count(*) FROM card_states");
    assert!(states > 0, "the first review left no state to compare");
    // Two more answers, then both undone: states, log and counts all back.
    let out = env.run_with_input(
        &["review", "--deck", "Test", "--new", "2"],
        "g\ne\n:undo\n:undo\n:quit\n",
    );
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out).0.contains("Undid good"), "{}", text(&out).0);
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn undo_twice_takes_back_two_answers() {
    let env = with_deck();
    let before = env.fingerprint();
    let out = env.run_with_input(
        &["review", "--deck", "Test", "--new", "2"],
        "g\ne\n:undo\n:undo\n:undo\n:quit\n",
    );
    let stdout = text(&out).0;
    assert!(stdout.contains("Nothing to undo"), "{stdout}");
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn a_reverse_card_accepts_a_typo_with_a_hard_suggestion_and_an_override() {
    let mut env = with_deck();
    // Strict: any slip suggests Hard (the default suggests Good for one slip on a long term).
    env.ok(&["config", "set", "typed_answers", "strict"]);
    // Days 1 and 2: the forward cards (a new sibling waits while its forward card is in the
    // session); day 3: the forwards are not due, so the reverse cards come up.
    env.run_with_input(&["review", "--deck", "Test"], "g\ng\n");
    env.now = "2026-11-23T09:00:00Z".into();
    env.run_with_input(&["review", "--deck", "Test"], "g\ng\n");
    env.now = "2026-11-24T09:00:00Z".into();
    // A typo accepted as Hard; a typo overridden to Easy; the re-drill answered by an alias.
    let out = env.run_with_input(
        &["review", "--deck", "Test"],
        "gradient decsent\n\nlearnign rate\ne\nGD\n\n",
    );
    let stdout = text(&out).0;
    assert!(stdout.contains("≈ close:"), "{stdout}");
    assert!(
        stdout.contains("✓ GD (an alias of gradient descent)"),
        "{stdout}"
    );
    let qualities: Vec<(i64, String)> = {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        let mut stmt = conn
            .prepare("SELECT r.quality, r.kind FROM reviews r JOIN cards c ON c.id = r.card_id WHERE c.ord = 1 ORDER BY r.id")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        qualities,
        vec![
            (3, "schedule".into()),
            (5, "schedule".into()),
            (4, "drill".into())
        ],
        "{stdout}"
    );
}

#[test]
fn a_reverse_card_answered_with_another_notes_alias_is_again_and_names_that_note() {
    let mut env = Env::new();
    let deck = env.write(
        "near.toml",
        r#"name = "Near"

[[note]]
term = "unstructured data"
definition = "Data with no fixed fields: free text, images, audio."
"#,
    );
    env.ok(&["import", deck.to_str().unwrap()]);
    env.ok(&["config", "set", "fuzz", "false"]);
    // Days 1 and 2: the forward card; day 3: the reverse card.
    env.run_with_input(&["review", "--deck", "Near"], "g\n");
    env.now = "2026-11-23T09:00:00Z".into();
    env.run_with_input(&["review", "--deck", "Near"], "g\n");
    env.now = "2026-11-24T09:00:00Z".into();
    // "structured data" is two letters from the term, and an alias of the built-in
    // "tabular data": Enter accepts the suggestion.
    let out = env.run_with_input(&["review", "--deck", "Near"], "structured data\n\n");
    let stdout = text(&out).0;
    assert!(
        stdout.contains(
            "✗ expected unstructured data; structured data is an alias of another note: tabular data (deck ML::Foundations)"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("0 correct"), "{stdout}");
    let last: (i64, String) = {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.query_row(
            "SELECT r.quality, CASE c.ord WHEN 0 THEN 'forward' ELSE 'reverse' END FROM reviews r JOIN cards c ON c.id = r.card_id ORDER BY r.id DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    };
    assert_eq!(last, (1, "reverse".to_string()), "{stdout}");
}

#[test]
fn cards_counts_in_words_and_says_when_nothing_matches() {
    let env = with_deck();
    let one = env.ok(&["cards", "--deck", "Test", "--limit", "1"]);
    assert!(one.ends_with("\n1 card.\n"), "{one}");
    let none = env.ok(&["cards", "no such words anywhere", "--deck", "Test"]);
    assert_eq!(
        none, "No cards match 'no such words anywhere' in deck Test.\n",
        "{none}"
    );
    let none = env.ok(&["cards", "--suspended"]);
    assert_eq!(none, "No cards are suspended.\n", "{none}");
    // JSON stays data: an empty list.
    let json = env.ok(&["cards", "no such words anywhere", "--json"]);
    assert_eq!(json.trim(), "[]");
}

#[test]
fn reimporting_the_same_file_changes_nothing_and_says_so() {
    let env = with_deck();
    let before = env.fingerprint();
    let out = env.ok(&["import", env.path("test.toml").to_str().unwrap()]);
    assert!(out.contains("0 added, 0 updated, 2 unchanged"), "{out}");
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn an_edited_definition_updates_the_note_and_keeps_its_history() {
    let env = with_deck();
    env.run_with_input(&["review", "--deck", "Test"], "g\ng\n");
    let card_state: String = env
        .sql("SELECT group_concat(phase || interval_days || ease_permille) FROM cards ORDER BY id");
    let path = env.write(
        "test.toml",
        DECK.replace("The step size used", "The size of the step taken"),
    );
    let dry = env.ok(&["import", "--dry-run", path.to_str().unwrap()]);
    assert!(dry.contains("0 added, 1 updated"), "{dry}");
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM notes WHERE definition LIKE 'The size%'"
        ),
        0
    );
    let out = env.ok(&["import", path.to_str().unwrap()]);
    assert!(out.contains("0 added, 1 updated, 1 unchanged"), "{out}");
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM notes WHERE definition LIKE 'The size%'"
        ),
        1
    );
    assert_eq!(count(&env, "SELECT count(*) FROM reviews"), 2);
    let after: String = env
        .sql("SELECT group_concat(phase || interval_days || ease_permille) FROM cards ORDER BY id");
    assert_eq!(card_state, after);
    env.ok(&["check"]);
}

#[test]
fn check_reports_a_review_whose_scheduler_it_does_not_know() {
    let env = with_deck();
    let out = env.run_with_input(&["review", "--deck", "Test", "--new", "1"], "g\n:quit\n");
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(env.ok(&["check"]).starts_with("ok: "));
    let review: i64 = env.sql("SELECT max(id) FROM reviews");
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute(
            "UPDATE reviews SET scheduler = 'bogus' WHERE id = ?1",
            [review],
        )
        .unwrap();
    let out = env.run(&["check"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stdout.contains("ok:"), "{stdout}");
    assert!(
        stdout.contains(&format!("review {review} was made with a scheduler")),
        "{stdout}"
    );
    assert!(stderr.contains("1 problem"), "{stderr}");
}

/// Stores `value` in one list column of the note `Test/gradient-descent`, as a damaged or
/// hand-edited file might hold it.
fn corrupt_list(env: &Env, column: &str, value: &str) {
    rusqlite::Connection::open(&env.db)
        .unwrap()
        .execute(
            &format!(
                "UPDATE notes SET {column} = ?1 WHERE key = 'gradient-descent'
                 AND deck_id = (SELECT id FROM decks WHERE name = 'Test')"
            ),
            [value],
        )
        .unwrap();
}

#[test]
fn a_list_column_that_is_not_a_list_of_strings_is_an_error_naming_the_note() {
    for (column, value) in [
        ("aliases", "not json"),
        ("tags", "[1, 2]"),
        ("related", "{\"a\": \"b\"}"),
    ] {
        let env = with_deck();
        corrupt_list(&env, column, value);
        let out = env.run(&["export", "deck", "--deck", "Test", "--format", "json"]);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{column}: {stdout}{stderr}");
        let note: i64 = env.sql(
            "SELECT n.id FROM notes n JOIN decks d ON d.id = n.deck_id
             WHERE d.name = 'Test' AND n.key = 'gradient-descent'",
        );
        // The note's own words, not the driver's ("Conversion error from type Text at
        // index: 8, ..."), with the way to find every such problem.
        assert_eq!(
            stderr,
            format!(
                "jargon: {} holds a value jargon cannot read: the {column} of note {note} \
                 (Test/gradient-descent) are not a JSON list of strings; \
                 `jargon check` lists every such problem\n",
                env.db.display()
            ),
            "{column}"
        );
        assert!(stdout.is_empty(), "nothing half-written: {stdout}");
    }
}

#[test]
fn check_reports_a_note_whose_list_column_is_not_a_list_of_strings() {
    let env = with_deck();
    assert!(env.ok(&["check"]).starts_with("ok: "));
    corrupt_list(&env, "aliases", "[\"GD\", null]");
    let out = env.run(&["check"]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    assert!(!stdout.contains("ok:"), "{stdout}");
    assert!(
        stdout.contains("problem: the aliases of note")
            && stdout.contains("Test/gradient-descent")
            && stdout.contains("are not a JSON list of strings"),
        "{stdout}"
    );
    assert!(stderr.contains("1 problem"), "{stderr}");
}

fn assert_refused(env: &Env, file: &std::path::Path, needles: &[&str]) {
    let before = env.fingerprint();
    let out = env.run(&["import", file.to_str().unwrap()]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one sentence: {stderr}");
    for needle in needles {
        assert!(stderr.contains(needle), "{needle:?} not in {stderr}");
    }
    assert_eq!(env.fingerprint(), before, "the collection changed");
}

#[test]
fn a_malformed_toml_deck_is_refused_with_file_line_and_column() {
    let env = with_deck();
    let bad = env.write(
        "bad.toml",
        "name = \"X\"\n[[note]]\nterm = \"a\ndefinition = \"b\"\n",
    );
    assert_refused(&env, &bad, &["bad.toml:3:", "invalid deck"]);
}

#[test]
fn a_duplicate_key_is_refused_naming_both_lines() {
    let env = with_deck();
    let bad = env.write("dup.toml", "[[note]]\nterm = \"a b\"\ndefinition = \"x\"\n\n[[note]]\nterm = \"A B\"\ndefinition = \"y\"\n");
    assert_refused(
        &env,
        &bad,
        &["dup.toml:5:1", "'a-b' is used twice", "first at line 1"],
    );
}

#[test]
fn a_missing_definition_is_refused() {
    let env = with_deck();
    let bad = env.write(
        "nodef.toml",
        "[[note]]\nterm = \"a\"\ndefinition = \"ok\"\n[[note]]\nterm = \"b\"\n",
    );
    assert_refused(&env, &bad, &["nodef.toml:4:1", "definition"]);
    let empty = env.write(
        "empty.toml",
        "[[note]]\nterm = \"a\"\ndefinition = \"  \"\n",
    );
    assert_refused(&env, &empty, &["empty.toml:1:1", "has no definition"]);
}

#[test]
fn a_non_utf8_file_is_refused_with_the_position_of_the_bad_byte() {
    let env = with_deck();
    let bad = env.write(
        "latin1.toml",
        b"[[note]]\nterm = \"caf\xe9\"\ndefinition = \"x\"\n",
    );
    assert_refused(&env, &bad, &["latin1.toml:2:12", "not valid UTF-8"]);
}

#[test]
fn a_directory_is_refused() {
    let env = with_deck();
    std::fs::create_dir(env.path("folder.toml")).unwrap();
    assert_refused(
        &env,
        &env.path("folder.toml"),
        &["folder.toml", "is a directory"],
    );
}

#[test]
fn a_half_valid_import_of_several_files_writes_nothing() {
    let env = with_deck();
    let good = env.write(
        "good.toml",
        "name = \"Other\"\n[[note]]\nterm = \"x\"\ndefinition = \"y\"\n",
    );
    let bad = env.write("bad.toml", "[[note]]\nterm = \"x\"\n");
    let before = env.fingerprint();
    let out = env.run(&["import", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn a_file_that_is_not_a_database_is_refused_and_left_untouched() {
    let env = Env::new();
    let junk = b"this is not a database, just some text that happens to be long enough".repeat(20);
    std::fs::write(&env.db, &junk).unwrap();
    assert_eq!(
        env.fails(&["decks"], 1),
        format!(
            "jargon: {} is not a jargon collection (it is not a SQLite database)\n",
            env.db.display()
        )
    );
    assert_eq!(std::fs::read(&env.db).unwrap(), junk);
    assert!(!env.db.with_extension("sqlite-wal").exists());
}

#[test]
fn a_corrupt_database_is_refused_with_one_sentence() {
    let env = with_deck();
    // Keep the SQLite header, wreck the pages after it.
    let mut bytes = std::fs::read(&env.db).unwrap();
    for b in bytes.iter_mut().skip(100) {
        *b = 0x5a;
    }
    std::fs::write(&env.db, &bytes).unwrap();
    let _ = std::fs::remove_file(env.db.with_extension("sqlite-wal"));
    assert_eq!(
        env.fails(&["decks"], 1),
        format!(
            "jargon: {} is damaged (database disk image is malformed, code 11); restore it from a backup\n",
            env.db.display()
        )
    );
}

#[test]
fn a_collection_from_a_newer_version_is_refused_and_not_changed() {
    let env = with_deck();
    {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    }
    let bytes = std::fs::read(&env.db).unwrap();
    // The newest version this jargon knows is the one it gives a new collection.
    let fresh = Env::new();
    fresh.ok(&["decks"]);
    let known: i64 = fresh.sql("PRAGMA user_version");
    assert_eq!(
        env.fails(&["review"], 1),
        format!(
            "jargon: {} was written by a newer jargon (schema version 99, this one knows up to {known}); upgrade jargon to open it\n",
            env.db.display()
        )
    );
    assert_eq!(std::fs::read(&env.db).unwrap(), bytes);
}

#[test]
fn another_programs_sqlite_database_is_refused() {
    let env = Env::new();
    {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.execute_batch("CREATE TABLE songs (title TEXT)")
            .unwrap();
    }
    assert_eq!(
        env.fails(&["decks"], 1),
        format!(
            "jargon: {}: this SQLite database is not a jargon collection (it has tables but no jargon schema version)\n",
            env.db.display()
        )
    );
    let tables: i64 = env.sql("SELECT count(*) FROM sqlite_master");
    assert_eq!(tables, 1);
}

#[test]
fn bad_usage_exits_with_two() {
    let env = Env::new();
    assert_eq!(env.run(&["review", "--frobnicate"]).status.code(), Some(2));
    assert_eq!(
        env.run(&["config", "set", "rollover_hour", "31"])
            .status
            .code(),
        Some(2)
    );
    let stderr = env.fails(&["review", "--deck", "Nope"], 2);
    let decks: String =
        env.sql("SELECT group_concat(name, ', ') FROM (SELECT name FROM decks ORDER BY name)");
    assert_eq!(
        stderr,
        format!("jargon: there is no deck 'Nope' (decks: {decks})\n")
    );
    let out = env.run_with_input(&["review"], "");
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_bad_jargon_now_is_a_usage_error() {
    let mut env = Env::new();
    env.now = "yesterday".into();
    assert_eq!(
        env.fails(&["decks"], 2),
        "jargon: JARGON_NOW='yesterday' is not an RFC 3339 time such as 2026-03-01T09:30:00Z (premature end of input)\n"
    );
}

#[test]
fn a_review_across_a_daylight_saving_change_is_due_at_the_local_rollover() {
    // New York springs forward on 2026-03-08 at 02:00; the study day starts at 04:00 local,
    // which is 08:00 UTC on the Sunday instead of 09:00 UTC the day before.
    let mut env = with_deck();
    env.ok(&["config", "set", "timezone", "America/New_York"]);
    env.now = "2026-03-07T15:00:00Z".into();
    env.run_with_input(&["review", "--deck", "Test", "--new", "1"], "g\n");
    let due = |env: &Env| -> usize {
        let out = env.ok(&["cards", "--due", "--deck", "Test", "--json"]);
        serde_json::from_str::<Vec<serde_json::Value>>(&out)
            .unwrap()
            .len()
    };
    env.now = "2026-03-08T07:59:00Z".into(); // 03:59 EDT: still Saturday's study day
    assert_eq!(due(&env), 0);
    env.now = "2026-03-08T08:00:00Z".into(); // 04:00 EDT: Sunday
    assert_eq!(due(&env), 1);
}

#[test]
fn check_says_one_review_in_the_singular() {
    let env = with_deck();
    let cards: i64 = env.sql("SELECT count(*) FROM cards");
    assert_eq!(
        env.ok(&["check"]),
        format!(
            "ok: the database is intact and 0 reviews replay to the stored state of all {cards} cards.\n"
        )
    );
    env.run_with_input(&["review", "--deck", "Test"], "g\n");
    assert_eq!(env.sql::<i64>("SELECT count(*) FROM reviews"), 1);
    assert_eq!(
        env.ok(&["check"]),
        format!(
            "ok: the database is intact and 1 review replays to the stored state of all {cards} cards.\n"
        )
    );
}

#[test]
fn check_finds_a_card_whose_state_does_not_match_its_log() {
    let env = with_deck();
    env.run_with_input(&["review", "--deck", "Test"], "g\ng\n");
    assert!(env.ok(&["check"]).starts_with("ok:"));
    {
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.execute("UPDATE card_states SET interval_days = 40 WHERE phase = 'review' AND id = (SELECT min(id) FROM card_states WHERE phase = 'review')", []).unwrap();
    }
    let out = env.run(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).0.contains("differs from its replayed log"),
        "{}",
        text(&out).0
    );
}

#[test]
fn add_edit_suspend_and_unsuspend_work_on_notes_by_key() {
    let env = with_deck();
    env.ok(&[
        "add",
        "--deck",
        "Test",
        "--term",
        "epoch",
        "--definition",
        "One full pass over the training data.",
        "--alias",
        "epochs",
    ]);
    let dup = env.run(&[
        "add",
        "--deck",
        "Test",
        "--term",
        "Epoch",
        "--definition",
        "again",
    ]);
    assert_eq!(dup.status.code(), Some(1));
    env.ok(&[
        "edit",
        "Test/epoch",
        "--definition",
        "A single complete pass over a training set.",
    ]);
    let def: String = env.sql("SELECT n.definition FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Test' AND n.key = 'epoch'");
    assert_eq!(def, "A single complete pass over a training set.");
    assert!(
        env.ok(&["suspend", "Test/epoch"])
            .contains("Suspended 2 of 2")
    );
    assert_eq!(
        count(&env, "SELECT count(*) FROM cards WHERE suspended = 1"),
        2
    );
    let ambiguous = env.run(&["suspend", "epoch"]);
    assert_eq!(
        ambiguous.status.code(),
        Some(2),
        "epoch is also a built-in key"
    );
    assert!(
        env.ok(&["unsuspend", "Test/epoch"])
            .contains("Unsuspended 2 of 2")
    );
    let listed = env.ok(&["cards", "epoch", "--deck", "Test"]);
    assert!(listed.contains("Test/epoch"), "{listed}");
}

#[test]
fn card_text_cannot_drive_the_terminal() {
    let env = Env::new();
    let deck = env.write(
        "evil.toml",
        "name = \"Evil\"\n[[note]]\nterm = \"red\\u001b[31m\\u0007 term\"\ndefinition = \"clears \\u001b[2J the screen\"\n",
    );
    env.ok(&["import", deck.to_str().unwrap()]);
    let out = env.run_with_input(&["review", "--deck", "Evil", "--new", "1"], "\ng\n");
    assert!(out.status.success());
    assert!(
        !out.stdout.contains(&0x1b),
        "an escape byte reached the output"
    );
    assert!(!out.stdout.contains(&0x07));
    assert!(text(&out).0.contains("\\u{1b}[31m"), "{}", text(&out).0);
}

#[test]
fn backup_writes_a_collection_that_opens() {
    let env = with_deck();
    let target = env.path("copy.sqlite");
    env.ok(&["backup", target.to_str().unwrap()]);
    let notes: i64 = rusqlite::Connection::open(&target)
        .unwrap()
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(notes, count(&env, "SELECT count(*) FROM notes"));
    assert_eq!(
        env.run(&["backup", target.to_str().unwrap()]).status.code(),
        Some(1)
    );
}

#[test]
fn completions_are_printed_for_bash() {
    let env = Env::new();
    let out = env.ok(&["completions", "bash"]);
    assert!(out.contains("jargon") && out.contains("review"), "{out}");
}

#[test]
fn config_lists_gets_sets_and_unsets() {
    let env = Env::new();
    assert!(env.ok(&["config"]).contains("rollover_hour"));
    assert_eq!(env.ok(&["config", "get", "new_per_day"]).trim(), "20");
    env.ok(&["config", "set", "new_per_day", "5"]);
    assert_eq!(env.ok(&["config", "get", "new_per_day"]).trim(), "5");
    env.ok(&["config", "unset", "new_per_day"]);
    assert_eq!(env.ok(&["config", "get", "new_per_day"]).trim(), "20");
}

#[test]
fn the_daily_new_limit_counts_cards_already_studied_today() {
    let env = with_deck();
    env.ok(&["config", "set", "new_per_day", "1"]);
    env.run_with_input(&["review", "--deck", "Test"], "g\n");
    let out = env.run_with_input(&["review", "--deck", "Test"], "g\n");
    assert!(text(&out).0.contains("Nothing is due"), "{}", text(&out).0);
    assert_eq!(count(&env, "SELECT count(*) FROM reviews"), 1);
}

#[test]
fn related_and_stats_commands_answer_without_leaving_the_card() {
    // Regression: `learning-rate` is also a built-in key; the link resolves in the note's own deck.
    let env = with_deck();
    let out = env.run_with_input(
        &["review", "--deck", "Test", "--new", "1"],
        ":related\n:stats\n:help\n\ng\n",
    );
    let stdout = text(&out).0;
    assert!(
        stdout.contains("related: learning rate (:related)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("The step size used when updating weights."),
        "{stdout}"
    );
    assert!(stdout.contains("This session: 0 of 1 answered"), "{stdout}");
    assert!(stdout.contains(":suspend"), "{stdout}");
    assert_eq!(count(&env, "SELECT count(*) FROM reviews"), 1);
}

#[test]
fn cram_answers_are_logged_but_leave_the_schedule_alone() {
    let env = with_deck();
    env.run_with_input(&["review", "--deck", "Test"], "g\ng\n");
    let before: String = env
        .sql("SELECT group_concat(phase || due_day || interval_days || ease_permille) FROM cards");
    // Again on the first card, Good on the second, Good on the first card's re-drill.
    let out = env.run_with_input(
        &["review", "--deck", "Test", "--cram", "--limit", "2"],
        "a\ng\ng\n",
    );
    assert!(text(&out).0.contains("to cram"), "{}", text(&out).0);
    let after: String = env
        .sql("SELECT group_concat(phase || due_day || interval_days || ease_permille) FROM cards");
    assert_eq!(before, after);
    assert_eq!(
        count(&env, "SELECT count(*) FROM reviews WHERE kind = 'cram'"),
        3
    );
    env.ok(&["check"]);
}

#[test]
fn a_clock_that_goes_back_between_sessions_does_not_break_the_log_order() {
    // Regression: replay and undo ordered a card's log by time, so a session whose clock was
    // behind the previous one's made `check` report a broken chain.
    let mut env = with_deck();
    env.now = "2026-11-22T10:00:00Z".into();
    env.run_with_input(&["review", "--deck", "Test", "--new", "1"], "g\n");
    env.now = "2026-11-22T09:00:00Z".into();
    env.run_with_input(
        &["review", "--deck", "Test", "--cram", "--limit", "1"],
        "g\n:undo\ne\n",
    );
    assert_eq!(count(&env, "SELECT count(*) FROM reviews"), 2);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM reviews WHERE kind = 'cram' AND quality = 5"
        ),
        1
    );
    env.ok(&["check"]);
}

#[test]
fn the_status_line_says_one_card_and_one_day_in_the_singular() {
    let env = with_deck();
    env.run_with_input(&["review", "--deck", "Test", "--new", "1"], "g\ng\n");
    // After the decks and a blank line: the status line, wrapped at words to the width (80 in
    // a pipe; "of N" counts every new card the collection holds), then the collection's path
    // and the hint.
    let out = env.ok(&[]);
    let (_, status) = out
        .rsplit_once("\n\n")
        .expect("a blank line before the status");
    let (status, rest) = status
        .split_once("\nCollection: ")
        .expect("the collection line");
    let new = count(&env, "SELECT count(*) FROM cards WHERE phase = 'new'");
    assert_eq!(
        words(status),
        format!(
            "Today: 0 due, 19 new to introduce (of {new}); 0 reviews and 1 new card done. Streak: 1 day."
        )
    );
    assert_eq!(
        rest,
        format!("{}\nRun `jargon review` to start.\n", env.db.display())
    );
}

#[test]
fn the_streak_counts_consecutive_study_days_up_to_today_or_yesterday() {
    let mut env = with_deck();
    env.ok(&["config", "set", "new_per_day", "1"]);
    for now in [
        "2026-11-20T09:00:00Z",
        "2026-11-21T09:00:00Z",
        "2026-11-22T09:00:00Z",
    ] {
        env.now = now.into();
        env.run_with_input(&["review", "--deck", "Test"], "g\ng\ng\n");
    }
    assert!(words(&env.ok(&[])).contains("Streak: 3 days"));
    env.now = "2026-11-23T09:00:00Z".into(); // nothing yet today: the streak still stands
    assert!(words(&env.ok(&[])).contains("Streak: 3 days"));
    env.now = "2026-11-24T09:00:00Z".into(); // a whole day missed
    assert!(words(&env.ok(&[])).contains("Streak: 0 days"));
}

/// Text with every run of blanks and line breaks as one space (for wrapped lines).
fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn changing_fuzz_or_the_maximum_interval_later_does_not_make_check_fail() {
    // Regression: replay used today's settings for every logged answer, so switching fuzz off
    // after fuzzed answers made `check` report divergences that were not errors.
    let mut env = with_deck();
    env.ok(&["config", "set", "fuzz", "true"]);
    for (now, new) in [
        ("2026-11-22T09:00:00Z", "1"),
        ("2026-11-23T09:00:00Z", "0"),
        ("2026-11-29T09:00:00Z", "0"),
    ] {
        env.now = now.into();
        env.run_with_input(
            &["review", "--deck", "Test", "--new", new, "--limit", "1"],
            "e\n",
        );
    }
    env.ok(&["config", "set", "fuzz", "false"]);
    env.ok(&["config", "set", "max_interval_days", "10"]);
    env.now = "2026-12-20T09:00:00Z".into();
    env.run_with_input(
        &["review", "--deck", "Test", "--new", "0", "--limit", "1"],
        "e\n",
    );
    let interval: i64 = env.sql("SELECT interval_after FROM reviews ORDER BY id DESC LIMIT 1");
    assert_eq!(interval, 10);
    assert!(env.ok(&["check"]).starts_with("ok:"));
}

#[test]
fn an_import_that_waits_too_long_for_another_writer_says_so_and_changes_nothing() {
    let env = with_deck();
    let before = env.fingerprint();
    let csv = env.write(
        "more.csv",
        "#separator:Comma\n#deck:More\nterm,definition\n",
    );
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let out = env
        .cmd()
        .env("JARGON_BUSY_TIMEOUT_MS", "100")
        .args(["import", csv.to_str().unwrap()])
        .output()
        .unwrap();
    holder.execute_batch("ROLLBACK").unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "jargon: the import was not written (nothing changed): another jargon is writing to the collection; try again in a moment\n"
    );
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn an_unreadable_standard_input_is_said_as_reading_it_not_as_writing_the_output() {
    // A folder as standard input: every read of it fails (EISDIR). That is a failure to read
    // the answers, not to write the output, which is what any `?` on an I/O error used to say.
    let env = with_deck();
    let folder = std::fs::File::open(env.path("")).unwrap();
    let mut child = env
        .cmd()
        .arg("review")
        .stdin(folder)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(60) {
            child.kill().unwrap();
            panic!("jargon review still ran after a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr,
        "jargon: cannot read standard input: Is a directory (os error 21)\n"
    );
}
