//! `jargon delete NOTE...`: delete notes with their cards; their answers are kept in the
//! deleted-answers log ([`crate::store::delete`]), out of the review log and the statistics.
//!
//! Every note is resolved first (one unknown note deletes nothing). `--dry-run` says what
//! would go; otherwise the notes are listed and a question asked on a terminal, and
//! `--yes` is needed without one (as `config set scheduler --reschedule` asks).

use std::io::{BufRead, IsTerminal, Write};

use super::Context;
use crate::error::{Error, Result};
use crate::repl::render::plural;
use crate::store::delete::Deleted;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The notes: `deck/key`, a key, or a note id
    #[arg(value_name = "NOTE", required = true)]
    pub notes: Vec<String>,
    /// Say what would be deleted, and delete nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Delete without asking (needed when standard input is not a terminal)
    #[arg(long)]
    pub yes: bool,
}

impl Args {
    /// Whether the run writes to the collection (a dry run only reads).
    pub fn writes(&self) -> bool {
        !self.dry_run
    }
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let asking = !args.dry_run && !args.yes;
    if asking && !std::io::stdin().is_terminal() {
        return Err(Error::usage(
            "delete asks before it deletes, and standard input is not a terminal to ask on; add --yes to delete without asking",
        ));
    }
    let mut collection = context.open()?;
    let mut notes: Vec<(i64, String)> = Vec::with_capacity(args.notes.len());
    for reference in &args.notes {
        let note = collection.find_note(reference).map_err(nothing_deleted)?;
        if notes.iter().all(|(id, _)| *id != note.id) {
            notes.push((note.id, format!("{}/{}", note.deck, note.fields.key)));
        }
    }
    let ids: Vec<i64> = notes.iter().map(|(id, _)| *id).collect();
    let preview = collection.deletion_preview(&ids)?;
    if args.dry_run || asking {
        let head = if args.dry_run {
            format!("Would delete {}:", counts(&preview))
        } else {
            "To delete:".to_string()
        };
        writeln!(out, "{head}").map_err(Error::Output)?;
        for (_, name) in &notes {
            writeln!(out, "  {name}").map_err(Error::Output)?;
        }
        if args.dry_run {
            writeln!(out, "Nothing was deleted (dry run).").map_err(Error::Output)?;
            return Ok(());
        }
        out.flush().map_err(Error::Output)?;
        if !confirm(&preview)? {
            writeln!(out, "Nothing was deleted.").map_err(Error::Output)?;
            return Ok(());
        }
    }
    let deleted = collection.delete_notes(&ids)?;
    writeln!(
        out,
        "Deleted {} ({}, {} kept in the deleted-answers log).",
        plural(to_usize(deleted.notes), "note"),
        plural(to_usize(deleted.cards), "card"),
        plural(to_usize(deleted.answers), "answer")
    )
    .map_err(Error::Output)
}

/// "2 notes with 4 cards and 14 answers".
fn counts(what: &Deleted) -> String {
    format!(
        "{} with {} and {}",
        plural(to_usize(what.notes), "note"),
        plural(to_usize(what.cards), "card"),
        plural(to_usize(what.answers), "answer")
    )
}

fn to_usize(count: u64) -> usize {
    usize::try_from(count).unwrap_or(usize::MAX)
}

/// A note that cannot be resolved refuses the whole run: its sentence says so.
fn nothing_deleted(error: Error) -> Error {
    match error {
        Error::Failed(message) => Error::Failed(format!("{message}; nothing was deleted")),
        Error::Usage(message) => Error::Usage(format!("{message}; nothing was deleted")),
        other => other,
    }
}

/// Asks "Delete N notes with C cards and A answers? [y/N]" on standard error and reads the
/// answer; only y or yes (any case) says yes, and the end of input says no.
fn confirm(what: &Deleted) -> Result<bool> {
    let question = format!("Delete {}? [y/N] ", counts(what));
    let mut err = crate::output::stderr();
    err.write_all(question.as_bytes())
        .and_then(|()| err.flush())
        .map_err(Error::Output)?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("read", std::path::Path::new("standard input"), e))?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}
