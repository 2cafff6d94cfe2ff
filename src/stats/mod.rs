//! PURE statistics over the review log and card states; renderers live beside it.
//!
//! [`compute`] turns plain rows (`records::stats`, read by `store::stats`) into one
//! [`compute::Stats`] value; the renderers only read that value: [`terminal`] (aligned tables,
//! bar charts and a block heatmap for 80 columns), [`json`] and [`csv`] (the stable data
//! export described in `docs/stats.md`) and [`html`] (a self-contained report with inline SVG
//! charts). The current streak's rule is [`current_streak`]; [`gather::current_streak`] runs it
//! on a collection.

pub mod compute;
pub mod csv;
pub mod gather; // not pure: reads the store, on two connections, and feeds compute
pub mod html;
pub mod json;
pub mod terminal;

use crate::clock::DayNumber;

/// The current streak, the one place its rule is written: consecutive study days with an
/// answer that counts as activity, ending today, or yesterday while today has none yet.
/// `latest_active(day)` gives the latest active day on or before `day`; it is asked once per
/// day of the streak and once more, so the store answers it with one index seek each.
pub fn current_streak<E>(
    today: DayNumber,
    mut latest_active: impl FnMut(DayNumber) -> Result<Option<DayNumber>, E>,
) -> Result<i64, E> {
    let mut latest = latest_active(today)?;
    let mut expected = match latest {
        Some(day) if day >= today - 1 => day,
        _ => return Ok(0),
    };
    let mut streak = 0;
    while latest == Some(expected) {
        streak += 1;
        expected -= 1;
        latest = latest_active(expected)?;
    }
    Ok(streak)
}

/// (current, longest) runs of consecutive study days with at least one answer, from the
/// active `days` in ascending order. The current run is [`current_streak`]'s.
pub fn streak(days: &[DayNumber], today: DayNumber) -> (i64, i64) {
    let mut longest = 0;
    let mut run = 0;
    let mut previous: Option<DayNumber> = None;
    for &day in days.iter().take_while(|&&day| day <= today) {
        run = match previous {
            Some(p) if day == p => run,
            Some(p) if day == p + 1 => run + 1,
            _ => 1,
        };
        longest = longest.max(run);
        previous = Some(day);
    }
    let latest_active = |day: DayNumber| {
        let before = days.partition_point(|&active| active <= day);
        Ok::<_, std::convert::Infallible>(before.checked_sub(1).map(|last| days[last]))
    };
    let Ok(current) = current_streak(today, latest_active);
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

    /// Streak cases: (active days, today, current, longest).
    const STREAK_CASES: &[(&[DayNumber], DayNumber, i64, i64)] = &[
        (&[], 8, 0, 0),
        (&[8], 8, 1, 1),
        (&[7], 8, 1, 1),
        (&[6], 8, 0, 1),
        (&[1, 2, 3], 3, 3, 3),
        (&[1, 2, 3], 4, 3, 3),
        (&[1, 2, 3], 5, 0, 3),
        (&[1, 2, 5, 6, 7, 8], 8, 4, 4),
        (&[1, 2, 3, 4, 6, 7], 7, 2, 4),
        (&[1, 2, 3, 4, 6, 7], 8, 2, 4),
        (&[5, 6, 9, 10], 7, 2, 2),
        (&[5, 6, 9, 10], 6, 2, 2),
    ];

    #[test]
    fn the_current_streak_walking_back_is_the_current_run_of_the_whole_history() {
        for &(days, today, current, longest) in STREAK_CASES {
            assert_eq!(
                streak(days, today),
                (current, longest),
                "{days:?} on {today}"
            );
            let mut asked = 0;
            let walked = current_streak(today, |day| {
                asked += 1;
                Ok::<_, ()>(days.iter().rev().find(|&&d| d <= day).copied())
            });
            assert_eq!(walked, Ok(current), "{days:?} on {today}");
            // One question per day of the streak and one more.
            assert_eq!(asked, current.max(0) + 1, "{days:?} on {today}");
        }
    }
}
