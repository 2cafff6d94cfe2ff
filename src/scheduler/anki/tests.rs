//! Tests of Anki's v3 rules: worked examples (Anki's defaults) and properties.

use super::*;
use crate::scheduler::replay::{self, LoggedAnswer, ReviewKind};
use crate::scheduler::{SchedulerKind, Settings};
use proptest::prelude::*;

const TODAY: i64 = 20_000;
const NOW: i64 = TODAY * 86_400 + 9 * 3_600;

fn no_fuzz() -> AnkiSettings {
    AnkiSettings {
        fuzz: false,
        ..AnkiSettings::default()
    }
}

fn moment(card_id: i64) -> Moment {
    Moment {
        card_id,
        today: TODAY,
        now: NOW,
        last_day: None,
    }
}

fn review(interval_days: u32, ease_permille: u32, due: i64) -> CardState {
    CardState {
        phase: Phase::Review,
        due: Due::Day(due),
        interval_days,
        ease_permille,
        repetitions: 5,
        lapses: 0,
        step: 0,
        memory: None,
    }
}

fn days(states: &NextStates) -> [u32; 3] {
    [
        states.hard.state.interval_days,
        states.good.state.interval_days,
        states.easy.state.interval_days,
    ]
}

#[test]
fn a_new_card_climbs_the_steps_1m_10m_then_graduates_to_one_day() {
    let mut card = CardState::new_card();
    let first = answer(&card, Answer::Good, &moment(1), &no_fuzz()).state;
    assert_eq!(
        (first.phase, first.step, first.due),
        (Phase::Learning, 1, Due::At(NOW + 600))
    );
    card = first;
    let graduated = answer(&card, Answer::Good, &moment(1), &no_fuzz()).state;
    assert_eq!(graduated.phase, Phase::Review);
    assert_eq!(graduated.interval_days, 1);
    assert_eq!(graduated.due, Due::Day(TODAY + 1));
    assert_eq!(graduated.ease_permille, 2500);
    assert_eq!(graduated.repetitions, 2);
}

#[test]
fn learning_buttons_give_1m_5m30_10m_and_4_days() {
    let next = next_states(&CardState::new_card(), &moment(1), &no_fuzz());
    assert_eq!(next.again.state.due, Due::At(NOW + 60));
    assert_eq!(next.hard.state.due, Due::At(NOW + 330));
    assert_eq!(next.good.state.due, Due::At(NOW + 600));
    assert_eq!(next.easy.state.interval_days, 4);
    // On the last step, Hard repeats it.
    let last = next.good.state;
    assert_eq!(
        answer(&last, Answer::Hard, &moment(1), &no_fuzz())
            .state
            .due,
        Due::At(NOW + 600)
    );
}

#[test]
fn a_review_on_time_gets_1_2_x_2_5_x_and_2_5_x_1_3_x() {
    let next = next_states(&review(10, 2500, TODAY), &moment(1), &no_fuzz());
    assert_eq!(days(&next), [12, 25, 33]);
    assert_eq!(next.hard.state.ease_permille, 2350);
    assert_eq!(next.good.state.ease_permille, 2500);
    assert_eq!(next.easy.state.ease_permille, 2650);
}

#[test]
fn a_late_review_counts_half_the_days_late_for_good_and_all_for_easy() {
    let next = next_states(&review(10, 2500, TODAY - 4), &moment(1), &no_fuzz());
    // Hard: 10 x 1.2; Good: (10 + 2) x 2.5; Easy: (10 + 4) x 2.5 x 1.3 = 45.5.
    assert_eq!(days(&next), [12, 30, 46]);
}

#[test]
fn an_early_review_counts_as_on_time_but_ahead_uses_the_early_formula() {
    let card = review(10, 2500, TODAY + 5);
    assert_eq!(
        days(&next_states(&card, &moment(1), &no_fuzz())),
        [12, 25, 33]
    );
    let ahead = |a| {
        answer_ahead(&card, a, &moment(1), &no_fuzz())
            .state
            .interval_days
    };
    // Five of ten days elapsed: Hard max(5 x 1.2, 10 x 0.6) = 6; Good max(5 x 2.5, 10) = 12.5;
    // Easy 12.5 x (1.3 - 0.15) = 14.375.
    assert_eq!(
        [
            ahead(Answer::Hard),
            ahead(Answer::Good),
            ahead(Answer::Easy)
        ],
        [6, 13, 14]
    );
}

