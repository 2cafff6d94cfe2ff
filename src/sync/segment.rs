//! Segment files: `DIR/<device>/NNNNNNNN.jsonl`, one event per line.
//!
//! Only the device itself writes its folder, and only at the end of its newest open segment.
//! A segment is closed (at a size or count threshold, or on request) by a last line
//! `{"close":{"events":N,"sha256":"HEX"}}`, the hash of every byte before that line, and is
//! never written again. Lines are appended whole and flushed (`fsync`) before an append
//! returns; a crash leaves at most an incomplete last line, which the next [`Writer::open`]
//! cuts off. Readers of another device's folder ([`read_device`]) take complete lines only:
//! an incomplete last line is a copy in progress and waits for a later read.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::device::{CLAIM_FILE, DeviceId};
use super::event::{Event, MAX_LINE_BYTES};
use super::sha256::Sha256;
use super::{Problem, ProblemKind, io, sync_dir};
use crate::error::Error;

pub const SEGMENT_EXTENSION: &str = ".jsonl";

/// A segment is closed once it holds this many bytes...
pub const CLOSE_AT_BYTES: u64 = 8 << 20;
/// ... or this many events.
pub const CLOSE_AT_EVENTS: u64 = 50_000;
/// The largest segment a reader accepts: the close threshold plus one line, with room for
/// a later version's larger threshold. Anything bigger is damage, not a reason to run out
/// of memory.
pub const MAX_SEGMENT_BYTES: u64 = 64 << 20;

/// The segment number in a file name `NNNNNNNN.jsonl` (eight digits, from 1), if it is one.
pub fn segment_number(name: &str) -> Option<u32> {
    let digits = name.strip_suffix(SEGMENT_EXTENSION)?;
    if digits.len() != 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().filter(|&n| n > 0)
}

pub fn segment_name(number: u32) -> String {
    format!("{number:08}{SEGMENT_EXTENSION}")
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseLine {
    close: Close,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Close {
    events: u64,
    sha256: String,
}

fn is_close_line(line: &[u8]) -> bool {
    line.starts_with(b"{\"close\"")
}

/// Thresholds for closing a segment (tests use small ones).
#[derive(Debug, Clone, Copy)]
pub struct Thresholds {
    pub bytes: u64,
    pub events: u64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            bytes: CLOSE_AT_BYTES,
            events: CLOSE_AT_EVENTS,
        }
    }
}

/// Appends this device's events to its own folder.
pub struct Writer {
    folder: PathBuf,
    device: DeviceId,
    thresholds: Thresholds,
    /// The number of the segment the next event goes to.
    number: u32,
    /// The open segment, once created.
    file: Option<File>,
    hash: Sha256,
    events: u64,
    bytes: u64,
    next_seq: u64,
    /// Set after a failed write: the state on disk is unknown until reopened (and repaired).
    broken: bool,
}

/// What [`Writer::open`] found and mended.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Opened {
    /// Bytes of an incomplete last line cut off the open segment (a crash mid-append).
    pub repaired_bytes: u64,
    /// The open segment had a line that does not read: it is left as it is and a new segment
    /// is started, so no good event is written after a bad one.
    pub abandoned: Option<Problem>,
}

