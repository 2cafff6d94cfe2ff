//! `jargon suspend` / `jargon unsuspend`: keep cards out of reviews, or bring them back.

use std::io::Write;

use super::Context;
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Notes (`deck/key`, a key, or a note id): both their cards
    pub notes: Vec<String>,
    /// Card ids (from `jargon cards`)
    #[arg(long = "card", value_name = "ID")]
    pub cards: Vec<i64>,
    /// With `suspend`: unsuspend instead
    #[arg(long)]
    pub undo: bool,
}

pub fn run(context: &Context, args: &Args, suspend: bool, out: &mut dyn Write) -> Result<()> {
    if args.notes.is_empty() && args.cards.is_empty() {
        return Err(Error::usage(
            "name the notes (deck/key) or --card ID to change",
        ));
    }
    let mut collection = context.open()?;
    let mut note_ids = vec![];
    for reference in &args.notes {
        note_ids.push(collection.find_note(reference)?.id);
    }
    let mut card_ids = collection.card_ids_of_notes(&note_ids)?;
    for id in &args.cards {
        collection.card(*id)?;
        card_ids.push(*id);
    }
    let now_ms = crate::clock::now_from_env()?.timestamp_millis();
    let changed = collection.set_suspended(&card_ids, suspend, now_ms)?;
    let verb = if suspend { "Suspended" } else { "Unsuspended" };
    writeln!(out, "{verb} {changed} of {} cards.", card_ids.len()).map_err(Error::Output)?;
    Ok(())
}
