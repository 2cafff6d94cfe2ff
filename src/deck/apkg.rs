//! Anki packages (`.apkg`, also `.colpkg`): a zip holding an Anki collection in SQLite, as
//! `collection.anki21b` (zstd-compressed, current Anki), `collection.anki21` or
//! `collection.anki2` (legacy), preferred in that order, with numbered media files.
//!
//! Reading is defensive: the zip in [`super::apkg_zip`] (entry names, sizes, duplicates, a
//! private scratch copy of the collection), its SQL in `store::anki` (only real tables with the
//! expected columns, bounded), its numbers in [`super::apkg_numbers`] (each within the type
//! Anki gives it, instants plausible). A truncated or corrupt zip, or a collection that is not
//! SQLite, is refused with the package and entry named. The notes are converted one at a time
//! as SQLite reads them ([`Converter`]); cards and review log rows are held, sorted, and found
//! per note by binary search.
//!
//! What carries over (documented in `decks/README.md`):
//! - Notes: a note type whose field names jargon knows (term/front, definition/back, example,
//!   aliases, related, source, key) is mapped by name; any other uses its first field as the
//!   term and its second as the definition. HTML becomes text, `[sound:...]` references are
//!   dropped. Notes left without a term or definition are skipped with a warning.
//! - Cards: the card of the first template is the note's forward card; the second template's
//!   card (as in "Basic (and reversed card)") is its reverse card. Cards of a third or later
//!   template, and all but the first cloze deletion, have no jargon card and are counted.
//! - Scheduling: phase from the card type; review due days count from the collection's
//!   creation day and land on the same calendar day; learning cards due at an instant become
//!   due on that instant's study day (jargon's learning is day-based); ease from the factor;
//!   suspended stays suspended; buried cards are buried until tomorrow. jargon's SM-2 needs a
//!   repetition count Anki does not keep: a review card gets at least 2, so its next interval
//!   grows from the Anki interval by the ease.
//! - Review log: every answer (buttons 1-4) becomes an `import` row with the state Anki
//!   recorded after it; the last row carries the card's imported state, so `jargon check`
//!   passes. Manual reschedulings (button 0) are not answers and are left out. A card with
//!   scheduling but no review log gets one synthetic `import` row (duration 0) dated at the
//!   card's last modification, carrying its state.
//! - Media files are not imported; they are counted in the report.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::apkg_numbers::Checker;
use super::history::{CardHistory, ImportedAnswer};
use super::{DeckInput, Loaded, NoteInput};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::model::{Direction, NoteFields};
use crate::scheduler::{
    Answer, CardState, Due, INITIAL_EASE_PERMILLE, MINIMUM_EASE_PERMILLE, Phase,
};
use crate::store::anki::{AnkiCard, AnkiCollection, AnkiNote, AnkiReview, Reader};

pub use super::apkg_zip::ENTRY_LIMIT;
use super::apkg_zip::{Scratch, extract_collection};

/// Loads a package with the default entry size limit.
pub fn load(path: &Path, clock: &Clock) -> Result<Loaded> {
    load_with_limit(path, clock, ENTRY_LIMIT)
}

/// Loads a package, refusing entries larger than `limit` bytes: every note held, with the
/// histories of its cards.
pub fn load_with_limit(path: &Path, clock: &Clock, limit: u64) -> Result<Loaded> {
    let package = Package::open(path, limit)?;
    let mut decks: Vec<DeckInput> = vec![];
    let mut deck_index: HashMap<String, usize> = HashMap::new();
    // (deck index, note index in deck, histories of its cards)
    let mut pending: Vec<(usize, usize, Vec<CardHistory>)> = vec![];
    let warnings = package.read(clock, |converted| {
        let index = match deck_index.get(&converted.deck) {
            Some(i) => *i,
            None => {
                decks.push(DeckInput {
                    name: converted.deck.clone(),
                    description: None,
                    notes: vec![],
                });
                deck_index.insert(converted.deck, decks.len() - 1);
                decks.len() - 1
            }
        };
        decks[index].notes.push(converted.note);
        pending.push((index, decks[index].notes.len() - 1, converted.histories));
        Ok(())
    })?;
    // Histories point at notes by their index among all decks' notes, in order.
    let mut offsets = Vec::with_capacity(decks.len());
    let mut total = 0;
    for deck in &decks {
        offsets.push(total);
        total += deck.notes.len();
    }
    let mut histories = vec![];
    for (deck, note, list) in pending {
        for mut history in list {
            history.note = offsets[deck] + note;
            histories.push(history);
        }
    }
    Ok(Loaded {
        decks,
        histories,
        media_skipped: package.media,
        warnings,
    })
}

