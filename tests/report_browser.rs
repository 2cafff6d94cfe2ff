//! The HTML report as a real browser sees it: headless Chromium renders `jargon report` to a
//! PNG, which must exist and show a page (not a blank or error screen).
//!
//! Without Chromium the test fails under `CI=true` and elsewhere prints a `SKIPPED` line that
//! the harness does not swallow (CI installs the `chromium` package, or fails). Set
//! `CHROMIUM=/path/to/chromium` to use another build.

use crate::common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Env;

fn find_chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CHROMIUM").map(PathBuf::from) {
        return path.exists().then_some(path);
    }
    let fixed = PathBuf::from("/usr/bin/chromium");
    if fixed.exists() {
        return Some(fixed);
    }
    let path = std::env::var_os("PATH")?;
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.exists() {
                return Some(candidate);
            }
        }
    }
    None
}

/// A collection with a few weeks of answers, so every chart has something to draw.
fn studied_collection() -> Env {
    studied_collection_under("sm2")
}

/// The same answers under `scheduler`.
fn studied_collection_under(scheduler: &str) -> Env {
    let mut env = Env::new();
    env.ok(&["config", "set", "timezone", "UTC"]);
    env.ok(&["config", "set", "scheduler", scheduler]);
    // Under anki and fsrs a card on a learning step would be waited for (in real minutes,
    // the clock being fixed): the day's session ends instead when nothing is due.
    env.ok(&["config", "set", "learn_ahead", "0"]);
    for day in 1..=20 {
        if day % 6 == 0 {
            continue;
        }
        env.now = format!("2026-11-{day:02}T{:02}:15:00Z", 7 + day % 12);
        let answers: String = ["g", "a", "g", "h", "e", "g", ""]
            .iter()
            .cycle()
            .take(120)
            .map(|a| format!("{a}\n"))
            .collect();
        let out = env.run_with_input(&["review", "--new", "10"], &answers);
        assert!(out.status.success(), "{}", common::text(&out).1);
    }
    env.now = "2026-11-21T18:00:00Z".to_string();
    env
}

/// Runs the command to completion or kills it after `limit`; returns its exit status and its
/// standard error. Its standard output goes to `stdout`.
fn run_with_limit(command: &mut Command, stdout: Stdio, limit: Duration) -> (bool, String) {
    let mut child = command
        .stdout(stdout)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait for chromium") {
            let mut stderr = String::new();
            if let Some(mut err) = child.stderr.take() {
                let _ = err.read_to_string(&mut stderr);
            }
            return (status.success(), stderr);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            return (false, format!("chromium did not finish within {limit:?}"));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Decoded pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what Chromium writes).
struct Image {
    width: usize,
    height: usize,
    channels: usize,
    pixels: Vec<u8>,
}

fn decode_png(bytes: &[u8]) -> Image {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG file");
    let mut at = 8;
    let (mut width, mut height, mut channels) = (0, 0, 0);
    let mut data = vec![];
    while at + 8 <= bytes.len() {
        let length = u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
        let kind = &bytes[at + 4..at + 8];
        let body = &bytes[at + 8..at + 8 + length];
        match kind {
            b"IHDR" => {
                width = u32::from_be_bytes(body[0..4].try_into().unwrap()) as usize;
                height = u32::from_be_bytes(body[4..8].try_into().unwrap()) as usize;
                assert_eq!(body[8], 8, "bit depth");
                channels = match body[9] {
                    2 => 3,
                    6 => 4,
                    other => panic!("unexpected PNG colour type {other}"),
                };
                assert_eq!(body[12], 0, "interlaced PNG");
            }
            b"IDAT" => data.extend_from_slice(body),
            b"IEND" => break,
            _ => {}
        }
        at += 12 + length;
    }
    let mut raw = vec![];
    flate2::read::ZlibDecoder::new(&data[..])
        .read_to_end(&mut raw)
        .expect("inflate the PNG data");
    let stride = width * channels;
    assert_eq!(raw.len(), height * (stride + 1), "PNG data size");
    let mut pixels = vec![0u8; height * stride];
    for y in 0..height {
        let filter = raw[y * (stride + 1)];
        let line = &raw[y * (stride + 1) + 1..(y + 1) * (stride + 1)];
        for x in 0..stride {
            let left = if x >= channels {
                pixels[y * stride + x - channels]
            } else {
                0
            };
            let up = if y > 0 {
                pixels[(y - 1) * stride + x]
            } else {
                0
            };
            let up_left = if y > 0 && x >= channels {
                pixels[(y - 1) * stride + x - channels]
            } else {
                0
            };
            let predicted = match filter {
                0 => 0,
                1 => left,
                2 => up,
                3 => ((u16::from(left) + u16::from(up)) / 2) as u8,
                4 => {
                    let p = i16::from(left) + i16::from(up) - i16::from(up_left);
                    let (pa, pb, pc) = (
                        (p - i16::from(left)).abs(),
                        (p - i16::from(up)).abs(),
                        (p - i16::from(up_left)).abs(),
                    );
                    if pa <= pb && pa <= pc {
                        left
                    } else if pb <= pc {
                        up
                    } else {
                        up_left
                    }
                }
                other => panic!("unknown PNG filter {other}"),
            };
            pixels[y * stride + x] = line[x].wrapping_add(predicted);
        }
    }
    Image {
        width,
        height,
        channels,
        pixels,
    }
}

