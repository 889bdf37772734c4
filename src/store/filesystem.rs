//! What kind of file system a folder lives on, as far as a file watcher cares:
//! inotify sees only the changes made through this machine's kernel, so on a
//! network or FUSE file system another machine's (or another VM's) write never
//! arrives and a watcher would vouch for a stale answer. Those are told apart
//! by `statfs`'s magic number (the values of Linux's `linux/magic.h`).

use std::path::Path;

/// Why a watcher cannot be trusted on the file system of a folder, if it cannot.
pub fn unwatchable(dir: &Path) -> Option<&'static str> {
    if !cfg!(target_os = "linux") {
        return Some("file watching is only trusted on Linux (inotify)");
    }
    remote_kind(dir)
}

#[cfg(target_os = "linux")]
fn remote_kind(dir: &Path) -> Option<&'static str> {
    use std::os::unix::ffi::OsStrExt;
    let path = std::ffi::CString::new(dir.as_os_str().as_bytes()).ok()?;
    // SAFETY: statfs writes into the zeroed struct we own; the path is a
    // valid NUL-terminated string for the duration of the call.
    let mut fs: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statfs(path.as_ptr(), &mut fs) } != 0 {
        return None;
    }
    // `f_type`'s integer type differs between targets; the magic numbers
    // are 32-bit values.
    #[allow(clippy::unnecessary_cast)]
    let magic = fs.f_type as i64 as u32;
    network_name(magic)
}

#[cfg(not(target_os = "linux"))]
fn remote_kind(_dir: &Path) -> Option<&'static str> {
    None
}

/// The name of a network, cluster or FUSE file system's magic number.
fn network_name(magic: u32) -> Option<&'static str> {
    Some(match magic {
        0x6969 => "an NFS file system",
        0x517b | 0xff53_4d42 | 0xfe53_4d42 => "an SMB/CIFS file system",
        0x6573_5546 => "a FUSE file system",
        0x0102_1997 => "a 9p file system",
        0x00c3_6400 => "a Ceph file system",
        0x5346_414f => "an AFS file system",
        0x7375_7245 => "a Coda file system",
        0x0116_1970 => "a GFS2 file system",
        0x7461_636f => "an OCFS2 file system",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_local_folder_is_watchable_and_network_magic_numbers_are_named() {
        let dir = tempfile::tempdir().unwrap();
        if cfg!(target_os = "linux") {
            // The temporary folder is a local disk or tmpfs here.
            assert_eq!(unwatchable(dir.path()), None);
        }
        assert_eq!(network_name(0x6969), Some("an NFS file system"));
        assert_eq!(network_name(0x6573_5546), Some("a FUSE file system"));
        assert_eq!(network_name(0xef53), None, "ext4 is local");
    }
}