/// A package opened and checked, its collection copied to a private scratch file, ready to
/// be read note by note ([`Package::read`]).
pub struct Package<'p> {
    path: &'p Path,
    _scratch: Scratch,
    file: PathBuf,
    entry: &'static str,
    /// Media files in the package, which jargon does not import.
    pub media: usize,
}

/// One note of a package as jargon keeps it: its deck, its fields, and the histories of its
/// cards (their `note` index is 0: the receiver places them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    pub deck: String,
    pub note: NoteInput,
    pub histories: Vec<CardHistory>,
}

impl<'p> Package<'p> {
    /// Opens the package at `path`, refusing entries larger than `limit` bytes.
    pub fn open(path: &'p Path, limit: u64) -> Result<Package<'p>> {
        let (scratch, file, entry, media) = extract_collection(path, limit)?;
        Ok(Package {
            path,
            _scratch: scratch,
            file,
            entry,
            media,
        })
    }

    /// About how many notes the package holds (its notes table's rows).
    pub fn note_count(&self) -> Result<usize> {
        Reader::open(&self.file, self.path, self.entry)?.note_count()
    }

    /// Reads the package: checks every number of its cards and review log, then hands over
    /// its notes one at a time, in the notes table's order, converted with their cards'
    /// histories; stops at the first error `each` returns. Returns the warnings (what was
    /// left out).
    ///
    /// Only the cards' and review rows' keys are held (a note id or card id and a rowid, 16
    /// bytes a row, sorted): a note's cards, and their log, are fetched by rowid as the note
    /// comes.
    pub fn read(
        &self,
        clock: &Clock,
        mut each: impl FnMut(Converted) -> Result<()>,
    ) -> Result<Vec<String>> {
        let reader = Reader::open(&self.file, self.path, self.entry)?;
        let collection = reader.collection()?;
        let checker = Checker::new(self.path, self.entry);
        checker.collection(&collection)?;
        // (note id, rowid) of every card, and (card id, rowid) of every review.
        let mut cards: Vec<(i64, i64)> = vec![];
        reader.each_card(|rowid, card| {
            checker.card(card)?;
            cards.push((card.note_id, rowid));
            Ok(())
        })?;
        cards.sort_unstable();
        let mut revlog: Vec<(i64, i64)> = vec![];
        reader.each_review(|rowid, review| {
            checker.review(review)?;
            revlog.push((review.card_id, rowid));
            Ok(())
        })?;
        revlog.sort_unstable();
        let vanished = || {
            Error::input(
                self.path,
                None,
                format!(
                    "a row of the {} inside the package vanished while it was read",
                    self.entry
                ),
            )
        };
        let mut converter = Converter::new(&collection, clock);
        let mut note_cards: Vec<AnkiCard> = vec![];
        reader.each_note(|note| {
            note_cards.clear();
            for &(_, rowid) in run_of(&cards, note.id, |c| c.0) {
                note_cards.push(reader.card(rowid)?.ok_or_else(vanished)?);
            }
            note_cards.sort_unstable_by_key(|c| (c.ord, c.id));
            let mut log_of = |card: &AnkiCard| -> Result<Vec<AnkiReview>> {
                let mut log = run_of(&revlog, card.id, |r| r.0)
                    .iter()
                    .map(|&(_, rowid)| reader.review(rowid)?.ok_or_else(vanished))
                    .collect::<Result<Vec<AnkiReview>>>()?;
                log.sort_unstable_by_key(|r| r.id);
                Ok(log)
            };
            match converter.note(&note, &note_cards, &mut log_of)? {
                Some(converted) => each(converted),
                None => Ok(()),
            }
        })?;
        Ok(converter.warnings())
    }
}

/// Which jargon field each Anki field holds, by field name; `None` when the names are not
/// jargon's (then the first two fields are term and definition).
fn field_map(fields: &[String]) -> Vec<Option<super::csv::Field>> {
    use super::csv::Field;
    let mapped: Vec<Option<Field>> = fields
        .iter()
        .map(|name| {
            Field::from_name(name)
                .filter(|f| !matches!(f, Field::Deck | Field::Guid | Field::Tags | Field::Notetype))
        })
        .collect();
    let has = |wanted: Field| mapped.contains(&Some(wanted));
    if has(Field::Term) && has(Field::Definition) {
        mapped
    } else {
        (0..fields.len().max(2))
            .map(|i| match i {
                0 => Some(Field::Term),
                1 => Some(Field::Definition),
                _ => None,
            })
            .collect()
    }
}

/// Field text as jargon keeps it: HTML to text, sound references dropped.
fn field_text(html: &str) -> String {
    let mut text = html.to_string();
    while let Some(start) = text.find("[sound:") {
        match text[start..].find(']') {
            Some(end) => text.replace_range(start..start + end + 1, ""),
            None => break,
        }
    }
    super::html::to_text(&text)
}

/// A guid for a jargon note without one, stable for its deck and key, so that exporting the
/// same collection twice gives Anki the same notes (and importing our own package back
/// recognises them as guid-less notes).
pub fn derived_guid(deck: &str, key: &str) -> String {
    let digest = sha1_smol::Sha1::from(format!("jargon\u{1f}{deck}\u{1f}{key}")).digest();
    let hex = digest.to_string();
    format!("jargon-{}", &hex[..16])
}

fn ease_of(factor: i64) -> u32 {
    if factor <= 0 {
        INITIAL_EASE_PERMILLE
    } else {
        u32::try_from(factor)
            .unwrap_or(INITIAL_EASE_PERMILLE)
            .max(MINIMUM_EASE_PERMILLE)
    }
}

fn days(value: i64) -> u32 {
    u32::try_from(value.max(0)).unwrap_or(u32::MAX)
}

/// Anki due values are days for review and day-learning cards, unix seconds for intraday
/// learning: this tells them apart by size (day numbers stay far below a billion).
fn due_of(due: i64, crt_day: i64, clock: &Clock) -> Due {
    if due > 1_000_000_000 {
        let at = chrono::DateTime::from_timestamp(due, 0).unwrap_or_default();
        Due::Day(clock.day_of(at))
    } else {
        Due::Day(crt_day + due)
    }
}

/// The card's state as jargon keeps it.
fn card_state(card: &AnkiCard, streak: u32, crt_day: i64, clock: &Clock) -> CardState {
    let due_value = if card.original_deck_id != 0 && card.original_due != 0 {
        card.original_due
    } else {
        card.due
    };
    let ease_permille = ease_of(card.factor);
    let lapses = days(card.lapses);
    match card.kind {
        1 => CardState {
            phase: Phase::Learning,
            due: due_of(due_value, crt_day, clock),
            interval_days: days(card.interval),
            ease_permille,
            repetitions: 0,
            lapses,
            step: 0,
        },
        2 => CardState {
            phase: Phase::Review,
            due: Due::Day(crt_day + due_value),
            interval_days: days(card.interval).max(1),
            ease_permille,
            repetitions: streak.max(2),
            lapses,
            step: 0,
        },
        3 => CardState {
            phase: Phase::Relearning,
            due: due_of(due_value, crt_day, clock),
            interval_days: days(card.interval).max(1),
            ease_permille,
            repetitions: 0,
            lapses,
            step: 0,
        },
        _ => CardState::new_card(),
    }
}

/// The state Anki recorded after one answer, and the running counts it carries.
fn answer_state(review: &AnkiReview, previous: &CardState, clock: &Clock) -> CardState {
    let at = chrono::DateTime::from_timestamp_millis(review.id).unwrap_or_default();
    let day = clock.day_of(at);
    let failed = review.ease == 1;
    let lapses = previous.lapses + u32::from(failed && review.kind == 1);
    let repetitions = if failed { 0 } else { previous.repetitions + 1 };
    let ease_permille = if review.factor > 0 {
        ease_of(review.factor)
    } else {
        previous.ease_permille
    };
    if review.interval > 0 {
        CardState {
            phase: Phase::Review,
            due: Due::Day(day + review.interval),
            interval_days: days(review.interval),
            ease_permille,
            repetitions,
            lapses,
            step: 0,
        }
    } else {
        let delay = chrono::Duration::seconds(review.interval.saturating_neg());
        let relearning = review.kind == 2 || (review.kind == 1 && failed);
        CardState {
            phase: if relearning {
                Phase::Relearning
            } else {
                Phase::Learning
            },
            due: Due::Day(clock.day_of(at + delay)),
            // Learning steps are seconds; a step of whole days keeps its days.
            interval_days: days(review.interval.saturating_neg() / 86_400),
            ease_permille,
            repetitions,
            lapses,
            step: 0,
        }
    }
}

/// Turns a read collection into decks and card histories, one note at a time.
pub struct Converter<'a> {
    collection: &'a AnkiCollection,
    clock: &'a Clock,
    crt_day: i64,
    /// Per deck, a 64-bit hash of each key given so far: a million notes' keys as strings
    /// were a quarter of a large package's peak memory. Two keys sharing a hash (about one
    /// chance in 10^7 at a million keys) only make the second derived key take a `-2`
    /// suffix it did not need; the validator still sees the real keys.
    keys: HashMap<String, HashSet<u64>>,
    skipped_notes: usize,
    extra_cards: usize,
    manual_rows: usize,
}

