//! Merging: every other device's new events applied in one transaction, with the cursors
//! that say how far each was read, so a stopped merge changes nothing and the next one
//! starts where this one would have. Every rule compares stamps, never arrival order, so
//! collections that read the same events in any order end the same.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

use serde_json::Value;

use super::replay::{self, NewAnswer, Parsed, SettingsTable, Tail};
use super::{Report, stamp_of, state_json};
use crate::error::Result;
use crate::records::sync::{MergedAnswer, Peer, Stamp, Stamped};
use crate::scheduler::CardState;
use crate::scheduler::replay::ReviewKind;
use crate::store::Collection;
use crate::store::sync::SyncTx;
use crate::store::sync::columns::incoming_problem;
use crate::store::sync::counts::CountsHold;
use crate::store::sync::log::order_key;
use crate::sync::device::{self, DeviceId};
use crate::sync::event::{AnswerKind, Body, Event};
use crate::sync::segment::{self, Cursor};

mod changes;

/// How much of a device's segments one read takes before its events are applied.
pub(super) const READ_BUDGET_BYTES: u64 = 8 << 20;

/// How many new answers wait in memory before they are written (about 150 bytes each).
const PENDING_ANSWERS: usize = 100_000;

/// How many cards' last rows are kept between writes (about 200 bytes each); past that,
/// their states are stored and the next write reads the rows back.
const KEPT_TAILS: usize = 100_000;

#[cfg(test)]
thread_local! {
    /// Smaller limits for a test on this thread: (pending answers, kept tails).
    pub(super) static TEST_LIMITS: std::cell::Cell<Option<(usize, usize)>> =
        const { std::cell::Cell::new(None) };
}

/// (pending answers, kept tails).
fn limits() -> (usize, usize) {
    #[cfg(test)]
    if let Some(limits) = TEST_LIMITS.with(std::cell::Cell::get) {
        return limits;
    }
    (PENDING_ANSWERS, KEPT_TAILS)
}

struct Merge<'a, 't> {
    tx: &'a SyncTx<'t>,
    now_ms: i64,
    /// Settings bodies already looked up (an index into `settings`): most answers share a
    /// few.
    settings_ids: HashMap<String, usize>,
    settings: SettingsTable,
    /// New answers not yet written, by card: at the end (or when there are many) each
    /// card's are written once, with their states worked out (see [`replay::place`]).
    pending: HashMap<i64, Vec<NewAnswer>>,
    pending_gids: HashSet<String>,
    parsed: Parsed,
    /// Cards to replay at the end (their rows were written with placeholders).
    touched: BTreeSet<i64>,
    /// The last row of each card whose new answers went in with their states: the next
    /// ones go on from it, and the card's state is stored from it once.
    tails: HashMap<i64, Tail>,
    /// The per-day counts' insert trigger, held back while answers are written.
    counts: Option<CountsHold>,
    /// Live notes by global id with the cards found to exist (a bit per ordinal), so the
    /// answers to one note look it up once. Forgotten on every event about the note.
    live_cards: HashMap<String, (i64, u64)>,
    /// Cards whose seed changed: replayed from a new card.
    reseeded: BTreeSet<i64>,
    /// This machine's scheduler, and whether a new answer was made under another one (then
    /// every card whose state was stored may need converting to it).
    active: crate::scheduler::SchedulerKind,
    other_scheduler: bool,
    report: &'a mut Report,
}

/// About how many events wait in the folder for this collection: the bytes beyond each
/// device's cursor, at about 150 bytes an event. A merge of many runs as a large write
/// ([`Collection::as_large_write`]).
pub fn waiting_events(collection: &Collection, dir: &Path, me: &DeviceId) -> Result<usize> {
    let (devices, _) = device::list_devices(dir)?;
    let cursors: HashMap<String, String> = collection
        .sync_peers()?
        .into_iter()
        .map(|p| (p.device, p.cursor))
        .collect();
    let mut bytes = 0u64;
    for seen in devices {
        if seen.device == *me {
            continue;
        }
        let cursor: Cursor = cursors
            .get(seen.device.as_str())
            .and_then(|text| serde_json::from_str(text).ok())
            .unwrap_or_default();
        bytes += segment::unread_bytes(dir, &seen.device, &cursor);
    }
    Ok(usize::try_from(bytes / 150).unwrap_or(usize::MAX))
}

