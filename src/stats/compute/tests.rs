//! Tests of the pure statistics: counting rules, periods, zones, parts merged, counts.

use super::*;
use crate::scheduler::MemoryState;

const MS_PER_DAY: i64 = 86_400_000;

/// A clock whose today is day 20_000 (2024-10-04), at noon UTC.
pub(super) fn clock() -> Clock {
    let now = DateTime::parse_from_rfc3339("2024-10-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    Clock::new(now, Zone::Named(chrono_tz::UTC), 4)
}

pub(super) const TODAY: DayNumber = 20_000;

fn answer(day: DayNumber, q: u8, kind: ReviewKind, phase: Phase, interval: u32) -> LogRow {
    LogRow {
        card_id: day * 10 + i64::from(q),
        day,
        // Ten in the morning UTC on that day.
        reviewed_at_ms: day * MS_PER_DAY + 10 * 3_600_000,
        quality: Quality::new(q).unwrap(),
        duration_ms: 1_000,
        kind,
        phase_before: phase,
        interval_before_days: interval,
    }
}

fn review(day: DayNumber, q: u8, interval: u32) -> LogRow {
    answer(day, q, ReviewKind::Schedule, Phase::Review, interval)
}

pub(super) fn card(id: i64, phase: Phase, interval: u32, lapses: u32) -> CardRow {
    CardRow {
        card_id: id,
        phase,
        due: Due::Day(TODAY + i64::from(interval)),
        interval_days: interval,
        ease_permille: 2500,
        lapses,
        suspended: false,
        memory: None,
    }
}

pub(super) fn context(period: Period) -> Context {
    Context {
        clock: clock(),
        period,
        deck: None,
        rollover_hour: 4,
        fsrs_active: false,
        desired_retention_permyriad: 9000,
    }
}

pub(super) fn stats_of(rows: &[LogRow], cards_in: &[CardRow], period: Period) -> Stats {
    let clock = clock();
    let mut log = LogSummary::new(clock, period.first_day(clock.today()));
    for row in rows {
        log.add(row);
    }
    let mut cards = CardSummary::new(clock, 8);
    for c in cards_in {
        cards.add(c);
    }
    let activity = log.activity();
    build(&context(period), log, cards, &activity, &HashMap::new())
}

/// A day group's key: (day, kind, quality, phase before, mature).
type GroupKey = (DayNumber, ReviewKind, u8, Phase, bool);
/// A quarter hour's key: (day, start in ms, kind).
type QuarterKey = (DayNumber, i64, ReviewKind);

/// 4,000 random answers of every kind and phase: a few after today (a clock set back), most
/// in the last two months.
fn random_log() -> Vec<LogRow> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(14);
    let phases = [
        Phase::New,
        Phase::Learning,
        Phase::Relearning,
        Phase::Review,
    ];
    (0..4_000)
        .map(|_| {
            let day = TODAY - rng.random_range(-1..60);
            LogRow {
                card_id: rng.random_range(1..300),
                day,
                reviewed_at_ms: day * MS_PER_DAY + rng.random_range(-6 * 3_600_000..30 * 3_600_000),
                quality: Quality::new(rng.random_range(0..=5)).unwrap(),
                duration_ms: rng.random_range(0..20_000),
                kind: ReviewKind::ALL[rng.random_range(0..4)],
                phase_before: phases[rng.random_range(0..4)],
                interval_before_days: rng.random_range(0..40),
            }
        })
        .collect()
}

