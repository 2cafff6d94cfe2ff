//! The media folder on a real file system, in temporary folders.

use super::*;

/// A collection path in a fresh temporary folder, and its media folder.
fn media() -> (tempfile::TempDir, MediaDir) {
    let dir = tempfile::tempdir().unwrap();
    let media = MediaDir::for_collection(&dir.path().join("jargon.sqlite3"));
    (dir, media)
}

/// Every entry of a folder, hidden ones included, sorted.
fn entries(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn the_folder_sits_beside_the_collection_and_waits_for_a_file() {
    let (dir, media) = media();
    assert_eq!(media.path(), dir.path().join("jargon.media"));
    assert_eq!(
        MediaDir::for_collection(Path::new("/x/col")).path(),
        Path::new("/x/col.media")
    );
    assert!(!media.path().exists());
    assert_eq!(media.list().unwrap(), Vec::<String>::new());
    assert_eq!(media.file("a.png"), None);
}

#[test]
fn the_same_name_with_the_same_bytes_is_stored_once() {
    let (_dir, media) = media();
    let mut budget = Budget::new();
    assert_eq!(
        media.add("cell.png", b"PNG1", &mut budget).unwrap(),
        "cell.png"
    );
    assert_eq!(
        media.add("cell.png", b"PNG1", &mut budget).unwrap(),
        "cell.png"
    );
    assert_eq!(entries(media.path()), ["cell.png"]);
    assert_eq!(fs::read(media.path().join("cell.png")).unwrap(), b"PNG1");
    assert_eq!(budget.used(), 4);
    assert_eq!(
        media.sha1("cell.png").unwrap(),
        sha1_smol::Sha1::from(b"PNG1").digest().to_string()
    );
}

#[test]
fn the_same_name_with_other_bytes_is_stored_beside_under_its_hash() {
    let (_dir, media) = media();
    let mut budget = Budget::new();
    media.add("cell.png", b"first", &mut budget).unwrap();
    let second = sha1_smol::Sha1::from(b"second").digest().to_string();
    let expected = format!("cell-{}.png", &second[..8]);
    assert_eq!(
        media.add("cell.png", b"second", &mut budget).unwrap(),
        expected
    );
    // Once more: the hashed name already holds these bytes.
    assert_eq!(
        media.add("cell.png", b"second", &mut budget).unwrap(),
        expected
    );
    // Sorted by bytes: '-' comes before '.'.
    assert_eq!(
        media.list().unwrap(),
        [expected.clone(), "cell.png".to_string()]
    );
    assert_eq!(fs::read(media.path().join("cell.png")).unwrap(), b"first");
    assert_eq!(fs::read(media.path().join(&expected)).unwrap(), b"second");
    assert_eq!(budget.used(), 11);
}

#[test]
fn a_hashed_name_holding_other_bytes_falls_back_to_the_whole_hash() {
    let (_dir, media) = media();
    let mut budget = Budget::new();
    let digest = sha1_smol::Sha1::from(b"new").digest().to_string();
    media.add("a.txt", b"old", &mut budget).unwrap();
    let short = format!("a-{}.txt", &digest[..8]);
    media.add(&short, b"squatter", &mut budget).unwrap();
    assert_eq!(
        media.add("a.txt", b"new", &mut budget).unwrap(),
        format!("a-{digest}.txt")
    );
}

#[test]
fn unsafe_names_are_made_safe_and_stay_in_the_folder() {
    let (dir, media) = media();
    let mut budget = Budget::new();
    let long = format!("{}.png", "n".repeat(296));
    let cases = [
        ("../x", "_.._x"),
        ("a/b", "a_b"),
        (".hidden", "_.hidden"),
        ("CON", "_CON"),
        ("x\u{1b}[31m.png", "x_[31m.png"),
        ("", "_"),
        (long.as_str(), &format!("{}.png", "n".repeat(251))),
    ];
    for (name, safe) in cases {
        assert_eq!(media.add(name, name.as_bytes(), &mut budget).unwrap(), safe);
        assert_eq!(fs::read(media.path().join(safe)).unwrap(), name.as_bytes());
    }
    // Nothing beside the collection but its media folder, nothing nested in it.
    assert_eq!(entries(dir.path()), ["jargon.media"]);
    let mut expected: Vec<String> = cases.iter().map(|(_, safe)| safe.to_string()).collect();
    expected.sort();
    assert_eq!(entries(media.path()), expected);
    assert_eq!(media.list().unwrap(), expected);
}

#[cfg(unix)]
#[test]
fn a_symlink_at_the_name_is_refused_and_its_target_untouched() {
    let (dir, media) = media();
    let mut budget = Budget::new();
    media.add("seed.txt", b"seed", &mut budget).unwrap();
    let target = dir.path().join("precious.txt");
    fs::write(&target, b"precious").unwrap();
    std::os::unix::fs::symlink(&target, media.path().join("pic.png")).unwrap();
    let error = media.add("pic.png", b"evil", &mut budget).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{} is a symbolic link or not a regular file; jargon neither follows nor replaces it in the media folder, so move it away",
            media.path().join("pic.png").display()
        )
    );
    assert_eq!(fs::read(&target).unwrap(), b"precious");
    assert!(
        fs::symlink_metadata(media.path().join("pic.png"))
            .unwrap()
            .is_symlink()
    );
    // Not listed, not a stored file, no hash through it; nothing left behind.
    assert_eq!(media.list().unwrap(), ["seed.txt"]);
    assert_eq!(media.file("pic.png"), None);
    assert!(media.sha1("pic.png").is_err());
    assert_eq!(entries(media.path()), ["pic.png", "seed.txt"]);
    assert_eq!(budget.used(), 4);
}

