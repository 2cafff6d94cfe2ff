//! The import engine: `jargon import`'s work, called by `cli::import` (which parses the
//! arguments and prints), the benchmarks and the tests. Everything is written in one
//! transaction, kept only when every file was read and validated without error. CSV, TSV,
//! TOML and JSON files (one or several, with the built-in decks or not) and a lone Anki
//! package are written while they are read (this file's `import_text_files`, and
//! [`apkg`]); a review log, or a package with other files, is read whole first.
//!
//! It sits between the command line and `deck/` + `store/`: it couples parsing (deck/) with
//! writing (store/), which deck/ may not do. It also installs the built-in decks
//! ([`install_builtin`]).

pub mod apkg;

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use crate::clock::Clock;
use crate::config::Config;
use crate::deck::history::Merger;
use crate::deck::plan::{ImportPlan, OnDuplicate, Target, plan_owned};
use crate::deck::{DeckInput, Format, InputKind, LoadOptions, Loaded, NoteInput, load};
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::model::NoteFields;
use crate::store::Collection;
use crate::store::revlog::HistoryReport;

/// What to import and how: the command line's `jargon import` arguments, as the engine
/// takes them.
#[derive(Debug, Clone)]
pub struct Request {
    /// Deck files (.toml, .csv, .tsv, .txt, .json, .apkg).
    pub files: Vec<PathBuf>,
    /// Say what would change, write nothing.
    pub dry_run: bool,
    /// What to do with a note already in its deck.
    pub on_duplicate: OnDuplicate,
    /// The built-in decks too (after the files).
    pub builtin: bool,
    /// A review log to import (alone).
    pub revlog: Option<PathBuf>,
    /// The deck for notes whose file names none.
    pub deck: Option<String>,
    /// The format of every file, whatever its extension.
    pub format: Option<Format>,
}

/// Installs (or refreshes) the built-in decks; returns the plan it applied.
pub fn install_builtin(collection: &mut Collection) -> Result<crate::deck::plan::ImportPlan> {
    let decks = crate::deck::builtin::decks()?;
    let names: Vec<&str> = decks.iter().map(|d| d.name.as_str()).collect();
    let existing = collection.existing_notes(&names)?;
    drop(names);
    let import = plan_owned(decks, &existing, OnDuplicate::Update);
    let now = crate::clock::now_from_env()?.timestamp();
    collection.apply_import(&import, now)?;
    Ok(import)
}

/// Imports bigger than this show a progress bar (on a terminal).
const PROGRESS_THRESHOLD: u64 = 5_000;

