//! PURE: bringing review history from another program into a card's log.
//!
//! Two kinds of history arrive here:
//! - a review log (FSRS/Anki revlog CSV): bare answers, which are *replayed* through the
//!   active scheduler and logged as `schedule` rows, exactly as if the learner had given
//!   them in jargon: `replay::prepare` first (an FSRS answer to a card with answers but no
//!   memory state folds them), then the answer, with its retrievability;
//! - an Anki package: answers together with the state Anki gave the card, logged as `import`
//!   rows, whose after-state replay adopts as it stands; the last one carries the card's
//!   imported state.
//!
//! Merging is idempotent: an answer whose instant (to the millisecond) is already in the card's
//! log is recognised as already imported; answers newer than the card's latest row are appended;
//! an answer older than the latest row that is not in the log cannot be inserted into the middle
//! of a history without rewriting it, so it is skipped and counted.

use crate::clock::{Clock, DayNumber};
use crate::records::import::{
    CardHistory, CardWrite, ImportedAnswer, LogRow, MergeCounts, StoredCard,
};
use crate::scheduler::replay::{self, ReviewKind};
use crate::scheduler::{Answer, CardState, Moment, SchedulerKind, Settings};

/// The earliest instant an imported answer or Anki time may have: 2000-01-01T00:00:00Z, in unix
/// milliseconds (Anki appeared in 2006; FSRS logs come from it or later tools).
pub const EARLIEST_MS: i64 = 946_684_800_000;
/// The first instant past the latest an imported time may have: 2100-01-01T00:00:00Z. Far
/// enough for a clock set wrong, near enough that day arithmetic on it cannot overflow.
pub const LATEST_MS: i64 = 4_102_444_800_000;

/// Whether `ms` (unix milliseconds) lies in [`EARLIEST_MS`, `LATEST_MS`).
pub fn plausible_ms(ms: i64) -> bool {
    (EARLIEST_MS..LATEST_MS).contains(&ms)
}

/// Merges histories with the collection's scheduler, settings and clock.
#[derive(Debug, Clone, Copy)]
pub struct Merger<'a> {
    pub scheduler: SchedulerKind,
    pub settings: &'a Settings,
    /// Gives study days of instants (zone and rollover hour) and today, for burying.
    pub clock: &'a Clock,
}

