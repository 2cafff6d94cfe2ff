//! jargon: a terminal spaced-repetition engine with built-in decks of ML jargon.

// Messages reach people only through `output::Human` (see there).
#![deny(clippy::print_stdout, clippy::print_stderr)]
// The library has no `unsafe`; the binary's one call (mimalloc's option, `main.rs`) is outside it.
#![forbid(unsafe_code)]

pub mod cli; // the command line: its definitions and one file per subcommand
pub mod clock; // the one source of "now" and "today"
pub mod config; // settings: keys, defaults, validation (pure)
pub mod deck; // deck formats: parse -> validated records -> import plan
pub mod error; // the error type and exit codes
pub mod import; // the import engine: reads deck files and writes them in one transaction
pub mod media; // the media folder beside the collection: safe names, caps, stored once
pub mod memory; // know your memory: fit, evaluate and simulate over the learner's log (pure)
pub mod merge; // the sync engine: publish our changes, merge every other device's (store + sync)
pub mod model; // records shared by the store and the front ends
pub mod notes; // note types, templates, cloze, field HTML -> terminal text (pure)
pub mod outfile; // where a written file goes: stdout, through links, in place, or replaced whole
pub mod output; // the one writer for people: neutralises escapes, shows our colours
pub mod records; // plain records that cross layers (store <-> deck, stats, session)
pub mod repl; // the review session front end (terminal and line mode)
pub mod scheduler; // SM-2 and replay (pure)
pub mod session; // which card comes next; the answer matcher (pure)
pub mod stats; // statistics over the review log (pure)
pub mod store; // the only place that speaks SQL
pub mod switch; // switching scheduler: every card recomputed from its log, due dates moved on request
pub mod sync; // the shared sync folder: events, segment files, device claims (no SQL)
pub mod text; // sanitising and folding text (pure)
