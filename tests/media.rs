//! A package's media files through the real binary: stored beside the collection by `import`
//! (current and legacy media maps), found by `check`, opened by the review's `:open`; and
//! packages built here from Anki's own fixture with hostile maps: a name climbing out of the
//! folder, a huge recorded size, a file that inflates past the cap, a symbolic link already
//! in the folder, a name taken by other bytes, a name listed twice.

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;

use crate::common::{Env, fixture, sh_editor, text};

/// The media folder of the test's collection.
fn media(env: &Env) -> PathBuf {
    env.db.with_extension("media")
}

fn sha1_hex(bytes: &[u8]) -> String {
    sha1_smol::Sha1::from(bytes).digest().to_string()
}

/// The fixture's media files, by name, as Anki exported them.
fn fixture_media() -> Vec<(String, Vec<u8>)> {
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(fixture("anki-rich.apkg")).unwrap()).unwrap();
    let read = |archive: &mut zip::ZipArchive<std::fs::File>, name: &str| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut archive.by_name(name).unwrap(), &mut bytes).unwrap();
        zstd::decode_all(&bytes[..]).unwrap()
    };
    // The fixture's map lists tiny.png as entry 0 and beep.mp3 as entry 1.
    vec![
        ("tiny.png".to_string(), read(&mut archive, "0")),
        ("beep.mp3".to_string(), read(&mut archive, "1")),
    ]
}

/// The fixture's collection (schema 18), decompressed.
fn fixture_collection() -> Vec<u8> {
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(fixture("anki-rich.apkg")).unwrap()).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(
        &mut archive.by_name("collection.anki21b").unwrap(),
        &mut bytes,
    )
    .unwrap();
    zstd::decode_all(&bytes[..]).unwrap()
}

/// A protobuf length-delimited field.
fn field(number: u64, bytes: &[u8]) -> Vec<u8> {
    let mut out = varint(number << 3 | 2);
    out.extend(varint(bytes.len() as u64));
    out.extend_from_slice(bytes);
    out
}