#[test]
fn a_lapse_relearns_for_10m_loses_0_2_ease_and_returns_with_one_day() {
    let card = review(30, 2500, TODAY);
    let out = answer(&card, Answer::Again, &moment(1), &no_fuzz());
    assert!(out.lapsed);
    let s = out.state;
    assert_eq!(
        (s.phase, s.step, s.due),
        (Phase::Relearning, 0, Due::At(NOW + 600))
    );
    assert_eq!((s.interval_days, s.ease_permille, s.lapses), (1, 2300, 1));
    let hard = answer(&s, Answer::Hard, &moment(1), &no_fuzz()).state;
    assert_eq!(hard.due, Due::At(NOW + 900));
    let good = answer(&s, Answer::Good, &moment(1), &no_fuzz()).state;
    assert_eq!(
        (good.phase, good.interval_days, good.ease_permille),
        (Phase::Review, 1, 2300)
    );
    let easy = answer(&s, Answer::Easy, &moment(1), &no_fuzz()).state;
    assert_eq!(easy.interval_days, 2);
}

#[test]
fn the_ease_never_falls_below_1_3() {
    let out = answer(
        &review(10, 1400, TODAY),
        Answer::Again,
        &moment(1),
        &no_fuzz(),
    );
    assert_eq!(out.state.ease_permille, 1300);
}

#[test]
fn without_steps_answers_graduate_and_lapses_go_straight_to_review() {
    let settings = AnkiSettings {
        learning_steps: Steps::none(),
        relearning_steps: Steps::none(),
        lapse_new_interval_permille: 500,
        ..no_fuzz()
    };
    let good = answer(&CardState::new_card(), Answer::Again, &moment(1), &settings).state;
    assert_eq!((good.phase, good.interval_days), (Phase::Review, 1));
    let lapse = answer(
        &review(30, 2500, TODAY),
        Answer::Again,
        &moment(1),
        &settings,
    )
    .state;
    assert_eq!((lapse.phase, lapse.interval_days), (Phase::Review, 15));
}

#[test]
fn leeches_come_at_the_threshold_and_every_half_threshold_after() {
    let marked: Vec<u32> = (0..20).filter(|&l| leech_threshold_met(l, 8)).collect();
    assert_eq!(marked, vec![8, 12, 16]);
    let odd: Vec<u32> = (0..12).filter(|&l| leech_threshold_met(l, 5)).collect();
    assert_eq!(odd, vec![5, 8, 11]);
    assert!(!(0..50).any(|l| leech_threshold_met(l, 0)));
    let mut card = review(10, 2500, TODAY);
    card.lapses = 7;
    assert!(answer(&card, Answer::Again, &moment(1), &no_fuzz()).became_leech);
}

#[test]
fn the_interval_never_passes_the_maximum() {
    let settings = AnkiSettings {
        maximum_interval_days: 100,
        ..no_fuzz()
    };
    let next = next_states(&review(90, 2500, TODAY), &moment(1), &settings);
    assert_eq!(days(&next), [100, 100, 100]);
}

#[test]
fn steps_are_bounded_and_positive() {
    assert!(Steps::new(&[60; MAX_STEPS + 1]).is_err());
    assert!(Steps::new(&[60, 0]).is_err());
    assert_eq!(Steps::new(&[60, 600]).unwrap().as_slice(), &[60, 600]);
}

#[test]
fn the_registered_scheduler_is_these_rules_with_the_shared_settings() {
    assert_eq!(SchedulerKind::parse("anki").unwrap(), SchedulerKind::Anki);
    assert_eq!(SchedulerKind::Anki.name(), "anki");
    let shared = Settings {
        fuzz: false,
        ..Settings::default()
    };
    let card = review(10, 2500, TODAY);
    let via_kind = SchedulerKind::Anki
        .next_states(&card, &moment(1), &shared)
        .unwrap();
    assert_eq!(via_kind, next_states(&card, &moment(1), &no_fuzz()));
}

