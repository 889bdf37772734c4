//! Reading one record file's bytes without being led astray by what sits at
//! its name: a FIFO or a device never blocks us (the file is opened
//! non-blocking and its type is checked on the open handle, not on an
//! earlier stat), a directory is refused, a symbolic link is followed only
//! when its target lies inside the workspace folder, and at most
//! [`Limits::FILE_BYTES`] + 1 bytes are ever read, so a giant file costs no
//! memory. Every reader of record files on disk comes through here. A
//! regular file — nearly always — costs an open, the handle's `fstat` and
//! the reads: its name is not stat'ed first.

use crate::model::Limits;
use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// Why a record file's bytes could not be had.
#[derive(Debug, thiserror::Error)]
pub enum RecordReadError {
    #[error("cannot read the file")]
    Io(#[source] std::io::Error),
    /// Something other than a regular file sits at the record's name.
    #[error("not a regular file but {what}; refused")]
    NotAFile { what: &'static str },
    /// A symbolic link whose target is outside the workspace folder.
    #[error("a symbolic link to {}, outside the workspace folder; refused, not followed", target.display())]
    Outside { target: PathBuf },
    /// Larger than any record may be; not read.
    #[error("file is {size} bytes, the limit is {} bytes", Limits::FILE_BYTES)]
    TooLarge { size: u64 },
}

impl RecordReadError {
    /// Whether the file is simply not there (deleted since it was listed).
    pub fn is_missing(&self) -> bool {
        matches!(self, RecordReadError::Io(e) if e.kind() == std::io::ErrorKind::NotFound)
    }
}

/// The bytes of the record file at `path`, which must lie directly inside a
/// record folder of the workspace folder `root` (canonical, as
/// [`super::Workspace`] keeps it).
pub fn read_record_bytes(root: &Path, path: &Path) -> Result<Vec<u8>, RecordReadError> {
    read_record_file(root, path).map(|(bytes, _)| bytes)
}

/// [`read_record_bytes`] with the file's metadata as checked on the handle
/// it was read through (the symlink followed), so that a caller that needs
/// its time does not stat the file again.
///
/// The file is opened first, refusing to follow a link (`O_NOFOLLOW`), and
/// its type is checked on the open handle: for a regular file, nothing is
/// stat'ed by name. Only what that open refuses — a symbolic link (`ELOOP`),
/// a socket (`ENXIO`) — is looked at by name, to follow a link that stays
/// inside the workspace folder or to say what sits there. (As for
/// [`read_listed_record_file`], a device node at a record's name is opened,
/// with `O_NONBLOCK` and `O_NOCTTY`, before it is refused.)
pub fn read_record_file(
    root: &Path,
    path: &Path,
) -> Result<(Vec<u8>, std::fs::Metadata), RecordReadError> {
    match open_checked(path) {
        Ok((file, meta)) => return Ok((read_capped(file, meta.len())?, meta)),
        Err(OpenRefused::Link) => {}
        Err(OpenRefused::Other(e)) if e.raw_os_error() == Some(libc::ENXIO) => {}
        Err(OpenRefused::Other(e)) => return Err(RecordReadError::Io(e)),
        Err(OpenRefused::Checked(refused)) => return Err(refused),
    }
    let link = std::fs::symlink_metadata(path).map_err(RecordReadError::Io)?;
    let target = if link.file_type().is_symlink() {
        let target = std::fs::canonicalize(path).map_err(RecordReadError::Io)?;
        if !target.starts_with(root) {
            return Err(RecordReadError::Outside { target });
        }
        target
    } else {
        path.to_path_buf()
    };
    // What the open refused is refused by its stat (a socket cannot even
    // be opened) ...
    let listed = if target == path {
        link
    } else {
        std::fs::metadata(&target).map_err(RecordReadError::Io)?
    };
    if !listed.is_file() {
        return Err(RecordReadError::NotAFile {
            what: kind_of(&listed.file_type()),
        });
    }
    let (file, meta) = open_checked(&target).map_err(OpenRefused::into_error(&target))?;
    Ok((read_capped(file, meta.len())?, meta))
}

/// The text of every record file of `kind` in the workspace folder `root`,
/// live or `archived` (names only from the listing; each file read as
/// above), by its path relative to `root` (`tasks/TASK-7k2mq.yaml`,
/// `archive/tasks/…`). A file that cannot be
/// read, or that is refused, fails the whole: a diff must not leave one out.
pub fn read_record_texts(
    root: &Path,
    kind: crate::model::IdKind,
    archived: bool,
) -> Result<Vec<(super::RecordPath, String)>, super::StoreError> {
    use super::{RecordPath, StoreError};
    let folder = RecordPath::dir(kind, archived);
    let dir = root.join(&folder);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(StoreError::io(dir, e)),
    };
    let mut out = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| StoreError::io(&dir, e))?;
        let Some(path) = entry
            .file_name()
            .to_str()
            .and_then(|n| RecordPath::parse(&format!("{folder}/{n}")))
        else {
            continue;
        };
        match read_record_bytes(root, &entry.path()) {
            Ok(bytes) => out.push((path, String::from_utf8_lossy(&bytes).into_owned())),
            Err(e) if e.is_missing() => {}
            Err(RecordReadError::Io(e)) => return Err(StoreError::io(entry.path(), e)),
            Err(refused) => {
                return Err(StoreError::Broken {
                    path: path.rel(),
                    line: 1,
                    column: 1,
                    message: refused.to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// [`read_record_file`] for a file that the caller's listing saw as a
/// regular file (not a link): its name is not looked at again. What could
/// have been swapped in since is still caught: a link by `O_NOFOLLOW`, a
/// FIFO or a directory by the open handle's own `fstat`, and nothing
/// blocks. (The one difference: a device node swapped in meanwhile would be
/// opened before it is refused, with `O_NONBLOCK` and `O_NOCTTY`.) A
/// rebuild reads every file this way.
///
/// The file is read with one `read` (the whole file, by that `fstat`'s
/// size, and no second call to see its end). The metadata describes the
/// bytes: it was taken on the handle before they were read, and a file
/// written after it changed its size or mtime from it, so a stamp made of
/// it no longer matches and the next refresh reads the file again (a file
/// that grew in between is read up to the size stated, never past the
/// limit).
pub fn read_listed_record_file(
    path: &Path,
) -> Result<(Vec<u8>, std::fs::Metadata), RecordReadError> {
    let (file, meta) = open_checked(path).map_err(OpenRefused::into_error(path))?;
    Ok((read_stated(file, meta.len())?, meta))
}

/// Reads the `len` bytes (at most the limit) that the handle's `fstat`
/// stated, or fewer if the file has shrunk since.
fn read_stated(mut file: File, len: u64) -> Result<Vec<u8>, RecordReadError> {
    let len = usize::try_from(len.min(Limits::FILE_BYTES)).unwrap_or(0);
    let mut bytes = vec![0; len];
    let mut filled = 0;
    while filled < len {
        match file.read(&mut bytes[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(RecordReadError::Io(e)),
        }
    }
    bytes.truncate(filled);
    Ok(bytes)
}

/// Why [`open_checked`] gave no file.
enum OpenRefused {
    /// A symbolic link: `O_NOFOLLOW` refused it.
    Link,
    /// The open itself failed.
    Other(std::io::Error),
    /// Opened, and refused on the handle (not a regular file, too large).
    Checked(RecordReadError),
}

impl OpenRefused {
    /// As the reader reports it about `target`: a link there was swapped
    /// in and is refused, not followed.
    fn into_error(target: &Path) -> impl FnOnce(OpenRefused) -> RecordReadError + '_ {
        move |refused| match refused {
            OpenRefused::Link => RecordReadError::Outside {
                target: target.to_path_buf(),
            },
            OpenRefused::Other(e) => RecordReadError::Io(e),
            OpenRefused::Checked(e) => e,
        }
    }
}

/// Opens `target` without following a link and checks on the open handle
/// that it is a regular file of at most the limit's size. O_NONBLOCK:
/// opening a FIFO returns at once.
fn open_checked(target: &Path) -> Result<(File, std::fs::Metadata), OpenRefused> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOFOLLOW | libc::O_NOCTTY)
        .open(target)
        .map_err(|e| match e.raw_os_error() {
            Some(libc::ELOOP) => OpenRefused::Link,
            _ => OpenRefused::Other(e),
        })?;
    let meta = file
        .metadata()
        .map_err(|e| OpenRefused::Checked(RecordReadError::Io(e)))?;
    if !meta.is_file() {
        return Err(OpenRefused::Checked(RecordReadError::NotAFile {
            what: kind_of(&meta.file_type()),
        }));
    }
    if meta.len() > Limits::FILE_BYTES {
        return Err(OpenRefused::Checked(RecordReadError::TooLarge {
            size: meta.len(),
        }));
    }
    Ok((file, meta))
}

/// Reads at most one byte past the limit (a file that grew since its stat
/// is caught by the loader's own size check). The buffer is sized from the
/// stat plus one byte, so a file that did not change is read by one `read`
/// and its end seen by a second (from an empty buffer, `read_to_end` probes
/// and grows: seven calls per record file).
fn read_capped(file: File, len: u64) -> Result<Vec<u8>, RecordReadError> {
    let capacity = usize::try_from(len.min(Limits::FILE_BYTES) + 1).unwrap_or(0);
    let mut bytes = Vec::with_capacity(capacity);
    file.take(Limits::FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(RecordReadError::Io)?;
    Ok(bytes)
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap().join("ws");
        std::fs::create_dir_all(root.join("tasks")).unwrap();
        (dir, root)
    }

    #[test]
    fn a_fifo_named_like_a_record_is_refused_without_blocking() {
        let (_dir, root) = root();
        let path = root.join("tasks/TASK-fifo1.yaml");
        let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
        let err = read_record_bytes(&root, &path).unwrap_err();
        assert!(matches!(err, RecordReadError::NotAFile { what } if what.contains("FIFO")));
    }

    #[test]
    fn a_link_out_of_the_workspace_is_refused_and_one_inside_is_followed() {
        let (dir, root) = root();
        let secret = dir.path().join("secret.yaml");
        std::fs::write(&secret, "id: TASK-x\n").unwrap();
        let out = root.join("tasks/TASK-out.yaml");
        std::os::unix::fs::symlink(&secret, &out).unwrap();
        assert!(matches!(
            read_record_bytes(&root, &out),
            Err(RecordReadError::Outside { .. })
        ));
        let inside = root.join("tasks/TASK-in.yaml");
        std::fs::write(root.join("kept.yaml"), "x: 1\n").unwrap();
        std::os::unix::fs::symlink(root.join("kept.yaml"), &inside).unwrap();
        assert_eq!(read_record_bytes(&root, &inside).unwrap(), b"x: 1\n");
    }

    #[test]
    fn a_socket_named_like_a_record_is_refused_as_a_socket_and_a_file_read_with_its_metadata() {
        let (_dir, root) = root();
        let path = root.join("tasks/TASK-sock1.yaml");
        let _socket = std::os::unix::net::UnixListener::bind(&path).unwrap();
        assert!(matches!(
            read_record_file(&root, &path),
            Err(RecordReadError::NotAFile { what: "a socket" })
        ));
        let file = root.join("tasks/TASK-file1.yaml");
        std::fs::write(&file, "id: TASK-file1\n").unwrap();
        let (bytes, meta) = read_record_file(&root, &file).unwrap();
        assert_eq!(bytes, b"id: TASK-file1\n");
        let stat = std::fs::metadata(&file).unwrap();
        assert_eq!(
            (meta.len(), meta.modified().unwrap()),
            (stat.len(), stat.modified().unwrap())
        );
        assert!(
            read_record_file(&root, &root.join("tasks/TASK-gone1.yaml"))
                .unwrap_err()
                .is_missing()
        );
    }

    #[test]
    fn a_listed_file_is_read_to_the_size_its_handle_stated_and_no_further() {
        let (_dir, root) = root();
        let path = root.join("tasks/TASK-grow1.yaml");
        std::fs::write(&path, "id: TASK-grow1\n").unwrap();
        let (bytes, meta) = read_listed_record_file(&path).unwrap();
        assert_eq!(
            (bytes.as_slice(), meta.len()),
            (&b"id: TASK-grow1\n"[..], 15)
        );
        // A file that grows after its handle's fstat: the bytes stop at the
        // stated size, and the file's size no longer matches that stat.
        let (file, meta) = open_checked(&path).ok().unwrap();
        std::fs::write(&path, "id: TASK-grow1\ntitle: longer now\n").unwrap();
        let bytes = read_stated(file, meta.len()).unwrap();
        assert_eq!(bytes, b"id: TASK-grow1\n");
        assert_ne!(std::fs::metadata(&path).unwrap().len(), meta.len());
        // One that shrank is read to its end.
        let (file, meta) = open_checked(&path).ok().unwrap();
        std::fs::write(&path, "id: x\n").unwrap();
        assert_eq!(read_stated(file, meta.len()).unwrap(), b"id: x\n");
    }

    #[test]
    fn a_directory_and_a_device_are_refused_and_a_giant_file_is_not_read() {
        let (_dir, root) = root();
        let d = root.join("tasks/TASK-dir.yaml");
        std::fs::create_dir(&d).unwrap();
        assert!(matches!(
            read_record_bytes(&root, &d),
            Err(RecordReadError::NotAFile {
                what: "a directory"
            })
        ));
        let dev = root.join("tasks/TASK-dev.yaml");
        std::os::unix::fs::symlink("/dev/zero", &dev).unwrap();
        // Outside the workspace, so refused before it is opened at all.
        assert!(matches!(
            read_record_bytes(&root, &dev),
            Err(RecordReadError::Outside { .. })
        ));
        let big = root.join("tasks/TASK-big.yaml");
        let f = File::create(&big).unwrap();
        f.set_len(Limits::FILE_BYTES * 64).unwrap();
        assert!(matches!(
            read_record_bytes(&root, &big),
            Err(RecordReadError::TooLarge { size }) if size == Limits::FILE_BYTES * 64
        ));
    }
}