pub fn merge(
    collection: &mut Collection,
    dir: &Path,
    me: &DeviceId,
    now_ms: i64,
    report: &mut Report,
) -> Result<()> {
    let started = std::time::Instant::now();
    let (devices, problems) = device::list_devices(dir)?;
    let mut seen_problems: HashSet<String> = HashSet::new();
    for problem in problems {
        let text = problem.to_string();
        if seen_problems.insert(text.clone()) {
            report.problems.push(text);
        }
    }
    let tx = collection.sync_tx()?;
    // Rows from here on are the ones this merge adds.
    let first_new_id = tx.max_review_id()? + 1;
    let mut peers: HashMap<String, Peer> = tx
        .peers()?
        .into_iter()
        .map(|p| (p.device.clone(), p))
        .collect();
    let mut merge = Merge {
        tx: &tx,
        now_ms,
        settings_ids: HashMap::new(),
        settings: SettingsTable::new(),
        pending: HashMap::new(),
        pending_gids: HashSet::new(),
        parsed: Parsed::new(),
        touched: BTreeSet::new(),
        tails: HashMap::new(),
        counts: tx.hold_counts()?,
        live_cards: HashMap::new(),
        reseeded: BTreeSet::new(),
        active: crate::config::Config::from_pairs(&tx.config_pairs()?)?.scheduler,
        other_scheduler: false,
        report,
    };
    for seen in devices {
        if seen.device == *me {
            continue;
        }
        let mut peer = peers.remove(seen.device.as_str()).unwrap_or_else(|| Peer {
            device: seen.device.to_string(),
            cursor: String::new(),
            last_seq: 0,
            last_order_ms: 0,
            last_at_ms: None,
            seen_ms: None,
            events: 0,
        });
        let mut cursor: Cursor = serde_json::from_str(&peer.cursor).unwrap_or_default();
        // Each read reports what waits beyond its cursor; the last read (which found nothing
        // new) sees all of it, so only its figure counts.
        let mut waiting: u64;
        loop {
            let batch = segment::read_device(dir, &seen.device, &cursor, READ_BUDGET_BYTES)?;
            for problem in &batch.problems {
                let text = problem.to_string();
                if seen_problems.insert(text.clone()) {
                    merge.report.problems.push(text);
                }
            }
            waiting = batch.waiting_bytes;
            for event in &batch.events {
                peer.last_seq = peer.last_seq.max(event.seq);
                peer.last_order_ms = peer.last_order_ms.max(event.at_ms);
                peer.last_at_ms = Some(peer.last_at_ms.map_or(event.at_ms, |t| t.max(event.at_ms)));
                peer.seen_ms = Some(now_ms);
                peer.events += 1;
                merge.report.read += 1;
                merge.apply(event)?;
            }
            let moved = batch.cursor != cursor;
            cursor = batch.cursor;
            if !moved {
                break;
            }
        }
        merge.report.waiting_bytes += waiting;
        peer.cursor = crate::text::to_json(&cursor)
            .map_err(|e| crate::error::Error::failed(format!("a cursor cannot be kept: {e}")))?;
        tx.save_peer(&peer)?;
    }
    merge
        .report
        .timings
        .push(("read and apply events", started.elapsed()));
    let started = std::time::Instant::now();
    merge.write_pending()?;
    merge.write_tail_states()?;
    if let Some(hold) = merge.counts.take() {
        tx.release_counts(hold)?;
    }
    merge
        .report
        .timings
        .push(("write new answers", started.elapsed()));
    let touched = std::mem::take(&mut merge.touched);
    let started = std::time::Instant::now();
    let reseeded = std::mem::take(&mut merge.reseeded);
    merge.report.cards_replayed =
        super::replay::replay_cards(&tx, &touched, &reseeded, first_new_id)?;
    // A card whose new answers all went after its old rows ends under the scheduler of its
    // last new answer: when every new answer was made under this machine's, only the cards
    // replayed whole (whose last row may be an old one) can end under another.
    let stored = tx.take_state_writes();
    let may_differ = if merge.other_scheduler {
        stored
    } else {
        touched.intersection(&stored).copied().collect()
    };
    super::replay::convert_to_active(&tx, merge.active, &may_differ)?;
    merge
        .report
        .timings
        .push(("replay cards", started.elapsed()));
    let started = std::time::Instant::now();
    merge.report.parked = tx.parked_count()?;
    tx.set_last_sync(now_ms)?;
    if let Some(state) = tx.state()? {
        let max_review = tx.max_review_id()?;
        tx.save_progress(state.next_seq, state.last_order_ms, max_review)?;
    }
    tx.commit()?;
    report.timings.push(("commit", started.elapsed()));
    Ok(())
}