#[test]
fn headless_chromium_renders_the_report_to_a_page_with_charts() {
    let Some(chromium) = find_chromium() else {
        common::skip(
            "headless_chromium_renders_the_report_to_a_page_with_charts",
            "Chromium is not installed (apt-get install chromium, or set CHROMIUM=path)",
        );
        return;
    };
    let env = studied_collection();
    let report = env.path("report.html");
    let out = env.ok(&["report", "-o", report.to_str().unwrap()]);
    assert!(out.starts_with("Wrote "), "{out}");
    let png = env.path("report.png");
    let profile = env.path("chromium-profile");
    let url = format!("file://{}", report.display());
    let (ok, stderr) = run_with_limit(
        Command::new(&chromium)
            .args(HEADLESS)
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", png.display()))
            .arg("--window-size=1200,2400")
            .arg(&url),
        Stdio::null(),
        Duration::from_secs(120),
    );
    assert!(ok, "chromium failed: {stderr}");
    assert!(
        Path::new(&png).exists(),
        "no screenshot; chromium said: {stderr}"
    );
    let image = decode_png(&std::fs::read(&png).unwrap());
    assert_eq!((image.width, image.height), (1200, 2400));

    let mut colours = std::collections::HashSet::new();
    let (mut ink, mut blue, mut green) = (0usize, 0usize, 0usize);
    for pixel in image.pixels.chunks(image.channels) {
        colours.insert((pixel[0], pixel[1], pixel[2]));
        let (r, g, b) = (
            i32::from(pixel[0]),
            i32::from(pixel[1]),
            i32::from(pixel[2]),
        );
        if r < 200 || g < 200 || b < 200 {
            ink += 1;
        }
        // The bars (#0969da) and the busiest heatmap shades (#216e39, #30a14e).
        if b > 180 && r < 60 && g > 80 && g < 130 {
            blue += 1;
        }
        if g > r + 40 && g > b + 20 && r < 80 {
            green += 1;
        }
    }
    let total = image.width * image.height;
    assert!(
        colours.len() > 50,
        "only {} colours: a blank page",
        colours.len()
    );
    assert!(
        ink * 100 > total,
        "almost nothing drawn: {ink} of {total} pixels"
    );
    assert!(blue > 2_000, "no bar charts visible ({blue} bar pixels)");
    assert!(green > 500, "no heatmap visible ({green} green pixels)");
}

/// The chromium flags of a headless run without network, sync or a first-run page.
const HEADLESS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
];

#[test]
fn headless_chromium_shows_the_fsrs_retrievability_section_without_console_errors() {
    let Some(chromium) = find_chromium() else {
        common::skip(
            "headless_chromium_shows_the_fsrs_retrievability_section_without_console_errors",
            "Chromium is not installed (apt-get install chromium, or set CHROMIUM=path)",
        );
        return;
    };
    let env = studied_collection_under("fsrs");
    let report = env.path("report.html");
    env.ok(&["report", "-o", report.to_str().unwrap()]);
    let dom_path = env.path("dom.html");
    let dom_file = std::fs::File::create(&dom_path).expect("a file for the DOM");
    let profile = env.path("chromium-profile");
    let (ok, stderr) = run_with_limit(
        Command::new(&chromium)
            .args(HEADLESS)
            .args(["--enable-logging=stderr", "--v=0"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("--dump-dom")
            .arg(format!("file://{}", report.display())),
        Stdio::from(dom_file),
        Duration::from_secs(120),
    );
    assert!(ok, "chromium failed: {stderr}");
    // The page's console: no script error, nothing refused.
    for line in stderr.lines() {
        assert!(
            !line.contains("CONSOLE") && !line.contains("Uncaught"),
            "the console said: {line}"
        );
    }
    // The DOM as Chromium parsed it: the section, its note and a bar per bucket.
    let dom = std::fs::read_to_string(&dom_path).expect("the dumped DOM");
    let (_, section) = dom
        .split_once("<h2>Retrievability</h2>")
        .unwrap_or_else(|| panic!("no retrievability section in\n{dom}"));
    let section = section.split("</section>").next().unwrap_or_default();
    assert!(section.contains("Desired retention 90.0%"), "{section}");
    assert!(section.contains("true retention achieved"), "{section}");
    assert_eq!(
        section.matches("<rect class=\"bar\"").count(),
        10,
        "{section}"
    );
    for label in ["0-10%", "90-100%"] {
        assert!(
            section.contains(&format!(">{label}</text>")),
            "{label}: {section}"
        );
    }
}
