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
    /// Set a field of a note of another type (from an Anki package), repeatable: NAME is a
    /// field of its type (any case), VALUE is HTML as stored
    #[arg(long = "field", value_name = "NAME=VALUE")]
    pub fields: Vec<String>,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let note = collection.find_note(&args.note)?;
    if note.notetype_id != crate::model::VOCAB_NOTETYPE {
        return edit_rich(&collection, &note, args, out);
    }
    if !args.fields.is_empty() {
        return Err(Error::usage(format!(
            "{}/{} is a vocab note: change it with --term, --definition, --example, --alias, \
             --tag, --related or --source (--field is for notes of other types); nothing was changed",
            note.deck, note.fields.key
        )));
    }
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

/// `jargon edit` of a note of another type than vocab: `--field NAME=VALUE` sets a field (HTML,
/// as given), `--term` and `--definition` its first and second field as text, `--tag` its
/// tags; the vocab-only flags are refused. The note gains the cards the new values make.
fn edit_rich(
    collection: &crate::store::Collection,
    note: &Note,
    args: &Args,
    out: &mut dyn Write,
) -> Result<()> {
    use crate::notes::edit::{card_name, field_index, field_list, text_field};
    let notetype = collection.notetype(note.notetype_id)?.notetype;
    let name = format!("{}/{}", note.deck, note.fields.key);
    let refuse = |what: String| {
        Error::usage(format!(
            "{what}; nothing was changed (its fields: {})",
            field_list(&notetype)
        ))
    };
    let vocab_only: Vec<&str> = [
        ("example", args.example.is_some()),
        ("aliases", args.aliases.is_some()),
        ("related keys", args.related.is_some()),
        ("source", args.source.is_some()),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect();
    if !vocab_only.is_empty() {
        return Err(refuse(format!(
            "{name} is a note of type '{}', which keeps no {}: change its fields with --field NAME=VALUE",
            notetype.name,
            vocab_only.join(" or ")
        )));
    }
    let mut values = note.values.clone();
    values.resize(values.len().max(notetype.fields.len()), String::new());
    // Which flag set each field, so that one given twice is refused.
    let mut set_by: Vec<Option<String>> = vec![None; values.len()];
    let mut set = |index: usize, flag: String, value: String| -> Result<()> {
        let Some(slot) = values.get_mut(index) else {
            return Err(refuse(format!(
                "{flag} sets field {} of {name}, whose type '{}' has {}",
                index + 1,
                notetype.name,
                plural_fields(notetype.fields.len())
            )));
        };
        if let Some(first) = &set_by[index] {
            return Err(refuse(format!(
                "the field '{}' is given twice ({first} and {flag})",
                notetype.fields.get(index).map_or("?", String::as_str)
            )));
        }
        *slot = value;
        set_by[index] = Some(flag);
        Ok(())
    };
    if let Some(term) = &args.term {
        set(0, "--term".into(), text_field(term.trim()))?;
    }
    if let Some(definition) = &args.definition {
        set(1, "--definition".into(), text_field(definition.trim()))?;
    }
    for given in &args.fields {
        let Some((field, value)) = given.split_once('=') else {
            return Err(refuse(format!(
                "--field takes NAME=VALUE (e.g. --field 'Back=<b>bold</b>'), not '{given}'"
            )));
        };
        let index = field_index(&notetype, field).map_err(&refuse)?;
        set(
            index,
            format!("--field {}", field.trim()),
            value.to_string(),
        )?;
    }
    if set_by.iter().all(Option::is_none) && args.tags.is_none() {
        return Err(refuse(format!(
            "{name} is a note of type '{}': give the fields to change with --field NAME=VALUE \
             ($EDITOR edits vocab notes only)",
            notetype.name
        )));
    }
    let mut fields = note.fields.clone();
    if let Some(tags) = &args.tags {
        fields.tags.clone_from(tags);
    }
    if values == note.values && fields.tags == note.fields.tags {
        writeln!(out, "No change to {name}.").map_err(Error::Output)?;
        return Ok(());
    }
    if let Some(rich) = fields.rich.as_mut() {
        rich.values = values;
    }
    let now = crate::clock::now_from_env()?.timestamp();
    let added = collection.update_note(note.id, &fields, now)?;
    let new_cards: Vec<String> = (0..64u32)
        .filter(|ord| added >> ord & 1 == 1)
        .map(|ord| card_name(&notetype, ord))
        .collect();
    let mut said = format!("Updated {name}; its cards keep their history");
    match new_cards.len() {
        0 => said.push('.'),
        1 => said.push_str(&format!("; new card: {}.", new_cards[0])),
        _ => said.push_str(&format!("; new cards: {}.", new_cards.join(", "))),
    }
    writeln!(out, "{said}").map_err(Error::Output)?;
    Ok(())
}

/// "one field", "3 fields".
fn plural_fields(count: usize) -> String {
    match count {
        1 => "one field".to_string(),
        n => format!("{n} fields"),
    }
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
