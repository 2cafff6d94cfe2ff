//! Fuzzes Anki packages: the bytes are written to a temporary `.apkg` file and read by
//! `import::load`, which unzips, opens the collection in SQLite, converts and validates it.
#![no_main]

use jargon::deck::{Format, LoadOptions};
use jargon::error::Error;
use jargon_fuzz::{check_loaded, clock};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let path = dir.path().join("fuzz.apkg");
    if std::fs::write(&path, bytes).is_err() {
        return;
    }
    let options = LoadOptions {
        deck: None,
        format: Some(Format::Apkg),
        clock: Some(clock()),
    };
    match jargon::import::load(&path, &options) {
        Ok(loaded) => check_loaded(&loaded),
        Err(e) => {
            assert_eq!(e.exit_code(), 1, "{e}");
            // A damaged collection may surface as a database error; anything else names
            // the package.
            if let Error::Input { file, .. } = &e {
                assert_eq!(file, &path, "{e}");
            }
        }
    }
});
