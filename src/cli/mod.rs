//! The command line: clap definitions, and one file per subcommand.

pub mod add;
pub mod args;
pub mod backup;
pub mod cards;
pub mod check;
pub mod completions;
pub mod config;
pub mod decks;
pub mod delete;
pub mod edit;
pub mod evaluate;
pub mod export;
pub mod import;
mod memory_log;
pub mod optimize;
pub mod report;
pub mod review;
pub mod simulate;
pub mod stats;
pub mod status;
pub mod suspend;
pub mod sync;
pub mod table;

use std::io::Write;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::clock::Clock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::Collection;

#[derive(Debug, Parser)]
#[command(
    name = "jargon",
    version,
    about = "Spaced-repetition flashcards for machine-learning jargon, in the terminal"
)]
#[command(after_help = "With no command, jargon shows what is due today in each deck.")]
pub struct Cli {
    /// The collection file
    #[arg(long, global = true, env = "JARGON_DB", value_name = "PATH", help = db_help())]
    pub db: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Review the cards due today
    Review(review::Args),
    /// Import deck files (TOML, CSV/TSV, JSON, Anki .apkg) or a review log (--revlog)
    Import(import::Args),
    /// Export decks (CSV, TSV, JSON, TOML, Anki .apkg) or the review log (CSV, JSON)
    Export(export::Args),
    /// List the decks with their counts
    Decks(decks::Args),
    /// List and search cards
    Cards(cards::Args),
    /// Add a note (a forward and a reverse card)
    Add(add::Args),
    /// Edit a note, keeping its cards' history
    Edit(edit::Args),
    /// Delete notes and their cards (their answers are kept in the deleted-answers log)
    Delete(delete::Args),
    /// Suspend cards so they are not shown (or bring them back with --undo)
    Suspend(suspend::Args),
    /// Bring suspended cards back
    Unsuspend(suspend::Args),
    /// Keep several machines in step through a shared folder (Syncthing, Dropbox, a drive)
    Sync(sync::Args),
    /// Show or change settings
    Config(config::Args),
    /// Review statistics: today, streak, retention, forecast, heatmap, cards (text, JSON, CSV)
    Stats(stats::Args),
    /// Write the statistics as a self-contained HTML report with charts
    Report(report::Args),
    /// Check the collection: SQLite integrity and that the review log reproduces every card
    Check(check::Args),
    /// Fit FSRS-6 parameters to your review log, and use them from then on
    Optimize(optimize::Args),
    /// Measure how well each scheduler predicts your recall (log loss, RMSE, AUC)
    Evaluate(evaluate::Args),
    /// Play the next days under each scheduler and desired retention on your own cards
    Simulate(simulate::Args),
    /// Write a consistent copy of the collection
    Backup(backup::Args),
    /// Print shell completions
    Completions(completions::Args),
}

/// What every subcommand gets: where the collection is.
pub struct Context {
    pub db: PathBuf,
}

/// `$XDG_DATA_HOME/jargon/collection.sqlite` (or the platform's equivalent).
pub fn default_db_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("", "", "jargon").ok_or_else(|| {
        Error::failed(
            "cannot find a home directory for the collection; pass --db PATH or set JARGON_DB",
        )
    })?;
    Ok(dirs.data_dir().join("collection.sqlite"))
}

/// The `--db` help, naming the default where this run would put it (it follows
/// `XDG_DATA_HOME` and the home directory, so it is computed when the help is built).
fn db_help() -> String {
    match default_db_path() {
        Ok(path) => format!("The collection file (default: {})", path.display()),
        Err(_) => "The collection file (default: jargon/collection.sqlite in the XDG data \
                   directory, but no home directory was found)"
            .to_string(),
    }
}

impl Context {
    /// Opens the collection; a new one gets the built-in decks.
    pub fn open(&self) -> Result<Collection> {
        let mut collection = Collection::open(&self.db)?;
        if collection.was_created() {
            crate::import::install_builtin(&mut collection)?;
        }
        Ok(collection)
    }

    pub fn clock(config: &Config) -> Result<Clock> {
        Clock::from_env(config.zone, config.rollover_hour)
    }
}