impl Merge<'_, '_> {
    fn apply(&mut self, event: &Event) -> Result<()> {
        let stamp = stamp_of(event);
        match &event.body {
            Body::NoteAdd(crate::sync::event::NoteAdd { note, .. })
            | Body::NoteEdit(crate::sync::event::NoteEdit { note, .. })
            | Body::NoteDelete(crate::sync::event::NoteDelete { note }) => {
                self.live_cards.remove(note);
            }
            _ => {}
        }
        match &event.body {
            Body::NoteAdd(add) => {
                self.note_add(event, add)?;
                self.unpark(&add.note)?;
            }
            Body::NoteEdit(edit) => {
                match self.tx.shadow_note(&edit.note)? {
                    None => return self.park(event, &edit.note),
                    Some(mut shadow) => {
                        let edited = BTreeMap::from([(edit.field.clone(), edit.value.clone())]);
                        let vocab = shadow.notetype == "vocab";
                        if let Some(why) = incoming_problem(&edited, vocab, None) {
                            self.skip(event, &edit.note, &why);
                        } else if shadow.deleted.is_none() {
                            let mut incoming = BTreeMap::new();
                            incoming.insert(
                                edit.field.clone(),
                                Stamped {
                                    value: edit.value.clone(),
                                    stamp,
                                },
                            );
                            self.merge_fields(&mut shadow, incoming)?;
                            self.tx.save_shadow_note(&shadow)?;
                        }
                    }
                }
                self.unpark(&edit.note)?;
            }
            Body::NoteDelete(delete) => self.note_delete(&delete.note, &stamp)?,
            Body::Answer(answer) => {
                if self.pending_gids.contains(&answer.id) || self.tx.has_answer(&answer.id)? {
                    self.report.answers_known += 1;
                    return Ok(());
                }
                let Some(note_id) = self.live_card(event, &answer.card)? else {
                    return Ok(());
                };
                let card_id = crate::model::card_id(note_id, answer.card.ord);
                let body = answer
                    .settings
                    .get("body")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let carried = answer.settings.get("after").and_then(state_json::from_json);
                let kind = review_kind(answer.kind);
                let scheduler = crate::scheduler::SchedulerKind::parse(&answer.scheduler).ok();
                // Each settings body is read once; one this build cannot read is stored only
                // when it comes from a newer format (its answers kept, not replayed here).
                let known = self.settings_ids.get(body).copied();
                let new_settings = match known {
                    Some(_) => None,
                    None => crate::scheduler::Settings::from_body(body),
                };
                let readable = match known {
                    Some(index) => self.settings[index].1.is_some(),
                    None => new_settings.is_some(),
                };
                // At our version or an older one, what this build cannot replay is damage: a
                // scheduler it does not know, settings it cannot read, an imported state it
                // could not store.
                let why = if event.version > crate::sync::event::FORMAT_VERSION {
                    None
                } else if scheduler.is_none() {
                    Some(format!(
                        "its scheduler '{}' is not one jargon knows",
                        answer.scheduler
                    ))
                } else if !readable {
                    Some("its scheduler settings do not read".to_string())
                } else if crate::store::sync::log::carries_state(kind) && carried.is_none() {
                    Some("the card state it carries cannot be stored".to_string())
                } else {
                    None
                };
                if let Some(why) = why {
                    self.report.problems.push(format!(
                        "the answer {} from device {} (event {}): {why}",
                        answer.id, event.device, event.seq
                    ));
                    return Ok(());
                }
                let carried = carried.unwrap_or_else(CardState::new_card);
                if scheduler != Some(self.active) {
                    self.other_scheduler = true;
                }
                let settings = match known {
                    Some(index) => index,
                    None => {
                        let id = self.tx.settings_id(body)?;
                        self.settings.push((id, new_settings));
                        self.settings_ids
                            .insert(body.to_string(), self.settings.len() - 1);
                        self.settings.len() - 1
                    }
                };
                self.pending_gids.insert(answer.id.clone());
                self.pending.entry(card_id).or_default().push(NewAnswer {
                    answer: MergedAnswer {
                        gid: answer.id.clone(),
                        order_ms: stamp.order_ms,
                        reviewed_at_ms: answer.reviewed_at_ms,
                        day: answer.day,
                        quality: answer.rating.min(5),
                        duration_ms: i64::try_from(answer.duration_ms).unwrap_or(i64::MAX),
                        kind,
                        scheduler: answer.scheduler.clone(),
                        carried,
                    },
                    settings,
                });
                self.report.answers_added += 1;
                if self.pending_gids.len() >= limits().0 {
                    self.write_pending()?;
                }
            }
            Body::Suspend(c) | Body::Unsuspend(c) => {
                let suspended = matches!(event.body, Body::Suspend(_));
                self.card_flag(event, &c.card.note, c.card.ord, &stamp, |card| {
                    if card
                        .suspend_stamp
                        .as_ref()
                        .is_some_and(|s| !replaces(&stamp, &suspended, s, &card.suspended))
                    {
                        return false;
                    }
                    card.suspended = suspended;
                    card.suspend_stamp = Some(stamp.clone());
                    true
                })?;
            }
            Body::Bury(b) => {
                self.card_flag(event, &b.card.note, b.card.ord, &stamp, |card| {
                    if card
                        .bury_stamp
                        .as_ref()
                        .is_some_and(|s| !replaces(&stamp, &b.until_day, s, &card.buried_day))
                    {
                        return false;
                    }
                    card.buried_day = b.until_day;
                    card.bury_stamp = Some(stamp.clone());
                    true
                })?;
            }
            Body::Setting(setting) => self.setting(&setting.key, &setting.value, &stamp)?,
            Body::Unknown { .. } => {}
        }
        Ok(())
    }