impl Writer {
    /// Opens `DIR/<device>/` for appending (the folder must exist: see
    /// [`super::device::claim`]), mending a torn last line in its newest segment.
    pub fn open(
        dir: &Path,
        device: &DeviceId,
        thresholds: Thresholds,
    ) -> Result<(Writer, Opened), Error> {
        let folder = dir.join(device.as_str());
        let meta = fs::symlink_metadata(&folder).map_err(io("open", &folder))?;
        if !meta.is_dir() {
            return Err(Error::Failed(format!(
                "{} is not a folder (a file or a symbolic link), so jargon will not write there",
                folder.display()
            )));
        }
        let (segments, _) = list_segments(&folder)?;
        let mut writer = Writer {
            folder,
            device: device.clone(),
            thresholds,
            number: 1,
            file: None,
            hash: Sha256::new(),
            events: 0,
            bytes: 0,
            next_seq: 1,
            broken: false,
        };
        let mut opened = Opened::default();
        let Some((&newest, _)) = segments.last_key_value() else {
            return Ok((writer, opened));
        };
        // The newest segment: mend it, then either continue it or start the next one.
        let path = writer.folder.join(segment_name(newest));
        let mut bytes = read_capped(&path)?;
        let complete = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if complete < bytes.len() {
            let file = no_follow(OpenOptions::new().write(true))
                .open(&path)
                .map_err(io("open", &path))?;
            file.set_len(complete as u64)
                .and_then(|()| file.sync_all())
                .map_err(io("repair", &path))?;
            opened.repaired_bytes = (bytes.len() - complete) as u64;
            bytes.truncate(complete);
        }
        let scan = scan_own(&path, &bytes, device);
        writer.number = newest;
        let mut last_seq = scan.last_seq;
        if let Some(problem) = scan.damage {
            opened.abandoned = Some(problem);
            writer.number = newest + 1;
            // Good lines may follow the bad one: never reuse their numbers.
            last_seq = highest_seq(&bytes, device).max(last_seq);
        } else if scan.closed {
            writer.number = newest + 1;
        } else {
            writer.hash.update(&bytes);
            writer.events = scan.events;
            writer.bytes = bytes.len() as u64;
            writer.file = Some(
                no_follow(OpenOptions::new().append(true))
                    .open(&path)
                    .map_err(io("open", &path))?,
            );
        }
        writer.next_seq = match last_seq {
            Some(seq) => seq + 1,
            // An empty newest segment: the sequence goes on from the ones before it.
            None => last_seq_before(&segments, newest, device)? + 1,
        };
        Ok((writer, opened))
    }

    /// The sequence number the next appended event must carry.
    pub fn next_seq(&self) -> u64 {
        self.next_seq
    }

    /// The number of the segment the next event goes to.
    pub fn segment(&self) -> u32 {
        self.number
    }

    /// Appends events (this device's, numbered from [`Writer::next_seq`] on) and flushes them
    /// to disk. All are checked before any is written. The caller bounds the batch: it is
    /// held in memory once, as lines.
    pub fn append(&mut self, events: &[Event]) -> Result<(), Error> {
        if self.broken {
            return Err(Error::Failed(format!(
                "an earlier write to {} failed; reopen the folder before writing again",
                self.folder.display()
            )));
        }
        let mut lines = Vec::with_capacity(events.len());
        for (i, event) in events.iter().enumerate() {
            let expected = self.next_seq + i as u64;
            if event.device != self.device || event.seq != expected {
                return Err(Error::Failed(format!(
                    "event {} of the batch is device {} number {}, but this folder expects device {} number {expected}",
                    i + 1,
                    event.device,
                    event.seq,
                    self.device
                )));
            }
            let line = event.to_line().map_err(|e| {
                Error::Failed(format!(
                    "event {} of the batch cannot be written: {}",
                    i + 1,
                    e.message
                ))
            })?;
            lines.push(line);
        }
        let result = self.write_lines(&lines);
        if result.is_err() {
            self.broken = true;
            self.file = None;
        }
        result
    }

    fn write_lines(&mut self, lines: &[Vec<u8>]) -> Result<(), Error> {
        let mut buffer: Vec<u8> = Vec::with_capacity(256 * 1024);
        for line in lines {
            if self.file.is_none() {
                self.create_segment()?;
            }
            buffer.extend_from_slice(line);
            self.hash.update(line);
            self.events += 1;
            self.bytes += line.len() as u64;
            self.next_seq += 1;
            if self.events >= self.thresholds.events || self.bytes >= self.thresholds.bytes {
                buffer.extend_from_slice(&self.close_line()?);
                self.flush(&mut buffer)?;
                self.finish_segment();
            } else if buffer.len() >= 256 * 1024 {
                self.write_buffer(&mut buffer)?;
            }
        }
        self.flush(&mut buffer)
    }