fn varint(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// One file of a package to build: its name in the map, its bytes, the size the map records.
struct File {
    name: String,
    bytes: Vec<u8>,
    recorded: u64,
}

impl File {
    fn new(name: &str, bytes: &[u8]) -> File {
        File {
            name: name.to_string(),
            bytes: bytes.to_vec(),
            recorded: bytes.len() as u64,
        }
    }
}

/// A package of the fixture's collection with `sql` run on it and `files` as its media: a
/// current one (protobuf map, zstd files) or a legacy one (`collection.anki21`, JSON map).
fn package(env: &Env, name: &str, sql: &str, files: &[File], current: bool) -> PathBuf {
    let sqlite = env.path(&format!("{name}.sqlite"));
    std::fs::write(&sqlite, fixture_collection()).unwrap();
    {
        let conn = rusqlite::Connection::open(&sqlite).unwrap();
        conn.execute_batch(sql).unwrap();
    }
    let collection = std::fs::read(&sqlite).unwrap();
    std::fs::remove_file(&sqlite).unwrap();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    if current {
        entries.push(("meta".into(), vec![0x08, 0x03]));
        entries.push((
            "collection.anki21b".into(),
            zstd::encode_all(&collection[..], 3).unwrap(),
        ));
        let mut map = Vec::new();
        for (i, file) in files.iter().enumerate() {
            let mut entry = field(1, file.name.as_bytes());
            entry.extend(varint(2 << 3));
            entry.extend(varint(file.recorded));
            entry.extend(field(
                3,
                &sha1_smol::Sha1::from(&file.bytes).digest().bytes(),
            ));
            map.extend(field(1, &entry));
            entries.push((i.to_string(), zstd::encode_all(&file.bytes[..], 3).unwrap()));
        }
        entries.push(("media".into(), zstd::encode_all(&map[..], 3).unwrap()));
    } else {
        entries.push(("collection.anki21".into(), collection));
        let mut map = serde_json::Map::new();
        for (i, file) in files.iter().enumerate() {
            map.insert(i.to_string(), file.name.clone().into());
            entries.push((i.to_string(), file.bytes.clone()));
        }
        entries.push((
            "media".into(),
            serde_json::Value::Object(map).to_string().into_bytes(),
        ));
    }
    let path = env.path(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in &entries {
        zip.start_file(name.as_str(), options).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    path
}

/// The fields of the note with this guid, as stored.
fn fields_of(env: &Env, guid: &str) -> Vec<String> {
    let fields: String = env.sql(&format!("SELECT fields FROM notes WHERE guid = '{guid}'"));
    serde_json::from_str(&fields).unwrap()
}

/// Runs `check`; returns its exit code, standard output and standard error.
fn check(env: &Env) -> (Option<i32>, String, String) {
    let out = env.run(&["check"]);
    let (stdout, stderr) = text(&out);
    (out.status.code(), stdout, stderr)
}

fn notes(env: &Env) -> i64 {
    env.sql("SELECT count(*) FROM notes WHERE guid LIKE 'rich-%'")
}

#[test]
fn a_package_stores_its_media_once_and_check_compares_the_folder_with_the_notes() {
    let env = Env::new();
    let out = env.ok(&["import", fixture("anki-rich.apkg").to_str().unwrap()]);
    assert!(out.contains("; 2 media file(s) stored."), "{out}");
    let expected: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(fixture("anki-rich.expected.json")).unwrap())
            .unwrap();
    let mut names: Vec<String> = std::fs::read_dir(media(&env))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["beep.mp3", "tiny.png"]);
    for name in &names {
        let bytes = std::fs::read(media(&env).join(name)).unwrap();
        assert_eq!(sha1_hex(&bytes), expected["media"][name], "{name}");
    }
    let (code, stdout, stderr) = check(&env);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.starts_with("ok:") && !stdout.contains("note:"),
        "{stdout}"
    );
    assert_eq!(stderr, "");

    // The collection package holds the same two and one no note references.
    let out = env.ok(&["import", fixture("anki-rich.colpkg").to_str().unwrap()]);
    assert!(
        out.contains("; 1 media file(s) stored, 2 already there."),
        "{out}"
    );
    let (code, stdout, _) = check(&env);
    assert_eq!(code, Some(0));
    assert!(
        stdout.contains(&format!(
            "note: 1 file in {} no note references: 'unused.png'",
            media(&env).display()
        )),
        "{stdout}"
    );

    // A missing file is a warning naming it; the check still passes.
    std::fs::remove_file(media(&env).join("beep.mp3")).unwrap();
    let (code, _, stderr) = check(&env);
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(
        stderr,
        format!(
            "jargon: warning: 1 media file the notes reference is missing from {}: 'beep.mp3'\n",
            media(&env).display()
        )
    );
}

#[test]
fn a_dry_run_of_a_package_writes_no_note_and_no_file() {
    let env = Env::new();
    env.ok(&["cards"]);
    let before = env.fingerprint();
    let out = env.ok(&[
        "import",
        "--dry-run",
        fixture("anki-rich.apkg").to_str().unwrap(),
    ]);
    assert!(out.starts_with("Dry run, nothing written"), "{out}");
    assert!(out.contains("the files hold 2 media file(s)"), "{out}");
    assert_eq!(env.fingerprint(), before);
    assert!(!media(&env).exists());
}

#[test]
fn a_legacy_package_with_a_json_map_stores_its_files() {
    let env = Env::new();
    let files: Vec<File> = fixture_media()
        .iter()
        .map(|(name, bytes)| File::new(name, bytes))
        .collect();
    let path = package(&env, "legacy.apkg", "", &files, false);
    let out = env.ok(&["import", path.to_str().unwrap()]);
    assert!(out.contains("; 2 media file(s) stored."), "{out}");
    for (name, bytes) in fixture_media() {
        assert_eq!(
            std::fs::read(media(&env).join(&name)).unwrap(),
            bytes,
            "{name}"
        );
    }
    let (code, stdout, stderr) = check(&env);
    assert_eq!((code, stderr.as_str()), (Some(0), ""), "{stdout}");
}

