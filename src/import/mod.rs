//! The import engine: `jargon import`'s work, called by `cli::import` (which parses the
//! arguments and prints), the benchmarks and the tests. Everything is written in one
//! transaction, kept only when every file was read and validated without error. CSV, TSV,
//! TOML and JSON files (one or several, with the built-in decks or not) and a lone Anki
//! package are written while they are read ([`text`] and [`apkg`]); a review log, a
//! package with other files, or a dry run of a package is read whole first (this file's
//! `read_first`).
//!
//! The engine prints nothing: [`run`] returns a [`Report`] of what happened, and what comes
//! while it works (a progress bar, the parsers' warnings, a dry run's listing one line at a
//! time) goes to the [`Feedback`] its caller supplies ([`Quiet`] drops it).
//!
//! It sits between the command line and `deck/` + `store/`: it couples parsing (deck/) with
//! writing (store/), which deck/ may not do. It also installs the built-in decks
//! ([`install_builtin`]).

pub mod apkg;
mod media;
mod text;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::clock::Clock;
use crate::config::Config;
use crate::deck::history::Merger;
use crate::deck::map_fields::FieldMap;
use crate::deck::notetypes::KnownTypes;
use crate::deck::plan::{OnDuplicate, plan_owned};
use crate::deck::{Format, InputKind, LoadOptions, Loaded, load_with};
use crate::error::{DbError, DbErrorKind, Error, Result};
use crate::records::import::{ImportPlan, Target};
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
    /// `--map-fields`: notes of the Anki note types these fit become vocab notes (the files
    /// are then read whole first).
    pub map_fields: Vec<FieldMap>,
}

/// What an import did (or, for a dry run, would do).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Report {
    /// Nothing was written.
    pub dry_run: bool,
    /// Notes added, updated, left unchanged, and skipped (`--on-duplicate skip`).
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub skipped: usize,
    /// How the answers fared, when the files held any (an Anki package, a review log).
    pub history: Option<HistoryReport>,
    /// A dry run of files with answers: how many they hold.
    pub answers_held: usize,
    /// Media files an Anki package imported alone wrote to the media folder.
    pub media_stored: usize,
    /// Its media files that were already there with the same bytes.
    pub media_present: usize,
    /// Media files of packages that a dry run would store.
    pub media_skipped: usize,
    /// Stored notes that keep a reverse card their file leaves out (see [`ImportPlan`]).
    pub cards_kept: usize,
}

impl Report {
    /// The counts of `plan` after `streamed` notes were written before it.
    fn of_plan(dry_run: bool, streamed: usize, plan: &ImportPlan) -> Report {
        Report {
            dry_run,
            added: streamed + plan.add.len(),
            updated: plan.update.len(),
            unchanged: plan.unchanged,
            skipped: plan.skipped,
            cards_kept: plan.cards_kept,
            ..Report::default()
        }
    }

    /// Whether the import changed the collection (or a dry run's would): a note added or
    /// updated, a media file stored, an answer added or a card's state changed.
    pub fn changed(&self) -> bool {
        self.added > 0
            || self.updated > 0
            || self.media_stored > 0
            || self
                .history
                .is_some_and(|h| h.reviews.added > 0 || h.reviews.cards > 0)
    }
}

/// One line of a dry run's listing, in this order: the counts, every added note, every
/// updated note.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed<'a> {
    /// What the import would do (`added` ... `skipped`, `answers_held`).
    Would(&'a Report),
    /// A note that would be added.
    Add { deck: &'a str, key: &'a str },
    /// A stored note that would be updated.
    Update {
        deck: &'a str,
        key: &'a str,
        note: i64,
    },
}

/// What comes out of an import while it works; the command line draws and prints it.
pub trait Feedback {
    /// A progress bar for about `total` notes and histories (hidden, unless the caller
    /// shows one).
    fn progress(&mut self, total: u64) -> indicatif::ProgressBar {
        let _ = total;
        indicatif::ProgressBar::hidden()
    }
    /// A parser's warning, naming its file.
    fn warn(&mut self, warning: &str);
    /// The next line of a dry run's listing; an error stops the dry run.
    fn listed(&mut self, line: Listed<'_>) -> Result<()>;
}

/// Feedback nobody reads: no progress bar, warnings and listings dropped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Quiet;

impl Feedback for Quiet {
    fn warn(&mut self, _: &str) {}
    fn listed(&mut self, _: Listed<'_>) -> Result<()> {
        Ok(())
    }
}

/// Installs (or refreshes) the built-in decks; returns the plan it applied.
pub fn install_builtin(collection: &mut Collection) -> Result<crate::records::import::ImportPlan> {
    let decks = crate::deck::builtin::decks()?;
    let names: Vec<&str> = decks.iter().map(|d| d.name.as_str()).collect();
    let existing = collection.existing_notes(&names)?;
    drop(names);
    let import = plan_owned(decks, &existing, OnDuplicate::Update);
    let now = crate::clock::now_from_env()?.timestamp();
    collection.apply_import(&import, now)?;
    Ok(import)
}

/// Loads one deck file of any supported format, validated, all or nothing, as an import
/// reads it (an Anki package's collection through the store's hardened reader); nothing is
/// written. The public way to read a file: `deck/` parses, but cannot open a package's
/// SQLite itself.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Loaded> {
    load_with(
        path,
        options,
        &KnownTypes::default(),
        &crate::store::anki::Opener,
    )
}