#[cfg(unix)]
#[test]
fn a_folder_or_a_fifo_at_the_name_is_refused() {
    let (_dir, media) = media();
    let mut budget = Budget::new();
    fs::create_dir_all(media.path().join("sub.png")).unwrap();
    assert!(media.add("sub.png", b"x", &mut budget).is_err());
    let status = std::process::Command::new("mkfifo")
        .arg(media.path().join("pipe.mp3"))
        .status()
        .unwrap();
    assert!(status.success());
    assert!(media.add("pipe.mp3", b"x", &mut budget).is_err());
    assert!(media.sha1("pipe.mp3").is_err());
    assert_eq!(media.list().unwrap(), Vec::<String>::new());
}

#[cfg(unix)]
#[test]
fn files_and_the_folder_get_0644_and_0755_less_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    // The umask as the kernel reports it (Linux); elsewhere the usual 022.
    let umask = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("Umask:"))?.to_string();
            u32::from_str_radix(line.trim_start_matches("Umask:").trim(), 8).ok()
        })
        .unwrap_or(0o022);
    let (_dir, media) = media();
    media.add("a.png", b"a", &mut Budget::new()).unwrap();
    let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(media.path()), 0o755 & !umask);
    assert_eq!(mode(&media.path().join("a.png")), 0o644 & !umask);
}

#[test]
fn a_file_over_the_cap_is_refused_by_name() {
    let (_dir, media) = media();
    let mut budget = Budget::with_limits(10, 25);
    let error = media.add("big.png", &[0; 11], &mut budget).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the media file big.png holds 11 bytes, more than the 10 bytes limit per media file"
    );
    assert!(!media.path().join("big.png").exists());
    assert_eq!(budget.used(), 0);
}

#[test]
fn an_import_over_its_cap_is_refused_by_name() {
    let (_dir, media) = media();
    let mut budget = Budget::with_limits(10, 25);
    media.add("one.png", &[1; 10], &mut budget).unwrap();
    media.add("two.png", &[2; 10], &mut budget).unwrap();
    // The same bytes again write nothing, so cost nothing.
    media.add("two.png", &[2; 10], &mut budget).unwrap();
    let error = media.add("three.png", &[3; 10], &mut budget).unwrap_err();
    assert_eq!(
        error.to_string(),
        "the media file three.png would bring this import's media to 30 bytes, more than the 25 bytes limit per import"
    );
    assert_eq!(media.list().unwrap(), ["one.png", "two.png"]);
    assert_eq!(budget.used(), 20);
}

#[test]
fn the_default_caps_are_100_mib_and_1_gib() {
    assert_eq!(
        Budget::new(),
        Budget::with_limits(104_857_600, 1_073_741_824)
    );
    let error = Budget::new()
        .check_file("huge.mp4", FILE_LIMIT + 1)
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "the media file huge.mp4 holds 100.0 MiB, more than the 100.0 MiB limit per media file"
    );
}

#[test]
fn the_list_leaves_out_temporary_and_hidden_files_and_folders() {
    let (_dir, media) = media();
    let mut budget = Budget::new();
    media.add("b.mp3", b"b", &mut budget).unwrap();
    media.add("a.png", b"a", &mut budget).unwrap();
    fs::write(media.path().join(".jargon-media-Ab12Cd.tmp"), b"half").unwrap();
    fs::write(media.path().join(".DS_Store"), b"x").unwrap();
    fs::create_dir(media.path().join("folder")).unwrap();
    assert_eq!(media.list().unwrap(), ["a.png", "b.mp3"]);
}

