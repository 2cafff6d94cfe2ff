//! Statistics benchmarks at the design's scale: a collection of 1,000,000 cards and 1,000,000
//! reviews spread over 1,000 study days (built once through `Collection::open` and plain
//! inserts, cached under target/bench-data), then what the commands do after parsing their
//! arguments: open the collection, run the queries, compute, and render.
//!
//! - `stats_text_month`: `jargon stats` (the default: the last 30 days, text);
//! - `stats_json_all`: `jargon stats --period all --format json`;
//! - `stats_text_all`: `jargon stats --period all`;
//! - `stats_csv_all`: `jargon stats --period all --format csv -o DIR` (every table, not written);
//! - `report_html_all`: `jargon report` (all time, HTML).
//!
//! Run: `cargo bench --bench stats`. Target: every view under 150 ms. The collection is built
//! with the current schema, so the per-day answer counts (schema.sql) are kept by their
//! triggers as the answers are inserted.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use jargon::clock::{Clock, Zone};
use jargon::repl::render::Style;
use jargon::stats::compute::Period;
use jargon::store::Collection;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rusqlite::params;

/// The binary's allocator (see src/main.rs), so the figures are what the binary does.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The study day the benchmark collection ends on (2026-11-22).
const TODAY: i64 = 20_779;
const NOTES: i64 = 500_000;
const REVIEWS: i64 = 1_000_000;
const DAYS: i64 = 1_000;
const STARTED_PER_TEN: i64 = 2;
const MS_PER_DAY: i64 = 86_400_000;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join("bench-data")
}

/// 500,000 notes in 10 decks (half of them sub-decks), 1,000,000 cards: 20% started (mostly
/// review, some learning and relearning, 2% suspended, lapses and ease spread), the rest new;
/// 1,000,000 answers in time order over 1,000 days with gaps, 90% scheduled, 8% re-drills,
/// 2% cram, all four buttons, from every phase.
fn stats_collection() -> PathBuf {
    let path = data_dir().join("stats-1m-v4.sqlite");
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(data_dir()).unwrap();
    let tmp = path.with_extension("partial");
    let _ = std::fs::remove_file(&tmp);
    let _ = std::fs::remove_file(tmp.with_extension("partial-wal"));
    drop(Collection::open(&tmp).unwrap());
    let mut conn = rusqlite::Connection::open(&tmp).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(6);
    let tx = conn.transaction().unwrap();
    {
        for deck in 1..=10 {
            let name = if deck % 2 == 0 {
                format!("Bench {}::Part {deck}", deck - 1)
            } else {
                format!("Bench {deck}")
            };
            tx.execute(
                "INSERT INTO decks (id, name, description, created_at) VALUES (?1, ?2, '', 0)",
                params![deck, name],
            )
            .unwrap();
        }
        let mut note = tx
            .prepare(
                "INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, 0)",
            )
            .unwrap();
        let mut card = tx
            .prepare(
                "INSERT INTO card_states (id, note_id, phase, due_day, interval_days, ease_permille,
                     repetitions, lapses, suspended)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .unwrap();
        for n in 1..=NOTES {
            note.execute(params![
                n,
                1 + n % 10,
                format!("term-{n}"),
                format!("term {n}"),
                format!("definition number {n}")
            ])
            .unwrap();
            for offset in [0, 1] {
                // A card's id is its note's id * 2 + its direction bit.
                let id = n * 2 + offset;
                let suspended = i64::from(rng.random_range(0..100) < 2);
                if id % 10 < STARTED_PER_TEN {
                    let roll = rng.random_range(0..100);
                    let phase = match roll {
                        0..=4 => "learning",
                        5..=14 => "relearning",
                        _ => "review",
                    };
                    // Intervals skewed towards short ones, up to about three years.
                    let interval: i64 = if phase == "review" {
                        let u: f64 = rng.random();
                        (1.0 + u * u * u * 1000.0) as i64
                    } else {
                        rng.random_range(0..2)
                    };
                    let due = TODAY - 10 + rng.random_range(0..=interval.max(1) + 10);
                    let ease = rng.random_range(1300..=3000);
                    let lapses = (rng.random::<f64>().powi(4) * 14.0) as i64;
                    card.execute(params![
                        id, n, phase, due, interval, ease, 3, lapses, suspended
                    ])
                    .unwrap();
                } else if suspended == 1 {
                    // An untouched new card has no row; a suspended one does.
                    card.execute(params![
                        id,
                        n,
                        "new",
                        Option::<i64>::None,
                        0,
                        2500,
                        0,
                        0,
                        suspended
                    ])
                    .unwrap();
                }
            }
        }
        let mut review = tx
            .prepare(
                "INSERT INTO reviews (card_id, reviewed_at, day, quality, duration_ms, kind, scheduler,
                     phase_before, interval_before, ease_before, reps_before, lapses_before, step_before,
                     phase_after, due_day_after, interval_after, ease_after, reps_after, lapses_after, step_after)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'sm2', ?7, ?8, 2500, 2, 0, 0, 'review', ?9, ?10, 2500, 3, 0, 0)",
            )
            .unwrap();
        let per_day = REVIEWS / DAYS;
        let first_day = TODAY - DAYS + 1;
        let mut written = 0;
        let mut day = first_day;
        while written < REVIEWS {
            // One day in twelve has no answers at all; the others make up for it.
            let count = if rng.random_range(0..12) == 0 {
                0
            } else {
                (per_day * 12 / 11 + rng.random_range(-300..=300)).max(1)
            };
            let count = if day >= TODAY {
                REVIEWS - written
            } else {
                count.min(REVIEWS - written)
            };
            let mut at = day * MS_PER_DAY + 6 * 3_600_000;
            for _ in 0..count {
                at += rng.random_range(1_000..40_000);
                let card_id =
                    10 * rng.random_range(1..NOTES * 2 / 10) + rng.random_range(0..STARTED_PER_TEN);
                let kind = match rng.random_range(0..100) {
                    0..=89 => "schedule",
                    90..=97 => "drill",
                    _ => "cram",
                };
                let (phase, interval) = match rng.random_range(0..100) {
                    0..=14 => ("new", 0),
                    15..=29 => ("learning", 0),
                    30..=34 => ("relearning", 1),
                    _ => ("review", rng.random_range(1..400)),
                };
                let quality = [1, 3, 4, 4, 4, 4, 5][rng.random_range(0..7)];
                review
                    .execute(params![
                        card_id,
                        at,
                        day,
                        quality,
                        rng.random_range(1_500..20_000),
                        kind,
                        phase,
                        interval,
                        day + interval + 1,
                        interval + 1
                    ])
                    .unwrap();
            }
            written += count;
            day += 1;
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    drop(conn);
    std::fs::rename(&tmp, &path).unwrap();
    path
}

