//! Import and export through the real binary: CSV/TSV with Anki's headers, JSON, Anki packages
//! (written by genanki and by Anki itself), review logs; every bad file refused with its place
//! and nothing written; round trips; idempotent re-imports.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Env, shared_data, text};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn count(env: &Env, sql: &str) -> i64 {
    env.sql(sql)
}

fn stdout_of(env: &Env, args: &[&str]) -> String {
    env.ok(args)
}

#[test]
fn every_bad_file_is_refused_with_its_place_and_leaves_the_collection_as_it_was() {
    let env = Env::new();
    env.ok(&["decks"]);
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["import"],
            "bad-empty.csv",
            "bad-empty.csv:1:1: the file is empty",
        ),
        (
            &["import"],
            "bad-invalid-utf8.csv",
            "bad-invalid-utf8.csv:2:11: the file is not valid UTF-8",
        ),
        (
            &["import"],
            "bad-ragged.csv",
            "bad-ragged.csv:3:25: line 3 has 3 fields, line 2 has 2",
        ),
        (
            &["import"],
            "bad-unterminated.csv",
            "bad-unterminated.csv:3:10: the quoted field opened on line 3 is never closed",
        ),
        (
            &["import"],
            "bad-only-headers.csv",
            "bad-only-headers.csv:3:1: the file has no notes",
        ),
        (
            &["import"],
            "bad-missing-definition.csv",
            "bad-missing-definition.csv:2:10: the note 'term two' has no definition",
        ),
        (
            &["import"],
            "bad-separator.csv",
            "bad-separator.csv:1:12: unknown separator 'Semicolons'",
        ),
        (
            &["import"],
            "bad-json-syntax.json",
            "bad-json-syntax.json:3:16: invalid JSON deck",
        ),
        (
            &["import"],
            "bad-json-unknown-key.json",
            "bad-json-unknown-key.json:3:14: invalid JSON deck: unknown field `defintion`",
        ),
        (
            &["import"],
            "bad-zip-slip.apkg",
            "bad-zip-slip.apkg: the package holds an entry named '../../evil.sh'",
        ),
        (
            &["import"],
            "bad-oversized.apkg",
            "bad-oversized.apkg: the entry 'collection.anki2' declares 3221225472 bytes",
        ),
        (
            &["import"],
            "bad-truncated.apkg",
            "bad-truncated.apkg: the file is not a readable Anki package",
        ),
        (
            &["import"],
            "bad-not-sqlite.apkg",
            "bad-not-sqlite.apkg: the collection.anki2 inside the package is not a SQLite database",
        ),
        (
            &["import", "--revlog"],
            "bad-revlog-rating.csv",
            "bad-revlog-rating.csv:3:3: the review_rating '5'",
        ),
        (
            &["import", "--revlog"],
            "bad-revlog-time.csv",
            "bad-revlog-time.csv:2:5: the review_time '01/11/2026 10:00'",
        ),
        (
            &["import", "--revlog"],
            "bad-revlog-missing-column.csv",
            "bad-revlog-missing-column.csv:1:1: the header has no 'review_time' column",
        ),
    ];
    let before = env.fingerprint();
    let bytes_before = std::fs::read(&env.db).unwrap();
    for (command, file, expected) in cases {
        let path = fixture(file);
        let mut args: Vec<&str> = command.to_vec();
        args.push(arg(&path));
        let out = env.run(&args);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(1), "{file}: {stdout}{stderr}");
        assert!(
            stderr.contains(expected),
            "{file}: expected '{expected}' in: {stderr}"
        );
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{file}: one sentence: {stderr}"
        );
        assert!(
            stdout.is_empty(),
            "{file}: nothing reported as done: {stdout}"
        );
    }
    assert_eq!(
        env.fingerprint(),
        before,
        "a refused file changed the collection"
    );
    assert_eq!(std::fs::read(&env.db).unwrap(), bytes_before);
}

