//! `import --revlog` replays each card's answers through the active scheduler (issue 17,
//! item 7): the rows are those a review would write (scheduler, settings, FSRS memory and
//! retrievability), `check` replays them, and a re-import adds nothing.

use std::collections::HashMap;

use jargon::scheduler::Answer;
use jargon::scheduler::fsrs::{Fsrs, history_of};

use crate::common::{Env, shared_data};

fn arg(path: &std::path::Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

/// The study day of an instant under `TZ=UTC` and the default rollover hour (4).
fn study_day(unix_ms: i64) -> i64 {
    (unix_ms.div_euclid(1000) - 4 * 3600).div_euclid(86_400)
}

/// Each card's answers (grade, study day) in file order, read from the CSV itself.
fn answers_in(csv: &str) -> HashMap<String, Vec<(Answer, i64)>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).expect(name);
    let (card, rating, time) = (col("card_id"), col("review_rating"), col("review_time"));
    let mut cards: HashMap<String, Vec<(Answer, i64)>> = HashMap::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let fields: Vec<&str> = line.split(',').collect();
        let at = chrono::DateTime::parse_from_rfc3339(fields[time]).expect("time");
        let answer = Answer::from_rating(fields[rating].parse().expect("rating")).expect("1-4");
        cards
            .entry(format!("card-{}", fields[card]))
            .or_default()
            .push((answer, study_day(at.timestamp_millis())));
    }
    cards
}

/// `(note key, stability, difficulty)` of every forward card with a logged answer.
fn memories(env: &Env) -> Vec<(String, Option<f64>, Option<f64>)> {
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let mut stmt = conn
        .prepare(
            "SELECT n.key, s.stability, s.difficulty FROM card_states s
             JOIN notes n ON n.id = s.id / 64
             WHERE s.id IN (SELECT card_id FROM reviews)",
        )
        .expect("query");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("read")
}

fn count(env: &Env, sql: &str) -> i64 {
    env.sql(sql)
}

#[test]
fn the_real_log_replays_through_each_scheduler_as_reviews_would() {
    let Some(log) = shared_data(
        "the_real_log_replays_through_each_scheduler_as_reviews_would",
        "revlog-py-fsrs.csv",
    ) else {
        return;
    };
    let csv = std::fs::read_to_string(&log).expect("read the log");
    let expected = answers_in(&csv);
    let fsrs = Fsrs::new(&[], 0.9).expect("default FSRS");
    for scheduler in ["sm2", "anki", "fsrs"] {
        let env = Env::new();
        env.ok(&["config", "set", "scheduler", scheduler]);
        let out = env.ok(&["import", "--revlog", arg(&log)]);
        assert!(out.contains("12580 reviews added"), "{scheduler}: {out}");
        let check = env.ok(&["check"]);
        assert!(check.starts_with("ok: "), "{scheduler}: {check}");
        // Every row names the scheduler and the settings it was made with.
        let other = format!(
            "SELECT count(*) FROM reviews WHERE scheduler != '{scheduler}' OR settings_id IS NULL"
        );
        assert_eq!(count(&env, &other), 0, "{scheduler}");
        let with_r = count(
            &env,
            "SELECT count(*) FROM reviews WHERE retrievability IS NOT NULL",
        );
        let cards = memories(&env);
        assert_eq!(cards.len(), expected.len(), "{scheduler}");
        if scheduler == "fsrs" {
            // Every answer but each card's first has its retrievability.
            assert_eq!(with_r, 12580 - expected.len() as i64);
            for (key, stability, difficulty) in &cards {
                let grades = &expected[key];
                let memory = fsrs
                    .memory_of(&history_of(grades))
                    .expect("fold")
                    .expect("answered");
                assert_eq!(
                    (*stability, *difficulty),
                    (
                        Some(f64::from(memory.stability)),
                        Some(f64::from(memory.difficulty))
                    ),
                    "{key}: {} answers",
                    grades.len()
                );
            }
        } else {
            assert_eq!(with_r, 0, "{scheduler}");
            assert!(
                cards.iter().all(|(_, s, d)| s.is_none() && d.is_none()),
                "{scheduler}"
            );
        }
        let before = env.fingerprint();
        let again = env.ok(&["import", "--revlog", arg(&log)]);
        assert!(again.contains("0 reviews added"), "{scheduler}: {again}");
        assert_eq!(
            env.fingerprint(),
            before,
            "{scheduler}: a re-import changed nothing"
        );
    }
}

