//! `jargon review`: the daily session, interactive on a terminal, line by line otherwise.

use std::io::IsTerminal;

use super::Context;
use super::args::OrderChoice;
use crate::error::Result;
use crate::repl::line::LineFrontend;
use crate::repl::terminal::TerminalFrontend;
use crate::repl::{self, ReviewOptions};
use crate::session::Order;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only this deck and its sub-decks
    #[arg(long)]
    pub deck: Option<String>,
    /// New cards to introduce in this session (instead of what the daily limit leaves); they
    /// keep their place within --limit
    #[arg(long, value_name = "N")]
    pub new: Option<u32>,
    /// At most this many cards. With --new N, the new cards take min(N, new cards available)
    /// of it and due cards the rest; without --new, due cards come first and new cards fill
    /// what they leave
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,
    /// Study cards whether or not they are due, without changing their schedule or statistics
    #[arg(long)]
    pub cram: bool,
    /// Order of the cards
    #[arg(long, value_enum, default_value_t = OrderChoice::Due)]
    pub order: OrderChoice,
    /// Shorthand for --order shuffle
    #[arg(long, conflicts_with = "order")]
    pub shuffle: bool,
}

pub fn run(context: &Context, args: &Args) -> Result<()> {
    let mut collection = context.open()?;
    let mut config = collection.config()?;
    // Sync first, so the session sees what other machines did (settings included).
    let synced = config.sync_on_review && collection.sync_state()?.is_some();
    if synced {
        super::sync::quietly(&mut collection);
        config = collection.config()?;
    }
    let clock = Context::clock(&config)?;
    let options = ReviewOptions {
        deck: args.deck.clone(),
        new_limit: args.new,
        limit: args.limit,
        cram: args.cram,
        order: if args.shuffle {
            Order::Shuffle
        } else {
            args.order.into()
        },
    };
    if std::io::stdin().is_terminal() && std::io::stdout().is_terminal() {
        let mut frontend = TerminalFrontend::new()?;
        repl::run(&mut collection, &config, clock, &options, &mut frontend)?;
    } else {
        let stdin = std::io::stdin().lock();
        let stdout = std::io::stdout().lock();
        let mut frontend = LineFrontend::over_stdin(stdin, stdout);
        repl::run(&mut collection, &config, clock, &options, &mut frontend)?;
    }
    if synced {
        super::sync::quietly(&mut collection);
    }
    Ok(())
}
