//! Publishing: what changed here since the last sync becomes events, in one transaction that
//! also queues them (`sync_outbox`) and marks them published, so a sync stopped at any point
//! neither loses nor repeats one. Changes are found by comparing the collection with what
//! the folder knows (`sync_notes`, `sync_cards`, `sync_settings`), so every way of changing
//! a note, a card or a setting is covered without each of them having to report it.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value, json};

use super::{TRAVELLING_SETTINGS, state_json};
use crate::error::{Error, Result};
use crate::records::sync::{ShadowCard, ShadowNote, Stamp, Stamped};
use crate::store::Collection;
use crate::store::sync::log::carries_state;
use crate::store::sync::notes::notetype_name;
use crate::sync::device::DeviceId;
use crate::sync::event::{
    Answer, AnswerKind, Body, Bury, CardEvent, CardRef, Event, NoteAdd, NoteDelete, NoteEdit,
    Setting, answer_id,
};

/// An event before its number: its time, and a rank so a note's add comes before its
/// answers made in the same second.
struct Pending {
    at_ms: i64,
    rank: u8,
    body: Body,
    /// What to mark once the event has its number.
    mark: Mark,
}

enum Mark {
    None,
    Review(i64),
    DeletedAnswer(i64),
}

pub fn answer_kind(kind: crate::scheduler::replay::ReviewKind) -> AnswerKind {
    use crate::scheduler::replay::ReviewKind as K;
    match kind {
        K::Schedule => AnswerKind::Schedule,
        K::Drill => AnswerKind::Drill,
        K::Cram => AnswerKind::Cram,
        K::Import => AnswerKind::Import,
        K::Reschedule => AnswerKind::Reschedule,
    }
}

