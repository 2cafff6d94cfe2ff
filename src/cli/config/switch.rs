//! `jargon config set scheduler NAME [--reschedule [--yes]]` (and `config unset scheduler`):
//! the switch engine ([`crate::switch`]) on the command line. A progress bar on standard
//! error when it is a terminal; `--reschedule` prints its preview on standard output and asks
//! on a terminal, or needs `--yes` without one.

use std::io::{BufRead, IsTerminal, Write};

use super::super::Context;
use crate::error::{Error, Result};
use crate::repl::render::plural;
use crate::scheduler::SchedulerKind;
use crate::switch::{self, Preview, Progress, Report, When};

/// A progress bar on standard error, drawn only when standard error is a terminal.
struct Bar {
    label: &'static str,
    bar: Option<indicatif::ProgressBar>,
}

impl Bar {
    fn new(label: &'static str) -> Bar {
        Bar { label, bar: None }
    }
}

impl Progress for Bar {
    fn start(&mut self, total: u64) {
        if !std::io::stderr().is_terminal() {
            return;
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            Some(total),
            indicatif::ProgressDrawTarget::stderr(),
        );
        let template = format!("{} {{bar:40}} {{pos}}/{{len}} cards {{eta}}", self.label);
        bar.set_style(
            indicatif::ProgressStyle::with_template(&template)
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        self.bar = Some(bar);
    }

    fn advance(&mut self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(done);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

pub fn run(
    context: &Context,
    value: &str,
    reschedule: bool,
    yes: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let to = SchedulerKind::parse(value)?;
    let asking = std::io::stdin().is_terminal();
    if reschedule && !yes && !asking {
        return Err(Error::usage(
            "--reschedule asks before it moves due dates, and standard input is not a terminal to ask on; add --yes to reschedule without asking",
        ));
    }
    let mut collection = context.open()?;
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let when = When {
        today: clock.today(),
        now_ms: clock.now().timestamp_millis(),
    };
    if reschedule {
        let preview = switch::preview(&collection, to, when, &mut Bar::new("previewing"))?;
        write_preview(out, to, &preview)?;
        if preview.moved() > 0 && !yes && !confirm(preview.moved())? {
            writeln!(out, "Nothing was changed.").map_err(Error::Output)?;
            return Ok(());
        }
    }
    let report = switch::run(
        &mut collection,
        to,
        reschedule,
        when,
        &mut Bar::new("switching"),
    )?;
    write_report(out, to, &report)
}

fn write_preview(out: &mut dyn Write, to: SchedulerKind, preview: &Preview) -> Result<()> {
    let moved = usize::try_from(preview.moved()).unwrap_or(usize::MAX);
    let head = if moved == 0 {
        format!("Rescheduling to {} moves no due date.", to.name())
    } else {
        format!(
            "Rescheduling to {} moves the due dates of {}: {} earlier, {} later.",
            to.name(),
            plural(moved, "card"),
            preview.earlier,
            preview.later
        )
    };
    let text = format!(
        "{head}\nReviews due (overdue included)  next 7 days  next 30 days\n  now                          {:>11}  {:>12}\n  after rescheduling           {:>11}  {:>12}",
        preview.due_7.0, preview.due_30.0, preview.due_7.1, preview.due_30.1
    );
    writeln!(out, "{text}").map_err(Error::Output)
}

/// Asks "Reschedule N cards? [y/N]" on standard error and reads the answer; only y or yes
/// (any case) says yes, and the end of input says no.
fn confirm(moved: u64) -> Result<bool> {
    let question = format!(
        "Reschedule {}? [y/N] ",
        plural(usize::try_from(moved).unwrap_or(usize::MAX), "card")
    );
    let mut err = crate::output::stderr();
    err.write_all(question.as_bytes())
        .and_then(|()| err.flush())
        .map_err(Error::Output)?;
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Error::io("read", std::path::Path::new("standard input"), e))?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

fn write_report(out: &mut dyn Write, to: SchedulerKind, report: &Report) -> Result<()> {
    let line = if report.already {
        format!("scheduler = {} (already; nothing changed)", to.name())
    } else {
        let cards = usize::try_from(report.cards).unwrap_or(usize::MAX);
        let mut line = format!(
            "scheduler = {} ({} replayed from their logs, {} changed",
            to.name(),
            plural(cards, "card"),
            report.changed
        );
        if report.rescheduled > 0 {
            line.push_str(&format!(", {} rescheduled)", report.rescheduled));
        } else {
            line.push_str(", due dates kept)");
        }
        line
    };
    writeln!(out, "{line}").map_err(Error::Output)
}
