//! `jargon optimize`: FSRS-6 parameters fitted to the learner's own log
//! ([`crate::memory::fit`]), printed with how well the default and the fitted parameters
//! describe that log, and kept (`fsrs_parameters`, with `fsrs_fitted` saying when and on
//! what) so that fsrs schedules with them from then on. `--dry-run` keeps nothing; `--reset`
//! goes back to the defaults.

use std::io::Write;

use super::Context;
use super::memory_log::{advance, answers, error, progress_bar};
use crate::error::{Error, Result};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Fit to this deck's log (with its sub-decks) only; the parameters apply to every deck
    #[arg(long, value_name = "NAME")]
    pub deck: Option<String>,
    /// Fit and print, keep nothing
    #[arg(long, conflicts_with = "reset")]
    pub dry_run: bool,
    /// Go back to FSRS's default parameters
    #[arg(long)]
    pub reset: bool,
}

impl Args {
    /// Whether the run writes to the collection.
    pub fn writes(&self) -> bool {
        !self.dry_run
    }
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    let collection = context.open()?;
    if args.reset {
        if args.deck.is_some() {
            return Err(Error::usage(
                "--reset goes back to the defaults for every deck; it takes no --deck",
            ));
        }
        let now_ms = crate::clock::now_from_env()?.timestamp_millis();
        collection.change_config(&[("fsrs_parameters", None), ("fsrs_fitted", None)], now_ms)?;
        return writeln!(
            out,
            "fsrs uses FSRS's default parameters again (`jargon optimize` fits yours)."
        )
        .map_err(Error::Output);
    }
    let config = collection.config()?;
    let clock = Context::clock(&config)?;
    let (log, rows) = answers(&collection, args.deck.as_deref())?;
    let bar = progress_bar("fitting");
    let fitted = crate::memory::fit(&log, &mut |f| advance(&bar, f));
    bar.finish_and_clear();
    let fitted = fitted.map_err(error)?;

    let mut text = String::new();
    text.push_str(&format!(
        "Fitted FSRS-6 to {} reviews of {} cards ({} answers read, of {} logged rows{}).\n",
        fitted.reviews,
        fitted.cards,
        log.len(),
        rows,
        args.deck
            .as_deref()
            .map(|d| format!(" in {}", crate::text::sanitize(d)))
            .unwrap_or_default()
    ));
    text.push_str("Parameters:");
    for (i, p) in fitted.parameters.iter().enumerate() {
        text.push_str(if i % 7 == 0 { "\n  " } else { " " });
        text.push_str(&format!("{p:.4}"));
    }
    text.push_str("\n\n             log loss  RMSE(bins)\n");
    for (name, m) in [
        ("default", fitted.default_metrics),
        ("fitted", fitted.fitted_metrics),
    ] {
        text.push_str(&format!(
            "  {name:<9} {:>9.4}  {:>10.4}\n",
            m.log_loss, m.rmse_bins
        ));
    }
    text.push_str(
        "  (on the reviews fitted, recent ones weighted more; `jargon evaluate` scores predictions)\n",
    );
    if fitted.kept_default {
        text.push_str("The fitted parameters do not describe this log better than the defaults; ");
    }
    let today = crate::clock::Clock::date_of_day(clock.today());
    let stamp = format!(
        "{today}: {} reviews of {} cards{}",
        fitted.reviews,
        fitted.cards,
        args.deck
            .as_deref()
            .map(|d| format!(" in {d}"))
            .unwrap_or_default()
    );
    let values: Vec<String> = fitted.parameters.iter().map(|p| p.to_string()).collect();
    if args.dry_run {
        text.push_str("dry run: nothing was kept.\n");
    } else if fitted.kept_default {
        collection.change_config(
            &[("fsrs_parameters", None), ("fsrs_fitted", Some(&stamp))],
            clock.now().timestamp_millis(),
        )?;
        text.push_str("fsrs keeps the defaults.\n");
    } else {
        collection.change_config(
            &[
                ("fsrs_parameters", Some(&values.join(" "))),
                ("fsrs_fitted", Some(&stamp)),
            ],
            clock.now().timestamp_millis(),
        )?;
        text.push_str(
            "Kept: fsrs schedules with these from now on (`jargon config` shows them and fsrs_fitted; `jargon optimize --reset` goes back).\n",
        );
    }
    if !args.dry_run && config.scheduler != crate::scheduler::SchedulerKind::Fsrs {
        text.push_str(&format!(
            "The scheduler now is {}: `jargon config set scheduler fsrs` schedules with FSRS.\n",
            config.scheduler.name()
        ));
    }
    out.write_all(super::memory_log::fit_to_screen(&text).as_bytes())
        .map_err(Error::Output)
}