/// Publishes every change since the last sync; `first_seq` is the next number our folder
/// expects. Returns how many events were queued.
pub fn publish(
    collection: &mut Collection,
    device: &DeviceId,
    first_seq: u64,
    now_ms: i64,
) -> Result<u64> {
    let tx = collection.sync_tx()?;
    let state = tx
        .state()?
        .ok_or_else(|| Error::failed("the sync state vanished during the sync"))?;
    let mut pending: Vec<Pending> = Vec::new();
    // Only the notes that differ from what the folder knows are read whole.
    let locals = tx.changed_local_notes()?;
    let mut shadows: Vec<ShadowNote> = Vec::new();
    for (_, gid) in &locals {
        if let Some(gid) = gid
            && let Some(shadow) = tx.shadow_note(gid)?
        {
            shadows.push(shadow);
        }
    }
    let gone = tx.gone_note_gids()?;
    for gid in &gone {
        if let Some(shadow) = tx.shadow_note(gid)? {
            shadows.push(shadow);
        }
    }
    let mut gid_of: HashMap<i64, usize> = shadows
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.note_id.map(|id| (id, i)))
        .collect();
    let mut taken: HashSet<String> = HashSet::new();
    let me = device.as_str();
    // Stamps are filled in once the events have their numbers (below).
    let placeholder = Stamp {
        order_ms: 0,
        device: me.to_string(),
        seq: 0,
    };
    let mut touched_shadows: Vec<(usize, usize)> = Vec::new(); // (shadow, pending index)

    // Notes added or changed here.
    for (note, known) in &locals {
        let known = known
            .as_ref()
            .and_then(|_| gid_of.get(&note.note_id).copied());
        let modified_ms = note.modified_secs.saturating_mul(1000);
        match known {
            Some(index) => {
                let shadow = &mut shadows[index];
                for (field, value) in &note.columns {
                    if shadow.fields.get(field).map(|s| &s.value) == Some(value) {
                        continue;
                    }
                    pending.push(Pending {
                        at_ms: modified_ms,
                        rank: 2,
                        body: Body::NoteEdit(NoteEdit {
                            note: shadow.gid.clone(),
                            field: field.clone(),
                            value: value.clone(),
                        }),
                        mark: Mark::None,
                    });
                    shadow.fields.insert(
                        field.clone(),
                        Stamped {
                            value: value.clone(),
                            stamp: placeholder.clone(),
                        },
                    );
                    touched_shadows.push((index, pending.len() - 1));
                }
            }
            None => {
                let base = format!("{}/{}", note.deck, note.key);
                let mut gid = base.clone();
                let mut n = 2;
                while taken.contains(&gid) || tx.shadow_note(&gid)?.is_some() {
                    gid = format!("{base}#{n}");
                    n += 1;
                }
                taken.insert(gid.clone());
                let notetype = notetype_name(note.notetype.as_ref());
                let fields: Map<String, Value> = note
                    .columns
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                pending.push(Pending {
                    at_ms: modified_ms,
                    rank: 0,
                    body: Body::NoteAdd(NoteAdd {
                        note: gid.clone(),
                        deck: note.deck.clone(),
                        key: note.key.clone(),
                        notetype: notetype.clone(),
                        notetype_def: note
                            .notetype
                            .as_ref()
                            .and_then(|row| serde_json::to_value(row).ok()),
                        seed: note.seed,
                        fields,
                        // Untouched since it came here (a built-in deck, an imported file):
                        // its source's text, not a write made then, so it counts before
                        // any edit and a device that joins later undoes none.
                        untouched: note.modified_secs == note.created_secs,
                    }),
                    mark: Mark::None,
                });
                shadows.push(ShadowNote {
                    gid,
                    note_id: Some(note.note_id),
                    deck: note.deck.clone(),
                    notetype,
                    fields: note
                        .columns
                        .iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                Stamped {
                                    value: v.clone(),
                                    stamp: placeholder.clone(),
                                },
                            )
                        })
                        .collect(),
                    seed: note.seed,
                    add: placeholder.clone(),
                    deleted: None,
                });
                gid_of.insert(note.note_id, shadows.len() - 1);
                touched_shadows.push((shadows.len() - 1, pending.len() - 1));
            }
        }
    }
    // Notes deleted here.
    for (index, shadow) in shadows.iter_mut().enumerate() {
        if gone.contains(&shadow.gid) {
            pending.push(Pending {
                at_ms: now_ms,
                rank: 3,
                body: Body::NoteDelete(NoteDelete {
                    note: shadow.gid.clone(),
                }),
                mark: Mark::None,
            });
            shadow.note_id = None;
            shadow.deleted = Some(placeholder.clone());
            touched_shadows.push((index, pending.len() - 1));
        }
    }
    // Note id -> global id, for the notes answers and flags name: this sync's records first,
    // then the store's, each looked up once.
    let mut known_gids: HashMap<i64, Option<String>> = shadows
        .iter()
        .filter_map(|s| s.note_id.map(|id| (id, Some(s.gid.clone()))))
        .collect();
    let mut gid_by_note = |note_id: i64| -> Result<Option<String>> {
        if let Some(known) = known_gids.get(&note_id) {
            return Ok(known.clone());
        }
        let gid = tx.gid_of_note(note_id)?;
        known_gids.insert(note_id, gid.clone());
        Ok(gid)
    };

    // Answers made here.
    for answer in tx.unpublished_answers(state.published_review_id)? {
        let Some(gid) = gid_by_note(answer.note_id)? else {
            continue;
        };
        let mut settings = json!({ "body": answer.settings_body });
        if carries_state(answer.kind) {
            settings["after"] = state_json::to_json(&answer.after);
        }
        pending.push(Pending {
            at_ms: answer.reviewed_at_ms,
            rank: 1,
            body: Body::Answer(Answer {
                id: String::new(),
                card: CardRef {
                    note: gid.clone(),
                    ord: answer.ord,
                },
                reviewed_at_ms: answer.reviewed_at_ms,
                day: answer.day,
                rating: answer.quality,
                duration_ms: answer.duration_ms.max(0) as u64,
                kind: answer_kind(answer.kind),
                scheduler: answer.scheduler.clone(),
                settings,
            }),
            mark: Mark::Review(answer.review_id),
        });
    }
    // Answers of notes deleted here before they were published.
    for (id, note, body) in tx.unpublished_deleted_answers()? {
        if let Some(event) = deleted_answer_event(&note, &body) {
            pending.push(Pending {
                at_ms: event.reviewed_at_ms,
                rank: 1,
                body: Body::Answer(event),
                mark: Mark::DeletedAnswer(id),
            });
        }
    }

    // Suspensions and burials.
    let mut cards: BTreeMap<(String, u32), ShadowCard> = tx
        .shadow_cards()?
        .into_iter()
        .map(|c| ((c.gid.clone(), c.ord), c))
        .collect();
    let mut flagged: HashSet<(String, u32)> = HashSet::new();
    let mut card_changes: Vec<((String, u32), usize)> = Vec::new();
    // A flag counts at the time it was changed here (as a setting does, below), or at this
    // sync's when that is not known.
    let flag_times = tx.card_flag_times()?;
    let flag_at = |card_id: i64| -> (i64, i64) {
        let (suspend_ms, bury_ms) = flag_times.get(&card_id).copied().unwrap_or_default();
        let since = state.last_sync_ms;
        (
            changed_at(suspend_ms, since, now_ms),
            changed_at(bury_ms, since, now_ms),
        )
    };
    for flags in tx.local_flags()? {
        let note = crate::model::note_of_card(flags.card_id);
        let Some(gid) = gid_by_note(note)? else {
            continue;
        };
        let key = (gid.clone(), crate::model::ord_of_card(flags.card_id));
        flagged.insert(key.clone());
        card_flag_events(
            &key,
            flags.suspended,
            flags.buried_day,
            &mut cards,
            &mut pending,
            &mut card_changes,
            flag_at(flags.card_id),
        );
    }
    // Cards the folder knows as suspended or buried that are no longer, on notes still here.
    let mut unflag: Vec<((String, u32), i64)> = Vec::new();
    for (key, card) in &cards {
        if (card.suspended || card.buried_day.is_some())
            && !flagged.contains(key)
            && let Some((Some(note_id), false)) = tx.note_state(&key.0)?
        {
            unflag.push((key.clone(), crate::model::card_id(note_id, key.1)));
        }
    }
    for (key, card_id) in unflag {
        card_flag_events(
            &key,
            false,
            None,
            &mut cards,
            &mut pending,
            &mut card_changes,
            flag_at(card_id),
        );
    }

    // Settings that travel.
    let stored = tx.config_pairs()?;
    let shadow_settings: HashMap<String, String> = tx
        .shadow_settings()?
        .into_iter()
        .map(|(k, v, _)| (k, v))
        .collect();
    // A setting counts at the time it was changed here, not at this sync's, so the later of
    // two machines' offline changes wins whichever syncs last.
    let changed = tx.config_times()?;
    let mut setting_changes: Vec<(String, String, usize)> = Vec::new();
    for key in TRAVELLING_SETTINGS {
        let value = stored.get(*key).cloned().unwrap_or_default();
        let known = shadow_settings.get(*key).cloned().unwrap_or_default();
        if value != known {
            let at_ms = changed_at(changed.get(*key).copied(), state.last_sync_ms, now_ms);
            pending.push(Pending {
                at_ms,
                rank: 4,
                body: Body::Setting(Setting {
                    key: (*key).to_string(),
                    value: if value.is_empty() {
                        Value::Null
                    } else {
                        Value::String(value.clone())
                    },
                }),
                mark: Mark::None,
            });
            setting_changes.push(((*key).to_string(), value, pending.len() - 1));
        }
    }

    // Numbers and stamps, in time order (a device's own order is its sequence).
    let mut order: Vec<usize> = (0..pending.len()).collect();
    order.sort_by_key(|&i| (pending[i].at_ms, pending[i].rank, i));
    let mut seq = first_seq.max(state.next_seq);
    let mut last_order = state.last_order_ms;
    let mut stamps: Vec<Option<Stamp>> = vec![None; pending.len()];
    for &i in &order {
        let p = &mut pending[i];
        if let Body::Answer(answer) = &mut p.body {
            answer.id = answer_id(device, seq);
        }
        last_order = last_order.max(p.at_ms);
        let stamp = Stamp {
            order_ms: last_order,
            device: me.to_string(),
            seq,
        };
        let event = Event::new(device.clone(), seq, last_order, p.body.clone());
        let line = event
            .to_line()
            .map_err(|e| Error::failed(format!("a change cannot be published: {}", e.message)))?;
        tx.push_outbox(seq, &line)?;
        match p.mark {
            Mark::None => {}
            Mark::Review(review_id) => {
                tx.mark_published(review_id, &answer_id(device, seq), last_order)?
            }
            Mark::DeletedAnswer(id) => {
                tx.mark_deleted_answer_published(id, &answer_id(device, seq))?
            }
        }
        stamps[i] = Some(stamp);
        seq += 1;
    }
    let stamp_of = |i: usize| stamps[i].clone().unwrap_or_else(|| placeholder.clone());
    for &(index, i) in &touched_shadows {
        let stamp = stamp_of(i);
        let shadow = &mut shadows[index];
        match &pending[i].body {
            Body::NoteAdd(add) => {
                shadow.add = stamp.clone();
                let fields_stamp = super::field_stamp(add, &stamp);
                for field in shadow.fields.values_mut() {
                    field.stamp = fields_stamp.clone();
                }
            }
            Body::NoteEdit(edit) => {
                if let Some(field) = shadow.fields.get_mut(&edit.field) {
                    field.stamp = stamp;
                }
            }
            Body::NoteDelete(_) => shadow.deleted = Some(stamp),
            _ => {}
        }
    }
    let mut saved: HashSet<usize> = HashSet::new();
    for &(index, _) in &touched_shadows {
        if saved.insert(index) {
            tx.save_shadow_note(&shadows[index])?;
        }
    }
    for (key, i) in card_changes {
        let stamp = stamp_of(i);
        if let Some(card) = cards.get_mut(&key) {
            match &pending[i].body {
                Body::Suspend(_) | Body::Unsuspend(_) => card.suspend_stamp = Some(stamp),
                Body::Bury(_) => card.bury_stamp = Some(stamp),
                _ => {}
            }
            tx.save_shadow_card(card)?;
        }
    }
    for (key, value, i) in setting_changes {
        tx.save_shadow_setting(&key, &value, &stamp_of(i))?;
    }
    let published = pending.len() as u64;
    let max_review = tx.max_review_id()?;
    if published == 0 && seq == state.next_seq && max_review == state.published_review_id {
        return Ok(0); // nothing to write: no transaction to commit (and flush) for it
    }
    tx.save_progress(seq, last_order, max_review)?;
    tx.commit()?;
    Ok(published)
}

