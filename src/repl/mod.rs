//! The review front end: the session loop shared by the interactive terminal (rustyline) and
//! the line-by-line mode used when standard input is not a terminal.
//!
//! The loop reads input through a [`Frontend`], asks the pure [`crate::session::Session`]
//! which card comes next and the pure scheduler what an answer does, and commits every
//! answer to the store before the next card is shown.

mod answer;
mod commands;
pub mod editor;
pub mod input;
pub mod interrupt;
pub mod line;
pub mod render;
pub mod terminal;

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::model::{Card, Direction, Note};
use crate::scheduler::replay::ReviewKind;
use crate::scheduler::{Answer, CardState, Moment, NextStates, Quality, describe_interval_days};
use crate::session::matcher::{self, Verdict};
use crate::session::{Order, Plan, Session, Undone};
use crate::store::Collection;
use crate::store::cards::QueueQuery;
use crate::store::reviews::NewReview;
use input::{COMMANDS, Command, Line};
use render::{Style, duration, plural};

/// Said once when an answer has to wait for another jargon's write.
pub const ANSWER_KEPT: &str = "another jargon is writing to the collection; your answer is kept and will be saved as soon as it is free";

/// The pauses between tries to save an answer while the collection is busy.
const FIRST_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(100);
const MAX_RETRY_PAUSE: std::time::Duration = std::time::Duration::from_secs(2);
const RETRY_SLICE: std::time::Duration = std::time::Duration::from_millis(20);

/// One thing read from the learner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    Line(String),
    /// Ctrl-D or the end of standard input.
    Eof,
    /// Ctrl-C.
    Interrupted,
}

/// Where input comes from and output goes.
pub trait Frontend {
    fn read_line(&mut self, prompt: &str) -> Result<Read>;
    fn print(&mut self, text: &str) -> Result<()>;
    fn style(&self) -> Style;
    /// Whether `:edit` can open the learner's editor here (a terminal).
    fn can_edit(&self) -> bool;
}

/// What `jargon review` was asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewOptions {
    pub deck: Option<String>,
    /// Overrides the new cards left for today.
    pub new_limit: Option<u32>,
    /// At most this many cards in the session.
    pub limit: Option<u32>,
    /// Study ahead without touching the schedule or the statistics.
    pub cram: bool,
    pub order: Order,
}

/// The session's result, for the summary and for tests.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Summary {
    pub reviewed: usize,
    pub correct: usize,
    pub redrills: usize,
    pub elapsed_ms: i64,
}

enum Step {
    Answered(Quality),
    Command(Command),
    End,
}

/// What `:undo` needs to take an action back in the store; the queue side is kept by the
/// session, action for action.
enum UndoEntry {
    Answer {
        review_id: i64,
        suspended: bool,
        term: String,
    },
    Skip {
        term: String,
    },
    Bury {
        card_id: i64,
        /// The card's burial day before (none, or a past day).
        previous: Option<i64>,
        term: String,
    },
    Suspend {
        card_id: i64,
        term: String,
    },
}

/// Runs a review session to its end.
pub fn run(
    collection: &mut Collection,
    config: &Config,
    clock: Clock,
    options: &ReviewOptions,
    frontend: &mut dyn Frontend,
) -> Result<Summary> {
    let mut review = Review::start(collection, config, clock, options)?;
    review.run(frontend)
}

struct Review<'a> {
    collection: &'a mut Collection,
    config: Config,
    clock: Clock,
    started_at: DateTime<Utc>,
    started: Instant,
    session: Session,
    cram: bool,
    undo: Vec<UndoEntry>,
    /// Ctrl-C came while an answer waited for a busy collection: once it is saved, the
    /// session ends as Ctrl-C at a prompt ends it.
    interrupted: bool,
    /// Every note's term and aliases, built at the first typed answer that is not right.
    lexicon: Option<matcher::Lexicon>,
}

