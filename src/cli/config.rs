//! `jargon config`: show, get, set and unset settings.

use std::io::{IsTerminal, Write};

use super::{Context, table};

mod switch;
use crate::config::{KEYS, find_key};
use crate::error::{Error, Result};
use crate::repl::render::{terminal_width, wrap};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Option<Action>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Print one setting's value
    Get { key: String },
    /// Change a setting (checked before it is stored)
    ///
    /// `config set scheduler sm2|anki|fsrs` recomputes every card's state from its history
    /// under the new scheduler, keeping due dates; `--reschedule` also moves due dates to what
    /// the new scheduler gives, after a preview and a question.
    Set {
        key: String,
        /// The new value (a negative number such as -0.20 is a value, not a flag)
        #[arg(allow_negative_numbers = true)]
        value: String,
        /// With `scheduler`: also move each card's due date to what the new scheduler gives
        /// from its last answer (one `reschedule` row per moved card), after a preview and
        /// a [y/N] question
        #[arg(long)]
        reschedule: bool,
        /// With --reschedule: do not ask (needed when standard input is not a terminal)
        #[arg(long, requires = "reschedule")]
        yes: bool,
    },
    /// Return a setting to its default
    Unset { key: String },
    /// List every setting (the default)
    List,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
    match args.action.as_ref() {
        Some(Action::Set {
            key,
            value,
            reschedule,
            yes,
        }) if key == "scheduler" => {
            return switch::run(context, value, *reschedule, *yes, out);
        }
        Some(Action::Set {
            reschedule: true, ..
        }) => {
            return Err(Error::usage(
                "--reschedule goes with `config set scheduler` only",
            ));
        }
        Some(Action::Unset { key }) if key == "scheduler" => {
            return switch::run(context, find_key(key)?.default, false, false, out);
        }
        _ => {}
    }
    let collection = context.open()?;
    let pairs = collection.config_pairs()?;
    match args.action.as_ref().unwrap_or(&Action::List) {
        Action::List => {
            let rows: Vec<Vec<String>> = KEYS
                .iter()
                .map(|k| {
                    vec![
                        k.name.to_string(),
                        pairs
                            .get(k.name)
                            .cloned()
                            .unwrap_or_else(|| k.default.to_string()),
                        k.default.to_string(),
                        k.help.to_string(),
                    ]
                })
                .collect();
            let width = terminal_width(std::io::stdout().is_terminal());
            writeln!(
                out,
                "{}",
                table::render_wrapping(
                    &["key", "value", "default", "meaning"],
                    &rows,
                    &[],
                    40,
                    width
                )
            )
            .map_err(Error::Output)?;
            let place = format!("Collection: {}", context.db.display());
            writeln!(out, "\n{}", wrap(&place, width, "", "  ").join("\n"))
                .map_err(Error::Output)?;
        }
        Action::Get { key } => {
            let k = find_key(key)?;
            writeln!(
                out,
                "{}",
                pairs.get(k.name).map_or(k.default, String::as_str)
            )
            .map_err(Error::Output)?;
        }
        Action::Set { key, value, .. } => {
            let now_ms = crate::clock::now_from_env()?.timestamp_millis();
            let stored = collection.set_config(key, value, now_ms)?;
            writeln!(out, "{key} = {stored}").map_err(Error::Output)?;
        }
        Action::Unset { key } => {
            let now_ms = crate::clock::now_from_env()?.timestamp_millis();
            collection.unset_config(key, now_ms)?;
            writeln!(out, "{key} = {} (default)", find_key(key)?.default).map_err(Error::Output)?;
        }
    }
    Ok(())
}