/// When a change found now counts: the time it was recorded here (`config_times`,
/// `card_flag_times`), or `now_ms` when none was, or when the recorded one is older than the
/// previous sync (a change since then came by a way that records none, such as a review log
/// import) or later than now (a clock set back since the change).
fn changed_at(recorded: Option<i64>, last_sync_ms: Option<i64>, now_ms: i64) -> i64 {
    match recorded {
        Some(at) if last_sync_ms.is_none_or(|since| at >= since) && at <= now_ms => at,
        _ => now_ms,
    }
}

/// The events for a card whose flags here differ from what the folder knows; `(suspend_at,
/// bury_at)` are the times each flag's change counts at.
fn card_flag_events(
    key: &(String, u32),
    suspended: bool,
    buried_day: Option<i64>,
    cards: &mut BTreeMap<(String, u32), ShadowCard>,
    pending: &mut Vec<Pending>,
    changes: &mut Vec<((String, u32), usize)>,
    (suspend_at, bury_at): (i64, i64),
) {
    let card = cards.entry(key.clone()).or_insert_with(|| ShadowCard {
        gid: key.0.clone(),
        ord: key.1,
        suspended: false,
        suspend_stamp: None,
        buried_day: None,
        bury_stamp: None,
    });
    let card_ref = CardRef {
        note: key.0.clone(),
        ord: key.1,
    };
    if card.suspended != suspended {
        card.suspended = suspended;
        pending.push(Pending {
            at_ms: suspend_at,
            rank: 4,
            body: if suspended {
                Body::Suspend(CardEvent {
                    card: card_ref.clone(),
                })
            } else {
                Body::Unsuspend(CardEvent {
                    card: card_ref.clone(),
                })
            },
            mark: Mark::None,
        });
        changes.push((key.clone(), pending.len() - 1));
    }
    if card.buried_day != buried_day {
        card.buried_day = buried_day;
        pending.push(Pending {
            at_ms: bury_at,
            rank: 4,
            body: Body::Bury(Bury {
                card: card_ref,
                until_day: buried_day,
            }),
            mark: Mark::None,
        });
        changes.push((key.clone(), pending.len() - 1));
    }
}

