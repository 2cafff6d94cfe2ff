//! `jargon stats`: review statistics in the terminal, as JSON, or as CSV tables.
//!
//! [`gather`] is the one place that runs the statistics queries and feeds the pure
//! computation; `jargon report` and the benchmark reuse it.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::builder::{PossibleValuesParser, TypedValueParser};

use super::Context;
use crate::clock::{Clock, DayNumber};
use crate::error::{Error, Result};
use crate::repl::render::Style;
use crate::stats::compute::{self, CardSummary, LogSummary, Period, Stats};
use crate::store::Collection;
use crate::store::stats::AnswerRange;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Tables and charts for the terminal
    Text,
    /// One JSON object (schema in docs/stats.md)
    Json,
    /// CSV tables (with --table NAME or -o DIR)
    Csv,
}

/// `--period`, shared with `jargon report`.
pub fn period_parser() -> impl TypedValueParser<Value = Period> {
    // The possible-values parser only lets the five names through, so parse never fails.
    PossibleValuesParser::new(Period::NAMES).map(|name| Period::parse(&name).unwrap_or(Period::All))
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this deck and its sub-decks
    #[arg(long, value_name = "NAME")]
    pub deck: Option<String>,
    /// How far back the answer figures look (the streak, heatmap, cards and forecast do not
    /// depend on it)
    #[arg(long, default_value = "month", value_parser = period_parser())]
    pub period: Period,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// With --format csv: print only this table (summary, daily, retention_daily,
    /// retention_weekly, retention_monthly, forecast, heatmap, cards, intervals, ease,
    /// buttons, hours, hardest)
    #[arg(long, value_name = "NAME")]
    pub table: Option<String>,
    /// With --format csv: write every table to DIR/NAME.csv
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
}

/// Runs the statistics queries for `deck` (and its sub-decks) over `period`, as `clock` sees
/// today, and computes the figures.
///
/// The work is split in two parts that run side by side on a collection file, each on its own
/// connection (WAL lets readers share the file), and their summaries are merged. For the whole
/// collection the answers come as the per-day counts the store keeps (a few rows a day), read
/// beside part of the cards, the rest of the cards on the other side. For a deck the log is
/// read: for a recent period, the answers and the activity per day on one side and the cards
/// on the other; for the whole history, two thirds of the log on one side, the cards and the
/// last third on the other.
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
    let today = clock.today();
    let leech_lapses = config.scheduling.leech_lapses;

    // Shares of the work on this side; the other side takes the rest. Reading a card costs
    // about a third of reading an answer, and the activity per day is light.
    let first_day = period.first_day(today);
    let (mine, theirs) = match first_day {
        // The whole collection's answers come as per-day counts, a few rows a day; the cards
        // are the bulk of the reading, shared between both sides.
        _ if ids.is_none() => {
            let (cards, other_cards) = split(collection.stats_card_ids()?, COUNTS_CARD_SHARE);
            (
                Part {
                    answers: None,
                    counts: Some(first_day),
                    activity: false,
                    cards,
                    total_cards: false,
                },
                Part {
                    answers: None,
                    counts: None,
                    activity: false,
                    cards: other_cards,
                    total_cards: true,
                },
            )
        }
        Some(from) => {
            let (cards, other_cards) = split(collection.stats_card_ids()?, 30);
            (
                Part {
                    answers: Some(AnswerRange::Days { from, until: today }),
                    counts: None,
                    activity: true,
                    cards,
                    total_cards: false,
                },
                Part {
                    answers: None,
                    counts: None,
                    activity: false,
                    cards: other_cards,
                    total_cards: false,
                },
            )
        }
        None => {
            let (answers, other_answers) = split(collection.stats_review_ids()?, 67);
            let rows = |(first_id, last_id)| AnswerRange::Rows {
                first_id,
                last_id,
                until: today,
            };
            (
                Part {
                    answers: answers.map(rows),
                    counts: None,
                    activity: false,
                    cards: None,
                    total_cards: false,
                },
                Part {
                    answers: other_answers.map(rows),
                    counts: None,
                    activity: false,
                    cards: collection.stats_card_ids()?,
                    total_cards: false,
                },
            )
        }
    };
    let other = match collection.path() {
        path if path == Path::new(":memory:") => None,
        path => Some(Collection::open(path)?),
    };
    let (mut a, b) = match other {
        Some(other) => std::thread::scope(|scope| {
            let b = scope.spawn(move || read_part(&other, ids, clock, leech_lapses, &theirs));
            let a = read_part(collection, ids, clock, leech_lapses, &mine);
            let b = b
                .join()
                .map_err(|_| Error::failed("the statistics stopped unexpectedly"))?;
            Ok::<_, Error>((a?, b?))
        })?,
        None => (
            read_part(collection, ids, clock, leech_lapses, &mine)?,
            read_part(collection, ids, clock, leech_lapses, &theirs)?,
        ),
    };
    a.log.merge(b.log);
    let mut cards = CardSummary::new(clock, leech_lapses);
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
    let info: HashMap<i64, compute::CardInfo> = collection
        .stats_card_info(&cards.listed_card_ids())?
        .into_iter()
        .map(|i| (i.card_id, i))
        .collect();
    let context = compute::Context {
        clock,
        period,
        deck: deck.map(str::to_string),
        rollover_hour: config.rollover_hour,
    };
    Ok(compute::build(&context, a.log, cards, &activity, &info))
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

