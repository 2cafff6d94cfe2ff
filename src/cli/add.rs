//! `jargon add`: one note, made into a forward and a reverse card.

use std::io::Write;

use super::Context;
use crate::deck::plan::{OnDuplicate, plan};
use crate::deck::{DeckInput, NoteInput, validate};
use crate::error::{Error, Result};
use crate::model::NoteFields;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The deck to add to (created if new)
    #[arg(long)]
    pub deck: String,
    #[arg(long)]
    pub term: String,
    #[arg(long)]
    pub definition: String,
    #[arg(long, default_value = "")]
    pub example: String,
    /// Another accepted answer (repeatable)
    #[arg(long = "alias")]
    pub aliases: Vec<String>,
    /// A tag (repeatable)
    #[arg(long = "tag")]
    pub tags: Vec<String>,
    /// The key of a related note (repeatable)
    #[arg(long = "related")]
    pub related: Vec<String>,
    #[arg(long, default_value = "")]
    pub source: String,
    /// An explicit key (default: made from the term)
    #[arg(long)]
    pub id: Option<String>,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let fields = NoteFields {
        key: args
            .id
            .clone()
            .unwrap_or_else(|| crate::text::slug(&args.term)),
        guid: None,
        term: args.term.trim().to_string(),
        definition: args.definition.trim().to_string(),
        example: args.example.trim().to_string(),
        aliases: args.aliases.clone(),
        tags: args.tags.clone(),
        related: args.related.clone(),
        source: args.source.trim().to_string(),
        rich: None,
        forward_only: false,
        cards_from_file: false,
    };
    let deck = DeckInput {
        name: args.deck.trim().to_string(),
        description: None,
        notes: vec![NoteInput {
            fields,
            position: None,
        }],
    };
    validate(
        std::path::Path::new("(command line)"),
        std::slice::from_ref(&deck),
    )
    .map_err(|e| Error::usage(e.to_string()))?;
    let mut collection = context.open()?;
    let existing = collection.existing_notes(&[deck.name.as_str()])?;
    let key = deck.notes[0].fields.key.clone();
    if existing
        .get(&deck.name)
        .is_some_and(|notes| notes.contains_key(&key))
    {
        return Err(Error::failed(format!(
            "the deck '{}' already has a note '{key}'; change it with `jargon edit {}/{key}`",
            deck.name, deck.name
        )));
    }
    let changes = plan(std::slice::from_ref(&deck), &existing, OnDuplicate::Update);
    collection.apply_import(&changes, crate::clock::now_from_env()?.timestamp())?;
    writeln!(
        out,
        "Added {}/{key} (a forward and a reverse card).",
        deck.name
    )
    .map_err(Error::Output)?;
    Ok(())
}