/// A key's hash for [`Converter`]'s keys given so far: SipHash with fixed keys, the same in
/// every run, so a package always gets the same keys.
fn key_hash(key: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    key.hash(&mut hasher);
    hasher.finish()
}

/// The run of `items` (sorted by `key`) whose key is `wanted`.
fn run_of<T>(items: &[T], wanted: i64, key: impl Fn(&T) -> i64) -> &[T] {
    let start = items.partition_point(|item| key(item) < wanted);
    let end = start + items[start..].partition_point(|item| key(item) == wanted);
    &items[start..end]
}

impl<'a> Converter<'a> {
    /// A converter for the notes of `collection`.
    pub fn new(collection: &'a AnkiCollection, clock: &'a Clock) -> Converter<'a> {
        Converter {
            collection,
            clock,
            crt_day: clock
                .day_of(chrono::DateTime::from_timestamp(collection.crt, 0).unwrap_or_default()),
            keys: HashMap::new(),
            skipped_notes: 0,
            extra_cards: 0,
            manual_rows: 0,
        }
    }

    /// Converts one note and its `cards` (sorted by template and id); `log_of` gives a
    /// card's review log, oldest first. `None` for a note skipped.
    pub fn note(
        &mut self,
        note: &AnkiNote,
        cards: &[AnkiCard],
        log_of: &mut dyn FnMut(&AnkiCard) -> Result<Vec<AnkiReview>>,
    ) -> Result<Option<Converted>> {
        let collection = self.collection;
        let clock = self.clock;
        let crt_day = self.crt_day;
        let notetype = collection.notetypes.get(&note.notetype_id);
        let names: Vec<String> = notetype.map(|t| t.fields.clone()).unwrap_or_default();
        let values: Vec<&str> = note.fields.split('\u{1f}').collect();
        let map = field_map(&names);
        let mut fields = NoteFields::default();
        for (index, field) in map.iter().enumerate() {
            let Some(field) = field else { continue };
            let text = field_text(values.get(index).copied().unwrap_or(""));
            use super::csv::Field;
            match field {
                Field::Term => fields.term = text,
                Field::Definition => fields.definition = text,
                Field::Example => fields.example = text,
                Field::Aliases => fields.aliases = split_list(&text),
                Field::Related => fields.related = split_list(&text),
                Field::Source => fields.source = text,
                Field::Key => fields.key = text,
                Field::Deck | Field::Guid | Field::Tags | Field::Notetype => {}
            }
        }
        if fields.term.is_empty() || fields.definition.is_empty() {
            self.skipped_notes += 1;
            return Ok(None);
        }
        fields.tags = note.tags.split_whitespace().map(String::from).collect();
        let home = cards.iter().min_by_key(|c| c.ord).map(|c| {
            if c.original_deck_id != 0 {
                c.original_deck_id
            } else {
                c.deck_id
            }
        });
        let deck = home
            .and_then(|id| collection.decks.get(&id))
            .cloned()
            .unwrap_or_else(|| "Default".to_string());
        let taken = self.keys.entry(deck.clone()).or_default();
        if fields.key.is_empty() {
            let base = crate::text::slug(&fields.term);
            let base = if base.is_empty() {
                format!("anki-{}", note.id)
            } else {
                base
            };
            fields.key = if taken.contains(&key_hash(&base)) {
                (2..)
                    .map(|n| format!("{base}-{n}"))
                    .find(|k| !taken.contains(&key_hash(k)))
                    .unwrap_or(base)
            } else {
                base
            };
        }
        taken.insert(key_hash(&fields.key));
        fields.guid = Some(note.guid.clone())
            .filter(|g| !g.is_empty() && *g != derived_guid(&deck, &fields.key));

        let templates = notetype.map_or(1, |t| t.templates);
        let cloze = notetype.is_some_and(|t| t.cloze) || templates <= 1;
        let mut histories = vec![];
        for card in cards {
            let direction = match card.ord {
                0 => Direction::Forward,
                1 if !cloze => Direction::Reverse,
                _ => {
                    self.extra_cards += 1;
                    continue;
                }
            };
            let log = log_of(card)?;
            let mut previous = CardState::new_card();
            let mut answers = vec![];
            for review in &log {
                let Some(answer) = u8::try_from(review.ease).ok().and_then(Answer::from_rating)
                else {
                    self.manual_rows += 1;
                    continue;
                };
                let after = answer_state(review, &previous, clock);
                answers.push(ImportedAnswer {
                    reviewed_at_ms: review.id,
                    quality: answer.quality(),
                    duration_ms: review.time_ms.max(0),
                    after: Some(after),
                });
                previous = after;
            }
            let streak = previous.repetitions;
            let state = card_state(card, streak, crt_day, clock);
            if answers.is_empty() && state != CardState::new_card() {
                answers.push(ImportedAnswer {
                    reviewed_at_ms: card.modified.saturating_mul(1000),
                    quality: Answer::Good.quality(),
                    duration_ms: 0,
                    after: Some(state),
                });
            }
            let suspended = card.queue == -1;
            let buried = card.queue == -2 || card.queue == -3;
            if answers.is_empty() && !suspended && !buried {
                continue;
            }
            histories.push(CardHistory {
                note: 0,
                direction,
                answers,
                state: Some(state),
                suspended,
                buried,
            });
        }
        Ok(Some(Converted {
            deck,
            note: NoteInput {
                fields,
                position: None,
            },
            histories,
        }))
    }

    /// What was left out, one sentence each.
    pub fn warnings(self) -> Vec<String> {
        let Converter {
            skipped_notes,
            extra_cards,
            manual_rows,
            ..
        } = self;
        let mut warnings = vec![];
        if skipped_notes > 0 {
            warnings.push(format!(
            "{skipped_notes} note(s) without a term or a definition (after removing HTML and media) were skipped"
        ));
        }
        if extra_cards > 0 {
            warnings.push(format!(
            "{extra_cards} card(s) of a third or later template or cloze deletion have no jargon card and were left out"
        ));
        }
        if manual_rows > 0 {
            warnings.push(format!(
                "{manual_rows} review log row(s) of manual rescheduling (no answer) were left out"
            ));
        }
        warnings
    }
}

fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Export: a legacy (schema 11) package that current Anki imports.

/// The id of jargon's note type in exported packages: fixed, so every export maps onto the
/// same note type in Anki.
pub const NOTETYPE_ID: i64 = 1_735_689_600_000;

const NOTETYPE_FIELDS: [&str; 7] = [
    "Term",
    "Definition",
    "Example",
    "Aliases",
    "Related",
    "Source",
    "Key",
];

/// A field's text as Anki's HTML.
fn field_html(text: &str) -> String {
    html_escape::encode_text(text).replace('\n', "<br>")
}

fn checksum(text: &str) -> i64 {
    let digest = sha1_smol::Sha1::from(text).digest().bytes();
    i64::from(u32::from_be_bytes([
        digest[0], digest[1], digest[2], digest[3],
    ]))
}

fn notetype_json(modified: i64, deck_id: i64) -> serde_json::Value {
    let field = |ord: usize, name: &str| {
        serde_json::json!({"name": name, "ord": ord, "sticky": false, "rtl": false,
            "font": "Arial", "size": 20, "media": []})
    };
    serde_json::json!({
        "id": NOTETYPE_ID,
        "name": "jargon",
        "type": 0,
        "mod": modified,
        "usn": -1,
        "sortf": 0,
        "did": deck_id,
        "tmpls": [
            {"name": "Forward", "ord": 0, "qfmt": "{{Term}}",
             "afmt": "{{FrontSide}}<hr id=answer>{{Definition}}{{#Example}}<br><i>{{Example}}</i>{{/Example}}",
             "did": null, "bqfmt": "", "bafmt": ""},
            {"name": "Reverse", "ord": 1, "qfmt": "{{Definition}}<br>{{type:Term}}",
             "afmt": "{{Definition}}<hr id=answer>{{type:Term}}",
             "did": null, "bqfmt": "", "bafmt": ""}
        ],
        "flds": NOTETYPE_FIELDS.iter().enumerate().map(|(i, n)| field(i, n)).collect::<Vec<_>>(),
        "css": ".card { font-family: arial; font-size: 20px; text-align: center; }",
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "latexsvg": false,
        "req": [[0, "any", [0]], [1, "any", [1]]],
        "tags": [],
        "vers": []
    })
}

