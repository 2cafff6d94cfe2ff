//! A collection whose file or folder is not writable: every command that only reads works
//! and leaves no `-wal`/`-shm` file behind; every command that writes refuses at once with
//! one sentence (a review before its first card). The tests run as root in CI, so the
//! permission bits are what say "read-only", not a failed write.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::{Env, text};

fn set_writable(path: &Path, writable: bool) {
    let mode = std::fs::metadata(path).unwrap().permissions().mode();
    let mode = if writable {
        mode | 0o200
    } else {
        mode & !0o222
    };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A collection in its own folder with one answer logged; `protect` makes the file or the
/// folder read-only.
fn collection(protect_folder: bool) -> Env {
    let mut env = Env::new();
    let folder = env.path("store");
    std::fs::create_dir(&folder).unwrap();
    env.db = folder.join("collection.sqlite");
    let out = env.run_with_input(&["review", "--new", "1"], "g\n");
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(files_in(&folder), ["collection.sqlite"]);
    if protect_folder {
        set_writable(&folder, false);
    } else {
        set_writable(&env.db, false);
    }
    env
}

fn unprotect(env: &Env) {
    set_writable(env.db.parent().unwrap(), true);
    set_writable(&env.db, true);
}

fn reads_work_and_writes_refuse(env: &Env) {
    let folder = env.db.parent().unwrap().to_path_buf();
    let before = std::fs::read(&env.db).unwrap();
    let out_dir = env.dir.path();
    let report = out_dir.join("report.html");
    let backup = out_dir.join("backup.sqlite");
    let reads: Vec<Vec<String>> = vec![
        vec![],
        vec!["decks".into()],
        vec!["cards".into()],
        vec!["stats".into()],
        vec!["config".into()],
        vec!["check".into()],
        vec!["export".into(), "reviews".into()],
        vec![
            "export".into(),
            "deck".into(),
            "--deck".into(),
            "ML::Foundations".into(),
            "--format".into(),
            "csv".into(),
        ],
        vec![
            "report".into(),
            "--output".into(),
            report.to_str().unwrap().into(),
        ],
        vec!["backup".into(), backup.to_str().unwrap().into()],
    ];
    for args in &reads {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = env.run(&args);
        let (stdout, stderr) = text(&out);
        assert!(out.status.success(), "jargon {args:?}: {stderr}");
        assert_eq!(stderr, "", "jargon {args:?}");
        assert_eq!(files_in(&folder), ["collection.sqlite"], "jargon {args:?}");
        if args.first() == Some(&"export") && args.get(1) == Some(&"reviews") {
            assert_eq!(stdout.lines().count(), 2, "{stdout}");
        }
        if args.first() == Some(&"check") {
            assert!(stdout.starts_with("ok:"), "{stdout}");
        }
    }
    assert!(report.exists() && backup.exists());

    let sentence = format!(
        "jargon: {} is read-only (the file or its folder), so jargon cannot write to it\n",
        env.db.display()
    );
    let deck = env.write("deck.csv", "term,definition\nx,y\n");
    let writes: Vec<Vec<&str>> = vec![
        vec!["review"],
        vec!["import", deck.to_str().unwrap()],
        vec!["add", "--deck", "Mine", "--term", "t", "--definition", "d"],
        vec!["config", "set", "fuzz", "false"],
        vec!["suspend", "1"],
    ];
    for args in &writes {
        let out = env.run(args);
        let (stdout, stderr) = text(&out);
        assert_eq!(
            out.status.code(),
            Some(1),
            "jargon {args:?}: {stdout}{stderr}"
        );
        assert_eq!(stderr, sentence, "jargon {args:?}");
        assert_eq!(stdout, "", "jargon {args:?}");
    }
    assert_eq!(files_in(&folder), ["collection.sqlite"]);
    assert!(
        std::fs::read(&env.db).unwrap() == before,
        "the file changed"
    );
}

#[test]
fn a_read_only_file_is_read_and_never_written() {
    let env = collection(false);
    reads_work_and_writes_refuse(&env);
    unprotect(&env);
}

#[test]
fn a_read_only_folder_is_read_and_never_written() {
    let env = collection(true);
    reads_work_and_writes_refuse(&env);
    unprotect(&env);
}

#[test]
fn a_collection_cannot_be_created_in_a_read_only_folder() {
    let mut env = Env::new();
    let folder = env.path("empty");
    std::fs::create_dir(&folder).unwrap();
    env.db = folder.join("collection.sqlite");
    set_writable(&folder, false);
    let out = env.run(&["decks"]);
    set_writable(&folder, true);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert_eq!(
        stderr,
        format!(
            "jargon: cannot create the collection {}: its folder is read-only\n",
            env.db.display()
        )
    );
    assert!(files_in(&folder).is_empty());
}