/// The share of the cards (in percent of the id range) read beside the answer counts, when the
/// whole collection's answers come as counts.
const COUNTS_CARD_SHARE: i64 = 45;

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
    leech_lapses: u32,
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
            let mut cards = CardSummary::new(clock, leech_lapses);
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

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    if args.format != Format::Csv && (args.table.is_some() || args.output.is_some()) {
        return Err(Error::usage(
            "--table and -o go with --format csv (try `jargon stats --format csv --table daily`)",
        ));
    }
    if args.format == Format::Csv && args.table.is_some() && args.output.is_some() {
        return Err(Error::usage(
            "choose one of --table NAME (one table to standard output) and -o DIR (every table to files)",
        ));
    }
    if let Some(name) = &args.table
        && !crate::stats::csv::TABLE_NAMES.contains(&name.as_str())
    {
        return Err(Error::usage(format!(
            "there is no statistics table '{name}' (tables: {})",
            crate::stats::csv::TABLE_NAMES.join(", ")
        )));
    }
    if args.format == Format::Csv && args.table.is_none() && args.output.is_none() {
        return Err(Error::usage(format!(
            "--format csv needs --table NAME or -o DIR (tables: {})",
            crate::stats::csv::TABLE_NAMES.join(", ")
        )));
    }
    let collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let stats = gather(&collection, args.deck.as_deref(), args.period, clock)?;
    match args.format {
        Format::Text => {
            let style = Style::for_terminal(std::io::stdout().is_terminal());
            out.write_all(crate::stats::terminal::render(&stats, &style).as_bytes())
                .map_err(Error::Output)?;
        }
        Format::Json => out
            .write_all(crate::stats::json::render(&stats)?.as_bytes())
            .map_err(Error::Output)?,
        Format::Csv => match (&args.table, &args.output) {
            (Some(name), _) => {
                let table = crate::stats::csv::table(&stats, name)?;
                out.write_all(crate::stats::csv::write(&table)?.as_bytes())
                    .map_err(Error::Output)?;
            }
            (None, Some(dir)) => {
                let written = write_tables(&stats, dir)?;
                writeln!(
                    out,
                    "Wrote {written} tables to {} (one NAME.csv each).",
                    dir.display()
                )
                .map_err(Error::Output)?;
            }
            (None, None) => {}
        },
    }
    Ok(())
}

/// Writes every table to `dir/NAME.csv`, creating the folder; returns how many.
fn write_tables(stats: &Stats, dir: &Path) -> Result<usize> {
    // Every table is made before the first file is written, so a failure writes nothing.
    let tables = crate::stats::csv::tables(stats);
    let written = tables
        .iter()
        .map(|table| Ok((table.name, crate::stats::csv::write(table)?)))
        .collect::<Result<Vec<_>>>()?;
    std::fs::create_dir_all(dir).map_err(|e| Error::io("create the folder", dir, e))?;
    for (name, text) in &written {
        let file = format!("{name}.csv");
        // Each file by the output rules: links written through, modes kept, replaced whole.
        crate::outfile::Output::new(&dir.join(&file), &file)?
            .write_bytes(text.as_bytes(), &mut std::io::sink())?;
    }
    Ok(written.len())
}
