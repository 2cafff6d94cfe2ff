//! SM-2 as Wozniak published it, with the additions every mature tool makes.
//!
//! - Quality q in 0..=5. EF' = EF + (0.1 - (5 - q) * (0.08 + (5 - q) * 0.02)), never below 1.3,
//!   applied after every answer (as the `supermemo2` reference does), in thousandths.
//! - q >= 3: I(1) = 1 day, I(2) = 6 days, I(n) = ceil(I(n-1) * EF) with the EF the card had
//!   before this answer (again as `supermemo2` does: EF 2.3, I 12, q 3 gives 28 days).
//! - q < 3: repetitions start again, the card is due tomorrow (I = 1); a review card that is
//!   forgotten counts a lapse and becomes `relearning`, a new one `learning`.
//! - Overdue cards: the learner's real elapsed time is evidence of a stronger memory. When a
//!   card answered Good is overdue, half the days it was late are added to I(n-1) before
//!   multiplying; Easy adds all of them; Hard adds none. On time, this is plain SM-2.
//! - Intervals of 3 days and more are fuzzed ([`super::fuzz`]), then capped at the maximum.
//!
//! Re-drills (Wozniak's step 7) are the session's business: they never reach this module.

use super::MINIMUM_EASE_PERMILLE;
use super::{CardState, Due, Moment, Outcome, Phase, Quality, Settings, fuzz, is_leech};

/// The change SM-2 makes to EF for a quality, in thousandths: +100, 0, -140, -320, -540, -800.
pub fn ease_delta_permille(quality: Quality) -> i64 {
    let miss = 5 - i64::from(quality.value());
    100 - miss * (80 + miss * 20)
}

/// EF after an answer, floored at 1.3.
pub fn next_ease_permille(ease_permille: u32, quality: Quality) -> u32 {
    let ease = i64::from(ease_permille) + ease_delta_permille(quality);
    // Bounded by the floor below and by the old ease + 100 above: fits in u32.
    ease.max(i64::from(MINIMUM_EASE_PERMILLE)) as u32
}

/// ceil(days * ease), exactly.
fn multiply_up(days: u64, ease_permille: u32) -> u64 {
    (days * u64::from(ease_permille)).div_ceil(1000)
}

