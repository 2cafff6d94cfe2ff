//! `jargon export deck` (CSV, TSV, JSON, TOML or an Anki package) and `jargon export reviews`
//! (the review log as CSV or JSON). Where the output goes (standard output for `-`, through a
//! link, into a FIFO, or a file replaced whole) is `crate::output`'s business.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::Context;
use super::args::DeckFormat;
use crate::deck::Format;
use crate::deck::export::{JARGON_TYPE, ReviewCsv, ReviewRecord, write_text, write_typed_text};
use crate::error::{Error, Result};
use crate::model::NoteFields;
use crate::outfile::Output;
use crate::records::export::{ExportDeck, ExportNote};
use crate::store::Collection;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub what: What,
}

#[derive(Debug, clap::Subcommand)]
pub enum What {
    /// Export notes (and, as an Anki package, their cards' scheduling and review log)
    Deck(DeckArgs),
    /// Export the review log (card_id,review_time,review_rating,review_duration, then the rest)
    Reviews(ReviewArgs),
}

#[derive(Debug, clap::Args)]
pub struct DeckArgs {
    /// Only this deck and its sub-decks; repeat for several (default: the whole collection)
    #[arg(long, value_name = "NAME")]
    pub deck: Vec<String>,
    /// Leave out the built-in decks (ML::Foundations and the others jargon installs)
    #[arg(long)]
    pub exclude_builtin: bool,
    /// The format (default: from the output file's extension, else csv)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<DeckFormat>,
    /// The file to write ("-" or nothing for standard output; required for apkg)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// The formats of a review log export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReviewFormat {
    Csv,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct ReviewArgs {
    /// Only the reviews of this deck and its sub-decks; repeat for several
    #[arg(long, value_name = "NAME")]
    pub deck: Vec<String>,
    /// Leave out the reviews of the built-in decks
    #[arg(long)]
    pub exclude_builtin: bool,
    /// The format (default: from the output file's extension, else csv)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub format: Option<ReviewFormat>,
    /// The file to write ("-" or nothing for standard output)
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Include cram answers (studied ahead; they never changed a schedule)
    #[arg(long)]
    pub include_cram: bool,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    match &args.what {
        What::Deck(deck) => export_deck(context, deck, out),
        What::Reviews(reviews) => export_reviews(context, reviews, out),
    }
}

/// The decks an export takes (`None`: every deck): those named with `--deck`, each with its
/// sub-decks and each once, less the built-in decks with `--exclude-builtin`. A selection left
/// with no deck is refused, so that an export never writes an empty file by mistake.
fn selected_decks(
    collection: &Collection,
    names: &[String],
    exclude_builtin: bool,
) -> Result<Option<Vec<i64>>> {
    let builtin: Vec<String> = if exclude_builtin {
        crate::deck::builtin::decks()?
            .into_iter()
            .map(|deck| deck.name)
            .collect()
    } else {
        vec![]
    };
    let selection = collection.export_selection(names, &builtin)?;
    if selection.as_ref().is_some_and(Vec::is_empty) {
        return Err(Error::failed(
            "there is nothing to export: every deck selected is a built-in deck, which --exclude-builtin leaves out",
        ));
    }
    Ok(selection)
}

fn export_deck(context: &Context, args: &DeckArgs, out: &mut dyn Write) -> Result<()> {
    let format = args
        .format
        .map(Format::from)
        .or_else(|| args.output.as_deref().and_then(Format::from_path))
        .unwrap_or(Format::Csv);
    let output = args
        .output
        .as_deref()
        .map(|path| Output::new(path, &format!("export.{}", format.name())))
        .transpose()?;
    if format == Format::Apkg && output.as_ref().is_none_or(Output::is_terminal) {
        return Err(Error::usage(
            "an Anki package is a binary file: name it with -o FILE.apkg, or pipe it with -o -",
        ));
    }
    let collection = context.open()?;
    let deck_ids = selected_decks(&collection, &args.deck, args.exclude_builtin)?;
    let decks = collection.export_decks(deck_ids.as_deref())?;
    let notes = collection.export_notes(deck_ids.as_deref())?;
    if format == Format::Apkg {
        let Some(output) = output else {
            // Refused above: a package always has an output.
            return Err(Error::usage("an Anki package needs -o FILE.apkg"));
        };
        let selection = Selection {
            collection: &collection,
            deck_ids: deck_ids.as_deref(),
            decks: &decks,
            notes: &notes,
        };
        let media = crate::media::MediaDir::for_collection(&context.db);
        return export_apkg(&selection, &media, &output, out);
    }
    let pairs: Vec<(String, NoteFields)> = notes
        .iter()
        .map(|n| (n.note.deck.clone(), n.note.fields.clone()))
        .collect();
    let summary = format!("{} notes from {} deck(s)", notes.len(), decks.len());
    let text = |separator: char| -> Result<Vec<u8>> {
        if notes.iter().all(|n| n.note.fields.rich.is_none()) {
            return Ok(write_text(&pairs, separator).into_bytes());
        }
        // Notes of other types come out with a note type column, to be read back under it.
        let mut names: HashMap<i64, String> = HashMap::new();
        let mut typed = Vec::with_capacity(notes.len());
        for (n, (deck, fields)) in notes.iter().zip(&pairs) {
            let name = if n.note.notetype_id == crate::model::VOCAB_NOTETYPE {
                JARGON_TYPE.to_string()
            } else {
                match names.get(&n.note.notetype_id) {
                    Some(name) => name.clone(),
                    None => {
                        let name = collection.notetype(n.note.notetype_id)?.notetype.name;
                        names.insert(n.note.notetype_id, name.clone());
                        name
                    }
                }
            };
            typed.push((deck.clone(), fields.clone(), name));
        }
        Ok(write_typed_text(&typed, separator).into_bytes())
    };
    let bytes: Vec<u8> = match format {
        Format::Csv => text(',')?,
        Format::Tsv => text('\t')?,
        Format::Json => crate::deck::json::write(&pairs)?.into_bytes(),
        // A package went its own way above.
        Format::Toml | Format::Apkg => toml_bytes(&decks, &notes, pairs)?,
    };
    match output {
        Some(output) => {
            output.write_bytes(&bytes, out)?;
            if !output.is_stdout() {
                writeln!(out, "Exported {summary} to {}.", output.path().display())
                    .map_err(Error::Output)?;
            }
        }
        None => out.write_all(&bytes).map_err(Error::Output)?,
    }
    Ok(())
}

/// The decks and notes a deck export takes.
struct Selection<'a> {
    collection: &'a Collection,
    /// The selected decks (see `selected_decks`); none for every deck.
    deck_ids: Option<&'a [i64]>,
    decks: &'a [ExportDeck],
    notes: &'a [ExportNote],
}