/// Imports what `args` names into `collection`, in one transaction, and writes the one-line
/// report (or a dry run's listing) to `out`; warnings go to standard error. Which pipeline
/// runs: a lone Anki package streams through [`apkg`], CSV/TSV/TOML/JSON files through
/// [`text`]; anything else (a review log, a package among other files) is read whole first.
pub fn run(
    collection: &mut Collection,
    config: &Config,
    clock: &Clock,
    args: &Request,
    out: &mut dyn Write,
) -> Result<()> {
    let clock = *clock;
    let options = LoadOptions {
        deck: args.deck.clone(),
        format: args.format,
        clock: Some(clock),
    };

    match streamed(args, &options) {
        Some(Streamed::Package(file)) => {
            return apkg::run(collection, config, &clock, file, args, out);
        }
        Some(Streamed::Text(files)) => {
            return import_text_files(collection, &files, &options, args, out);
        }
        None => {}
    }

    // Read and validate everything before anything is written.
    let mut all = Loaded::default();
    // A key given by two files is refused; one file checks its own keys while loading.
    let sources = args.files.len() + usize::from(args.revlog.is_some()) + usize::from(args.builtin);
    let mut origin: HashMap<(String, String), PathBuf> = HashMap::new();
    let mut add = |loaded: Loaded, file: &Path, all: &mut Loaded| -> Result<()> {
        for deck in loaded.decks.iter().filter(|_| sources > 1) {
            for note in &deck.notes {
                let id = (deck.name.clone(), note.fields.key.clone());
                if let Some(first) = origin.get(&id) {
                    return Err(Error::input(
                        file,
                        note.position,
                        format!(
                            "the key '{}' of deck '{}' is also in {}; import them separately",
                            note.fields.key,
                            deck.name,
                            first.display()
                        ),
                    ));
                }
                origin.insert(id, file.to_path_buf());
            }
        }
        let offset: usize = all.decks.iter().map(|d| d.notes.len()).sum();
        all.histories
            .extend(loaded.histories.into_iter().map(|mut h| {
                h.note += offset;
                h
            }));
        all.decks.extend(loaded.decks);
        all.media_skipped += loaded.media_skipped;
        all.warnings.extend(
            loaded
                .warnings
                .into_iter()
                .map(|w| format!("{}: {w}", file.display())),
        );
        Ok(())
    };
    if let Some(path) = &args.revlog {
        let text = crate::deck::read_text(path, InputKind::ReviewLog)?;
        let deck = args
            .deck
            .clone()
            .unwrap_or_else(|| crate::deck::revlog::DEFAULT_DECK.to_string());
        let log = crate::deck::revlog::parse(path, &text, &deck)?;
        crate::deck::validate(path, std::slice::from_ref(&log.deck))?;
        let loaded = Loaded {
            decks: vec![log.deck],
            histories: log.histories,
            ..Loaded::default()
        };
        add(loaded, path, &mut all)?;
    }
    for file in &args.files {
        let loaded = load(file, &options)?;
        add(loaded, file, &mut all)?;
    }
    if args.builtin {
        let builtin = Loaded {
            decks: crate::deck::builtin::decks()?,
            ..Loaded::default()
        };
        add(builtin, Path::new("(built-in decks)"), &mut all)?;
    }
    for warning in &all.warnings {
        crate::output::warn(warning);
    }

    let names: Vec<&str> = all.decks.iter().map(|d| d.name.as_str()).collect();
    let existing = collection.existing_notes(&names)?;
    // The dry run names each update's deck: each deck's name and how many notes it brings,
    // which the plan's targets (one per incoming note, in order) are matched against.
    let shape: Vec<(String, usize)> = if args.dry_run {
        all.decks
            .iter()
            .map(|d| (d.name.clone(), d.notes.len()))
            .collect()
    } else {
        Vec::new()
    };
    let changes = plan_owned(std::mem::take(&mut all.decks), &existing, args.on_duplicate);
    let answers: usize = all.histories.iter().map(|h| h.answers.len()).sum();
    if args.dry_run {
        writeln!(
            out,
            "Dry run, nothing written: would be {}{}.",
            changes.summary(),
            if answers > 0 {
                format!(
                    "; the files hold {answers} reviews (matched against the log when imported)"
                )
            } else {
                String::new()
            }
        )
        .map_err(Error::Output)?;
        for (deck, fields) in &changes.add {
            writeln!(out, "  add     {deck}/{}", fields.key).map_err(Error::Output)?;
        }
        let decks = update_decks(&changes, &shape);
        for (id, fields) in &changes.update {
            let deck = decks.get(id).copied().unwrap_or("?");
            writeln!(out, "  update  {deck}/{} (note {id})", fields.key).map_err(Error::Output)?;
        }
        return Ok(());
    }
    if changes.is_empty() && all.histories.is_empty() {
        writeln!(
            out,
            "Nothing to change: {}.",
            report(&changes, None, all.media_skipped)
        )
        .map_err(Error::Output)?;
        return Ok(());
    }

    let bar = progress_bar((changes.add.len() + all.histories.len()) as u64);
    let merger = Merger {
        scheduler: config.scheduler,
        settings: &config.scheduling,
        clock: &clock,
    };
    let now = clock.now().timestamp();
    let written = collection
        .import_with_history(
            &changes,
            &all.histories,
            now,
            config,
            &|history, stored| merger.merge(history, stored),
            &mut |done| bar.set_position(done),
        )
        .map_err(not_written)?;
    bar.finish_and_clear();
    let history = (!all.histories.is_empty()).then_some(&written);
    let nothing = changes.is_empty() && written.reviews.added == 0 && written.reviews.cards == 0;
    writeln!(
        out,
        "{}: {}.",
        if nothing {
            "Nothing to change"
        } else {
            "Imported"
        },
        report(&changes, history, all.media_skipped)
    )
    .map_err(Error::Output)?;
    Ok(())
}