#[test]
fn a_file_that_fails_late_writes_nothing_of_the_files_before_it() {
    let env = Env::new();
    env.ok(&["decks"]);
    let before = env.fingerprint();
    let good = fixture("plain.tsv");
    let bad = fixture("bad-ragged.csv");
    let out = env.run(&["import", arg(&good), arg(&bad)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.fingerprint(), before);
}

#[test]
fn anki_text_headers_name_decks_tags_guids_and_columns() {
    let env = Env::new();
    let out = stdout_of(&env, &["import", arg(&fixture("anki-headers.csv"))]);
    assert_eq!(out, "Imported: 4 added, 0 updated, 0 unchanged.\n");
    let row = |key: &str, column: &str| -> String {
        env.sql(&format!("SELECT {column} FROM notes WHERE key = '{key}'"))
    };
    assert_eq!(row("attention", "term"), "Attention");
    assert_eq!(
        row("attention", "definition"),
        "Weights every token; then mixes them"
    );
    assert_eq!(row("attention", "example"), "Q&K's dot product");
    assert_eq!(row("attention", "guid"), "guid-att");
    assert_eq!(
        row("attention", "tags"),
        r#"["nlp","transformers","imported"]"#
    );
    assert_eq!(
        row("attention", "aliases"),
        r#"["self-attention","attention mechanism"]"#
    );
    assert_eq!(row("attention", "source"), "Vaswani et al.");
    assert_eq!(
        row("perplexity", "definition"),
        "exp of the \"average\" negative\nlog-likelihood"
    );
    assert_eq!(
        row("beam-search", "definition"),
        "keeps the k best\npartial sequences"
    );
    let deck: String = env.sql(
        "SELECT d.name FROM notes n JOIN decks d ON d.id = n.deck_id WHERE n.key = 'beam-search'",
    );
    assert_eq!(deck, "Fixture::Other");
    // A quoted field spanning two lines arrives whole (HTML folds the line break to a space).
    assert_eq!(row("multi-line", "definition"), "first line second line");
}

#[test]
fn separators_are_detected_and_positional_columns_are_term_definition_example() {
    let env = Env::new();
    env.ok(&["import", arg(&fixture("plain.tsv"))]);
    env.ok(&["import", arg(&fixture("detect-semicolon.txt"))]);
    env.ok(&["import", arg(&fixture("pipe.csv"))]);
    let plain = |key: &str, column: &str| -> String {
        env.sql(&format!(
            "SELECT n.{column} FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'plain' AND n.key = '{key}'"
        ))
    };
    assert_eq!(plain("epoch", "example"), "We trained for 10 epochs.");
    let step = plain("step", "definition");
    assert_eq!(step, "A single update; quoted, with a tab\tinside");
    let recall: String = env.sql(
        "SELECT n.definition FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'detect-semicolon' AND n.key = 'recall'",
    );
    assert_eq!(
        recall,
        "Of the real positives, how many were found, as a share"
    );
    let f1: String = env.sql(
        "SELECT d.name || '/' || n.term FROM notes n JOIN decks d ON d.id = n.deck_id WHERE n.key = 'f1'",
    );
    assert_eq!(f1, "Fixture::Pipes/F1 score");
}

#[test]
fn a_second_import_of_any_format_adds_and_updates_nothing() {
    for file in [
        "anki-headers.csv",
        "plain.tsv",
        "deck.json",
        "genanki-basic.apkg",
        "genanki-reversed.apkg",
        "anki-scheduled.apkg",
        "anki-scheduled-legacy.apkg",
    ] {
        let env = Env::new();
        let path = fixture(file);
        let first = stdout_of(&env, &["import", arg(&path)]);
        assert!(first.starts_with("Imported:"), "{file}: {first}");
        let before = env.fingerprint();
        let second = stdout_of(&env, &["import", arg(&path)]);
        assert!(second.contains("0 added, 0 updated"), "{file}: {second}");
        assert!(
            !second.contains("reviews added") || second.contains("0 reviews added"),
            "{file}: {second}"
        );
        assert_eq!(
            env.fingerprint(),
            before,
            "{file}: the second import changed something"
        );
    }
}

#[test]
fn a_changed_definition_updates_the_note_and_keeps_its_history() {
    let env = Env::new();
    env.ok(&["import", arg(&fixture("anki-scheduled.apkg"))]);
    let csv = env.path("scheduled.csv");
    env.ok(&[
        "export",
        "deck",
        "--deck",
        "Anki::Scheduled",
        "-o",
        arg(&csv),
    ]);
    let text = std::fs::read_to_string(&csv).unwrap();
    let edited = text.replace(
        "Fitting noise in the training data",
        "\"Learning the noise, not the signal\"",
    );
    assert_ne!(text, edited);
    std::fs::write(&csv, edited).unwrap();
    let reviews_before = count(&env, "SELECT count(*) FROM reviews");
    let state_sql = "SELECT c.phase || c.interval_days || c.due_day FROM cards c JOIN notes n ON n.id = c.note_id
                     JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Anki::Scheduled' AND n.key = 'overfitting' AND c.ord = 0";
    let state_before: String = env.sql(state_sql);
    let out = stdout_of(&env, &["import", arg(&csv)]);
    assert!(out.contains("0 added, 1 updated, 3 unchanged"), "{out}");
    let definition: String = env.sql(
        "SELECT n.definition FROM notes n JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Anki::Scheduled' AND n.key = 'overfitting'",
    );
    assert_eq!(definition, "Learning the noise, not the signal");
    assert_eq!(count(&env, "SELECT count(*) FROM reviews"), reviews_before);
    let state_after: String = env.sql(state_sql);
    assert_eq!(state_after, state_before);
    env.ok(&["check"]);
}

#[test]
fn on_duplicate_skip_and_duplicate_with_guids() {
    let env = Env::new();
    env.ok(&["import", arg(&fixture("anki-headers.csv"))]);
    let changed = env.write(
        "changed.csv",
        "#separator:Comma\n#guid column:3\n#deck:Fixture::Headers\nAttention (renamed),A new definition,guid-att\n",
    );
    let out = stdout_of(&env, &["import", "--on-duplicate", "skip", arg(&changed)]);
    assert_eq!(
        out,
        "Nothing to change: 0 added, 0 updated, 0 unchanged, 1 skipped (already present; --on-duplicate skip).\n"
    );
    let out = stdout_of(
        &env,
        &["import", "--on-duplicate", "duplicate", arg(&changed)],
    );
    assert_eq!(out, "Imported: 1 added, 0 updated, 0 unchanged.\n");
    // Matched by guid although the term (and so the slug) changed: the copy gets a fresh key
    // and no guid, the original keeps both.
    assert_eq!(
        count(&env, "SELECT count(*) FROM notes WHERE guid = 'guid-att'"),
        1
    );
    let copy: String =
        env.sql("SELECT key FROM notes WHERE term = 'Attention (renamed)' AND guid IS NULL");
    assert_eq!(copy, "attention-renamed");
    let out = stdout_of(&env, &["import", arg(&changed)]);
    assert_eq!(out, "Imported: 0 added, 1 updated, 0 unchanged.\n");
    let term: String = env.sql("SELECT term FROM notes WHERE guid = 'guid-att'");
    assert_eq!(term, "Attention (renamed)");
    let key: String = env.sql("SELECT key FROM notes WHERE guid = 'guid-att'");
    assert_eq!(
        key, "attention",
        "an update keeps the key the learner knows"
    );
}

#[test]
fn exports_in_every_format_import_into_a_fresh_collection_as_the_same_notes() {
    let source = Env::new();
    source.ok(&["import", arg(&fixture("anki-headers.csv"))]);
    source.ok(&["import", arg(&fixture("deck.json"))]);
    source.ok(&["import", arg(&fixture("anki-scheduled.apkg"))]);
    let tricky = source.write(
        "tricky.json",
        r##"[{"deck": "Fixture::Tricky", "term": "#define", "definition": "a \"macro\"; with, commas\nand a second line",
             "aliases": ["macro", "define, C"], "tags": ["c"], "related": ["include"], "source": "K&R", "guid": "g,1"}]"##,
    );
    source.ok(&["import", arg(&tricky)]);
    let reference = stdout_of(&source, &["export", "deck", "--format", "json"]);
    for format in ["csv", "tsv", "json", "apkg"] {
        let file = source.path(&format!("all.{format}"));
        source.ok(&["export", "deck", "-o", arg(&file)]);
        let target = Env::new();
        let out = stdout_of(&target, &["import", arg(&file)]);
        assert!(out.contains("0 updated"), "{format}: {out}");
        let back = stdout_of(&target, &["export", "deck", "--format", "json"]);
        assert_eq!(
            back, reference,
            "{format}: the notes differ after a round trip"
        );
        target.ok(&["check"]);
    }
    // TOML holds one deck.
    let toml = source.path("one.toml");
    source.ok(&[
        "export",
        "deck",
        "--deck",
        "Fixture::Tricky",
        "-o",
        arg(&toml),
    ]);
    let target = Env::new();
    target.ok(&["import", arg(&toml)]);
    let back = stdout_of(
        &target,
        &[
            "export",
            "deck",
            "--deck",
            "Fixture::Tricky",
            "--format",
            "csv",
        ],
    );
    let original = stdout_of(
        &source,
        &[
            "export",
            "deck",
            "--deck",
            "Fixture::Tricky",
            "--format",
            "csv",
        ],
    );
    // TOML has no guid: everything else is the same.
    assert_eq!(back, original.replace(",\"g,1\"\n", ",\n"));
    let out = source.run(&["export", "deck", "--format", "toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("holds one deck"));
}

#[test]
fn an_anki_package_round_trip_keeps_scheduling_and_the_review_log() {
    let source = Env::new();
    source.ok(&["import", "--revlog", arg(&fixture("revlog-small.csv"))]);
    source.ok(&["import", arg(&fixture("anki-scheduled.apkg"))]);
    source.ok(&["suspend", "Anki::Scheduled/dropout"]);
    let package = source.path("all.apkg");
    let out = stdout_of(&source, &["export", "deck", "-o", arg(&package)]);
    assert!(out.contains("17 reviews"), "{out}");
    let target = Env::new();
    let out = stdout_of(&target, &["import", arg(&package)]);
    assert!(out.contains("17 reviews added"), "{out}");
    target.ok(&["check"]);
    let states = |env: &Env| -> String {
        env.sql(
            "SELECT group_concat(d.name || '/' || n.key || '/' || (CASE c.ord WHEN 0 THEN 'forward' ELSE 'reverse' END) || ':' || c.phase || ',' ||
                    coalesce(c.due_day, '-') || ',' || c.interval_days || ',' || c.ease_permille || ',' ||
                    c.lapses || ',' || c.suspended, ' ')
             FROM (SELECT * FROM cards ORDER BY id) c JOIN notes n ON n.id = c.note_id JOIN decks d ON d.id = n.deck_id
             WHERE d.name NOT LIKE 'ML::%'",
        )
    };
    assert_eq!(states(&target), states(&source));
    let log = |env: &Env| -> String {
        env.sql(
            "SELECT group_concat(reviewed_at || ':' || quality || ':' || duration_ms || ':' || interval_after, ' ')
             FROM (SELECT * FROM reviews ORDER BY reviewed_at, id)",
        )
    };
    assert_eq!(log(&target), log(&source));
}

