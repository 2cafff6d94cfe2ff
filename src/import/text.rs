//! The streamed import of CSV, TSV, TOML and JSON files (one or several, any mix; with
//! `--builtin`, the built-in decks after them): one thread reads the files one after another,
//! parsing and validating the notes with one [`crate::deck::Validator`] (so a key two files
//! give in the same deck is refused, naming both), and hands them over in batches; the calling
//! thread writes each batch of a deck that held no notes straight away (every one of its notes
//! is new), and keeps the notes of decks that hold some to plan against them once every file
//! is read. Everything happens in one transaction, committed only when every file was read
//! without error, so the outcome is the same as reading first and writing after, in about the
//! time of the slower of the two, and only one file's text is held at a time.
//!
//! A dry run goes the same way in a transaction rolled back at the end
//! ([`crate::store::Collection::dry_run_streaming`]): it lists the notes it wrote by reading
//! them back (to [`Feedback::listed`], one at a time), so that it never holds them all either.
//!
//! The steps: [`import`] counts the files ([`estimate_files`]) and starts the reader
//! ([`read_files`], one [`Reader`] per import); the writer takes the batches
//! ([`write_batches`]) and, once the reader is done, plans and writes the decks that held notes
//! ([`finish`]).

use std::cell::RefCell;
use std::path::Path;
use std::sync::mpsc::{Receiver, Sender, SyncSender};

use super::{Feedback, Listed, Report, Request, not_written};
use crate::deck::notetypes::KnownTypes;
use crate::deck::plan::plan_owned;
use crate::deck::{DeckInput, Format, InputKind, LoadOptions, NoteInput, Validator};
use crate::error::{Error, Result};
use crate::model::NoteFields;
use crate::records::import::ImportPlan;
use crate::store::Collection;
use crate::store::import::NoteStream;

/// Notes per batch handed from the thread that reads the file to the one that writes.
const BATCH: usize = 1024;

/// The name the built-in decks go by in messages.
const BUILTIN: &str = "(built-in decks)";

/// Notes of one deck, in file order.
struct Batch {
    deck: String,
    notes: Vec<NoteInput>,
}

/// What the reading side found besides the notes: the parsers' warnings (each naming its
/// file), and the name and description of each deck a TOML file (or the built-in decks)
/// describes.
type ReadOutcome = (Vec<String>, Vec<(String, String)>);

/// Imports `files` while they are read (see the module's documentation); warnings go to
/// `feedback` once everything is written.
pub(super) fn import(
    collection: &mut Collection,
    files: &[(&Path, Format)],
    options: &LoadOptions,
    known: &KnownTypes,
    request: &Request,
    feedback: &mut dyn Feedback,
) -> Result<Report> {
    let (first, counts) = estimate_files(files)?;
    let expected: usize = counts.iter().sum();
    let now = options
        .clock
        .map_or_else(|| chrono::Utc::now().timestamp(), |c| c.now().timestamp());
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(8);
    // Written notes go back to the reader, which reads the next rows into their strings: no
    // memory to allocate, nor to free on another thread than the one that allocated it.
    let (written_notes, recycled) = std::sync::mpsc::channel::<Vec<NoteInput>>();
    let dry_run = request.dry_run;
    let counts = counts.as_slice();
    let progress = &mut *feedback;
    let written = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let source = Source {
                files,
                first,
                counts,
                builtin: request.builtin,
                options,
                known,
            };
            read_files(source, sender, recycled)
        });
        // Notes written after the reader finished are freed on a thread of their own: a
        // note's strings take as long to free one by one as to insert, and the writer is the
        // slower side.
        let (spent, freed) = std::sync::mpsc::channel::<Vec<NoteInput>>();
        scope.spawn(move || freed.iter().for_each(drop));
        let body = move |stream: &mut NoteStream| {
            let bar = if dry_run {
                indicatif::ProgressBar::hidden()
            } else {
                progress.progress(expected as u64)
            };
            let received = write_batches(stream, receiver, &written_notes, &spent, &bar)?;
            // The reader's outcome decides whether any of it is kept.
            let (warnings, described) = reader.join().map_err(|_| {
                Error::failed("the thread reading the files stopped unexpectedly")
            })??;
            let report = finish(stream, received, described, request, progress, &bar)?;
            Ok((report, warnings))
        };
        if dry_run {
            collection.dry_run_streaming(now, expected, body)
        } else {
            collection.import_streaming(now, expected, body)
        }
    });
    let (report, warnings) = written.map_err(|e| match e {
        Error::Input { .. } | Error::Output(_) => e,
        e => not_written(e),
    })?;
    for warning in &warnings {
        feedback.warn(warning);
    }
    Ok(report)
}

