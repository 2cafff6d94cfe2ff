//! Interval fuzz: spreads reviews of cards learned together over nearby days.
//!
//! The ranges follow Anki's published behaviour (7 days -> 5..9, 17 -> 14..20, 37 -> 33..41):
//! the spread grows by 15% of the days between 2.5 and 7, 10% of those between 7 and 20,
//! and 5% of those beyond 20, plus one day. Intervals under 3 days are not fuzzed. The draw
//! comes from a ChaCha generator seeded by card id and repetition count, so the same review
//! replayed gives the same interval, and one draw is mapped monotonically onto every range,
//! so a longer base interval never fuzzes to a shorter one than a shorter base would.
//!
//! Anki's own ranges for the `anki` and `fsrs` schedulers ([`anki_bounds`],
//! [`anki_interval`], [`learning_extra_secs`]) are computed as Anki computes them: in `f32`,
//! from the unrounded interval, kept inside the minimum and maximum the answer allows. SM-2
//! keeps [`bounds`] and [`apply`] on whole days, as its reference test pins them.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The inclusive range a base interval may be fuzzed into.
pub fn bounds(interval_days: u32) -> (u32, u32) {
    if interval_days < 3 {
        return (interval_days, interval_days);
    }
    let interval = f64::from(interval_days);
    let delta = 1.0
        + 0.15 * (interval.min(7.0) - 2.5)
        + 0.10 * (interval.min(20.0) - 7.0).max(0.0)
        + 0.05 * (interval - 20.0).max(0.0);
    let lower = (interval - delta).round().max(2.0);
    let upper = (interval + delta).round();
    // Both are small positive whole numbers (interval ≤ u32::MAX): the casts are exact.
    (lower as u32, upper as u32)
}

/// How many cards a note can have: a card's id is its note's id * this + its ordinal
/// (`model::CARDS_PER_NOTE`, which a test holds equal).
pub const CARDS_PER_NOTE: i64 = 64;

/// The number a card's fuzz is drawn from: note * 2 + ordinal, the card's id before migration 6
/// renumbered cards to note * 64 + ordinal, so that answers logged before it replay to the
/// intervals they were given. Two cards of a note with three or more cards may share it with
/// a card of the next note; a seed need not be unique, only the same at every replay.
pub fn fuzz_identity(card_id: i64) -> i64 {
    card_id.div_euclid(CARDS_PER_NOTE) * 2 + card_id.rem_euclid(CARDS_PER_NOTE)
}

