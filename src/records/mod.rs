//! Plain records that cross layers: what `store/` returns and takes, and what `deck/`,
//! `stats/`, `session/` and the engines build or read. No SQL, no parsing, no logic beyond
//! constructors: a record here lets two layers agree on data without one reaching into the
//! other (`deck/` never names a `store::` type, `store/` never a `deck::` or `stats::` one).

pub mod anki;
pub mod export;
pub mod import;
pub mod queue;
pub mod stats;
pub mod sync;