/// Reads each file once before anything is written (refusing one that cannot be read) and
/// estimates how many notes it holds: the progress bar's length, room for the reader's keys,
/// and how the writer keeps its indexes (see `Collection::import_streaming`). Returns the
/// first file's text, kept for the reader (the others are read again in turn, so that only
/// one is held at a time), and the estimates.
fn estimate_files(files: &[(&Path, Format)]) -> Result<(Option<String>, Vec<usize>)> {
    let mut first = None;
    let mut counts = Vec::with_capacity(files.len());
    for (path, format) in files {
        let text = crate::deck::read_text(path, InputKind::Deck(*format))?;
        counts.push(estimate_notes(&text, *format));
        if first.is_none() {
            first = Some(text);
        }
    }
    Ok((first, counts))
}

/// About how many notes the text of a deck file holds: a quick count of its records.
fn estimate_notes(text: &str, format: Format) -> usize {
    match format {
        Format::Toml => memchr::memmem::find_iter(text.as_bytes(), b"[[note]]").count(),
        Format::Json => memchr::memmem::find_iter(text.as_bytes(), b"\"term\"").count(),
        _ => crate::deck::csv::estimate_rows(text),
    }
}

/// What the writer kept of the batches.
struct Received {
    /// The notes of decks that hold notes, planned once the files are read.
    held: Vec<DeckInput>,
    /// Every deck with notes, in the order the files first name them (a dry run lists the
    /// notes so).
    order: Vec<String>,
}

/// The writing side, until the reader stops sending: writes each batch of a deck that held
/// no notes at once and sends its notes back to the reader (`recycle`; to the freeing thread,
/// `spent`, once the reader is gone), and keeps the others.
fn write_batches(
    stream: &mut NoteStream,
    receiver: Receiver<Batch>,
    recycle: &Sender<Vec<NoteInput>>,
    spent: &Sender<Vec<NoteInput>>,
    bar: &indicatif::ProgressBar,
) -> Result<Received> {
    let mut received = Received {
        held: Vec::new(),
        order: Vec::new(),
    };
    for batch in receiver.iter() {
        if !received.order.contains(&batch.deck) {
            received.order.push(batch.deck.clone());
        }
        if stream.accepts(&batch.deck)? {
            stream.write(&batch.deck, batch.notes.iter().map(|n| &n.fields))?;
            bar.set_position(stream.added() as u64);
            if let Err(std::sync::mpsc::SendError(notes)) = recycle.send(batch.notes) {
                // Only fails once the freeing thread is gone; then free them here.
                let _ = spent.send(notes);
            }
        } else {
            match received
                .held
                .iter_mut()
                .rev()
                .find(|d| d.name == batch.deck)
            {
                Some(deck) => deck.notes.extend(batch.notes),
                None => received.held.push(DeckInput {
                    name: batch.deck,
                    description: None,
                    notes: batch.notes,
                }),
            }
        }
    }
    Ok(received)
}

/// Once every file is read: plans the held decks against the notes they hold and writes the
/// plan (a dry run lists everything instead). Returns the import's report.
fn finish(
    stream: &mut NoteStream,
    received: Received,
    described: Vec<(String, String)>,
    request: &Request,
    feedback: &mut dyn Feedback,
    bar: &indicatif::ProgressBar,
) -> Result<Report> {
    let Received { mut held, order } = received;
    describe(&mut held, described);
    let names: Vec<&str> = held
        .iter()
        .filter(|d| !d.notes.is_empty())
        .map(|d| d.name.as_str())
        .collect();
    // Only decks that held notes are looked up (the key index is built again first).
    let existing = if names.is_empty() {
        crate::records::import::Existing::new()
    } else {
        stream.existing_notes(&names)?
    };
    drop(names);
    // The dry run names each update's deck from the held decks' shape (see `update_decks`).
    let shape: Vec<(String, usize)> = held
        .iter()
        .map(|d| (d.name.clone(), d.notes.len()))
        .collect();
    let plan = plan_owned(held, &existing, request.on_duplicate);
    let report = Report::of_plan(request.dry_run, stream.added(), &plan);
    if request.dry_run {
        list_dry_run(stream, &plan, &order, &shape, &report, feedback)?;
        return Ok(report);
    }
    let streamed = stream.added() as u64;
    stream.apply(&plan, &mut |done| bar.set_position(streamed + done))?;
    bar.finish_and_clear();
    Ok(report)
}

