//! Interval fuzz: spreads reviews of cards learned together over nearby days.
//!
//! The ranges follow Anki's published behaviour (7 days -> 5..9, 17 -> 14..20, 37 -> 33..41):
//! the spread grows by 15% of the days between 2.5 and 7, 10% of those between 7 and 20,
//! and 5% of those beyond 20, plus one day. Intervals under 3 days are not fuzzed. The draw
//! comes from a ChaCha generator seeded by card id and repetition count, so the same review
//! replayed gives the same interval, and one draw is mapped monotonically onto every range,
//! so a longer base interval never fuzzes to a shorter one than a shorter base would.

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

/// A number in [0, 1) that is the same for every replay of this card's `repetitions`-th review.
pub fn seeded_fraction(card_id: i64, repetitions: u32) -> f64 {
    let seed = (card_id as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ u64::from(repetitions);
    ChaCha8Rng::seed_from_u64(seed).random::<f64>()
}

/// The fuzzed interval for a base interval and a fraction from [`seeded_fraction`].
pub fn apply(interval_days: u32, fraction: f64) -> u32 {
    let (lower, upper) = bounds(interval_days);
    let span = f64::from(upper - lower + 1);
    let offset = (fraction.clamp(0.0, 1.0) * span).floor().min(span - 1.0);
    lower + offset as u32
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
}