/// The answers counted the way the store's triggers count them: (answers, time) per day
/// group and (answers, passed) per quarter hour.
#[allow(clippy::type_complexity)]
fn counted(
    rows: &[LogRow],
) -> (
    HashMap<GroupKey, (u64, i64)>,
    HashMap<QuarterKey, (u64, u64)>,
) {
    let mut groups: HashMap<GroupKey, (u64, i64)> = HashMap::new();
    let mut quarters: HashMap<QuarterKey, (u64, u64)> = HashMap::new();
    for row in rows {
        let g = AnswerGroup::of(row);
        let key = (g.day, g.kind, row.quality.value(), g.phase_before, g.mature);
        let entry = groups.entry(key).or_default();
        entry.0 += 1;
        entry.1 += row.duration_ms;
        let quarter = row.reviewed_at_ms.div_euclid(900_000) * 900_000;
        let entry = quarters.entry((row.day, quarter, row.kind)).or_default();
        entry.0 += 1;
        entry.1 += u64::from(Counts::passed(row.quality));
    }
    (groups, quarters)
}

fn group(key: &GroupKey, &(answers, time_ms): &(u64, i64)) -> AnswerGroup {
    let &(day, kind, q, phase_before, mature) = key;
    AnswerGroup {
        day,
        kind,
        quality: Quality::new(q).unwrap(),
        phase_before,
        mature,
        answers,
        time_ms,
    }
}

/// The period's summary read from the counts instead of the answers.
fn summary_from_counts(
    clock: Clock,
    first: Option<DayNumber>,
    rows: &[LogRow],
    groups: &HashMap<GroupKey, (u64, i64)>,
    quarters: &HashMap<QuarterKey, (u64, u64)>,
) -> LogSummary {
    let mut summary = LogSummary::new(clock, first);
    for (key, counts) in groups {
        summary.add_group(&group(key, counts));
    }
    for (&(day, start_ms, kind), &(answers, passed)) in quarters {
        summary.add_quarter(&QuarterCount {
            day,
            start_ms,
            kind,
            answers,
            passed,
        });
    }
    summary.add_today_cards(
        rows.iter()
            .filter(|r| r.day == clock.today() && r.kind.is_activity())
            .map(|r| r.card_id),
    );
    summary
}

#[test]
fn answer_counts_per_day_and_quarter_hour_give_what_the_answers_give() {
    let rows = random_log();
    let (groups, quarters) = counted(&rows);
    let now = DateTime::parse_from_rfc3339("2024-10-04T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    for zone in [
        chrono_tz::UTC,
        chrono_tz::Asia::Kolkata,
        chrono_tz::America::St_Johns,
    ] {
        let clock = Clock::new(now, Zone::Named(zone), 4);
        // The streak and heatmap read the whole history, whatever the period.
        let mut whole = LogSummary::new(clock, None);
        for row in &rows {
            whole.add(row);
        }
        let activity = whole.activity();
        let mut days = DayAnswers::default();
        for (key, counts) in &groups {
            if key.0 <= clock.today() {
                days.add(&group(key, counts));
            }
        }
        let day_activity = days.activity();
        for period in [Period::Day, Period::Month, Period::All] {
            let first = period.first_day(clock.today());
            let mut by_rows = LogSummary::new(clock, first);
            for row in &rows {
                by_rows.add(row);
            }
            let by_counts = summary_from_counts(clock, first, &rows, &groups, &quarters);
            let context = Context {
                clock,
                period,
                deck: None,
                rollover_hour: 4,
                fsrs_active: false,
                desired_retention_permyriad: 9000,
            };
            let cards = || CardSummary::new(clock, 8);
            let from_rows = build(&context, by_rows, cards(), &activity, &HashMap::new());
            let from_counts = build(&context, by_counts, cards(), &day_activity, &HashMap::new());
            assert!(from_rows.period_totals.tally.answers > 0, "{period:?}");
            assert_eq!(from_rows, from_counts, "{zone} {period:?}");
        }
    }
}

#[test]
fn the_test_clock_is_on_the_expected_study_day() {
    assert_eq!(clock().today(), TODAY);
}

