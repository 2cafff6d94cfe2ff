//! The learner's log as the memory functions read it: each logged answer that graded a card on
//! its schedule (jargon's `schedule` rows, and `import` rows brought from Anki or a review
//! log) becomes an [`Answer`]; cram answers, SM-2's same-day re-drills and `reschedule` rows
//! (a due date moved by a scheduler switch, no grade) are left out.

use super::Answer;
use crate::records::export::ReviewRow;
use crate::scheduler::Phase;
use crate::scheduler::replay::ReviewKind;

/// Whether a logged row is a graded answer on the card's schedule.
pub fn counts(row: &ReviewRow) -> bool {
    matches!(row.kind, ReviewKind::Schedule | ReviewKind::Import)
}

/// The answer a counted row is (see [`counts`]).
pub fn answer(row: &ReviewRow) -> Answer {
    Answer {
        card_id: row.card_id,
        reviewed_at_ms: row.reviewed_at_ms,
        day: row.day,
        rating: row.quality.rating(),
        duration_ms: row.duration_ms,
        was_new: row.before.phase == Phase::New,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{CardState, Quality};

    fn row(kind: ReviewKind, quality: u8, before: Phase) -> ReviewRow {
        let mut state = CardState::new_card();
        state.phase = before;
        ReviewRow {
            id: 1,
            card_id: 64,
            reviewed_at_ms: 1_700_000_000_000,
            day: 19_676,
            quality: Quality::new(quality).unwrap(),
            duration_ms: 4_000,
            kind,
            scheduler_name: "sm2",
            fuzz: false,
            maximum_interval_days: 36_500,
            before: state,
            after: state,
            retrievability: None,
            settings_id: None,
        }
    }

    #[test]
    fn only_graded_answers_on_the_schedule_count() {
        for (kind, counted) in [
            (ReviewKind::Schedule, true),
            (ReviewKind::Import, true),
            (ReviewKind::Drill, false),
            (ReviewKind::Cram, false),
            (ReviewKind::Reschedule, false),
        ] {
            assert_eq!(counts(&row(kind, 4, Phase::Review)), counted, "{kind:?}");
        }
        let first = answer(&row(ReviewKind::Schedule, 1, Phase::New));
        assert_eq!((first.rating, first.was_new), (1, true));
        let later = answer(&row(ReviewKind::Import, 5, Phase::Review));
        assert_eq!((later.rating, later.was_new, later.day), (4, false, 19_676));
    }
}
