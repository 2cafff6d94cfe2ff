//! The sync engine (`jargon sync`, issue 20): publishes what changed here as events in our
//! folder ([`publish`]), then reads every other device's new events and applies them in one
//! transaction ([`apply`]): answers are a union, note fields last-writer-wins by (time,
//! device) with the loser kept, deletions tombstones, and every card that gained an answer
//! is replayed ([`replay`]). It joins the store (`store::sync`) and the folder (`sync`); it
//! has no SQL and no file format of its own.

pub mod apply;
pub mod publish;
pub mod replay;
pub mod state_json;
#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::records::sync::Stamp;
use crate::store::Collection;
use crate::sync::device::{self, DeviceId};
use crate::sync::event::Event;
use crate::sync::segment::{self, Cursor, Thresholds, Writer};

/// The settings that travel: how the learner wants to study, the same on every machine.
/// The others stay on their machine: the time zone and rollover hour are the machine's
/// (each answer carries its own study day), `scheduler` is switched on each machine by
/// `config set scheduler` because a switch rewrites every card there (each answer carries
/// the scheduler it was made with, so replays stay exact), and `sync_on_review` is a habit
/// of that machine.
pub const TRAVELLING_SETTINGS: &[&str] = &[
    "new_per_day",
    "reviews_per_day",
    "desired_retention",
    "fsrs_parameters",
    "fsrs_fitted",
    "learning_steps",
    "relearning_steps",
    "graduating_interval",
    "easy_interval",
    "starting_ease",
    "hard_interval",
    "easy_bonus",
    "interval_modifier",
    "lapse_new_interval",
    "again_ease_change",
    "hard_ease_change",
    "easy_ease_change",
    "minimum_ease",
    "lapse_minimum_interval",
    "fuzz",
    "max_interval_days",
    "leech_lapses",
    "leech_suspend",
    "redrill_gap",
    "learn_ahead",
    "typed_answers",
];

/// What one sync did, for the learner.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub device: String,
    pub dir: PathBuf,
    pub first_time: bool,
    /// Events we wrote (this sync's and any left from a sync that stopped).
    pub published: u64,
    /// New events read from other devices.
    pub read: u64,
    /// Answers added to the log, and answers already here (never counted twice).
    pub answers_added: u64,
    pub answers_known: u64,
    pub notes_added: u64,
    pub notes_changed: u64,
    pub notes_deleted: u64,
    /// Field values that lost and were kept in the note's history.
    pub conflicts: u64,
    /// Cards whose log was replayed.
    pub cards_replayed: u64,
    /// Events waiting for a note that has not arrived.
    pub parked: u64,
    /// What was skipped in the folder, one sentence each.
    pub problems: Vec<String>,
    /// Bytes of incomplete lines left for a later sync.
    pub waiting_bytes: u64,
    /// How long each step took (for the benchmark's lab notes).
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

/// Syncs `collection` with the folder `dir` (None: the remembered one). `new_device` first
/// gives the collection a new device id (the fix for a copy that shares one).
pub fn sync(
    collection: &mut Collection,
    dir: Option<&Path>,
    now_ms: i64,
    new_device: bool,
) -> Result<Report> {
    if new_device {
        let tx = collection.sync_tx()?;
        if tx.state()?.is_none() {
            return Err(Error::usage(
                "this collection has never synced, so it has no device id to replace; run jargon sync DIR",
            ));
        }
        // What the old id queued but the folder does not hold is published again under the
        // new one; what it holds (written before a stop, or by the copy) stays as it is.
        if let Some(state) = tx.state()? {
            check_folder(&state.dir)?;
            let old = parse_id(&state.device)?;
            let unwritten = unwritten(&state.dir, &old, tx.outbox()?)?;
            publish::unpublish(&tx, &unwritten)?;
        }
        tx.new_device(DeviceId::generate().as_str(), DeviceId::generate().as_str())?;
        tx.commit()?;
    }
    let state = collection.sync_state()?;
    let dir: PathBuf = match (dir, &state) {
        (Some(dir), _) => absolute(dir)?,
        (None, Some(state)) => state.dir.clone(),
        (None, None) => {
            return Err(Error::usage(
                "this collection has never synced; name the shared folder once: jargon sync DIR",
            ));
        }
    };
    check_folder(&dir)?;
    if let Some(state) = &state
        && !same_folder(&state.dir, &dir)
    {
        return Err(Error::usage(format!(
            "this collection syncs through {}; it will not start again in {} (its events are in the first folder): run `jargon sync` there, or have your sync tool keep that folder where you want it",
            state.dir.display(),
            dir.display()
        )));
    }
    let first_time = state.is_none();
    let (device, instance) = match &state {
        Some(s) => (parse_id(&s.device)?, parse_id(&s.instance)?),
        None => (DeviceId::generate(), DeviceId::generate()),
    };
    let dir_text = dir.to_str().ok_or_else(|| {
        Error::usage(format!(
            "{} is not valid UTF-8; choose a folder whose path is",
            dir.display()
        ))
    })?;
    device::claim(&dir, &device, &instance, now_ms)?.into_result()?;
    if state.as_ref().is_none_or(|s| s.dir != dir) {
        let tx = collection.sync_tx()?;
        tx.init_state(device.as_str(), instance.as_str(), dir_text)?;
        tx.commit()?;
    }
    let mut report = Report {
        device: device.to_string(),
        dir: dir.clone(),
        first_time,
        ..Report::default()
    };
    let mut clock = std::time::Instant::now();
    let mut lap = |report: &mut Report, step: &'static str| {
        report.timings.push((step, clock.elapsed()));
        clock = std::time::Instant::now();
    };
    let (mut writer, opened) = Writer::open(&dir, &device, Thresholds::default())?;
    // Our folder never holds more than we numbered: more means another collection, a copy
    // of this one, writes under the same device id.
    if let Some(state) = &state
        && writer.next_seq() > state.next_seq
    {
        return Err(shared_id(&dir, &device));
    }
    if let Some(problem) = opened.abandoned {
        report.problems.push(problem.to_string());
    }
    report.published += flush_outbox(collection, &dir, &device, &mut writer)?;
    lap(&mut report, "open our folder");
    publish::publish(collection, &device, writer.next_seq(), now_ms)?;
    lap(&mut report, "find and queue changes");
    report.published += flush_outbox(collection, &dir, &device, &mut writer)?;
    lap(&mut report, "write our events");
    let waiting = apply::waiting_events(collection, &dir, &device)?;
    collection.as_large_write(waiting, |collection| {
        apply::merge(collection, &dir, &device, now_ms, &mut report)
    })?;
    Ok(report)
}

