//! The replay after a merge: each card that gained answers is its merged log worked out again
//! in the merge's order, through the scheduler and settings each answer was made with, its
//! fuzz drawn from the note's seed (the same on every device).
//!
//! Most merges only add answers later than every answer a card had. Such answers are
//! written once, with their states ([`place`]): worked out from a new card, or from the last
//! row's state, reading of the earlier answers only what the scheduler needs (FSRS folds them
//! all for a card with no memory state and otherwise reads the last one's day; SM-2 and
//! Anki's rules need none). A card whose new answers sort among its old ones, whose seed
//! changed, or whose scheduler changes along the way gets its rows with placeholders, and is
//! then replayed whole from a new card ([`replay_cards`]): rows whose states changed are
//! rewritten, and the card takes the last one.

use std::collections::{BTreeSet, HashMap};

use crate::error::Result;
use crate::records::sync::{LogRow, MergedAnswer};
use crate::scheduler::replay::{LoggedAnswer, Rederived, ReviewKind, rederive, rederive_from};
use crate::scheduler::{CardState, Quality, SchedulerKind, Settings};
use crate::store::sync::SyncTx;
use crate::store::sync::log::{merge_key, order_key};

/// Settings bodies read once: most answers share a few.
pub type Parsed = HashMap<String, Option<Settings>>;

/// Replays `cards`, whose new rows have ids from `first_new_id` on; those in `whole` (their
/// seed changed) are replayed from a new card. Returns how many were replayed. A card with
/// an answer this build cannot replay (a scheduler or settings from a newer jargon) keeps its
/// rows as they are.
pub fn replay_cards(
    tx: &SyncTx<'_>,
    cards: &BTreeSet<i64>,
    whole: &BTreeSet<i64>,
    first_new_id: i64,
) -> Result<u64> {
    if cards.is_empty() {
        return Ok(0);
    }
    let seeds: HashMap<i64, i64> = tx.seeds()?;
    let mut parsed = Parsed::new();
    let mut replayed = 0;
    for &card_id in cards {
        let fuzz_id = fuzz_id(&seeds, card_id);
        let done = if whole.contains(&card_id) {
            false
        } else {
            go_on(tx, card_id, fuzz_id, first_new_id, &mut parsed)?
        };
        if done || replay_whole(tx, card_id, fuzz_id, &mut parsed)? {
            replayed += 1;
        }
    }
    Ok(replayed)
}

/// Gives each of `cards` (whose state this merge stored), when its log now ends under another
/// scheduler than this machine's `active` one (answers from a machine on another scheduler),
/// the state a switch here would leave (`scheduler::convert::switched`), as every card here
/// is kept: the next answer here and `check` go on from it. The rows keep the states their
/// own schedulers gave. A card whose log this build cannot replay keeps its state.
pub fn convert_to_active(
    tx: &SyncTx<'_>,
    active: SchedulerKind,
    cards: &BTreeSet<i64>,
) -> Result<u64> {
    let mut seeds: Option<HashMap<i64, i64>> = None;
    let mut parsed = Parsed::new();
    let mut converted = 0;
    for &card_id in cards {
        let Some(last) = tx.last_scheduler(card_id)? else {
            continue;
        };
        if SchedulerKind::parse(&last).is_ok_and(|kind| kind == active) {
            continue;
        }
        let log = tx.card_log(card_id)?;
        let mut entries = Vec::with_capacity(log.len());
        for row in &log {
            let Some(entry) = logged(row, &mut parsed) else {
                break;
            };
            entries.push(entry);
        }
        let (Some(last_row), true) = (log.last(), entries.len() == log.len()) else {
            continue;
        };
        let seeds = match &seeds {
            Some(seeds) => seeds,
            None => seeds.insert(tx.seeds()?),
        };
        let fuzz_id = fuzz_id(seeds, card_id);
        if let Ok(state) =
            crate::scheduler::convert::switched(fuzz_id, &entries, active, &last_row.after)
        {
            tx.set_card_state(card_id, &state)?;
            converted += 1;
        }
    }
    tx.take_state_writes();
    Ok(converted)
}