#[test]
fn answers_minutes_apart_go_through_the_learning_steps_under_anki_and_fsrs() {
    for scheduler in ["anki", "fsrs"] {
        let env = Env::new();
        env.ok(&["config", "set", "scheduler", scheduler]);
        let log = env.write(
            "steps.csv",
            "card_id,review_time,review_rating,review_duration\n\
             1,2026-03-02T10:00:00Z,1,1000\n\
             1,2026-03-02T10:01:05Z,3,1000\n\
             1,2026-03-02T10:11:30Z,3,1000\n\
             1,2026-03-04T10:00:00Z,1,1000\n\
             1,2026-03-04T10:10:30Z,3,1000\n",
        );
        env.ok(&["import", "--revlog", arg(&log)]);
        let conn = rusqlite::Connection::open(&env.db).expect("open db");
        let phases: Vec<(String, Option<i64>)> = conn
            .prepare("SELECT phase_after, due_at_after FROM reviews ORDER BY id")
            .expect("query")
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .expect("rows")
            .collect::<rusqlite::Result<_>>()
            .expect("read");
        let names: Vec<&str> = phases.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            names,
            ["learning", "learning", "review", "relearning", "review"],
            "{scheduler}"
        );
        // Good after Again moves to the 10-minute step: due at an instant.
        let step_due = phases[1].1.expect("due at an instant");
        let answered = chrono::DateTime::parse_from_rfc3339("2026-03-02T10:01:05Z")
            .expect("time")
            .timestamp();
        assert!(
            (answered + 600..=answered + 750).contains(&step_due),
            "{scheduler}: {step_due}"
        );
        assert!(env.ok(&["check"]).starts_with("ok: "), "{scheduler}");
    }
}