#[test]
fn anki_packages_bring_their_scheduling_into_jargon_days() {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("anki-scheduled.expected.json")).unwrap(),
    )
    .unwrap();
    let crt = expected["crt"].as_i64().unwrap();
    // The tests run in UTC with the default rollover (4 am): crt is 4 am, its own study day.
    let crt_day = (crt - 4 * 3600).div_euclid(86_400);
    for file in ["anki-scheduled.apkg", "anki-scheduled-legacy.apkg"] {
        let env = Env::new();
        let out = stdout_of(&env, &["import", arg(&fixture(file))]);
        assert!(
            out.contains("4 added") && out.contains("12 reviews added"),
            "{file}: {out}"
        );
        env.ok(&["check"]);
        for (guid, note) in expected["notes"].as_object().unwrap() {
            let card = &note["forward"];
            let row: String = env.sql(&format!(
                "SELECT c.phase || ',' || coalesce(c.due_day, '@' || c.due_at, '-') || ',' || c.interval_days || ',' || c.ease_permille || ',' ||
                        c.lapses || ',' || c.suspended || ',' || (SELECT count(*) FROM reviews r WHERE r.card_id = c.id)
                 FROM cards c JOIN notes n ON n.id = c.note_id WHERE n.guid = '{}' AND c.ord = 0",
                guid.replace('\'', "''")
            ));
            let kind = card["type"].as_i64().unwrap();
            let queue = card["queue"].as_i64().unwrap();
            let due = card["due"].as_i64().unwrap();
            let phase = ["new", "learning", "review", "relearning"][kind as usize];
            // An intraday learning step stays due at its instant, as in Anki.
            let due_day = if due > 1_000_000_000 {
                format!("@{due}")
            } else {
                (crt_day + due).to_string()
            };
            let (interval, ease) = if kind == 2 {
                (
                    card["ivl"].as_i64().unwrap(),
                    card["factor"].as_i64().unwrap(),
                )
            } else {
                (0, 2500)
            };
            // A card with scheduling but no review log gets one synthetic row.
            let reviews = card["revlog"].as_i64().unwrap().max(1);
            let want = format!(
                "{phase},{due_day},{interval},{ease},{},{},{reviews}",
                card["lapses"].as_i64().unwrap(),
                i64::from(queue == -1)
            );
            assert_eq!(row, want, "{file}: {}", note["term"]);
        }
        // The reverse cards stay new and have no history.
        assert_eq!(
            count(
                &env,
                "SELECT count(*) FROM cards c JOIN notes n ON n.id = c.note_id WHERE n.guid IS NOT NULL AND c.ord = 1 AND c.phase = 'new'"
            ),
            4
        );
    }
}

