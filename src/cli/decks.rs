//! `jargon decks`: every deck with its note and card counts.

use std::io::Write;

use super::{Context, table};
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let config = collection.config()?;
    let today = Context::clock(&config)?.today();
    let decks = collection.deck_summaries(today)?;
    if args.json {
        let list: Vec<serde_json::Value> = decks
            .iter()
            .map(|d| {
                serde_json::json!({
                    "name": d.name, "description": d.description, "notes": d.notes, "cards": d.cards,
                    "new": d.new, "learning_due": d.learning_due, "review_due": d.review_due, "suspended": d.suspended,
                })
            })
            .collect();
        writeln!(
            out,
            "{}",
            crate::text::to_json_pretty(&list).unwrap_or_default()
        )?;
        return Ok(());
    }
    let rows: Vec<Vec<String>> = decks
        .iter()
        .map(|d| {
            vec![
                d.name.clone(),
                d.notes.to_string(),
                d.cards.to_string(),
                d.new.to_string(),
                (d.learning_due + d.review_due).to_string(),
                d.suspended.to_string(),
                d.description.clone(),
            ]
        })
        .collect();
    writeln!(
        out,
        "{}",
        table::render(
            &[
                "deck",
                "notes",
                "cards",
                "new",
                "due",
                "suspended",
                "description"
            ],
            &rows,
            &[1, 2, 3, 4, 5],
            60
        )
    )?;
    Ok(())
}