/// The id a card's fuzz is drawn from: as if its note's id were the note's seed (note id ->
/// seed in `seeds`), or its own when the note has none.
pub fn fuzz_id(seeds: &HashMap<i64, i64>, card_id: i64) -> i64 {
    match seeds.get(&crate::model::note_of_card(card_id)) {
        Some(&seed) => crate::model::card_id(seed, crate::model::ord_of_card(card_id)),
        None => card_id,
    }
}

/// An answer read from another device, not yet in the log.
#[derive(Debug, Clone)]
pub struct NewAnswer {
    pub answer: MergedAnswer,
    /// Its settings: an index into the merge's [`SettingsTable`].
    pub settings: usize,
}

/// The settings bodies a merge met: each one's `scheduler_settings` row and what this build
/// reads in it (None: a newer jargon's settings, which cannot be replayed here).
pub type SettingsTable = Vec<(i64, Option<Settings>)>;

/// A card's last row as a merge wrote it ([`place`]): what the next new answers of the
/// card need of it, so that writing them reads nothing back. The card's state in the store
/// is left for the merge to write once, from `after`.
#[derive(Debug, Clone)]
pub struct Tail {
    pub review_id: i64,
    pub answer: NewAnswer,
    pub after: CardState,
}

/// Writes a card's new answers (in the merge's order) into its log, each row once with the
/// states the replay gives it, when that can be worked out here: the card has no answers
/// yet, or all of them sort after its last one under one scheduler (then the new rows go on
/// from the last one's state, as [`go_on`] does). `tail` is the card's last row when this
/// merge wrote it (None: read from the store). Returns the card's new tail, whose `after`
/// is the card's state (not yet stored), or None when the rows went in with placeholders,
/// for the caller to replay the card whole.
pub fn place(
    tx: &SyncTx<'_>,
    card_id: i64,
    fuzz_id: i64,
    new: &[NewAnswer],
    table: &SettingsTable,
    parsed: &mut Parsed,
    tail: Option<&Tail>,
) -> Result<Option<Tail>> {
    if tail.is_none() {
        tx.materialize(card_id)?;
    }
    let states = match worked_out(tx, card_id, fuzz_id, new, table, parsed, tail)? {
        Some(states) if states.len() == new.len() => Some(states),
        _ => None,
    };
    let mut review_id = 0;
    for (index, row) in new.iter().enumerate() {
        let (settings_id, settings) = table.get(row.settings).copied().unwrap_or_default();
        let state = states.as_ref().map(|s| &s[index]);
        let settings = settings.unwrap_or_default();
        review_id = tx.insert_merged_answer(card_id, &row.answer, settings_id, &settings, state)?;
    }
    match (states.as_ref().and_then(|s| s.last()), new.last()) {
        (Some(state), Some(answer)) => Ok(Some(Tail {
            review_id,
            answer: answer.clone(),
            after: state.after,
        })),
        _ => Ok(None),
    }
}

