//! Helpers for the sync tests (`sync_cli`, `sync_orders`): a device is a collection in its
//! own temporary folder with its own clock; these run `jargon sync`, a review session, and
//! read what the tests compare (the status's fingerprint, the answers' global ids).

use std::path::Path;

use super::{Env, text};

/// The built-in deck the sync tests study.
pub const DECK: &str = "ML::Data and MLOps";

/// A new collection whose clock reads `now`.
pub fn device(now: &str) -> Env {
    let mut env = Env::new();
    env.now = now.to_string();
    env
}

/// `jargon sync DIR` (the first time) or `jargon sync`; returns its standard output.
pub fn sync(env: &Env, dir: Option<&Path>) -> String {
    match dir {
        Some(dir) => env.ok(&["sync", dir.to_str().expect("UTF-8 temp path")]),
        None => env.ok(&["sync"]),
    }
}

/// A review session of `deck` at `now` with `input` typed, at most `limit` cards.
pub fn review_deck(env: &mut Env, deck: &str, now: &str, input: &str, limit: &str) {
    env.now = now.to_string();
    let out = env.run_with_input(&["review", "--deck", deck, "--limit", limit], input);
    assert!(out.status.success(), "{}", text(&out).1);
}

/// A review session of [`DECK`].
pub fn review(env: &mut Env, now: &str, input: &str, limit: &str) {
    review_deck(env, DECK, now, input, limit);
}

/// The content fingerprint `jargon sync --status --format json` prints.
pub fn fingerprint(env: &Env) -> String {
    let status = env.ok(&["sync", "--status", "--format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&status).expect("status JSON");
    value["fingerprint"]
        .as_str()
        .expect("a fingerprint in the status")
        .to_string()
}

/// Every answer's global id, sorted; each must have one (every answer is published).
pub fn gids(env: &Env) -> Vec<String> {
    let conn = rusqlite::Connection::open(&env.db).expect("open db");
    let mut stmt = conn
        .prepare("SELECT gid FROM reviews ORDER BY gid")
        .expect("prepare");
    stmt.query_map([], |r| r.get::<_, Option<String>>(0))
        .expect("query")
        .map(|g| g.expect("row").expect("every answer is published"))
        .collect()
}
