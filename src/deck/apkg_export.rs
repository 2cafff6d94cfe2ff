//! Writing an Anki package: a legacy (schema 11) collection that current Anki imports, with
//! jargon's note type for `vocab` notes (term, definition, example, aliases, related, source,
//! key; a forward and a reverse template) and, for a note that came from Anki, the type it came
//! with (Anki's id, name, fields, templates, CSS, sort field and stamp) and its guid, field HTML
//! and card ordinals, so that Anki's package import takes it for the same note; the decks and
//! their parents, the cards' scheduling and the review log; and the media files the notes
//! reference, with Anki's media map. Reading one is [`super::apkg`].

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::apkg::derived_guid;
use crate::clock::Clock;
use crate::error::{Error, Result};
use crate::records::anki::{AnkiCardRow, AnkiExport, AnkiNoteRow, AnkiReview};
use crate::records::export::{ExportDeck, ExportNote, ExportReview, StoredNoteType};
use crate::scheduler::{CardState, Due, Phase};

/// The id of jargon's note type in exported packages: fixed, so every export maps onto the
/// same note type in Anki.
pub const NOTETYPE_ID: i64 = 1_735_689_600_000;

pub(super) const NOTETYPE_FIELDS: [&str; 7] = [
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

/// The Anki note type a stored type goes back as: its own id (a type jargon made, from a text
/// file, gets one of its own after [`NOTETYPE_ID`]), and its JSON with the fields and
/// templates in their order, so Anki finds the same schema.
struct RichType {
    anki_id: i64,
    sort_field: usize,
}

fn rich_notetype_json(
    stored: &StoredNoteType,
    anki_id: i64,
    now_secs: i64,
    deck_id: i64,
) -> serde_json::Value {
    let t = &stored.notetype;
    let extra = super::apkg_notetypes::Extra::parse(&stored.extra);
    let field = |ord: usize, name: &str| {
        serde_json::json!({"name": name, "ord": ord, "sticky": false, "rtl": false,
            "font": "Arial", "size": 20, "media": []})
    };
    let templates: Vec<serde_json::Value> = t
        .templates
        .iter()
        .enumerate()
        .map(|(ord, tpl)| {
            serde_json::json!({"name": tpl.name, "ord": ord, "qfmt": tpl.front, "afmt": tpl.back,
                "did": null, "bqfmt": "", "bafmt": ""})
        })
        .collect();
    // Which fields each front shows: what Anki before 2.1.28 read to know a card's fields.
    let requirements: Vec<serde_json::Value> = t
        .templates
        .iter()
        .enumerate()
        .map(|(ord, tpl)| {
            let shown: Vec<usize> = t
                .fields
                .iter()
                .enumerate()
                .filter(|(_, name)| tpl.front.contains(&format!("{name}}}}}")))
                .map(|(i, _)| i)
                .collect();
            serde_json::json!([ord, "any", shown])
        })
        .collect();
    serde_json::json!({
        "id": anki_id,
        "name": t.name,
        "type": if t.is_cloze() { 1 } else { 0 },
        "mod": if extra.modified > 0 { extra.modified } else { now_secs },
        "usn": -1,
        "sortf": extra.sort_field.min(t.fields.len().saturating_sub(1)),
        "did": deck_id,
        "tmpls": templates,
        "flds": t.fields.iter().enumerate().map(|(i, n)| field(i, n)).collect::<Vec<_>>(),
        "css": t.css,
        "latexPre": "\\documentclass[12pt]{article}\n\\special{papersize=3in,5in}\n\\usepackage{amssymb,amsmath}\n\\pagestyle{empty}\n\\setlength{\\parindent}{0in}\n\\begin{document}\n",
        "latexPost": "\\end{document}",
        "latexsvg": false,
        "req": requirements,
        "tags": [],
        "vers": []
    })
}

/// The Anki types of the stored types the notes use, by jargon type id, and the models JSON
/// (jargon's own type always among them).
fn export_notetypes(
    source: &ExportSource,
    now_secs: i64,
    deck_id: i64,
) -> (
    HashMap<i64, RichType>,
    serde_json::Map<String, serde_json::Value>,
) {
    let mut models = serde_json::Map::new();
    models.insert(NOTETYPE_ID.to_string(), notetype_json(now_secs, deck_id));
    let used: BTreeSet<i64> = source.notes.iter().map(|n| n.note.notetype_id).collect();
    let mut types = HashMap::new();
    for stored in source.notetypes {
        if stored.id == crate::model::VOCAB_NOTETYPE || !used.contains(&stored.id) {
            continue;
        }
        let anki_id = stored.anki_id.unwrap_or(NOTETYPE_ID + stored.id);
        models.insert(
            anki_id.to_string(),
            rich_notetype_json(stored, anki_id, now_secs, deck_id),
        );
        let sort_field = super::apkg_notetypes::Extra::parse(&stored.extra).sort_field;
        types.insert(
            stored.id,
            RichType {
                anki_id,
                sort_field,
            },
        );
    }
    (types, models)
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
    pub decks: &'a [ExportDeck],
    pub notes: &'a [ExportNote],
    /// The stored types of the notes that are not `vocab` (others are ignored).
    pub notetypes: &'a [StoredNoteType],
    pub cards: &'a [crate::model::Card],
    pub reviews: &'a [ExportReview],
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

/// Anki's revlog interval after an answer given at `at` (unix seconds): days for a review
/// card, negative seconds to the next step for a (re)learning card (a step due on a day
/// counts whole days).
fn revlog_interval(state: &CardState, at: i64) -> i64 {
    match (state.phase, state.due) {
        (Phase::New, _) => 0,
        (Phase::Review, _) => i64::from(state.interval_days),
        (Phase::Learning | Phase::Relearning, Due::At(due)) => -(due - at).max(1),
        (Phase::Learning | Phase::Relearning, _) => -i64::from(state.interval_days) * 86_400,
    }
}

/// A card's `data` as Anki keeps it: FSRS's memory state as `{"s": stability, "d":
/// difficulty}` (each `f32` written in its shortest exact form, so Anki reads the same
/// numbers), or empty for a card without one. Anki takes the desired retention and the last
/// review time from its own settings and the log when `dr` and `lrt` are absent.
fn card_data(state: &CardState) -> String {
    match state.memory {
        Some(m) if m.is_usable() => format!("{{\"s\":{},\"d\":{}}}", m.stability, m.difficulty),
        _ => String::new(),
    }
}

/// A review row's `factor` as Anki writes it: in an FSRS answer (the card has a memory state
/// after it) the difficulty, `((d - 1) / 9 + 0.1) x 1000` (100 to 1100), otherwise the ease.
fn revlog_factor(after: &CardState) -> i64 {
    match after.memory {
        Some(m) if m.is_usable() => {
            let shifted = (m.difficulty.clamp(1.0, 10.0) - 1.0) / 9.0 + 0.1;
            // 100 to 1100 after the clamp: the cast cannot overflow.
            (shifted * 1000.0).round() as i64
        }
        _ => i64::from(after.ease_permille),
    }
}

/// Builds the Anki collection for an export; `clock` gives today (for burying) and the study
/// days.
pub fn build_export(source: ExportSource, clock: &Clock) -> AnkiExport {
    let today = clock.today();
    let now_secs = clock.now().timestamp();
    let crt_day = first_day(&source, today);
    let (deck_ids, decks_json) = export_decks(source.decks, now_secs);
    let first_deck = source
        .decks
        .first()
        .and_then(|d| deck_ids.get(&d.name).copied())
        .unwrap_or(1);
    let (types, models) = export_notetypes(&source, now_secs, first_deck);
    let (notes, note_ids) = export_notes(source.notes, &deck_ids, &types);
    let (cards, card_ids) = export_cards(&source, &note_ids, crt_day, today, now_secs);
    let revlog = export_revlog(source.reviews, &card_ids);
    let next_position = source.cards.iter().map(|c| c.position).max().unwrap_or(0) + 1;
    let conf = serde_json::json!({
        "activeDecks": [1], "curDeck": 1, "newSpread": 0, "collapseTime": 1200, "timeLim": 0,
        "estTimes": true, "dueCounts": true, "curModel": NOTETYPE_ID.to_string(),
        "nextPos": next_position, "sortType": "noteFld", "sortBackwards": false,
        "addToCur": true, "schedVer": 2
    });
    let models = serde_json::Value::Object(models);
    AnkiExport {
        crt: clock.day_start(crt_day).timestamp(),
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

/// The collection's first day: no due day or review falls before it.
fn first_day(source: &ExportSource, today: i64) -> i64 {
    let mut crt_day = today;
    for card in source.cards {
        if let Due::Day(d) = card.state.due {
            crt_day = crt_day.min(d);
        }
    }
    for review in source.reviews {
        crt_day = crt_day.min(review.review.day);
    }
    crt_day
}

/// The decks with every parent of a sub-deck (Anki shows the tree from them): each name's
/// Anki id, and the decks as Anki's JSON (with its own "Default").
fn export_decks(
    decks: &[ExportDeck],
    now_secs: i64,
) -> (
    HashMap<String, i64>,
    serde_json::Map<String, serde_json::Value>,
) {
    let mut deck_ids: HashMap<String, i64> = HashMap::new();
    let mut decks_json = serde_json::Map::new();
    decks_json.insert("1".into(), deck_json(1, "Default", "", now_secs));
    let mut next_deck_id = 1_700_000_000_000_i64;
    for deck in decks {
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
    (deck_ids, decks_json)
}

/// The notes as Anki's rows, with ids from their creation time, far enough apart that a
/// note's cards can be nid + ord; and each jargon note id's (Anki note id, Anki deck id). A
/// note of a kept Anki type goes back under that type with its field HTML as stored; a vocab
/// note under jargon's type, its text as HTML.
fn export_notes(
    source: &[ExportNote],
    deck_ids: &HashMap<String, i64>,
    types: &HashMap<i64, RichType>,
) -> (Vec<AnkiNoteRow>, HashMap<i64, (i64, i64)>) {
    let mut notes = Vec::with_capacity(source.len());
    let mut note_ids: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut order: Vec<&ExportNote> = source.iter().collect();
    order.sort_by_key(|n| (n.created_at, n.note.id));
    let mut next_free = 0_i64;
    for n in order {
        let id = (n.created_at.saturating_mul(1000)).max(next_free);
        let f = &n.note.fields;
        let deck_id = deck_ids.get(&n.note.deck).copied().unwrap_or(1);
        note_ids.insert(n.note.id, (id, deck_id));
        let tags = super::export::tags_field(&f.tags);
        let tags = if tags.is_empty() {
            String::new()
        } else {
            format!(" {tags} ")
        };
        let guid = f
            .guid
            .clone()
            .unwrap_or_else(|| derived_guid(&n.note.deck, &f.key));
        let row = match types.get(&n.note.notetype_id) {
            Some(t) => {
                let text = |i: usize| {
                    n.note
                        .values
                        .get(i)
                        .map(|v| super::html::to_text(v))
                        .unwrap_or_default()
                };
                // A note's cards are nid + ord: the next note starts past its highest ord.
                let span = 64 - i64::from(f.rich.as_ref().map_or(1, |r| r.cards).leading_zeros());
                next_free = id + span.max(1);
                AnkiNoteRow {
                    id,
                    guid,
                    notetype_id: t.anki_id,
                    modified: n.modified_at,
                    tags,
                    fields: n.note.values.join("\u{1f}"),
                    sort_field: text(t.sort_field),
                    checksum: checksum(&text(0)),
                }
            }
            None => {
                next_free = id + 2;
                let fields = [
                    f.term.clone(),
                    f.definition.clone(),
                    f.example.clone(),
                    f.aliases.join("; "),
                    f.related.join("; "),
                    f.source.clone(),
                    f.key.clone(),
                ];
                AnkiNoteRow {
                    id,
                    guid,
                    notetype_id: NOTETYPE_ID,
                    modified: n.modified_at,
                    tags,
                    fields: fields
                        .iter()
                        .map(|t| field_html(t))
                        .collect::<Vec<_>>()
                        .join("\u{1f}"),
                    sort_field: f.term.clone(),
                    checksum: checksum(&f.term),
                }
            }
        };
        notes.push(row);
    }
    (notes, note_ids)
}

/// The media files the notes reference (in fields of kept Anki types; vocab fields are text),
/// each name once, sorted.
pub fn media_names(notes: &[ExportNote]) -> Vec<String> {
    let mut names = BTreeSet::new();
    for n in notes {
        for value in &n.note.values {
            names.extend(crate::media::references(value));
        }
    }
    names.into_iter().collect()
}

/// The cards of the exported notes as Anki's rows (suspended and buried kept), and each
/// jargon card id's Anki card id.
fn export_cards(
    source: &ExportSource,
    note_ids: &HashMap<i64, (i64, i64)>,
    crt_day: i64,
    today: i64,
    now_secs: i64,
) -> (Vec<AnkiCardRow>, HashMap<i64, i64>) {
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
        let ord = i64::from(card.ord);
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
            // Anki gives a card its ease when it graduates: none while first learning.
            factor: if new || kind == 1 {
                0
            } else {
                i64::from(card.state.ease_permille)
            },
            reps: reps.get(&card.id).copied().unwrap_or(0),
            lapses: i64::from(card.state.lapses),
            left: if kind == 1 || kind == 3 { 1 } else { 0 },
            data: card_data(&card.state),
        });
    }
    (cards, card_ids)
}

/// The review log of the exported cards as Anki's rows, in time order, ids unique by
/// nudging equal instants a millisecond apart.
fn export_revlog(reviews: &[ExportReview], card_ids: &HashMap<i64, i64>) -> Vec<AnkiReview> {
    let mut revlog = Vec::with_capacity(reviews.len());
    let mut last_intervals: HashMap<i64, i64> = HashMap::new();
    let mut last_ms = i64::MIN;
    for row in reviews {
        let r = &row.review;
        let Some(&card_id) = card_ids.get(&r.card_id) else {
            continue;
        };
        let id = r.reviewed_at_ms.max(last_ms + 1);
        last_ms = id;
        let kind = match (r.kind, r.before.phase) {
            (crate::scheduler::replay::ReviewKind::Cram, _) => 3,
            // A due date moved, not an answer: Anki's "manual" row, no button.
            (crate::scheduler::replay::ReviewKind::Reschedule, _) => 4,
            (_, Phase::New | Phase::Learning) => 0,
            (_, Phase::Review) => 1,
            (_, Phase::Relearning) => 2,
        };
        // Anki's last interval is the interval the card's previous row gave it.
        let interval = revlog_interval(&r.after, r.reviewed_at_ms.div_euclid(1000));
        let last_interval = last_intervals.insert(card_id, interval).unwrap_or(0);
        revlog.push(AnkiReview {
            id,
            card_id,
            ease: if kind == 4 {
                0
            } else {
                i64::from(r.quality.rating())
            },
            interval,
            last_interval,
            factor: revlog_factor(&r.after),
            time_ms: r.duration_ms,
            kind,
        });
    }
    revlog.sort_by_key(|r| r.id);
    revlog
}

/// Writes a package into `out` (a fresh, seekable file): the collection as
/// `collection.anki2` (`write_collection` writes it, as SQLite, to the path it is given: the
/// store's `store::apkg::write_collection` with the [`AnkiExport`] [`build_export`] made), then
/// each media file as a numbered entry ("0", "1", ...) and the media
/// map naming them (`{"0": "name"}`). `media` holds (name in the notes, file to read); a file
/// that cannot be read fails the export, naming it. `shown` names the output in messages;
/// where the file goes is `crate::output`'s business.
pub fn write_package(
    out: &mut File,
    shown: &Path,
    write_collection: impl FnOnce(&Path) -> Result<()>,
    media: &[(String, PathBuf)],
) -> Result<()> {
    // The same locked scratch folder as a package import: one killed here is swept away
    // by the next package import or export.
    let dir = super::apkg_zip::Scratch::new()?;
    let collection = dir.path().join("collection.anki2");
    write_collection(&collection)?;
    let zip_error = |e: zip::result::ZipError| {
        Error::failed(format!("cannot write the package {}: {e}", shown.display()))
    };
    let mut zip = zip::ZipWriter::new(out);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(false);
    zip.start_file("collection.anki2", options)
        .map_err(zip_error)?;
    let mut input = File::open(&collection).map_err(|e| Error::io("read", &collection, e))?;
    std::io::copy(&mut input, &mut zip).map_err(|e| Error::io("write", shown, e))?;
    let mut map = serde_json::Map::new();
    for (number, (name, path)) in media.iter().enumerate() {
        let mut input = File::open(path).map_err(|e| Error::io("read", path, e))?;
        let large = input
            .metadata()
            .map_err(|e| Error::io("read", path, e))?
            .len()
            >= u64::from(u32::MAX);
        zip.start_file(number.to_string(), options.large_file(large))
            .map_err(zip_error)?;
        std::io::copy(&mut input, &mut zip).map_err(|e| Error::io("write", shown, e))?;
        map.insert(number.to_string(), serde_json::Value::String(name.clone()));
    }
    zip.start_file("media", options).map_err(zip_error)?;
    zip.write_all(serde_json::Value::Object(map).to_string().as_bytes())
        .map_err(|e| Error::io("write", shown, e))?;
    zip.finish().map_err(zip_error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exported_revlog_intervals_use_anki_units() {
        let mut state = CardState::new_card();
        assert_eq!(revlog_interval(&state, 1_000), 0);
        state.phase = Phase::Learning;
        state.interval_days = 1;
        state.due = Due::Day(20_000);
        assert_eq!(revlog_interval(&state, 1_000), -86_400);
        state.due = Due::At(1_600);
        assert_eq!(
            revlog_interval(&state, 1_000),
            -600,
            "ten minutes to the next step"
        );
        state.phase = Phase::Review;
        state.interval_days = 12;
        assert_eq!(revlog_interval(&state, 1_000), 12);
    }
}
