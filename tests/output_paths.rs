//! Where `export`, `report` and `completions` write: through symlinks, into FIFOs and devices
//! in place, to standard output for `-o -`, keeping an existing file's mode, and never leaving
//! a temporary file behind (the real binary on a temporary collection).

use crate::common;

use std::fs;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{Env, text};

/// Waits for `child`, reading its piped output meanwhile, and kills it (failing the test) if
/// it runs past `limit`: only a bound on a hang, never a measurement.
fn wait_bounded(mut child: Child, limit: Duration) -> Output {
    fn drain(pipe: Option<impl Read + Send + 'static>) -> std::thread::JoinHandle<Vec<u8>> {
        std::thread::spawn(move || {
            let mut bytes = vec![];
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    }
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("jargon did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// Runs jargon with these arguments and no input, bounded by a minute.
fn run(env: &Env, args: &[&str]) -> Output {
    let child = env
        .cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn jargon");
    wait_bounded(child, Duration::from_secs(60))
}

fn ok(env: &Env, args: &[&str]) -> Output {
    let out = run(env, args);
    assert!(
        out.status.success(),
        "jargon {args:?} failed: {}",
        text(&out).1
    );
    out
}

/// Runs jargon under `sh` with this umask.
fn run_with_umask(env: &Env, umask: &str, args: &[&str]) -> Output {
    let child = env
        .cmd()
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn_with_umask(umask);
    wait_bounded(child, Duration::from_secs(60))
}

trait SpawnWithUmask {
    fn spawn_with_umask(&mut self, umask: &str) -> Child;
}

impl SpawnWithUmask for Command {
    fn spawn_with_umask(&mut self, umask: &str) -> Child {
        let program = self.get_program().to_owned();
        let args: Vec<_> = self.get_args().map(|a| a.to_owned()).collect();
        let mut sh = Command::new("sh");
        sh.arg("-c")
            .arg(format!("umask {umask} && exec \"$0\" \"$@\""))
            .arg(program)
            .args(args);
        for (key, value) in self.get_envs() {
            match value {
                Some(value) => sh.env(key, value),
                None => sh.env_remove(key),
            };
        }
        sh.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn sh")
    }
}

/// A collection (the built-in decks) with one answer logged, and an empty `out/` folder.
fn env_with_review() -> (Env, PathBuf) {
    let env = Env::new();
    let out = env.run_with_input(&["review"], "\ng\n");
    assert!(out.status.success(), "{}", text(&out).1);
    let folder = env.path("out");
    fs::create_dir(&folder).unwrap();
    (env, folder)
}

/// The names in `folder`, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn a_symlink_is_written_through_and_stays_a_link() {
    let (env, folder) = env_with_review();
    let real = folder.join("real.csv");
    fs::write(&real, "old\n").unwrap();
    let link = folder.join("link.csv");
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    let expected = ok(&env, &["export", "deck"]).stdout;

    let out = ok(&env, &["export", "deck", "-o", arg(&link)]);
    assert!(text(&out).0.contains("link.csv"), "{}", text(&out).0);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink(),
        "the link was replaced by a file"
    );
    assert_eq!(fs::read_link(&link).unwrap(), Path::new("real.csv"));
    assert!(
        fs::read(&real).unwrap() == expected,
        "the link's target was not rewritten"
    );
    assert_eq!(names(&folder), ["link.csv", "real.csv"]);

    // The report and a package go through the link the same way.
    ok(&env, &["report", "-o", arg(&link)]);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(&real)
            .unwrap()
            .starts_with("<!DOCTYPE html>")
    );
    ok(
        &env,
        &["export", "deck", "--format", "apkg", "-o", arg(&link)],
    );
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(fs::read(&real).unwrap().starts_with(b"PK"));
    assert_eq!(names(&folder), ["link.csv", "real.csv"]);
}

#[test]
fn a_dangling_symlink_creates_its_target() {
    let (env, folder) = env_with_review();
    let link = folder.join("link.json");
    std::os::unix::fs::symlink("made.json", &link).unwrap();
    ok(&env, &["export", "reviews", "-o", arg(&link)]);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let written = fs::read_to_string(folder.join("made.json")).unwrap();
    assert!(written.starts_with('['), "{written}");
    assert_eq!(names(&folder), ["link.json", "made.json"]);
}

#[test]
fn a_fifo_gets_the_bytes_and_stays_a_fifo() {
    let (env, folder) = env_with_review();
    let fifo = folder.join("pipe");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let expected = ok(&env, &["export", "deck"]).stdout;

    let (send, receive) = std::sync::mpsc::channel();
    let reader_path = fifo.clone();
    std::thread::spawn(move || {
        let mut bytes = vec![];
        let result = fs::File::open(&reader_path).and_then(|mut f| f.read_to_end(&mut bytes));
        let _ = send.send(result.map(|_| bytes));
    });
    let out = run(
        &env,
        &["export", "deck", "--format", "csv", "-o", arg(&fifo)],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("Exported"), "{stdout}");
    let read = receive
        .recv_timeout(Duration::from_secs(30))
        .expect("the reader got nothing")
        .unwrap();
    assert!(
        read == expected,
        "the FIFO got {} bytes, not {}",
        read.len(),
        expected.len()
    );
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    assert_eq!(names(&folder), ["pipe"]);
}

/// A character device: a private copy of /dev/null when we may make one (root), so a broken
/// build can never replace the machine's own; else /dev/null itself.
#[test]
fn a_character_device_is_written_in_place() {
    let (env, folder) = env_with_review();
    let private = folder.join("null");
    let made = Command::new("mknod")
        .arg(&private)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let device = if made {
        private
    } else {
        PathBuf::from("/dev/null")
    };
    for args in [
        &["export", "deck", "--format", "csv"][..],
        &["export", "reviews"][..],
        &["report"][..],
        &["export", "deck", "--format", "apkg"][..],
    ] {
        let mut args = args.to_vec();
        args.extend(["-o", arg(&device)]);
        let out = run(&env, &args);
        assert!(out.status.success(), "{args:?}: {}", text(&out).1);
        let kind = fs::symlink_metadata(&device).unwrap().file_type();
        assert!(
            kind.is_char_device(),
            "{args:?} replaced {}",
            device.display()
        );
    }
    if made {
        assert_eq!(names(&folder), ["null"]);
    }
}

#[test]
fn an_existing_file_keeps_its_mode() {
    let (env, folder) = env_with_review();
    for (name, args) in [
        ("deck.csv", &["export", "deck"][..]),
        ("reviews.csv", &["export", "reviews"][..]),
        ("report.html", &["report"][..]),
        ("deck.apkg", &["export", "deck"][..]),
    ] {
        let path = folder.join(name);
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
        let mut args = args.to_vec();
        args.extend(["-o", arg(&path)]);
        ok(&env, &args);
        assert_ne!(fs::read(&path).unwrap(), b"old", "{name} was not written");
        assert_eq!(mode(&path), 0o600, "{name}");
    }
}

#[test]
fn a_new_file_gets_0666_less_the_umask() {
    let (env, folder) = env_with_review();
    for (umask, expected) in [("022", 0o644), ("077", 0o600), ("002", 0o664)] {
        for (name, args) in [
            ("deck.csv", &["export", "deck"][..]),
            ("reviews.json", &["export", "reviews"][..]),
            ("report.html", &["report"][..]),
            ("deck.apkg", &["export", "deck"][..]),
        ] {
            let path = folder.join(format!("{umask}-{name}"));
            let mut args = args.to_vec();
            args.extend(["-o", arg(&path)]);
            let out = run_with_umask(&env, umask, &args);
            assert!(out.status.success(), "{args:?}: {}", text(&out).1);
            assert_eq!(mode(&path), expected, "{name} under umask {umask}");
        }
    }
}

#[test]
fn a_dash_writes_to_standard_output() {
    let (env, folder) = env_with_review();
    let cases: [(&[&str], &[&str]); 3] = [
        (&["export", "deck", "-o", "-"], &["export", "deck"]),
        (&["export", "reviews", "-o", "-"], &["export", "reviews"]),
        (
            &["export", "reviews", "--format", "json", "-o", "-"],
            &["export", "reviews", "--format", "json"],
        ),
    ];
    for (with_dash, without) in cases {
        let mut dash = env.cmd();
        dash.current_dir(&folder);
        let child = dash
            .args(with_dash)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = wait_bounded(child, Duration::from_secs(60));
        assert!(out.status.success(), "{with_dash:?}: {}", text(&out).1);
        assert!(!out.stdout.is_empty(), "{with_dash:?} printed nothing");
        let expected = ok(&env, without).stdout;
        assert!(
            out.stdout == expected,
            "{with_dash:?} printed {} bytes, not the {} of {without:?}: {}",
            out.stdout.len(),
            expected.len(),
            String::from_utf8_lossy(&out.stdout[..out.stdout.len().min(200)])
        );
    }
    let mut report = env.cmd();
    let child = report
        .current_dir(&folder)
        .args(["report", "-o", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(60));
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(text(&out).0.starts_with("<!DOCTYPE html>"));
    // A package goes to a pipe, whole and alone.
    let mut apkg = env.cmd();
    let child = apkg
        .current_dir(&folder)
        .args(["export", "deck", "--format", "apkg", "-o", "-"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(60));
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(out.stdout.starts_with(b"PK\x03\x04"));
    let package = folder.join("piped.apkg");
    fs::write(&package, &out.stdout).unwrap();
    let listed = ok(&env, &["import", "--dry-run", arg(&package)]);
    // Every built-in note went into the package (the count follows the decks as they grow).
    let notes: usize = jargon::deck::builtin::decks()
        .unwrap()
        .iter()
        .map(|d| d.notes.len())
        .sum();
    assert!(
        text(&listed).0.contains(&notes.to_string()),
        "{}",
        text(&listed).0
    );
    fs::remove_file(&package).unwrap();
    assert!(names(&folder).is_empty(), "{:?}", names(&folder));
}

#[test]
fn a_folder_is_a_usage_error_and_a_missing_folder_one_sentence() {
    let (env, folder) = env_with_review();
    for args in [
        &["export", "deck"][..],
        &["export", "reviews"][..],
        &["report"][..],
        &["export", "deck", "--format", "apkg"][..],
    ] {
        let mut with_folder = args.to_vec();
        with_folder.extend(["-o", arg(&folder)]);
        let out = run(&env, &with_folder);
        let stderr = text(&out).1;
        assert_eq!(out.status.code(), Some(2), "{with_folder:?}: {stderr}");
        assert!(stderr.contains("is a folder"), "{stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");

        let missing = folder.join("nowhere").join("file.out");
        let mut with_missing = args.to_vec();
        with_missing.extend(["-o", arg(&missing)]);
        let out = run(&env, &with_missing);
        let stderr = text(&out).1;
        assert_eq!(out.status.code(), Some(1), "{with_missing:?}: {stderr}");
        assert!(
            stderr.contains("does not exist") && stderr.contains("nowhere"),
            "{stderr}"
        );
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    }
    assert!(names(&folder).is_empty(), "{:?}", names(&folder));
}

#[test]
fn a_failed_export_leaves_the_old_file_and_nothing_else() {
    let (env, folder) = env_with_review();
    let path = folder.join("deck.toml");
    fs::write(&path, "old").unwrap();
    // The built-in collection has several decks, which one TOML file cannot hold.
    let out = run(&env, &["export", "deck", "-o", arg(&path)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out).1);
    assert_eq!(fs::read(&path).unwrap(), b"old");
    assert_eq!(names(&folder), ["deck.toml"]);
    ok(
        &env,
        &[
            "export",
            "deck",
            "--deck",
            "ML::Foundations",
            "-o",
            arg(&path),
        ],
    );
    assert_eq!(names(&folder), ["deck.toml"]);
}

#[test]
fn a_temporary_file_left_by_a_killed_run_is_removed_by_the_next() {
    let (env, folder) = env_with_review();
    // Left by a process that no longer runs (no pid is this large), and one by a live one.
    let stale = folder.join(".deck.csv.jargon-999999999-0123456789abcdef.tmp");
    let live = folder.join(format!(
        ".deck.csv.jargon-{}-0123456789abcdef.tmp",
        std::process::id()
    ));
    fs::write(&stale, "half").unwrap();
    fs::write(&live, "half").unwrap();
    let target = folder.join("deck.csv");
    ok(&env, &["export", "deck", "-o", arg(&target)]);
    assert!(!stale.exists(), "the stale temporary file is still there");
    assert!(live.exists(), "a live process's temporary file was removed");
    fs::remove_file(&live).unwrap();
    assert_eq!(names(&folder), ["deck.csv"]);
}

#[test]
fn a_killed_export_leaves_no_temporary_file() {
    let (env, folder) = env_with_review();
    let target = folder.join("deck.apkg");
    // Kill at many points of the run; whatever the point, the folder holds at most the package.
    for delay_ms in (0..80).step_by(4) {
        let child = env
            .cmd()
            .args(["export", "deck", "-o", arg(&target)])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let mut child = child;
        let _ = child.kill();
        let _ = child.wait();
        let left = names(&folder);
        assert!(
            left.is_empty() || left == ["deck.apkg"],
            "after a kill at {delay_ms} ms: {left:?}"
        );
    }
}

#[test]
fn completions_into_a_closed_pipe_exit_quietly() {
    let env = Env::new();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let child = env
        .cmd()
        .args(["completions", "zsh"])
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(60));
    let stderr = text(&out).1;
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
}

#[test]
fn a_backup_is_new_file_mode_never_clobbers_and_refuses_a_folder() {
    let (env, folder) = env_with_review();
    let target = folder.join("copy.sqlite");
    let out = run_with_umask(&env, "002", &["backup", arg(&target)]);
    assert!(out.status.success(), "{}", text(&out).1);
    assert_eq!(mode(&target), 0o664);
    let count: i64 = rusqlite::Connection::open(&target)
        .unwrap()
        .query_row("SELECT count(*) FROM reviews", [], |r| r.get(0))
        .unwrap();
    assert_eq!(count, 1);
    // An existing file is never replaced by a backup.
    let before = fs::read(&target).unwrap();
    let out = run(&env, &["backup", arg(&target)]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out).1);
    assert!(text(&out).1.contains("already exists"), "{}", text(&out).1);
    assert!(fs::read(&target).unwrap() == before);
    // A folder is a usage error, as for the other outputs.
    let out = run(&env, &["backup", arg(&folder)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out).1);
    assert!(text(&out).1.contains("is a folder"), "{}", text(&out).1);
    // Through a dangling link: the link stays and its target is the copy.
    let link = folder.join("link.sqlite");
    std::os::unix::fs::symlink("made.sqlite", &link).unwrap();
    ok(&env, &["backup", arg(&link)]);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read(folder.join("made.sqlite"))
            .unwrap()
            .starts_with(b"SQLite format 3\0")
    );
    assert_eq!(
        names(&folder),
        ["copy.sqlite", "link.sqlite", "made.sqlite"]
    );
}

