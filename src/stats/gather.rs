//! Gathering the statistics: the one place that runs the statistics queries and feeds the
//! pure computation ([`compute`]). `jargon stats`, `jargon report` and the benchmark call
//! [`gather`].
//!
//! The work is split in two parts that run side by side on a collection file, each on its own
//! connection (WAL lets readers share the file), and their summaries are merged
//! (`LogSummary::merge`, `CardSummary::merge`).

use std::collections::HashMap;
use std::path::Path;

use crate::clock::{Clock, DayNumber};
use crate::error::{Error, Result};
use crate::records::stats::CardInfo;
use crate::scheduler::{SchedulerKind, Settings};
use crate::stats::compute::{self, CardSummary, LogSummary, Period, Stats};
use crate::store::Collection;
use crate::store::stats::AnswerRange;

/// Runs the statistics queries for `deck` (and its sub-decks) over `period`, as `clock` sees
/// today, and computes the figures.
///
/// For the whole collection the answers come as the per-day counts the store keeps (a few
/// rows a day), read beside part of the cards, the rest of the cards on the other side. For a
/// deck the log is read: for a recent period, the answers and the activity per day on one
/// side and the cards on the other; for the whole history, two thirds of the log on one side,
/// the cards and the last third on the other.
pub fn gather(
    collection: &Collection,
    deck: Option<&str>,
    period: Period,
    clock: Clock,
) -> Result<Stats> {
    let config = collection.config()?;
    let deck_ids = deck
        .map(|name| collection.deck_ids_under(name))
        .transpose()?;
    let ids = deck_ids.as_deref();
    let settings = config.scheduling;
    let first_day = period.first_day(clock.today());
    let (mine, theirs) = plan(collection, ids.is_none(), first_day, clock.today())?;
    let (a, b) = read_both(collection, ids, clock, settings, (&mine, &theirs))?;
    let (log, cards, activity) = merge(collection, ids, clock, settings, a, b)?;
    let info: HashMap<i64, CardInfo> = collection
        .stats_card_info(&cards.listed_card_ids())?
        .into_iter()
        .map(|i| (i.card_id, i))
        .collect();
    let context = compute::Context {
        clock,
        period,
        deck: deck.map(str::to_string),
        rollover_hour: config.rollover_hour,
        fsrs_active: config.scheduler == SchedulerKind::Fsrs,
        desired_retention_permyriad: settings.desired_retention_permyriad,
    };
    Ok(compute::build(&context, log, cards, &activity, &info))
}

/// The collection's current streak on `today` (`status`, the end of a review): the rule is
/// [`super::current_streak`]'s, walking back through the store's latest active day up to each
/// day, one index seek per day of the streak.
pub fn current_streak(collection: &Collection, today: DayNumber) -> Result<i64> {
    super::current_streak(today, |day| collection.latest_active_day(day))
}

/// What each side reads: the whole collection (`whole`) or a deck, from `first_day` (`None`:
/// the whole history) to `today`.
fn plan(
    collection: &Collection,
    whole: bool,
    first_day: Option<DayNumber>,
    today: DayNumber,
) -> Result<(Part, Part)> {
    let nothing = Part {
        answers: None,
        counts: None,
        activity: false,
        cards: None,
        total_cards: false,
    };
    Ok(match first_day {
        // The whole collection's answers come as per-day counts, a few rows a day; the cards
        // are the bulk of the reading, shared between both sides.
        _ if whole => {
            let (cards, other_cards) = split(collection.stats_card_ids()?, COUNTS_CARD_SHARE);
            (
                Part {
                    counts: Some(first_day),
                    cards,
                    ..nothing
                },
                Part {
                    cards: other_cards,
                    total_cards: true,
                    ..nothing
                },
            )
        }
        Some(from) => {
            let (cards, other_cards) = split(collection.stats_card_ids()?, PERIOD_CARD_SHARE);
            (
                Part {
                    answers: Some(AnswerRange::Days { from, until: today }),
                    activity: true,
                    cards,
                    ..nothing
                },
                Part {
                    cards: other_cards,
                    ..nothing
                },
            )
        }
        None => {
            let (answers, other_answers) = split(collection.stats_review_ids()?, HISTORY_LOG_SHARE);
            let rows = |(first_id, last_id)| AnswerRange::Rows {
                first_id,
                last_id,
                until: today,
            };
            (
                Part {
                    answers: answers.map(rows),
                    ..nothing
                },
                Part {
                    answers: other_answers.map(rows),
                    cards: collection.stats_card_ids()?,
                    ..nothing
                },
            )
        }
    })
}

