//! `jargon completions SHELL`: completion scripts generated from the clap definitions.

use std::io::Write;

use clap::CommandFactory;

use super::Cli;
use crate::error::Result;

#[derive(Debug, clap::Args)]
pub struct Args {
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<()> {
    clap_complete::generate(args.shell, &mut Cli::command(), "jargon", out);
    Ok(())
}
