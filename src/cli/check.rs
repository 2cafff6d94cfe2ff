//! `jargon check`: SQLite's integrity check, then our own invariants, the first of which is
//! that replaying each card's review log through the scheduler gives its stored state. The
//! statistics' per-day answer counts (derived from the log) are compared with it and rebuilt
//! when they differ.
//!
//! Then the media folder beside the collection is compared with the media the notes' fields
//! reference: a referenced file missing from the folder is a warning naming the first few
//! (standard error), a file no note references is a note on standard output (Anki's rule:
//! names starting with `_` are for templates and are not listed). Neither fails the check:
//! the exit code says whether the collection itself is sound.

use std::io::Write;

use super::Context;
use crate::error::{Error, Result};
use crate::model::fuzz_card_id;
use crate::records::export::ReviewRow;
use crate::scheduler::convert::{replay_under, switched};
use crate::scheduler::replay::LoggedAnswer;
use crate::store::reviews::{SettingsTable, Unreplayable};

#[derive(Debug, clap::Args)]
pub struct Args {}

pub fn run(context: &Context, _args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    let problems = check_collection(&collection, out)?;
    if problems.is_empty() {
        check_media(&collection, out)?;
        return Ok(());
    }
    for problem in &problems {
        writeln!(out, "problem: {problem}").map_err(Error::Output)?;
    }
    // A damaged collection may not give its notes: then the media are not checked.
    if let Err(e) = check_media(&collection, out) {
        crate::output::warn(&format!("the media folder was not checked: {e}"));
    }
    Err(Error::failed(format!(
        "the collection has {} problem(s), listed above",
        problems.len()
    )))
}

/// How many names a media line lists before "and N more".
const MEDIA_NAMES_SHOWN: usize = 5;

/// Compares the media folder with the notes' references; prints what it finds (see the
/// module's documentation) and fails only when the folder cannot be read.
fn check_media(collection: &crate::store::Collection, out: &mut dyn Write) -> Result<()> {
    let dir = crate::media::MediaDir::for_collection(collection.path());
    let mut referenced = std::collections::BTreeSet::new();
    collection.for_each_rich_fields(|values| {
        for value in values {
            referenced.extend(crate::media::references(value));
        }
    })?;
    let audit = crate::media::audit(&dir, &referenced)?;
    let folder = dir.path().display();
    if !audit.missing.is_empty() {
        crate::output::warn(&format!(
            "{} the notes reference {} missing from {folder}: {}",
            crate::repl::render::plural(audit.missing.len(), "media file"),
            if audit.missing.len() == 1 {
                "is"
            } else {
                "are"
            },
            first_names(&audit.missing)
        ));
    }
    let unreferenced: Vec<String> = audit
        .unreferenced
        .into_iter()
        .filter(|name| !name.starts_with('_'))
        .collect();
    if !unreferenced.is_empty() {
        writeln!(
            out,
            "note: {} in {folder} no note references: {}",
            crate::repl::render::plural(unreferenced.len(), "file"),
            first_names(&unreferenced)
        )
        .map_err(Error::Output)?;
    }
    Ok(())
}