#[test]
fn a_killed_backup_leaves_nothing_the_next_backup_does_not_remove() {
    let (env, folder) = env_with_review();
    // What a backup killed half way leaves: its hidden temporary file (its pid is gone).
    let stale =
        folder.join(".collection-20261122-090000.sqlite.jargon-999999999-00ff00ff00ff00ff.tmp");
    fs::write(&stale, "half").unwrap();
    ok(&env, &["backup", arg(&folder.join("next.sqlite"))]);
    assert_eq!(names(&folder), ["next.sqlite"]);
}

#[test]
fn statistics_tables_written_to_a_folder_follow_the_same_rules() {
    let (env, folder) = env_with_review();
    let real = env.path("summary-real.csv");
    fs::write(&real, "old").unwrap();
    fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
    std::os::unix::fs::symlink(&real, folder.join("summary.csv")).unwrap();
    ok(&env, &["stats", "--format", "csv", "-o", arg(&folder)]);
    let link = fs::symlink_metadata(folder.join("summary.csv")).unwrap();
    assert!(link.file_type().is_symlink(), "the link was replaced");
    let written = fs::read_to_string(&real).unwrap();
    assert!(written.starts_with("metric,value\n"), "{written}");
    assert_eq!(mode(&real), 0o600);
    assert!(
        names(&folder).iter().all(|n| !n.starts_with('.')),
        "{:?}",
        names(&folder)
    );
}

#[test]
fn a_package_export_leaves_no_scratch_folder_and_sweeps_a_killed_ones() {
    let (env, folder) = env_with_review();
    let tmp = env.path("tmp");
    // What a package export or import killed with SIGKILL leaves: its scratch folder, with a
    // lock file nobody holds any more.
    let stale = tmp.join("jargon-apkg-killed");
    fs::create_dir_all(&stale).unwrap();
    fs::write(stale.join("lock"), "").unwrap();
    fs::write(stale.join("collection.anki2"), "half a collection").unwrap();
    let target = folder.join("deck.apkg");
    let out = env
        .cmd()
        .env("TMPDIR", &tmp)
        .args(["export", "deck", "-o", arg(&target)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out).1);
    assert!(fs::read(&target).unwrap().starts_with(b"PK\x03\x04"));
    assert!(
        names(&tmp).is_empty(),
        "left in the temp folder: {:?}",
        names(&tmp)
    );
}