pub fn answer(
    state: &CardState,
    quality: Quality,
    moment: &Moment,
    settings: &Settings,
) -> Outcome {
    let ease_permille = next_ease_permille(state.ease_permille, quality);
    let maximum = settings.maximum_interval_days.max(1);

    if quality.value() < 3 {
        let lapsed = state.phase == Phase::Review;
        let lapses = state.lapses + u32::from(lapsed);
        let phase = match state.phase {
            Phase::New | Phase::Learning => Phase::Learning,
            Phase::Review | Phase::Relearning => Phase::Relearning,
        };
        let next = CardState {
            phase,
            due: Due::Day(moment.today + 1),
            interval_days: 1,
            ease_permille,
            repetitions: 0,
            lapses,
            step: 0,
            memory: None,
        };
        return Outcome {
            state: next,
            retrievability: None,
            lapsed,
            became_leech: lapsed && is_leech(lapses, settings) && !is_leech(state.lapses, settings),
        };
    }

    let base = match state.repetitions {
        0 => 1,
        1 => 6,
        _ => {
            let late_days = match state.due {
                Due::Day(day) => u64::try_from(moment.today - day).unwrap_or(0),
                _ => 0,
            };
            let credited_late = match quality.value() {
                3 => 0,
                4 => late_days / 2,
                _ => late_days,
            };
            let previous = u64::from(state.interval_days.max(1)) + credited_late;
            multiply_up(previous, state.ease_permille)
        }
    };
    let capped = base.min(u64::from(maximum));
    // Capped by a u32 maximum just above.
    let mut interval_days = capped as u32;
    let repetitions = state.repetitions + 1;
    if settings.fuzz {
        interval_days = fuzz::apply(
            interval_days,
            fuzz::seeded_fraction(moment.card_id, repetitions),
        )
        .min(maximum);
    }
    Outcome {
        state: CardState {
            phase: Phase::Review,
            due: Due::Day(moment.today + i64::from(interval_days)),
            interval_days,
            ease_permille,
            repetitions,
            lapses: state.lapses,
            step: 0,
            memory: None,
        },
        retrievability: None,
        lapsed: false,
        became_leech: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scheduler::{Answer, SchedulerKind};
    use proptest::prelude::*;

    fn no_fuzz() -> Settings {
        Settings {
            fuzz: false,
            ..Settings::default()
        }
    }

    fn on_time(card_id: i64, state: &CardState) -> Moment {
        let today = match state.due {
            Due::Day(d) => d,
            _ => 20_000,
        };
        Moment {
            card_id,
            today,
            now: today * 86_400,
            last_day: None,
        }
    }

    fn q(value: u8) -> Quality {
        Quality::new(value).unwrap()
    }

    fn review_card(ease_permille: u32, interval_days: u32, repetitions: u32) -> CardState {
        CardState {
            phase: Phase::Review,
            due: Due::Day(20_000),
            interval_days,
            ease_permille,
            repetitions,
            lapses: 0,
            step: 0,
            memory: None,
        }
    }

    #[test]
    fn a_card_with_ef_2_3_interval_12_and_3_repetitions_answered_3_gets_ef_2_16_and_28_days() {
        // Reference values from the `supermemo2` package.
        let card = review_card(2300, 12, 3);
        let out = answer(&card, q(3), &on_time(1, &card), &no_fuzz()).state;
        assert_eq!(out.ease_permille, 2160);
        assert_eq!(out.interval_days, 28);
        assert_eq!(out.repetitions, 4);
    }

    #[test]
    fn answering_4_from_new_gives_1_6_15_and_38_days() {
        let mut card = CardState::new_card();
        let mut intervals = vec![];
        for _ in 0..4 {
            card = answer(&card, q(4), &on_time(7, &card), &no_fuzz()).state;
            intervals.push(card.interval_days);
        }
        assert_eq!(intervals, vec![1, 6, 15, 38]);
        assert_eq!(card.ease_permille, 2500);
    }

    #[test]
    fn ease_changes_by_the_published_amounts_for_each_quality() {
        let deltas: Vec<i64> = (0..=5).map(|v| ease_delta_permille(q(v))).collect();
        assert_eq!(deltas, vec![-800, -540, -320, -140, 0, 100]);
    }

    #[test]
    fn a_forgotten_review_card_restarts_relearning_counts_a_lapse_and_is_due_tomorrow() {
        let card = review_card(2500, 15, 3);
        let moment = on_time(1, &card);
        let out = answer(&card, q(1), &moment, &no_fuzz());
        assert!(out.lapsed);
        assert_eq!(out.state.phase, Phase::Relearning);
        assert_eq!(out.state.repetitions, 0);
        assert_eq!(out.state.lapses, 1);
        assert_eq!(out.state.interval_days, 1);
        assert_eq!(out.state.due, Due::Day(moment.today + 1));
        assert_eq!(out.state.ease_permille, 1960);
    }

    #[test]
    fn after_a_lapse_the_intervals_start_again_at_one_then_six_days() {
        let mut card = review_card(2500, 40, 4);
        card = answer(&card, q(0), &on_time(1, &card), &no_fuzz()).state;
        card = answer(&card, q(4), &on_time(1, &card), &no_fuzz()).state;
        assert_eq!((card.phase, card.interval_days), (Phase::Review, 1));
        card = answer(&card, q(4), &on_time(1, &card), &no_fuzz()).state;
        assert_eq!(card.interval_days, 6);
    }

    #[test]
    fn a_failed_new_card_is_learning_and_not_a_lapse() {
        let out = answer(
            &CardState::new_card(),
            q(2),
            &on_time(1, &CardState::new_card()),
            &no_fuzz(),
        );
        assert_eq!(out.state.phase, Phase::Learning);
        assert!(!out.lapsed);
        assert_eq!(out.state.lapses, 0);
    }

    #[test]
    fn the_eighth_lapse_makes_a_leech_and_the_ninth_does_not_announce_it_again() {
        let mut card = review_card(1300, 10, 3);
        card.lapses = 7;
        let out = answer(&card, q(1), &on_time(1, &card), &no_fuzz());
        assert!(out.became_leech);
        let mut again = review_card(1300, 10, 3);
        again.lapses = 8;
        assert!(!answer(&again, q(1), &on_time(1, &again), &no_fuzz()).became_leech);
    }

    #[test]
    fn intervals_never_exceed_the_maximum() {
        let card = review_card(2500, 30_000, 9);
        let settings = Settings {
            maximum_interval_days: 36_500,
            ..Settings::default()
        };
        let out = answer(&card, q(5), &on_time(1, &card), &settings).state;
        assert_eq!(out.interval_days, 36_500);
    }

    #[test]
    fn an_overdue_card_answered_good_gets_credit_for_half_the_days_it_was_late() {
        let card = review_card(2500, 10, 3);
        let moment = Moment {
            card_id: 1,
            today: 20_020,
            now: 0,
            last_day: None,
        };
        let states = SchedulerKind::Sm2
            .next_states(&card, &moment, &no_fuzz())
            .unwrap();
        assert_eq!(states.hard.state.interval_days, 25);
        assert_eq!(states.good.state.interval_days, 50);
        assert_eq!(states.easy.state.interval_days, 75);
    }

    #[test]
    fn fuzz_keeps_an_interval_inside_its_range_and_is_the_same_on_replay() {
        let card = review_card(2500, 15, 3);
        let fuzzed = answer(&card, q(4), &on_time(99, &card), &Settings::default()).state;
        assert!(
            (35..=41).contains(&fuzzed.interval_days),
            "{}",
            fuzzed.interval_days
        );
        let again = answer(&card, q(4), &on_time(99, &card), &Settings::default()).state;
        assert_eq!(fuzzed, again);
    }

    fn any_state() -> impl Strategy<Value = CardState> {
        (
            prop_oneof![
                Just(Phase::New),
                Just(Phase::Learning),
                Just(Phase::Review),
                Just(Phase::Relearning)
            ],
            0u32..5000,
            1300u32..4000,
            0u32..20,
            0u32..20,
            -50i64..50,
        )
            .prop_map(
                |(phase, interval_days, ease_permille, repetitions, lapses, due_offset)| {
                    CardState {
                        phase,
                        due: if phase == Phase::New {
                            Due::Unscheduled
                        } else {
                            Due::Day(20_000 + due_offset)
                        },
                        interval_days,
                        ease_permille,
                        repetitions: if phase == Phase::New { 0 } else { repetitions },
                        lapses,
                        step: 0,
                        memory: None,
                    }
                },
            )
    }

    proptest! {
        #[test]
        fn ease_never_falls_below_1_3(state in any_state(), qualities in proptest::collection::vec(0u8..=5, 1..30)) {
            let mut card = state;
            for (i, value) in qualities.into_iter().enumerate() {
                let moment = Moment { card_id: 5, today: 20_000 + i as i64, now: 0, last_day: None };
                card = answer(&card, q(value), &moment, &Settings::default()).state;
                prop_assert!(card.ease_permille >= MINIMUM_EASE_PERMILLE);
            }
        }

        #[test]
        fn intervals_are_ordered_again_hard_good_easy(state in any_state(), card_id in 0i64..10_000, fuzz in any::<bool>()) {
            let settings = Settings { fuzz, ..Settings::default() };
            let moment = Moment { card_id, today: 20_000, now: 0, last_day: None };
            let next = SchedulerKind::Sm2.next_states(&state, &moment, &settings).unwrap();
            let days: Vec<u32> = Answer::ALL.iter().map(|a| next.get(*a).state.interval_days).collect();
            prop_assert!(days.windows(2).all(|w| w[0] <= w[1]), "{:?}", days);
        }
    }
}