/// The refusal when our device folder holds events this collection did not write.
fn shared_id(dir: &Path, device: &DeviceId) -> Error {
    Error::failed(format!(
        "{} holds events this collection did not write: another collection copied from the same file syncs under its device id {device}; run `jargon sync --new-device` on one of them",
        dir.join(device.as_str()).display(),
    ))
}

/// Writes the events a committed transaction queued and our file does not hold yet, then
/// forgets them. Queued events the file already numbers (a sync stopped after writing them)
/// must be there as queued: other events under their numbers mean a copy of this collection
/// wrote first.
fn flush_outbox(
    collection: &mut Collection,
    dir: &Path,
    device: &DeviceId,
    writer: &mut Writer,
) -> Result<u64> {
    let tx = collection.sync_tx()?;
    let queued = tx.outbox()?;
    let Some(&(last, _)) = queued.last() else {
        return Ok(0);
    };
    let numbered: Vec<(u64, Vec<u8>)> = queued
        .iter()
        .filter(|(seq, _)| *seq < writer.next_seq())
        .cloned()
        .collect();
    if !numbered.is_empty() && !unwritten(dir, device, numbered)?.is_empty() {
        return Err(shared_id(dir, device));
    }
    let mut events = Vec::with_capacity(queued.len());
    for (seq, line) in &queued {
        if *seq < writer.next_seq() {
            continue; // written before a stop, and kept by the file
        }
        let event = Event::from_line(line).map_err(|e| {
            Error::failed(format!(
                "a queued sync event ({seq}) does not read back: {}",
                e.message
            ))
        })?;
        events.push(event);
    }
    let written = events.len() as u64;
    writer.append(&events)?;
    tx.clear_outbox(last)?;
    tx.commit()?;
    Ok(written)
}

/// The queued `lines` the folder does not hold under `device` as they are: not written, or
/// their numbers taken by other events (a copy of this collection wrote first).
fn unwritten(
    dir: &Path,
    device: &DeviceId,
    lines: Vec<(u64, Vec<u8>)>,
) -> Result<Vec<(u64, Vec<u8>)>> {
    if lines.is_empty() {
        return Ok(lines);
    }
    // Only the events under the queued numbers are kept, however much the folder holds.
    let wanted: HashSet<u64> = lines.iter().map(|(seq, _)| *seq).collect();
    let mut held: HashMap<u64, Event> = HashMap::new();
    let mut cursor = Cursor::default();
    loop {
        let batch = segment::read_device(dir, device, &cursor, apply::READ_BUDGET_BYTES)?;
        let done = batch.cursor == cursor;
        for event in batch.events {
            if wanted.contains(&event.seq) {
                held.insert(event.seq, event);
            }
        }
        if done {
            break;
        }
        cursor = batch.cursor;
    }
    Ok(lines
        .into_iter()
        .filter(|(seq, line)| {
            let written = Event::from_line(line)
                .ok()
                .is_some_and(|event| held.get(seq) == Some(&event));
            !written
        })
        .collect())
}

/// The same folder, through links or not.
fn same_folder(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => a == b,
    }
}

fn parse_id(text: &str) -> Result<DeviceId> {
    DeviceId::parse(text).map_err(|e| Error::failed(format!("the stored sync device id {e}")))
}

fn absolute(dir: &Path) -> Result<PathBuf> {
    if dir.is_absolute() {
        return Ok(dir.to_path_buf());
    }
    std::env::current_dir()
        .map(|cwd| cwd.join(dir))
        .map_err(|e| Error::failed(format!("cannot read the current folder: {e}")))
}

/// The folder must exist and be a folder (a link to one is followed: the learner chose it).
fn check_folder(dir: &Path) -> Result<()> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(Error::usage(format!(
            "{} is not a folder; name the shared folder to sync through",
            dir.display()
        ))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Error::usage(format!(
            "{} does not exist; create the shared folder first (an empty one is fine)",
            dir.display()
        ))),
        Err(e) => Err(Error::failed(format!("cannot read {}: {e}", dir.display()))),
    }
}

/// The stamp a note add gives its fields: the add's, or time 0 (before any edit) for a note
/// untouched since it came to the device that added it.
pub fn field_stamp(add: &crate::sync::event::NoteAdd, stamp: &Stamp) -> Stamp {
    Stamp {
        order_ms: if add.untouched { 0 } else { stamp.order_ms },
        ..stamp.clone()
    }
}

/// The stamp of an event: its time (which its writer never lets go back along its own
/// sequence), its device, its sequence.
pub fn stamp_of(event: &Event) -> Stamp {
    Stamp {
        order_ms: event.at_ms,
        device: event.device.to_string(),
        seq: event.seq,
    }
}
