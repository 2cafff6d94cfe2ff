//! Which decks an export takes, through the real binary: `--deck` repeated (each deck with its
//! sub-decks, each once), `--exclude-builtin`, in every format of `export deck` and in
//! `export reviews`; an unknown deck or an empty selection is refused with nothing written.

use crate::common;

use std::path::{Path, PathBuf};

use common::Env;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// A collection with the built-in decks and four notes of the learner's own in four decks,
/// one a sub-deck of another.
fn learner() -> Env {
    let env = Env::new();
    let mine = env.write(
        "mine.json",
        r#"[{"deck": "Mine::A", "term": "alpha", "definition": "first"},
            {"deck": "Mine::A::Sub", "term": "beta", "definition": "second"},
            {"deck": "Other", "term": "gamma", "definition": "third"},
            {"deck": "Third", "term": "delta", "definition": "fourth"}]"#,
    );
    env.ok(&["import", arg(&mine)]);
    env
}

/// The learner's notes (those outside the built-in decks) of a collection, as `deck/term`.
fn own_notes(env: &Env) -> String {
    env.sql(
        "SELECT coalesce(group_concat(deck || '/' || term, ' '), '') FROM (
             SELECT d.name AS deck, n.term FROM notes n JOIN decks d ON d.id = n.deck_id
             WHERE d.name NOT LIKE 'ML::%' ORDER BY d.name, n.term)",
    )
}

fn builtin_notes(env: &Env) -> i64 {
    env.sql(
        "SELECT count(*) FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name LIKE 'ML::%'",
    )
}

/// Exports `selection` to a file of each text format and imports it into a fresh collection;
/// returns the learner's notes that arrived and the notes its file held.
fn exported(source: &Env, selection: &[&str], format: &str) -> (String, usize) {
    let file = source.path(&format!("selection.{format}"));
    let mut args = vec!["export", "deck", "-o", arg(&file)];
    args.extend_from_slice(selection);
    let out = source.ok(&args);
    let held: usize = out
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{format}: {out}"));
    let target = Env::new();
    let builtin = {
        target.ok(&["decks"]);
        builtin_notes(&target)
    };
    target.ok(&["import", arg(&file)]);
    // The built-in notes of the fresh collection are still the ones it installed.
    assert_eq!(builtin_notes(&target), builtin, "{format}");
    (own_notes(&target), held)
}

#[test]
fn several_decks_are_exported_each_with_its_sub_decks_and_once_in_every_text_format() {
    let source = learner();
    // `Other` twice and a sub-deck of `Mine::A` (in other case) named as well.
    let selection = [
        "--deck",
        "Mine::A",
        "--deck",
        "Other",
        "--deck",
        "mine::a::sub",
        "--deck",
        "Other",
    ];
    for format in ["csv", "tsv", "json"] {
        let (notes, held) = exported(&source, &selection, format);
        assert_eq!(
            (notes.as_str(), held),
            ("Mine::A/alpha Mine::A::Sub/beta Other/gamma", 3),
            "{format}"
        );
    }
}

#[test]
fn exclude_builtin_exports_every_deck_but_the_built_in_ones_in_every_text_format() {
    let source = learner();
    for format in ["csv", "tsv", "json"] {
        let (notes, held) = exported(&source, &["--exclude-builtin"], format);
        assert_eq!(
            (notes.as_str(), held),
            ("Mine::A/alpha Mine::A::Sub/beta Other/gamma Third/delta", 4),
            "{format}"
        );
    }
    // With --deck, the built-in decks are left out of what it names.
    let csv = source.ok(&[
        "export",
        "deck",
        "--deck",
        "Third",
        "--deck",
        "ML::Foundations",
        "--exclude-builtin",
    ]);
    let rows: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rows, ["delta,fourth,,,,,,delta,Third,"]);
    // A learner's sub-deck of a built-in deck is the learner's.
    let sub = source.write(
        "sub.json",
        r#"[{"deck": "ML::Foundations::Mine", "term": "zeta", "definition": "sixth"}]"#,
    );
    source.ok(&["import", arg(&sub)]);
    let csv = source.ok(&[
        "export",
        "deck",
        "--deck",
        "ML::Foundations",
        "--exclude-builtin",
    ]);
    let rows: Vec<&str> = csv.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(rows, ["zeta,sixth,,,,,,zeta,ML::Foundations::Mine,"]);
}