impl Merger<'_> {
    pub fn merge(&self, history: &CardHistory, stored: &StoredCard) -> (CardWrite, MergeCounts) {
        let mut counts = MergeCounts::default();
        let latest = stored.logged_ms.last().copied();
        let mut state = stored.state;
        let mut rows: Vec<LogRow> = vec![];
        // The card's answers so far: FSRS folds them into a memory state when the card has
        // none and reads the previous answer's day from them, as a review does.
        let mut answers = stored.answers.clone();
        for answer in &history.answers {
            if stored
                .logged_ms
                .binary_search(&answer.reviewed_at_ms)
                .is_ok()
            {
                counts.present += 1;
                continue;
            }
            if latest.is_some_and(|last| answer.reviewed_at_ms < last) {
                counts.older += 1;
                continue;
            }
            let at =
                chrono::DateTime::from_timestamp_millis(answer.reviewed_at_ms).unwrap_or_default();
            let day = self.clock.day_of(at);
            let (kind, after, retrievability) =
                self.outcome(stored.fuzz_card_id, answer, &state, &answers, at, day);
            answers.push((Answer::from_quality(answer.quality), day));
            rows.push(LogRow {
                reviewed_at_ms: answer.reviewed_at_ms,
                day,
                quality: answer.quality,
                duration_ms: answer.duration_ms.max(0),
                kind,
                before: state,
                after,
                retrievability,
            });
            state = after;
        }
        counts.added = rows.len();
        // The other program's final word on the card holds once its history is in.
        if let (Some(imported), Some(last)) = (history.state, rows.last_mut())
            && last.kind == ReviewKind::Import
        {
            last.after = imported;
            state = imported;
        }
        let adopted = !rows.is_empty() || stored.fresh;
        let changed = state != stored.state;
        counts.cards = usize::from(changed);
        let write = CardWrite {
            card_id: stored.id,
            rows,
            state: changed.then_some(state),
            suspended: (adopted && history.state.is_some()).then_some(history.suspended),
            buried_day: (adopted && history.buried).then(|| self.clock.today()),
        };
        (write, counts)
    }

    /// What one imported answer does to the card: the other program's state as it stands, or
    /// exactly what a review of this card at this instant does (`replay::prepare`, then the
    /// answer); an unusable stored memory state keeps the card as it is (the answer is
    /// logged, `check` names the card). `fuzz_card_id`: the card id its fuzz is drawn from.
    fn outcome(
        &self,
        fuzz_card_id: i64,
        answer: &ImportedAnswer,
        state: &CardState,
        answers: &[(Answer, DayNumber)],
        at: chrono::DateTime<chrono::Utc>,
        day: DayNumber,
    ) -> (ReviewKind, CardState, Option<f32>) {
        if let Some(after) = answer.after {
            return (ReviewKind::Import, after, None);
        }
        let moment = Moment {
            card_id: fuzz_card_id,
            today: day,
            now: at.timestamp(),
            last_day: None,
        };
        let outcome = replay::prepare(self.scheduler, state, answers, moment, self.settings)
            .and_then(|(ready, moment)| {
                self.scheduler
                    .answer(&ready, answer.quality, &moment, self.settings)
            });
        match outcome {
            Ok(outcome) => (ReviewKind::Schedule, outcome.state, outcome.retrievability),
            Err(_) => (ReviewKind::Schedule, *state, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Zone;
    use crate::scheduler::{Due, Phase, Quality, replay};
    use chrono::{TimeZone, Utc};

    fn clock() -> Clock {
        Clock::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 12, 0, 0).unwrap(),
            Zone::Named(chrono_tz::UTC),
            4,
        )
    }

    fn answer(ms: i64, quality: u8) -> ImportedAnswer {
        ImportedAnswer {
            reviewed_at_ms: ms,
            quality: Quality::new(quality).unwrap(),
            duration_ms: 1500,
            after: None,
        }
    }

    fn history(answers: Vec<ImportedAnswer>) -> CardHistory {
        CardHistory {
            note: 0,
            ord: 0,
            answers,
            state: None,
            suspended: false,
            buried: false,
        }
    }

    const DAY_MS: i64 = 86_400_000;
    const START: i64 = 1_767_268_800_000; // 2026-01-01T12:00Z

    fn logged(write: &CardWrite, scheduler: SchedulerKind) -> Vec<replay::LoggedAnswer> {
        write
            .rows
            .iter()
            .map(|r| replay::LoggedAnswer {
                kind: r.kind,
                quality: r.quality,
                day: r.day,
                at: r.reviewed_at_ms / 1000,
                scheduler,
                settings: Settings::default(),
                after: r.after,
            })
            .collect()
    }

    #[test]
    fn replayed_answers_reproduce_through_the_scheduler_as_check_does() {
        let settings = Settings::default();
        let clock = clock();
        let merger = Merger {
            scheduler: SchedulerKind::Sm2,
            settings: &settings,
            clock: &clock,
        };
        let stored = StoredCard {
            id: 42,
            fuzz_card_id: 42,
            state: CardState::new_card(),
            logged_ms: vec![],
            answers: vec![],
            fresh: true,
        };
        let h = history(vec![
            answer(START, 4),
            answer(START + DAY_MS, 4),
            answer(START + 7 * DAY_MS, 1),
            answer(START + 8 * DAY_MS, 4),
        ]);
        let (write, counts) = merger.merge(&h, &stored);
        assert_eq!((counts.added, counts.present, counts.older), (4, 0, 0));
        assert!(write.rows.iter().all(|r| r.kind == ReviewKind::Schedule));
        let final_state = write.state.unwrap();
        assert_eq!(final_state.lapses, 1);
        let replayed = replay::replay(42, &logged(&write, SchedulerKind::Sm2));
        assert_eq!(replayed, Ok(final_state));
        // Each row starts where the previous one left the card.
        for pair in write.rows.windows(2) {
            assert_eq!(pair[0].after, pair[1].before);
        }
    }

    fn stored_after(id: i64, write: &CardWrite) -> StoredCard {
        StoredCard {
            id,
            fuzz_card_id: id,
            state: write.state.unwrap(),
            logged_ms: write.rows.iter().map(|r| r.reviewed_at_ms).collect(),
            answers: write
                .rows
                .iter()
                .map(|r| (Answer::from_quality(r.quality), r.day))
                .collect(),
            fresh: false,
        }
    }

    #[test]
    fn an_fsrs_replay_after_switching_from_sm2_folds_every_answer_as_check_does() {
        let settings = Settings::default();
        let clock = clock();
        let merger = |scheduler| Merger {
            scheduler,
            settings: &settings,
            clock: &clock,
        };
        let new = StoredCard {
            id: 11,
            fuzz_card_id: 11,
            state: CardState::new_card(),
            logged_ms: vec![],
            answers: vec![],
            fresh: true,
        };
        let early = history(vec![
            answer(START, 4),
            answer(START + DAY_MS, 4),
            answer(START + 6 * DAY_MS, 3),
        ]);
        let (sm2, _) = merger(SchedulerKind::Sm2).merge(&early, &new);
        let mut stored = stored_after(11, &sm2);
        assert_eq!(stored.state.memory, None);
        // `config set scheduler fsrs` in between: the card's state becomes its log's
        // replay under fsrs, due date kept (`scheduler::convert`).
        stored.state = crate::scheduler::convert::switched(
            11,
            &logged(&sm2, SchedulerKind::Sm2),
            SchedulerKind::Fsrs,
            &stored.state,
        )
        .unwrap();
        let later = history(vec![
            answer(START + 20 * DAY_MS, 4),
            answer(START + 45 * DAY_MS, 1),
        ]);
        let (fsrs, counts) = merger(SchedulerKind::Fsrs).merge(&later, &stored);
        assert_eq!(counts.added, 2);
        let mut log = logged(&sm2, SchedulerKind::Sm2);
        log.extend(logged(&fsrs, SchedulerKind::Fsrs));
        let final_state = fsrs.state.unwrap();
        assert_eq!(replay::replay(11, &log), Ok(final_state));
        // The memory is the fold of all five answers, not of the last two.
        let all: Vec<(Answer, DayNumber)> = log
            .iter()
            .map(|l| (Answer::from_quality(l.quality), l.day))
            .collect();
        let fold = crate::scheduler::fsrs::Fsrs::from_settings(&settings)
            .unwrap()
            .memory_of(&crate::scheduler::fsrs::history_of(&all))
            .unwrap();
        assert_eq!(final_state.memory, fold);
    }

    #[test]
    fn fsrs_rows_carry_the_retrievability_at_each_answer() {
        let settings = Settings::default();
        let clock = clock();
        let merger = Merger {
            scheduler: SchedulerKind::Fsrs,
            settings: &settings,
            clock: &clock,
        };
        let stored = StoredCard {
            id: 5,
            fuzz_card_id: 5,
            state: CardState::new_card(),
            logged_ms: vec![],
            answers: vec![],
            fresh: true,
        };
        let h = history(vec![
            answer(START, 4),
            answer(START + 3 * DAY_MS, 4),
            answer(START + 30 * DAY_MS, 4),
        ]);
        let (write, _) = merger.merge(&h, &stored);
        assert_eq!(write.rows[0].retrievability, None);
        let fsrs = crate::scheduler::fsrs::Fsrs::from_settings(&settings).unwrap();
        for pair in write.rows.windows(2) {
            let elapsed = (pair[1].day - pair[0].day) as f32;
            let expected = fsrs.retrievability(pair[0].after.memory.unwrap(), elapsed);
            assert_eq!(pair[1].retrievability, Some(expected));
        }
        assert!(write.rows[2].retrievability < write.rows[1].retrievability);
    }

    #[test]
    fn answers_already_in_the_log_are_recognised_and_newer_ones_appended() {
        let settings = Settings::default();
        let clock = clock();
        let merger = Merger {
            scheduler: SchedulerKind::Sm2,
            settings: &settings,
            clock: &clock,
        };
        let first = history(vec![answer(START, 4), answer(START + DAY_MS, 4)]);
        let fresh = StoredCard {
            id: 7,
            fuzz_card_id: 7,
            state: CardState::new_card(),
            logged_ms: vec![],
            answers: vec![],
            fresh: true,
        };
        let (write, _) = merger.merge(&first, &fresh);
        let stored = StoredCard {
            id: 7,
            fuzz_card_id: 7,
            state: write.state.unwrap(),
            logged_ms: vec![START, START + DAY_MS],
            answers: vec![],
            fresh: false,
        };
        let (again, counts) = merger.merge(&first, &stored);
        assert_eq!((counts.added, counts.present), (0, 2));
        assert!(again.rows.is_empty() && again.state.is_none());

        let longer = history(vec![
            answer(START - DAY_MS, 1),
            answer(START, 4),
            answer(START + DAY_MS, 4),
            answer(START + 7 * DAY_MS, 5),
        ]);
        let (more, counts) = merger.merge(&longer, &stored);
        assert_eq!((counts.added, counts.present, counts.older), (1, 2, 1));
        assert_eq!(more.rows[0].before, stored.state);
    }

    #[test]
    fn an_anki_history_ends_in_the_cards_imported_state() {
        let settings = Settings::default();
        let clock = clock();
        let merger = Merger {
            scheduler: SchedulerKind::Sm2,
            settings: &settings,
            clock: &clock,
        };
        let imported = CardState {
            phase: Phase::Review,
            due: Due::Day(20_500),
            interval_days: 30,
            ease_permille: 2300,
            repetitions: 3,
            lapses: 1,
            step: 0,
            memory: None,
        };
        let mut step = imported;
        step.interval_days = 12;
        let mut h = history(vec![
            ImportedAnswer {
                after: Some(step),
                ..answer(START, 4)
            },
            ImportedAnswer {
                after: Some(step),
                ..answer(START + DAY_MS, 4)
            },
        ]);
        h.state = Some(imported);
        h.suspended = true;
        let stored = StoredCard {
            id: 3,
            fuzz_card_id: 3,
            state: CardState::new_card(),
            logged_ms: vec![],
            answers: vec![],
            fresh: true,
        };
        let (write, counts) = merger.merge(&h, &stored);
        assert_eq!(counts.added, 2);
        assert_eq!(write.rows[1].after, imported);
        assert_eq!(write.state, Some(imported));
        assert_eq!(write.suspended, Some(true));
        assert_eq!(
            replay::replay(3, &logged(&write, SchedulerKind::Sm2)),
            Ok(imported)
        );
    }
}
