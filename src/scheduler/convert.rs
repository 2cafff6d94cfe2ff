//! PURE conversion between schedulers: a card's state under another scheduler, from its log.
//!
//! A card's state is the replay of its log under the collection's active scheduler. Replay
//! feeds each row through the scheduler that made it; where the scheduler changes between
//! rows, or after the last row when the active scheduler differs from it, the state is
//! converted ([`convert`]): the card's answers so far (scheduling and imported rows: grade,
//! study day, instant and the settings each was made with) are answered again through the new
//! scheduler from a new card, and the due date of the state before is kept ([`keep_due`]).
//! So switching scheduler writes no row per card, `check` agrees after any number of
//! switches ([`replay_under`]), and nothing is deleted from the log; only moving due dates
//! (`config set scheduler ... --reschedule`) writes rows, whose state replay adopts.

use super::replay::{Divergence, LoggedAnswer, ReviewKind, replay};
use super::{CardState, Moment, SchedulerKind};

/// The state `target` gives the card from its answers in `log` (oldest first): every
/// scheduling or imported answer answered again through `target` from a new card, with the
/// row's own moment and settings. Re-drills, cram and any other row are left out. The due
/// date is the one `target` gives from the last answer (what `--reschedule` moves it to).
pub fn convert(card_id: i64, log: &[LoggedAnswer], target: SchedulerKind) -> CardState {
    let mut state = CardState::new_card();
    for entry in log.iter().filter(|entry| entry.kind.is_answer()) {
        let moment = Moment {
            card_id,
            today: entry.day,
            now: entry.at,
        };
        state = target
            .answer(&state, entry.quality, &moment, &entry.settings)
            .state;
    }
    state
}

/// A converted state with the due date of the state before the switch: switching scheduler
/// moves no due date unless the learner asks to reschedule.
pub fn keep_due(converted: CardState, before: &CardState) -> CardState {
    CardState {
        due: before.due,
        ..converted
    }
}

/// Replays `log` (oldest first) for `card_id` under the collection's `active` scheduler:
/// runs of rows made by one scheduler replay as [`replay`] does; where the scheduler changes
/// between rows, and after the last row when `active` differs from it, the state is
/// converted ([`convert`], keeping the due date). A card with no rows is new whatever the
/// scheduler. Returns the final state or where the log disagrees with the replay.
pub fn replay_under(
    card_id: i64,
    log: &[LoggedAnswer],
    active: SchedulerKind,
) -> Result<CardState, Divergence> {
    let mut state = CardState::new_card();
    let mut start = 0;
    while start < log.len() {
        let scheduler = log[start].scheduler;
        let end = log[start..]
            .iter()
            .position(|entry| entry.scheduler != scheduler)
            .map_or(log.len(), |n| start + n);
        if start > 0 {
            state = keep_due(convert(card_id, &log[..start], scheduler), &state);
        }
        state = replay_from(card_id, state, &log[start..end]).map_err(|d| Divergence {
            index: start + d.index,
            ..d
        })?;
        start = end;
    }
    match log.last() {
        Some(last) if last.scheduler != active => {
            Ok(keep_due(convert(card_id, log, active), &state))
        }
        _ => Ok(state),
    }
}