/// A progress bar for an import of about `total` notes and histories: drawn when standard
/// output is a terminal and the import is large, hidden otherwise.
pub(crate) fn progress_bar(total: u64) -> indicatif::ProgressBar {
    if !std::io::stdout().is_terminal() || total < PROGRESS_THRESHOLD {
        return indicatif::ProgressBar::hidden();
    }
    // Drawn on standard output, the stream just found to be a terminal and the one the report
    // follows on; indicatif's default, standard error, would hide the bar whenever standard
    // error is redirected (`2>log`) although standard output is a terminal.
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::stdout(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template("importing {bar:40} {pos}/{len} {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar
}

/// An import that is written while its files are read.
enum Streamed<'a> {
    /// One Anki package, alone (`import_apkg`).
    Package(&'a Path),
    /// CSV, TSV, TOML and JSON files, any mix, maybe with `--builtin` ([`import_text_files`]).
    Text(Vec<(&'a Path, Format)>),
}

/// How the import of `args` is streamed; `None` for the imports that read every file first
/// (a review log, a package among other files or with `--builtin`, a directory, a file of
/// unknown format, or `--builtin` alone).
fn streamed<'a>(args: &'a Request, options: &LoadOptions) -> Option<Streamed<'a>> {
    if args.revlog.is_some() || args.files.is_empty() {
        return None;
    }
    let mut files = Vec::with_capacity(args.files.len());
    for file in &args.files {
        if file.is_dir() {
            return None;
        }
        let format = options.format.or_else(|| Format::from_path(file))?;
        files.push((file.as_path(), format));
    }
    match files.as_slice() {
        [(file, Format::Apkg)] if !args.builtin => Some(Streamed::Package(file)),
        _ if files.iter().any(|(_, f)| *f == Format::Apkg) => None,
        _ => Some(Streamed::Text(files)),
    }
}

/// Notes per batch handed from the thread that reads the file to the one that writes.
const BATCH: usize = 1024;

/// Notes of one deck, in file order.
struct Batch {
    deck: String,
    notes: Vec<NoteInput>,
}

/// Imports CSV, TSV, TOML and JSON files (one or several, any mix; with `--builtin`, the
/// built-in decks after them) while they are read: one thread reads the files one after
/// another, parsing and validating the notes with one [`crate::deck::Validator`] (so a key
/// two files give in the same deck is refused, naming both), and hands them over in batches;
/// this one writes each batch of a deck that held no notes straight away (every one of its
/// notes is new), and keeps the notes of decks that hold some to plan against them once every
/// file is read. Everything happens in one transaction, committed only when every file was
/// read without error, so the outcome is the same as reading first and writing after, in
/// about the time of the slower of the two, and only one file's text is held at a time.
///
/// A dry run goes the same way in a transaction rolled back at the end
/// ([`crate::store::Collection::dry_run_streaming`]): it lists the notes it wrote by reading
/// them back, so that it never holds them all either.
fn import_text_files(
    collection: &mut crate::store::Collection,
    files: &[(&Path, Format)],
    options: &LoadOptions,
    args: &Request,
    out: &mut dyn Write,
) -> Result<()> {
    // About how many notes each file holds: the progress bar's length, room for the reader's
    // keys, and how the writer keeps its indexes (see `Collection::import_streaming`). Each
    // file is read (and refused if unreadable) before anything is written; the first one's
    // text is kept for the reader, the others are read again in turn, so that only one is
    // held at a time.
    let mut first = None;
    let mut counts = Vec::with_capacity(files.len());
    for (path, format) in files {
        let text = crate::deck::read_text(path, InputKind::Deck(*format))?;
        counts.push(estimate_notes(&text, *format));
        if first.is_none() {
            first = Some(text);
        }
    }
    let expected: usize = counts.iter().sum();
    let now = options
        .clock
        .map_or_else(|| chrono::Utc::now().timestamp(), |c| c.now().timestamp());
    let (sender, receiver) = std::sync::mpsc::sync_channel::<Batch>(8);
    // Written notes go back to the reader, which reads the next rows into their strings: no
    // memory to allocate, nor to free on another thread than the one that allocated it.
    let (written_notes, recycled) = std::sync::mpsc::channel::<Vec<NoteInput>>();
    let dry_run = args.dry_run;
    let builtin = args.builtin;
    let counts = counts.as_slice();
    let listing = &mut *out;
    let written = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let source = Source {
                files,
                first,
                counts,
                builtin,
                options,
            };
            read_files(source, sender, recycled)
        });
        // Notes written after the reader finished are freed on a thread of their own: a
        // note's strings take as long to free one by one as to insert, and the writer is the
        // slower side.
        let (spent, freed) = std::sync::mpsc::channel::<Vec<NoteInput>>();
        scope.spawn(move || freed.iter().for_each(drop));
        let body = move |stream: &mut crate::store::import::NoteStream| {
            let bar = if dry_run {
                indicatif::ProgressBar::hidden()
            } else {
                progress_bar(expected as u64)
            };
            let mut held: Vec<DeckInput> = Vec::new();
            // Every deck with notes, in the order the files first name them (a dry run lists
            // the notes so).
            let mut order: Vec<String> = Vec::new();
            for batch in receiver.iter() {
                if !order.contains(&batch.deck) {
                    order.push(batch.deck.clone());
                }
                if stream.accepts(&batch.deck)? {
                    stream.write(&batch.deck, batch.notes.iter().map(|n| &n.fields))?;
                    bar.set_position(stream.added() as u64);
                    if let Err(std::sync::mpsc::SendError(notes)) = written_notes.send(batch.notes)
                    {
                        // Only fails once the freeing thread is gone; then free them here.
                        let _ = spent.send(notes);
                    }
                } else {
                    match held.iter_mut().rev().find(|d| d.name == batch.deck) {
                        Some(deck) => deck.notes.extend(batch.notes),
                        None => held.push(DeckInput {
                            name: batch.deck,
                            description: None,
                            notes: batch.notes,
                        }),
                    }
                }
            }
            // The reader's outcome decides whether any of it is kept.
            let (warnings, described) = reader.join().map_err(|_| {
                Error::failed("the thread reading the files stopped unexpectedly")
            })??;
            // A TOML deck's description goes through the plan, which sets it on the deck.
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
            let names: Vec<&str> = held
                .iter()
                .filter(|d| !d.notes.is_empty())
                .map(|d| d.name.as_str())
                .collect();
            // Only decks that held notes are looked up (the key index is built again first).
            let existing = if names.is_empty() {
                crate::deck::plan::Existing::new()
            } else {
                stream.existing_notes(&names)?
            };
            drop(names);
            // The dry run names each update's deck from the held decks' shape (see `run`).
            let shape: Vec<(String, usize)> = held
                .iter()
                .map(|d| (d.name.clone(), d.notes.len()))
                .collect();
            let plan = plan_owned(held, &existing, args.on_duplicate);
            if dry_run {
                list_dry_run(stream, &plan, &order, &shape, listing)?;
                return Ok((stream.added(), plan, warnings));
            }
            let streamed = stream.added() as u64;
            stream.apply(&plan, &mut |done| bar.set_position(streamed + done))?;
            bar.finish_and_clear();
            Ok((stream.added(), plan, warnings))
        };
        if dry_run {
            collection.dry_run_streaming(now, expected, body)
        } else {
            collection.import_streaming(now, expected, body)
        }
    });
    let (streamed, plan, warnings) = written.map_err(|e| match e {
        Error::Input { .. } | Error::Output(_) => e,
        e => not_written(e),
    })?;
    for warning in &warnings {
        crate::output::warn(warning);
    }
    if dry_run {
        return Ok(());
    }
    let added = streamed + plan.add.len();
    let summary =
        crate::deck::plan::summary(added, plan.update.len(), plan.unchanged, plan.skipped);
    let changed = added > 0 || !plan.update.is_empty();
    writeln!(
        out,
        "{}: {summary}.",
        if changed {
            "Imported"
        } else {
            "Nothing to change"
        }
    )
    .map_err(Error::Output)?;
    Ok(())
}

