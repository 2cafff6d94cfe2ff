//! `jargon import FILE...` and `jargon import --revlog FILE`: everything is written in one
//! transaction, kept only when every file was read and validated without error. CSV, TSV,
//! TOML and JSON files (one or several, with `--builtin` or not) and a lone Anki package are
//! written while they are read; a review log, or a package with other files, is read whole
//! first.
//!
//! Formats follow the extension (`.toml`, `.csv`, `.tsv`, `.txt`, `.json`, `.apkg`) or
//! `--format`. A review log (`--revlog`) becomes one note per card whose answers are replayed
//! through the configured scheduler. `--map-fields SPEC` (repeatable) makes the notes of an
//! Anki note type vocab notes (`deck::map_fields`); a SPEC that cannot be read is a usage error
//! before the collection is opened. The run ends with a one-line report; large imports show a
//! progress bar when standard output is a terminal.
//!
//! This file parses the arguments, calls [`crate::import::run`] and prints what it reports.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::Context;
use super::args::{DeckFormat, DuplicateChoice};
use crate::error::{Error, Result};
use crate::import::{Feedback, Listed, Report};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Deck files to import (.toml, .csv, .tsv, .txt, .json, .apkg)
    #[arg(value_name = "FILE", required_unless_present_any = ["builtin", "revlog"])]
    pub files: Vec<PathBuf>,
    /// Show what would change without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// What to do with a note that is already in its deck (same key or Anki guid)
    #[arg(long, value_enum, default_value_t = DuplicateChoice::Update)]
    pub on_duplicate: DuplicateChoice,
    /// Install or refresh the built-in jargon decks
    #[arg(long)]
    pub builtin: bool,
    /// Import a review log CSV (card_id,review_rating,review_time,review_duration): one note
    /// per card, its answers replayed through the scheduler
    #[arg(long, value_name = "FILE", conflicts_with_all = ["files", "builtin"])]
    pub revlog: Option<PathBuf>,
    /// The deck for notes whose file names none (default: the file's name, or "Imported
    /// review log" for --revlog)
    #[arg(long, value_name = "NAME")]
    pub deck: Option<String>,
    /// Read the files as this format, whatever their extension
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<DeckFormat>,
    /// Make notes of an Anki note type vocab notes: SPEC maps the type's fields onto
    /// jargon's, e.g. 'Prompt=term,Answer=definition,Chapter=example' (term, definition,
    /// example, aliases, tags, related, source, key); once per note type
    #[arg(long, value_name = "SPEC", conflicts_with = "revlog")]
    pub map_fields: Vec<String>,
}

impl Args {
    /// `jargon import --deck DECK FILE...` with every other option at its default.
    pub fn files_into(files: Vec<PathBuf>, deck: &str) -> Args {
        Args {
            files,
            dry_run: false,
            on_duplicate: DuplicateChoice::Update,
            builtin: false,
            revlog: None,
            deck: Some(deck.to_string()),
            format: None,
            map_fields: Vec::new(),
        }
    }
}

/// Opens the collection, imports what `args` names (see [`crate::import::run`]) and prints
/// the one-line report, or a dry run's listing; large imports draw a progress bar.
pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    // A SPEC that cannot be read is refused before the collection is opened.
    let request = args.request()?;
    let mut collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let mut printer = Printer { out: &mut *out };
    let report = crate::import::run(&mut collection, &config, &clock, &request, &mut printer)?;
    if report.dry_run {
        // The listing, counts first, was printed as it came.
        return Ok(());
    }
    let verb = if report.changed() {
        "Imported"
    } else {
        "Nothing to change"
    };
    writeln!(out, "{verb}: {}.", sentence(&report)).map_err(Error::Output)
}

/// Imports bigger than this show a progress bar (on a terminal).
const PROGRESS_THRESHOLD: u64 = 5_000;

/// The command line's [`Feedback`]: a progress bar on a terminal, warnings on standard error,
/// a dry run's listing on `out`.
struct Printer<'a> {
    out: &'a mut dyn Write,
}

impl Feedback for Printer<'_> {
    /// A progress bar for an import of about `total` notes and histories: drawn when
    /// standard output is a terminal and the import is large, hidden otherwise.
    fn progress(&mut self, total: u64) -> indicatif::ProgressBar {
        if !std::io::stdout().is_terminal() || total < PROGRESS_THRESHOLD {
            return indicatif::ProgressBar::hidden();
        }
        // Drawn on standard output, the stream just found to be a terminal and the one the
        // report follows on; indicatif's default, standard error, would hide the bar whenever
        // standard error is redirected (`2>log`) although standard output is a terminal.
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

    fn warn(&mut self, warning: &str) {
        crate::output::warn(warning);
    }

    fn listed(&mut self, line: Listed<'_>) -> Result<()> {
        let written = match line {
            Listed::Would(report) => {
                let held = match report.answers_held {
                    0 => String::new(),
                    n => format!(
                        "; the files hold {n} reviews (matched against the log when imported)"
                    ),
                };
                let media = match report.media_skipped {
                    0 => String::new(),
                    n => format!("; the files hold {n} media file(s)"),
                };
                writeln!(
                    self.out,
                    "Dry run, nothing written: would be {}{held}{media}.",
                    notes(report)
                )
            }
            Listed::Add { deck, key } => writeln!(self.out, "  add     {deck}/{key}"),
            Listed::Update { deck, key, note } => {
                writeln!(self.out, "  update  {deck}/{key} (note {note})")
            }
        };
        written.map_err(Error::Output)
    }
}

/// "3 added, 1 updated, 40 unchanged" (and skipped when any).
fn notes(report: &Report) -> String {
    crate::deck::plan::summary(
        report.added,
        report.updated,
        report.unchanged,
        report.skipped,
    )
}

/// "3 added, 1 updated, 40 unchanged; 120 reviews added, 7 already present; 2 media file(s)
/// stored, 1 already there" (the parts that apply).
fn sentence(report: &Report) -> String {
    let mut text = notes(report);
    if let Some(h) = &report.history {
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
    if report.media_stored > 0 || report.media_present > 0 {
        text.push_str(&format!("; {} media file(s) stored", report.media_stored));
        if report.media_present > 0 {
            text.push_str(&format!(", {} already there", report.media_present));
        }
    }
    text
}

impl Args {
    /// The engine's request; a `--map-fields` SPEC that cannot be read is a usage error.
    pub fn request(&self) -> Result<crate::import::Request> {
        Ok(crate::import::Request {
            files: self.files.clone(),
            dry_run: self.dry_run,
            on_duplicate: self.on_duplicate.into(),
            builtin: self.builtin,
            revlog: self.revlog.clone(),
            deck: self.deck.clone(),
            format: self.format.map(Into::into),
            map_fields: crate::deck::map_fields::parse_all(&self.map_fields)?,
        })
    }
}
