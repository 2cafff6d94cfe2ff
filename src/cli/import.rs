//! `jargon import FILE...` and `jargon import --revlog FILE`: everything is written in one
//! transaction, kept only when every file was read and validated without error. CSV, TSV,
//! TOML and JSON files (one or several, with `--builtin` or not) and a lone Anki package are
//! written while they are read; a review log, or a package with other files, is read whole
//! first.
//!
//! Formats follow the extension (`.toml`, `.csv`, `.tsv`, `.txt`, `.json`, `.apkg`) or
//! `--format`. A review log (`--revlog`) becomes one note per card whose answers are replayed
//! through the configured scheduler. The run ends with a one-line report; large imports show a
//! progress bar when standard output is a terminal.
//!
//! This file parses the arguments; the work is [`crate::import::run`].

use std::io::Write;
use std::path::PathBuf;

use super::Context;
use crate::deck::Format;
use crate::deck::plan::OnDuplicate;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Deck files to import (.toml, .csv, .tsv, .txt, .json, .apkg)
    #[arg(value_name = "FILE", required_unless_present_any = ["builtin", "revlog"])]
    pub files: Vec<PathBuf>,
    /// Show what would change without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// What to do with a note that is already in its deck (same key or Anki guid)
    #[arg(long, value_enum, default_value_t = OnDuplicate::Update)]
    pub on_duplicate: OnDuplicate,
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
    pub format: Option<Format>,
}

impl Args {
    /// `jargon import --deck DECK FILE...` with every other option at its default.
    pub fn files_into(files: Vec<PathBuf>, deck: &str) -> Args {
        Args {
            files,
            dry_run: false,
            on_duplicate: OnDuplicate::Update,
            builtin: false,
            revlog: None,
            deck: Some(deck.to_string()),
            format: None,
        }
    }
}

/// Opens the collection and imports what `args` names (see [`crate::import::run`]).
pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let mut collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    crate::import::run(&mut collection, &config, &clock, &args.request(), out)
}

impl Args {
    /// The engine's request.
    pub fn request(&self) -> crate::import::Request {
        crate::import::Request {
            files: self.files.clone(),
            dry_run: self.dry_run,
            on_duplicate: self.on_duplicate,
            builtin: self.builtin,
            revlog: self.revlog.clone(),
            deck: self.deck.clone(),
            format: self.format,
        }
    }
}