/// The states of a card's new answers, or None when they cannot be worked out without the
/// whole log.
fn worked_out(
    tx: &SyncTx<'_>,
    card_id: i64,
    fuzz_id: i64,
    new: &[NewAnswer],
    table: &SettingsTable,
    parsed: &mut Parsed,
    tail: Option<&Tail>,
) -> Result<Option<Vec<Rederived>>> {
    let mut entries: Vec<LoggedAnswer> = Vec::with_capacity(new.len() + 1);
    let Some(first_new) = new.first() else {
        return Ok(None);
    };
    let first_key = order_key(
        first_new.answer.order_ms,
        Some(&first_new.answer.gid),
        i64::MAX,
    );
    // The last row: (its id, its key, its scheduler, its state after, it as an entry).
    let last = match tail {
        Some(tail) => {
            let answer = &tail.answer.answer;
            let Some(entry) = new_entry(&tail.answer, table) else {
                return Ok(None);
            };
            let key = order_key(answer.order_ms, Some(&answer.gid), tail.review_id);
            (
                tail.review_id,
                key,
                answer.scheduler.clone(),
                tail.after,
                entry,
            )
        }
        None => {
            let Some(last) = tx.last_row(card_id)? else {
                for row in new {
                    let Some(entry) = new_entry(row, table) else {
                        return Ok(None);
                    };
                    entries.push(entry);
                }
                return Ok(rederive(fuzz_id, &entries).ok());
            };
            let Some(entry) = logged(&last, parsed) else {
                return Ok(None);
            };
            (
                last.review_id,
                merge_key(&last),
                last.scheduler.clone(),
                last.after,
                entry,
            )
        }
    };
    let (last_id, last_key, last_scheduler, last_after, last_entry) = last;
    if last_key >= first_key || new.iter().any(|row| row.answer.scheduler != last_scheduler) {
        return Ok(None);
    }
    let Ok(scheduler) = SchedulerKind::parse(&last_scheduler) else {
        return Ok(None);
    };
    if !head(tx, card_id, last_id, scheduler, &last_after, &mut entries)? {
        return Ok(None);
    }
    entries.push(last_entry);
    let start = entries.len();
    for row in new {
        let Some(entry) = new_entry(row, table) else {
            return Ok(None);
        };
        entries.push(entry);
    }
    Ok(rederive_from(fuzz_id, &entries, start, last_after).ok())
}

/// A new answer as replay reads it, or None when this build cannot replay it.
fn new_entry(row: &NewAnswer, table: &SettingsTable) -> Option<LoggedAnswer> {
    Some(LoggedAnswer {
        kind: row.answer.kind,
        quality: Quality::new(row.answer.quality).ok()?,
        day: row.answer.day,
        at: row.answer.reviewed_at_ms.div_euclid(1000),
        scheduler: SchedulerKind::parse(&row.answer.scheduler).ok()?,
        settings: table.get(row.settings)?.1?,
        after: row.answer.carried,
    })
}

/// The answers before a card's row `last_id` that the scheduler reads to go on after it:
/// for FSRS, all of them when the row has no memory state, otherwise the day of the last;
/// none for SM-2 and Anki's rules. Pushed as entries; returns false when one cannot be read.
fn head(
    tx: &SyncTx<'_>,
    card_id: i64,
    last_id: i64,
    scheduler: SchedulerKind,
    last_after: &CardState,
    entries: &mut Vec<LoggedAnswer>,
) -> Result<bool> {
    if scheduler != SchedulerKind::Fsrs {
        return Ok(true);
    }
    let answer = |quality: u8, day: i64, kind| -> Option<LoggedAnswer> {
        Some(LoggedAnswer {
            kind,
            quality: Quality::new(quality).ok()?,
            day,
            at: 0,
            scheduler,
            settings: Settings::default(),
            after: CardState::new_card(),
        })
    };
    if last_after.memory.is_none() {
        for row in tx.card_log_head(card_id, last_id)? {
            let Some(entry) = answer(row.quality, row.day, row.kind) else {
                return Ok(false);
            };
            entries.push(entry);
        }
    } else if let Some((quality, day)) = tx.last_answer_before(card_id, last_id)? {
        let Some(entry) = answer(quality, day, ReviewKind::Schedule) else {
            return Ok(false);
        };
        entries.push(entry);
    }
    Ok(true)
}

