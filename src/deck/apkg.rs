//! Anki packages (`.apkg`, also `.colpkg`): a zip holding an Anki collection in SQLite, as
//! `collection.anki21b` (zstd-compressed, current Anki), `collection.anki21` or
//! `collection.anki2` (legacy), preferred in that order, with numbered media files.
//!
//! Reading is defensive: the zip in [`super::apkg_zip`] (entry names, sizes, duplicates, a
//! private scratch copy of the collection), its SQL in `store::anki` (only real tables with the
//! expected columns, bounded; this module reads its rows through the [`AnkiRows`] it is
//! given, never the store itself), its encodings in [`super::apkg_collection`], its numbers in [`super::apkg_numbers`] (each within the type
//! Anki gives it, instants plausible). A truncated or corrupt zip, or a collection that is not
//! SQLite, is refused with the package and entry named. The notes are converted one at a time
//! as SQLite reads them ([`Converter`]); cards and review log rows are held, sorted, and found
//! per note by binary search.
//!
//! What carries over (documented in `decks/README.md`):
//! - Notes: the type jargon's own packages carry becomes `vocab` notes (fields mapped by
//!   name); any other note keeps its type ([`super::apkg_notetypes`]: Anki's stock types by
//!   name and fields, any other kept whole with its id, templates and CSS), its guid, tags and
//!   its fields as HTML, byte for byte. A note none of whose cards jargon can keep is skipped
//!   with a warning.
//! - Cards: one jargon card per Anki card, at its ordinal (template, or cloze number - 1;
//!   ordinals past 63 are left out and counted).
//! - Scheduling: phase from the card type; review due days count from the collection's
//!   creation day and land on the same calendar day; a card in an intraday learning step
//!   (queue 1) stays due at its instant; ease from the factor;
//!   suspended stays suspended; buried cards are buried until tomorrow. jargon's SM-2 needs a
//!   repetition count Anki does not keep: a review card gets at least 2, so its next interval
//!   grows from the Anki interval by the ease.
//! - FSRS: a card's memory state comes from its `data` (`s`, `d`), and a review row's
//!   `factor` of 100 to 1100 is a difficulty ([`FSRS_DIFFICULTY_FACTORS`]), never an ease.
//!   Each card and row says so itself: a package does not carry Anki's `fsrs` setting.
//! - Review log: every answer (buttons 1-4) becomes an `import` row with the state Anki
//!   recorded after it; the last row carries the card's imported state, so `jargon check`
//!   passes. Manual reschedulings (button 0) are not answers and are left out. A card with
//!   scheduling but no review log gets one synthetic `import` row (duration 0) dated at the
//!   card's last modification, carrying its state.
//! - Media files: an import stores them in the media folder beside the collection
//!   ([`each_media`], read by [`super::apkg_media`]); a dry run counts them
//!   ([`Loaded::media_skipped`]).
//!
//! Writing a package (an export) is [`super::apkg_export`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::apkg_numbers::Checker;
use super::{DeckInput, Loaded, NoteInput};
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::model::NoteFields;
use crate::records::anki::{
    AnkiCard, AnkiCollection, AnkiNote, AnkiNotetype, AnkiReview, AnkiRows, OpenAnki,
};
use crate::records::import::{CardHistory, ImportedAnswer};
use crate::scheduler::{
    Answer, CardState, Due, INITIAL_EASE_PERMILLE, MINIMUM_EASE_PERMILLE, MemoryState, Phase,
};

pub use super::apkg_export::{ExportSource, build_export, media_names, write_package};
use super::apkg_media;
pub use super::apkg_zip::ENTRY_LIMIT;
use super::apkg_zip::{Scratch, extract_collection, open_archive};
use crate::media::Budget;

