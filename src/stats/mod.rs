//! PURE statistics over the review log and card states; renderers live beside it.
//!
//! [`compute`] turns plain rows from `store::stats` into one [`compute::Stats`] value; the
//! renderers only read that value: [`terminal`] (aligned tables, bar charts and a block
//! heatmap for 80 columns), [`json`] and [`csv`] (the stable data export described in
//! `docs/stats.md`) and [`html`] (a self-contained report with inline SVG charts).

pub mod compute;
pub mod csv;
pub mod gather; // not pure: reads the store, on two connections, and feeds compute
pub mod html;
pub mod json;
pub mod terminal;

use crate::clock::DayNumber;

/// (current, longest) runs of consecutive study days with at least one answer. The current
/// run counts up to today, or up to yesterday while today has no answers yet.
pub fn streak(days: &[DayNumber], today: DayNumber) -> (i64, i64) {
    let mut longest = 0;
    let mut run = 0;
    let mut previous: Option<DayNumber> = None;
    for &day in days {
        if day > today {
            break;
        }
        run = match previous {
            Some(p) if day == p => run,
            Some(p) if day == p + 1 => run + 1,
            _ => 1,
        };
        longest = longest.max(run);
        previous = Some(day);
    }
    let current = match previous {
        Some(last) if last == today || last + 1 == today => run,
        _ => 0,
    };
    (current, longest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_current_streak_survives_until_the_end_of_the_day_after_the_last_review() {
        assert_eq!(streak(&[1, 2, 3], 3), (3, 3));
        assert_eq!(streak(&[1, 2, 3], 4), (3, 3));
        assert_eq!(streak(&[1, 2, 3], 5), (0, 3));
        assert_eq!(streak(&[1, 2, 5, 6, 7, 8], 8), (4, 4));
        assert_eq!(streak(&[], 8), (0, 0));
    }
}