#[test]
fn retention_excludes_drill_and_cram_answers() {
    let rows = [
        review(TODAY, 4, 30),
        review(TODAY, 1, 30),
        answer(TODAY, 1, ReviewKind::Drill, Phase::Review, 30),
        answer(TODAY, 1, ReviewKind::Cram, Phase::Review, 30),
        answer(TODAY, 5, ReviewKind::Import, Phase::Review, 30),
    ];
    let stats = stats_of(&rows, &[], Period::Day);
    let totals = &stats.period_totals;
    assert_eq!(totals.tally.mature, 3);
    assert_eq!(totals.tally.mature_passed, 2);
    assert_eq!(totals.mature_retention, Some(2.0 / 3.0));
    // The drill is activity; the cram answer is nothing at all.
    assert_eq!(totals.tally.answers, 4);
    assert_eq!(totals.tally.drill, 1);
    assert_eq!(totals.tally.time_ms, 4_000);
    assert_eq!(stats.today.again, 1);
}

#[test]
fn retention_counts_only_answers_given_in_the_review_phase_split_at_21_days() {
    let rows = [
        answer(TODAY, 1, ReviewKind::Schedule, Phase::New, 0),
        answer(TODAY, 1, ReviewKind::Schedule, Phase::Learning, 0),
        answer(TODAY, 1, ReviewKind::Schedule, Phase::Relearning, 1),
        review(TODAY, 3, 20),
        review(TODAY, 2, 20),
        review(TODAY, 4, 21),
    ];
    let stats = stats_of(&rows, &[], Period::Day);
    let t = &stats.period_totals.tally;
    assert_eq!((t.young, t.young_passed), (2, 1));
    assert_eq!((t.mature, t.mature_passed), (1, 1));
    assert_eq!(stats.period_totals.retention, Some(2.0 / 3.0));
    // The correct share reads every scored answer.
    assert_eq!(stats.today.correct_share, Some(2.0 / 6.0));
    assert_eq!(
        (stats.today.new, stats.today.learning, stats.today.review),
        (1, 2, 3)
    );
}

#[test]
fn answers_outside_the_period_or_after_today_are_left_out() {
    let rows = [
        review(TODAY - 7, 4, 5),
        review(TODAY - 6, 4, 5),
        review(TODAY, 4, 5),
        review(TODAY + 1, 4, 5),
    ];
    let week = stats_of(&rows, &[], Period::Week);
    assert_eq!(week.period_totals.tally.scored, 2);
    assert_eq!(week.scope.first_date, Some(Clock::date_of_day(TODAY - 6)));
    let all = stats_of(&rows, &[], Period::All);
    assert_eq!(all.period_totals.tally.scored, 3);
    assert_eq!(all.scope.first_date, None);
}

#[test]
fn button_shares_are_by_phase_before_and_ignore_drills() {
    let rows = [
        answer(TODAY, 0, ReviewKind::Schedule, Phase::New, 0),
        answer(TODAY, 4, ReviewKind::Schedule, Phase::New, 0),
        answer(TODAY, 3, ReviewKind::Schedule, Phase::Relearning, 1),
        answer(TODAY, 5, ReviewKind::Schedule, Phase::Review, 9),
        answer(TODAY, 1, ReviewKind::Drill, Phase::Review, 9),
    ];
    let stats = stats_of(&rows, &[], Period::Day);
    let new = &stats.buttons[0];
    assert_eq!(
        (new.phase, new.again, new.hard, new.good, new.easy),
        ("new", 1, 0, 1, 0)
    );
    assert_eq!(new.share(Answer::Good), Some(0.5));
    assert_eq!(
        (stats.buttons[1].phase, stats.buttons[1].hard),
        ("learning", 1)
    );
    assert_eq!((stats.buttons[2].easy, stats.buttons[2].again), (1, 0));
}

