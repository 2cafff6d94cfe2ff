//! PURE replay: a card's state rebuilt from its review log.
//!
//! The log is the source of truth. Replaying starts from a new card and feeds each logged
//! answer through the scheduler and settings it was made with; re-drill and cram answers
//! change nothing; imported history (from Anki) carries the state the other program gave the
//! card, which is adopted as it stands, and so does a `reschedule` row (a scheduler switch
//! moving a due date). Before an FSRS answer, a card answered before with no memory state gets
//! the fold of its answers so far ([`super::fsrs::with_memory`]), as the review does. Where
//! the scheduler changes between rows (the collection switched), the state is converted
//! ([`super::convert`]). `check` compares the result with the stored card.

use super::{Answer, CardState, Moment, Quality, SchedulerKind, Settings};
use crate::clock::DayNumber;
use crate::error::Result;

/// Why an answer was logged, which decides whether it moved the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReviewKind {
    /// A scheduling answer: the card's state moved.
    Schedule,
    /// A re-drill later in the same session (Wozniak's step 7): logged, no state change.
    Drill,
    /// Studied ahead or outside the schedule: logged, no state change, not in statistics.
    Cram,
    /// History brought in from another program, with the state it gave the card.
    Import,
    /// A due date moved by a scheduler switch with `--reschedule`: no answer, the logged
    /// state is adopted, not study.
    Reschedule,
}

impl ReviewKind {
    /// Every kind, in declaration order (a test checks that none is missing).
    pub const ALL: [ReviewKind; 5] = [
        ReviewKind::Schedule,
        ReviewKind::Drill,
        ReviewKind::Cram,
        ReviewKind::Import,
        ReviewKind::Reschedule,
    ];

    /// The activity rule, the one place it is written: answers of this kind count as study
    /// (answers per day, heatmap, streak, time spent, hours, "answered today"). Cram never
    /// counts, and neither does a reschedule (no answer). The store builds its SQL list of
    /// kinds from this (`store::ACTIVITY_KINDS`).
    pub fn is_activity(self) -> bool {
        !matches!(self, ReviewKind::Cram | ReviewKind::Reschedule)
    }

    /// An answer that is part of the card's memory: a scheduling or imported answer (its
    /// grade and day are what FSRS folds; its day is the "previous answer" of the next).
    pub fn is_answer(self) -> bool {
        matches!(self, ReviewKind::Schedule | ReviewKind::Import)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Schedule => "schedule",
            ReviewKind::Drill => "drill",
            ReviewKind::Cram => "cram",
            ReviewKind::Import => "import",
            ReviewKind::Reschedule => "reschedule",
        }
    }

    pub fn parse(text: &str) -> Option<ReviewKind> {
        Some(match text {
            "schedule" => ReviewKind::Schedule,
            "drill" => ReviewKind::Drill,
            "cram" => ReviewKind::Cram,
            "import" => ReviewKind::Import,
            "reschedule" => ReviewKind::Reschedule,
            _ => return None,
        })
    }
}

/// One logged answer, as replay needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LoggedAnswer {
    pub kind: ReviewKind,
    pub quality: Quality,
    pub day: DayNumber,
    /// Unix seconds.
    pub at: i64,
    pub scheduler: SchedulerKind,
    /// The settings the answer was scheduled with (fuzz, maximum interval): replay uses
    /// these, so changing the config later does not make old answers disagree.
    pub settings: Settings,
    /// The state the log says the card had after this answer.
    pub after: CardState,
}

/// The first logged answer whose recorded outcome differs from what the scheduler gives
/// (`expected`), or that the scheduler could not replay (the reason).
#[derive(Debug, Clone, PartialEq)]
pub struct Divergence {
    pub index: usize,
    pub expected: std::result::Result<CardState, String>,
    pub logged: CardState,
}

/// What a card's past gives its next answer: the state ready for `scheduler` (an FSRS answer
/// to a card with no memory state folds `answers` first) and the moment with the day of
/// the previous answer. `answers`: the card's answers so far (grade, study day), oldest
/// first, as [`ReviewKind::is_answer`] picks them.
pub fn prepare(
    scheduler: SchedulerKind,
    state: &CardState,
    answers: &[(Answer, DayNumber)],
    moment: Moment,
    settings: &Settings,
) -> Result<(CardState, Moment)> {
    let ready = match scheduler {
        SchedulerKind::Fsrs => super::fsrs::with_memory(state, answers, settings)?,
        SchedulerKind::Sm2 | SchedulerKind::Anki => *state,
    };
    let moment = Moment {
        last_day: answers.last().map(|&(_, day)| day),
        ..moment
    };
    Ok((ready, moment))
}