fn deck_json(id: i64, name: &str, description: &str, modified: i64) -> serde_json::Value {
    serde_json::json!({
        "id": id, "name": name, "desc": description, "mod": modified, "usn": -1,
        "collapsed": false, "browserCollapsed": false, "dyn": 0, "conf": 1,
        "extendNew": 0, "extendRev": 0,
        "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0], "timeToday": [0, 0]
    })
}

fn dconf_json() -> serde_json::Value {
    serde_json::json!({"1": {
        "id": 1, "name": "Default", "mod": 0, "usn": 0, "maxTaken": 60, "autoplay": true,
        "timer": 0, "replayq": true, "dyn": false,
        "new": {"bury": true, "delays": [1, 10], "initialFactor": 2500, "ints": [1, 4, 7],
                "order": 1, "perDay": 20, "separate": true},
        "lapse": {"delays": [10], "leechAction": 0, "leechFails": 8, "minInt": 1, "mult": 0},
        "rev": {"bury": true, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1, "maxIvl": 36500,
                "minSpace": 1, "perDay": 200, "hardFactor": 1.2}
    }})
}

/// What an export holds, read from the collection.
#[derive(Debug, Clone, Copy)]
pub struct ExportSource<'a> {
    pub decks: &'a [crate::store::export::ExportDeck],
    pub notes: &'a [crate::store::export::ExportNote],
    pub cards: &'a [crate::model::Card],
    pub reviews: &'a [crate::store::export::ExportReview],
}