/// An answer kept with a deleted note (`deleted_answers.body`: the review row's columns by
/// name, its `ord` and `settings_body`) as the event that publishes it.
fn deleted_answer_event(note: &str, body: &str) -> Option<Answer> {
    let row: Value = serde_json::from_str(body).ok()?;
    let int = |key: &str| row.get(key).and_then(Value::as_i64);
    let kind = crate::scheduler::replay::ReviewKind::parse(row.get("kind")?.as_str()?)?;
    let settings_body = match row.get("settings_body").and_then(Value::as_str) {
        Some(body) => body.to_string(),
        None => crate::scheduler::Settings {
            fuzz: int("fuzz").unwrap_or(1) != 0,
            maximum_interval_days: u32::try_from(int("max_interval").unwrap_or(36_500)).ok()?,
            ..crate::scheduler::Settings::default()
        }
        .body(),
    };
    Some(Answer {
        id: String::new(),
        card: CardRef {
            note: note.to_string(),
            ord: u32::try_from(int("ord")?).ok()?,
        },
        reviewed_at_ms: int("reviewed_at")?,
        day: int("day")?,
        rating: u8::try_from(int("quality")?).ok()?,
        duration_ms: u64::try_from(int("duration_ms")?.max(0)).ok()?,
        kind: answer_kind(kind),
        scheduler: row.get("scheduler")?.as_str()?.to_string(),
        settings: json!({ "body": settings_body }),
    })
}

