//! `jargon config`: show, get, set and unset settings.

use std::io::{IsTerminal, Write};

use super::{Context, table};
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
    Set { key: String, value: String },
    /// Return a setting to its default
    Unset { key: String },
    /// List every setting (the default)
    List,
}

pub fn run(context: &Context, args: &Args, out: &mut dyn Write) -> Result<()> {
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
        Action::Set { key, value } => {
            let stored = collection.set_config(key, value)?;
            writeln!(out, "{key} = {stored}").map_err(Error::Output)?;
        }
        Action::Unset { key } => {
            collection.unset_config(key)?;
            writeln!(out, "{key} = {} (default)", find_key(key)?.default).map_err(Error::Output)?;
        }
    }
    Ok(())
}