/// Anki's card type, queue and due for a jargon card state.
fn anki_schedule(state: &CardState, position: i64, crt_day: i64) -> (i64, i64, i64) {
    let day = |due: Due| match due {
        Due::Day(d) => d - crt_day,
        Due::At(at) => at,
        Due::Unscheduled => 0,
    };
    let intraday = matches!(state.due, Due::At(_));
    match state.phase {
        Phase::New => (0, 0, position),
        Phase::Learning => (1, if intraday { 1 } else { 3 }, day(state.due)),
        Phase::Review => (2, 2, day(state.due)),
        Phase::Relearning => (3, if intraday { 1 } else { 3 }, day(state.due)),
    }
}

/// Anki's revlog interval: days for a review card, negative seconds for a (re)learning step
/// (jargon's steps are whole days).
fn revlog_interval(state: &CardState) -> i64 {
    match state.phase {
        Phase::New => 0,
        Phase::Review => i64::from(state.interval_days),
        Phase::Learning | Phase::Relearning => -i64::from(state.interval_days) * 86_400,
    }
}

/// Builds the Anki collection for an export; `clock` gives today (for burying) and the study
/// days.
pub fn build_export(source: ExportSource, clock: &Clock) -> crate::store::apkg::AnkiExport {
    use crate::store::apkg::{AnkiCardRow, AnkiExport, AnkiNoteRow};
    let today = clock.today();
    let now_secs = clock.now().timestamp();
    // The collection's first day: no due day or review falls before it.
    let mut crt_day = today;
    for card in source.cards {
        if let Due::Day(d) = card.state.due {
            crt_day = crt_day.min(d);
        }
    }
    for review in source.reviews {
        crt_day = crt_day.min(review.review.day);
    }
    let crt = clock.day_start(crt_day).timestamp();

    // Decks, with every parent of a sub-deck (Anki shows the tree from them).
    let mut deck_ids: HashMap<String, i64> = HashMap::new();
    let mut decks_json = serde_json::Map::new();
    decks_json.insert("1".into(), deck_json(1, "Default", "", now_secs));
    let mut next_deck_id = 1_700_000_000_000_i64;
    for deck in source.decks {
        let parts: Vec<&str> = deck.name.split("::").collect();
        for depth in 1..=parts.len() {
            let name = parts[..depth].join("::");
            if deck_ids.contains_key(&name) {
                continue;
            }
            next_deck_id += 1;
            let description = if depth == parts.len() {
                deck.description.as_str()
            } else {
                ""
            };
            decks_json.insert(
                next_deck_id.to_string(),
                deck_json(next_deck_id, &name, description, now_secs),
            );
            deck_ids.insert(name, next_deck_id);
        }
    }
    let first_deck = source
        .decks
        .first()
        .and_then(|d| deck_ids.get(&d.name).copied())
        .unwrap_or(1);

    // Notes: ids from their creation time, two apart so a note's cards can be nid + ord.
    let mut notes = Vec::with_capacity(source.notes.len());
    let mut note_ids: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut order: Vec<&crate::store::export::ExportNote> = source.notes.iter().collect();
    order.sort_by_key(|n| (n.created_at, n.note.id));
    let mut last_id = 0_i64;
    for n in order {
        let id = (n.created_at.saturating_mul(1000)).max(last_id + 2);
        last_id = id;
        let f = &n.note.fields;
        let deck_id = deck_ids.get(&n.note.deck).copied().unwrap_or(1);
        note_ids.insert(n.note.id, (id, deck_id));
        let fields = [
            f.term.clone(),
            f.definition.clone(),
            f.example.clone(),
            f.aliases.join("; "),
            f.related.join("; "),
            f.source.clone(),
            f.key.clone(),
        ];
        let tags = super::export::tags_field(&f.tags);
        notes.push(AnkiNoteRow {
            id,
            guid: f
                .guid
                .clone()
                .unwrap_or_else(|| derived_guid(&n.note.deck, &f.key)),
            notetype_id: NOTETYPE_ID,
            modified: n.modified_at,
            tags: if tags.is_empty() {
                String::new()
            } else {
                format!(" {tags} ")
            },
            fields: fields
                .iter()
                .map(|t| field_html(t))
                .collect::<Vec<_>>()
                .join("\u{1f}"),
            sort_field: f.term.clone(),
            checksum: checksum(&f.term),
        });
    }

    // Reviews per card, to count repetitions.
    let mut reps: HashMap<i64, i64> = HashMap::new();
    for r in source.reviews {
        *reps.entry(r.review.card_id).or_default() += 1;
    }
    let mut card_ids: HashMap<i64, i64> = HashMap::new();
    let mut cards = Vec::with_capacity(source.cards.len());
    for card in source.cards {
        let Some(&(note_id, deck_id)) = note_ids.get(&card.note_id) else {
            continue;
        };
        let ord = match card.direction {
            Direction::Forward => 0,
            Direction::Reverse => 1,
        };
        let id = note_id + ord;
        card_ids.insert(card.id, id);
        let (kind, mut queue, due) = anki_schedule(&card.state, card.position, crt_day);
        if card.suspended {
            queue = -1;
        } else if card.buried_day.is_some_and(|d| d >= today) {
            queue = -3;
        }
        let new = card.state.phase == Phase::New;
        cards.push(AnkiCardRow {
            id,
            note_id,
            deck_id,
            ord,
            modified: now_secs,
            kind,
            queue,
            due,
            interval: if new {
                0
            } else {
                i64::from(card.state.interval_days)
            },
            factor: if new {
                0
            } else {
                i64::from(card.state.ease_permille)
            },
            reps: reps.get(&card.id).copied().unwrap_or(0),
            lapses: i64::from(card.state.lapses),
            left: if kind == 1 || kind == 3 { 1 } else { 0 },
        });
    }

    // The review log, ids unique by nudging equal instants a millisecond apart.
    let mut revlog = Vec::with_capacity(source.reviews.len());
    let mut last_ms = i64::MIN;
    for row in source.reviews {
        let r = &row.review;
        let Some(&card_id) = card_ids.get(&r.card_id) else {
            continue;
        };
        let id = r.reviewed_at_ms.max(last_ms + 1);
        last_ms = id;
        let kind = match (r.kind, r.before.phase) {
            (crate::scheduler::replay::ReviewKind::Cram, _) => 3,
            (_, Phase::New | Phase::Learning) => 0,
            (_, Phase::Review) => 1,
            (_, Phase::Relearning) => 2,
        };
        revlog.push(AnkiReview {
            id,
            card_id,
            ease: i64::from(r.quality.rating()),
            interval: revlog_interval(&r.after),
            last_interval: revlog_interval(&r.before),
            factor: i64::from(r.after.ease_permille),
            time_ms: r.duration_ms,
            kind,
        });
    }
    revlog.sort_by_key(|r| r.id);

    let next_position = source.cards.iter().map(|c| c.position).max().unwrap_or(0) + 1;
    let conf = serde_json::json!({
        "activeDecks": [1], "curDeck": 1, "newSpread": 0, "collapseTime": 1200, "timeLim": 0,
        "estTimes": true, "dueCounts": true, "curModel": NOTETYPE_ID.to_string(),
        "nextPos": next_position, "sortType": "noteFld", "sortBackwards": false,
        "addToCur": true, "schedVer": 2
    });
    let models =
        serde_json::json!({ NOTETYPE_ID.to_string(): notetype_json(now_secs, first_deck) });
    AnkiExport {
        crt,
        modified_ms: now_secs.saturating_mul(1000),
        conf_json: conf.to_string(),
        models_json: models.to_string(),
        decks_json: serde_json::Value::Object(decks_json).to_string(),
        dconf_json: dconf_json().to_string(),
        notes,
        cards,
        revlog,
    }
}