/// A number in [0, 1) that is the same for every replay of this card's `repetitions`-th review.
pub fn seeded_fraction(card_id: i64, repetitions: u32) -> f64 {
    let identity = fuzz_identity(card_id);
    let seed = (identity as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(repetitions);
    ChaCha8Rng::seed_from_u64(seed).random::<f64>()
}

/// The fuzzed interval for a base interval and a fraction from [`seeded_fraction`].
pub fn apply(interval_days: u32, fraction: f64) -> u32 {
    let (lower, upper) = bounds(interval_days);
    let span = f64::from(upper - lower + 1);
    let offset = (fraction.clamp(0.0, 1.0) * span).floor().min(span - 1.0);
    lower + offset as u32
}

// Anki's ranges, shared by the `anki` and `fsrs` schedulers.

/// The spread either side of an interval.
fn anki_delta(interval: f32) -> f32 {
    if interval < 2.5 {
        return 0.0;
    }
    const RANGES: [(f32, f32, f32); 3] =
        [(2.5, 7.0, 0.15), (7.0, 20.0, 0.1), (20.0, f32::MAX, 0.05)];
    RANGES.iter().fold(1.0, |delta, &(start, end, factor)| {
        delta + factor * (interval.min(end) - start).max(0.0)
    })
}

/// The inclusive range an interval may be fuzzed into, inside `minimum..=maximum`.
pub fn anki_bounds(interval: f32, minimum: u32, maximum: u32) -> (u32, u32) {
    let minimum = minimum.min(maximum);
    let interval = interval.clamp(minimum as f32, maximum as f32);
    let delta = anki_delta(interval);
    // Both are within 0..=maximum after clamping below: the float-to-int casts saturate.
    let lower = ((interval - delta).round() as u32).clamp(minimum, maximum);
    let mut upper = ((interval + delta).round() as u32).clamp(minimum, maximum);
    if upper == lower && upper > 2 && upper < maximum {
        upper = lower + 1;
    }
    (lower, upper)
}

/// The interval in days: fuzzed with `fraction` (in 0..1) when given, otherwise rounded, and
/// kept inside `minimum..=maximum` (`minimum` at most `maximum`).
pub fn anki_interval(fraction: Option<f32>, interval: f32, minimum: u32, maximum: u32) -> u32 {
    match fraction {
        Some(fraction) => {
            let (lower, upper) = anki_bounds(interval, minimum, maximum);
            let picked = (lower as f32 + fraction * (1 + upper - lower) as f32).floor() as u32;
            // A fraction that rounded up to 1.0 in f32 would step past the range.
            picked.min(upper)
        }
        // Saturating cast of a non-negative interval, then clamped.
        None => (interval.round() as u32).clamp(minimum, maximum),
    }
}

/// Extra seconds for a learning step: up to 25% of it, at most five minutes, as Anki spreads
/// its learning cards.
pub fn learning_extra_secs(fraction: Option<f32>, secs: u32) -> u32 {
    let spread = ((secs as f32) * 0.25).min(300.0).floor() as u32;
    match fraction {
        Some(fraction) if spread > 0 => ((fraction * spread as f32).floor() as u32).min(spread - 1),
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_match_ankis_published_examples() {
        assert_eq!(bounds(7), (5, 9));
        assert_eq!(bounds(17), (14, 20));
        assert_eq!(bounds(37), (33, 41));
    }

    #[test]
    fn intervals_under_three_days_are_not_fuzzed() {
        assert_eq!(bounds(1), (1, 1));
        assert_eq!(bounds(2), (2, 2));
        assert_eq!(apply(2, 0.99), 2);
    }

    #[test]
    fn the_same_card_and_repetition_always_draw_the_same_fraction() {
        assert_eq!(seeded_fraction(42, 3), seeded_fraction(42, 3));
        assert_ne!(seeded_fraction(42, 3), seeded_fraction(42, 4));
        assert_ne!(seeded_fraction(42, 3), seeded_fraction(43, 3));
    }

    #[test]
    fn a_fraction_maps_into_the_range_and_covers_both_ends() {
        assert_eq!(apply(7, 0.0), 5);
        assert_eq!(apply(7, 0.999_999), 9);
        for i in 0..100 {
            let f = f64::from(i) / 100.0;
            let fuzzed = apply(37, f);
            assert!((33..=41).contains(&fuzzed));
        }
    }

    #[test]
    fn fuzz_spreads_a_cohort_of_cards_over_several_days() {
        let days: std::collections::BTreeSet<u32> = (0..200)
            .map(|id| apply(17, seeded_fraction(id, 3)))
            .collect();
        assert!(days.len() >= 5, "only {days:?}");
    }

    // Anki's ranges.

    #[test]
    fn ranges_are_ankis() {
        assert_eq!(anki_bounds(7.0, 1, 36_500), (5, 9));
        assert_eq!(anki_bounds(17.0, 1, 36_500), (14, 20));
        assert_eq!(anki_bounds(37.0, 1, 36_500), (33, 41));
        assert_eq!(anki_bounds(4.0, 1, 36_500), (3, 5));
        assert_eq!(anki_bounds(2.0, 1, 36_500), (2, 2));
        assert_eq!(anki_bounds(100.0, 1, 36_500), (93, 107));
    }

    #[test]
    fn the_range_stays_inside_the_minimum_and_maximum() {
        // The interval is raised to the minimum first: 8 +- 1.775.
        assert_eq!(anki_bounds(7.0, 8, 36_500), (8, 10));
        // Lowered to the maximum: 6 +- 1.525.
        assert_eq!(anki_bounds(7.0, 1, 6), (4, 6));
        // A one-day range above two days is widened by a day, unless at the maximum.
        assert_eq!(anki_bounds(3.0, 4, 36_500), (4, 5));
        assert_eq!(anki_bounds(3.0, 4, 4), (4, 4));
    }

    #[test]
    fn a_fraction_picks_evenly_across_the_range_and_none_rounds() {
        assert_eq!(anki_interval(Some(0.0), 7.0, 1, 36_500), 5);
        assert_eq!(anki_interval(Some(0.999_999), 7.0, 1, 36_500), 9);
        assert_eq!(anki_interval(Some(1.0), 7.0, 1, 36_500), 9);
        assert_eq!(anki_interval(None, 7.5, 1, 36_500), 8);
        assert_eq!(anki_interval(None, 0.0, 1, 36_500), 1);
    }

    #[test]
    fn learning_steps_spread_by_a_quarter_up_to_five_minutes() {
        assert_eq!(learning_extra_secs(None, 600), 0);
        assert_eq!(learning_extra_secs(Some(0.999), 60), 14);
        assert_eq!(learning_extra_secs(Some(0.999), 600), 149);
        assert_eq!(learning_extra_secs(Some(0.999), 86_400), 299);
        assert_eq!(learning_extra_secs(Some(0.5), 2), 0);
    }
}