    /// Closes the open segment (if it holds any event): the next event starts a new one.
    pub fn close(&mut self) -> Result<(), Error> {
        if self.file.is_none() || self.events == 0 || self.broken {
            return Ok(());
        }
        let mut buffer = self.close_line()?;
        let result = self.flush(&mut buffer);
        if result.is_err() {
            self.broken = true;
            self.file = None;
            return result;
        }
        self.finish_segment();
        Ok(())
    }

    fn close_line(&self) -> Result<Vec<u8>, Error> {
        let mut line = crate::text::to_json(&CloseLine {
            close: Close {
                events: self.events,
                sha256: self.hash.hex(),
            },
        })
        .map(String::into_bytes)
        .map_err(|e| Error::Failed(format!("cannot write a close line: {e}")))?;
        line.push(b'\n');
        Ok(line)
    }

    fn finish_segment(&mut self) {
        self.file = None;
        self.number += 1;
        self.hash = Sha256::new();
        self.events = 0;
        self.bytes = 0;
    }

    fn create_segment(&mut self) -> Result<(), Error> {
        let path = self.path();
        let file = OpenOptions::new()
            .append(true)
            .create_new(true)
            .open(&path)
            .map_err(io("create", &path))?;
        sync_dir(&self.folder)?;
        self.file = Some(file);
        Ok(())
    }

    fn path(&self) -> PathBuf {
        self.folder.join(segment_name(self.number))
    }

    /// Writes whole lines: one `write_all` per buffer of complete lines, so what a crash can
    /// leave is a prefix of them, at most one line of it incomplete.
    fn write_buffer(&mut self, buffer: &mut Vec<u8>) -> Result<(), Error> {
        if buffer.is_empty() {
            return Ok(());
        }
        let path = self.path();
        let Some(file) = self.file.as_mut() else {
            return Err(Error::Failed(format!(
                "{} is not open for writing",
                path.display()
            )));
        };
        file.write_all(buffer).map_err(io("write", &path))?;
        buffer.clear();
        Ok(())
    }

    fn flush(&mut self, buffer: &mut Vec<u8>) -> Result<(), Error> {
        self.write_buffer(buffer)?;
        let path = self.path();
        if let Some(file) = self.file.as_ref() {
            file.sync_data().map_err(io("flush", &path))?;
        }
        Ok(())
    }
}

/// Where a reader stands in one device's folder: every segment below `segment` is read to
/// its end, except those in `pending` (damaged, or left open when a newer one appeared),
/// which are read again from their offset next time. Nothing is read twice, nothing skipped
/// for good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub segment: u32,
    pub offset: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pending: BTreeMap<u32, u64>,
}

impl Default for Cursor {
    fn default() -> Self {
        Cursor {
            segment: 1,
            offset: 0,
            pending: BTreeMap::new(),
        }
    }
}

/// What one read of a device folder returned.
#[derive(Debug, Default)]
pub struct Batch {
    /// The new events, segment by segment, in each segment's order.
    pub events: Vec<Event>,
    pub cursor: Cursor,
    /// What was skipped (damaged segments, foreign files, links): reported, not fatal.
    pub problems: Vec<Problem>,
    /// Bytes of incomplete last lines left for a later read.
    pub waiting_bytes: u64,
}