#[test]
fn a_toml_export_takes_a_selection_of_one_deck_and_refuses_two() {
    let source = Env::new();
    let mine = source.write(
        "mine.json",
        r#"[{"deck": "Mine", "term": "alpha", "definition": "first"},
            {"deck": "Mine", "term": "beta", "definition": "second"}]"#,
    );
    source.ok(&["import", arg(&mine)]);
    // Every deck but the built-in ones is one deck here.
    let toml = source.path("mine.toml");
    source.ok(&["export", "deck", "--exclude-builtin", "-o", arg(&toml)]);
    let target = Env::new();
    target.ok(&["import", arg(&toml)]);
    assert_eq!(own_notes(&target), "Mine/alpha Mine/beta");
    // Two decks with notes are two decks, whichever way they are named.
    let two = source.path("two.toml");
    let stderr = source.fails(
        &[
            "export",
            "deck",
            "--deck",
            "Mine",
            "--deck",
            "ML::Foundations",
            "-o",
            arg(&two),
        ],
        2,
    );
    assert_eq!(
        stderr,
        "jargon: a TOML deck file holds one deck, and this selection has 2 (ML::Foundations, Mine); name one with --deck, or use csv, json or apkg\n"
    );
    assert!(!two.exists());
}

#[test]
fn an_anki_package_of_two_decks_reads_back_as_those_decks_with_their_scheduling() {
    let source = learner();
    source.ok(&["import", arg(&fixture("anki-scheduled.apkg"))]);
    let package = source.path("two.apkg");
    let out = source.ok(&[
        "export",
        "deck",
        "--deck",
        "Anki::Scheduled",
        "--deck",
        "Mine::A",
        "--deck",
        "Anki::Scheduled",
        "-o",
        arg(&package),
    ]);
    assert_eq!(
        out.trim(),
        format!(
            "Exported 6 notes, 12 cards and 12 reviews from 3 deck(s) to {}.",
            package.display()
        )
    );
    let target = Env::new();
    target.ok(&["decks"]);
    let builtin = builtin_notes(&target);
    let imported = target.ok(&["import", arg(&package)]);
    assert!(imported.contains("12 reviews added"), "{imported}");
    assert_eq!(builtin_notes(&target), builtin);
    let states = |env: &Env| -> String {
        env.sql(
            "SELECT group_concat(d.name || '/' || n.term || '/' || (CASE c.ord WHEN 0 THEN 'forward' ELSE 'reverse' END) || ':' || c.phase || ',' ||
                    coalesce(c.due_day, '-') || ',' || c.interval_days || ',' || c.lapses, ' ')
             FROM (SELECT * FROM cards ORDER BY id) c JOIN notes n ON n.id = c.note_id
             JOIN decks d ON d.id = n.deck_id
             WHERE d.name LIKE 'Anki::%' OR d.name LIKE 'Mine::%'",
        )
    };
    assert_eq!(states(&target), states(&source));
    let decks: String = target.sql(
        "SELECT group_concat(name, ', ') FROM (SELECT name FROM decks WHERE name NOT LIKE 'ML::%' ORDER BY name)",
    );
    assert_eq!(decks, "Anki::Scheduled, Mine::A, Mine::A::Sub");

    // Everything but the built-in decks: the learner's four decks and the package's.
    let mine = source.path("mine.apkg");
    let out = source.ok(&["export", "deck", "--exclude-builtin", "-o", arg(&mine)]);
    assert_eq!(
        out.trim(),
        format!(
            "Exported 8 notes, 16 cards and 12 reviews from 5 deck(s) to {}.",
            mine.display()
        )
    );
    let target = Env::new();
    target.ok(&["import", arg(&mine)]);
    assert_eq!(builtin_notes(&target), builtin);
    assert_eq!(
        own_notes(&target),
        "Anki::Scheduled/Dropout Anki::Scheduled/Learning rate Anki::Scheduled/Overfitting Anki::Scheduled/Regularisation \
         Mine::A/alpha Mine::A::Sub/beta Other/gamma Third/delta"
    );
}

