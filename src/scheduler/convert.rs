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

use super::replay::{Divergence, LoggedAnswer, prepare, replay};
use super::{Answer, CardState, Moment, SchedulerKind};
use crate::clock::DayNumber;
use crate::error::Result;

/// The state `target` gives the card from its answers in `log` (oldest first): every
/// scheduling or imported answer answered again through `target` from a new card, with the
/// row's own moment and settings (and, for FSRS, the days since the previous answer: the
/// memory fold). Re-drills, cram and `reschedule` rows are left out. The due date is the one
/// `target` gives from the last answer (what `--reschedule` moves it to). `card_id` is the
/// card id the fuzz is drawn from ([`Moment::card_id`]), as everywhere in this module.
pub fn convert(card_id: i64, log: &[LoggedAnswer], target: SchedulerKind) -> Result<CardState> {
    let mut state = CardState::new_card();
    let mut answers: Vec<(Answer, DayNumber)> = Vec::with_capacity(log.len());
    for entry in log.iter().filter(|entry| entry.kind.is_answer()) {
        let moment = Moment {
            card_id,
            today: entry.day,
            now: entry.at,
            last_day: None,
        };
        let (ready, moment) = prepare(target, &state, &answers, moment, &entry.settings)?;
        state = target
            .answer(&ready, entry.quality, &moment, &entry.settings)?
            .state;
        answers.push((Answer::from_quality(entry.quality), entry.day));
    }
    Ok(state)
}

/// A converted state with the due date of the state before the switch: switching scheduler
/// moves no due date unless the learner asks to reschedule.
pub fn keep_due(converted: CardState, before: &CardState) -> CardState {
    CardState {
        due: before.due,
        ..converted
    }
}

/// The state of a card whose log so far is `log` and whose state is `before`, once the
/// scheduler is `target`: [`convert`] with the due date of `before` kept.
pub fn switched(
    card_id: i64,
    log: &[LoggedAnswer],
    target: SchedulerKind,
    before: &CardState,
) -> Result<CardState> {
    Ok(keep_due(convert(card_id, log, target)?, before))
}

/// Replays `log` (oldest first) for `card_id` under the collection's `active` scheduler:
/// [`replay`] (which converts where the scheduler changes between rows), then, when `active`
/// differs from the last row's scheduler, the conversion to `active`. A card with no rows is
/// new whatever the scheduler. Returns the final state or where the log disagrees.
pub fn replay_under(
    card_id: i64,
    log: &[LoggedAnswer],
    active: SchedulerKind,
) -> std::result::Result<CardState, Divergence> {
    let state = replay(card_id, log)?;
    match log.last() {
        Some(last) if last.scheduler != active => {
            switched(card_id, log, active, &state).map_err(|e| Divergence {
                index: log.len() - 1,
                expected: Err(e.to_string()),
                logged: state,
            })
        }
        _ => Ok(state),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::replay::ReviewKind;
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
                last_day: log.iter().rev().find(|e| e.kind.is_answer()).map(|e| e.day),
            };
            let after = scheduler
                .answer(&state, quality, &moment, &settings)
                .unwrap()
                .state;
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

    const ALL: [SchedulerKind; 3] = [SchedulerKind::Sm2, SchedulerKind::Anki, SchedulerKind::Fsrs];

    fn scheduler() -> impl Strategy<Value = SchedulerKind> {
        prop_oneof![
            Just(SchedulerKind::Sm2),
            Just(SchedulerKind::Anki),
            Just(SchedulerKind::Fsrs)
        ]
    }

    #[test]
    fn a_card_with_no_rows_is_new_under_every_scheduler() {
        for kind in ALL {
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
        let natural = convert(11, &log, SchedulerKind::Anki).unwrap();
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
        // FSRS: the memory state is the fold of the same answers; the due date stays.
        let fsrs = replay_under(11, &log, SchedulerKind::Fsrs).unwrap();
        assert_eq!(fsrs.due, sm2.due);
        assert!(fsrs.memory.is_some() && sm2.memory.is_none());
        assert_eq!(
            fsrs.memory,
            convert(11, &log, SchedulerKind::Fsrs).unwrap().memory
        );
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
            // Switching away keeps the due date, and switching back gives the state again.
            for other in ALL {
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