/// A card brought to some reachable state by answers over days; returns it with the log.
fn play(card_id: i64, answers: &[(u8, i64, u32, bool)]) -> (CardState, Vec<LoggedAnswer>) {
    let mut card = CardState::new_card();
    let mut log = vec![];
    let mut now = NOW;
    for &(rating, wait_days, wait_secs, fuzz) in answers {
        now += wait_days * 86_400 + i64::from(wait_secs);
        let today = now.div_euclid(86_400);
        let shared = Settings {
            fuzz,
            ..Settings::default()
        };
        let quality = Answer::from_rating(rating).unwrap().quality();
        let moment = Moment {
            card_id,
            today,
            now,
            last_day: None,
        };
        card = SchedulerKind::Anki
            .answer(&card, quality, &moment, &shared)
            .unwrap()
            .state;
        log.push(LoggedAnswer {
            kind: ReviewKind::Schedule,
            quality,
            day: today,
            at: now,
            scheduler: SchedulerKind::Anki,
            settings: shared,
            after: card,
        });
    }
    (card, log)
}

fn answers() -> impl Strategy<Value = Vec<(u8, i64, u32, bool)>> {
    proptest::collection::vec((1u8..=4, 0i64..40, 0u32..3_600, any::<bool>()), 0..30)
}

/// When an outcome is next due, in seconds (a day's due counts from its start).
fn due_secs(outcome: &Outcome) -> i64 {
    match outcome.state.due {
        Due::At(at) => at,
        Due::Day(day) => day * 86_400,
        Due::Unscheduled => i64::MIN,
    }
}

proptest! {
    #[test]
    fn again_hard_good_easy_come_due_in_that_order_with_and_without_fuzz(
        card_id in 1i64..1_000_000,
        history in answers(),
        fuzz in any::<bool>(),
        wait in 0i64..60,
    ) {
        let (card, _) = play(card_id, &history);
        let settings = AnkiSettings { fuzz, ..AnkiSettings::default() };
        let last = match card.due { Due::Day(day) => day, _ => TODAY };
        let moment = Moment { card_id, today: last + wait, now: (last + wait) * 86_400 + 9 * 3_600, last_day: None };
        let next = next_states(&card, &moment, &settings);
        let dues: Vec<i64> = Answer::ALL.iter().map(|a| due_secs(next.get(*a))).collect();
        prop_assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{:?} from {:?}", dues, card);
        if card.phase == Phase::Review {
            let d = days(&next);
            prop_assert!(d[0] < d[1] && d[1] < d[2] || d[2] == settings.maximum_interval_days, "{:?}", d);
        }
    }

    #[test]
    fn replaying_a_cards_log_reproduces_its_state(card_id in 1i64..1_000_000, history in answers()) {
        let (card, log) = play(card_id, &history);
        prop_assert_eq!(replay::replay(card_id, &log), Ok(card));
    }

    #[test]
    fn a_fuzzed_interval_stays_in_ankis_range(
        card_id in 1i64..1_000_000,
        interval in 1u32..2_000,
        ease in 1300u32..3500,
    ) {
        let settings = AnkiSettings::default();
        let card = review(interval, ease, TODAY);
        let good = answer(&card, Answer::Good, &moment(card_id), &settings).state.interval_days;
        let hard = answer(&card, Answer::Hard, &moment(card_id), &settings).state.interval_days;
        let exact = (interval as f32) * ratio(ease);
        let (low, high) = fuzz::anki_bounds(exact, hard + 1, settings.maximum_interval_days);
        prop_assert!((low..=high).contains(&good), "{} not in {}..={} ({})", good, low, high, exact);
        let (low, high) = fuzz::anki_bounds(interval as f32 * 1.2, interval + 1, settings.maximum_interval_days);
        prop_assert!((low..=high).contains(&hard), "hard {} not in {}..={}", hard, low, high);
    }

    #[test]
    fn graduating_with_easy_spreads_over_three_to_five_days(card_id in 1i64..1_000_000) {
        let easy = answer(&CardState::new_card(), Answer::Easy, &moment(card_id), &AnkiSettings::default());
        prop_assert!((3..=5).contains(&easy.state.interval_days));
    }
}