impl<'a> Review<'a> {
    fn start(
        collection: &'a mut Collection,
        config: &Config,
        clock: Clock,
        options: &ReviewOptions,
    ) -> Result<Review<'a>> {
        let today = clock.today();
        let deck_ids = match &options.deck {
            Some(name) => Some(collection.deck_ids_under(name)?),
            None => None,
        };
        let (new_done, reviews_done) = collection.studied_on(today)?;
        let limit = options.limit.unwrap_or(u32::MAX);
        let (due_limit, new_limit) = if options.cram {
            (limit.min(100_000), 0)
        } else {
            let new_left = options
                .new_limit
                .unwrap_or(config.new_per_day.saturating_sub(new_done));
            (
                config
                    .reviews_per_day
                    .saturating_sub(reviews_done)
                    .min(limit),
                new_left.min(limit),
            )
        };
        let session = if options.cram {
            let cards = collection.cram_candidates(deck_ids.as_deref(), today, due_limit)?;
            Session::build(&cards, &[], &plan(options, config, today, cards.len(), 0))
        } else {
            let query = QueueQuery {
                deck_ids,
                today,
                due_limit,
                // Fetch spare candidates: some are skipped as siblings of cards in the session.
                new_limit: new_limit.saturating_mul(3).saturating_add(10),
            };
            let (due, new) = collection.queue_candidates(&query)?;
            let mut session_plan = plan(options, config, today, due.len(), new_limit as usize);
            session_plan.limit = limit as usize;
            // New cards asked for with --new keep their share of --limit; the daily
            // allowance only fills what the reviews leave.
            if options.new_limit.is_some() {
                session_plan.reserved_new = new_limit as usize;
            }
            Session::build(&due, &new, &session_plan)
        };
        Ok(Review {
            collection,
            config: config.clone(),
            clock,
            started_at: clock.now(),
            started: Instant::now(),
            session,
            cram: options.cram,
            undo: vec![],
            interrupted: false,
            lexicon: None,
        })
    }

    /// The time now: the session's starting clock moved on by the time that has passed, so
    /// `JARGON_NOW` sessions still advance.
    fn now(&self) -> DateTime<Utc> {
        let elapsed =
            Duration::from_std(self.started.elapsed()).unwrap_or_else(|_| Duration::zero());
        self.started_at + elapsed
    }

    fn run(&mut self, ui: &mut dyn Frontend) -> Result<Summary> {
        let style = ui.style();
        if self.session.is_finished() {
            ui.print(&self.nothing_due_message()?)?;
            return Ok(Summary::default());
        }
        ui.print(&style.dim(&style.wrap(
            &format!(
                "{}{}. Enter reveals, a/h/g/e grades, :help for more.",
                plural(self.session.total(), "card"),
                if self.cram {
                    " to cram (schedule untouched)"
                } else {
                    " to review"
                }
            ),
            "",
            "",
        )))?;
        loop {
            let Some(entry) = self.session.current() else {
                if self.undo.is_empty() || !self.last_chance(ui)? {
                    break;
                }
                continue;
            };
            let (card, note) = self.collection.card_with_note(entry.card_id)?;
            let shown = Instant::now();
            ui.print("")?;
            ui.print(&self.header(&card, &note, entry.redrill, &style))?;
            let step = match card.direction {
                Direction::Forward => self.forward(ui, &card, &note, entry.redrill)?,
                Direction::Reverse => self.reverse(ui, &card, &note, entry.redrill)?,
            };
            match step {
                Step::Answered(quality) => {
                    let took = i64::try_from(shown.elapsed().as_millis())
                        .unwrap_or(i64::MAX)
                        .min(3_600_000);
                    self.commit(ui, &card, &note, entry.redrill, quality, took)?;
                    if self.interrupted {
                        break;
                    }
                }
                Step::Command(command) => {
                    if !self.command(ui, command, &card, &note)? {
                        break;
                    }
                }
                Step::End => break,
            }
        }
        let summary = Summary {
            reviewed: self.session.done(),
            correct: self.session.correct(),
            redrills: self.session.redrills_done(),
            elapsed_ms: i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX),
        };
        ui.print("")?;
        ui.print(&self.summary_text(&summary, &style)?)?;
        Ok(summary)
    }

    /// After the last card: one more prompt, so the last action can still be undone.
    /// Returns true when an action was undone and the session goes on. Every command works
    /// here: those about a card say there is none.
    fn last_chance(&mut self, ui: &mut dyn Frontend) -> Result<bool> {
        let style = ui.style();
        ui.print(&style.dim(&style.wrap(
            "That was the last card: Enter ends the session, :undo takes back the last action.",
            "",
            "",
        )))?;
        loop {
            let line = match ui.read_line("done> ")? {
                Read::Line(line) => line,
                Read::Eof | Read::Interrupted => return Ok(false),
            };
            match input::parse(&line) {
                Line::Enter | Line::Command(Command::Quit) => return Ok(false),
                Line::Command(Command::Undo) => {
                    self.undo_last(ui)?;
                    return Ok(true);
                }
                Line::Command(command @ (Command::Help | Command::Stats)) => {
                    self.inline_command(ui, command, None)?;
                }
                Line::Command(
                    Command::Skip
                    | Command::Bury
                    | Command::Suspend
                    | Command::Edit
                    | Command::Related,
                ) => ui.print(&style.yellow(
                    "No card is shown now: :undo brings back the last one, Enter ends the session.",
                ))?,
                Line::UnknownCommand(text) => self.unknown(ui, &text)?,
                Line::Grade(_) | Line::Text(_) => ui.print(&style.yellow(
                    "That was the last card: Enter ends the session, :undo takes back the last action.",
                ))?,
            }
        }
    }

    /// Takes back the latest action (answer, skip, bury or suspend): the store first, then
    /// the queue, so the card is shown again next.
    fn undo_last(&mut self, ui: &mut dyn Frontend) -> Result<()> {
        let style = ui.style();
        let Some(entry) = self.undo.pop() else {
            return ui.print(&style.yellow("Nothing to undo in this session."));
        };
        let (message, term) = match &entry {
            UndoEntry::Answer {
                review_id,
                suspended,
                term,
            } => {
                let row = self.collection.undo_review(*review_id, *suspended)?;
                let answer = Answer::from_quality(row.quality);
                (format!("Undid {}", answer.label()), term)
            }
            UndoEntry::Skip { term } => ("Brought back".to_string(), term),
            UndoEntry::Bury {
                card_id,
                previous,
                term,
            } => {
                self.collection.unbury(*card_id, *previous)?;
                ("Unburied".to_string(), term)
            }
            UndoEntry::Suspend { card_id, term } => {
                self.collection.set_suspended(&[*card_id], false)?;
                ("Unsuspended".to_string(), term)
            }
        };
        let undone = self.session.undo();
        debug_assert_eq!(
            undone.map(|u| matches!(u, Undone::Answer(..))),
            Some(matches!(entry, UndoEntry::Answer { .. })),
            "the session and the undo stack record the same actions"
        );
        let on = if matches!(entry, UndoEntry::Answer { .. }) {
            " on"
        } else {
            ""
        };
        ui.print(&style.dim(&format!(
            "{message}{on} '{}'; it is shown again.",
            crate::text::sanitize(term)
        )))
    }

    fn header(&self, card: &Card, note: &Note, redrill: bool, style: &Style) -> String {
        let progress = if redrill {
            "re-drill".to_string()
        } else {
            format!(
                "{}/{}",
                (self.session.done() + 1).min(self.session.total()),
                self.session.total()
            )
        };
        let waiting = self
            .session
            .redrills_waiting()
            .saturating_sub(usize::from(redrill));
        let mut parts = vec![style.cyan(&crate::text::sanitize(&note.deck)), progress];
        if waiting > 0 {
            parts.push(format!("{} to re-drill", waiting));
        }
        parts.push(card.state.phase.as_str().to_string());
        if card.direction == Direction::Reverse {
            parts.push("type the term".to_string());
        }
        style.wrap(
            &(style.dim("── ") + &parts.join(&style.dim(" · "))),
            "",
            "   ",
        )
    }

    fn preview(&self, card: &Card, redrill: bool, style: &Style) -> Result<String> {
        if redrill || self.cram {
            return Ok(style.dim(if self.cram {
                "  (cram: the schedule stays as it is)"
            } else {
                "  (re-drill: the schedule stays as it is)"
            }));
        }
        let next = self.next_states(card)?;
        let parts: Vec<String> = Answer::ALL
            .iter()
            .map(|a| {
                format!(
                    "{} {}",
                    a.label(),
                    describe_interval_days(next.get(*a).state.interval_days)
                )
            })
            .collect();
        Ok(style.dim(&format!("  {}", parts.join(" · "))))
    }

    /// The card ready for the active scheduler, and the moment with its previous answer's
    /// day (`replay::prepare`, as `check` replays it).
    fn prepared(&self, card: &Card) -> Result<(CardState, Moment)> {
        let now = self.now();
        let moment = Moment {
            card_id: card.id,
            today: self.clock.day_of(now),
            now: now.timestamp(),
            last_day: None,
        };
        let answers = self.collection.card_answers(card.id)?;
        crate::scheduler::replay::prepare(
            self.config.scheduler,
            &card.state,
            &answers,
            moment,
            &self.config.scheduling,
        )
    }

    fn next_states(&self, card: &Card) -> Result<NextStates> {
        let (state, moment) = self.prepared(card)?;
        self.config
            .scheduler
            .next_states(&state, &moment, &self.config.scheduling)
    }

    fn reveal(&self, ui: &mut dyn Frontend, card: &Card, note: &Note, redrill: bool) -> Result<()> {
        let style = ui.style();
        ui.print(&style.block(&note.fields.definition, "  "))?;
        if !note.fields.example.is_empty() {
            ui.print(&style.dim(&style.block(&format!("e.g. {}", note.fields.example), "  ")))?;
        }
        self.print_related_line(ui, note)?;
        ui.print(&self.preview(card, redrill, &style)?)
    }

    /// "related: a, b (:related)", naming the linked notes by their terms.
    fn print_related_line(&self, ui: &mut dyn Frontend, note: &Note) -> Result<()> {
        if note.fields.related.is_empty() {
            return Ok(());
        }
        let style = ui.style();
        let mut terms = vec![];
        for key in &note.fields.related {
            let found = self.collection.resolve_related(note, key)?;
            terms.push(found.map_or_else(|| key.clone(), |n| n.fields.term));
        }
        let line = format!("related: {} (:related)", terms.join(", "));
        ui.print(&style.dim(&style.block(&line, "  ")))
    }

    fn commit(
        &mut self,
        ui: &mut dyn Frontend,
        card: &Card,
        note: &Note,
        redrill: bool,
        quality: Quality,
        duration_ms: i64,
    ) -> Result<()> {
        let style = ui.style();
        let now = self.now();
        let (ready, moment) = self.prepared(card)?;
        let (kind, outcome) = if self.cram {
            (ReviewKind::Cram, None)
        } else if redrill {
            (ReviewKind::Drill, None)
        } else {
            let outcome =
                self.config
                    .scheduler
                    .answer(&ready, quality, &moment, &self.config.scheduling)?;
            (ReviewKind::Schedule, Some(outcome))
        };
        let after = outcome.map_or(card.state, |o| o.state);
        let became_leech = outcome.is_some_and(|o| o.became_leech);
        let suspend = became_leech && self.config.leech_suspend;
        let review = NewReview {
            card_id: card.id,
            reviewed_at_ms: now.timestamp_millis(),
            day: moment.today,
            quality,
            duration_ms,
            kind,
            scheduler: self.config.scheduler,
            settings: self.config.scheduling,
            retrievability: outcome.and_then(|o| o.retrievability),
        };
        let review_id = self.save_answer(ui, &review, &card.state, &after, suspend)?;
        self.session.answer(quality);
        self.undo.push(UndoEntry::Answer {
            review_id,
            suspended: suspend,
            term: note.fields.term.clone(),
        });
        let answer = Answer::from_quality(quality);
        let mut message = match kind {
            ReviewKind::Schedule => {
                let date = Clock::date_of_day(moment.today + i64::from(after.interval_days));
                format!(
                    "{} · next in {} ({})",
                    answer.label(),
                    describe_interval_days(after.interval_days),
                    date.format("%a %Y-%m-%d")
                )
            }
            _ => answer.label().to_string(),
        };
        if quality.needs_redrill() {
            message.push_str(" · comes back in a few cards");
        }
        let painted = match answer {
            Answer::Again => style.red(&message),
            Answer::Hard => style.yellow(&message),
            _ => style.green(&message),
        };
        ui.print(&format!("  {painted}"))?;
        if became_leech {
            ui.print(&style.yellow(&format!(
                "  This card is a leech ({}){}: consider rewriting it with :edit.",
                plural(usize::try_from(after.lapses).unwrap_or(usize::MAX), "lapse"),
                if suspend {
                    " and has been suspended"
                } else {
                    ""
                }
            )))?;
        }
        Ok(())
    }

    /// Commits an answer, waiting while another jargon writes to the collection: the answer
    /// is kept, the learner is told once, and the commit is tried again after a pause that
    /// doubles up to [`MAX_RETRY_PAUSE`] (each try itself waits SQLite's busy timeout). The
    /// next card is never shown before the answer is saved; any other failure (a conflict
    /// with another session included) ends the session with its sentence. Ctrl-C during the
    /// wait (see [`interrupt`]) asks for one last try: saved, the session then ends with its
    /// summary; still busy, the session ends saying the answer was not saved.
    fn save_answer(
        &mut self,
        ui: &mut dyn Frontend,
        review: &NewReview,
        before: &CardState,
        after: &CardState,
        suspend: bool,
    ) -> Result<i64> {
        let mut pause = FIRST_RETRY_PAUSE;
        // Created at the first busy answer: from then on Ctrl-C asks for one last try
        // instead of ending jargon with the answer unsaved.
        let mut deferred: Option<interrupt::Deferred> = None;
        loop {
            match self
                .collection
                .commit_answer(review, before, after, suspend)
            {
                Err(e) if e.is_busy() && deferred.as_ref().is_some_and(|d| d.pressed()) => {
                    return Err(Error::failed(format!(
                        "the answer was not saved (Ctrl-C while it waited): {}",
                        e.in_collection(self.collection.path())
                    )));
                }
                Err(e) if e.is_busy() => {
                    let waiting = match deferred {
                        Some(ref waiting) => waiting,
                        None => {
                            // Ctrl-C is caught before the learner is told, so one pressed
                            // on reading the line is never missed.
                            let waiting = deferred.insert(interrupt::Deferred::begin());
                            ui.print(&ui.style().yellow(&format!("  {ANSWER_KEPT}")))?;
                            waiting
                        }
                    };
                    // Sleep in short slices so Ctrl-C leads to the last try at once.
                    let until = Instant::now() + pause;
                    while Instant::now() < until && !waiting.pressed() {
                        std::thread::sleep(RETRY_SLICE);
                    }
                    pause = (pause * 2).min(MAX_RETRY_PAUSE);
                }
                // Say which answer was lost, with the collection's own sentence.
                Err(e) if e.db_failure().is_some() => {
                    return Err(Error::failed(format!(
                        "the answer was not saved: {}",
                        e.in_collection(self.collection.path())
                    )));
                }
                saved => {
                    self.interrupted |= deferred.as_ref().is_some_and(|d| d.pressed());
                    return saved;
                }
            }
        }
    }

    fn nothing_due_message(&self) -> Result<String> {
        let today = self.clock.day_of(self.now());
        let next = self.collection.next_due_after(today)?;
        Ok(match next {
            Some((day, count)) => format!(
                "Nothing is due now. Next: {} on {}.",
                plural(usize::try_from(count).unwrap_or(0), "card"),
                Clock::date_of_day(day).format("%a %Y-%m-%d")
            ),
            None => "Nothing is due, and no new cards are left for today.".to_string(),
        })
    }

    fn summary_text(&self, summary: &Summary, style: &Style) -> Result<String> {
        let today = self.clock.day_of(self.now());
        let headline = if summary.reviewed == 0 {
            "Session ended: no cards answered.".to_string()
        } else {
            format!(
                "Session over: {} reviewed, {} correct ({}%), {} re-drilled, {}.",
                plural(summary.reviewed, "card"),
                summary.correct,
                summary.correct * 100 / summary.reviewed.max(1),
                summary.redrills,
                duration(summary.elapsed_ms)
            )
        };
        let tomorrow = self.collection.due_on(today + 1)?;
        let left = self.session.total().saturating_sub(self.session.done());
        let mut details = vec![];
        if left > 0 {
            details.push(format!("{} left for today", plural(left, "card")));
        }
        details.push(format!("due tomorrow: {tomorrow}"));
        let current = self.collection.current_streak(today)?;
        if current > 0 {
            let days = plural(usize::try_from(current).unwrap_or(0), "day");
            details.push(format!("streak: {days}"));
        }
        Ok(format!(
            "{}\n{}",
            style.bold(&style.block(&headline, "")),
            style.block(&details.join(" · "), "")
        ))
    }
}