#[test]
fn genanki_packages_keep_their_notes_under_their_type_with_one_card_per_anki_card() {
    let env = Env::new();
    let out = env.run(&["import", arg(&fixture("genanki-basic.apkg"))]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    // The note with an empty back is kept: a note of an Anki type needs no second field.
    assert!(
        stdout.contains("5 added") && stdout.contains("2 media file(s) stored"),
        "{stdout}"
    );
    // genanki's legacy JSON media map: the files are stored under their names.
    let media = env.db.with_extension("media");
    for name in ["sigmoid.mp3", "sigmoid.png"] {
        assert!(media.join(name).is_file(), "{name}");
    }
    assert_eq!(
        count(&env, "SELECT count(*) FROM cards"),
        count(&env, "SELECT count(*) FROM notes WHERE notetype_id = 1") * 2 + 5,
        "one card per Anki card: Basic notes gain no reverse card"
    );
    let note = |guid: &str| -> String {
        env.sql(&format!(
            "SELECT term || ' | ' || definition || ' | ' || tags FROM notes WHERE guid = '{guid}'"
        ))
    };
    assert_eq!(
        note("fixture-gd"),
        "Gradient descent | An optimiser that follows the negative gradient.\nStep by step. | [\"optim\",\"basics\"]"
    );
    assert_eq!(
        note("fixture-bv"),
        "Bias & variance | Error from wrong assumptions \u{2014} and from sensitivity \u{e9} | [\"stats\"]"
    );
    assert_eq!(
        note("fixture-sm"),
        "Softmax | Turns logits\ninto probabilities | []"
    );
    assert_eq!(note("fixture-sg"), "Sigmoid | S-shaped function | []");
    let deck: String = env.sql(
        "SELECT d.name FROM notes n JOIN decks d ON d.id = n.deck_id WHERE n.guid = 'fixture-gd'",
    );
    assert_eq!(deck, "Genanki::Vocab");
    env.ok(&["import", arg(&fixture("genanki-reversed.apkg"))]);
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM cards c JOIN notes n ON n.id = c.note_id WHERE n.guid IN ('fixture-ep', 'fixture-ba')"
        ),
        4
    );
}