/// About how many notes the text of a deck file holds: a quick count of its records.
fn estimate_notes(text: &str, format: Format) -> usize {
    match format {
        Format::Toml => memchr::memmem::find_iter(text.as_bytes(), b"[[note]]").count(),
        Format::Json => memchr::memmem::find_iter(text.as_bytes(), b"\"term\"").count(),
        _ => crate::deck::csv::estimate_rows(text),
    }
}

/// The dry run's report of a streamed file, as [`run`] words it: the counts, then every
/// added note (deck by deck in the order the file names them; the streamed ones read back
/// from the transaction), then every update.
fn list_dry_run(
    stream: &crate::store::import::NoteStream,
    plan: &ImportPlan,
    order: &[String],
    shape: &[(String, usize)],
    out: &mut dyn Write,
) -> Result<()> {
    let added = stream.added() + plan.add.len();
    let summary =
        crate::deck::plan::summary(added, plan.update.len(), plan.unchanged, plan.skipped);
    writeln!(out, "Dry run, nothing written: would be {summary}.").map_err(Error::Output)?;
    for deck in order {
        stream.for_each_written_key(deck, &mut |key| {
            writeln!(out, "  add     {deck}/{key}").map_err(Error::Output)?;
            Ok(())
        })?;
        for (_, fields) in plan.add.iter().filter(|(name, _)| name == deck) {
            writeln!(out, "  add     {deck}/{}", fields.key).map_err(Error::Output)?;
        }
    }
    let decks = update_decks(plan, shape);
    for (id, fields) in &plan.update {
        let deck = decks.get(id).copied().unwrap_or("?");
        writeln!(out, "  update  {deck}/{} (note {id})", fields.key).map_err(Error::Output)?;
    }
    Ok(())
}

