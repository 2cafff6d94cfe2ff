//! Shared helpers for integration tests: the real binary on a temporary collection. Declared
//! once, in `tests/main.rs`; every test file reaches it as `crate::common`.
#![allow(dead_code)]

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub mod sync;

/// A temporary folder with a collection path in it.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub now: String,
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("collection.sqlite");
        Env {
            dir,
            db,
            now: "2026-11-22T09:00:00Z".to_string(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The binary with this collection, a fixed clock and a fixed time zone.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_jargon"));
        self.environment(&mut cmd);
        cmd
    }

    /// The environment every run of the binary gets.
    fn environment(&self, cmd: &mut Command) {
        cmd.env("JARGON_DB", &self.db)
            .env("JARGON_NOW", &self.now)
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .env_remove("EDITOR")
            .env_remove("VISUAL");
    }

    /// Runs jargon with `args`; returns its exit code, its standard output and its peak resident
    /// set size in bytes, or `None` (a visible skip; a failure under CI) without GNU time.
    ///
    /// The peak is measured by `/usr/bin/time`, which forks jargon from its own small, freshly
    /// executed process: a child's `ru_maxrss` counts the resident size of whatever spawned it
    /// (Linux carries the spawning memory's high-water mark across `exec`), and this process,
    /// shared by every integration test, can hold hundreds of megabytes.
    pub fn run_measured(
        &self,
        hang: Duration,
        args: &[&str],
    ) -> Option<(Option<i32>, String, u64)> {
        const TIME: &str = "/usr/bin/time";
        if !Path::new(TIME).exists() {
            skip(
                &format!("jargon {args:?} measured"),
                "GNU time (/usr/bin/time) is not installed",
            );
            return None;
        }
        let out_path = self.path("stdout.txt");
        let peak_path = self.path("peak-kb.txt");
        let stdout = std::fs::File::create(&out_path).expect("stdout file");
        let mut cmd = Command::new(TIME);
        cmd.arg("-f")
            .arg("%x %M")
            .arg("-o")
            .arg(&peak_path)
            .arg(env!("CARGO_BIN_EXE_jargon"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::null())
            // Its own process group, so a hang kills jargon along with time.
            .process_group(0);
        self.environment(&mut cmd);
        let mut child = cmd.spawn().expect("spawn /usr/bin/time jargon");
        let started = Instant::now();
        loop {
            if child.try_wait().expect("wait").is_some() {
                break;
            }
            if started.elapsed() > hang {
                let group = libc::pid_t::try_from(child.id()).expect("pid");
                // SAFETY: a plain signal to the process group this test created above.
                unsafe { libc::kill(-group, libc::SIGKILL) };
                let _ = child.wait();
                panic!("jargon {args:?} still ran after {hang:?}");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // GNU time writes "Command exited with non-zero status N" first when it is not 0.
        let measured = std::fs::read_to_string(&peak_path).expect("time's report");
        let last = measured.lines().last().expect("a line from time");
        let (code, kb) = last.split_once(' ').expect("'%x %M'");
        let code = code.parse::<i32>().ok().filter(|c| *c >= 0);
        let peak = kb.trim().parse::<u64>().expect("peak in KB") * 1024;
        let stdout = std::fs::read_to_string(&out_path).expect("stdout");
        Some((code, stdout, peak))
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.run_with_input(args, "")
    }

    pub fn run_with_input(&self, args: &[&str], input: &str) -> Output {
        let mut child = self
            .cmd()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn jargon");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
        child.wait_with_output().expect("wait")
    }

    /// Runs jargon with `args` and asserts it exits with `code` having written nothing on
    /// standard output; returns standard error, for the caller to compare whole (a refusal's
    /// sentence is the contract, so tests assert it exactly rather than a fragment of it).
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.run(args);
        let (stdout, stderr) = text(&out);
        assert_eq!(out.status.code(), Some(code), "jargon {args:?}: {stderr}");
        assert_eq!(stdout, "", "jargon {args:?} printed on standard output");
        stderr
    }

    /// Runs and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "jargon {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn sql<T: rusqlite::types::FromSql>(&self, query: &str) -> T {
        let conn = rusqlite::Connection::open(&self.db).expect("open db");
        conn.query_row(query, [], |r| r.get(0)).expect(query)
    }

    /// Every row of every table `sqlite_master` lists (SQLite's own `sqlite_sequence` and
    /// statistics tables included), each table named and its rows sorted by all their columns,
    /// and the schema version, as one comparable text: equal before and after means the
    /// collection was left exactly as it was.
    pub fn fingerprint(&self) -> String {
        let conn = rusqlite::Connection::open(&self.db).expect("open db");
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("user_version");
        let mut out = format!("user_version {version}\n");
        let tables: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("prepare")
            .query_map([], |r| r.get(0))
            .expect("tables")
            .collect::<Result<_, _>>()
            .expect("table names");
        assert!(
            tables.iter().any(|t| t == "card_states"),
            "sqlite_master lists {tables:?}"
        );
        for table in tables {
            out.push_str(&format!("table {table}\n"));
            let columns = conn
                .prepare(&format!("SELECT * FROM \"{table}\""))
                .expect("prepare")
                .column_count();
            let order: Vec<String> = (1..=columns).map(|i| i.to_string()).collect();
            let mut stmt = conn
                .prepare(&format!(
                    "SELECT * FROM \"{table}\" ORDER BY {}",
                    order.join(", ")
                ))
                .expect("prepare");
            let rows = stmt
                .query_map([], |row| {
                    let mut parts = vec![];
                    for i in 0..columns {
                        parts.push(format!("{:?}", row.get_ref(i)?));
                    }
                    Ok(parts.join("|"))
                })
                .expect("query");
            for row in rows {
                out.push_str(&row.expect("row"));
                out.push('\n');
            }
        }
        out
    }

    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        std::fs::write(&path, contents).expect("write fixture");
        path
    }
}

