//! `jargon import FILE.apkg`: one Anki package imported while it is read. The package's notes
//! come one at a time with their cards' histories ([`crate::deck::apkg::Package::read`]);
//! those of a deck that held no notes are written in batches as they come, each batch's
//! histories right after its notes, and those of a deck that holds notes are kept and planned
//! against them once the package is read. All of it is one transaction, committed only when
//! the whole package was read without error: the outcome is that of reading first and
//! writing after, without ever holding the package's notes.
//!
//! The package's media files go into the media folder beside the collection first, inside
//! the same transaction (so two imports never store files at once), every one of them as
//! Anki does, each file bounded and the import's total too ([`crate::media::Budget`]). A
//! file stored under another name (its name was unsafe, or held other bytes) has the
//! references of the package's notes rewritten before they are written. When the import
//! fails or is rolled back, the files it wrote are removed again; files that were already
//! there stay. Only a killed import leaves files no note references (`jargon check` lists
//! them).

use std::path::Path;

use super::media::{MediaStore, Renamed, point_at_stored};
use super::{Feedback, Report, Request, not_written};
use crate::clock::Clock;
use crate::config::Config;
use crate::deck::apkg::{ENTRY_LIMIT, Package};
use crate::deck::history::Merger;
use crate::deck::plan::plan_owned;
use crate::deck::{DeckInput, NoteInput, Validator};
use crate::error::{Error, Result};
use crate::records::anki::AnkiRows;
use crate::records::import::{CardHistory, MergeCounts};
use crate::store::Collection;
use crate::store::import::NoteStream;
use crate::store::revlog::{HistoryReport, Merge};

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

/// What the package's notes and answers came to, inside the transaction.
struct Written {
    /// Notes written as they came (decks that held none).
    streamed: usize,
    plan: crate::records::import::ImportPlan,
    history: HistoryReport,
    /// Whether any note came with answers.
    any_history: bool,
    warnings: Vec<String>,
}

/// Imports the package at `path` (see the module's documentation).
pub(crate) fn run(
    collection: &mut Collection,
    config: &Config,
    clock: &Clock,
    path: &Path,
    request: &Request,
    feedback: &mut dyn Feedback,
) -> Result<Report> {
    drop(crate::deck::open_input(path)?);
    let package = Package::open(path, ENTRY_LIMIT)?;
    let opener = crate::store::anki::Opener;
    // The count on a connection of its own, as the reading's instruction budget is per
    // connection.
    let expected = package.rows(&opener)?.note_count()?;
    let rows = package.rows(&opener)?;
    let merger = Merger {
        scheduler: config.scheduler,
        settings: &config.scheduling,
        clock,
    };
    let merge = |history: &CardHistory, stored: &_| merger.merge(history, stored);
    let now = clock.now().timestamp();
    let mut media = MediaStore::new(collection.path());
    let written = collection.import_streaming(now, expected, |stream| {
        let (renamed, media_warnings) = media.store(path)?;
        let bar = feedback.progress(expected as u64);
        let mut writer = Writer {
            stream,
            config,
            merge: &merge,
            bar: &bar,
            held: Held::default(),
            reviews: MergeCounts::default(),
            renamed: &renamed,
        };
        let (any_history, mut warnings) = writer.read(&package, &*rows, path, expected, clock)?;
        warnings.splice(0..0, media_warnings);
        let Writer {
            stream,
            mut held,
            reviews,
            ..
        } = writer;
        let histories = held.histories();
        let names: Vec<&str> = held.decks.iter().map(|d| d.name.as_str()).collect();
        let existing = stream.existing_notes(&names)?;
        drop(names);
        let decks = std::mem::take(&mut held.decks);
        let plan = plan_owned(decks, &existing, request.on_duplicate);
        let streamed = stream.added();
        let added = stream.apply(&plan, &mut |done| bar.set_position(streamed as u64 + done))?;
        let mut history =
            stream.write_planned_histories(&plan, &added, &histories, config, &merge)?;
        history.reviews += reviews;
        bar.finish_and_clear();
        Ok(Written {
            streamed,
            plan,
            history,
            any_history,
            warnings,
        })
    });
    let written = match written {
        Ok(written) => written,
        Err(e) => {
            media.remove_created();
            return Err(match e {
                Error::Input { .. } => e,
                e => not_written(e),
            });
        }
    };
    for warning in &written.warnings {
        feedback.warn(&format!("{}: {warning}", path.display()));
    }
    let mut report = Report::of_plan(false, written.streamed, &written.plan);
    report.history = written.any_history.then_some(written.history);
    report.media_stored = media.created.len();
    report.media_present = media.present;
    Ok(report)
}

/// The writing side of a package import: writes the batches of decks that held no notes with
/// their histories, keeps the others.
struct Writer<'s, 't, 'a> {
    stream: &'s mut NoteStream<'t>,
    config: &'a Config,
    merge: Merge<'a>,
    bar: &'a indicatif::ProgressBar,
    held: Held,
    /// How the streamed notes' answers fared.
    reviews: MergeCounts,
    /// Media stored under another name than the notes reference.
    renamed: &'a Renamed,
}