pub fn run(cli: Cli) -> Result<()> {
    let db = match cli.db {
        Some(path) => path,
        None => default_db_path()?,
    };
    // A read-only collection opens read-only; a command that would write to it is refused
    // before it starts (a review before its first card).
    if cli.command.as_ref().is_some_and(Command::writes) && Collection::is_read_only_at(&db) {
        return Err(Error::ReadOnly(db));
    }
    let context = Context { db };
    let stdout = std::io::stdout().lock();
    if prints_data(cli.command.as_ref()) {
        return dispatch(&context, cli.command, &mut { stdout })
            .map_err(|e| e.in_collection(&context.db));
    }
    // Everything else is for a person: through the one writer that neutralises escapes.
    let mut out = crate::output::Human::new(stdout);
    let result = dispatch(&context, cli.command, &mut out);
    let flushed = out.flush();
    // Database failures name the collection.
    result.map_err(|e| e.in_collection(&context.db))?;
    flushed.map_err(Error::Output)
}

/// Whether this run's standard output is data (an export, JSON, CSV, the HTML report,
/// completions), written as it is; everything else on standard output, and everything on
/// standard error, is for a person and goes through [`crate::output::Human`].
fn prints_data(command: Option<&Command>) -> bool {
    match command {
        Some(Command::Export(args)) => match &args.what {
            export::What::Deck(deck) => to_stdout(deck.output.as_deref()),
            export::What::Reviews(reviews) => to_stdout(reviews.output.as_deref()),
        },
        Some(Command::Report(args)) => args.output.as_os_str() == "-",
        Some(Command::Stats(args)) => match args.format {
            stats::Format::Text => false,
            stats::Format::Json => true,
            stats::Format::Csv => args.output.is_none(),
        },
        Some(Command::Cards(args)) => args.json,
        Some(Command::Decks(args)) => args.json,
        Some(Command::Evaluate(args)) => args.format == crate::cli::args::TextOrJson::Json,
        Some(Command::Simulate(args)) => args.format == crate::cli::args::TextOrJson::Json,
        Some(Command::Sync(args)) => args.format == crate::cli::args::TextOrJson::Json,
        Some(Command::Completions(_)) => true,
        _ => false,
    }
}

/// No output file, or `-`: the export goes to standard output.
fn to_stdout(output: Option<&std::path::Path>) -> bool {
    output.is_none_or(|path| path.as_os_str() == "-")
}

fn dispatch(context: &Context, command: Option<Command>, out: &mut dyn Write) -> Result<()> {
    match command {
        None => status::run(context, out),
        Some(Command::Review(args)) => review::run(context, &args),
        Some(Command::Import(args)) => import::run(context, &args, out),
        Some(Command::Export(args)) => export::run(context, &args, out),
        Some(Command::Decks(args)) => decks::run(context, &args, out),
        Some(Command::Cards(args)) => cards::run(context, &args, out),
        Some(Command::Add(args)) => add::run(context, &args, out),
        Some(Command::Edit(args)) => edit::run(context, &args, out),
        Some(Command::Delete(args)) => delete::run(context, &args, out),
        Some(Command::Suspend(args)) => suspend::run(context, &args, !args.undo, out),
        Some(Command::Unsuspend(args)) if args.undo => Err(Error::usage(
            "unsuspend has no --undo; `jargon suspend` suspends the cards again",
        )),
        Some(Command::Unsuspend(args)) => suspend::run(context, &args, false, out),
        Some(Command::Sync(args)) => sync::run(context, &args, out),
        Some(Command::Config(args)) => config::run(context, &args, out),
        Some(Command::Stats(args)) => stats::run(context, &args, out),
        Some(Command::Report(args)) => report::run(context, &args, out),
        Some(Command::Check(args)) => check::run(context, &args, out),
        Some(Command::Optimize(args)) => optimize::run(context, &args, out),
        Some(Command::Evaluate(args)) => evaluate::run(context, &args, out),
        Some(Command::Simulate(args)) => simulate::run(context, &args, out),
        Some(Command::Backup(args)) => backup::run(context, &args, out),
        Some(Command::Completions(args)) => completions::run(&args, out),
    }
}

impl Command {
    /// Whether the command writes to the collection.
    fn writes(&self) -> bool {
        match self {
            Command::Config(args) => matches!(
                args.action,
                Some(config::Action::Set { .. } | config::Action::Unset { .. })
            ),
            Command::Optimize(args) => args.writes(),
            Command::Delete(args) => args.writes(),
            Command::Review(_)
            | Command::Import(_)
            | Command::Add(_)
            | Command::Edit(_)
            | Command::Suspend(_)
            | Command::Unsuspend(_) => true,
            Command::Sync(args) => !args.status,
            _ => false,
        }
    }
}