#[test]
fn a_review_log_is_replayed_through_the_scheduler_and_check_passes() {
    let env = Env::new();
    let log = fixture("revlog-small.csv");
    let out = stdout_of(&env, &["import", "--revlog", arg(&log), "--deck", "My log"]);
    assert_eq!(
        out.trim(),
        "Imported: 2 added, 0 updated, 0 unchanged; 5 reviews added."
    );
    assert_eq!(
        count(&env, "SELECT count(*) FROM reviews WHERE kind = 'schedule'"),
        5
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM cards c JOIN notes n ON n.id = c.note_id WHERE n.key LIKE 'card-%'"
        ),
        2,
        "one card per card of the log, no invented reverse card"
    );
    let term: String =
        env.sql("SELECT term || ' / ' || definition FROM notes WHERE key = 'card-a1'");
    assert_eq!(
        term,
        "card a1 / Imported from revlog-small.csv; no text was given"
    );
    // a1: Good, Good, Easy -> review with SM-2's 1, 6 and then a multiplied interval.
    let a1: String = env.sql(
        "SELECT c.phase || ',' || c.repetitions FROM cards c JOIN notes n ON n.id = c.note_id WHERE n.key = 'card-a1' AND c.ord = 0",
    );
    assert_eq!(a1, "review,3");
    let reverse_new = count(
        &env,
        "SELECT count(*) FROM cards c JOIN notes n ON n.id = c.note_id WHERE n.key LIKE 'card-%' AND c.ord = 1 AND c.phase = 'new'",
    );
    assert_eq!(
        reverse_new, 0,
        "no reverse card is invented for a log's card"
    );
    env.ok(&["check"]);
    let again = stdout_of(&env, &["import", "--revlog", arg(&log), "--deck", "My log"]);
    assert!(
        again.contains("0 added, 0 updated")
            && again.contains("0 reviews added, 5 already present"),
        "{again}"
    );
    // A longer log appends only what is new.
    let longer = env.write(
        "longer.csv",
        format!(
            "{}a1,2026-11-20T10:00:00.000Z,1,2000,x\n",
            std::fs::read_to_string(&log).unwrap()
        ),
    );
    let out = stdout_of(
        &env,
        &["import", "--revlog", arg(&longer), "--deck", "My log"],
    );
    assert!(out.contains("1 reviews added, 5 already present"), "{out}");
    env.ok(&["check"]);
}