/// Replays `log` (oldest first) for the card whose fuzz is drawn from `card_id` (the fuzz card
/// id, [`Moment::card_id`]: a seeded note's cards do not use their own id); returns the final
/// state, or where the log disagrees with the scheduler. Where the scheduler changes between two rows, the
/// state is converted first ([`super::convert::switched`]: the answers so far replayed
/// through the new scheduler, due date kept), as switching scheduler does to the card.
pub fn replay(card_id: i64, log: &[LoggedAnswer]) -> std::result::Result<CardState, Divergence> {
    let mut state = CardState::new_card();
    let mut answers: Vec<(Answer, DayNumber)> = Vec::with_capacity(log.len());
    for (index, entry) in log.iter().enumerate() {
        if index > 0 && entry.scheduler != log[index - 1].scheduler {
            // The collection switched scheduler between these rows: the card's state is its
            // answers so far replayed through the new one, due date kept.
            state = super::convert::switched(card_id, &log[..index], entry.scheduler, &state)
                .map_err(|e| Divergence {
                    index,
                    expected: Err(e.to_string()),
                    logged: entry.after,
                })?;
        }
        match entry.kind {
            ReviewKind::Drill | ReviewKind::Cram => {}
            ReviewKind::Import | ReviewKind::Reschedule => state = entry.after,
            ReviewKind::Schedule => {
                let moment = Moment {
                    card_id,
                    today: entry.day,
                    now: entry.at,
                    last_day: None,
                };
                let expected = prepare(entry.scheduler, &state, &answers, moment, &entry.settings)
                    .and_then(|(ready, moment)| {
                        entry
                            .scheduler
                            .answer(&ready, entry.quality, &moment, &entry.settings)
                    })
                    .map(|outcome| outcome.state)
                    .map_err(|e| e.to_string());
                match expected {
                    Ok(expected) if expected == entry.after => state = expected,
                    expected => {
                        return Err(Divergence {
                            index,
                            expected,
                            logged: entry.after,
                        });
                    }
                }
            }
        }
        if entry.kind.is_answer() {
            answers.push((Answer::from_quality(entry.quality), entry.day));
        }
    }
    Ok(state)
}

/// One answer of a rebuilt log: the card's state before and after it, and FSRS's predicted
/// recall at the answer.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rederived {
    pub before: CardState,
    pub after: CardState,
    pub retrievability: Option<f32>,
}

/// Works out every answer of `log` (oldest first) again from a new card, as [`replay`] does,
/// but takes the scheduler's outcome instead of comparing it with the logged one: for a log
/// that gained answers from another device (the sync's merge), where the states written
/// before no longer follow. Imported and rescheduled rows still carry their `after`, which
/// is adopted; re-drills and cram change nothing. `card_id` is the card's fuzz card id.
pub fn rederive(card_id: i64, log: &[LoggedAnswer]) -> Result<Vec<Rederived>> {
    rederive_from(card_id, log, 0, CardState::new_card())
}

