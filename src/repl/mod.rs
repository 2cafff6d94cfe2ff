//! The review front end: the session loop shared by the interactive terminal (rustyline) and
//! the line-by-line mode used when standard input is not a terminal.
//!
//! The loop reads input through a [`Frontend`], asks the pure [`crate::session::Session`]
//! which card comes next and the pure scheduler what an answer does, and commits every
//! answer to the store before the next card is shown.

mod answer;
mod commands;
mod commit;
pub mod editor;
pub mod input;
pub mod interrupt;
pub mod line;
mod modes;
pub mod render;
mod rich;
pub mod terminal;
pub mod wait;

use std::time::Instant;

use chrono::{DateTime, Duration, Utc};

use crate::clock::Clock;
use crate::config::Config;
use crate::error::Result;
use crate::model::{Card, Direction, Note};
use crate::scheduler::{
    Answer, CardState, Due, Moment, Quality, SchedulerKind, describe_interval_days,
};
use crate::session::matcher::{self, Verdict};
use crate::session::{Order, Plan, Session, Undone};
use crate::store::Collection;
use crate::store::cards::QueueQuery;
use input::{COMMANDS, Command, Line};
use render::{Style, duration, plural};

/// Said once when an answer has to wait for another jargon's write.
pub const ANSWER_KEPT: &str = "another jargon is writing to the collection; your answer is kept and will be saved as soon as it is free";

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
    /// Waits `real` (real time) for the next learning step; `line` words the time left
    /// ("next card in 4:32"). Ctrl-D or Ctrl-C stops it.
    fn wait(
        &mut self,
        real: std::time::Duration,
        line: &dyn Fn(std::time::Duration) -> String,
    ) -> Result<wait::Waited>;
    /// Runs `program` (the learner's editor) with the terminal in its ordinary modes, and
    /// takes the session's modes back after it.
    fn outside(&mut self, program: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        program()
    }
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
        /// The card's burial day before (none, or a past day), and its change time.
        previous: Option<i64>,
        previous_ms: Option<i64>,
        term: String,
    },
    Suspend {
        card_id: i64,
        /// The suspended flag's change time before.
        previous_ms: Option<i64>,
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
    /// Session seconds per real second: 1, or `JARGON_NOW_RATE` under `JARGON_NOW`.
    rate: u32,
    /// The end of the study day the session started in (unix seconds): a learning step due
    /// later waits for another session.
    day_end: i64,
}

/// Whether a scheduler puts cards on learning steps due at an instant (then nothing is
/// re-drilled) rather than re-drilling them as SM-2 does.
fn has_steps(kind: SchedulerKind) -> bool {
    !matches!(kind, SchedulerKind::Sm2)
}

