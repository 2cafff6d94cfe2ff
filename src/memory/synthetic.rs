//! Answers drawn from FSRS's default memory model, for tests and benchmarks (a log of any
//! size without a collection). Not used by the commands.
//!
//! Each card starts on day `card % 30` with a first (new) answer, then is reviewed when an
//! FSRS scheduler at 90% would bring it back; whether it is remembered is drawn from the
//! default model's retrievability at that moment, the grade from fixed shares. A seed gives
//! the same log every time.

use fsrs::{FSRS, MemoryState};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::Answer;

/// `cards` cards of `answers_per_card` answers each, all on different study days, so each
/// card makes `answers_per_card - 1` items.
pub fn answers(cards: usize, answers_per_card: usize, seed: u64) -> Vec<Answer> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let model = FSRS::default();
    let mut out = Vec::with_capacity(cards * answers_per_card);
    for card in 0..cards {
        let card_id = 1_000 + card as i64;
        let mut day = (card % 30) as i64;
        let mut memory: Option<MemoryState> = None;
        for n in 0..answers_per_card {
            let rating = match memory {
                None => pick(&mut rng, &[0.2, 0.1, 0.55, 0.15]),
                Some(state) => {
                    let elapsed = (day - out.last().map_or(day, |a: &Answer| a.day)) as f32;
                    let r = fsrs::current_retrievability(state, elapsed, fsrs::FSRS6_DEFAULT_DECAY);
                    if rng.random::<f32>() < r {
                        1 + pick(&mut rng, &[0.15, 0.7, 0.15])
                    } else {
                        1
                    }
                }
            };
            let elapsed = match (memory, out.last()) {
                (Some(_), Some(last)) => u32::try_from(day - last.day).unwrap_or(0),
                _ => 0,
            };
            out.push(Answer {
                card_id,
                reviewed_at_ms: day * 86_400_000 + 36_000_000 + card as i64,
                day,
                rating,
                duration_ms: 3_000 + i64::from(rating) * 1_000,
                was_new: n == 0,
            });
            let next = match model.next_states(memory, 0.9, elapsed) {
                Ok(next) => next,
                // The default parameters always give usable states; stop the card if not.
                Err(_) => break,
            };
            let chosen = match rating {
                1 => next.again,
                2 => next.hard,
                3 => next.good,
                _ => next.easy,
            };
            memory = Some(chosen.memory);
            day += (chosen.interval.round() as i64).max(1);
        }
    }
    out
}

/// Index 1-based of the share drawn.
fn pick(rng: &mut ChaCha8Rng, shares: &[f32]) -> u8 {
    let mut x = rng.random::<f32>();
    for (i, share) in shares.iter().enumerate() {
        if x < *share {
            return i as u8 + 1;
        }
        x -= share;
    }
    shares.len() as u8
}