/// Takes back the queued events `lines` (never written to the folder): each change they
/// publish is marked unpublished again, for the next sync to publish under a new device id
/// (`jargon sync --new-device`). A line that does not read back is skipped: it marked
/// nothing this build can find.
pub fn unpublish(tx: &crate::store::sync::SyncTx<'_>, lines: &[(u64, Vec<u8>)]) -> Result<()> {
    let mut first_review: Option<i64> = None;
    for (_, line) in lines {
        let Ok(event) = Event::from_line(line) else {
            continue;
        };
        let stamp = super::stamp_of(&event);
        match &event.body {
            Body::Answer(answer) => {
                if let Some(id) = tx.unpublish_answer(&answer.id)? {
                    first_review = Some(first_review.map_or(id, |f| f.min(id)));
                }
            }
            Body::NoteAdd(add) => tx.unpublish_note_add(&add.note, &stamp)?,
            Body::NoteEdit(edit) => tx.unpublish_note_field(&edit.note, &edit.field, &stamp)?,
            Body::NoteDelete(delete) => tx.unpublish_note_delete(&delete.note, &stamp)?,
            Body::Suspend(c) | Body::Unsuspend(c) => {
                tx.unpublish_card_flag(&c.card.note, c.card.ord, true, &stamp)?;
            }
            Body::Bury(b) => tx.unpublish_card_flag(&b.card.note, b.card.ord, false, &stamp)?,
            Body::Setting(setting) => tx.unpublish_setting(&setting.key, &stamp)?,
            Body::Unknown { .. } => {}
        }
    }
    if let Some(id) = first_review {
        tx.republish_answers_from(id)?;
    }
    Ok(())
}