#[test]
fn answers_by_hour_use_the_local_hour_of_the_clock_zone() {
    let tokyo = Zone::parse("Asia/Tokyo").unwrap();
    let clock = Clock::new(clock().now(), tokyo, 4);
    let mut log = LogSummary::new(clock, None);
    let mut row = review(clock.today(), 4, 3);
    // 01:30 UTC is 10:30 in Tokyo; drills count as activity, cram does not.
    row.reviewed_at_ms = clock.now().timestamp_millis() - (10 * 3_600_000 + 30 * 60_000);
    log.add(&row);
    log.add(&LogRow {
        kind: ReviewKind::Drill,
        ..row
    });
    log.add(&LogRow {
        kind: ReviewKind::Cram,
        ..row
    });
    assert_eq!(log.hours[10].answers, 2);
    assert_eq!(log.hours[10].scored, 1);
    assert_eq!(log.hours.iter().map(|h| h.answers).sum::<u64>(), 2);
}

#[test]
fn an_offset_of_half_an_hour_moves_answers_to_the_right_hour() {
    let kolkata = Zone::parse("Asia/Kolkata").unwrap();
    let clock = Clock::new(clock().now(), kolkata, 4);
    let mut log = LogSummary::new(clock, None);
    let mut row = review(clock.today(), 4, 3);
    // 04:45 UTC is 10:15 in Kolkata (+05:30), and 04:15 UTC is 09:45.
    let midnight = clock.today() * MS_PER_DAY;
    row.reviewed_at_ms = midnight + 4 * 3_600_000 + 45 * 60_000;
    log.add(&row);
    row.reviewed_at_ms = midnight + 4 * 3_600_000 + 15 * 60_000;
    log.add(&row);
    assert_eq!((log.hours[9].answers, log.hours[10].answers), (1, 1));
}

#[test]
fn retention_series_group_days_into_iso_weeks_and_calendar_months() {
    // 2024-09-29 is a Sunday (week 39), 2024-09-30 a Monday (week 40, still September).
    let sunday = TODAY - 5;
    assert_eq!(
        Clock::date_of_day(sunday),
        NaiveDate::from_ymd_opt(2024, 9, 29).unwrap()
    );
    let rows = [
        review(sunday, 4, 30),
        review(sunday + 1, 1, 30),
        review(TODAY, 4, 3),
    ];
    let stats = stats_of(&rows, &[], Period::All);
    let weekly: Vec<(&str, u64, u64)> = stats
        .retention
        .weekly
        .iter()
        .map(|r| (r.label.as_str(), r.scored, r.passed))
        .collect();
    assert_eq!(weekly, vec![("2024-W39", 1, 1), ("2024-W40", 2, 1)]);
    assert_eq!(
        stats.retention.weekly[1].start,
        NaiveDate::from_ymd_opt(2024, 9, 30).unwrap()
    );
    let monthly: Vec<(&str, u64, Option<f64>)> = stats
        .retention
        .monthly
        .iter()
        .map(|r| (r.label.as_str(), r.scored, r.mature_retention))
        .collect();
    assert_eq!(
        monthly,
        vec![("2024-09", 2, Some(0.5)), ("2024-10", 1, None)]
    );
    assert_eq!(stats.retention.daily.len(), 3);
}

#[test]
fn the_streak_and_heatmap_read_activity_over_the_whole_history() {
    let activity = Activity {
        active_days: vec![TODAY - 400, TODAY - 2, TODAY - 1],
        recent: vec![
            DayActivity {
                day: TODAY - 2,
                answers: 5,
            },
            DayActivity {
                day: TODAY - 1,
                answers: 1,
            },
        ],
    };
    let clock = clock();
    let stats = build(
        &context(Period::Month),
        LogSummary::new(clock, Some(TODAY - 29)),
        CardSummary::new(clock, 8),
        &activity,
        &HashMap::new(),
    );
    assert_eq!(
        stats.streak,
        Streak {
            current_days: 2,
            longest_days: 2,
            active_days: 3
        }
    );
    assert_eq!(stats.heatmap.len(), 365);
    assert_eq!(stats.heatmap[364].date, Clock::date_of_day(TODAY));
    assert_eq!(stats.heatmap[362].answers, 5);
    assert_eq!(stats.heatmap.iter().map(|d| d.answers).sum::<u64>(), 6);
}

