//! `jargon edit NOTE`: change a note's fields; its cards and their history stay.

use std::io::{IsTerminal, Write};

use super::Context;
use crate::error::{Error, Result};
use crate::model::{Note, NoteFields};
use crate::repl::editor::{self, Outcome};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The note: `deck/key`, a key, or a note id
    pub note: String,
    #[arg(long)]
    pub term: Option<String>,
    #[arg(long)]
    pub definition: Option<String>,
    #[arg(long)]
    pub example: Option<String>,
    /// Replace the aliases (repeatable)
    #[arg(long = "alias")]
    pub aliases: Option<Vec<String>>,
    /// Replace the tags (repeatable)
    #[arg(long = "tag")]
    pub tags: Option<Vec<String>>,
    /// Replace the related keys (repeatable)
    #[arg(long = "related")]
    pub related: Option<Vec<String>>,
    #[arg(long)]
    pub source: Option<String>,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let note = collection.find_note(&args.note)?;
    let mut fields = note.fields.clone();
    if !apply_flags(args, &mut fields) {
        if !std::io::stdin().is_terminal() {
            return Err(Error::usage(
                "give the fields to change (e.g. --definition TEXT), or run on a terminal to use $EDITOR",
            ));
        }
        match in_editor(&note)? {
            Edited::Fields(edited) => fields = *edited,
            Edited::Said(sentence) => {
                writeln!(out, "{sentence}").map_err(Error::Output)?;
                return Ok(());
            }
        }
    }
    if fields.term.is_empty() || fields.definition.is_empty() {
        return Err(Error::usage(
            "a note needs a term and a definition; nothing was changed",
        ));
    }
    if fields == note.fields {
        writeln!(out, "No change to {}/{}.", note.deck, note.fields.key).map_err(Error::Output)?;
        return Ok(());
    }
    collection.update_note(note.id, &fields, crate::clock::now_from_env()?.timestamp())?;
    writeln!(
        out,
        "Updated {}/{}; its cards keep their history.",
        note.deck, note.fields.key
    )
    .map_err(Error::Output)?;
    Ok(())
}

/// Sets the fields the flags give (text trimmed); false when no flag gives one.
fn apply_flags(args: &Args, fields: &mut NoteFields) -> bool {
    let any_flag = args.term.is_some()
        || args.definition.is_some()
        || args.example.is_some()
        || args.aliases.is_some()
        || args.tags.is_some()
        || args.related.is_some()
        || args.source.is_some();
    let trimmed = |s: &String| s.trim().to_string();
    if let Some(v) = &args.term {
        fields.term = trimmed(v);
    }
    if let Some(v) = &args.definition {
        fields.definition = trimmed(v);
    }
    if let Some(v) = &args.example {
        fields.example = trimmed(v);
    }
    if let Some(v) = &args.aliases {
        fields.aliases.clone_from(v);
    }
    if let Some(v) = &args.tags {
        fields.tags.clone_from(v);
    }
    if let Some(v) = &args.related {
        fields.related.clone_from(v);
    }
    if let Some(v) = &args.source {
        fields.source = trimmed(v);
    }
    any_flag
}

/// What the editor gave back.
enum Edited {
    /// The note's new fields (its key and guid kept).
    Fields(Box<NoteFields>),
    /// Nothing to write, and the sentence that says so.
    Said(String),
}

/// Opens the note as a TOML deck in `$EDITOR` until it is valid, emptied or left unchanged.
fn in_editor(note: &Note) -> Result<Edited> {
    let text = crate::deck::toml::write(&note.deck, "", std::slice::from_ref(&note.fields))?;
    let outcome = editor::edit_until_valid(&text, &mut editor::run_editor, &editor::parse_note)?;
    match outcome {
        Outcome::Saved(mut edited) => {
            edited.key.clone_from(&note.fields.key);
            edited.guid.clone_from(&note.fields.guid);
            // Compared with the stored note, which says nothing of where its cards came from.
            edited.cards_from_file = false;
            Ok(Edited::Fields(Box::new(edited)))
        }
        Outcome::Unchanged => Ok(Edited::Said(format!(
            "No change to {}/{}.",
            note.deck, note.fields.key
        ))),
        Outcome::Emptied => Ok(Edited::Said(format!(
            "The file was emptied; {}/{} was not changed.",
            note.deck, note.fields.key
        ))),
        Outcome::Unfixed(error) => Err(Error::failed(format!("{error}; nothing was changed"))),
    }
}