#[test]
fn a_stored_file_is_found_by_its_one_name_only() {
    let (dir, media) = media();
    media.add("a.png", b"a", &mut Budget::new()).unwrap();
    assert_eq!(media.file("a.png"), Some(media.path().join("a.png")));
    fs::write(dir.path().join("outside.png"), b"o").unwrap();
    for name in ["../outside.png", "", ".", "..", "b.png", "/etc/passwd"] {
        assert_eq!(media.file(name), None, "{name:?}");
    }
    let error = media.sha1("../outside.png").unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "\"../outside.png\" is not the name of a file in the media folder {}",
            media.path().display()
        )
    );
}

#[test]
fn a_file_in_the_place_of_the_folder_is_an_error() {
    let (_dir, media) = media();
    fs::write(media.path(), b"not a folder").unwrap();
    let error = media.add("a.png", b"a", &mut Budget::new()).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "{} is in the place of the media folder and is not a folder; move it away",
            media.path().display()
        )
    );
}

#[test]
fn the_audit_reports_missing_and_unreferenced_files() {
    let (_dir, media) = media();
    let mut budget = Budget::new();
    for name in ["used.png", "orphan.mp3", "also-orphan.jpg"] {
        media.add(name, name.as_bytes(), &mut budget).unwrap();
    }
    let referenced: BTreeSet<String> = ["used.png", "gone.png", "../escape.png"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(
        audit(&media, &referenced).unwrap(),
        Audit {
            missing: vec!["../escape.png".to_string(), "gone.png".to_string()],
            unreferenced: vec!["also-orphan.jpg".to_string(), "orphan.mp3".to_string()],
        }
    );
    // No folder yet: every reference is missing.
    let (_dir, empty) = self::media();
    assert_eq!(
        audit(&empty, &referenced).unwrap().missing,
        ["../escape.png", "gone.png", "used.png"]
    );
}

#[test]
fn the_opener_is_the_variable_split_or_the_system_viewer() {
    let file = Path::new("/m/a b.png");
    let os = |s: &str| OsString::from(s);
    assert_eq!(
        opener_from(Some(OsStr::new("feh  --scale-down ")), file),
        [os("feh"), os("--scale-down"), os("/m/a b.png")]
    );
    let system = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    assert_eq!(opener_from(None, file), [os(system), os("/m/a b.png")]);
    assert_eq!(
        opener_from(Some(OsStr::new("  ")), file),
        [os(system), os("/m/a b.png")]
    );
}

#[test]
fn add_telling_says_whether_it_wrote_and_remove_takes_only_what_it_names() {
    let (_dir, media) = media();
    let mut budget = Budget::new();
    assert_eq!(
        media.add_telling("a.png", b"one", &mut budget).unwrap(),
        ("a.png".to_string(), true)
    );
    assert_eq!(
        media.add_telling("a.png", b"one", &mut budget).unwrap(),
        ("a.png".to_string(), false)
    );
    assert_eq!(budget.used(), 3);
    // A symbolic link is removed itself, its target stays.
    let outside = media.path().with_extension("outside");
    fs::write(&outside, b"keep").unwrap();
    std::os::unix::fs::symlink(&outside, media.path().join("link.png")).unwrap();
    media.remove("link.png").unwrap();
    assert_eq!(fs::read(&outside).unwrap(), b"keep");
    // Not one name, or missing: nothing happens.
    media.remove("../jargon.outside").unwrap();
    media.remove("missing.png").unwrap();
    assert!(outside.exists());
    media.remove_if_empty();
    assert!(media.path().exists(), "a folder with a file stays");
    media.remove("a.png").unwrap();
    media.remove_if_empty();
    assert!(!media.path().exists());
}

#[test]
fn the_allowance_is_the_smaller_of_the_file_cap_and_what_is_left() {
    let (_dir, media) = media();
    let mut budget = Budget::with_limits(10, 25);
    assert_eq!(budget.allowance(), 10);
    media.add("a", &[1; 10], &mut budget).unwrap();
    media.add("b", &[2; 10], &mut budget).unwrap();
    assert_eq!(budget.allowance(), 5);
    assert!(budget.refusal("'c'", 11).contains("limit per media file"));
    assert!(budget.refusal("'c'", 6).contains("limit per import"));
}

#[test]
fn references_are_rewritten_in_one_pass() {
    // a/b became a_b, and the a_b already there became a_b-1.png: neither is renamed twice.
    let html = r#"<img src="a/b"> [sound:a_b] <img src='x.png'>"#;
    let renamed = |name: &str| match name {
        "a/b" => Some("a_b"),
        "a_b" => Some("a_b-1"),
        _ => None,
    };
    assert_eq!(
        rewrite_references(html, renamed),
        r#"<img src="a_b"> [sound:a_b-1] <img src='x.png'>"#
    );
}