/// The first few names, quoted, and how many more.
fn first_names(names: &[String]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(MEDIA_NAMES_SHOWN)
        .map(|name| format!("'{name}'"))
        .collect();
    match names.len().saturating_sub(MEDIA_NAMES_SHOWN) {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// SQLite's integrity check and our invariants: the problems found (none: the "ok" line was
/// printed).
fn check_collection(
    collection: &crate::store::Collection,
    out: &mut dyn Write,
) -> Result<Vec<String>> {
    let mut problems = collection.integrity_check()?;
    if problems.is_empty() {
        // The statistics' per-day counts are derived from the log: rebuilt when they differ.
        let differences = collection.stats_counts_differences()?;
        if differences > 0 {
            let rows = crate::repl::render::plural(differences as usize, "row");
            if collection.is_read_only() {
                problems.push(format!(
                    "the statistics' per-day answer counts differ from the review log in {rows} (the collection is read-only, so they were not rebuilt)"
                ));
            } else {
                collection.stats_rebuild_counts()?;
                writeln!(
                    out,
                    "fixed: the statistics' per-day answer counts differed from the review log in {rows}; rebuilt them from it."
                ).map_err(Error::Output)?;
            }
        }
    }
    if problems.is_empty() {
        problems.extend(collection.notes_with_unreadable_lists()?);
        let mut logs: std::collections::HashMap<i64, Vec<ReviewRow>> =
            std::collections::HashMap::new();
        let mut reviews = 0usize;
        collection.for_each_review_by_card(|row| {
            reviews += 1;
            logs.entry(row.card_id).or_default().push(row);
            Ok(())
        })?;
        let settings = collection.settings_table()?;
        let mut cards = 0usize;
        let active = collection.config()?.scheduler;
        let seeds = collection.note_seeds()?;
        collection.for_each_card(|card| {
            cards += 1;
            let log = logs.remove(&card.id).unwrap_or_default();
            let fuzz_card_id = fuzz_card_id(card.id, seeds.get(&card.note_id).copied());
            problems.extend(check_card(
                card.id,
                fuzz_card_id,
                &card.state,
                &log,
                &settings,
                active,
            ));
            Ok(())
        })?;
        for card_id in logs.keys() {
            problems.push(format!(
                "reviews point at card {card_id}, which does not exist"
            ));
        }
        if problems.is_empty() {
            let replay = if reviews == 1 {
                "1 review replays".to_string()
            } else {
                format!("{reviews} reviews replay")
            };
            let all = if cards == 1 { "its" } else { "all" };
            writeln!(
                out,
                "ok: the database is intact and {replay} to the stored state of {all} {}.",
                crate::repl::render::plural(cards, "card")
            )
            .map_err(Error::Output)?;
        }
    }
    Ok(problems)
}

/// Problems with one card under the `active` scheduler: a log row whose before-state is not the previous after-state (converted where the scheduler changed), a
/// row made by a scheduler this build does not know (so it cannot be replayed), a row the
/// scheduler disagrees with, or a stored state the replay does not reproduce. The log is
/// replayed with the fuzz drawn from `fuzz_card_id` (`model::fuzz_card_id`: the card's own id
/// unless its note has a seed); problems name the card by `card_id`.
pub fn check_card(
    card_id: i64,
    fuzz_card_id: i64,
    stored: &crate::scheduler::CardState,
    log: &[ReviewRow],
    settings: &SettingsTable,
    active: crate::scheduler::SchedulerKind,
) -> Vec<String> {
    let mut problems = vec![];
    let mut logged: Vec<LoggedAnswer> = Vec::with_capacity(log.len());
    for row in log {
        let answer = match row.as_logged(settings) {
            Ok(answer) => answer,
            Err(why) => {
                // Not replayed is not proven: the card's state cannot be checked.
                let what = match why {
                    Unreplayable::Settings(id) => {
                        format!("names scheduler settings (row {id}) this build cannot read")
                    }
                    Unreplayable::Scheduler => {
                        "was made with a scheduler this build does not know".to_string()
                    }
                };
                problems.push(format!(
                    "card {card_id}: review {} {what}, so its log cannot be replayed",
                    row.id
                ));
                return problems;
            }
        };
        logged.push(answer);
    }
    // Where the scheduler changes between rows, a row starts from the state converted to its
    // scheduler (`scheduler::convert`), not from the previous row's.
    let mut previous = crate::scheduler::CardState::new_card();
    for (i, row) in log.iter().enumerate() {
        if i > 0 && logged[i].scheduler != logged[i - 1].scheduler {
            // A conversion that fails is reported by the replay below.
            if let Ok(converted) =
                switched(fuzz_card_id, &logged[..i], logged[i].scheduler, &previous)
            {
                previous = converted;
            }
        }
        if row.kind != crate::scheduler::replay::ReviewKind::Import && row.before != previous {
            problems.push(format!("card {card_id}: review {} starts from a state the previous one did not leave (row {})", row.id, i + 1));
            break;
        }
        previous = row.after;
    }
    match replay_under(fuzz_card_id, &logged, active) {
        Ok(state) if state == *stored => {}
        Ok(state) => problems.push(format!(
            "card {card_id}: stored state {stored:?} differs from its replayed log {state:?}"
        )),
        Err(divergence) => problems.push(match divergence.expected {
            Ok(expected) => format!(
                "card {card_id}: review {} logged {:?} but the scheduler gives {expected:?}",
                log[divergence.index].id, divergence.logged
            ),
            Err(reason) => format!(
                "card {card_id}: review {} cannot be replayed: {reason}",
                log[divergence.index].id
            ),
        }),
    }
    problems
}
