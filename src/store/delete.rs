//! Placeholder until the delete helper's branch lands.
use rusqlite::Transaction;

use crate::error::Result;

pub(crate) fn delete_notes_in(_tx: &Transaction, _notes: &[(i64, String)]) -> Result<()> {
    Err(crate::error::Error::failed(
        "deleting notes is not built yet",
    ))
}
