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
             JOIN notes n ON n.id = s.id / 2
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