#[test]
fn card_counts_are_exclusive_with_suspended_first_and_leeches_on_top() {
    let mut suspended = card(5, Phase::Review, 40, 9);
    suspended.suspended = true;
    let cards = [
        card(1, Phase::Learning, 0, 0),
        card(2, Phase::Relearning, 1, 1),
        card(3, Phase::Review, 20, 0),
        card(4, Phase::Review, 21, 8),
        suspended,
    ];
    let mut summary = CardSummary::new(clock(), 8);
    for c in &cards {
        summary.add(c);
    }
    for id in 6..8 {
        let mut new = card(id, Phase::New, 0, 0);
        new.due = Due::Unscheduled;
        new.suspended = true;
        summary.add(&new);
    }
    summary.set_total_cards(15);
    assert_eq!(
        summary.counts,
        CardCounts {
            total: 15,
            new: 8,
            learning: 2,
            young: 1,
            mature: 1,
            suspended: 3,
            relearning: 1,
            leeches: 2,
        }
    );
}

#[test]
fn the_forecast_puts_overdue_cards_on_today_and_ignores_suspended_ones() {
    let mut overdue = card(1, Phase::Review, 5, 0);
    overdue.due = Due::Day(TODAY - 3);
    let mut suspended = card(2, Phase::Review, 5, 0);
    suspended.suspended = true;
    let mut intraday = card(3, Phase::Learning, 0, 0);
    // Due this afternoon: counted today.
    intraday.due = Due::At(clock().now().timestamp() + 3_600);
    let cards = [
        overdue,
        suspended,
        intraday,
        card(4, Phase::Review, 1, 0),
        card(5, Phase::Review, 29, 0),
        card(6, Phase::Review, 30, 0),
    ];
    let stats = stats_of(&[], &cards, Period::Month);
    let due: Vec<u64> = stats.forecast.days.iter().map(|d| d.due).collect();
    assert_eq!(due.len(), 30);
    assert_eq!((due[0], due[1], due[29]), (2, 1, 1));
    assert_eq!(due.iter().sum::<u64>(), 4);
    assert_eq!(stats.forecast.overdue, 1);
    // Load: 1/5 + 1/1 + 1/29 + 1/30 over the unsuspended review cards.
    let load = 1.0 / 5.0 + 1.0 + 1.0 / 29.0 + 1.0 / 30.0;
    assert!((stats.forecast.load - load).abs() < 1e-8);
}

#[test]
fn interval_and_ease_buckets_cover_every_value_once() {
    let mut cards = vec![];
    for (id, interval) in [1u32, 2, 6, 7, 20, 21, 400, 5000].iter().enumerate() {
        let mut c = card(id as i64, Phase::Review, *interval, 0);
        c.ease_permille = 1300 + 200 * id as u32;
        cards.push(c);
    }
    let stats = stats_of(&[], &cards, Period::Month);
    let by_label: HashMap<&str, u64> = stats
        .intervals
        .buckets
        .iter()
        .map(|b| (b.label, b.cards))
        .collect();
    assert_eq!(by_label["1d"], 1);
    assert_eq!(by_label["3-6d"], 1);
    assert_eq!(by_label["1-2w"], 1);
    assert_eq!(by_label["3w-1mo"], 1);
    assert_eq!(by_label["1-2y"], 1);
    assert_eq!(by_label["2y+"], 1);
    assert_eq!(stats.intervals.cards, 8);
    assert_eq!(stats.ease.buckets.iter().map(|b| b.cards).sum::<u64>(), 8);
    // 130% to 270% in steps of 20: one card in each bucket but the open last one.
    let eases: Vec<u64> = stats.ease.buckets.iter().map(|b| b.cards).collect();
    assert_eq!(eases, vec![1, 1, 1, 1, 1, 1, 1, 1, 0]);
    assert_eq!(stats.ease.buckets[8].high, None);
    // 1300 + 200 * (0..8) averages 2000 permille: 200 percent.
    assert_eq!(stats.ease.mean, Some(200.0));
}

