//! Engine benchmarks at the design's scale: a collection of 1,000,000 cards and 1,000,000
//! reviews (built once, cached under target/bench-data), then
//! - a whole line-mode `review` up to its first card and the end of input,
//! - committing one answer (each iteration answers a different due card),
//! - importing a 100,000-note TOML deck, beside the floor: a bare rusqlite insert of the same
//!   notes and cards in one transaction.
//!
//! Run: `cargo bench --bench engine`. `bench/engine.sh` adds the whole binary's time to first
//! card and its peak memory.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use jargon::clock::{Clock, Zone};
use jargon::deck::plan::{OnDuplicate, plan_owned};
use jargon::repl::line::LineFrontend;
use jargon::repl::{self, ReviewOptions};
use jargon::scheduler::replay::ReviewKind;
use jargon::scheduler::{Quality, SchedulerKind};
use jargon::store::Collection;
use jargon::store::cards::QueueQuery;
use jargon::store::reviews::NewReview;
use rusqlite::params;

/// The binary's allocator (see src/main.rs), so the figures are what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The study day the benchmark collection is built around.
const TODAY: i64 = 20_779;
const NOTES: i64 = 500_000;
const REVIEWS: i64 = 1_000_000;

pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data")
}

/// 500,000 notes (1,000,000 cards): 60% in review with due days spread from 30 days ago to a
/// year ahead, the rest new; 1,000,000 review rows over the reviewed cards.
pub fn big_collection() -> PathBuf {
    let path = data_dir().join("engine-1m-v3.sqlite");
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(data_dir()).unwrap();
    let tmp = path.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    drop(Collection::open(&tmp).unwrap());
    let mut conn = rusqlite::Connection::open(&tmp).unwrap();
    let tx = conn.transaction().unwrap();
    {
        tx.execute(
            "INSERT INTO decks (id, name, description, created_at) VALUES (1, 'Big', '', 0)",
            [],
        )
        .unwrap();
        let mut note = tx
            .prepare("INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at) VALUES (?1, 1, ?2, ?3, ?4, 0, 0)")
            .unwrap();
        let mut card = tx
            .prepare(
                "INSERT INTO card_states (id, note_id, phase, due_day, interval_days, ease_permille, repetitions)
                 VALUES (?1, ?2, 'review', ?3, ?4, 2500, 3)",
            )
            .unwrap();
        for n in 1..=NOTES {
            note.execute(params![
                n,
                format!("term-{n}"),
                format!("term {n}"),
                format!("definition number {n}")
            ])
            .unwrap();
            for offset in [0, 1] {
                // A card's id is its note's id * 2 + its direction bit; a new card has no row.
                let id = n * 2 + offset;
                if id % 10 < 6 {
                    let interval = 1 + (id * 7919) % 200;
                    let due = TODAY - 30 + (id * 104_729) % 395;
                    card.execute(params![id, n, due, interval]).unwrap();
                }
            }
        }
        let mut review = tx
            .prepare(
                "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                     phase_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                     phase_after, due_day_after, interval_after, ease_after, reps_after, lapses_after, step_after)
                 VALUES (?1, ?2, ?3, 4, 5000, 'schedule', 'sm2', 'review', 1, 2500, 2, 0, 0, 'review', ?4, 6, 2500, 3, 0, 0)",
            )
            .unwrap();
        let reviewed: Vec<i64> = (2..=NOTES * 2 + 1).filter(|id| id % 10 < 6).collect();
        for r in 0..REVIEWS {
            let card_id = reviewed[(r as usize * 31) % reviewed.len()];
            let day = TODAY - 365 + r % 365;
            review
                .execute(params![card_id, day * 86_400_000, day, day + 6])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    drop(conn);
    std::fs::rename(&tmp, &path).unwrap();
    path
}

/// A whole `jargon review` in line mode with no input: open, build the queue, print the first
/// card, meet the end of input, print the summary.
fn review_to_first_card(path: &Path) -> usize {
    let mut collection = Collection::open(path).unwrap();
    let config = collection.config().unwrap();
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-22T09:00:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    let clock = Clock::new(now, Zone::Named(chrono_tz::UTC), 4);
    assert_eq!(clock.today(), TODAY);
    let mut output = Vec::new();
    let mut frontend = LineFrontend::new(&b""[..], &mut output);
    repl::run(
        &mut collection,
        &config,
        clock,
        &ReviewOptions::default(),
        &mut frontend,
    )
    .unwrap();
    // The frontend's writer flushes when dropped.
    drop(frontend);
    assert!(output.len() > 100);
    output.len()
}

fn review_benches(c: &mut Criterion) {
    let path = big_collection();
    let mut group = c.benchmark_group("review_1m_cards");
    group.sample_size(30);
    group.bench_function("review_to_first_card", |b| {
        b.iter(|| black_box(review_to_first_card(&path)))
    });

    // Answers go to a copy, so the cached collection stays as built.
    let copy = data_dir().join("engine-1m-answers.sqlite");
    std::fs::copy(&path, &copy).unwrap();
    let _ = std::fs::remove_file(copy.with_extension("sqlite-wal"));
    let mut collection = Collection::open(&copy).unwrap();
    let config = collection.config().unwrap();
    let query = QueueQuery {
        deck_ids: None,
        today: TODAY,
        due_limit: 50_000,
        new_limit: 0,
    };
    let (due, _) = collection.queue_candidates(&query).unwrap();
    // Criterion may ask for more answers than there are due cards: go round them again (each
    // answer reads the card's state as the last one left it, as a review would).
    let mut next = due.into_iter().cycle();
    for (name, scheduler) in [
        ("commit_one_answer", SchedulerKind::Sm2),
        ("commit_one_fsrs_answer", SchedulerKind::Fsrs),
    ] {
        group.bench_function(name, |b| {
            b.iter_custom(|iterations| {
                let mut total = Duration::ZERO;
                for _ in 0..iterations {
                    let Some(queued) = next.next() else { break };
                    let card = collection.card(queued.card_id).unwrap();
                    let quality = Quality::new(4).unwrap();
                    let started = Instant::now();
                    // What the review does: the card's answers, its memory when it has none
                    // (FSRS), the answer, the commit.
                    let answers = collection.card_answers(card.id).unwrap();
                    let moment = jargon::scheduler::Moment {
                        card_id: card.id,
                        today: TODAY,
                        now: TODAY * 86_400,
                        last_day: None,
                    };
                    let (ready, moment) = jargon::scheduler::replay::prepare(
                        scheduler,
                        &card.state,
                        &answers,
                        moment,
                        &config.scheduling,
                    )
                    .unwrap();
                    let outcome = scheduler
                        .answer(&ready, quality, &moment, &config.scheduling)
                        .unwrap();
                    let review = NewReview {
                        card_id: card.id,
                        reviewed_at_ms: TODAY * 86_400_000,
                        day: TODAY,
                        quality,
                        duration_ms: 3000,
                        kind: ReviewKind::Schedule,
                        scheduler,
                        settings: config.scheduling,
                        retrievability: outcome.retrievability,
                    };
                    black_box(
                        collection
                            .commit_answer(&review, &card.state, &outcome.state, false)
                            .unwrap(),
                    );
                    total += started.elapsed();
                }
                total
            })
        });
    }
    group.finish();
}

fn deck_text(notes: usize) -> String {
    let mut text = String::from("name = \"Bench\"\ndescription = \"generated\"\n");
    for n in 0..notes {
        text.push_str(&format!(
            "\n[[note]]\nterm = \"term {n}\"\ndefinition = \"the definition of entry number {n}, long enough to be realistic\"\nexample = \"an example for {n}\"\ntags = [\"bench\"]\n"
        ));
    }
    text
}

fn import_benches(c: &mut Criterion) {
    const NOTES: usize = 100_000;
    let dir = data_dir().join("import");
    std::fs::create_dir_all(&dir).unwrap();
    let deck_path = dir.join("bench-100k.toml");
    std::fs::write(&deck_path, deck_text(NOTES)).unwrap();
    let mut group = c.benchmark_group("import_100k_notes");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(20));
    let fresh = |name: &str| {
        let db = dir.join(name);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        db
    };
    group.bench_function("jargon_import_toml", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let db = fresh("import.sqlite");
                let mut collection = Collection::open(&db).unwrap();
                let started = Instant::now();
                let decks = jargon::import::load_file(&deck_path).unwrap();
                let existing = collection.existing_notes(&["Bench"]).unwrap();
                let changes = plan_owned(decks, &existing, OnDuplicate::Update);
                collection.apply_import(&changes, 0).unwrap();
                total += started.elapsed();
            }
            total
        })
    });
    // The floor: the same rows, inserted bare with a prepared statement in one transaction.
    // The import writes notes only: a card gets its row when it is first answered.
    let rows: Vec<(String, String, String, String)> = (0..NOTES)
        .map(|n| {
            (
                format!("term-{n}"),
                format!("term {n}"),
                format!("the definition of entry number {n}, long enough to be realistic"),
                format!("an example for {n}"),
            )
        })
        .collect();
    group.bench_function("bare_rusqlite_insert", |b| {
        b.iter_custom(|iterations| {
            let mut total = Duration::ZERO;
            for _ in 0..iterations {
                let db = fresh("floor.sqlite");
                drop(Collection::open(&db).unwrap());
                let mut conn = rusqlite::Connection::open(&db).unwrap();
                conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
                let started = Instant::now();
                let tx = conn.transaction().unwrap();
                {
                    tx.execute("INSERT INTO decks (name, description, created_at) VALUES ('Bench', '', 0)", []).unwrap();
                    let mut note = tx
                        .prepare(
                            "INSERT INTO notes (deck_id, key, term, definition, example, tags, created_at, modified_at)
                             VALUES (1, ?1, ?2, ?3, ?4, '[\"bench\"]', 0, 0)",
                        )
                        .unwrap();
                    for (key, term, definition, example) in &rows {
                        note.execute(params![key, term, definition, example]).unwrap();
                    }
                }
                tx.commit().unwrap();
                total += started.elapsed();
            }
            total
        })
    });
    group.finish();
}

criterion_group!(benches, review_benches, import_benches);
criterion_main!(benches);
