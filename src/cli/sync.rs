//! `jargon sync [DIR]`: keeps this collection in step with others through a shared folder
//! (the engine is `crate::merge`, the folder's format `crate::sync` and docs/sync.md), and
//! `jargon sync --status`: the device, the folder, when each other device was last seen,
//! what is waiting, and the content's fingerprint to compare across machines.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use super::Context;
use super::args::TextOrJson;
use crate::error::{Error, Result};
use crate::merge::Report;
use crate::repl::render::{plural, terminal_width, wrap};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The shared folder (remembered after the first sync)
    pub dir: Option<PathBuf>,
    /// Show the device, the folder, the other devices and the fingerprint; sync nothing
    #[arg(long)]
    pub status: bool,
    /// Give this collection a new device id first (for a copy of a collection that syncs)
    #[arg(long)]
    pub new_device: bool,
    /// Output format of --status
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    pub format: TextOrJson,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    if args.status {
        if args.dir.is_some() {
            return Err(Error::usage(
                "sync --status reads the remembered folder; run `jargon sync DIR` to sync with another",
            ));
        }
        return status(context, args.format, out);
    }
    let mut collection = context.open()?;
    let now_ms = crate::clock::now_from_env()?.timestamp_millis();
    let report = crate::merge::sync(
        &mut collection,
        args.dir.as_deref(),
        now_ms,
        args.new_device,
    )?;
    print_report(&report, out)
}

/// Syncs with the remembered folder, for `sync_on_review`: one line on standard error, and
/// a failure is reported without stopping the review.
pub fn quietly(collection: &mut crate::store::Collection) {
    let Ok(now) = crate::clock::now_from_env() else {
        return;
    };
    match crate::merge::sync(collection, None, now.timestamp_millis(), false) {
        Ok(report) => {
            // A line that cannot be written (standard error closed) is not worth failing for.
            let _ = writeln!(
                crate::output::stderr(),
                "Synced: {} sent, {} received ({} new answers).",
                report.published,
                report.read,
                report.answers_added
            );
        }
        Err(e) => crate::output::warn(&format!("the sync was skipped: {e}")),
    }
}

fn print_report(report: &Report, out: &mut dyn Write) -> Result<()> {
    let mut lines = vec![];
    if report.first_time {
        lines.push(format!(
            "This collection is device {} in {} (remembered: later, `jargon sync` is enough).",
            report.device,
            report.dir.display()
        ));
    }
    lines.push(format!(
        "Sent {}; received {} from other devices.",
        plural(report.published as usize, "event"),
        plural(report.read as usize, "event")
    ));
    if report.read > 0 {
        lines.push(format!(
            "{} added ({} already here), {} added, {} changed, {} deleted; {} replayed.",
            plural(report.answers_added as usize, "answer"),
            report.answers_known,
            plural(report.notes_added as usize, "note"),
            report.notes_changed,
            report.notes_deleted,
            plural(report.cards_replayed as usize, "card"),
        ));
    }
    if report.conflicts > 0 {
        // Counted when a value from the folder loses to one here: an edit on two devices,
        // or a machine's untouched copy of a note against an edit (not an edit of its own).
        lines.push(if report.conflicts == 1 {
            "1 field value lost to a later write and is kept in the note's history.".to_string()
        } else {
            format!(
                "{} field values lost to later writes and are kept in the notes' history.",
                report.conflicts
            )
        });
    }
    if report.parked > 0 {
        lines.push(format!(
            "{} {} for a note or card that has not reached this collection (a file still being copied, or a device that never sent it).",
            plural(report.parked as usize, "event"),
            if report.parked == 1 { "waits" } else { "wait" }
        ));
    }
    if report.waiting_bytes > 0 {
        lines.push(format!(
            "{} bytes of unfinished lines (a copy in progress, or damage) were left for the next sync.",
            report.waiting_bytes
        ));
    }
    print_lines(&lines, out)?;
    // Whole, not wrapped: each names a file to look at, with its line and column.
    for problem in &report.problems {
        writeln!(out, "Skipped: {problem}").map_err(Error::Output)?;
    }
    Ok(())
}

fn status(context: &Context, format: TextOrJson, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let state = collection.sync_state()?;
    let peers = collection.sync_peers()?;
    let (outbox, unpublished) = collection.sync_waiting()?;
    let (fingerprint, [notes, cards, answers]) =
        collection.content_fingerprint(crate::merge::TRAVELLING_SETTINGS)?;
    let stamp = |ms: Option<i64>| -> Option<String> {
        ms.and_then(chrono::DateTime::from_timestamp_millis)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
    };
    if format == TextOrJson::Json {
        let devices: Vec<serde_json::Value> = peers
            .iter()
            .map(|p| {
                serde_json::json!({
                    "device": p.device,
                    "events": p.events,
                    "last_seq": p.last_seq,
                    "last_event_at": stamp(p.last_at_ms),
                    "last_seen_at": stamp(p.seen_ms),
                })
            })
            .collect();
        let value = serde_json::json!({
            "device": state.as_ref().map(|s| s.device.clone()),
            "dir": state.as_ref().map(|s| s.dir.display().to_string()),
            "last_sync_at": stamp(state.as_ref().and_then(|s| s.last_sync_ms)),
            "waiting": { "events": outbox, "answers": unpublished },
            "devices": devices,
            "fingerprint": fingerprint,
            "notes": notes,
            "cards": cards,
            "answers": answers,
        });
        let text = crate::text::to_json_pretty(&value)
            .map_err(|e| Error::failed(format!("cannot write JSON: {e}")))?;
        writeln!(out, "{text}").map_err(Error::Output)?;
        return Ok(());
    }
    let mut lines = vec![];
    match &state {
        None => lines
            .push("Not synced yet: `jargon sync DIR` syncs through a shared folder.".to_string()),
        Some(s) => {
            lines.push(format!("Device: {}", s.device));
            lines.push(format!("Folder: {}", s.dir.display()));
            lines.push(format!(
                "Last sync: {}",
                stamp(s.last_sync_ms).unwrap_or_else(|| "never".into())
            ));
        }
    }
    lines.push(format!(
        "Waiting to send: {} not yet in the folder, {} not yet published.",
        plural(outbox as usize, "event"),
        plural(unpublished as usize, "answer")
    ));
    for p in &peers {
        lines.push(format!(
            "Device {}: {} read, last event {}, last seen {}.",
            p.device,
            plural(p.events as usize, "event"),
            stamp(p.last_at_ms).unwrap_or_else(|| "-".into()),
            stamp(p.seen_ms).unwrap_or_else(|| "never".into())
        ));
    }
    lines.push(format!(
        "Fingerprint: {} ({} notes, {} cards with a state, {} answers).",
        &fingerprint[..16.min(fingerprint.len())],
        notes,
        cards,
        answers
    ));
    print_lines(&lines, out)
}

/// Lines for a person, wrapped at word boundaries to the terminal's width.
fn print_lines(lines: &[String], out: &mut dyn Write) -> Result<()> {
    let width = terminal_width(std::io::stdout().is_terminal());
    for line in lines {
        for part in wrap(line, width, "", "  ") {
            writeln!(out, "{part}").map_err(Error::Output)?;
        }
    }
    Ok(())
}