#[test]
fn the_shared_review_log_imports_once_and_replays() {
    let Some(log) = shared_data(
        "the_shared_review_log_imports_once_and_replays",
        "revlog-py-fsrs.csv",
    ) else {
        return;
    };
    let env = Env::new();
    let out = stdout_of(&env, &["import", "--revlog", arg(&log)]);
    assert_eq!(
        out.trim(),
        "Imported: 1205 added, 0 updated, 0 unchanged; 12580 reviews added."
    );
    let check = stdout_of(&env, &["check"]);
    assert!(check.contains("12580 reviews replay"), "{check}");
    let again = stdout_of(&env, &["import", "--revlog", arg(&log)]);
    assert!(
        again.contains("0 added, 0 updated") && again.contains("0 reviews added"),
        "{again}"
    );
}

#[test]
fn the_review_log_exports_in_fsrs_columns_without_cram_rows_by_default() {
    let env = Env::new();
    env.ok(&["import", "--revlog", arg(&fixture("revlog-small.csv"))]);
    {
        // A cram answer, as `review --cram` logs one: no state change.
        let conn = rusqlite::Connection::open(&env.db).unwrap();
        conn.execute(
            "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                 phase_before, due_day_before, due_at_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                 phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after, lapses_after, step_after)
             SELECT card_id, reviewed_at + 1000, day, 4, 1000, 'cram', scheduler,
                 phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after, lapses_after, step_after,
                 phase_after, due_day_after, due_at_after, interval_after, ease_after, reps_after, lapses_after, step_after
             FROM reviews ORDER BY reviewed_at DESC LIMIT 1",
            [],
        )
        .unwrap();
    }
    let csv = stdout_of(&env, &["export", "reviews"]);
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some(
            "card_id,review_time,review_rating,review_duration,note_key,deck,direction,quality,kind,day,scheduler,phase_before,interval_before,ease_before,phase_after,interval_after,ease_after,stability_after,difficulty_after,retrievability"
        )
    );
    let first = lines.next().unwrap();
    assert!(
        first.contains(
            ",2026-11-01T10:00:00.000Z,3,5000,card-a1,Imported review log,forward,4,schedule,"
        ),
        "{first}"
    );
    assert_eq!(
        csv.lines().count(),
        6,
        "five answers and the header, no cram row"
    );
    let with_cram = stdout_of(&env, &["export", "reviews", "--include-cram"]);
    assert_eq!(with_cram.lines().count(), 7);
    let file = env.path("log.json");
    let out = stdout_of(&env, &["export", "reviews", "-o", arg(&file)]);
    assert_eq!(
        out.trim(),
        format!("Exported 5 reviews to {}.", file.display())
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 5);
    assert_eq!(json[0]["review_time"], "2026-11-01T10:00:00.000Z");
    assert_eq!(json[0]["review_rating"], 3);
    // The export reads back as a review log.
    let csv_file = env.path("log.csv");
    env.ok(&["export", "reviews", "-o", arg(&csv_file)]);
    let fresh = Env::new();
    let out = stdout_of(&fresh, &["import", "--revlog", arg(&csv_file)]);
    assert!(out.contains("5 reviews added"), "{out}");
}