/// Reads `device`'s new events from `cursor` on, stopping once about `max_bytes` of segment
/// files were read (the returned cursor resumes exactly there).
pub fn read_device(
    dir: &Path,
    device: &DeviceId,
    cursor: &Cursor,
    max_bytes: u64,
) -> Result<Batch, Error> {
    let folder = dir.join(device.as_str());
    let mut batch = Batch {
        cursor: cursor.clone(),
        ..Batch::default()
    };
    match fs::symlink_metadata(&folder) {
        Ok(meta) if meta.file_type().is_symlink() => {
            batch
                .problems
                .push(Problem::at(folder, ProblemKind::Symlink));
            return Ok(batch);
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(batch),
        Err(e) => return Err(io("read", &folder)(e)),
    }
    let (segments, problems) = list_segments(&folder)?;
    batch.problems.extend(problems);
    let newest = segments.last_key_value().map(|(&n, _)| n);
    let mut read_bytes = 0u64;

    // Segments left behind the main cursor first.
    for (&number, &offset) in &cursor.pending {
        if read_bytes >= max_bytes {
            break;
        }
        let Some(path) = segments.get(&number) else {
            continue;
        };
        let read = read_segment(path, offset, device);
        read_bytes += read.file_bytes;
        batch.waiting_bytes += read.waiting_bytes;
        match read.damage {
            Some(problem) => batch.problems.push(problem),
            None => {
                batch.events.extend(read.events);
                if read.closed {
                    batch.cursor.pending.remove(&number);
                } else {
                    batch.cursor.pending.insert(number, read.end);
                }
            }
        }
    }

    // Then the main cursor onwards.
    for (&number, path) in segments.range(cursor.segment..) {
        if read_bytes >= max_bytes {
            break;
        }
        let offset = if number == batch.cursor.segment {
            batch.cursor.offset
        } else {
            0
        };
        let read = read_segment(path, offset, device);
        read_bytes += read.file_bytes;
        batch.waiting_bytes += read.waiting_bytes;
        let is_newest = Some(number) == newest;
        match read.damage {
            Some(problem) => {
                batch.problems.push(problem);
                if is_newest {
                    // Stay on it: a damaged copy in progress may still be fixed by the sync tool.
                    batch.cursor.segment = number;
                    batch.cursor.offset = offset;
                } else {
                    batch.cursor.pending.insert(number, offset);
                    batch.cursor.segment = number + 1;
                    batch.cursor.offset = 0;
                }
            }
            None => {
                batch.events.extend(read.events);
                if read.closed {
                    batch.cursor.segment = number + 1;
                    batch.cursor.offset = 0;
                } else if is_newest {
                    batch.cursor.segment = number;
                    batch.cursor.offset = read.end;
                } else {
                    // Left open while a newer one exists (its writer abandoned it, or its
                    // close line is still being copied): come back to it.
                    batch.cursor.pending.insert(number, read.end);
                    batch.cursor.segment = number + 1;
                    batch.cursor.offset = 0;
                }
            }
        }
    }
    Ok(batch)
}

/// About how many bytes of a device's segments lie beyond `cursor` (what the next reads will
/// take): to tell a large merge from a small one before it starts. Unreadable entries count
/// as nothing; the read reports them.
pub fn unread_bytes(dir: &Path, device: &DeviceId, cursor: &Cursor) -> u64 {
    let Ok((segments, _)) = list_segments(&dir.join(device.as_str())) else {
        return 0;
    };
    let size = |path: &PathBuf| fs::symlink_metadata(path).map_or(0, |m| m.len());
    let behind: u64 = cursor
        .pending
        .iter()
        .filter_map(|(number, &offset)| {
            segments.get(number).map(|p| size(p).saturating_sub(offset))
        })
        .sum();
    let ahead: u64 = segments
        .range(cursor.segment..)
        .map(|(&number, path)| {
            let offset = if number == cursor.segment {
                cursor.offset
            } else {
                0
            };
            size(path).saturating_sub(offset)
        })
        .sum();
    behind + ahead
}

/// The segment files of a device folder by number, and what else lies there.
fn list_segments(folder: &Path) -> Result<(BTreeMap<u32, PathBuf>, Vec<Problem>), Error> {
    let mut segments = BTreeMap::new();
    let mut problems = Vec::new();
    for entry in fs::read_dir(folder).map_err(io("list", folder))? {
        let entry = entry.map_err(io("list", folder))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(io("read", &path))?;
        let name = entry.file_name();
        let name = name.to_str();
        if file_type.is_symlink() {
            problems.push(Problem::at(path, ProblemKind::Symlink));
            continue;
        }
        match name.and_then(segment_number) {
            Some(number) if file_type.is_file() => {
                segments.insert(number, path);
            }
            _ if name == Some(CLAIM_FILE) && file_type.is_file() => {}
            _ => problems.push(Problem::at(path, ProblemKind::Foreign)),
        }
    }
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((segments, problems))
}

/// Never follows a link swapped in for a segment after the folder was listed.
fn no_follow(options: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NOFOLLOW);
    }
    options
}