/// Sets each described deck's description (a TOML deck's description goes through the plan,
/// which sets it on the deck), adding a deck with no notes where none was held.
fn describe(held: &mut Vec<DeckInput>, described: Vec<(String, String)>) {
    for (name, description) in described {
        match held.iter_mut().find(|d| d.name == name) {
            Some(deck) => deck.description = Some(description),
            None => held.push(DeckInput {
                name,
                description: Some(description),
                notes: Vec::new(),
            }),
        }
    }
}

/// The dry run's listing of a streamed import, as the read-first path gives it: the counts,
/// then every added note (deck by deck in the order the files name them; the streamed ones
/// read back from the transaction), then every update.
fn list_dry_run(
    stream: &NoteStream,
    plan: &ImportPlan,
    order: &[String],
    shape: &[(String, usize)],
    report: &Report,
    feedback: &mut dyn Feedback,
) -> Result<()> {
    feedback.listed(Listed::Would(report))?;
    for deck in order {
        stream.for_each_written_key(deck, &mut |key| feedback.listed(Listed::Add { deck, key }))?;
        for (_, fields) in plan.add.iter().filter(|(name, _)| name == deck) {
            feedback.listed(Listed::Add {
                deck,
                key: &fields.key,
            })?;
        }
    }
    super::list_updates(plan, shape, feedback)
}

/// What the reading side of [`import`] reads.
struct Source<'a> {
    files: &'a [(&'a Path, Format)],
    /// The first file's text, already read.
    first: Option<String>,
    /// About how many notes each file holds.
    counts: &'a [usize],
    /// Whether the built-in decks come after the files.
    builtin: bool,
    options: &'a LoadOptions,
    /// The note types a CSV/TSV file's note type column may name.
    known: &'a KnownTypes,
}

/// The reading side of [`import`]: reads, parses and validates the files one after another
/// (then the built-in decks), sending their notes in batches.
fn read_files(
    source: Source,
    sender: SyncSender<Batch>,
    recycled: Receiver<Vec<NoteInput>>,
) -> Result<ReadOutcome> {
    let Source {
        files,
        mut first,
        counts,
        builtin,
        options,
        known,
    } = source;
    let mut reader = Reader::new(sender, recycled);
    let mut validator: Option<Validator> = None;
    let mut warnings = Vec::new();
    let mut described = Vec::new();
    for (index, &(path, format)) in files.iter().enumerate() {
        let text = match first.take() {
            Some(text) => text,
            None => crate::deck::read_text(path, InputKind::Deck(format))?,
        };
        let expected = counts.get(index).copied().unwrap_or(0);
        let validator = match validator.as_mut() {
            Some(validator) => {
                validator.next_file(path, expected)?;
                validator
            }
            None => validator.insert(Validator::expecting(path, expected)),
        };
        let file = File {
            path,
            format,
            text: &text,
            options,
            known,
        };
        let found = reader.read(&file, validator, &mut described)?;
        warnings.extend(
            found
                .into_iter()
                .map(|w| format!("{}: {w}", path.display())),
        );
    }
    // The built-in decks last, checked against the files' keys.
    if builtin && let Some(validator) = validator.as_mut() {
        validator.next_file(Path::new(BUILTIN), 0)?;
        for deck in crate::deck::builtin::decks()? {
            described.extend(deck.description.map(|d| (deck.name.clone(), d)));
            for note in deck.notes {
                validator.note(&deck.name, &note)?;
                reader.send(&deck.name, note, true)?;
            }
        }
    }
    reader.finish()?;
    Ok((warnings, described))
}