#[test]
fn a_name_taken_by_other_bytes_is_stored_beside_and_the_note_points_at_it() {
    let env = Env::new();
    std::fs::create_dir(media(&env)).unwrap();
    std::fs::write(media(&env).join("tiny.png"), b"the learner's own picture").unwrap();
    let out = env.ok(&["import", fixture("anki-rich.apkg").to_str().unwrap()]);
    assert!(out.contains("; 2 media file(s) stored."), "{out}");
    let (_, tiny) = &fixture_media()[0];
    let stored = format!("tiny-{}.png", &sha1_hex(tiny)[..8]);
    assert_eq!(&std::fs::read(media(&env).join(&stored)).unwrap(), tiny);
    assert_eq!(
        std::fs::read(media(&env).join("tiny.png")).unwrap(),
        b"the learner's own picture"
    );
    assert_eq!(
        fields_of(&env, "rich-basic-5")[0],
        format!("What does this show?<br><img src=\"{stored}\">")
    );
    let (code, stdout, stderr) = check(&env);
    assert_eq!((code, stderr.as_str()), (Some(0), ""));
    assert!(
        stdout.contains("no note references: 'tiny.png'"),
        "{stdout}"
    );

    // Imported again: the same file is found under its stored name, the note is unchanged.
    let again = env.ok(&["import", fixture("anki-rich.apkg").to_str().unwrap()]);
    assert!(
        again.contains("0 updated") && again.contains("; 0 media file(s) stored, 2 already there."),
        "{again}"
    );
}

#[test]
fn a_map_naming_a_path_out_of_the_folder_is_stored_inside_under_a_safe_name() {
    let env = Env::new();
    let (_, tiny) = &fixture_media()[0];
    let path = package(
        &env,
        "climb.apkg",
        "UPDATE notes SET flds = replace(flds, 'src=\"tiny.png\"', 'src=\"../x.png\"')",
        &[File::new("../x.png", tiny)],
        true,
    );
    let out = env.ok(&["import", path.to_str().unwrap()]);
    assert!(out.contains("; 1 media file(s) stored."), "{out}");
    assert!(!env.path("x.png").exists());
    assert_eq!(&std::fs::read(media(&env).join("_.._x.png")).unwrap(), tiny);
    assert_eq!(
        fields_of(&env, "rich-basic-5")[0],
        "What does this show?<br><img src=\"_.._x.png\">"
    );
}

#[test]
fn a_huge_recorded_size_is_refused_before_anything_is_read_or_written() {
    let env = Env::new();
    let mut huge = File::new("tiny.png", b"small really");
    huge.recorded = u64::from(u32::MAX);
    let path = package(&env, "huge.apkg", "", &[huge], true);
    let stderr = env.fails(&["import", path.to_str().unwrap()], 1);
    assert_eq!(
        stderr,
        format!(
            "jargon: {}: the media file 'tiny.png' holds more than the 100.0 MiB limit per media file; refusing the package\n",
            path.display()
        )
    );
    assert_eq!(notes(&env), 0);
    assert!(!media(&env).exists());
}

#[test]
fn a_file_that_inflates_past_the_cap_is_cut_off_and_what_was_stored_is_removed() {
    let env = Env::new();
    let (_, tiny) = &fixture_media()[0];
    // 101 MiB of zeros, recorded as 10 bytes: zstd packs them into a few kilobytes.
    let mut bomb = File::new("bomb.bin", &vec![0u8; 101 * 1024 * 1024]);
    bomb.recorded = 10;
    let path = package(
        &env,
        "bomb.apkg",
        "",
        &[File::new("tiny.png", tiny), bomb],
        true,
    );
    assert!(std::fs::metadata(&path).unwrap().len() < 1024 * 1024);
    let stderr = env.fails(&["import", path.to_str().unwrap()], 1);
    assert!(
        stderr.ends_with(
            "the media file 'bomb.bin' holds more than the 100.0 MiB limit per media file; refusing the package\n"
        ),
        "{stderr}"
    );
    assert_eq!(notes(&env), 0);
    // tiny.png was stored before the bomb was met, and removed with the folder it needed.
    assert!(!media(&env).exists());
}