#[test]
fn the_hardest_lists_keep_the_worst_cards_in_order() {
    let mut cards = vec![];
    for id in 0..1000 {
        let mut c = card(id, Phase::Review, 10, (id % 13) as u32);
        c.ease_permille = 1300 + 10 * ((id * 7) % 100) as u32;
        cards.push(c);
    }
    let clock = clock();
    let mut summary = CardSummary::new(clock, 8);
    for c in &cards {
        summary.add(c);
    }
    let info: HashMap<i64, CardInfo> = summary
        .listed_card_ids()
        .into_iter()
        .map(|id| {
            let named = CardInfo {
                card_id: id,
                deck: "d".into(),
                key: format!("k{id}"),
                term: format!("t{id}"),
                direction: "forward".into(),
            };
            (id, named)
        })
        .collect();
    let stats = build(
        &context(Period::Month),
        LogSummary::new(clock, None),
        summary,
        &Activity::default(),
        &info,
    );
    let lapses: Vec<u32> = stats.hardest.most_lapses.iter().map(|c| c.lapses).collect();
    let mut expected: Vec<u32> = cards.iter().map(|c| c.lapses).filter(|&l| l > 0).collect();
    expected.sort_by(|a, b| b.cmp(a));
    expected.truncate(HARDEST_LIMIT);
    assert_eq!(lapses, expected);
    assert!(
        stats
            .hardest
            .most_lapses
            .iter()
            .all(|c| c.key == format!("k{}", c.card_id))
    );
    let eases: Vec<u32> = stats
        .hardest
        .lowest_ease
        .iter()
        .map(|c| c.ease_permille)
        .collect();
    assert_eq!(eases.len(), HARDEST_LIMIT);
    assert!(eases.windows(2).all(|w| w[0] <= w[1]));
    assert_eq!(eases[0], 1300);
    // Lapses 8 to 12 are leeches: 5 of every 13 cards, more than the list holds, so it
    // keeps the worst: every card with 12 lapses, then the 11s.
    let leeches = cards.iter().filter(|c| c.lapses >= 8).count();
    assert_eq!(stats.cards.leeches, leeches as u64);
    let listed: Vec<u32> = stats.hardest.leeches.iter().map(|c| c.lapses).collect();
    assert_eq!(listed.len(), LEECH_LIMIT);
    let twelves = cards.iter().filter(|c| c.lapses == 12).count();
    assert!(listed[..twelves].iter().all(|&l| l == 12));
    assert!(listed[twelves..].iter().all(|&l| l == 11));
}

#[test]
fn an_empty_collection_gives_zeros_and_no_rates() {
    let stats = stats_of(&[], &[], Period::All);
    assert_eq!(stats.today.answers, 0);
    assert_eq!(stats.today.correct_share, None);
    assert_eq!(stats.period_totals.retention, None);
    assert_eq!(stats.streak.current_days, 0);
    assert!(stats.daily.is_empty());
    assert_eq!(stats.forecast.days.len(), FORECAST_DAYS);
    assert_eq!(stats.intervals.mean, None);
    assert!(stats.hardest.most_lapses.is_empty());
}

