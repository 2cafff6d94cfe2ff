//! `jargon decks`: every deck with its note and card counts.

use std::io::{IsTerminal, Write};

use super::{Context, table};
use crate::error::{Error, Result};
use crate::repl::render::{display_width, wrap};

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
        )
        .map_err(Error::Output)?;
        return Ok(());
    }
    let width = crate::repl::render::terminal_width(std::io::stdout().is_terminal());
    let headers = ["deck", "notes", "cards", "new", "due", "suspended"];
    let right = [1, 2, 3, 4, 5];
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
            ]
        })
        .collect();
    let counts = table::render(&headers, &rows, &right, 60, width);
    let room = width.saturating_sub(counts.lines().map(display_width).max().unwrap_or(0) + 2);
    if room >= DESCRIPTION_COLUMN {
        // Wide enough: the description is a last column that wraps.
        let mut headers = headers.to_vec();
        headers.push("description");
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .zip(&decks)
            .map(|(mut row, d)| {
                row.push(d.description.clone());
                row
            })
            .collect();
        writeln!(
            out,
            "{}",
            table::render_wrapping(&headers, &rows, &right, 60, width)
        )
        .map_err(Error::Output)?;
        return Ok(());
    }
    // Narrow: each deck's description wraps on the lines under its row.
    let mut lines = counts.lines();
    writeln!(out, "{}", lines.next().unwrap_or_default()).map_err(Error::Output)?;
    for (line, deck) in lines.zip(&decks) {
        writeln!(out, "{line}").map_err(Error::Output)?;
        if !deck.description.is_empty() {
            let text = crate::text::sanitize(&deck.description);
            writeln!(out, "{}", wrap(&text, width, "    ", "    ").join("\n"))
                .map_err(Error::Output)?;
        }
    }
    Ok(())
}

/// The description is a column of its own only with at least this many columns left.
const DESCRIPTION_COLUMN: usize = 30;
