//! The scheduler switch: `config set scheduler NAME [--reschedule]`.
//!
//! A card's state is the replay of its log under the active scheduler
//! ([`crate::scheduler::convert`]), so switching recomputes every stored card's state from its
//! history under the new scheduler, keeping its due date, and writes no row. `--reschedule`
//! also moves each card whose state came from another scheduler to the due date the new one
//! gives from its last answer, with one `reschedule` row per moved card. A [`preview`] says
//! what that would move before anything is written. The cards' histories are streamed in
//! batches in card order; the whole switch is one transaction. Each card's fuzz is drawn
//! from its note's seed where it has one (`store::seed`; the seeds are read once). The engine
//! prints nothing: progress goes to a [`Progress`] the caller supplies.

use std::collections::HashMap;

use crate::clock::DayNumber;
use crate::error::{Error, Result};
use crate::model::{fuzz_card_id, note_of_card};
use crate::records::export::ReviewRow;
use crate::scheduler::convert::{convert, keep_due};
use crate::scheduler::replay::replay;
use crate::scheduler::replay::{LoggedAnswer, ReviewKind};
use crate::scheduler::{CardState, Due, Quality, SchedulerKind, Settings};
use crate::store::Collection;
use crate::store::reviews::{NewReview, SettingsTable, Unreplayable};
use crate::store::switch::{CardLog, SwitchWrite};

/// Cards read and written per batch.
const BATCH: usize = 4096;

/// Where the switch reports how far it is (the command line draws a bar on a terminal).
pub trait Progress {
    /// The work is about `total` cards.
    fn start(&mut self, total: u64);
    /// `done` more cards are handled.
    fn advance(&mut self, done: u64);
    fn finish(&mut self);
}

/// Progress that nobody sees (tests, benches).
pub struct Quiet;

impl Progress for Quiet {
    fn start(&mut self, _total: u64) {}
    fn advance(&mut self, _done: u64) {}
    fn finish(&mut self) {}
}

/// The moment of the switch, for the preview's windows and the `reschedule` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct When {
    pub today: DayNumber,
    /// Unix milliseconds.
    pub now_ms: i64,
}

/// What `--reschedule` would do: due dates that move, and reviews due before and after.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preview {
    /// Cards whose due date moves, earlier and later.
    pub earlier: u64,
    pub later: u64,
    /// Reviews due in the next 7 and 30 days (overdue ones included), before and after.
    pub due_7: (u64, u64),
    pub due_30: (u64, u64),
}

impl Preview {
    pub fn moved(&self) -> u64 {
        self.earlier + self.later
    }
}

/// What a switch did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Report {
    /// The collection had this scheduler already (and nothing was to be moved): unchanged.
    pub already: bool,
    /// Stored cards read, and those whose state changed.
    pub cards: u64,
    pub changed: u64,
    /// Cards given a `reschedule` row.
    pub rescheduled: u64,
}

/// One card under `to`: its state (due date kept) and, when its state came from another
/// scheduler, the state `to` gives from its last answer (due date moved).
struct Converted {
    kept: CardState,
    moved: Option<CardState>,
}

fn logged(log: &[ReviewRow], card_id: i64, table: &SettingsTable) -> Result<Vec<LoggedAnswer>> {
    log.iter()
        .map(|row| {
            row.as_logged(table).map_err(|why| {
                let what = match why {
                    Unreplayable::Scheduler => "was made with a scheduler this build does not know",
                    Unreplayable::Settings(_) => "names scheduler settings this build cannot read",
                };
                Error::failed(format!(
                    "card {card_id}: review {} {what}, so the card cannot be switched (see `jargon check`); nothing was changed",
                    row.id
                ))
            })
        })
        .collect()
}

/// `entry` under `to` when the collection's scheduler is `from`. What `replay_under` gives,
/// without replaying what the stored state already says: the stored state is the replay of
/// the log under `from` (`check` proves it), so when the last row was made by another
/// scheduler than `to`, the state under `to` is the conversion of the card's answers with the
/// stored due date, and when `to` made the last row it is the rows' own replay (the stored
/// state itself when `from` is `to`). `seeds`: the notes' fuzz seeds
/// ([`Collection::note_seeds`]), which the replay draws the fuzz from.
fn convert_card(
    entry: &CardLog,
    from: SchedulerKind,
    to: SchedulerKind,
    table: &SettingsTable,
    seeds: &HashMap<i64, i64>,
) -> Result<Converted> {
    let card_id = entry.card.id;
    let fuzz_card_id = fuzz_card_id(card_id, seeds.get(&note_of_card(card_id)).copied());
    let stored = entry.card.state;
    let unchanged = Converted {
        kept: stored,
        moved: None,
    };
    let Some(last) = entry.log.last() else {
        return Ok(unchanged);
    };
    if last.scheduler_name == to.name() && from == to {
        return Ok(unchanged);
    }
    let log = logged(&entry.log, card_id, table)?;
    if last.scheduler_name == to.name() {
        let kept = replay(fuzz_card_id, &log).map_err(|d| {
            Error::failed(format!(
                "card {card_id}: review {} does not replay (see `jargon check`); nothing was changed",
                entry.log.get(d.index).map_or(0, |row| row.id)
            ))
        })?;
        return Ok(Converted { kept, moved: None });
    }
    let natural = convert(fuzz_card_id, &log, to)?;
    let kept = keep_due(natural, &stored);
    let moved = (natural.due != kept.due).then_some(natural);
    Ok(Converted { kept, moved })
}