#[test]
fn a_symbolic_link_in_the_folder_is_refused_and_the_import_leaves_nothing() {
    let env = Env::new();
    std::fs::create_dir(media(&env)).unwrap();
    let outside = env.write("outside.mp3", "not to be touched");
    std::os::unix::fs::symlink(&outside, media(&env).join("beep.mp3")).unwrap();
    let out = env.run(&["import", fixture("anki-rich.apkg").to_str().unwrap()]);
    let (_, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("beep.mp3 is a symbolic link or not a regular file"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&outside).unwrap(),
        "not to be touched"
    );
    assert_eq!(notes(&env), 0);
    // tiny.png (entry 0) was written before the link was met, and removed; the folder stays.
    let mut left: Vec<String> = std::fs::read_dir(media(&env))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    left.sort();
    assert_eq!(left, ["beep.mp3"]);
}

#[test]
fn a_name_listed_twice_keeps_its_first_file_with_a_warning() {
    let env = Env::new();
    let (_, tiny) = &fixture_media()[0];
    let path = package(
        &env,
        "twice.apkg",
        "",
        &[
            File::new("tiny.png", tiny),
            File::new("tiny.png", b"other bytes"),
        ],
        true,
    );
    let out = env.run(&["import", path.to_str().unwrap()]);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("; 1 media file(s) stored."), "{stdout}");
    assert!(
        stderr.contains("the media map names 'tiny.png' twice; the file of entry 1 was left out"),
        "{stderr}"
    );
    assert_eq!(&std::fs::read(media(&env).join("tiny.png")).unwrap(), tiny);
}

