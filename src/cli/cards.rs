//! `jargon cards`: list and search cards with their notes.

use std::io::{IsTerminal, Write};

use super::{Context, table};
use crate::clock::Clock;
use crate::error::{Error, Result};

use crate::repl::render::plural;
use crate::scheduler::Due;
use crate::store::notes::CardFilter;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Text to look for in terms, definitions, aliases, tags and keys
    pub search: Option<String>,
    /// Only this deck and its sub-decks
    #[arg(long)]
    pub deck: Option<String>,
    /// Only cards due today or earlier
    #[arg(long)]
    pub due: bool,
    /// Only suspended cards
    #[arg(long)]
    pub suspended: bool,
    /// At most this many cards
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Print the notes in full (definition, example, aliases, related, source)
    #[arg(long, short)]
    pub long: bool,
    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let config = collection.config()?;
    let today = Context::clock(&config)?.today();
    let filter = CardFilter {
        deck_ids: match &args.deck {
            Some(name) => Some(collection.deck_ids_under(name)?),
            None => None,
        },
        due_by: args.due.then_some(today),
        search: args.search.clone(),
        suspended_only: args.suspended,
        limit: args.limit,
    };
    let cards = collection.list_cards(&filter)?;
    if args.json {
        return print_json(&cards, today, &config.scheduling, out);
    }
    if cards.is_empty() {
        writeln!(out, "{}", nothing_matches(args)).map_err(Error::Output)?;
        return Ok(());
    }
    let width = crate::repl::render::terminal_width(std::io::stdout().is_terminal());
    if args.long {
        print_long(&cards, width, out)
    } else {
        print_table(&cards, width, out)
    }
}

/// A card with its note, as the store lists them.
type Listed = crate::store::notes::ListedCard;

/// When a card is due: "new", a date, or a date and time.
fn due_text(due: Due) -> String {
    match due {
        Due::Unscheduled => "new".to_string(),
        Due::Day(day) => Clock::date_of_day(day).to_string(),
        Due::At(at) => chrono::DateTime::from_timestamp(at, 0)
            .map_or(String::new(), |t| t.format("%Y-%m-%d %H:%M").to_string()),
    }
}

/// `--json`: every card with its note's fields and its state.
fn print_json(
    cards: &[Listed],
    today: crate::clock::DayNumber,
    settings: &crate::scheduler::Settings,
    out: &mut dyn Write,
) -> Result<()> {
    let list: Vec<serde_json::Value> = cards
        .iter()
        .map(|Listed { card, note, note_kind, note_type, template }| {
            // The kind for jargon's and Anki's stock types, the name for any other Anki type.
            let shown = if note_kind == "anki" { note_type } else { note_kind };
            serde_json::json!({
                "card_id": card.id, "note_id": note.id, "deck": note.deck, "key": note.fields.key,
                "note_type": shown, "note_type_name": note_type, "template": template,
                "direction": template, "term": note.fields.term, "definition": note.fields.definition,
                "example": note.fields.example, "aliases": note.fields.aliases, "tags": note.fields.tags,
                "related": note.fields.related, "source": note.fields.source,
                "phase": card.state.phase.as_str(), "due": due_text(card.state.due),
                "interval_days": card.state.interval_days, "ease": f64::from(card.state.ease_permille) / 1000.0,
                "repetitions": card.state.repetitions, "lapses": card.state.lapses, "suspended": card.suspended,
                "stability": card.state.memory.map(|m| m.stability),
                "difficulty": card.state.memory.map(|m| m.difficulty),
                "retrievability": crate::scheduler::fsrs::current_retrievability(&card.state, today, settings),
            })
        })
        .collect();
    writeln!(
        out,
        "{}",
        crate::text::to_json_pretty(&list).unwrap_or_default()
    )
    .map_err(Error::Output)
}

/// `--long`: each note once, its fields in full. Each field wraps at words under a hanging
/// indent; a field's further lines (a multi-line definition) keep that indent.
fn print_long(cards: &[Listed], width: usize, out: &mut dyn Write) -> Result<()> {
    let field = |first: &str, value: &str| {
        crate::repl::render::wrap(&crate::text::sanitize(value), width, first, "    ").join("\n")
    };
    let mut last_note = None;
    for Listed { note, .. } in cards {
        if last_note == Some(note.id) {
            continue;
        }
        last_note = Some(note.id);
        let f = &note.fields;
        writeln!(
            out,
            "{}",
            field("", &format!("{}/{}  {}", note.deck, f.key, f.term))
        )
        .map_err(Error::Output)?;
        writeln!(out, "{}", field("  definition: ", &f.definition)).map_err(Error::Output)?;
        for (label, value) in [
            ("example", f.example.clone()),
            ("aliases", f.aliases.join(", ")),
            ("tags", f.tags.join(", ")),
            ("related", f.related.join(", ")),
            ("source", f.source.clone()),
        ] {
            if !value.is_empty() {
                writeln!(out, "{}", field(&format!("  {label}: "), &value))
                    .map_err(Error::Output)?;
            }
        }
        writeln!(out).map_err(Error::Output)?;
    }
    Ok(())
}

/// The table: one card a row, then how many.
fn print_table(cards: &[Listed], width: usize, out: &mut dyn Write) -> Result<()> {
    let rows: Vec<Vec<String>> = cards
        .iter()
        .map(
            |Listed {
                 card,
                 note,
                 template,
                 ..
             }| {
                vec![
                    card.id.to_string(),
                    format!("{}/{}", note.deck, note.fields.key),
                    template.clone(),
                    if card.suspended {
                        "suspended".to_string()
                    } else {
                        card.state.phase.as_str().to_string()
                    },
                    due_text(card.state.due),
                    card.state.interval_days.to_string(),
                    format!("{:.2}", f64::from(card.state.ease_permille) / 1000.0),
                    note.fields.term.clone(),
                ]
            },
        )
        .collect();
    let headers = [
        "card",
        "note",
        "direction",
        "phase",
        "due",
        "ivl",
        "ease",
        "term",
    ];
    writeln!(
        out,
        "{}",
        table::render(&headers, &rows, &[0, 5, 6], 44, width)
    )
    .map_err(Error::Output)?;
    writeln!(out, "{}.", plural(cards.len(), "card")).map_err(Error::Output)?;
    Ok(())
}

/// The sentence for a listing with no cards, naming what was asked for.
fn nothing_matches(args: &Args) -> String {
    let mut scope = vec![];
    if let Some(deck) = &args.deck {
        scope.push(format!("in deck {deck}"));
    }
    if args.due {
        scope.push("due today".to_string());
    }
    let scope = if scope.is_empty() {
        String::new()
    } else {
        format!(" {}", scope.join(" and "))
    };
    let verb = if args.suspended { "are suspended" } else { "" };
    match (&args.search, args.suspended) {
        (Some(search), false) => format!("No cards match '{search}'{scope}."),
        (Some(search), true) => format!("No cards matching '{search}'{scope} {verb}."),
        (None, true) => format!("No cards{scope} {verb}."),
        (None, false) if scope.is_empty() => "The collection has no cards.".to_string(),
        (None, false) => format!("No cards{scope}."),
    }
}