#[test]
fn an_fsrs_import_onto_a_card_with_sm2_history_folds_its_whole_history() {
    let env = Env::new();
    let first = env.write(
        "first.csv",
        "card_id,review_time,review_rating,review_duration\n\
         7,2026-01-05T10:00:00Z,3,1000\n\
         7,2026-01-06T10:00:00Z,3,1000\n\
         7,2026-01-12T10:00:00Z,2,1000\n",
    );
    env.ok(&["import", "--revlog", arg(&first)]);
    // The collection's scheduler becomes fsrs; the card keeps no memory state until its next
    // FSRS answer (a switch that computes memory states makes that path moot, not wrong).
    env.ok(&["config", "set", "scheduler", "fsrs"]);
    let longer = env.write(
        "longer.csv",
        "card_id,review_time,review_rating,review_duration\n\
         7,2026-01-05T10:00:00Z,3,1000\n\
         7,2026-01-06T10:00:00Z,3,1000\n\
         7,2026-01-12T10:00:00Z,2,1000\n\
         7,2026-02-01T10:00:00Z,3,1000\n\
         7,2026-03-01T10:00:00Z,1,1000\n",
    );
    let out = env.ok(&["import", "--revlog", arg(&longer)]);
    assert!(out.contains("2 reviews added, 3 already present"), "{out}");
    let check = env.ok(&["check"]);
    assert!(check.starts_with("ok: "), "{check}");
    let grades: Vec<(Answer, i64)> = [
        (Answer::Good, "2026-01-05"),
        (Answer::Good, "2026-01-06"),
        (Answer::Hard, "2026-01-12"),
        (Answer::Good, "2026-02-01"),
        (Answer::Again, "2026-03-01"),
    ]
    .iter()
    .map(|&(a, date)| {
        let at = chrono::DateTime::parse_from_rfc3339(&format!("{date}T10:00:00Z")).expect("t");
        (a, study_day(at.timestamp_millis()))
    })
    .collect();
    let memory = Fsrs::new(&[], 0.9)
        .expect("default FSRS")
        .memory_of(&history_of(&grades))
        .expect("fold")
        .expect("answered");
    let cards = memories(&env);
    assert_eq!(
        cards,
        [(
            "card-7".to_string(),
            Some(f64::from(memory.stability)),
            Some(f64::from(memory.difficulty))
        )]
    );
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[test]
fn a_package_from_an_fsrs_collection_brings_anki_memory_states_and_keeps_the_ease() {
    // Made by bench/anki_fsrs_package.sh with Anki's own engine, FSRS on.
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(fixture("anki-fsrs.expected.json")).expect("expected"),
    )
    .expect("JSON");
    let notes = expected["notes"].as_object().expect("notes");
    for scheduler in ["fsrs", "sm2"] {
        let env = Env::new();
        env.ok(&["config", "set", "scheduler", scheduler]);
        let out = env.ok(&["import", arg(&fixture("anki-fsrs.apkg"))]);
        assert!(out.contains("16 added"), "{out}");
        let check = env.ok(&["check"]);
        assert!(check.starts_with("ok: "), "{scheduler}: {check}");
        let conn = rusqlite::Connection::open(&env.db).expect("open db");
        let mut answered = 0;
        for anki in notes.values() {
            let term = anki["term"].as_str().expect("term");
            let card = &anki["forward"];
            let (stability, difficulty, ease): (Option<f64>, Option<f64>, i64) = conn
                .query_row(
                    "SELECT s.stability, s.difficulty, s.ease_permille FROM card_states s
                     JOIN notes n ON n.id = s.id / 64 WHERE n.term = ?1 AND s.id % 64 = 0",
                    [term],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .expect(term);
            // Anki's numbers as the f32 it keeps (its JSON holds them widened to f64).
            let f32_of = |v: &serde_json::Value| v.as_f64().map(|x| f64::from(x as f32));
            assert_eq!(
                stability,
                f32_of(&card["s"]),
                "{scheduler}: {term} stability"
            );
            assert_eq!(
                difficulty,
                f32_of(&card["d"]),
                "{scheduler}: {term} difficulty"
            );
            assert_eq!(
                ease,
                card["factor"].as_i64().expect("factor"),
                "{term} ease"
            );
            // The log's `factor` held difficulties (100 to 1100), never read as an ease: each
            // imported row keeps the starting ease, and the card's own ease comes last.
            let factors = card["revlog_factors"].as_array().expect("factors");
            assert!(
                factors
                    .iter()
                    .all(|f| (100..=1100).contains(&f.as_i64().expect("n"))),
                "{term}: {factors:?}"
            );
            let eases: Vec<i64> = conn
                .prepare(
                    "SELECT r.ease_after FROM reviews r JOIN notes n ON n.id = r.card_id / 64
                     WHERE n.term = ?1 ORDER BY r.id",
                )
                .expect("query")
                .query_map([term], |r| r.get(0))
                .expect("rows")
                .collect::<rusqlite::Result<_>>()
                .expect("read");
            assert_eq!(eases.len(), factors.len(), "{term}");
            let (last, earlier) = eases.split_last().expect("answered");
            assert_eq!(*last, ease, "{term}");
            assert!(earlier.iter().all(|e| *e == 2500), "{term}: {eases:?}");
            answered += 1;
        }
        assert_eq!(answered, 16);
    }
}

/// `tests/fixtures/anki-scheduled-legacy.apkg` with `sql` run on its collection first.
fn edited_package(dir: &std::path::Path, sql: &str) -> std::path::PathBuf {
    use std::io::{Read, Write};
    let file = std::fs::File::open(fixture("anki-scheduled-legacy.apkg")).expect("fixture");
    let mut archive = zip::ZipArchive::new(file).expect("zip");
    let mut bytes = vec![];
    archive
        .by_name("collection.anki21")
        .expect("entry")
        .read_to_end(&mut bytes)
        .expect("read");
    let collection = dir.join("collection.sqlite");
    std::fs::write(&collection, &bytes).expect("write");
    rusqlite::Connection::open(&collection)
        .expect("open")
        .execute_batch(sql)
        .expect("edit");
    let path = dir.join("edited.apkg");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    zip.start_file(
        "collection.anki21",
        zip::write::SimpleFileOptions::default(),
    )
    .expect("start");
    zip.write_all(&std::fs::read(&collection).expect("read"))
        .expect("zip write");
    zip.finish().expect("finish");
    path
}

#[test]
fn a_memory_state_in_card_data_is_read_leniently_and_one_out_of_range_is_left_out() {
    let env = Env::new();
    let card = |term: &str| {
        format!(
            "(SELECT id FROM cards WHERE ord = 0 AND nid = (SELECT id FROM notes WHERE flds LIKE '{term}%'))"
        )
    };
    let work = env.path("edit");
    std::fs::create_dir(&work).expect("folder");
    let package = edited_package(
        &work,
        &format!(
            "UPDATE cards SET data = '{{\"pos\":\"odd\",\"s\":2.25,\"d\":6.5,\"lrt\":1}}' WHERE id = {};
             UPDATE cards SET data = '{{\"s\":3.5,\"d\":42}}' WHERE id = {};
             UPDATE cards SET data = '{{\"s\":\"many\",\"d\":5}}' WHERE id = {};",
            card("Overfitting"),
            card("Regularisation"),
            card("Learning rate"),
        ),
    );
    let out = env.run(&["import", arg(&package)]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("1 card(s) had an FSRS memory state out of range (stability above 0, difficulty 1 to 10) and keep none"),
        "{stderr}"
    );
    let memory = |term: &str| -> (Option<f64>, Option<f64>) {
        env.sql::<String>(&format!(
            "SELECT coalesce(s.stability, 'none') || ' ' || coalesce(s.difficulty, 'none')
             FROM card_states s JOIN notes n ON n.id = s.id / 64
             WHERE n.term = '{term}' AND s.id % 64 = 0"
        ))
        .split(' ')
        .map(|v| v.parse().ok())
        .collect::<Vec<_>>()
        .try_into()
        .map(|[s, d]: [Option<f64>; 2]| (s, d))
        .expect("two")
    };
    assert_eq!(memory("Overfitting"), (Some(2.25), Some(6.5)));
    assert_eq!(memory("Regularisation"), (None, None));
    assert_eq!(memory("Learning rate"), (None, None));
    assert!(env.ok(&["check"]).starts_with("ok: "));
}

#[test]
fn a_package_exported_from_an_fsrs_collection_carries_the_memory_state_in_card_data() {
    let env = Env::new();
    env.ok(&["config", "set", "scheduler", "fsrs"]);
    env.ok(&["import", "--revlog", arg(&fixture("revlog-small.csv"))]);
    let package = env.path("fsrs.apkg");
    env.ok(&[
        "export",
        "deck",
        "--deck",
        "Imported review log",
        "--format",
        "apkg",
        "-o",
        arg(&package),
    ]);
    let ours = memories(&env);
    assert!(ours.iter().all(|(_, s, _)| s.is_some()), "{ours:?}");
    // The package's collection, as Anki would read it.
    let collection = {
        use std::io::Read;
        let mut archive =
            zip::ZipArchive::new(std::fs::File::open(&package).expect("package")).expect("zip");
        let mut bytes = vec![];
        archive
            .by_name("collection.anki2")
            .expect("entry")
            .read_to_end(&mut bytes)
            .expect("read");
        let path = env.path("collection.anki2");
        std::fs::write(&path, bytes).expect("write");
        rusqlite::Connection::open(&path).expect("open")
    };
    let data: Vec<String> = collection
        .prepare("SELECT data FROM cards WHERE data != '' ORDER BY id")
        .expect("query")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("read");
    assert_eq!(data.len(), ours.len(), "{data:?}");
    for (_, s, d) in &ours {
        let (s, d) = (s.expect("s") as f32, d.expect("d") as f32);
        assert!(
            data.contains(&format!("{{\"s\":{s},\"d\":{d}}}")),
            "{s} {d}: {data:?}"
        );
    }
    // Every row was an FSRS answer: its factor is the difficulty after it, as Anki writes it.
    let factors: Vec<i64> = collection
        .prepare("SELECT factor FROM revlog")
        .expect("query")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<rusqlite::Result<_>>()
        .expect("read");
    assert_eq!(factors.len(), 5);
    assert!(
        factors.iter().all(|f| (100..=1100).contains(f)),
        "{factors:?}"
    );
    // And the package brings the same memory states back, with the ease untouched.
    let again = Env::new();
    again.ok(&["import", arg(&package)]);
    assert_eq!(memories(&again), ours);
    let eases: i64 = again.sql("SELECT count(*) FROM reviews WHERE ease_after < 1300");
    assert_eq!(eases, 0);
    assert!(again.ok(&["check"]).starts_with("ok: "));
}