fn clock() -> Clock {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-22T18:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    Clock::new(now, Zone::Named(chrono_tz::UTC), 4)
}

/// What a statistics command does after parsing: open, gather, render.
fn run(path: &Path, period: Period, render: fn(&jargon::stats::compute::Stats) -> String) -> usize {
    let collection = Collection::open(path).unwrap();
    let stats = jargon::stats::gather::gather(&collection, None, period, clock()).unwrap();
    render(&stats).len()
}

fn text(stats: &jargon::stats::compute::Stats) -> String {
    jargon::stats::terminal::render(stats, &Style::plain())
}

fn json(stats: &jargon::stats::compute::Stats) -> String {
    jargon::stats::json::render(stats).unwrap()
}

fn csv(stats: &jargon::stats::compute::Stats) -> String {
    jargon::stats::csv::tables(stats)
        .iter()
        .map(|table| jargon::stats::csv::write(table).unwrap())
        .collect()
}

fn html(stats: &jargon::stats::compute::Stats) -> String {
    jargon::stats::html::render(stats)
}

fn stats_benches(c: &mut Criterion) {
    let path = stats_collection();
    assert_eq!(clock().today(), TODAY);
    let mut group = c.benchmark_group("stats_1m_reviews");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(15));
    group.bench_function("stats_text_month", |b| {
        b.iter(|| black_box(run(&path, Period::Month, text)))
    });
    group.bench_function("stats_json_all", |b| {
        b.iter(|| black_box(run(&path, Period::All, json)))
    });
    group.bench_function("stats_text_all", |b| {
        b.iter(|| black_box(run(&path, Period::All, text)))
    });
    group.bench_function("stats_csv_all", |b| {
        b.iter(|| black_box(run(&path, Period::All, csv)))
    });
    group.bench_function("report_html_all", |b| {
        b.iter(|| black_box(run(&path, Period::All, html)))
    });
    group.finish();
}

criterion_group!(benches, stats_benches);
criterion_main!(benches);
