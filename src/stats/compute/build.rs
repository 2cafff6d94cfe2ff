//! [`build`]: the accumulators and the activity assembled into one [`Stats`] value.

use super::*;

/// What [`build`] needs besides the accumulators.
#[derive(Debug, Clone)]
pub struct Context {
    pub clock: Clock,
    pub period: Period,
    pub deck: Option<String>,
    pub rollover_hour: u32,
    /// The active scheduler is `fsrs`: its figures show even before a card has a memory
    /// state.
    pub fsrs_active: bool,
    /// `desired_retention` in ten-thousandths (0.90 is 9000).
    pub desired_retention_permyriad: u32,
}

/// The time zone's name as the config spells it.
pub fn zone_name(zone: Zone) -> String {
    match zone {
        Zone::Local => "local".to_string(),
        Zone::Named(tz) => tz.name().to_string(),
    }
}

/// Assembles the statistics. `activity` gives the streak and the heatmap; `info` names the
/// cards in the hardest lists.
pub fn build(
    context: &Context,
    mut log: LogSummary,
    cards: CardSummary,
    activity: &Activity,
    info: &HashMap<i64, CardInfo>,
) -> Stats {
    let today = context.clock.today();
    log.flush();
    let days = &log.days;
    let reviewed = cards.counts.young + cards.counts.mature;
    let period_totals = period_totals(days);
    let fsrs_shown = context.fsrs_active || cards.cards_with_memory() > 0;
    let mut retention = retention(days);
    retention.achieved = period_totals.retention;
    retention.desired =
        fsrs_shown.then(|| f64::from(context.desired_retention_permyriad) / 10_000.0);
    Stats {
        schema_version: SCHEMA_VERSION,
        scope: scope(context),
        today: today_of(&log, today),
        streak: streak(activity, today),
        period_totals,
        daily: daily(days),
        retention,
        forecast: forecast(&cards, today),
        heatmap: heatmap(activity, today),
        cards: cards.counts,
        intervals: distribution(
            &INTERVAL_BUCKETS,
            &cards.intervals,
            reviewed,
            ratio(cards.interval_sum, reviewed),
        ),
        ease: distribution(
            &EASE_BUCKETS,
            &cards.ease,
            reviewed,
            ratio(cards.ease_sum, reviewed).map(|permille| permille / 10.0),
        ),
        retrievability: fsrs_shown.then(|| retrievability(&cards)),
        buttons: buttons(&log),
        hours: log.hours.to_vec(),
        hardest: hardest(&cards, info),
    }
}

/// What the figures cover: the deck, the period, the day and the clock.
fn scope(context: &Context) -> Scope {
    let clock = context.clock;
    let today = clock.today();
    Scope {
        deck: context.deck.clone(),
        period: context.period.as_str(),
        first_date: context.period.first_day(today).map(Clock::date_of_day),
        today: Clock::date_of_day(today),
        generated_at: clock
            .now()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        timezone: zone_name(clock.zone()),
        rollover_hour: context.rollover_hour,
    }
}

/// Today's answers.
fn today_of(log: &LogSummary, today: DayNumber) -> Today {
    let today_tally = log.days.get(&today).copied().unwrap_or_default();
    Today {
        date: Clock::date_of_day(today),
        answers: today_tally.answers,
        cards: log.today_cards.len() as u64,
        new: today_tally.new,
        learning: today_tally.learning,
        review: today_tally.review,
        drill: today_tally.drill,
        again: today_tally.again(),
        scored: today_tally.scored,
        passed: today_tally.passed,
        correct_share: today_tally.correct_share(),
        time_ms: today_tally.time_ms,
    }
}

/// The current and longest streaks over the whole history.
fn streak(activity: &Activity, today: DayNumber) -> Streak {
    let active: Vec<DayNumber> = activity
        .active_days
        .iter()
        .copied()
        .filter(|&day| day <= today)
        .collect();
    let (current_days, longest_days) = crate::stats::streak(&active, today);
    Streak {
        current_days,
        longest_days,
        active_days: active.len() as u64,
    }
}

/// The period's answers summed.
fn period_totals(days: &BTreeMap<DayNumber, Tally>) -> PeriodTotals {
    let mut total = Tally::default();
    for tally in days.values() {
        total.merge(tally);
    }
    PeriodTotals {
        tally: total,
        again: total.again(),
        correct_share: total.correct_share(),
        young_retention: total.young_retention(),
        mature_retention: total.mature_retention(),
        retention: total.retention(),
        active_days: days.values().filter(|t| t.answers > 0).count() as u64,
    }
}

/// One row per day of the period with answers.
fn daily(days: &BTreeMap<DayNumber, Tally>) -> Vec<DailyRow> {
    days.iter()
        .map(|(&day, tally)| DailyRow {
            date: Clock::date_of_day(day),
            tally: *tally,
            again: tally.again(),
            correct_share: tally.correct_share(),
        })
        .collect()
}

/// Retention by day, ISO week and calendar month.
fn retention(days: &BTreeMap<DayNumber, Tally>) -> Retention {
    Retention {
        daily: series(days, |date| (date.format("%Y-%m-%d").to_string(), date)),
        weekly: series(days, |date| {
            let week = date.iso_week();
            let monday =
                date - chrono::Duration::days(i64::from(date.weekday().num_days_from_monday()));
            (format!("{}-W{:02}", week.year(), week.week()), monday)
        }),
        monthly: series(days, |date| {
            let first = date.with_day(1).unwrap_or(date);
            (date.format("%Y-%m").to_string(), first)
        }),
        desired: None,
        achieved: None,
    }
}

