//! How a merge applies the events that change notes, card flags and settings: note adds
//! (one note per global id, fields to their latest writer), field edits, deletions (the
//! note's answers kept aside), suspensions and burials, and the settings that travel. What
//! cannot be stored here is reported and skipped, the same way on every device.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Merge, replaces};
use crate::error::Result;
use crate::merge::{TRAVELLING_SETTINGS, field_stamp, stamp_of};
use crate::records::sync::{CardFlags, NotetypeRow, ShadowCard, ShadowNote, Stamp, Stamped};
use crate::store::sync::columns::incoming_problem;
use crate::sync::event::{Body, Event};

impl Merge<'_, '_> {
    /// Reports an event whose values cannot be stored here: skipped whole, as it is on
    /// every device (the checks are the same everywhere, so collections still converge).
    pub(super) fn skip(&mut self, event: &Event, note: &str, why: &str) {
        self.report.problems.push(format!(
            "the change to note {note} from device {} (event {}): {why}",
            event.device, event.seq
        ));
    }

    pub(super) fn note_add(
        &mut self,
        event: &Event,
        add: &crate::sync::event::NoteAdd,
    ) -> Result<()> {
        let stamp = &stamp_of(event);
        let fields_stamp = field_stamp(add, stamp);
        let incoming: BTreeMap<String, Stamped> = add
            .fields
            .iter()
            .filter_map(|(k, v)| {
                v.as_str().map(|value| {
                    (
                        k.clone(),
                        Stamped {
                            value: value.to_string(),
                            stamp: fields_stamp.clone(),
                        },
                    )
                })
            })
            .collect();
        let columns: BTreeMap<String, String> = incoming
            .iter()
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        let notetype: Option<NotetypeRow> = if add.notetype == "vocab" {
            None
        } else {
            add.notetype_def
                .as_ref()
                .and_then(|v| serde_json::from_value(v.clone()).ok())
        };
        let key = if add.key.is_empty() {
            add.note.rsplit('/').next().unwrap_or(&add.note).to_string()
        } else {
            add.key.clone()
        };
        let problem = if !crate::deck::usable_deck_name(&add.deck) {
            Some(format!("'{}' is not a usable deck name", add.deck))
        } else if key.trim().is_empty() {
            Some("it has no key".to_string())
        } else {
            incoming_problem(&columns, add.notetype == "vocab", notetype.as_ref())
        };
        if let Some(why) = problem {
            self.skip(event, &add.note, &why);
            return Ok(());
        }
        match self.tx.shadow_note(&add.note)? {
            Some(shadow) if shadow.deleted.is_some() => Ok(()),
            Some(mut shadow) => {
                // The same note added on two devices: one note, each field to its latest
                // writer, the cards' fuzz from the earliest add.
                if *stamp < shadow.add {
                    shadow.add = stamp.clone();
                    if shadow.seed != add.seed {
                        shadow.seed = add.seed;
                        if let Some(note_id) = shadow.note_id {
                            self.tx.set_note_seed(note_id, add.seed)?;
                            self.write_pending_of(note_id)?;
                            self.touch_note(note_id)?;
                        }
                    }
                }
                self.merge_fields(&mut shadow, incoming)?;
                self.tx.save_shadow_note(&shadow)
            }
            None => {
                if add.notetype != "vocab" && notetype.is_none() {
                    self.report.problems.push(format!(
                        "the note {} from device {} names the note type '{}' without describing it; skipped",
                        add.note, stamp.device, add.notetype
                    ));
                    return Ok(());
                }
                let note_id = self.tx.create_note(
                    &add.deck,
                    &key,
                    notetype.as_ref(),
                    &columns,
                    add.seed,
                    self.now_ms / 1000,
                    stamp,
                )?;
                self.tx.set_note_seed(note_id, add.seed)?;
                self.report.notes_added += 1;
                self.tx.save_shadow_note(&ShadowNote {
                    gid: add.note.clone(),
                    note_id: Some(note_id),
                    deck: add.deck.clone(),
                    notetype: add.notetype.clone(),
                    fields: incoming,
                    seed: add.seed,
                    add: stamp.clone(),
                    deleted: None,
                })
            }
        }
    }

    /// Each incoming field against the one known: the later stamp wins; a different value
    /// that loses is kept in the note's history.
    pub(super) fn merge_fields(
        &mut self,
        shadow: &mut ShadowNote,
        incoming: BTreeMap<String, Stamped>,
    ) -> Result<()> {
        let mut changed: BTreeMap<String, String> = BTreeMap::new();
        for (field, theirs) in incoming {
            match shadow.fields.get(&field) {
                Some(ours) if !replaces(&theirs.stamp, &theirs.value, &ours.stamp, &ours.value) => {
                    if ours.value != theirs.value && ours.stamp != theirs.stamp {
                        self.tx
                            .keep_history(&shadow.gid, &field, &theirs, self.now_ms)?;
                        self.report.conflicts += 1;
                    }
                }
                ours => {
                    if let Some(ours) = ours
                        && ours.value != theirs.value
                    {
                        self.tx
                            .keep_history(&shadow.gid, &field, ours, self.now_ms)?;
                        changed.insert(field.clone(), theirs.value.clone());
                    } else if ours.is_none() {
                        changed.insert(field.clone(), theirs.value.clone());
                    }
                    shadow.fields.insert(field, theirs);
                }
            }
        }
        if let Some(note_id) = shadow.note_id
            && !changed.is_empty()
        {
            self.tx
                .set_note_columns(note_id, &changed, self.now_ms / 1000)?;
            self.report.notes_changed += 1;
        }
        Ok(())
    }