/// [`load`] with the default options: the notes only.
pub fn load_file(path: &Path) -> Result<Vec<crate::deck::DeckInput>> {
    Ok(load(path, &LoadOptions::default())?.decks)
}

/// Imports what `request` names into `collection`, in one transaction, and says what
/// happened (a dry run writes nothing and lists what it would do to `feedback`). Which
/// pipeline runs: a lone Anki package streams through [`apkg`], CSV/TSV/TOML/JSON files
/// through [`text`]; anything else (a review log, a package among other files, `--map-fields`)
/// is read whole first.
pub fn run(
    collection: &mut Collection,
    config: &Config,
    clock: &Clock,
    request: &Request,
    feedback: &mut dyn Feedback,
) -> Result<Report> {
    let options = LoadOptions {
        deck: request.deck.clone(),
        format: request.format,
        clock: Some(*clock),
    };
    // The note types a text file's note type column may name: the collection's, Anki's stock.
    let known = KnownTypes::new(collection.notetype_inputs()?);
    let report = match streamed(request, &options) {
        Some(Streamed::Package(file)) => {
            apkg::run(collection, config, clock, file, request, feedback)
        }
        Some(Streamed::Text(files)) => {
            text::import(collection, &files, &options, &known, request, feedback)
        }
        None => {
            // A dry run stores no media; a real import stores each package's as it reads it,
            // and removes what it stored when anything fails.
            let mut store = (!request.dry_run).then(|| media::MediaStore::new(collection.path()));
            let done = read_first(request, &options, &known, store.as_mut()).and_then(|mut all| {
                if !request.map_fields.is_empty() {
                    let warnings = crate::deck::map_fields::apply(&request.map_fields, &mut all)?;
                    all.warnings.extend(warnings);
                    // The notes made vocab: their keys, terms and definitions checked again (a
                    // `key` the map gives may repeat one).
                    let first = request
                        .files
                        .first()
                        .map_or(Path::new(""), PathBuf::as_path);
                    crate::deck::validate(first, &all.decks)?;
                }
                for warning in &all.warnings {
                    feedback.warn(warning);
                }
                write_read(collection, config, clock, all, request, feedback)
            });
            match (done, store) {
                (Ok(mut report), Some(store)) => {
                    report.media_stored = store.created.len();
                    report.media_present = store.present;
                    Ok(report)
                }
                (Err(e), Some(store)) => {
                    store.remove_created();
                    Err(e)
                }
                (done, None) => done,
            }
        }
    }?;
    if report.cards_kept > 0 {
        feedback.warn(&cards_kept_warning(report.cards_kept));
    }
    Ok(report)
}

/// What is said of stored notes whose file now names their forward card only.
fn cards_kept_warning(notes: usize) -> String {
    let (count, verb) = match notes {
        1 => ("1 note".to_string(), "keeps its"),
        n => (format!("{n} notes"), "keep their"),
    };
    format!(
        "{count} {verb} reverse card, which the file now leaves out: cards are never removed, \
         so its answers stay (`jargon suspend --card ID` stops it)"
    )
}

/// Reads and validates everything `request` names before anything is written: the review
/// log, the files, then the built-in decks. A key given by two files is refused (one file
/// checks its own keys while loading).
fn read_first(
    request: &Request,
    options: &LoadOptions,
    known: &KnownTypes,
    mut store: Option<&mut media::MediaStore>,
) -> Result<Loaded> {
    let mut all = Loaded::default();
    let sources =
        request.files.len() + usize::from(request.revlog.is_some()) + usize::from(request.builtin);
    let mut origin: HashMap<(String, String), PathBuf> = HashMap::new();
    if let Some(path) = &request.revlog {
        let text = crate::deck::read_text(path, InputKind::ReviewLog)?;
        let deck = request
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
        gather(&mut all, loaded, path, (sources > 1).then_some(&mut origin))?;
    }
    for file in &request.files {
        let mut loaded = load_with(file, options, known, &crate::store::anki::Opener)?;
        let package = options.format.or_else(|| Format::from_path(file)) == Some(Format::Apkg);
        if let Some(store) = store.as_deref_mut().filter(|_| package) {
            let (renamed, warnings) = store.store(file)?;
            for deck in &mut loaded.decks {
                for note in &mut deck.notes {
                    media::point_at_stored(note, &renamed);
                }
            }
            loaded.warnings.extend(warnings);
            loaded.media_skipped = 0;
        }
        gather(&mut all, loaded, file, (sources > 1).then_some(&mut origin))?;
    }
    if request.builtin {
        let builtin = Loaded {
            decks: crate::deck::builtin::decks()?,
            ..Loaded::default()
        };
        let file = Path::new("(built-in decks)");
        gather(
            &mut all,
            builtin,
            file,
            (sources > 1).then_some(&mut origin),
        )?;
    }
    Ok(all)
}