/// The fast path: when every new row sorts after the card's last old row, in id order, under
/// one scheduler, works out the new rows from that row's state. The old rows are in the
/// merge's order by id (every merge keeps them so, renumbering where needed, and a device's
/// own answers are made in that order), so the last by id is the latest. The answers before
/// it are read only as far as the scheduler needs them: FSRS folds them all for a card with
/// no memory state and otherwise reads the last one's day; SM-2 and Anki's rules need none. Returns false when the
/// fast path does not apply.
fn go_on(
    tx: &SyncTx<'_>,
    card_id: i64,
    fuzz_id: i64,
    first_new_id: i64,
    parsed: &mut Parsed,
) -> Result<bool> {
    let Some(last_old) = tx.last_row_before(card_id, first_new_id)? else {
        return Ok(false);
    };
    let tail = tx.card_log_from(card_id, last_old)?;
    let Some(first) = tail.first() else {
        return Ok(false);
    };
    if first.review_id != last_old
        || tail.len() < 2
        || tail.iter().skip(1).any(|row| row.review_id < first_new_id)
        || !tail.windows(2).all(|w| w[0].review_id < w[1].review_id)
        || tail.iter().any(|row| row.scheduler != first.scheduler)
    {
        return Ok(false);
    }
    let Ok(scheduler) = SchedulerKind::parse(&first.scheduler) else {
        return Ok(false);
    };
    let mut entries: Vec<LoggedAnswer> = Vec::with_capacity(tail.len() + 1);
    if !head(tx, card_id, last_old, scheduler, &first.after, &mut entries)? {
        return Ok(false);
    }
    for row in &tail {
        let Some(entry) = logged(row, parsed) else {
            return Ok(false);
        };
        entries.push(entry);
    }
    let start = entries.len() - tail.len() + 1;
    let Ok(states) = rederive_from(fuzz_id, &entries, start, first.after) else {
        return Ok(false);
    };
    write(tx, card_id, &tail[1..], &states)?;
    Ok(true)
}

/// The whole log from a new card. Returns false when a row cannot be replayed here.
fn replay_whole(tx: &SyncTx<'_>, card_id: i64, fuzz_id: i64, parsed: &mut Parsed) -> Result<bool> {
    let log = tx.card_log(card_id)?;
    if log.is_empty() {
        return Ok(false);
    }
    let mut entries = Vec::with_capacity(log.len());
    for row in &log {
        let Some(entry) = logged(row, parsed) else {
            return Ok(false);
        };
        entries.push(entry);
    }
    let Ok(states) = rederive(fuzz_id, &entries) else {
        return Ok(false);
    };
    // The log is read in id order everywhere else: where an answer from another device
    // sorts before one already here, the card's rows move to new ids in the merge's order.
    let ids: Vec<i64> = log.iter().map(|row| row.review_id).collect();
    if !ids.windows(2).all(|w| w[0] < w[1]) {
        let moved = tx.renumber(&ids)?;
        for (id, state) in moved.into_iter().zip(&states) {
            tx.set_row_states(id, &state.before, &state.after, state.retrievability)?;
        }
        if let Some(last) = states.last() {
            tx.set_card_state(card_id, &last.after)?;
        }
        return Ok(true);
    }
    write(tx, card_id, &log, &states)?;
    Ok(true)
}

/// A row as replay reads it, or None when this build cannot replay it.
fn logged(row: &LogRow, parsed: &mut Parsed) -> Option<LoggedAnswer> {
    let scheduler = SchedulerKind::parse(&row.scheduler).ok()?;
    let settings = match &row.settings_body {
        Some(body) => {
            if !parsed.contains_key(body) {
                parsed.insert(body.clone(), Settings::from_body(body));
            }
            parsed.get(body).copied().flatten()?
        }
        None => Settings {
            fuzz: row.fuzz,
            maximum_interval_days: row.max_interval,
            ..Settings::default()
        },
    };
    Some(LoggedAnswer {
        kind: row.kind,
        quality: Quality::new(row.quality).ok()?,
        day: row.day,
        at: row.reviewed_at_ms.div_euclid(1000),
        scheduler,
        settings,
        after: row.after,
    })
}

/// Rewrites the rows whose states changed and gives the card the last one.
fn write(tx: &SyncTx<'_>, card_id: i64, rows: &[LogRow], states: &[Rederived]) -> Result<()> {
    for (row, state) in rows.iter().zip(states) {
        if row.before != state.before
            || row.after != state.after
            || row.retrievability != state.retrievability
        {
            tx.set_row_states(
                row.review_id,
                &state.before,
                &state.after,
                state.retrievability,
            )?;
        }
    }
    if let Some(last) = states.last() {
        tx.set_card_state(card_id, &last.after)?;
    }
    Ok(())
}
