//! Anki's fuzz ranges, computed as Anki computes them (in `f32`, from the unrounded interval,
//! kept inside the minimum and maximum the answer allows).
//!
//! The spread is 1 day plus 15% of the days between 2.5 and 7, 10% of those between 7 and 20
//! and 5% of those beyond 20; intervals under 2.5 days are not spread. The draw is ours, not
//! Anki's generator: [`crate::scheduler::fuzz::seeded_fraction`] of the card and its answer
//! count, so a replay draws the same day.

/// The spread either side of an interval.
fn delta(interval: f32) -> f32 {
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
pub fn bounds(interval: f32, minimum: u32, maximum: u32) -> (u32, u32) {
    let minimum = minimum.min(maximum);
    let interval = interval.clamp(minimum as f32, maximum as f32);
    let delta = delta(interval);
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
pub fn interval(fraction: Option<f32>, interval: f32, minimum: u32, maximum: u32) -> u32 {
    match fraction {
        Some(fraction) => {
            let (lower, upper) = bounds(interval, minimum, maximum);
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
    fn ranges_are_ankis() {
        assert_eq!(bounds(7.0, 1, 36_500), (5, 9));
        assert_eq!(bounds(17.0, 1, 36_500), (14, 20));
        assert_eq!(bounds(37.0, 1, 36_500), (33, 41));
        assert_eq!(bounds(4.0, 1, 36_500), (3, 5));
        assert_eq!(bounds(2.0, 1, 36_500), (2, 2));
        assert_eq!(bounds(100.0, 1, 36_500), (93, 107));
    }

    #[test]
    fn the_range_stays_inside_the_minimum_and_maximum() {
        // The interval is raised to the minimum first: 8 +- 1.775.
        assert_eq!(bounds(7.0, 8, 36_500), (8, 10));
        // Lowered to the maximum: 6 +- 1.525.
        assert_eq!(bounds(7.0, 1, 6), (4, 6));
        // A one-day range above two days is widened by a day, unless at the maximum.
        assert_eq!(bounds(3.0, 4, 36_500), (4, 5));
        assert_eq!(bounds(3.0, 4, 4), (4, 4));
    }

    #[test]
    fn a_fraction_picks_evenly_across_the_range_and_none_rounds() {
        assert_eq!(interval(Some(0.0), 7.0, 1, 36_500), 5);
        assert_eq!(interval(Some(0.999_999), 7.0, 1, 36_500), 9);
        assert_eq!(interval(Some(1.0), 7.0, 1, 36_500), 9);
        assert_eq!(interval(None, 7.5, 1, 36_500), 8);
        assert_eq!(interval(None, 0.0, 1, 36_500), 1);
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
