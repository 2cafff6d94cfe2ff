//! `jargon` with no command: what is due today in each deck, the streak, where the
//! collection is, and a hint; laid out for the terminal's width.

use std::io::{IsTerminal, Write};

use super::{Context, table};
use crate::error::{Error, Result};
use crate::repl::render::{plural, terminal_width, wrap};

pub fn run(context: &Context, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let today = clock.today();
    let decks = collection.deck_summaries(today)?;
    // Cards on an intraday learning step (Anki's rules, FSRS) due before the study day ends
    // count with the deck's learning cards: the review shows them today.
    let day_end = clock.day_start(today + 1).timestamp();
    let steps = collection.learning_due_by_deck(today, i64::MIN, day_end)?;
    let (new_done, reviews_done) = collection.studied_on(today)?;
    let new_left = i64::from(config.new_per_day.saturating_sub(new_done));
    let width = terminal_width(std::io::stdout().is_terminal());
    let mut rows = vec![];
    let (mut due_total, mut new_total) = (0, 0);
    for deck in &decks {
        let on_steps: i64 = steps
            .iter()
            .filter(|(id, _, _)| *id == deck.id)
            .map(|(_, count, _)| count)
            .sum();
        let learning_due = deck.learning_due + on_steps;
        rows.push(vec![
            deck.name.clone(),
            learning_due.to_string(),
            deck.review_due.to_string(),
            deck.new.to_string(),
        ]);
        due_total += learning_due + deck.review_due;
        new_total += deck.new;
    }
    writeln!(
        out,
        "{}",
        table::render(
            &["deck", "learning", "review", "new"],
            &rows,
            &[1, 2, 3],
            48,
            width
        )
    )
    .map_err(Error::Output)?;
    let current = crate::stats::gather::current_streak(&collection, today)?;
    writeln!(out).map_err(Error::Output)?;
    let today_line = format!(
        "Today: {due_total} due, {} new to introduce (of {new_total}); {} and {} done. Streak: {}.",
        new_left.min(new_total),
        plural(reviews_done as usize, "review"),
        plural(new_done as usize, "new card"),
        plural(usize::try_from(current).unwrap_or(0), "day"),
    );
    let collection_line = format!("Collection: {}", context.db.display());
    let mut lines = vec![today_line, collection_line];
    if let Some(state) = collection.sync_state()? {
        let (outbox, answers) = collection.sync_waiting()?;
        let when = state
            .last_sync_ms
            .and_then(chrono::DateTime::from_timestamp_millis)
            .map_or_else(
                || "never".to_string(),
                |t| t.format("%Y-%m-%d %H:%M UTC").to_string(),
            );
        let waiting = if outbox + answers == 0 {
            "nothing waiting".to_string()
        } else {
            format!(
                "{} and {} waiting to send",
                plural(answers as usize, "answer"),
                plural(outbox as usize, "event")
            )
        };
        lines.push(format!("Last sync: {when}; {waiting}."));
    }
    for line in lines {
        for part in wrap(&line, width, "", "  ") {
            writeln!(out, "{part}").map_err(Error::Output)?;
        }
    }
    if due_total > 0 || (new_left > 0 && new_total > 0) {
        writeln!(out, "Run `jargon review` to start.").map_err(Error::Output)?;
    } else {
        writeln!(out, "All done for today.").map_err(Error::Output)?;
    }
    Ok(())
}