fn plan(
    options: &ReviewOptions,
    config: &Config,
    today: i64,
    due_limit: usize,
    new_limit: usize,
) -> Plan {
    Plan {
        new_limit,
        due_limit,
        limit: usize::MAX,
        reserved_new: 0,
        order: options.order,
        seed: u64::try_from(today).unwrap_or(0),
        redrill_gap: config.redrill_gap as usize,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_that_cannot_be_saved_ends_the_session_saying_so() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let collection = Collection::open(&path).unwrap();
        collection
            .conn()
            .execute_batch(
                "INSERT INTO decks (id, name, created_at) VALUES (1, 'One', 0);
                 INSERT INTO notes (id, deck_id, key, term, definition, created_at, modified_at)
                     VALUES (1, 1, 'a', 'A', 'a', 0, 0);",
            )
            .unwrap();
        drop(collection);
        // A read-only file makes every write fail the way a full disk does: not busy.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let mut collection = Collection::open(&path).unwrap();
        let config = collection.config().unwrap();
        let clock = Clock::from_env(config.zone, config.rollover_hour).unwrap();
        let mut output = Vec::new();
        let mut frontend = line::LineFrontend::new(&b"g\n"[..], &mut output);
        let error = run(
            &mut collection,
            &config,
            clock,
            &ReviewOptions::default(),
            &mut frontend,
        )
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "the answer was not saved: {} is read-only (the file or its folder), so jargon cannot write to it",
                path.display()
            )
        );
        drop(frontend);
        let shown = String::from_utf8(output).unwrap();
        assert!(shown.contains("1 card to review"), "{shown}");
        assert!(!shown.contains("next in"), "{shown}");
    }
}