/// A whole segment file, refusing links, non-files and anything over [`MAX_SEGMENT_BYTES`].
fn read_capped(path: &Path) -> Result<Vec<u8>, Error> {
    let file = no_follow(OpenOptions::new().read(true))
        .open(path)
        .map_err(io("open", path))?;
    let meta = file.metadata().map_err(io("read", path))?;
    if !meta.is_file() {
        return Err(Error::Failed(format!("{} is not a file", path.display())));
    }
    let mut bytes = Vec::with_capacity(meta.len().min(MAX_SEGMENT_BYTES) as usize);
    file.take(MAX_SEGMENT_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io("read", path))?;
    if bytes.len() as u64 > MAX_SEGMENT_BYTES {
        return Err(Error::Failed(format!(
            "{} is larger than {MAX_SEGMENT_BYTES} bytes, more than any segment",
            path.display()
        )));
    }
    Ok(bytes)
}

struct SegmentRead {
    events: Vec<Event>,
    /// The offset after the last complete line read.
    end: u64,
    closed: bool,
    damage: Option<Problem>,
    file_bytes: u64,
    waiting_bytes: u64,
}

fn damaged(path: &Path, line: Option<usize>, column: Option<usize>, reason: String) -> Problem {
    Problem {
        path: path.to_path_buf(),
        line,
        column,
        kind: ProblemKind::Damaged(reason),
    }
}

/// Reads one segment from `offset` (a line start): its complete lines, checked. Any damage
/// discards the whole read of this segment.
fn read_segment(path: &Path, offset: u64, device: &DeviceId) -> SegmentRead {
    let mut out = SegmentRead {
        events: Vec::new(),
        end: offset,
        closed: false,
        damage: None,
        file_bytes: 0,
        waiting_bytes: 0,
    };
    let bytes = match read_capped(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            out.damage = Some(damaged(path, None, None, e.to_string()));
            return out;
        }
    };
    out.file_bytes = bytes.len() as u64;
    let start = offset as usize;
    if offset > bytes.len() as u64 || (start > 0 && bytes[start - 1] != b'\n') {
        out.damage = Some(damaged(
            path,
            None,
            None,
            format!(
                "the file changed under the read position (byte {offset}): a segment is only ever appended to"
            ),
        ));
        return out;
    }
    let scan = scan_lines(path, &bytes, start, device, true);
    out.waiting_bytes = (bytes.len() - scan.end) as u64;
    if scan.damage.is_some() {
        out.damage = scan.damage;
        return out;
    }
    out.events = scan.events_read;
    out.end = scan.end as u64;
    out.closed = scan.closed;
    out
}

struct Scan {
    events_read: Vec<Event>,
    /// Event lines in the whole file (before a close line).
    events: u64,
    last_seq: Option<u64>,
    closed: bool,
    /// The offset after the last complete line.
    end: usize,
    damage: Option<Problem>,
}