#[test]
fn a_large_import_off_a_terminal_prints_only_its_one_line_report() {
    let env = Env::new();
    let mut csv = String::from("#separator:Comma\n#deck:Large\n");
    for i in 0..6_000 {
        csv.push_str(&format!("term {i},definition number {i}\n"));
    }
    let file = env.write("large.csv", csv);
    let out = env.run(&["import", arg(&file)]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "Imported: 6000 added, 0 updated, 0 unchanged.\n");
    assert!(
        stderr.is_empty(),
        "no progress bar off a terminal: {stderr:?}"
    );
    assert_eq!(
        count(
            &env,
            "SELECT count(*) FROM cards c JOIN notes n ON n.id = c.note_id JOIN decks d ON d.id = n.deck_id WHERE d.name = 'Large'"
        ),
        12_000
    );
}

#[test]
fn exports_write_whole_files_and_refuse_binary_output_to_a_terminal_stream() {
    let env = Env::new();
    let out = env.run(&["export", "deck", "--format", "apkg"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).1.contains("-o FILE.apkg"));
    let out = env.run(&["export", "deck", "--deck", "No such deck"]);
    assert_eq!(out.status.code(), Some(2));
    let file = env.path("deck.csv");
    env.ok(&["export", "deck", "-o", arg(&file)]);
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("#separator:Comma\n#html:false\n#columns:Front,Back,"));
}