/// [`replay`] starting from `state` rather than a new card: a leading row that continues
/// from it is checked against it. `replay` starts from a new card, so a run after a switch is
/// replayed by treating the converted state as adopted (an import row of the state before).
fn replay_from(
    card_id: i64,
    state: CardState,
    run: &[LoggedAnswer],
) -> Result<CardState, Divergence> {
    if state == CardState::new_card() {
        return replay(card_id, run);
    }
    let Some(first) = run.first() else {
        return Ok(state);
    };
    let mut with_start = Vec::with_capacity(run.len() + 1);
    with_start.push(LoggedAnswer {
        kind: ReviewKind::Import,
        after: state,
        ..*first
    });
    with_start.extend_from_slice(run);
    replay(card_id, &with_start).map_err(|d| Divergence {
        index: d.index.saturating_sub(1),
        ..d
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{Due, Phase, Quality, Settings};
    use proptest::prelude::*;

    /// Answers a card through each (scheduler, quality, days waited), logging each answer as
    /// the review would: the state before an answer is the replay under that answer's
    /// scheduler (a switch converted the card).
    fn simulate(card_id: i64, answers: &[(SchedulerKind, u8, i64)]) -> Vec<LoggedAnswer> {
        let mut log: Vec<LoggedAnswer> = vec![];
        let mut day = 20_000;
        for &(scheduler, quality, wait) in answers {
            day += wait;
            let state = replay_under(card_id, &log, scheduler).unwrap();
            let quality = Quality::new(quality).unwrap();
            let settings = Settings::default();
            let moment = Moment {
                card_id,
                today: day,
                now: day * 86_400 + 3_600,
            };
            let after = scheduler.answer(&state, quality, &moment, &settings).state;
            log.push(LoggedAnswer {
                kind: ReviewKind::Schedule,
                quality,
                day,
                at: moment.now,
                scheduler,
                settings,
                after,
            });
        }
        log
    }

    fn scheduler() -> impl Strategy<Value = SchedulerKind> {
        prop_oneof![Just(SchedulerKind::Sm2), Just(SchedulerKind::Anki)]
    }

    #[test]
    fn a_card_with_no_rows_is_new_under_every_scheduler() {
        for kind in [SchedulerKind::Sm2, SchedulerKind::Anki] {
            assert_eq!(replay_under(7, &[], kind), Ok(CardState::new_card()));
        }
    }

    #[test]
    fn switching_keeps_the_due_date_and_takes_the_rest_from_the_new_schedulers_replay() {
        let log = simulate(
            11,
            &[
                (SchedulerKind::Sm2, 4, 0),
                (SchedulerKind::Sm2, 4, 1),
                (SchedulerKind::Sm2, 2, 6),
                (SchedulerKind::Sm2, 5, 1),
            ],
        );
        let sm2 = replay_under(11, &log, SchedulerKind::Sm2).unwrap();
        let anki = replay_under(11, &log, SchedulerKind::Anki).unwrap();
        let natural = convert(11, &log, SchedulerKind::Anki);
        assert_eq!(anki.due, sm2.due);
        assert_eq!(
            anki,
            CardState {
                due: sm2.due,
                ..natural
            }
        );
        // Anki's rules put a forgotten card through relearning steps and count its lapse.
        assert_eq!(natural.lapses, 1);
        assert_eq!(natural.repetitions, 4, "Anki counts every answer");
        assert_ne!(natural.ease_permille, sm2.ease_permille);
        assert!(matches!(natural.due, Due::Day(_)));
        assert_eq!(natural.phase, Phase::Review);
    }

    #[test]
    fn a_tampered_row_after_a_switch_is_reported_at_its_index() {
        let mut log = simulate(
            5,
            &[
                (SchedulerKind::Sm2, 4, 0),
                (SchedulerKind::Sm2, 4, 1),
                (SchedulerKind::Anki, 4, 6),
                (SchedulerKind::Anki, 4, 9),
            ],
        );
        log[3].after.interval_days += 5;
        let err = replay_under(5, &log, SchedulerKind::Anki).unwrap_err();
        assert_eq!(err.index, 3);
        log[3].after.interval_days -= 5;
        log[2].after.ease_permille += 10;
        assert_eq!(
            replay_under(5, &log, SchedulerKind::Anki)
                .unwrap_err()
                .index,
            2
        );
    }

    proptest! {
        #[test]
        fn a_log_made_under_switches_replays_under_its_last_scheduler(
            card_id in 1i64..1_000_000,
            answers in proptest::collection::vec((scheduler(), 0u8..=5, 0i64..40), 0..30),
        ) {
            // Each answer was made from the state replay gives under its own scheduler, so
            // every row replays, whatever switches came between them.
            let log = simulate(card_id, &answers);
            let last = log.last().map_or(SchedulerKind::Sm2, |entry| entry.scheduler);
            let state = log.last().map_or(CardState::new_card(), |e| e.after);
            prop_assert_eq!(replay_under(card_id, &log, last), Ok(state));
            // Switching away and back changes nothing: the conversion is a function of the
            // log, and the due date carried over is the one replay gives.
            for other in [SchedulerKind::Sm2, SchedulerKind::Anki] {
                let away = replay_under(card_id, &log, other).unwrap();
                prop_assert_eq!(away.due, state.due);
            }
        }

        #[test]
        fn a_log_of_one_scheduler_replays_as_before(
            card_id in 1i64..1_000_000,
            answers in proptest::collection::vec((0u8..=5, 0i64..40), 0..30),
        ) {
            let answers: Vec<_> = answers.into_iter().map(|(q, w)| (SchedulerKind::Sm2, q, w)).collect();
            let log = simulate(card_id, &answers);
            prop_assert_eq!(replay_under(card_id, &log, SchedulerKind::Sm2), replay(card_id, &log));
        }
    }
}