#[test]
fn summaries_read_in_two_parts_and_merged_equal_one_read_whole() {
    let mut rows = vec![];
    let mut cards = vec![];
    for i in 0..300i64 {
        let kind = [ReviewKind::Schedule, ReviewKind::Drill, ReviewKind::Import][i as usize % 3];
        let phase = [
            Phase::New,
            Phase::Learning,
            Phase::Review,
            Phase::Relearning,
        ][i as usize % 4];
        let mut row = answer(TODAY - i % 40, (i % 6) as u8, kind, phase, (i % 50) as u32);
        row.card_id = i % 17;
        row.reviewed_at_ms += i * 600_000;
        rows.push(row);
        let mut c = card(
            i,
            [Phase::Review, Phase::Learning, Phase::Relearning][i as usize % 3],
            (i % 90) as u32,
            (i % 11) as u32,
        );
        c.ease_permille = 1300 + (i as u32 * 37) % 1500;
        c.suspended = i % 23 == 0;
        c.memory = (i % 2 == 0).then_some(MemoryState {
            stability: 0.5 + (i % 40) as f32,
            difficulty: 5.0,
        });
        cards.push(c);
    }
    let whole = stats_of(&rows, &cards, Period::All);
    let clock = clock();
    let (mut log, mut other_log) = (LogSummary::new(clock, None), LogSummary::new(clock, None));
    let (mut summary, mut other_summary) = (CardSummary::new(clock, 8), CardSummary::new(clock, 8));
    for (i, row) in rows.iter().enumerate() {
        if i % 2 == 0 {
            log.add(row)
        } else {
            other_log.add(row)
        }
    }
    for (i, c) in cards.iter().enumerate() {
        if i < 120 {
            summary.add(c)
        } else {
            other_summary.add(c)
        }
    }
    log.merge(other_log);
    summary.merge(other_summary);
    let activity = log.activity();
    let merged = build(
        &context(Period::All),
        log,
        summary,
        &activity,
        &HashMap::new(),
    );
    assert!(whole.retrievability.as_ref().is_some_and(|r| r.cards > 100));
    assert_eq!(merged, whole);
}

#[test]
fn learning_cards_due_at_an_instant_count_on_their_study_day() {
    // Today is 2024-10-04 (study days start at 04:00 UTC): 02:00 tomorrow is still today's
    // study day, 05:00 tomorrow is tomorrow's, 03:00 today was yesterday's (overdue).
    let at = |text: &str| {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.timestamp())
            .unwrap()
    };
    let mut cards = vec![];
    for (id, instant) in [
        (1, "2024-10-05T02:00:00Z"),
        (2, "2024-10-05T05:00:00Z"),
        (3, "2024-10-04T03:00:00Z"),
        (4, "2024-10-07T12:00:00Z"),
    ] {
        let mut c = card(id, Phase::Learning, 0, 0);
        c.due = Due::At(at(instant));
        cards.push(c);
    }
    let stats = stats_of(&[], &cards, Period::Month);
    let due: Vec<u64> = stats.forecast.days.iter().take(4).map(|d| d.due).collect();
    assert_eq!(due, [2, 1, 0, 1]);
    assert_eq!(stats.forecast.overdue, 1);
}

#[test]
fn activity_leaves_cram_out_and_keeps_days_in_order() {
    let count = |day, kind, answers| DayKindCount { day, kind, answers };
    let counts = [
        count(3, ReviewKind::Schedule, 2),
        count(3, ReviewKind::Drill, 1),
        count(1, ReviewKind::Import, 4),
        count(2, ReviewKind::Cram, 9),
    ];
    let activity = Activity::from_counts(vec![1, 3], &counts);
    assert_eq!(
        activity.recent,
        vec![
            DayActivity { day: 1, answers: 4 },
            DayActivity { day: 3, answers: 3 },
        ]
    );
    assert_eq!(activity.active_days, vec![1, 3]);
}

#[test]
fn periods_parse_their_names_and_end_today() {
    for name in Period::NAMES {
        assert_eq!(Period::parse(name).map(Period::as_str), Some(name));
    }
    assert_eq!(Period::parse("fortnight"), None);
    assert_eq!(Period::Month.first_day(100), Some(71));
    assert_eq!(Period::Day.first_day(100), Some(100));
}