#[test]
fn an_unknown_deck_among_several_is_refused_by_name_and_nothing_is_written() {
    let source = learner();
    for format in ["csv", "tsv", "json", "toml", "apkg"] {
        let file = source.path(&format!("out.{format}"));
        let stderr = source.fails(
            &[
                "export",
                "deck",
                "--deck",
                "Other",
                "--deck",
                "Nope",
                "-o",
                arg(&file),
            ],
            2,
        );
        assert_eq!(
            stderr,
            "jargon: there is no deck 'Nope' (decks: ML::Data and MLOps, ML::Deep learning and NLP, \
             ML::Foundations, ML::Research and learning, ML::Software engineering, Mine::A, \
             Mine::A::Sub, Other, Third)\n",
            "{format}"
        );
        assert!(!file.exists(), "{format}: {} was written", file.display());
    }
    let log = source.path("log.csv");
    source.fails(&["export", "reviews", "--deck", "Nope", "-o", arg(&log)], 2);
    assert!(!log.exists());
    // A selection the built-in decks were all of is refused too.
    let file = source.path("none.csv");
    let stderr = source.fails(
        &[
            "export",
            "deck",
            "--deck",
            "ML::Foundations",
            "--exclude-builtin",
            "-o",
            arg(&file),
        ],
        1,
    );
    assert_eq!(
        stderr,
        "jargon: there is nothing to export: every deck selected is a built-in deck, which --exclude-builtin leaves out\n"
    );
    assert!(!file.exists());
}

#[test]
fn the_review_log_export_takes_the_same_selection() {
    let env = Env::new();
    env.ok(&["import", "--revlog", arg(&fixture("revlog-small.csv"))]);
    env.ok(&["import", arg(&fixture("anki-scheduled.apkg"))]);
    {
        // An answer on a built-in card, copied from the last row of the log.
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.execute(
            "INSERT INTO card_states (id, note_id)
             SELECT min(n.id) * 64, min(n.id) FROM notes n JOIN decks d ON d.id = n.deck_id
             WHERE d.name = 'ML::Foundations'",
            [],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                 phase_before, due_day_before, due_at_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                 phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after, lapses_after, step_after)
             SELECT (SELECT min(n.id) * 64 FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'ML::Foundations'),
                 reviewed_at + 1000, day, 4, 1000, 'schedule', scheduler,
                 'new', NULL, NULL, 0, 0, 0, 0, 0,
                 phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after, lapses_after, step_after
             FROM reviews ORDER BY reviewed_at DESC LIMIT 1",
            [],
        )
        .unwrap();
    }
    let rows = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["export", "reviews"];
        all.extend_from_slice(args);
        let csv = env.ok(&all);
        // The deck of each row (its sixth column; no deck name here holds a comma).
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').nth(5).unwrap_or_default().to_string())
            .collect()
    };
    let count = |rows: &[String], deck: &str| rows.iter().filter(|d| *d == deck).count();
    let all = rows(&[]);
    assert_eq!(all.len(), 18);
    let two = rows(&[
        "--deck",
        "Imported review log",
        "--deck",
        "ML::Foundations",
        "--deck",
        "imported review log",
    ]);
    assert_eq!(
        (
            two.len(),
            count(&two, "Imported review log"),
            count(&two, "ML::Foundations")
        ),
        (6, 5, 1)
    );
    let mine = rows(&["--exclude-builtin"]);
    assert_eq!(
        (
            mine.len(),
            count(&mine, "Imported review log"),
            count(&mine, "Anki::Scheduled")
        ),
        (17, 5, 12)
    );
    // JSON takes it too.
    let file = env.path("log.json");
    let out = env.ok(&[
        "export",
        "reviews",
        "--exclude-builtin",
        "--deck",
        "ML::Foundations",
        "--deck",
        "Anki::Scheduled",
        "-o",
        arg(&file),
    ]);
    assert_eq!(
        out.trim(),
        format!("Exported 12 reviews to {}.", file.display())
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let decks: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["deck"].as_str().unwrap())
        .collect();
    assert_eq!(decks, vec!["Anki::Scheduled"; 12]);
}