/// Adds what `file` gave to `all`, refusing a key of a deck that an earlier file gave
/// (`origin`: the file that gave each (deck, key); none when there is only one source).
fn gather(
    all: &mut Loaded,
    loaded: Loaded,
    file: &Path,
    origin: Option<&mut HashMap<(String, String), PathBuf>>,
) -> Result<()> {
    if let Some(origin) = origin {
        for deck in &loaded.decks {
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
}

/// Plans what [`read_first`] read against the collection and writes it with the answers'
/// histories (a dry run lists it instead).
fn write_read(
    collection: &mut Collection,
    config: &Config,
    clock: &Clock,
    mut all: Loaded,
    request: &Request,
    feedback: &mut dyn Feedback,
) -> Result<Report> {
    let names: Vec<&str> = all.decks.iter().map(|d| d.name.as_str()).collect();
    let existing = collection.existing_notes(&names)?;
    // The dry run names each update's deck: each deck's name and how many notes it brings,
    // which the plan's targets (one per incoming note, in order) are matched against.
    let shape: Vec<(String, usize)> = if request.dry_run {
        all.decks
            .iter()
            .map(|d| (d.name.clone(), d.notes.len()))
            .collect()
    } else {
        Vec::new()
    };
    let changes = plan_owned(
        std::mem::take(&mut all.decks),
        &existing,
        request.on_duplicate,
    );
    let mut report = Report::of_plan(request.dry_run, 0, &changes);
    report.media_skipped = all.media_skipped;
    if request.dry_run {
        report.answers_held = all.histories.iter().map(|h| h.answers.len()).sum();
        list_read(&changes, &shape, &report, feedback)?;
        return Ok(report);
    }
    if changes.is_empty() && all.histories.is_empty() {
        return Ok(report);
    }
    let bar = feedback.progress((changes.add.len() + all.histories.len()) as u64);
    let merger = Merger {
        scheduler: config.scheduler,
        settings: &config.scheduling,
        clock,
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
    report.history = (!all.histories.is_empty()).then_some(written);
    Ok(report)
}

/// A read-first dry run's listing: the counts, every add, every update.
fn list_read(
    changes: &ImportPlan,
    shape: &[(String, usize)],
    report: &Report,
    feedback: &mut dyn Feedback,
) -> Result<()> {
    feedback.listed(Listed::Would(report))?;
    for (deck, fields) in &changes.add {
        feedback.listed(Listed::Add {
            deck,
            key: &fields.key,
        })?;
    }
    list_updates(changes, shape, feedback)
}

/// The updates of a dry run's listing, each with the deck its note is in.
pub(crate) fn list_updates(
    changes: &ImportPlan,
    shape: &[(String, usize)],
    feedback: &mut dyn Feedback,
) -> Result<()> {
    let decks = update_decks(changes, shape);
    for (id, fields) in &changes.update {
        feedback.listed(Listed::Update {
            deck: decks.get(id).copied().unwrap_or("?"),
            key: &fields.key,
            note: *id,
        })?;
    }
    Ok(())
}

/// An import that is written while its files are read.
enum Streamed<'a> {
    /// One Anki package, alone ([`apkg`]).
    Package(&'a Path),
    /// CSV, TSV, TOML and JSON files, any mix, maybe with `--builtin` ([`text`]).
    Text(Vec<(&'a Path, Format)>),
}

/// How the import of `args` is streamed; `None` for the imports that read every file first
/// (a review log, `--map-fields`, a package among other files or with `--builtin`, a directory, a file of
/// unknown format, or `--builtin` alone).
fn streamed<'a>(args: &'a Request, options: &LoadOptions) -> Option<Streamed<'a>> {
    if args.revlog.is_some() || args.files.is_empty() || !args.map_fields.is_empty() {
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
        // A dry run reads the package whole: the streamed import writes as it reads.
        [(file, Format::Apkg)] if !args.builtin && !args.dry_run => Some(Streamed::Package(file)),
        _ if files.iter().any(|(_, f)| *f == Format::Apkg) => None,
        _ => Some(Streamed::Text(files)),
    }
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