/// Reviews every due card of `Rich::Sub` in line mode, typing `commands` at each card's first
/// prompt, with `JARGON_OPENER` a script that writes the path it gets to `opened`; returns
/// the review's output and the paths opened.
fn review_opening(env: &Env, commands: &str) -> (String, Vec<String>) {
    let opened = env.path("opened");
    let opener = sh_editor(
        env,
        "opener.sh",
        &format!("printf '%s\\n' \"$1\" >> {}\n", opened.display()),
    );
    let input = format!("{commands}\n\ng\n").repeat(20);
    let mut child = env
        .cmd()
        // Every card of the fixture is due by then.
        .env("JARGON_NOW", "2027-06-01T15:00:00Z")
        .env("JARGON_OPENER", opener)
        .args(["review", "--deck", "Rich::Sub", "--limit", "50"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    // The viewer runs on its own: wait (boundedly) for what it writes.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let wanted = stdout.matches("Opening ").count();
    loop {
        let lines: Vec<String> = std::fs::read_to_string(&opened)
            .unwrap_or_default()
            .lines()
            .map(str::to_string)
            .collect();
        if lines.len() >= wanted || std::time::Instant::now() > deadline {
            return (stdout, lines);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn open_starts_the_viewer_on_the_cards_file_and_names_what_is_missing() {
    let env = Env::new();
    env.ok(&["import", fixture("anki-rich.apkg").to_str().unwrap()]);
    let (stdout, mut opened) = review_opening(&env, ":open\n:open 2");
    assert!(stdout.contains("Opening tiny.png with sh."), "{stdout}");
    assert!(stdout.contains("Opening beep.mp3 with sh."), "{stdout}");
    assert!(
        stdout.contains("This card has no image or sound to open."),
        "{stdout}"
    );
    assert!(
        stdout.contains("This card has 1 file, so there is no file 2 to open."),
        "{stdout}"
    );
    // The reversed note's two cards both reference beep.mp3.
    opened.sort();
    opened.dedup();
    let folder = media(&env);
    assert_eq!(
        opened,
        [
            folder.join("beep.mp3").display().to_string(),
            folder.join("tiny.png").display().to_string()
        ]
    );
}

#[test]
fn open_names_a_missing_file_and_help_lists_it() {
    let env = Env::new();
    env.ok(&["import", fixture("anki-rich.apkg").to_str().unwrap()]);
    std::fs::remove_file(media(&env).join("tiny.png")).unwrap();
    let (stdout, mut opened) = review_opening(&env, ":open\n:help");
    opened.dedup();
    assert!(
        stdout.contains(&format!(
            "tiny.png is not in the media folder {} (jargon check lists the missing files).",
            media(&env).display()
        )),
        "{stdout}"
    );
    assert!(
        stdout.contains(":open      open this card's image or sound"),
        "{stdout}"
    );
    assert_eq!(opened, [media(&env).join("beep.mp3").display().to_string()]);
}

#[test]
fn open_lists_several_files_and_opens_the_one_asked_for() {
    let env = Env::new();
    let files: Vec<File> = fixture_media()
        .iter()
        .map(|(name, bytes)| File::new(name, bytes))
        .collect();
    let path = package(
        &env,
        "two.apkg",
        "UPDATE notes SET flds = replace(flds, 'A single red pixel', 'beep [sound:beep.mp3]')",
        &files,
        true,
    );
    env.ok(&["import", path.to_str().unwrap()]);
    let (stdout, opened) = review_opening(&env, ":open\n:open 2");
    assert!(
        stdout.contains("This card has 2 files: 1 tiny.png, 2 beep.mp3; :open N opens the Nth."),
        "{stdout}"
    );
    assert!(opened.contains(&media(&env).join("beep.mp3").display().to_string()));
}

#[test]
fn check_reports_a_fields_list_it_cannot_read_and_still_looks_at_the_media() {
    let env = Env::new();
    env.ok(&["import", fixture("anki-rich.apkg").to_str().unwrap()]);
    let conn = rusqlite::Connection::open(&env.db).unwrap();
    conn.execute(
        "UPDATE notes SET fields = 'not a list' WHERE guid = 'rich-basic-5'",
        [],
    )
    .unwrap();
    drop(conn);
    std::fs::remove_file(media(&env).join("beep.mp3")).unwrap();
    let (code, stdout, stderr) = check(&env);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains("problem: the fields of note ")
            && stdout.contains("are not a JSON list of strings"),
        "{stdout}"
    );
    // The media are compared all the same.
    assert!(
        stderr.contains("1 media file the notes reference is missing from")
            && stderr.contains("'beep.mp3'"),
        "{stderr}"
    );
    assert!(
        stderr.contains("the collection has 1 problem(s)"),
        "{stderr}"
    );
}

#[test]
fn a_package_imported_with_other_files_stores_its_media_and_takes_it_back_on_failure() {
    let env = Env::new();
    let csv = env.write(
        "more.csv",
        "#separator:Comma\n#columns:term,definition\nAlpha,first\n",
    );
    let broken = env.write("broken.toml", "[[notes]\nterm = ");
    let package = fixture("anki-rich.apkg");
    // A later file is refused: the files the package stored are removed again.
    let out = env.run(&[
        "import",
        package.to_str().unwrap(),
        broken.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
    assert!(!media(&env).exists());

    // With a name taken by other bytes: stored beside, the note points at it.
    std::fs::create_dir(media(&env)).unwrap();
    std::fs::write(media(&env).join("tiny.png"), b"the learner's own picture").unwrap();
    let out = env.ok(&["import", package.to_str().unwrap(), csv.to_str().unwrap()]);
    assert!(
        out.contains("26 added") && out.contains("; 2 media file(s) stored."),
        "{out}"
    );
    let (_, tiny) = &fixture_media()[0];
    let stored = format!("tiny-{}.png", &sha1_hex(tiny)[..8]);
    assert_eq!(&std::fs::read(media(&env).join(&stored)).unwrap(), tiny);
    assert_eq!(
        fields_of(&env, "rich-basic-5")[0],
        format!("What does this show?<br><img src=\"{stored}\">")
    );
}