/// Walks the complete lines of a segment: hashes all of them, counts them, parses those from
/// `start` (when `keep`), and checks the close line and the order of sequence numbers.
fn scan_lines(path: &Path, bytes: &[u8], start: usize, device: &DeviceId, keep: bool) -> Scan {
    let mut scan = Scan {
        events_read: Vec::new(),
        events: 0,
        last_seq: None,
        closed: false,
        end: 0,
        damage: None,
    };
    let mut hash = Sha256::new();
    let mut position = 0usize;
    let mut line_number = 0usize;
    while let Some(length) = memchr::memchr(b'\n', &bytes[position..]) {
        let line = &bytes[position..position + length];
        line_number += 1;
        let fail = |column: Option<usize>, reason: String| {
            Some(damaged(path, Some(line_number), column, reason))
        };
        if scan.closed {
            scan.damage = fail(None, "there are lines after the close line".into());
            return scan;
        }
        if length + 1 > MAX_LINE_BYTES {
            scan.damage = fail(
                None,
                format!("the line is longer than {MAX_LINE_BYTES} bytes"),
            );
            return scan;
        }
        if is_close_line(line) {
            let close: CloseLine = match serde_json::from_slice(line) {
                Ok(close) => close,
                Err(e) => {
                    scan.damage = fail(
                        Some(e.column()),
                        format!("the close line does not parse ({e})"),
                    );
                    return scan;
                }
            };
            if close.close.events != scan.events {
                scan.damage = fail(
                    None,
                    format!(
                        "the close line counts {} events but the segment holds {}",
                        close.close.events, scan.events
                    ),
                );
                return scan;
            }
            if close.close.sha256 != hash.hex() {
                scan.damage = fail(
                    None,
                    "the checksum in the close line does not match the segment's content".into(),
                );
                return scan;
            }
            scan.closed = true;
        } else {
            scan.events += 1;
            // Lines before `start` were read and checked before; only hash and count them.
            if position >= start {
                match Event::from_line(line) {
                    Ok(event) => {
                        if &event.device != device {
                            scan.damage = fail(
                                None,
                                format!(
                                    "the event belongs to device {}, not to this folder's",
                                    event.device
                                ),
                            );
                            return scan;
                        }
                        if scan.last_seq.is_some_and(|last| event.seq <= last) {
                            scan.damage = fail(
                                None,
                                format!(
                                    "sequence number {} does not follow {}",
                                    event.seq,
                                    scan.last_seq.unwrap_or(0)
                                ),
                            );
                            return scan;
                        }
                        scan.last_seq = Some(event.seq);
                        if keep {
                            scan.events_read.push(event);
                        }
                    }
                    Err(e) => {
                        scan.damage = fail(e.column, e.message);
                        return scan;
                    }
                }
            }
            hash.update(line);
            hash.update(b"\n");
        }
        position += length + 1;
        scan.end = position;
    }
    scan
}

/// Our own segment, whole: is it closed, how many events, the last sequence, any damage.
fn scan_own(path: &Path, bytes: &[u8], device: &DeviceId) -> Scan {
    scan_lines(path, bytes, 0, device, false)
}

/// The highest sequence number of `device` among the lines that read, ignoring the others.
fn highest_seq(bytes: &[u8], device: &DeviceId) -> Option<u64> {
    bytes
        .split(|&b| b == b'\n')
        .filter_map(|line| Event::from_line(line).ok())
        .filter(|event| &event.device == device)
        .map(|event| event.seq)
        .max()
}

/// The last sequence number in the segments before `newest` (0 when there is none).
fn last_seq_before(
    segments: &BTreeMap<u32, PathBuf>,
    newest: u32,
    device: &DeviceId,
) -> Result<u64, Error> {
    for (_, path) in segments.range(..newest).rev() {
        let bytes = read_capped(path)?;
        if let Some(seq) = scan_own(path, &bytes, device).last_seq {
            return Ok(seq);
        }
    }
    Ok(0)
}

#[cfg(test)]
#[path = "segment_tests.rs"]
mod tests;
