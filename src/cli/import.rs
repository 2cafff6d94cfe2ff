//! `jargon import FILE...`: every file is read and validated first, then all of it is written
//! in one transaction.

use std::io::Write;
use std::path::PathBuf;

use super::Context;
use crate::deck::plan::{OnDuplicate, plan};
use crate::deck::{DeckInput, load_file};
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Deck files to import
    #[arg(value_name = "FILE", required_unless_present = "builtin")]
    pub files: Vec<PathBuf>,
    /// Show what would change without writing anything
    #[arg(long)]
    pub dry_run: bool,
    /// What to do with a note whose key is already in its deck
    #[arg(long, value_enum, default_value_t = OnDuplicate::Update)]
    pub on_duplicate: OnDuplicate,
    /// Install or refresh the built-in jargon decks
    #[arg(long)]
    pub builtin: bool,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let mut decks: Vec<DeckInput> = vec![];
    for file in &args.files {
        decks.extend(load_file(file)?);
    }
    if args.builtin {
        decks.extend(crate::deck::builtin::decks()?);
    }
    let mut collection = context.open()?;
    let names: Vec<&str> = decks.iter().map(|d| d.name.as_str()).collect();
    let existing = collection.existing_notes(&names)?;
    let changes = plan(&decks, &existing, args.on_duplicate);
    if args.dry_run {
        writeln!(
            out,
            "Dry run, nothing written: would be {}.",
            changes.summary()
        )?;
        for (deck, fields) in &changes.add {
            writeln!(out, "  add     {deck}/{}", fields.key)?;
        }
        for (id, fields) in &changes.update {
            writeln!(
                out,
                "  update  {}/{} (note {id})",
                deck_of(&decks, &fields.key),
                fields.key
            )?;
        }
        return Ok(());
    }
    if changes.is_empty() {
        writeln!(out, "Nothing to change: {}.", changes.summary())?;
        return Ok(());
    }
    let now = crate::clock::now_from_env()?.timestamp();
    collection
        .apply_import(&changes, now)
        .map_err(|e| Error::failed(format!("the import was not written (nothing changed): {e}")))?;
    writeln!(out, "Imported: {}.", changes.summary())?;
    Ok(())
}

fn deck_of<'a>(decks: &'a [DeckInput], key: &str) -> &'a str {
    decks
        .iter()
        .find(|d| d.notes.iter().any(|n| n.fields.key == key))
        .map_or("?", |d| d.name.as_str())
}