    /// The note of an answer's card when the card is live here. Otherwise the answer is
    /// kept with its deleted note, or parked until its note or card arrives, and None.
    fn live_card(
        &mut self,
        event: &Event,
        card: &crate::sync::event::CardRef,
    ) -> Result<Option<i64>> {
        let bit = 1u64.checked_shl(card.ord).unwrap_or(0);
        if let Some(&(note_id, cards)) = self.live_cards.get(&card.note)
            && cards & bit != 0
        {
            return Ok(Some(note_id));
        }
        let Some((note_id, _deleted)) = self.tx.note_state(&card.note)? else {
            self.park(event, &card.note)?;
            return Ok(None);
        };
        let Some(note_id) = note_id else {
            // The note was deleted: the answer is kept with it, not lost.
            if let Body::Answer(answer) = &event.body {
                let line = event.to_line().unwrap_or_default();
                self.tx.keep_deleted_answer(
                    &answer.id,
                    &card.note,
                    &String::from_utf8_lossy(&line),
                )?;
                self.report.answers_added += 1;
            }
            return Ok(None);
        };
        if !self.tx.has_card(note_id, card.ord)? {
            self.park(event, &card.note)?;
            return Ok(None);
        }
        let entry = self
            .live_cards
            .entry(card.note.clone())
            .or_insert((note_id, 0));
        entry.1 |= bit;
        Ok(Some(note_id))
    }

    /// Writes every pending answer into its card's log: with its replayed states where the
    /// card's log allows it, otherwise with placeholders, the card marked for replay.
    fn write_pending(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let seeds = self.tx.seeds()?;
        let mut cards: Vec<(i64, Vec<NewAnswer>)> = self.pending.drain().collect();
        cards.sort_unstable_by_key(|(card_id, _)| *card_id);
        for (card_id, mut new) in cards {
            new.sort_by_cached_key(|row| {
                order_key(row.answer.order_ms, Some(&row.answer.gid), i64::MAX)
            });
            let fuzz_id = replay::fuzz_id(&seeds, card_id);
            if self.touched.contains(&card_id) {
                self.tx.materialize(card_id)?;
                for row in &new {
                    self.insert_placeholder(card_id, row)?;
                }
            } else {
                let placed = replay::place(
                    self.tx,
                    card_id,
                    fuzz_id,
                    &new,
                    &self.settings,
                    &mut self.parsed,
                    self.tails.get(&card_id),
                )?;
                match placed {
                    Some(tail) => {
                        self.tails.insert(card_id, tail);
                    }
                    None => self.replay_later(card_id),
                }
            }
        }
        self.pending_gids.clear();
        if self.tails.len() > limits().1 {
            self.write_tail_states()?;
        }
        Ok(())
    }

    /// Stores the state of every card whose new answers went in with their states, and
    /// forgets their tails.
    fn write_tail_states(&mut self) -> Result<()> {
        let mut tails: Vec<(i64, Tail)> = self.tails.drain().collect();
        tails.sort_unstable_by_key(|(card_id, _)| *card_id);
        for (card_id, tail) in tails {
            self.tx.set_card_state(card_id, &tail.after)?;
        }
        Ok(())
    }