/// What the reading side found besides the notes: the parsers' warnings (each naming its
/// file), and the name and description of each deck a TOML file (or the built-in decks)
/// describes.
type ReadOutcome = (Vec<String>, Vec<(String, String)>);

/// What the reading side of [`import_text_files`] reads.
struct Source<'a> {
    files: &'a [(&'a Path, Format)],
    /// The first file's text, already read.
    first: Option<String>,
    /// About how many notes each file holds.
    counts: &'a [usize],
    /// Whether the built-in decks come after the files.
    builtin: bool,
    options: &'a LoadOptions,
}

/// The name the built-in decks go by in messages.
const BUILTIN: &str = "(built-in decks)";

/// The reading side of [`import_text_files`]: reads, parses and validates the files one after
/// another (then the built-in decks), sending their notes in batches.
fn read_files(
    source: Source,
    sender: std::sync::mpsc::SyncSender<Batch>,
    recycled: std::sync::mpsc::Receiver<Vec<NoteInput>>,
) -> Result<ReadOutcome> {
    let Source {
        files,
        mut first,
        counts,
        builtin,
        options,
    } = source;
    let mut validator: Option<crate::deck::Validator> = None;
    let recycled = std::cell::RefCell::new(recycled);
    // Notes the writer is done with, to read CSV rows into.
    let mut pool: Vec<NoteInput> = Vec::new();
    let mut batch = Batch {
        deck: String::new(),
        notes: Vec::with_capacity(BATCH),
    };
    // The writer stopped (it failed and says why): stop reading.
    let stopped = || Error::failed("the import stopped");
    // Sends `note` of `deck` on, in a batch; `free_written` frees the notes the writer is done
    // with (when they are not read into again).
    let send = |batch: &mut Batch, deck: &str, note: NoteInput, free_written: bool| {
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
        Ok::<(), Error>(())
    };
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
            None => validator.insert(crate::deck::Validator::expecting(path, expected)),
        };
        let default_deck = crate::deck::default_deck(path, options);
        // The TOML and JSON parsers make their own notes: the written ones are freed here, on
        // the thread that made them, as they come back.
        let free_written = !matches!(format, Format::Csv | Format::Tsv);
        let mut sink = |deck: &str, note: NoteInput| {
            validator.note(deck, &note)?;
            send(&mut batch, deck, note, free_written)
        };
        match format {
            Format::Toml => {
                let (name, description) = crate::deck::toml::parse_each(path, &text, &mut sink)?;
                described.extend(description.map(|d| (name, d)));
            }
            Format::Json => crate::deck::json::parse_each(path, &text, &default_deck, &mut sink)?,
            _ => {
                let mut fresh = || loop {
                    if let Some(note) = pool.pop() {
                        return note.fields;
                    }
                    match recycled.borrow_mut().try_recv() {
                        Ok(notes) => pool = notes,
                        Err(_) => return NoteFields::default(),
                    }
                };
                let separator = (format == Format::Tsv).then_some(b'\t');
                let found = crate::deck::csv::parse_each(
                    path,
                    &text,
                    &default_deck,
                    separator,
                    &mut fresh,
                    &mut sink,
                )?;
                warnings.extend(
                    found
                        .into_iter()
                        .map(|w| format!("{}: {w}", path.display())),
                );
            }
        }
    }
    // The built-in decks last, checked against the files' keys.
    if builtin && let Some(validator) = validator.as_mut() {
        validator.next_file(Path::new(BUILTIN), 0)?;
        for deck in crate::deck::builtin::decks()? {
            described.extend(deck.description.map(|d| (deck.name.clone(), d)));
            for note in deck.notes {
                validator.note(&deck.name, &note)?;
                send(&mut batch, &deck.name, note, true)?;
            }
        }
    }
    if !batch.notes.is_empty() {
        sender.send(batch).map_err(|_| stopped())?;
    }
    Ok((warnings, described))
}

