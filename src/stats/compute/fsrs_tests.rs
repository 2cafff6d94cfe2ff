//! Tests of the FSRS figures (issue 17): retrievability by tenths and its mean, and when the
//! FSRS figures show at all.

use super::tests::{TODAY, card, clock, context, stats_of};
use super::*;
use crate::scheduler::MemoryState;

/// A review card last answered `elapsed` days ago, due `interval` days after that.
fn remembered(id: i64, stability: f32, interval: u32, elapsed: i64) -> CardRow {
    let mut c = card(id, Phase::Review, interval, 0);
    c.due = Due::Day(TODAY - elapsed + i64::from(interval));
    c.memory = Some(MemoryState {
        stability,
        difficulty: 5.0,
    });
    c
}

#[test]
fn retrievability_counts_unsuspended_cards_with_a_memory_state_by_tenths() {
    let fsrs = crate::scheduler::fsrs::Fsrs::new(&[], 0.9).unwrap();
    let r = |stability: f32, elapsed: f32| {
        f64::from(fsrs.retrievability(
            MemoryState {
                stability,
                difficulty: 5.0,
            },
            elapsed,
        ))
    };
    // A card in its steps counts as answered today: its retrievability is 1.
    let mut learning = card(5, Phase::Relearning, 0, 1);
    learning.due = Due::At(clock().now().timestamp() + 600);
    learning.memory = Some(MemoryState {
        stability: 2.0,
        difficulty: 7.0,
    });
    let mut suspended = remembered(6, 3.0, 3, 3);
    suspended.suspended = true;
    let cards = [
        remembered(1, 10.0, 10, 4),
        remembered(2, 3.0, 5, 40),
        remembered(3, 3.0, 5, 400),
        // Due long ago: the elapsed days run from the last answer, not the due day.
        remembered(4, 30.0, 20, 60),
        learning,
        suspended,
        card(7, Phase::Review, 8, 0),
    ];
    let values = [
        r(10.0, 4.0),
        r(3.0, 40.0),
        r(3.0, 400.0),
        r(30.0, 60.0),
        1.0,
    ];
    let mut expected = vec![0u64; 10];
    for v in values {
        expected[((v * 10.0).floor() as usize).min(9)] += 1;
    }
    assert!(
        expected.iter().filter(|&&n| n > 0).count() >= 3,
        "{expected:?}"
    );
    let stats = stats_of(&[], &cards, Period::Month);
    let got = stats
        .retrievability
        .expect("cards with a memory state show it");
    assert_eq!(got.cards, 5);
    assert_eq!(
        got.buckets.iter().map(|b| b.cards).collect::<Vec<_>>(),
        expected
    );
    let mean = values.iter().sum::<f64>() / 5.0;
    assert!((got.mean.unwrap() - mean).abs() < 1e-8, "{got:?}");
    assert_eq!(
        (
            got.buckets[3].label,
            got.buckets[3].low,
            got.buckets[3].high
        ),
        ("30-40%", 0.3, 0.4)
    );
    // Shown, so the desired retention is shown beside the true retention.
    assert_eq!(stats.retention.desired, Some(0.9));
    assert_eq!(stats.retention.achieved, stats.period_totals.retention);
}

#[test]
fn fsrs_figures_show_when_fsrs_is_active_or_a_card_remembers() {
    let clock = clock();
    let plain = [card(1, Phase::Review, 5, 0)];
    for (active, cards_in, shown) in [
        (false, &plain[..], false),
        (true, &plain[..], true),
        (false, &[remembered(2, 4.0, 4, 2)][..], true),
    ] {
        let mut cards = CardSummary::new(clock, 8);
        for c in cards_in {
            cards.add(c);
        }
        let mut log = LogSummary::new(clock, None);
        let activity = log.activity();
        let context = Context {
            fsrs_active: active,
            desired_retention_permyriad: 8700,
            ..context(Period::All)
        };
        let stats = build(&context, log, cards, &activity, &HashMap::new());
        assert_eq!(
            stats.retrievability.is_some(),
            shown,
            "{active} {cards_in:?}"
        );
        assert_eq!(stats.retention.desired, shown.then_some(0.87));
    }
    // Active with no card remembered yet: zero cards, no mean.
    let mut cards = CardSummary::new(clock, 8);
    cards.add(&plain[0]);
    let mut log = LogSummary::new(clock, None);
    let activity = log.activity();
    let context = Context {
        fsrs_active: true,
        ..context(Period::All)
    };
    let r = build(&context, log, cards, &activity, &HashMap::new()).retrievability;
    assert_eq!(r.as_ref().map(|r| (r.cards, r.mean)), Some((0, None)));
}