/// One file the reader parses.
struct File<'a> {
    path: &'a Path,
    format: Format,
    text: &'a str,
    options: &'a LoadOptions,
    known: &'a KnownTypes,
}

/// The reader's end of the pipeline: the batch being filled, the channel it goes on, and the
/// notes the writer sent back to read CSV rows into.
struct Reader {
    sender: SyncSender<Batch>,
    recycled: RefCell<Receiver<Vec<NoteInput>>>,
    /// Notes the writer is done with, to read CSV rows into.
    pool: Vec<NoteInput>,
    batch: Batch,
}

impl Reader {
    fn new(sender: SyncSender<Batch>, recycled: Receiver<Vec<NoteInput>>) -> Reader {
        Reader {
            sender,
            recycled: RefCell::new(recycled),
            pool: Vec::new(),
            batch: Batch {
                deck: String::new(),
                notes: Vec::with_capacity(BATCH),
            },
        }
    }

    /// Parses `file`, validating and sending each note; returns the CSV parser's warnings and
    /// adds a TOML deck's description to `described`.
    fn read(
        &mut self,
        file: &File,
        validator: &mut Validator,
        described: &mut Vec<(String, String)>,
    ) -> Result<Vec<String>> {
        let default_deck = crate::deck::default_deck(file.path, file.options);
        // The TOML and JSON parsers make their own notes: the written ones are freed here, on
        // the thread that made them, as they come back.
        let free_written = !matches!(file.format, Format::Csv | Format::Tsv);
        let Reader {
            sender,
            recycled,
            pool,
            batch,
        } = self;
        let mut sink = |deck: &str, note: NoteInput| {
            validator.note(deck, &note)?;
            send(sender, recycled, batch, deck, note, free_written)
        };
        match file.format {
            Format::Toml => {
                let (name, description) =
                    crate::deck::toml::parse_each(file.path, file.text, &mut sink)?;
                described.extend(description.map(|d| (name, d)));
                Ok(Vec::new())
            }
            Format::Json => {
                crate::deck::json::parse_each(file.path, file.text, &default_deck, &mut sink)?;
                Ok(Vec::new())
            }
            _ => {
                let mut fresh = || loop {
                    if let Some(note) = pool.pop() {
                        return note.fields;
                    }
                    match recycled.borrow_mut().try_recv() {
                        Ok(notes) => *pool = notes,
                        Err(_) => return NoteFields::default(),
                    }
                };
                let separator = (file.format == Format::Tsv).then_some(b'\t');
                crate::deck::csv::parse_each(
                    file.path,
                    file.text,
                    &default_deck,
                    separator,
                    file.known,
                    &mut fresh,
                    &mut sink,
                )
            }
        }
    }

    /// Sends `note` of `deck` on, in a batch (see [`send`]).
    fn send(&mut self, deck: &str, note: NoteInput, free_written: bool) -> Result<()> {
        send(
            &self.sender,
            &self.recycled,
            &mut self.batch,
            deck,
            note,
            free_written,
        )
    }

    /// Sends the last batch.
    fn finish(self) -> Result<()> {
        if !self.batch.notes.is_empty() {
            self.sender.send(self.batch).map_err(|_| stopped())?;
        }
        Ok(())
    }
}

/// The writer stopped (it failed and says why): stop reading.
fn stopped() -> Error {
    Error::failed("the import stopped")
}

/// Adds `note` of `deck` to `batch`, sending the batch first when it is full or of another
/// deck; `free_written` frees the notes the writer is done with (when they are not read into
/// again).
fn send(
    sender: &SyncSender<Batch>,
    recycled: &RefCell<Receiver<Vec<NoteInput>>>,
    batch: &mut Batch,
    deck: &str,
    note: NoteInput,
    free_written: bool,
) -> Result<()> {
    if batch.deck != deck || batch.notes.len() == BATCH {
        let next = Batch {
            deck: deck.to_string(),
            notes: Vec::with_capacity(BATCH),
        };
        let full = std::mem::replace(batch, next);
        if !full.notes.is_empty() {
            sender.send(full).map_err(|_| stopped())?;
            if free_written {
                while let Ok(notes) = recycled.borrow_mut().try_recv() {
                    drop(notes);
                }
            }
        }
    }
    batch.notes.push(note);
    Ok(())
}
