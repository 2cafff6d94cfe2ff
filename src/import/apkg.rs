//! `jargon import FILE.apkg`: one Anki package imported while it is read. The package's notes
//! come one at a time with their cards' histories ([`crate::deck::apkg::Package::read`]);
//! those of a deck that held no notes are written in batches as they come, each batch's
//! histories right after its notes, and those of a deck that holds notes are kept and planned
//! against them once the package is read. All of it is one transaction, committed only when
//! the whole package was read without error: the outcome is that of reading first and
//! writing after, without ever holding the package's notes.

use std::io::Write;
use std::path::Path;

use super::{Request, not_written, progress_bar, report_parts};
use crate::clock::Clock;
use crate::config::Config;
use crate::deck::apkg::{ENTRY_LIMIT, Package};
use crate::deck::history::{CardHistory, MergeCounts, Merger};
use crate::deck::plan::plan_owned;
use crate::deck::{DeckInput, NoteInput, Validator};
use crate::error::{Error, Result};
use crate::store::Collection;
use crate::store::revlog::HistoryReport;

/// Notes written at once.
const BATCH: usize = 1024;

/// Notes of one deck in package order, with the histories of each note's cards.
#[derive(Default)]
struct Batch {
    deck: String,
    notes: Vec<NoteInput>,
    histories: Vec<Vec<CardHistory>>,
}

/// Notes of decks that held notes, planned once the package is read.
#[derive(Default)]
struct Held {
    decks: Vec<DeckInput>,
    /// (deck index, note index in deck, a history of one of its cards)
    histories: Vec<(usize, usize, CardHistory)>,
}

impl Held {
    fn keep(&mut self, batch: Batch) {
        let index = match self.decks.iter().position(|d| d.name == batch.deck) {
            Some(index) => index,
            None => {
                self.decks.push(DeckInput {
                    name: batch.deck,
                    description: None,
                    notes: Vec::new(),
                });
                self.decks.len() - 1
            }
        };
        let deck = &mut self.decks[index];
        for (note, list) in batch.notes.into_iter().zip(batch.histories) {
            let at = deck.notes.len();
            deck.notes.push(note);
            self.histories
                .extend(list.into_iter().map(|h| (index, at, h)));
        }
    }

    /// The histories, each pointing at its note's index among all held notes in order.
    fn histories(&mut self) -> Vec<CardHistory> {
        let mut offsets = Vec::with_capacity(self.decks.len());
        let mut total = 0;
        for deck in &self.decks {
            offsets.push(total);
            total += deck.notes.len();
        }
        std::mem::take(&mut self.histories)
            .into_iter()
            .map(|(deck, note, mut history)| {
                history.note = offsets[deck] + note;
                history
            })
            .collect()
    }
}

/// Imports the package at `path` (see the module's documentation).
pub(crate) fn run(
    collection: &mut Collection,
    config: &Config,
    clock: &Clock,
    path: &Path,
    args: &Request,
    out: &mut dyn Write,
) -> Result<()> {
    drop(crate::deck::open_input(path)?);
    let package = Package::open(path, ENTRY_LIMIT)?;
    let expected = package.note_count()?;
    let merger = Merger {
        scheduler: config.scheduler,
        settings: &config.scheduling,
        clock,
    };
    let merge = |history: &CardHistory, stored: &_| merger.merge(history, stored);
    let now = clock.now().timestamp();
    let written = collection.import_streaming(now, expected, |stream| {
        let bar = progress_bar(expected as u64);
        let mut validator = Validator::expecting(path, expected);
        let mut held = Held::default();
        let mut reviews = MergeCounts::default();
        let mut any_history = false;
        let mut batch = Batch::default();
        let mut flush = |batch: Batch,
                         stream: &mut crate::store::import::NoteStream,
                         held: &mut Held|
         -> Result<()> {
            if batch.notes.is_empty() {
                return Ok(());
            }
            if !stream.accepts(&batch.deck)? {
                held.keep(batch);
                return Ok(());
            }
            let first = stream.next_id();
            stream.write(&batch.deck, batch.notes.iter().map(|n| &n.fields))?;
            for (note_id, list) in (first..).zip(&batch.histories) {
                for history in list {
                    reviews += stream.write_history(note_id, history, config, &merge)?;
                }
            }
            bar.set_position(stream.added() as u64);
            Ok(())
        };
        let warnings = package.read(clock, |converted| {
            validator.note(&converted.deck, &converted.note)?;
            any_history |= !converted.histories.is_empty();
            if batch.deck != converted.deck || batch.notes.len() == BATCH {
                let next = Batch {
                    deck: converted.deck,
                    ..Batch::default()
                };
                flush(std::mem::replace(&mut batch, next), stream, &mut held)?;
            }
            batch.notes.push(converted.note);
            batch.histories.push(converted.histories);
            Ok(())
        })?;
        flush(std::mem::take(&mut batch), stream, &mut held)?;
        let histories = held.histories();
        let names: Vec<&str> = held.decks.iter().map(|d| d.name.as_str()).collect();
        let existing = stream.existing_notes(&names)?;
        drop(names);
        let plan = plan_owned(
            std::mem::take(&mut held.decks),
            &existing,
            args.on_duplicate,
        );
        let streamed = stream.added();
        let added = stream.apply(&plan, &mut |done| bar.set_position(streamed as u64 + done))?;
        let mut report =
            stream.write_planned_histories(&plan, &added, &histories, config, &merge)?;
        report.reviews += reviews;
        bar.finish_and_clear();
        Ok((streamed, plan, report, any_history, warnings))
    });
    let (streamed, plan, history, any_history, warnings) = written.map_err(|e| match e {
        Error::Input { .. } => e,
        e => not_written(e),
    })?;
    for warning in &warnings {
        crate::output::warn(&format!("{}: {warning}", path.display()));
    }
    let added = streamed + plan.add.len();
    let summary =
        crate::deck::plan::summary(added, plan.update.len(), plan.unchanged, plan.skipped);
    let reviews: &HistoryReport = &history;
    let nothing = added == 0
        && plan.update.is_empty()
        && reviews.reviews.added == 0
        && reviews.reviews.cards == 0;
    writeln!(
        out,
        "{}: {}.",
        if nothing {
            "Nothing to change"
        } else {
            "Imported"
        },
        report_parts(summary, any_history.then_some(reviews), package.media)
    )
    .map_err(Error::Output)?;
    Ok(())
}