impl<'a> Review<'a> {
    fn start(
        collection: &'a mut Collection,
        config: &Config,
        clock: Clock,
        options: &ReviewOptions,
    ) -> Result<Review<'a>> {
        let today = clock.today();
        let day_end = clock.day_start(today + 1).timestamp();
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
                deck_ids: deck_ids.clone(),
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
            let mut session = Session::build(&due, &new, &session_plan);
            // Cards on an intraday learning step come when due, whatever the limits say.
            let learning = collection.learning_candidates(deck_ids.as_deref(), today, day_end)?;
            session.add_learning(&learning);
            session
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
            rate: crate::clock::rate_from_env()?,
            day_end,
        })
    }

    /// The time now: the session's starting clock moved on by the time that has passed, so
    /// `JARGON_NOW` sessions still advance (`rate` times faster under `JARGON_NOW_RATE`).
    fn now(&self) -> DateTime<Utc> {
        let elapsed = self.started.elapsed() * self.rate;
        let elapsed = Duration::from_std(elapsed).unwrap_or_else(|_| Duration::zero());
        self.started_at + elapsed
    }

    /// The learning step to wait for when nothing else is left: its instant, if one is due
    /// within `learn_ahead`.
    fn step_within_reach(&self) -> Option<i64> {
        let at = self.session.next_waiting()?;
        let reach = i64::from(self.config.learn_ahead_minutes) * 60;
        (reach > 0 && at - self.now().timestamp() <= reach).then_some(at)
    }

    /// Waits for the learning step due at `at` with the front end's countdown.
    fn wait_for_step(&mut self, ui: &mut dyn Frontend, at: i64) -> Result<wait::Waited> {
        let left = u64::try_from(at - self.now().timestamp()).unwrap_or(0);
        let rate = self.rate;
        // Real time: the session's clock may run `rate` times faster.
        let real = std::time::Duration::from_secs(left) / rate;
        let line = move |real_left: std::time::Duration| {
            format!("next card in {}", wait::countdown(real_left * rate))
        };
        let waited = ui.wait(real, &line)?;
        Ok(waited)
    }

    /// "09:21", or "Mon 04:05" when the instant falls on another study day.
    fn clock_time(&self, at: i64) -> String {
        let when = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or(self.started_at);
        let format = if self.clock.day_of(when) == self.clock.day_of(self.now()) {
            "%H:%M"
        } else {
            "%a %H:%M"
        };
        self.clock.local(when).format(format).to_string()
    }

    /// A learning step's wait as a button preview shows it: "<1m", "6m", "1h", "1.5h".
    fn describe_step(&self, at: i64) -> String {
        describe_wait(at - self.now().timestamp())
    }

    fn run(&mut self, ui: &mut dyn Frontend) -> Result<Summary> {
        let style = ui.style();
        self.session.set_now(self.now().timestamp());
        if self.session.is_finished() {
            ui.print(&self.nothing_due_message()?)?;
            return Ok(Summary::default());
        }
        if self.session.current().is_none() && self.step_within_reach().is_none() {
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
            self.session.set_now(self.now().timestamp());
            let Some(entry) = self.session.current() else {
                if let Some(at) = self.step_within_reach() {
                    match self.wait_for_step(ui, at)? {
                        wait::Waited::Due => continue,
                        wait::Waited::Stopped => break,
                        wait::Waited::Command if self.between_steps(ui)? => continue,
                        wait::Waited::Command => break,
                    }
                }
                if self.undo.is_empty() || !self.last_chance(ui)? {
                    break;
                }
                continue;
            };
            let (card, note) = self.collection.card_with_note(entry.card_id)?;
            let shown = Instant::now();
            ui.print("")?;
            ui.print(&self.header(&card, &note, (entry.redrill, entry.returning), &style))?;
            let step = if note.notetype_id != crate::model::VOCAB_NOTETYPE {
                self.rich(ui, &card, &note, entry.redrill)?
            } else {
                match card.direction() {
                    Direction::Forward => self.forward(ui, &card, &note, entry.redrill)?,
                    Direction::Reverse => self.reverse(ui, &card, &note, entry.redrill)?,
                }
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

    /// While a learning step is awaited: one command before the wait goes on (`:undo`,
    /// `:stats`, `:help`; Enter just waits again). Returns false when the session ends.
    fn between_steps(&mut self, ui: &mut dyn Frontend) -> Result<bool> {
        let style = ui.style();
        let line = match ui.read_line("wait> ")? {
            Read::Line(line) => line,
            Read::Eof | Read::Interrupted => return Ok(false),
        };
        match input::parse(&line) {
            Line::Enter => {}
            Line::Command(Command::Quit) => return Ok(false),
            Line::Command(Command::Undo) => {
                self.undo_last(ui)?;
            }
            Line::Command(command @ (Command::Help | Command::Stats)) => {
                self.inline_command(ui, command, None)?;
            }
            Line::UnknownCommand(text) => self.unknown(ui, &text)?,
            Line::Command(_) | Line::Grade(_) | Line::Text(_) => ui.print(&style.yellow(
                "No card is shown now: the next one comes when its step is due; :undo takes back the last action.",
            ))?,
        }
        Ok(true)
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
                    if self.undo_last(ui)? {
                        return Ok(true);
                    }
                }
                Line::Command(command @ (Command::Help | Command::Stats)) => {
                    self.inline_command(ui, command, None)?;
                }
                Line::Command(
                    Command::Skip
                    | Command::Bury
                    | Command::Suspend
                    | Command::Edit
                    | Command::Related
                    | Command::Open(_),
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
    /// the queue, so the card is shown again next. An answer the store keeps (a sync from
    /// another terminal has published it, or the card has a later answer) is said so and
    /// stays on the undo stack: the card and the session go on as they were. Returns whether
    /// an action was taken back.
    fn undo_last(&mut self, ui: &mut dyn Frontend) -> Result<bool> {
        let style = ui.style();
        let Some(entry) = self.undo.pop() else {
            ui.print(&style.yellow("Nothing to undo in this session."))?;
            return Ok(false);
        };
        let (message, term) = match &entry {
            UndoEntry::Answer {
                review_id,
                suspended,
                term,
            } => match self.collection.undo_review(*review_id, *suspended)? {
                Ok(row) => {
                    let answer = Answer::from_quality(row.quality);
                    (format!("Undid {}", answer.label()), term)
                }
                Err(refused) => {
                    let message =
                        format!("Cannot undo '{}': {refused}.", crate::text::sanitize(term));
                    self.undo.push(entry);
                    ui.print(&style.yellow(&style.wrap(&message, "", "")))?;
                    return Ok(false);
                }
            },
            UndoEntry::Skip { term } => ("Brought back".to_string(), term),
            UndoEntry::Bury {
                card_id,
                previous,
                previous_ms,
                term,
            } => {
                self.collection.unbury(*card_id, *previous, *previous_ms)?;
                ("Unburied".to_string(), term)
            }
            UndoEntry::Suspend {
                card_id,
                previous_ms,
                term,
            } => {
                self.collection.unsuspend_to(*card_id, *previous_ms)?;
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
        )))?;
        Ok(true)
    }

    fn header(
        &self,
        card: &Card,
        note: &Note,
        (redrill, returning): (bool, bool),
        style: &Style,
    ) -> String {
        let progress = if redrill {
            "re-drill".to_string()
        } else if returning {
            format!("step {}", card.state.step + 1)
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
        if note.notetype_id == crate::model::VOCAB_NOTETYPE
            && card.direction() == Direction::Reverse
        {
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
        let (ready, moment) = self.prepared(card)?;
        let next = self
            .config
            .scheduler
            .next_states(&ready, &moment, &self.config.scheduling)?;
        let parts: Vec<String> = Answer::ALL
            .iter()
            .map(|a| {
                let state = next.get(*a).state;
                // A step from the moment the states were worked out: the clock may move on
                // (`JARGON_NOW_RATE`) before this line is printed.
                let when = match state.due {
                    Due::At(at) => describe_wait(at - moment.now),
                    _ => describe_interval_days(state.interval_days),
                };
                format!("{} {when}", a.label())
            })
            .collect();
        Ok(style.dim(&format!("  {}", parts.join(" · "))))
    }

    /// The card ready for the active scheduler, and the moment with its previous answer's
    /// day (`replay::prepare`, as `check` replays it). The moment carries the card id the
    /// fuzz is drawn from (its note's seed, `store::seed`); the answer is logged under the
    /// card's own id.
    fn prepared(&self, card: &Card) -> Result<(CardState, Moment)> {
        let now = self.now();
        let moment = Moment {
            card_id: self.collection.fuzz_card_id(card.id)?,
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

    /// "2 learning cards later today, the next at 09:21 (in 10m)", when steps wait.
    fn learning_later(&self) -> Option<String> {
        let at = self.session.next_waiting()?;
        Some(format!(
            "{} later today, the next at {} (in {})",
            plural(self.session.waiting(), "learning card"),
            self.clock_time(at),
            self.describe_step(at)
        ))
    }

    fn nothing_due_message(&self) -> Result<String> {
        if let Some(later) = self.learning_later() {
            return Ok(format!("Nothing is due now: {later}."));
        }
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
            let again = if has_steps(self.config.scheduler) {
                plural(self.session.steps_done(), "learning step")
            } else {
                format!("{} re-drilled", summary.redrills)
            };
            format!(
                "Session over: {} reviewed, {} correct ({}%), {again}, {}.",
                plural(summary.reviewed, "card"),
                summary.correct,
                summary.correct * 100 / summary.reviewed.max(1),
                duration(summary.elapsed_ms)
            )
        };
        let tomorrow = self.collection.due_on(today + 1)?;
        // Cards waiting for a learning step are told apart below.
        let left = self
            .session
            .total()
            .saturating_sub(self.session.done() + self.session.waiting_first());
        let mut details = vec![];
        if left > 0 {
            details.push(format!("{} left for today", plural(left, "card")));
        }
        details.extend(self.learning_later());
        details.push(format!("due tomorrow: {tomorrow}"));
        let current = crate::stats::gather::current_streak(self.collection, today)?;
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

/// How long until a learning step, as the button preview shows it: "<1m", "6m" (minutes
/// rounded), "1h", "1.5h", "2d".
pub fn describe_wait(seconds: i64) -> String {
    let seconds = seconds.max(0);
    let minutes = (seconds + 30) / 60;
    if seconds < 60 {
        "<1m".to_string()
    } else if minutes < 60 {
        format!("{minutes}m")
    } else if seconds < 86_400 {
        let tenths = (seconds + 180) / 360;
        if tenths % 10 == 0 {
            format!("{}h", tenths / 10)
        } else {
            format!("{}.{}h", tenths / 10, tenths % 10)
        }
    } else {
        format!("{}d", (seconds + 43_200) / 86_400)
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
    fn a_learning_step_is_described_in_minutes_then_hours() {
        let cases = [
            (0, "<1m"),
            (59, "<1m"),
            (60, "1m"),
            (75, "1m"),
            (330, "6m"),
            (600, "10m"),
            (3569, "59m"),
            (3600, "1h"),
            (5400, "1.5h"),
            (86_400, "1d"),
        ];
        for (seconds, shown) in cases {
            assert_eq!(describe_wait(seconds), shown, "{seconds} s");
        }
    }

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
