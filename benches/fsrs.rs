//! One FSRS answer, in process: the next states of all four buttons for a review card (memory
//! update through the crate, Anki's bounds, fuzz) and the answer picked from them, which is
//! what answering costs the scheduler before the store's transaction.
//!
//! Run: `cargo bench --bench fsrs`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use jargon::scheduler::fsrs::{DEFAULT_DESIRED_RETENTION, Fsrs, MemoryState};
use jargon::scheduler::{Answer, CardState, Due, Moment, Phase, Settings};

fn one_answer(c: &mut Criterion) {
    let fsrs = Fsrs::new(&[], DEFAULT_DESIRED_RETENTION).expect("the defaults are valid");
    let settings = Settings::default();
    let card = CardState {
        phase: Phase::Review,
        due: Due::Day(20_779),
        interval_days: 21,
        repetitions: 6,
        memory: Some(MemoryState {
            stability: 21.3,
            difficulty: 5.4,
        }),
        ..CardState::new_card()
    };
    let mut group = c.benchmark_group("fsrs");
    group.bench_function("one answer (next states + memory update)", |b| {
        let mut card_id = 0;
        b.iter(|| {
            card_id += 1;
            let moment = Moment {
                card_id,
                today: 20_779,
                now: 20_779 * 86_400 + 36_000,
                last_day: Some(20_755),
            };
            let out = fsrs
                .answer(black_box(&card), Answer::Good, &moment, &settings)
                .expect("a valid card");
            black_box(out)
        })
    });
    group.finish();
}

criterion_group!(benches, one_answer);
criterion_main!(benches);