impl Writer<'_, '_, '_> {
    /// Reads the package's notes, validating each and writing them in batches; returns
    /// whether any note came with answers, and the reader's warnings.
    fn read(
        &mut self,
        package: &Package,
        rows: &dyn AnkiRows,
        path: &Path,
        expected: usize,
        clock: &Clock,
    ) -> Result<(bool, Vec<String>)> {
        let mut validator = Validator::expecting(path, expected);
        let mut any_history = false;
        let mut batch = Batch::default();
        let renamed = self.renamed;
        let warnings = package.read(rows, clock, |mut converted| {
            point_at_stored(&mut converted.note, renamed);
            validator.note(&converted.deck, &converted.note)?;
            any_history |= !converted.histories.is_empty();
            if batch.deck != converted.deck || batch.notes.len() == BATCH {
                let next = Batch {
                    deck: converted.deck,
                    ..Batch::default()
                };
                self.flush(std::mem::replace(&mut batch, next))?;
            }
            batch.notes.push(converted.note);
            batch.histories.push(converted.histories);
            Ok(())
        })?;
        self.flush(batch)?;
        Ok((any_history, warnings))
    }

    /// Writes `batch` and its histories when its deck held no notes; keeps it otherwise.
    fn flush(&mut self, batch: Batch) -> Result<()> {
        if batch.notes.is_empty() {
            return Ok(());
        }
        if !self.stream.accepts(&batch.deck)? {
            self.held.keep(batch);
            return Ok(());
        }
        let first = self.stream.next_id();
        self.stream
            .write(&batch.deck, batch.notes.iter().map(|n| &n.fields))?;
        for (note_id, list) in (first..).zip(&batch.histories) {
            for history in list {
                self.reviews +=
                    self.stream
                        .write_history(note_id, history, self.config, self.merge)?;
            }
        }
        self.bar.set_position(self.stream.added() as u64);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! The note types of real packages, read as an import reads them: the store's reader
    //! (`store::anki`) and `deck::apkg_collection`'s decoding together.
    use std::collections::HashMap;
    use std::path::Path;

    use crate::deck::apkg_collection::collection_of;
    use crate::deck::apkg_zip::{ENTRY_LIMIT, extract_collection};
    use crate::records::anki::AnkiNotetype;
    use crate::store::anki::Reader;

    /// The note types of the collection in a package of `tests/fixtures`, by name.
    fn notetypes_of(fixture: &str) -> HashMap<String, AnkiNotetype> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(fixture);
        let (_scratch, file, entry, _) = extract_collection(&path, ENTRY_LIMIT).unwrap();
        let tables = Reader::open(&file, &path, entry).unwrap().tables().unwrap();
        let collection = collection_of(tables, &path, entry).unwrap();
        let notetypes = collection.notetypes.into_values();
        notetypes.map(|n| (n.name.clone(), n)).collect()
    }

    #[test]
    fn a_legacy_package_has_its_note_types_whole() {
        let notetypes = notetypes_of("anki-scheduled-legacy.apkg");
        assert_eq!(notetypes.len(), 1);
        let basic = &notetypes["Basic (and reversed card)"];
        let names: Vec<&str> = basic
            .template_list
            .iter()
            .map(|t| t.name.as_str())
            .collect();
        assert_eq!(names, ["Card 1", "Card 2"]);
        assert_eq!(basic.template_list[1].front, "{{Back}}");
        let back = "{{FrontSide}}\n\n<hr id=answer>\n\n{{Front}}";
        assert_eq!(basic.template_list[1].back, back);
        assert_eq!(
            (basic.templates, basic.sort_field, basic.modified),
            (2, 0, 0)
        );
        assert!(
            basic.css.starts_with(".card {\n    font-family: arial;"),
            "{}",
            basic.css
        );
    }

    #[test]
    fn a_current_package_has_its_note_types_whole() {
        let notetypes = notetypes_of("anki-rich.apkg");
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/anki-rich.expected.json"
        );
        let expected: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let expected = expected["notetypes"].as_object().unwrap();
        assert_eq!(notetypes.len(), expected.len());
        assert_eq!(expected.len(), 6);
        for (name, want) in expected {
            let got = &notetypes[name];
            let fields: Vec<&str> = got.fields.iter().map(String::as_str).collect();
            assert_eq!(serde_json::json!(fields), want["fields"], "{name}");
            assert_eq!(
                serde_json::json!(i64::from(got.cloze)),
                want["kind"],
                "{name}"
            );
            assert_eq!(got.css, want["css"].as_str().unwrap(), "{name}");
            let templates: Vec<[&str; 3]> = got
                .template_list
                .iter()
                .map(|t| [t.name.as_str(), t.front.as_str(), t.back.as_str()])
                .collect();
            assert_eq!(serde_json::json!(templates), want["templates"], "{name}");
            assert_eq!(got.templates, got.template_list.len(), "{name}");
            assert_eq!(got.sort_field, 0, "{name}");
            let modified = if name == "Vocab Plus" {
                1_796_207_977
            } else {
                0
            };
            assert_eq!(got.modified, modified, "{name}");
        }
    }
}