/// Reads both parts, side by side on a second connection to the same file (one after the
/// other for a collection in memory).
fn read_both(
    collection: &Collection,
    ids: Option<&[i64]>,
    clock: Clock,
    settings: Settings,
    (mine, theirs): (&Part, &Part),
) -> Result<(PartRead, PartRead)> {
    let other = match collection.path() {
        path if path == Path::new(":memory:") => None,
        path => Some(Collection::open(path)?),
    };
    match other {
        Some(other) => std::thread::scope(|scope| {
            let b = scope.spawn(move || read_part(&other, ids, clock, settings, theirs));
            let a = read_part(collection, ids, clock, settings, mine);
            let b = b
                .join()
                .map_err(|_| Error::failed("the statistics stopped unexpectedly"))?;
            Ok((a?, b?))
        }),
        None => Ok((
            read_part(collection, ids, clock, settings, mine)?,
            read_part(collection, ids, clock, settings, theirs)?,
        )),
    }
}

/// The two sides' summaries as one: the log, the cards (with their total) and the activity.
fn merge(
    collection: &Collection,
    ids: Option<&[i64]>,
    clock: Clock,
    settings: Settings,
    mut a: PartRead,
    b: PartRead,
) -> Result<(LogSummary, CardSummary, compute::Activity)> {
    a.log.merge(b.log);
    let mut cards = CardSummary::with_settings(clock, settings);
    for part in [a.cards, b.cards].into_iter().flatten() {
        cards.merge(part);
    }
    cards.set_total_cards(match a.total_cards.or(b.total_cards) {
        Some(total) => total,
        None => collection.stats_card_count(ids)?,
    });
    // Over the whole history the answers just read give the activity per day.
    let activity = match a.activity.or(b.activity) {
        Some(activity) => activity,
        None => a.log.activity(),
    };
    Ok((a.log, cards, activity))
}

/// The first and last row id of a part of a table.
type IdRange = (i64, i64);

/// Splits an id range: `percent` of it for this side, the rest for the other.
fn split(range: Option<IdRange>, percent: i64) -> (Option<IdRange>, Option<IdRange>) {
    match range {
        Some((low, high)) => {
            let middle = low + (high - low) / 100 * percent;
            (
                Some((low, middle)),
                (middle < high).then_some((middle + 1, high)),
            )
        }
        None => (None, None),
    }
}

// Shares of the work on the first side, in percent of an id range; the other side takes the
// rest. Reading a card costs about a third of reading an answer, and the activity per day is
// light; the shares balance the two sides on a collection of a million cards and answers
// (`benches/stats.rs`).

/// The cards read beside the answer counts, when the whole collection's answers come as counts.
const COUNTS_CARD_SHARE: i64 = 45;

/// The cards read beside a recent period's answers and the activity per day (a deck's).
const PERIOD_CARD_SHARE: i64 = 30;

/// The log read on the side without the cards, over a deck's whole history.
const HISTORY_LOG_SHARE: i64 = 67;

/// What one side of [`gather`] reads.
struct Part {
    answers: Option<AnswerRange>,
    /// The answers as per-day counts (the whole collection only), counted from this study day
    /// (`None`: from the first), with the activity over the whole history.
    counts: Option<Option<DayNumber>>,
    /// The active days over the whole history and the answers per day of the last year.
    activity: bool,
    /// The cards with ids in this range (started and suspended ones; the rest are counted).
    cards: Option<IdRange>,
    /// Count all the cards here (else after both sides are done).
    total_cards: bool,
}

struct PartRead {
    total_cards: Option<u64>,
    log: LogSummary,
    activity: Option<compute::Activity>,
    cards: Option<CardSummary>,
}

fn read_part(
    collection: &Collection,
    ids: Option<&[i64]>,
    clock: Clock,
    settings: Settings,
    part: &Part,
) -> Result<PartRead> {
    let today = clock.today();
    let mut log = LogSummary::new(clock, part.counts.flatten());
    if let Some(range) = part.answers {
        collection.stats_for_each_answer(ids, range, |row| log.add(row))?;
    }
    let activity = match (part.counts, part.activity) {
        (Some(first_day), _) => {
            let mut answers_per_day = compute::DayAnswers::default();
            collection.stats_for_each_day_count(today, |group| {
                log.add_group(group);
                answers_per_day.add(group);
            })?;
            collection.stats_for_each_quarter_count(first_day, today, |quarter| {
                log.add_quarter(quarter)
            })?;
            log.add_today_cards(collection.stats_cards_answered_on(today)?);
            Some(answers_per_day.activity())
        }
        (None, true) => {
            let today = clock.today();
            let days = collection.stats_active_days(ids, today)?;
            let first = today - compute::HEATMAP_DAYS + 1;
            let recent = collection.stats_answers_per_day(ids, first, today)?;
            Some(compute::Activity::from_counts(days, &recent))
        }
        (None, false) => None,
    };
    let cards = match part.cards {
        Some(range) => {
            let mut cards = CardSummary::with_settings(clock, settings);
            collection.stats_for_each_card(ids, range, |card| cards.add(card))?;
            Some(cards)
        }
        None => None,
    };
    let total_cards = match part.total_cards {
        true => Some(collection.stats_card_count(ids)?),
        false => None,
    };
    Ok(PartRead {
        total_cards,
        log,
        activity,
        cards,
    })
}