/// Whether a card due `due` is due within `days` days of the moment (overdue included).
fn due_within(due: Due, days: i64, when: When) -> bool {
    match due {
        Due::Unscheduled => false,
        Due::Day(day) => day < when.today + days,
        Due::At(at) => at < when.now_ms.div_euclid(1000) + days * 86_400,
    }
}

fn earlier(a: Due, b: Due) -> bool {
    let key = |due: Due| match due {
        Due::Unscheduled => i64::MAX,
        Due::Day(day) => day.saturating_mul(86_400),
        Due::At(at) => at,
    };
    key(a) < key(b)
}

/// What `--reschedule` to `to` would move, read without writing anything.
pub fn preview(
    collection: &Collection,
    to: SchedulerKind,
    when: When,
    progress: &mut dyn Progress,
) -> Result<Preview> {
    progress.start(collection.stored_card_count()?);
    let table = collection.settings_table()?;
    let from = collection.config()?.scheduler;
    let seeds = collection.note_seeds()?;
    let mut preview = Preview::default();
    collection.for_each_card_log(BATCH, |batch| {
        for entry in batch {
            let converted = convert_card(entry, from, to, &table, &seeds)?;
            let before = entry.card.state.due;
            let after = converted.moved.map_or(before, |state| state.due);
            if before != after {
                if earlier(after, before) {
                    preview.earlier += 1;
                } else {
                    preview.later += 1;
                }
            }
            if !entry.card.suspended {
                for (days, count) in [(7, &mut preview.due_7), (30, &mut preview.due_30)] {
                    count.0 += u64::from(due_within(before, days, when));
                    count.1 += u64::from(due_within(after, days, when));
                }
            }
        }
        progress.advance(batch.len() as u64);
        Ok(())
    })?;
    progress.finish();
    Ok(preview)
}

/// Switches the collection to `to`, recomputing every stored card's state from its log, and
/// with `reschedule` moving the due dates a switch kept (one `reschedule` row each). Setting
/// the scheduler the collection has, without `reschedule`, changes nothing.
pub fn run(
    collection: &mut Collection,
    to: SchedulerKind,
    reschedule: bool,
    when: When,
    progress: &mut dyn Progress,
) -> Result<Report> {
    let config = collection.config()?;
    let mut report = Report::default();
    if config.scheduler == to && !reschedule {
        report.already = true;
        return Ok(report);
    }
    progress.start(collection.stored_card_count()?);
    let settings = config.scheduling;
    let seeds = collection.note_seeds()?;
    collection.switch_scheduler(to, BATCH, |table, batch, writes| {
        for entry in batch {
            report.cards += 1;
            let converted = convert_card(entry, config.scheduler, to, table, &seeds)?;
            let stored = entry.card.state;
            match converted.moved.filter(|_| reschedule) {
                Some(after) => {
                    report.rescheduled += 1;
                    report.changed += 1;
                    writes.push(SwitchWrite::Reschedule {
                        review: Box::new(reschedule_row(entry.card.id, to, &settings, when)?),
                        before: converted.kept,
                        after,
                    });
                }
                None if converted.kept != stored => {
                    report.changed += 1;
                    writes.push(SwitchWrite::State {
                        card_id: entry.card.id,
                        stored,
                        state: converted.kept,
                    });
                }
                None => {}
            }
        }
        progress.advance(batch.len() as u64);
        Ok(())
    })?;
    progress.finish();
    Ok(report)
}

fn reschedule_row(
    card_id: i64,
    to: SchedulerKind,
    settings: &Settings,
    when: When,
) -> Result<NewReview> {
    Ok(NewReview {
        card_id,
        reviewed_at_ms: when.now_ms,
        day: when.today,
        // No answer was given: the row's grade is never read (replay adopts its state).
        quality: Quality::new(0)?,
        duration_ms: 0,
        kind: ReviewKind::Reschedule,
        scheduler: to,
        settings: *settings,
        retrievability: None,
    })
}