/// A failed write, rolled back: the failure's own sentence (a full disk, another jargon
/// writing, a read-only file), after saying that nothing changed.
pub(crate) fn not_written(error: Error) -> Error {
    let reason = match &error {
        // A constraint or a trigger: SQLite's own words say what refused the row.
        Error::Database(DbError {
            kind: DbErrorKind::Constraint | DbErrorKind::Other,
            message: Some(message),
            ..
        }) => message.clone(),
        _ => error.to_string(),
    };
    Error::failed(format!(
        "the import was not written (nothing changed): {reason}"
    ))
}

/// "3 added, 1 updated, 40 unchanged; 120 reviews added, 7 already present; 2 media files
/// skipped" (the parts that apply).
fn report(changes: &ImportPlan, history: Option<&HistoryReport>, media_skipped: usize) -> String {
    report_parts(changes.summary(), history, media_skipped)
}

/// [`report`] from the notes' summary.
pub(crate) fn report_parts(
    mut text: String,
    history: Option<&HistoryReport>,
    media_skipped: usize,
) -> String {
    if let Some(h) = history {
        let r = &h.reviews;
        text.push_str(&format!("; {} reviews added", r.added));
        if r.present > 0 {
            text.push_str(&format!(", {} already present", r.present));
        }
        if r.older > 0 {
            text.push_str(&format!(
                ", {} skipped (older than the card's latest review)",
                r.older
            ));
        }
        if h.skipped_cards > 0 {
            text.push_str(&format!(
                ", the history of {} skipped card(s) left out",
                h.skipped_cards
            ));
        }
    }
    if media_skipped > 0 {
        text.push_str(&format!(
            "; {media_skipped} media file(s) skipped (jargon does not import media)"
        ));
    }
    text
}

/// The deck of each note the plan updates, by note id, from the plan's targets and the
/// (name, note count) of each incoming deck in order.
fn update_decks<'a>(changes: &ImportPlan, shape: &'a [(String, usize)]) -> HashMap<i64, &'a str> {
    let updated: std::collections::HashSet<i64> =
        changes.update.iter().map(|(id, _)| *id).collect();
    let mut decks = HashMap::with_capacity(updated.len());
    let mut targets = changes.targets.iter();
    for (name, count) in shape {
        for target in targets.by_ref().take(*count) {
            if let Target::Existing(id) = target
                && updated.contains(id)
            {
                decks.insert(*id, name.as_str());
            }
        }
    }
    decks
}