    /// Marks a card to be replayed whole at the end (that replay stores its state).
    fn replay_later(&mut self, card_id: i64) {
        self.touched.insert(card_id);
        self.tails.remove(&card_id);
    }

    /// Writes the pending answers of a note's cards with placeholders, the cards marked for
    /// replay: before the note is deleted (which keeps its rows) or reseeded.
    fn write_pending_of(&mut self, note_id: i64) -> Result<()> {
        let first = note_id * crate::model::CARDS_PER_NOTE;
        let last = first + crate::model::CARDS_PER_NOTE;
        let mut cards: Vec<i64> = self
            .pending
            .keys()
            .copied()
            .filter(|&c| c >= first && c < last)
            .collect();
        cards.sort_unstable();
        for card_id in cards {
            let Some(mut new) = self.pending.remove(&card_id) else {
                continue;
            };
            new.sort_by_cached_key(|row| {
                order_key(row.answer.order_ms, Some(&row.answer.gid), i64::MAX)
            });
            self.tx.materialize(card_id)?;
            for row in &new {
                self.insert_placeholder(card_id, row)?;
            }
            self.replay_later(card_id);
        }
        Ok(())
    }

    fn insert_placeholder(&self, card_id: i64, row: &NewAnswer) -> Result<()> {
        let (settings_id, settings) = self
            .settings
            .get(row.settings)
            .copied()
            .ok_or_else(|| crate::error::Error::failed("a merged answer lost its settings"))?;
        self.tx.insert_merged_answer(
            card_id,
            &row.answer,
            settings_id,
            &settings.unwrap_or_default(),
            None,
        )?;
        Ok(())
    }

    fn park(&mut self, event: &Event, note: &str) -> Result<()> {
        let line = event.to_line().unwrap_or_default();
        self.tx.park(event.device.as_str(), event.seq, note, &line)
    }

    /// Applies the events that waited for this note, now that it changed.
    fn unpark(&mut self, note: &str) -> Result<()> {
        for line in self.tx.unpark(note)? {
            if let Ok(event) = Event::from_line(&line) {
                self.apply(&event)?;
            }
        }
        Ok(())
    }

    /// Marks every card of a note that has answers for replay.
    fn touch_note(&mut self, note_id: i64) -> Result<()> {
        for ord in 0..crate::model::CARDS_PER_NOTE {
            let ord = ord as u32;
            if self.tx.has_card(note_id, ord)? {
                self.replay_later(crate::model::card_id(note_id, ord));
                self.reseeded.insert(crate::model::card_id(note_id, ord));
            }
        }
        Ok(())
    }
}

/// Whether a value stamped `theirs` replaces one stamped `ours`: the later stamp wins, and
/// of two values under one stamp (a device that wrote two events under one number, which a
/// reader may meet in either order) the greater, so every order ends the same.
fn replaces<T: PartialOrd>(theirs: &Stamp, their_value: &T, ours: &Stamp, our_value: &T) -> bool {
    theirs > ours || (theirs == ours && their_value > our_value)
}

fn review_kind(kind: AnswerKind) -> ReviewKind {
    match kind {
        AnswerKind::Schedule => ReviewKind::Schedule,
        AnswerKind::Drill => ReviewKind::Drill,
        AnswerKind::Cram => ReviewKind::Cram,
        AnswerKind::Import => ReviewKind::Import,
        AnswerKind::Reschedule => ReviewKind::Reschedule,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(order_ms: i64, device: &str, seq: u64) -> Stamp {
        Stamp {
            order_ms,
            device: device.into(),
            seq,
        }
    }

    #[test]
    fn of_two_values_under_one_stamp_the_same_one_wins_in_either_order() {
        let one = stamp(5, "a", 2);
        assert!(replaces(&one, &"B", &one, &"A"));
        assert!(!replaces(&one, &"A", &one, &"B"));
        assert!(!replaces(&one, &"A", &one, &"A"));
        // A later stamp wins whatever its value; an earlier one never does.
        assert!(replaces(&stamp(6, "a", 3), &"A", &one, &"B"));
        assert!(!replaces(&stamp(4, "a", 1), &"Z", &one, &"B"));
        assert!(replaces(&stamp(5, "b", 1), &"A", &one, &"B"));
        assert!(replaces(&one, &Some(3), &one, &None));
        assert!(replaces(&one, &true, &one, &false));
    }
}
