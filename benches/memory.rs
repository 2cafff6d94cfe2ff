//! "Know your memory" (issue 19) in process: the pure core of `optimize`, `evaluate` and
//! `simulate` (`jargon::memory`), without the store.
//!
//! - `optimize_12k`: `memory::fit` on `../shared/data/revlog-py-fsrs.csv` (12,580 answers;
//!   skipped with a message when the file is absent). Target < 2 s.
//! - `evaluate_12k`: `memory::evaluate` (5 time-series splits, four models) on the same log.
//! - `simulate_year_10k`: `memory::simulate` of 365 days introducing 10,000 new cards (28 a
//!   day) on top of the shared log's cards: sm2, anki and fsrs at six retentions. Target < 1 s.
//! - With `JARGON_BENCH_1M=1`: `fit` and `evaluate` on 1,000,000 synthetic answers
//!   (`memory::synthetic`, 100,000 cards of 10 answers), each timed once (a minute-long
//!   call does not fit criterion's ten samples). Target < 60 s each.
//!
//! Run: `cargo bench --bench memory`, and `JARGON_BENCH_1M=1 cargo bench --bench memory`
//! for the 1M runs. Results: docs/memory.md.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group};
use jargon::memory::simulate::{DEFAULT_RETENTIONS, SimulateConfig};
use jargon::memory::{Answer, evaluate, fit, simulate, synthetic};
use jargon::scheduler::Settings;

/// The binary's allocator (see src/main.rs), so the figures are what the binary does.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The shared log, read as the tests read it (study days cut at 04:00 UTC).
fn shared_log() -> Option<Vec<Answer>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/revlog-py-fsrs.csv");
    let mut reader = csv::Reader::from_path(&path).ok()?;
    let mut answers = Vec::new();
    for row in reader.records() {
        let row = row.ok()?;
        let ms = chrono::DateTime::parse_from_rfc3339(&row[2])
            .ok()?
            .timestamp_millis();
        answers.push(Answer {
            card_id: row[0].parse().ok()?,
            reviewed_at_ms: ms,
            day: (ms / 1000 - 4 * 3600).div_euclid(86_400),
            rating: row[1].parse().ok()?,
            duration_ms: row[3].parse().ok()?,
            was_new: false,
        });
    }
    answers.sort_by_key(|a| (a.card_id, a.reviewed_at_ms));
    let mut previous = None;
    for a in &mut answers {
        a.was_new = previous != Some(a.card_id);
        previous = Some(a.card_id);
    }
    Some(answers)
}

fn on_the_shared_log(c: &mut Criterion) {
    let Some(answers) = shared_log() else {
        println!("skipped: ../shared/data/revlog-py-fsrs.csv is absent");
        return;
    };
    let mut group = c.benchmark_group("memory");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));
    group.bench_function("optimize_12k", |b| {
        b.iter(|| fit(black_box(&answers), &mut |_| true).expect("enough history"))
    });
    group.bench_function("evaluate_12k", |b| {
        b.iter(|| {
            evaluate(black_box(&answers), &Settings::default(), 5, &mut |_| true)
                .expect("enough history")
        })
    });
    let parameters = fit(&answers, &mut |_| true)
        .expect("enough history")
        .parameters;
    let today = answers.iter().map(|a| a.day).max().unwrap_or(0) + 1;
    let config = SimulateConfig {
        days: 365,
        new_per_day: 28,
        new_cards: 10_000,
        retentions: DEFAULT_RETENTIONS.to_vec(),
        today,
        settings: Settings::default(),
        seed: 42,
    };
    group.bench_function("simulate_year_10k", |b| {
        b.iter(|| simulate(black_box(&answers), &parameters, &config).expect("simulates"))
    });
    group.finish();
}

fn a_million_answers() {
    if std::env::var_os("JARGON_BENCH_1M").is_none() {
        return;
    }
    let answers = synthetic::answers(100_000, 10, 1);
    println!("1M: {} synthetic answers", answers.len());
    let start = Instant::now();
    let fitted = fit(&answers, &mut |_| true).expect("enough history");
    println!(
        "1M: fit {:.1} s ({} items, {} cards)",
        start.elapsed().as_secs_f64(),
        fitted.reviews,
        fitted.cards
    );
    let start = Instant::now();
    let e = evaluate(&answers, &Settings::default(), 5, &mut |_| true).expect("evaluates");
    println!(
        "1M: evaluate {:.1} s ({} items, {} predictions a model)",
        start.elapsed().as_secs_f64(),
        e.reviews,
        e.models.first().map_or(0, |m| m.predictions)
    );
}

criterion_group!(benches, on_the_shared_log);

fn main() {
    a_million_answers();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