/// [`rederive`] from row `start` on, the rows before it taken as they are: `state` is the
/// card's state after them. Only their kind, grade and day are read (the answers so far);
/// returns the rows from `start`. The caller keeps to one scheduler from `start - 1` on, or
/// starts at 0, since a switch converts from the whole log.
pub fn rederive_from(
    card_id: i64,
    log: &[LoggedAnswer],
    start: usize,
    state: CardState,
) -> Result<Vec<Rederived>> {
    let mut state = state;
    let mut answers: Vec<(Answer, DayNumber)> = log[..start.min(log.len())]
        .iter()
        .filter(|entry| entry.kind.is_answer())
        .map(|entry| (Answer::from_quality(entry.quality), entry.day))
        .collect();
    let mut out = Vec::with_capacity(log.len().saturating_sub(start));
    for (index, entry) in log.iter().enumerate().skip(start) {
        if index > 0 && entry.scheduler != log[index - 1].scheduler {
            state = super::convert::switched(card_id, &log[..index], entry.scheduler, &state)?;
        }
        let before = state;
        let mut retrievability = None;
        match entry.kind {
            ReviewKind::Drill | ReviewKind::Cram => {}
            ReviewKind::Import | ReviewKind::Reschedule => state = entry.after,
            ReviewKind::Schedule => {
                let moment = Moment {
                    card_id,
                    today: entry.day,
                    now: entry.at,
                    last_day: None,
                };
                let (ready, moment) =
                    prepare(entry.scheduler, &state, &answers, moment, &entry.settings)?;
                let outcome =
                    entry
                        .scheduler
                        .answer(&ready, entry.quality, &moment, &entry.settings)?;
                retrievability = outcome.retrievability;
                state = outcome.state;
            }
        }
        if entry.kind.is_answer() {
            answers.push((Answer::from_quality(entry.quality), entry.day));
        }
        out.push(Rederived {
            before,
            after: state,
            retrievability,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{Due, Phase};
    use proptest::prelude::*;

    #[test]
    fn every_review_kind_is_listed_once_and_reads_back_from_its_name() {
        // The match has no wildcard: a new kind does not compile until it is placed here,
        // and then the assertions fail until `ALL` lists it.
        let place = |kind: ReviewKind| match kind {
            ReviewKind::Schedule => 0,
            ReviewKind::Drill => 1,
            ReviewKind::Cram => 2,
            ReviewKind::Import => 3,
            ReviewKind::Reschedule => 4,
        };
        for (index, kind) in ReviewKind::ALL.into_iter().enumerate() {
            assert_eq!(place(kind), index);
            assert_eq!(ReviewKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ReviewKind::ALL.len(), 5);
    }

    /// Answers a card; each answer is scheduled with fuzz on or off as given, as if the
    /// learner changed the setting between answers.
    fn simulate(card_id: i64, answers: &[(u8, i64, bool)]) -> (Vec<LoggedAnswer>, CardState) {
        let mut state = CardState::new_card();
        let mut log = vec![];
        let mut day = 20_000;
        for &(quality, wait, fuzz) in answers {
            day += wait;
            let quality = Quality::new(quality).unwrap();
            let settings = Settings {
                fuzz,
                ..Settings::default()
            };
            let moment = Moment {
                card_id,
                today: day,
                now: day * 86_400,
                last_day: None,
            };
            state = SchedulerKind::Sm2
                .answer(&state, quality, &moment, &settings)
                .unwrap()
                .state;
            let entry = LoggedAnswer {
                kind: ReviewKind::Schedule,
                quality,
                day,
                at: moment.now,
                scheduler: SchedulerKind::Sm2,
                settings,
                after: state,
            };
            log.push(entry);
            if quality.needs_redrill() {
                log.push(LoggedAnswer {
                    kind: ReviewKind::Drill,
                    quality: Quality::new(4).unwrap(),
                    at: moment.now + 60,
                    ..entry
                });
            }
        }
        (log, state)
    }

    #[test]
    fn an_empty_log_replays_to_a_new_card() {
        assert_eq!(replay(1, &[]), Ok(CardState::new_card()));
    }

    #[test]
    fn a_tampered_row_is_reported_with_its_position() {
        let (mut log, _) = simulate(3, &[(4, 0, true), (4, 1, true), (4, 6, true)]);
        log[1].after.interval_days = 99;
        let err = replay(3, &log).unwrap_err();
        assert_eq!(err.index, 1);
        assert_eq!(err.expected.unwrap().interval_days, 6);
    }

    #[test]
    fn imported_history_is_adopted_and_later_answers_continue_from_it() {
        let imported = CardState {
            phase: Phase::Review,
            due: Due::Day(20_010),
            interval_days: 10,
            ease_permille: 2300,
            repetitions: 3,
            lapses: 1,
            step: 0,
            memory: None,
        };
        let settings = Settings {
            fuzz: false,
            ..Settings::default()
        };
        let import = LoggedAnswer {
            kind: ReviewKind::Import,
            quality: Quality::new(4).unwrap(),
            day: 20_000,
            at: 0,
            scheduler: SchedulerKind::Sm2,
            settings,
            after: imported,
        };
        let moment = Moment {
            card_id: 1,
            today: 20_010,
            now: 0,
            last_day: None,
        };
        let next = SchedulerKind::Sm2
            .answer(&imported, Quality::new(4).unwrap(), &moment, &settings)
            .unwrap()
            .state;
        let answer = LoggedAnswer {
            kind: ReviewKind::Schedule,
            quality: Quality::new(4).unwrap(),
            day: 20_010,
            at: 0,
            scheduler: SchedulerKind::Sm2,
            settings,
            after: next,
        };
        assert_eq!(replay(1, &[import, answer]), Ok(next));
        assert_eq!(next.interval_days, 23);
    }

    proptest! {
        #[test]
        fn replaying_a_cards_review_log_reproduces_its_state_exactly(
            card_id in 1i64..1_000_000,
            answers in proptest::collection::vec((0u8..=5, 0i64..60, any::<bool>()), 0..40),
        ) {
            // Fuzz switched on and off between answers, as a learner may do.
            let (log, state) = simulate(card_id, &answers);
            prop_assert_eq!(replay(card_id, &log), Ok(state));
        }
    }
}
