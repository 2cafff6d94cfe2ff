//! Small but complete [`Stats`] values for the renderers' tests.

use super::*;
use crate::scheduler::{INITIAL_EASE_PERMILLE, MemoryState};

/// The figures of a collection whose log is `rows` and whose started cards are `cards`
/// (with `total` cards in all), on the sample's day, over all time.
pub fn stats_from(rows: &[LogRow], cards_in: &[CardRow], total: u64) -> Stats {
    let now = DateTime::parse_from_rfc3339("2024-10-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = Clock::new(now, Zone::Named(chrono_tz::UTC), 4);
    let mut log = LogSummary::new(clock, None);
    for row in rows {
        log.add(row);
    }
    let mut cards = CardSummary::new(clock, 8);
    for card in cards_in {
        cards.add(card);
    }
    cards.set_total_cards(total);
    let activity = log.activity();
    let context = Context {
        clock,
        period: Period::All,
        deck: None,
        rollover_hour: 4,
        fsrs_active: false,
        desired_retention_permyriad: 9000,
    };
    build(&context, log, cards, &activity, &HashMap::new())
}

/// A day's first answer to a new card and its first review (young), both Good, with the
/// card now in review due tomorrow: the smallest history there is.
pub fn tiny_stats() -> Stats {
    let today: DayNumber = 20_000;
    let row = |day: DayNumber, phase: Phase, interval: u32| LogRow {
        card_id: 1,
        day,
        reviewed_at_ms: day * 86_400_000 + 9 * 3_600_000,
        quality: Quality::new(4).unwrap(),
        duration_ms: 3_000,
        kind: ReviewKind::Schedule,
        phase_before: phase,
        interval_before_days: interval,
    };
    let card = CardRow {
        card_id: 1,
        phase: Phase::Review,
        due: Due::Day(today + 1),
        interval_days: 6,
        ease_permille: INITIAL_EASE_PERMILLE,
        lapses: 0,
        suspended: false,
        memory: None,
    };
    stats_from(
        &[row(today - 1, Phase::New, 0), row(today, Phase::Review, 1)],
        &[card],
        40,
    )
}

pub fn sample_stats() -> Stats {
    let now = DateTime::parse_from_rfc3339("2024-10-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let clock = Clock::new(now, Zone::Named(chrono_tz::UTC), 4);
    let today = clock.today();
    let log = sample_log(clock);
    let cards = sample_cards(clock);
    let info = sample_info(&cards);
    let mut activity = log.clone().activity();
    activity.active_days.insert(0, today - 40);
    activity.recent.insert(
        0,
        DayActivity {
            day: today - 40,
            answers: 12,
        },
    );
    let context = Context {
        clock,
        period: Period::All,
        deck: Some("ML & <stats>".into()),
        rollover_hour: 4,
        fsrs_active: true,
        desired_retention_permyriad: 9000,
    };
    build(&context, log, cards, &activity, &info)
}

/// Five answers, one of each sort, on each of the last three days.
fn sample_log(clock: Clock) -> LogSummary {
    let today = clock.today();
    let mut log = LogSummary::new(clock, None);
    let mut id = 0;
    for back in [2i64, 1, 0] {
        for (q, phase, interval) in [
            (4, Phase::New, 0),
            (1, Phase::Learning, 0),
            (4, Phase::Review, 3),
            (1, Phase::Review, 30),
            (5, Phase::Review, 40),
        ] {
            id += 1;
            log.add(&LogRow {
                card_id: id,
                day: today - back,
                reviewed_at_ms: (today - back) * 86_400_000 + (8 + id) * 3_600_000,
                quality: Quality::new(q).unwrap(),
                duration_ms: 4_000,
                kind: ReviewKind::Schedule,
                phase_before: phase,
                interval_before_days: interval,
            });
        }
    }
    log
}

/// Six started cards (one suspended, one relearning) and a suspended new one, of ten.
fn sample_cards(clock: Clock) -> CardSummary {
    let today = clock.today();
    let mut cards = CardSummary::new(clock, 3);
    for id in 1..=6 {
        cards.add(&CardRow {
            card_id: id,
            phase: if id == 6 {
                Phase::Relearning
            } else {
                Phase::Review
            },
            due: Due::Day(today + id),
            interval_days: 5 * id as u32,
            ease_permille: 1300 + 100 * id as u32,
            lapses: 6 - id as u32,
            suspended: id == 5,
            // Stabilities of 1 to 4 days, last answered 4 x id days ago (due - interval).
            memory: (id <= 4).then_some(MemoryState {
                stability: id as f32,
                difficulty: 5.0,
            }),
        });
    }
    cards.add(&CardRow {
        card_id: 7,
        phase: Phase::New,
        due: Due::Unscheduled,
        interval_days: 0,
        ease_permille: INITIAL_EASE_PERMILLE,
        lapses: 0,
        suspended: true,
        memory: None,
    });
    cards.set_total_cards(10);
    cards
}

/// Names for the listed cards, with markup and an escape sequence for the renderers to
/// neutralise.
fn sample_info(cards: &CardSummary) -> HashMap<i64, CardInfo> {
    cards
        .listed_card_ids()
        .into_iter()
        .map(|id| {
            let named = CardInfo {
                card_id: id,
                deck: "ML & <stats>".into(),
                key: format!("key-{id}"),
                term: if id == 1 {
                    "<b>bold</b>, \"quoted\"".into()
                } else {
                    format!("term {id}\u{1b}[31m")
                },
                direction: "forward".into(),
            };
            (id, named)
        })
        .collect()
}