/// stdout and stderr as text.
pub fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `$EDITOR` for a shell script: writes `script` as `name` in the test's folder and returns
/// `sh PATH` (jargon splits `$EDITOR` at blanks). `sh` reads the script; nothing executes the
/// file itself. With every test in one process, executing a file just written fails now and
/// then with "Text file busy": a child that another thread forked at that moment holds the
/// file open for writing until it execs.
pub fn sh_editor(env: &Env, name: &str, script: &str) -> String {
    let path = env.write(name, script);
    let path = path.to_str().expect("UTF-8 temp path");
    assert!(
        !path.contains(char::is_whitespace),
        "jargon splits $EDITOR at blanks: {path}"
    );
    format!("sh {path}")
}

/// True when the tests run under continuous integration (`CI` set, and not `false` or `0`).
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// A test that cannot run because `missing` is absent. Under CI this fails the test; elsewhere
/// it writes one line straight to the process's standard error, which the test harness does
/// not capture (it captures only `eprintln!`), so a plain `cargo test` shows every skip.
pub fn skip(test: &str, missing: &str) {
    if under_ci() {
        panic!("{test}: {missing}, and CI is set: a missing dependency fails the test");
    }
    let line = format!("SKIPPED {test}: {missing} (under CI=true this fails)\n");
    // Written with `write_all`, not `eprintln!`: the harness's capture swallows the macro.
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// `../shared/data/NAME` relative to the crate (or `$JARGON_SHARED_DATA/NAME`, so the absent
/// case can be tried without moving the shared folder), when present; otherwise [`skip`]s `test`.
pub fn shared_data(test: &str, name: &str) -> Option<PathBuf> {
    let folder = std::env::var_os("JARGON_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data"));
    let path = folder.join(name);
    if path.exists() {
        Some(path)
    } else {
        skip(
            test,
            &format!(
                "{} is absent (the shared data folder is not beside the project)",
                path.display()
            ),
        );
        None
    }
}

/// A file of `tests/fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}