/// Writes a package into `out` (a fresh, seekable file): the collection as
/// `collection.anki2` and an empty media list, zipped. `shown` names the output in messages;
/// where the file goes is `crate::output`'s business.
pub fn write_package(
    out: &mut File,
    shown: &Path,
    export: &crate::store::apkg::AnkiExport,
) -> Result<()> {
    // The same locked scratch folder as a package import: one killed here is swept away
    // by the next package import or export.
    let dir = super::apkg_zip::Scratch::new()?;
    let collection = dir.path().join("collection.anki2");
    crate::store::apkg::write_collection(&collection, export)?;
    let zip_error = |e: zip::result::ZipError| {
        Error::failed(format!("cannot write the package {}: {e}", shown.display()))
    };
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("collection.anki2", options)
        .map_err(zip_error)?;
    let mut input = File::open(&collection).map_err(|e| Error::io("read", &collection, e))?;
    std::io::copy(&mut input, &mut zip).map_err(|e| Error::io("write", shown, e))?;
    zip.start_file("media", options).map_err(zip_error)?;
    zip.write_all(b"{}")
        .map_err(|e| Error::io("write", shown, e))?;
    zip.finish().map_err(zip_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_map_jargon_notes_and_others_fall_back_to_the_first_two() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let own = field_map(&names(&NOTETYPE_FIELDS));
        assert_eq!(own.len(), 7);
        assert_eq!(own[6], Some(super::super::csv::Field::Key));
        let other = field_map(&names(&["Expression", "Meaning", "Reading"]));
        assert_eq!(other[0], Some(super::super::csv::Field::Term));
        assert_eq!(other[1], Some(super::super::csv::Field::Definition));
        assert_eq!(other[2], None);
    }

    #[test]
    fn exported_revlog_intervals_use_anki_units() {
        let mut state = CardState::new_card();
        assert_eq!(revlog_interval(&state), 0);
        state.phase = Phase::Learning;
        state.interval_days = 1;
        assert_eq!(revlog_interval(&state), -86_400);
        state.phase = Phase::Review;
        state.interval_days = 12;
        assert_eq!(revlog_interval(&state), 12);
    }

    #[test]
    fn derived_guids_are_stable_and_differ_by_deck_and_key() {
        assert_eq!(derived_guid("A", "k"), derived_guid("A", "k"));
        assert_ne!(derived_guid("A", "k"), derived_guid("B", "k"));
        assert_ne!(derived_guid("A", "k"), derived_guid("A", "l"));
        assert!(derived_guid("A", "k").starts_with("jargon-"));
    }
}