    pub(super) fn note_delete(&mut self, gid: &str, stamp: &Stamp) -> Result<()> {
        let shadow = self.tx.shadow_note(gid)?;
        let mut shadow = match shadow {
            Some(s) if s.deleted.is_some() => return Ok(()),
            Some(s) => s,
            // Deleted before its add arrived here: the tombstone waits for it.
            None => ShadowNote {
                gid: gid.to_string(),
                note_id: None,
                deck: String::new(),
                notetype: String::new(),
                fields: BTreeMap::new(),
                seed: 0,
                add: stamp.clone(),
                deleted: None,
            },
        };
        if let Some(note_id) = shadow.note_id.take() {
            self.write_pending_of(note_id)?;
            // The rows go, and their trigger takes back their counts: count them first.
            if let Some(hold) = &self.counts {
                self.tx.settle_counts(hold)?;
            }
            self.tx.delete_notes(&[(note_id, gid.to_string())])?;
            let first = note_id * crate::model::CARDS_PER_NOTE;
            let last = first + crate::model::CARDS_PER_NOTE;
            self.touched.retain(|&c| c < first || c >= last);
            self.tails.retain(|&c, _| c < first || c >= last);
            self.report.notes_deleted += 1;
        }
        shadow.deleted = Some(stamp.clone());
        self.tx.save_shadow_note(&shadow)?;
        // Whatever waited for this note stays with it: its answers are kept, the rest dropped.
        for line in self.tx.unpark(gid)? {
            if let Ok(event) = Event::from_line(&line)
                && let Body::Answer(answer) = &event.body
            {
                self.tx
                    .keep_deleted_answer(&answer.id, gid, &String::from_utf8_lossy(&line))?;
            }
        }
        Ok(())
    }

    pub(super) fn card_flag(
        &mut self,
        event: &Event,
        note: &str,
        ord: u32,
        _stamp: &Stamp,
        change: impl FnOnce(&mut ShadowCard) -> bool,
    ) -> Result<()> {
        let Some(shadow) = self.tx.shadow_note(note)? else {
            return self.park(event, note);
        };
        let Some(note_id) = shadow.note_id else {
            return Ok(());
        };
        if !self.tx.has_card(note_id, ord)? {
            return self.park(event, note);
        }
        let mut card = self
            .tx
            .shadow_cards_of(note, ord)?
            .unwrap_or_else(|| ShadowCard {
                gid: note.to_string(),
                ord,
                suspended: false,
                suspend_stamp: None,
                buried_day: None,
                bury_stamp: None,
            });
        if change(&mut card) {
            let card_id = crate::model::card_id(note_id, ord);
            self.tx.set_card_flags(&CardFlags {
                card_id,
                suspended: card.suspended,
                buried_day: card.buried_day,
            })?;
            self.tx.save_shadow_card(&card)?;
        }
        Ok(())
    }

    pub(super) fn setting(&mut self, key: &str, value: &Value, stamp: &Stamp) -> Result<()> {
        if !TRAVELLING_SETTINGS.contains(&key) {
            return Ok(());
        }
        // Text as written; a number or a truth value as its text (a hand-written folder);
        // null unsets. Anything else is refused, never read as "unset".
        let text = match value {
            Value::String(text) => text.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Null => String::new(),
            _ => "(a list or object)".to_string(),
        };
        let unset = value.is_null() || value.as_str() == Some("");
        if !unset
            && (value.is_array()
                || value.is_object()
                || crate::config::validate(key, &text).is_err())
        {
            let shown: String = text.chars().take(60).collect();
            let more = if shown.len() < text.len() { "..." } else { "" };
            self.report.problems.push(format!(
                "the setting {key} = {shown}{more} from device {}: not a valid value here",
                stamp.device
            ));
            return Ok(());
        }
        let known = self
            .tx
            .shadow_settings()?
            .into_iter()
            .find(|(k, _, _)| k == key);
        if known
            .as_ref()
            .is_some_and(|(_, v, s)| !replaces(stamp, &text, s, v))
        {
            return Ok(());
        }
        self.tx
            .set_config(key, (!text.is_empty()).then_some(text.as_str()))?;
        self.tx.save_shadow_setting(key, &text, stamp)
    }
}