/// The labels of the retrievability buckets.
const RETRIEVABILITY_LABELS: [&str; RETRIEVABILITY_BUCKETS] = [
    "0-10%", "10-20%", "20-30%", "30-40%", "40-50%", "50-60%", "60-70%", "70-80%", "80-90%",
    "90-100%",
];

/// The cards with a memory state by retrievability now, and its mean.
fn retrievability(cards: &CardSummary) -> Retrievability {
    let counted = cards.cards_with_memory();
    let tenths = RETRIEVABILITY_BUCKETS as f64;
    Retrievability {
        cards: counted,
        mean: ratio(cards.retrievability_nanos, counted).map(|nanos| nanos / NANOS as f64),
        buckets: (0u32..)
            .zip(RETRIEVABILITY_LABELS)
            .zip(cards.retrievability)
            .map(|((i, label), n)| RangeBucket {
                label,
                low: f64::from(i) / tenths,
                high: f64::from(i + 1) / tenths,
                cards: n,
            })
            .collect(),
    }
}

/// Cards due on each coming day, the overdue ones and the daily load.
fn forecast(cards: &CardSummary, today: DayNumber) -> Forecast {
    Forecast {
        overdue: cards.overdue,
        days: (0u32..)
            .zip(cards.forecast.iter())
            .map(|(offset, &due)| ForecastDay {
                date: Clock::date_of_day(today + i64::from(offset)),
                offset,
                due,
            })
            .collect(),
        load: cards.load_nanos as f64 / NANOS as f64,
    }
}

/// Answers on each of the last [`HEATMAP_DAYS`] days.
fn heatmap(activity: &Activity, today: DayNumber) -> Vec<HeatDay> {
    let by_day: HashMap<DayNumber, u64> =
        activity.recent.iter().map(|a| (a.day, a.answers)).collect();
    (today - HEATMAP_DAYS + 1..=today)
        .map(|day| HeatDay {
            date: Clock::date_of_day(day),
            answers: by_day.get(&day).copied().unwrap_or(0),
        })
        .collect()
}

/// The reviewed cards counted in `buckets`.
fn distribution(
    buckets: &[(&'static str, u32, u32)],
    counts: &[u64],
    reviewed: u64,
    mean: Option<f64>,
) -> Distribution {
    Distribution {
        cards: reviewed,
        mean,
        buckets: buckets
            .iter()
            .zip(counts)
            .map(|(&(label, low, high), &n)| Bucket {
                label,
                low,
                high: (high != u32::MAX).then_some(high),
                cards: n,
            })
            .collect(),
    }
}

/// Scored answers by button for each phase group.
fn buttons(log: &LogSummary) -> Vec<ButtonRow> {
    ["new", "learning", "review"]
        .iter()
        .zip(log.buttons.iter())
        .map(|(&phase, b)| ButtonRow {
            phase,
            again: b.counts[0],
            hard: b.counts[1],
            good: b.counts[2],
            easy: b.counts[3],
            total: b.total(),
        })
        .collect()
}

/// The hardest-cards lists, each card named by `info`.
fn hardest(cards: &CardSummary, info: &HashMap<i64, CardInfo>) -> Hardest {
    let describe = |id: i64| -> Option<HardCard> {
        let row = cards.kept.get(&id)?;
        let named = info.get(&id);
        Some(HardCard {
            card_id: id,
            deck: named.map(|i| i.deck.clone()).unwrap_or_default(),
            key: named.map(|i| i.key.clone()).unwrap_or_default(),
            term: named.map(|i| i.term.clone()).unwrap_or_default(),
            direction: named.map(|i| i.direction.clone()).unwrap_or_default(),
            phase: row.phase.as_str(),
            lapses: row.lapses,
            ease_permille: row.ease_permille,
            interval_days: row.interval_days,
            suspended: row.suspended,
        })
    };
    let listed = |keys: Vec<i64>| keys.into_iter().filter_map(describe).collect();
    Hardest {
        leech_lapses: cards.leech_lapses,
        most_lapses: listed(cards.most_lapses.sorted().iter().map(|k| k.2).collect()),
        lowest_ease: listed(cards.lowest_ease.sorted().iter().map(|k| k.2).collect()),
        leeches: listed(cards.leeches.sorted().iter().map(|k| k.2).collect()),
    }
}

/// Groups day tallies into spans named by `span` (a label and the span's first date).
fn series(
    days: &BTreeMap<DayNumber, Tally>,
    span: impl Fn(NaiveDate) -> (String, NaiveDate),
) -> Vec<RetentionRow> {
    let mut groups: BTreeMap<NaiveDate, (String, Tally)> = BTreeMap::new();
    for (&day, tally) in days {
        let (label, start) = span(Clock::date_of_day(day));
        groups
            .entry(start)
            .or_insert_with(|| (label, Tally::default()))
            .1
            .merge(tally);
    }
    groups
        .into_iter()
        .map(|(start, (label, t))| RetentionRow {
            label,
            start,
            answers: t.answers,
            scored: t.scored,
            passed: t.passed,
            pass_rate: t.correct_share(),
            young: t.young,
            young_passed: t.young_passed,
            young_retention: t.young_retention(),
            mature: t.mature,
            mature_passed: t.mature_passed,
            mature_retention: t.mature_retention(),
            retention: t.retention(),
        })
        .collect()
}