/// The selection as one TOML deck file; refused when its notes are in more than one deck.
fn toml_bytes(
    decks: &[ExportDeck],
    notes: &[ExportNote],
    pairs: Vec<(String, NoteFields)>,
) -> Result<Vec<u8>> {
    let with_notes: Vec<&ExportDeck> = decks
        .iter()
        .filter(|d| notes.iter().any(|n| n.note.deck_id == d.id))
        .collect();
    let [deck] = with_notes.as_slice() else {
        let names: Vec<&str> = with_notes.iter().map(|d| d.name.as_str()).collect();
        return Err(Error::usage(format!(
            "a TOML deck file holds one deck, and this selection has {} ({}); name one with --deck, or use csv, json or apkg",
            names.len(),
            names.join(", ")
        )));
    };
    let fields: Vec<NoteFields> = pairs.into_iter().map(|(_, f)| f).collect();
    Ok(crate::deck::toml::write(&deck.name, &deck.description, &fields)?.into_bytes())
}

/// The selection as an Anki package, with its cards' scheduling and review log, written to
/// `output` (a file or standard output).
fn export_apkg(
    selection: &Selection,
    media: &crate::media::MediaDir,
    output: &Output,
    out: &mut dyn Write,
) -> Result<()> {
    let collection = selection.collection;
    let mut type_ids: Vec<i64> = selection.notes.iter().map(|n| n.note.notetype_id).collect();
    type_ids.sort_unstable();
    type_ids.dedup();
    let notetypes = type_ids
        .into_iter()
        .filter(|&id| id != crate::model::VOCAB_NOTETYPE)
        .map(|id| collection.notetype(id))
        .collect::<Result<Vec<_>>>()?;
    let mut files = vec![];
    let mut missing = vec![];
    for name in crate::deck::apkg::media_names(selection.notes) {
        match media.file(&name) {
            Some(path) => files.push((name, path)),
            None => missing.push(name),
        }
    }
    if !missing.is_empty() {
        crate::output::warn(&format!(
            "{} media file(s) the notes reference are not in {} and are left out of the package: {}",
            missing.len(),
            media.path().display(),
            crate::text::sanitize(
                &missing
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ));
    }
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let cards = collection.export_cards(selection.deck_ids)?;
    let mut reviews = vec![];
    collection.export_reviews(selection.deck_ids, true, |r| {
        reviews.push(r);
        Ok(())
    })?;
    let source = crate::deck::apkg::ExportSource {
        decks: selection.decks,
        notes: selection.notes,
        notetypes: &notetypes,
        cards: &cards,
        reviews: &reviews,
    };
    let export = crate::deck::apkg::build_export(source, &clock);
    output.write_with(out, |file| {
        let collection = |path: &Path| crate::store::apkg::write_collection(path, &export);
        crate::deck::apkg::write_package(file, output.path(), collection, &files)
    })?;
    if output.is_stdout() {
        return Ok(());
    }
    writeln!(
        out,
        "Exported {} notes, {} cards and {} reviews{} from {} deck(s) to {}.",
        export.notes.len(),
        export.cards.len(),
        export.revlog.len(),
        match files.len() {
            0 => String::new(),
            n => format!(", with {n} media file(s)"),
        },
        selection.decks.len(),
        output.path().display()
    )
    .map_err(Error::Output)?;
    let made_here = answers_on_anki_notes(selection.notes, &reviews);
    if made_here > 0 {
        writeln!(
            out,
            "{made_here} of these answers were made here on notes from Anki: Anki's package import adds them for cards it does not have yet, and keeps its own schedule and log for the cards it has."
        )
        .map_err(Error::Output)?;
    }
    Ok(())
}

/// How many answers made in jargon (not brought in by an import) are on cards of notes with a
/// guid, that is notes from Anki or from an earlier package.
fn answers_on_anki_notes(
    notes: &[ExportNote],
    reviews: &[crate::records::export::ExportReview],
) -> usize {
    use crate::scheduler::replay::ReviewKind;
    let with_guid: std::collections::HashSet<i64> = notes
        .iter()
        .filter(|n| n.note.fields.guid.is_some())
        .map(|n| n.note.id)
        .collect();
    reviews
        .iter()
        .filter(|r| matches!(r.review.kind, ReviewKind::Schedule | ReviewKind::Drill))
        .filter(|r| with_guid.contains(&crate::model::note_of_card(r.review.card_id)))
        .count()
}

fn export_reviews(context: &Context, args: &ReviewArgs, out: &mut dyn Write) -> Result<()> {
    let format = args
        .format
        .or_else(|| {
            let extension = args.output.as_deref()?.extension()?.to_str()?;
            match extension.to_ascii_lowercase().as_str() {
                "json" => Some(ReviewFormat::Json),
                "csv" => Some(ReviewFormat::Csv),
                _ => None,
            }
        })
        .unwrap_or(ReviewFormat::Csv);
    let example = match format {
        ReviewFormat::Csv => "reviews.csv",
        ReviewFormat::Json => "reviews.json",
    };
    // `-` streams to standard output exactly as no -o does.
    let output = args
        .output
        .as_deref()
        .map(|path| Output::new(path, example))
        .transpose()?
        .filter(|output| !output.is_stdout());
    let collection = context.open()?;
    let deck_ids = selected_decks(&collection, &args.deck, args.exclude_builtin)?;
    let mut buffer: Vec<u8> = vec![];
    let mut count = 0usize;
    {
        let sink: &mut dyn Write = if output.is_some() {
            &mut buffer
        } else {
            &mut *out
        };
        match format {
            ReviewFormat::Csv => {
                let mut csv = ReviewCsv::new(&mut *sink);
                collection.export_reviews(deck_ids.as_deref(), args.include_cram, |row| {
                    count += 1;
                    csv.write(&ReviewRecord::from_export(&row))
                })?;
                csv.finish()?;
            }
            ReviewFormat::Json => {
                sink.write_all(b"[").map_err(Error::Output)?;
                collection.export_reviews(deck_ids.as_deref(), args.include_cram, |row| {
                    let record = ReviewRecord::from_export(&row);
                    let text = crate::text::to_json(&record).map_err(|e| {
                        Error::failed(format!("cannot write a review as JSON: {e}"))
                    })?;
                    sink.write_all(if count == 0 { b"\n  " } else { b",\n  " })
                        .map_err(Error::Output)?;
                    sink.write_all(text.as_bytes()).map_err(Error::Output)?;
                    count += 1;
                    Ok(())
                })?;
                sink.write_all(b"\n]\n").map_err(Error::Output)?;
            }
        }
    }
    if let Some(output) = &output {
        output.write_bytes(&buffer, out)?;
        writeln!(
            out,
            "Exported {count} reviews to {}.",
            output.path().display()
        )
        .map_err(Error::Output)?;
    }
    Ok(())
}
