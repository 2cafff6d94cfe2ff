//! A package's media files stored in the media folder beside the collection for one import,
//! and removed again when the import fails. One [`MediaStore`] serves every package of an
//! import, so the import's cap ([`crate::media::Budget`]) covers them all.

use std::collections::HashMap;
use std::path::Path;

use crate::deck::NoteInput;
use crate::error::Result;
use crate::media::{Budget, MediaDir};

/// Names the notes reference that were stored under another name, and that name.
pub(crate) type Renamed = HashMap<String, String>;

/// What an import stored in the media folder.
#[derive(Debug)]
pub(crate) struct MediaStore {
    dir: MediaDir,
    /// Whether the folder was there before the import.
    folder_was_there: bool,
    budget: Budget,
    /// Files this import wrote, by their stored name.
    pub(crate) created: Vec<String>,
    /// Files that were already in the folder with the same bytes.
    pub(crate) present: usize,
}

impl MediaStore {
    /// The store for the collection at `collection`.
    pub(crate) fn new(collection: &Path) -> MediaStore {
        let dir = MediaDir::for_collection(collection);
        MediaStore {
            folder_was_there: dir.path().exists(),
            dir,
            budget: Budget::new(),
            created: Vec::new(),
            present: 0,
        }
    }

    /// Stores every media file of the package at `path`; returns the names stored under
    /// another name and the reader's warnings.
    pub(crate) fn store(&mut self, path: &Path) -> Result<(Renamed, Vec<String>)> {
        let mut renamed = Renamed::new();
        let (dir, created, present) = (&self.dir, &mut self.created, &mut self.present);
        let warnings =
            crate::deck::apkg::each_media(path, &mut self.budget, |name, bytes, budget| {
                let (stored, wrote) = dir.add_telling(name, bytes, budget)?;
                if wrote {
                    created.push(stored.clone());
                } else {
                    *present += 1;
                }
                if stored != name {
                    renamed.insert(name.to_string(), stored);
                }
                Ok(())
            })?;
        Ok((renamed, warnings))
    }

    /// Removes the files this import wrote (it failed or was rolled back), and the folder
    /// when the import made it and it is empty again. A file that cannot be removed stays:
    /// `jargon check` lists it as unreferenced.
    pub(crate) fn remove_created(&self) {
        for name in &self.created {
            let _ = self.dir.remove(name);
        }
        if !self.folder_was_there {
            self.dir.remove_if_empty();
        }
    }
}

/// Points the note's references to renamed media at the stored names.
pub(crate) fn point_at_stored(note: &mut NoteInput, renamed: &Renamed) {
    if renamed.is_empty() {
        return;
    }
    if let Some(rich) = note.fields.rich.as_mut() {
        for value in &mut rich.values {
            let rewritten = crate::media::rewrite_references(value, |name| {
                renamed.get(name).map(String::as_str)
            });
            *value = rewritten;
        }
    }
}
