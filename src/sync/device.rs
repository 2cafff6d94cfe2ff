//! Device ids and the claim on a device folder.
//!
//! A collection gets one random 128-bit device id, made once (when the caller asks, on its
//! first sync), and writes only under `DIR/<device>/`. `device.json` in that folder names the
//! collection that claimed it (the collection's own random instance id) and when. Two
//! collections copied from one file carry the same device id: the second to sync finds the
//! folder claimed by another instance, and is told so instead of interleaving its events
//! with the other's.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::Rng;
use serde::{Deserialize, Serialize};

use super::segment::{SEGMENT_EXTENSION, segment_number};
use super::{Problem, ProblemKind, io, sync_dir};
use crate::error::Error;

/// The name of the claim inside a device folder.
pub const CLAIM_FILE: &str = "device.json";

/// The largest `device.json` read: a claim is a few dozen bytes.
const MAX_CLAIM_BYTES: u64 = 64 * 1024;

/// A device id: 32 lowercase hex digits (128 random bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeviceId(String);

impl DeviceId {
    /// A new random id (also used for a collection's instance id).
    pub fn generate() -> DeviceId {
        let bits: u128 = rand::rng().random();
        DeviceId(format!("{bits:032x}"))
    }

    /// Checks the form: exactly 32 lowercase hex digits, so an id is always a safe folder name.
    pub fn parse(text: &str) -> Result<DeviceId, String> {
        if text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            Ok(DeviceId(text.to_string()))
        } else {
            Err(format!(
                "{:?} is not a device id (32 lowercase hex digits)",
                text.chars().take(40).collect::<String>()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The content of `device.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    pub device: String,
    /// The claiming collection's own random id (32 hex digits), kept in the collection.
    pub instance: String,
    pub created_ms: i64,
}

/// What claiming a device folder found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimOutcome {
    /// The folder was free and is now ours.
    Claimed,
    /// We had claimed it before.
    AlreadyOurs,
    /// Another collection claimed it: nothing was written.
    Collision { theirs: Claim, folder: PathBuf },
}

impl ClaimOutcome {
    /// The collision as one sentence for the learner, or `Ok` when the folder is ours.
    pub fn into_result(self) -> Result<(), Error> {
        match self {
            ClaimOutcome::Claimed | ClaimOutcome::AlreadyOurs => Ok(()),
            ClaimOutcome::Collision { theirs, folder } => Err(Error::Failed(format!(
                "{} already belongs to another collection (instance {}): two collections copied from one file share the device id {}, so give this copy a new device id: run `jargon sync --new-device`",
                folder.display(),
                theirs.instance,
                theirs.device
            ))),
        }
    }
}

/// Claims `DIR/<device>/` for the collection `instance`, creating the folder and its
/// `device.json` if needed. A claim by another instance is a collision and changes nothing.
pub fn claim(
    dir: &Path,
    device: &DeviceId,
    instance: &DeviceId,
    now_ms: i64,
) -> Result<ClaimOutcome, Error> {
    let folder = dir.join(device.as_str());
    match fs::symlink_metadata(&folder) {
        Ok(meta) if meta.file_type().is_symlink() || !meta.is_dir() => {
            return Err(Error::Failed(format!(
                "{} is not a folder (a file or a symbolic link), so jargon will not write there",
                folder.display()
            )));
        }
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            fs::create_dir(&folder).map_err(io("create the device folder", &folder))?;
            sync_dir(dir)?;
        }
        Err(e) => return Err(io("read", &folder)(e)),
    }
    let path = folder.join(CLAIM_FILE);
    if let Some(existing) = read_claim(&path)? {
        if existing.instance == instance.as_str() && existing.device == device.as_str() {
            return Ok(ClaimOutcome::AlreadyOurs);
        }
        return Ok(ClaimOutcome::Collision {
            theirs: existing,
            folder,
        });
    }
    let claim = Claim {
        device: device.to_string(),
        instance: instance.to_string(),
        created_ms: now_ms,
    };
    let mut text = crate::text::to_json_pretty(&claim)
        .map_err(|e| Error::Failed(format!("cannot write the device claim: {e}")))?;
    text.push('\n');
    // Written whole under a temporary name and renamed, so no reader sees half a claim; if
    // another process raced us to the name, `persist_noclobber` refuses and we re-read.
    let mut temp = tempfile::Builder::new()
        .prefix(".device.json.")
        .tempfile_in(&folder)
        .map_err(io("create a file in", &folder))?;
    temp.write_all(text.as_bytes())
        .map_err(io("write", temp.path()))?;
    temp.as_file()
        .sync_all()
        .map_err(io("flush", temp.path()))?;
    match temp.persist_noclobber(&path) {
        Ok(_) => {}
        Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => {
            return claim_again(&path, device, instance, folder);
        }
        Err(e) => return Err(io("write", &path)(e.error)),
    }
    sync_dir(&folder)?;
    Ok(ClaimOutcome::Claimed)
}

fn claim_again(
    path: &Path,
    device: &DeviceId,
    instance: &DeviceId,
    folder: PathBuf,
) -> Result<ClaimOutcome, Error> {
    match read_claim(path)? {
        Some(c) if c.instance == instance.as_str() && c.device == device.as_str() => {
            Ok(ClaimOutcome::AlreadyOurs)
        }
        Some(theirs) => Ok(ClaimOutcome::Collision { theirs, folder }),
        None => Err(Error::Failed(format!(
            "{} appeared and vanished while jargon claimed it; run the sync again",
            path.display()
        ))),
    }
}

/// Reads a claim: `None` when there is none, an error when it is not a claim.
pub fn read_claim(path: &Path) -> Result<Option<Claim>, Error> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io("read", path)(e)),
    };
    if !meta.is_file() || meta.len() > MAX_CLAIM_BYTES {
        return Err(Error::Input {
            file: path.to_path_buf(),
            position: None,
            message: "is not a device claim (a symbolic link, a folder or too large)".into(),
        });
    }
    let text = fs::read(path).map_err(io("read", path))?;
    let claim: Claim = serde_json::from_slice(&text).map_err(|e| Error::Input {
        file: path.to_path_buf(),
        position: Some(crate::error::Position {
            line: e.line(),
            column: e.column(),
        }),
        message: format!("is not a device claim ({e})"),
    })?;
    Ok(Some(claim))
}

/// A device seen in the folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSeen {
    pub device: DeviceId,
    pub claim: Option<Claim>,
    /// How many segment files it has.
    pub segments: usize,
    /// When it last wrote: the modification time of its newest segment (or of its claim when
    /// it has none), milliseconds since the Unix epoch.
    pub last_write_ms: Option<i64>,
}

/// The devices present in DIR, by id, and what was skipped: names that are not device ids
/// (a sync tool's files, a conflicted copy of a folder), symbolic links, unreadable claims.
pub fn list_devices(dir: &Path) -> Result<(Vec<DeviceSeen>, Vec<Problem>), Error> {
    let mut devices = Vec::new();
    let mut problems = Vec::new();
    for entry in fs::read_dir(dir).map_err(io("list", dir))? {
        let entry = entry.map_err(io("list", dir))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(io("read", &path))?;
        let name = entry.file_name();
        let id = name.to_str().and_then(|n| DeviceId::parse(n).ok());
        match id {
            _ if file_type.is_symlink() => {
                problems.push(Problem::at(path, ProblemKind::Symlink));
            }
            Some(device) if file_type.is_dir() => {
                let claim = match read_claim(&path.join(CLAIM_FILE)) {
                    Ok(Some(claim)) if claim.device != device.as_str() => {
                        let named: String = claim.device.chars().take(40).collect();
                        problems.push(Problem::at(
                            path.join(CLAIM_FILE),
                            ProblemKind::Claim(format!(
                                "names the device {named:?}, not its folder's"
                            )),
                        ));
                        None
                    }
                    Ok(claim) => claim,
                    Err(e) => {
                        // The sentence names the file already; the problem says it once.
                        let (reason, position) = match e {
                            Error::Input {
                                message, position, ..
                            } => (message, position),
                            other => (other.to_string(), None),
                        };
                        problems.push(Problem {
                            path: path.join(CLAIM_FILE),
                            line: position.as_ref().map(|p| p.line),
                            column: position.as_ref().map(|p| p.column),
                            kind: ProblemKind::Claim(reason),
                        });
                        None
                    }
                };
                let (segments, newest) = newest_segment(&path)?;
                let last = newest.or_else(|| claim.as_ref().map(|_| path.join(CLAIM_FILE)));
                let last_write_ms = match last {
                    Some(p) => modified_ms(&p),
                    None => None,
                };
                devices.push(DeviceSeen {
                    device,
                    claim,
                    segments,
                    last_write_ms,
                });
            }
            _ => problems.push(Problem::at(path, ProblemKind::Foreign)),
        }
    }
    devices.sort_by(|a, b| a.device.cmp(&b.device));
    problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok((devices, problems))
}

fn newest_segment(folder: &Path) -> Result<(usize, Option<PathBuf>), Error> {
    let mut count = 0;
    let mut newest: Option<(u32, PathBuf)> = None;
    for entry in fs::read_dir(folder).map_err(io("list", folder))? {
        let entry = entry.map_err(io("list", folder))?;
        let name = entry.file_name();
        let Some(number) = name.to_str().and_then(segment_number) else {
            continue;
        };
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        count += 1;
        if newest.as_ref().is_none_or(|(n, _)| number > *n) {
            newest = Some((number, entry.path()));
        }
    }
    debug_assert!(SEGMENT_EXTENSION.starts_with('.'));
    Ok((count, newest.map(|(_, p)| p)))
}

fn modified_ms(path: &Path) -> Option<i64> {
    let modified = fs::symlink_metadata(path).ok()?.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_millis()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_ids_are_well_formed_and_differ() {
        let a = DeviceId::generate();
        let b = DeviceId::generate();
        assert_ne!(a, b);
        assert_eq!(DeviceId::parse(a.as_str()).unwrap(), a);
        for bad in [
            "",
            "ABCDEF0123456789abcdef0123456789",
            "../x",
            &"a".repeat(33),
        ] {
            assert!(DeviceId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn claiming_twice_is_ours_and_another_instance_is_a_collision() {
        let dir = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        let me = DeviceId::generate();
        assert_eq!(
            claim(dir.path(), &device, &me, 1).unwrap(),
            ClaimOutcome::Claimed
        );
        assert_eq!(
            claim(dir.path(), &device, &me, 2).unwrap(),
            ClaimOutcome::AlreadyOurs
        );
        let copy = DeviceId::generate();
        let outcome = claim(dir.path(), &device, &copy, 3).unwrap();
        assert!(matches!(outcome, ClaimOutcome::Collision { .. }));
        let message = outcome.into_result().unwrap_err().to_string();
        assert!(message.contains("copied from one file"), "{message}");
        assert!(
            message.contains("run `jargon sync --new-device`"),
            "{message}"
        );
        assert!(message.contains(me.as_str()), "{message}");
        // The first claim is untouched.
        let kept = read_claim(&dir.path().join(device.as_str()).join(CLAIM_FILE))
            .unwrap()
            .unwrap();
        assert_eq!(kept.instance, me.as_str());
        assert_eq!(kept.created_ms, 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_device_folder_that_is_a_symlink_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        let device = DeviceId::generate();
        std::os::unix::fs::symlink(elsewhere.path(), dir.path().join(device.as_str())).unwrap();
        let error = claim(dir.path(), &device, &DeviceId::generate(), 1).unwrap_err();
        assert!(error.to_string().contains("symbolic link"), "{error}");
        assert_eq!(fs::read_dir(elsewhere.path()).unwrap().count(), 0);
    }

    #[test]
    fn listing_shows_devices_and_reports_strangers() {
        let dir = tempfile::tempdir().unwrap();
        let a = DeviceId::generate();
        let b = DeviceId::generate();
        claim(dir.path(), &a, &DeviceId::generate(), 1).unwrap();
        claim(dir.path(), &b, &DeviceId::generate(), 1).unwrap();
        fs::write(dir.path().join(a.as_str()).join("00000001.jsonl"), b"").unwrap();
        fs::create_dir(dir.path().join(".stfolder")).unwrap();
        fs::write(dir.path().join("notes (conflicted copy).txt"), b"x").unwrap();
        fs::write(dir.path().join(b.as_str()).join(CLAIM_FILE), b"{").unwrap();
        let (devices, problems) = list_devices(dir.path()).unwrap();
        let ids: Vec<_> = devices.iter().map(|d| d.device.clone()).collect();
        let mut expected = vec![a.clone(), b.clone()];
        expected.sort();
        assert_eq!(ids, expected);
        let seen_a = devices.iter().find(|d| d.device == a).unwrap();
        assert_eq!(seen_a.segments, 1);
        assert!(seen_a.last_write_ms.unwrap() > 1_600_000_000_000);
        assert_eq!(problems.len(), 3, "{problems:?}");
        // The unreadable claim is said once, where it fails, and its device is still read.
        let claim = problems
            .iter()
            .find(|p| p.path.ends_with(CLAIM_FILE))
            .unwrap();
        let said = claim.to_string();
        let path = dir.path().join(b.as_str()).join(CLAIM_FILE);
        assert_eq!(
            said.matches(&*path.display().to_string()).count(),
            1,
            "{said}"
        );
        assert!(
            said.starts_with(&format!("{}:1:", path.display())),
            "{said}"
        );
        assert!(
            said.ends_with("the device's events are still read"),
            "{said}"
        );
        // A claim naming another device is not taken for its folder's.
        let c = DeviceId::generate();
        super::claim(dir.path(), &c, &DeviceId::generate(), 1).unwrap();
        fs::copy(
            dir.path().join(a.as_str()).join(CLAIM_FILE),
            dir.path().join(c.as_str()).join(CLAIM_FILE),
        )
        .unwrap();
        let (devices, problems) = list_devices(dir.path()).unwrap();
        let seen_c = devices.iter().find(|d| d.device == c).unwrap();
        assert_eq!(seen_c.claim, None);
        let named = format!("names the device \"{a}\", not its folder's");
        assert!(
            problems
                .iter()
                .any(|p| p.path.starts_with(dir.path().join(c.as_str()))
                    && p.to_string().contains(&named)),
            "{problems:?}"
        );
    }
}