/// Loads a package with the default entry size limit, its collection read by what `anki`
/// opens: every note held, with the histories of its cards.
pub fn load(path: &Path, clock: &Clock, anki: &dyn OpenAnki) -> Result<Loaded> {
    let package = Package::open(path, ENTRY_LIMIT)?;
    let rows = package.rows(anki)?;
    let mut decks: Vec<DeckInput> = vec![];
    let mut deck_index: HashMap<String, usize> = HashMap::new();
    // (deck index, note index in deck, histories of its cards)
    let mut pending: Vec<(usize, usize, Vec<CardHistory>)> = vec![];
    let warnings = package.read(&*rows, clock, |converted| {
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

/// Hands over the media files of the package at `path` one at a time, each at most what
/// `budget` allows when it comes (`each` stores it and charges the budget), in the media
/// map's order; stops at the first error. The package is current (a protobuf map, zstd
/// files) when it holds `collection.anki21b`, the collection an import reads first. Returns
/// the warnings: a name the map lists twice, a file the map names that the package lacks.
pub fn each_media(
    path: &Path,
    budget: &mut Budget,
    mut each: impl FnMut(&str, &[u8], &mut Budget) -> Result<()>,
) -> Result<Vec<String>> {
    let mut archive = open_archive(path)?;
    let current = archive.index_for_name("collection.anki21b").is_some();
    let (entries, mut warnings) = apkg_media::map(path, &mut archive, current)?;
    for entry in &entries {
        match apkg_media::read(path, &mut archive, entry, current, budget)? {
            Some(bytes) => each(&entry.name, &bytes, budget)?,
            None => warnings.push(format!(
                "the media map names '{}' as entry {}, which the package lacks; notes referencing it will miss it",
                entry.name.escape_debug(),
                entry.zip_name
            )),
        }
    }
    Ok(warnings)
}

/// A package opened and checked, its collection copied to a private scratch file, ready to
/// be read note by note ([`Package::read`]).
pub struct Package<'p> {
    path: &'p Path,
    _scratch: Scratch,
    file: PathBuf,
    entry: &'static str,
    /// Media files in the package (its numbered entries).
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

    /// The package's collection opened by `anki` (the store's reader, `store::anki::Opener`),
    /// for [`Package::read`] and [`AnkiRows::note_count`].
    pub fn rows(&self, anki: &dyn OpenAnki) -> Result<Box<dyn AnkiRows + 'p>> {
        anki.open(&self.file, self.path, self.entry)
    }

    /// Reads the package from `rows` (its collection, [`Package::rows`]): checks every number of its cards and review log, then hands over
    /// its notes one at a time, in the notes table's order, converted with their cards'
    /// histories; stops at the first error `each` returns. Returns the warnings (what was
    /// left out).
    ///
    /// Only the cards' and review rows' keys are held (a note id or card id and a rowid, 16
    /// bytes a row, sorted): a note's cards, and their log, are fetched by rowid as the note
    /// comes.
    pub fn read(
        &self,
        reader: &dyn AnkiRows,
        clock: &Clock,
        mut each: impl FnMut(Converted) -> Result<()>,
    ) -> Result<Vec<String>> {
        let collection =
            super::apkg_collection::collection_of(reader.tables()?, self.path, self.entry)?;
        let checker = Checker::new(self.path, self.entry);
        checker.collection(&collection)?;
        // (note id, rowid) of every card, and (card id, rowid) of every review.
        let mut cards: Vec<(i64, i64)> = vec![];
        reader.each_card(&mut |rowid, card| {
            checker.card(card)?;
            cards.push((card.note_id, rowid));
            Ok(())
        })?;
        cards.sort_unstable();
        let mut revlog: Vec<(i64, i64)> = vec![];
        reader.each_review(&mut |rowid, review| {
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
        reader.each_note(&mut |note| {
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
pub(crate) fn field_text(html: &str) -> String {
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

/// The `factor` values of a review log row that hold FSRS's difficulty, not an ease. Anki
/// writes `((d - 1) / 9 + 0.1) x 1000` there when the card has a memory state (a difficulty
/// of 1 to 10 gives 100 to 1100); an SM-2 ease is never below 1300 (Anki's own rule in
/// `rslib/src/scheduler/fsrs/memory_state.rs`: a factor of at most 1.1 is a difficulty).
pub const FSRS_DIFFICULTY_FACTORS: std::ops::RangeInclusive<i64> = 100..=1100;

/// FSRS's difficulty (1 to 10) from a review log row's `factor` in an FSRS collection.
pub fn difficulty_of_factor(factor: i64) -> Option<f32> {
    FSRS_DIFFICULTY_FACTORS
        .contains(&factor)
        .then(|| (factor as f32 / 1000.0 - 0.1) * 9.0 + 1.0)
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
/// learning: this tells them apart by size (day numbers stay far below a billion). An
/// intraday step stays due at its instant, as in Anki.
fn due_of(due: i64, crt_day: i64) -> Due {
    if due > 1_000_000_000 {
        Due::At(due)
    } else {
        Due::Day(crt_day + due)
    }
}

/// The card's state as jargon keeps it.
fn card_state(card: &AnkiCard, streak: u32, crt_day: i64) -> CardState {
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
            due: due_of(due_value, crt_day),
            interval_days: days(card.interval),
            ease_permille,
            repetitions: 0,
            lapses,
            step: 0,
            memory: None,
        },
        2 => CardState {
            phase: Phase::Review,
            due: Due::Day(crt_day + due_value),
            interval_days: days(card.interval).max(1),
            ease_permille,
            repetitions: streak.max(2),
            lapses,
            step: 0,
            memory: None,
        },
        3 => CardState {
            phase: Phase::Relearning,
            due: due_of(due_value, crt_day),
            interval_days: days(card.interval).max(1),
            ease_permille,
            repetitions: 0,
            lapses,
            step: 0,
            memory: None,
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
    // A row of an FSRS collection holds the card's difficulty in `factor`: the ease is
    // unchanged by it (the card's own factor, an ease, arrives with its final state).
    let ease_permille = if review.factor > 0 && difficulty_of_factor(review.factor).is_none() {
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
            memory: None,
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
            memory: None,
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
    /// Cards whose FSRS memory state in `data` was out of range.
    unusable_memory: usize,
    /// The note types kept so far, by Anki's id.
    notetypes: HashMap<i64, std::sync::Arc<crate::model::NoteTypeInput>>,
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
            unusable_memory: 0,
            notetypes: HashMap::new(),
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
        let notetype = self.collection.notetypes.get(&note.notetype_id);
        let names: Vec<String> = notetype.map(|t| t.fields.clone()).unwrap_or_default();
        let vocab =
            notetype.is_some_and(|t| super::apkg_notetypes::is_jargon_type(note.notetype_id, t));
        let mut fields = if vocab {
            note_fields(&names, &note.fields)
        } else {
            match self.rich_note(note, notetype, cards) {
                Some(fields) => fields,
                None => {
                    self.skipped_notes += 1;
                    return Ok(None);
                }
            }
        };
        if fields.term.is_empty() || (vocab && fields.definition.is_empty()) {
            self.skipped_notes += 1;
            return Ok(None);
        }
        fields.tags = note.tags.split_whitespace().map(String::from).collect();
        // A vocab note the package gives a forward card only (one jargon wrote of a review
        // log's card) keeps just that card.
        if vocab && !cards.is_empty() && !cards.iter().any(|c| c.ord == 1) {
            fields.forward_only = true;
        }
        let deck = self.home_deck(cards);
        self.give_key(&deck, &mut fields, note.id);
        fields.guid = Some(note.guid.clone())
            .filter(|g| !g.is_empty() && (!vocab || *g != derived_guid(&deck, &fields.key)));

        let mut histories = vec![];
        for card in cards {
            let direction = match (vocab, card.ord) {
                (true, 0) => 0,
                (true, 1) => 1,
                (false, ord @ 0..=63) => ord as u32,
                _ => {
                    self.extra_cards += 1;
                    continue;
                }
            };
            if let Some(history) = self.history(card, direction, log_of)? {
                histories.push(history);
            }
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

    /// A note of a type other than jargon's: its fields as written under its type, with one
    /// card per Anki card; its term and definition are the plain text of its first two fields.
    fn rich_note(
        &mut self,
        note: &AnkiNote,
        notetype: Option<&AnkiNotetype>,
        cards: &[AnkiCard],
    ) -> Option<NoteFields> {
        let anki = notetype?;
        let kept = self
            .notetypes
            .entry(note.notetype_id)
            .or_insert_with(|| super::apkg_notetypes::notetype_input(note.notetype_id, anki));
        let rich =
            super::apkg_notetypes::rich_fields(kept, &note.fields, cards.iter().map(|c| c.ord))?;
        let plain = |index: usize| {
            rich.values
                .get(index)
                .map(|v| field_text(v))
                .unwrap_or_default()
        };
        // The first field with text names the note in listings (an image alone has none).
        let term = (0..rich.values.len())
            .map(plain)
            .find(|t| !t.trim().is_empty())
            .unwrap_or_else(|| format!("note {}", note.id));
        Some(NoteFields {
            term,
            definition: plain(1),
            rich: Some(Box::new(rich)),
            ..NoteFields::default()
        })
    }

    /// The deck of a note's first card (its home deck when it is in a filtered one), or
    /// "Default".
    fn home_deck(&self, cards: &[AnkiCard]) -> String {
        let home = cards.iter().min_by_key(|c| c.ord).map(|c| {
            if c.original_deck_id != 0 {
                c.original_deck_id
            } else {
                c.deck_id
            }
        });
        home.and_then(|id| self.collection.decks.get(&id))
            .cloned()
            .unwrap_or_else(|| "Default".to_string())
    }

    /// Gives a note without a key one from its term (or its Anki id), unique in `deck`, and
    /// records the key as given.
    fn give_key(&mut self, deck: &str, fields: &mut NoteFields, note_id: i64) {
        let taken = self.keys.entry(deck.to_string()).or_default();
        if fields.key.is_empty() {
            let base = crate::text::slug(&fields.term);
            let base = if base.is_empty() {
                format!("anki-{note_id}")
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
    }

    /// One card's history: its answers with the states Anki recorded, or one synthetic
    /// answer carrying its scheduling when it has no log; `None` for a new card with
    /// nothing to carry (not suspended or buried either).
    fn history(
        &mut self,
        card: &AnkiCard,
        direction: u32,
        log_of: &mut dyn FnMut(&AnkiCard) -> Result<Vec<AnkiReview>>,
    ) -> Result<Option<CardHistory>> {
        let log = log_of(card)?;
        let mut previous = CardState::new_card();
        let mut answers = vec![];
        for review in &log {
            let Some(answer) = u8::try_from(review.ease).ok().and_then(Answer::from_rating) else {
                self.manual_rows += 1;
                continue;
            };
            let after = answer_state(review, &previous, self.clock);
            answers.push(ImportedAnswer {
                reviewed_at_ms: review.id,
                quality: answer.quality(),
                duration_ms: review.time_ms.max(0),
                after: Some(after),
            });
            previous = after;
        }
        let streak = previous.repetitions;
        let mut state = card_state(card, streak, self.crt_day);
        state.memory = self.memory_of(card, &state);
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
            return Ok(None);
        }
        Ok(Some(CardHistory {
            note: 0,
            ord: direction,
            answers,
            state: Some(state),
            suspended,
            buried,
        }))
    }

    /// The memory state Anki keeps in the card's `data` (an FSRS collection), for a card
    /// that has been answered; one out of FSRS's range is counted and left out.
    fn memory_of(&mut self, card: &AnkiCard, state: &CardState) -> Option<MemoryState> {
        let (stability, difficulty) = card.fsrs_memory?;
        let memory = MemoryState {
            stability,
            difficulty,
        };
        if state.phase == Phase::New {
            return None;
        }
        if !memory.is_usable() || !(1.0..=10.0).contains(&difficulty) {
            self.unusable_memory += 1;
            return None;
        }
        Some(memory)
    }

    /// What was left out, one sentence each.
    pub fn warnings(self) -> Vec<String> {
        let Converter {
            skipped_notes,
            extra_cards,
            manual_rows,
            unusable_memory,
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
            "{extra_cards} card(s) were left out: a note of jargon's own type has a forward and a reverse card, and a note of any other type keeps the cards of ordinals 0 to 63"
        ));
        }
        if manual_rows > 0 {
            warnings.push(format!(
                "{manual_rows} review log row(s) of manual rescheduling (no answer) were left out"
            ));
        }
        if unusable_memory > 0 {
            warnings.push(format!(
                "{unusable_memory} card(s) had an FSRS memory state out of range (stability above 0, difficulty 1 to 10) and keep none"
            ));
        }
        warnings
    }
}

/// A note's fields, from its note type's field `names` and its `\x1f`-separated values.
fn note_fields(names: &[String], values: &str) -> NoteFields {
    let values: Vec<&str> = values.split('\u{1f}').collect();
    let mut fields = NoteFields::default();
    for (index, field) in field_map(names).iter().enumerate() {
        let Some(field) = field else { continue };
        let text = field_text(values.get(index).copied().unwrap_or(""));
        set_vocab_field(&mut fields, *field, text);
    }
    fields
}

/// Puts the text of an Anki field into the vocab field it maps to: term, definition,
/// example, source and key as they are, aliases and related split at `;`. Tags and the
/// columns that are not fields (deck, guid, note type) are the caller's and left alone.
pub(crate) fn set_vocab_field(fields: &mut NoteFields, field: super::csv::Field, text: String) {
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

fn split_list(text: &str) -> Vec<String> {
    text.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_map_jargon_notes_and_others_fall_back_to_the_first_two() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let own = field_map(&names(&super::super::apkg_export::NOTETYPE_FIELDS));
        assert_eq!(own.len(), 7);
        assert_eq!(own[6], Some(super::super::csv::Field::Key));
        let other = field_map(&names(&["Expression", "Meaning", "Reading"]));
        assert_eq!(other[0], Some(super::super::csv::Field::Term));
        assert_eq!(other[1], Some(super::super::csv::Field::Definition));
        assert_eq!(other[2], None);
    }

    #[test]
    fn a_review_factor_of_100_to_1100_is_fsrs_difficulty_and_an_ease_never_is() {
        let close = |factor: i64, d: f32| {
            difficulty_of_factor(factor).is_some_and(|got| (got - d).abs() < 1e-4)
        };
        assert!(close(100, 1.0) && close(1100, 10.0));
        // Anki's own row for a card of difficulty 4.723: round(((4.723 - 1) / 9 + 0.1) x 1000).
        assert!(close(514, 4.726));
        for ease in [0, 99, 1101, 1300, 2500] {
            assert_eq!(difficulty_of_factor(ease), None, "{ease}");
        }
        let review = AnkiReview {
            id: 1_700_000_000_000,
            card_id: 1,
            ease: 3,
            interval: 4,
            last_interval: 1,
            factor: 514,
            time_ms: 3000,
            kind: 1,
        };
        let clock = Clock::new(
            chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
            crate::clock::Zone::Named(chrono_tz::UTC),
            4,
        );
        let previous = CardState {
            ease_permille: 2350,
            ..CardState::new_card()
        };
        assert_eq!(answer_state(&review, &previous, &clock).ease_permille, 2350);
        let sm2 = AnkiReview {
            factor: 2650,
            ..review
        };
        assert_eq!(answer_state(&sm2, &previous, &clock).ease_permille, 2650);
    }

    #[test]
    fn derived_guids_are_stable_and_differ_by_deck_and_key() {
        assert_eq!(derived_guid("A", "k"), derived_guid("A", "k"));
        assert_ne!(derived_guid("A", "k"), derived_guid("B", "k"));
        assert_ne!(derived_guid("A", "k"), derived_guid("A", "l"));
        assert!(derived_guid("A", "k").starts_with("jargon-"));
    }
}
