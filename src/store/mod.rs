//! The YAML files under `.orchestron/`: finding the workspace, reading records
//! tolerantly (a bad file is a [`Problem`](crate::model::Problem), never a
//! failure of the whole), writing them atomically under the workspace lock, and
//! editing existing files losslessly so that a human's comments survive. Every
//! file the tool touches goes through here.

mod atomic;
mod cache_path;
mod claims;
mod edit;
mod error;
mod filesystem;
mod import_source;
mod init;
mod live_updates;
mod load;
mod lock;
mod monitor;
mod monitor_socket;
mod read;
mod record_path;
mod record_read;
mod records;
mod scan;
mod user_files;
mod workspace;
mod yaml_doc;

pub use atomic::{is_temp_name, remove_stale_temps, write_atomic};
pub use claims::{Claim, ClaimRegistry, Claims, ClosedMark, ClosedMarks, LostClaim, RemoteHold};
pub use edit::{Editable, added_keys, edit_text};
pub use error::StoreError;
pub use filesystem::unwatchable;
pub use import_source::{SourceFile, read_source};
pub use init::{GITATTRIBUTES, has_workspace, init};
pub use live_updates::{LiveUpdates, RecordChange};
pub use load::{Loaded, content_hash, load_record, load_record_at, parse_task_text};
pub use lock::WorkspaceLock;
pub use monitor::{Changes, DEFAULT_LIMIT, Monitor, Token};
pub use monitor_socket::{
    MonitorServer, ask_since, serving_pid, socket_exists, socket_path, spawn_background_watcher,
};
pub(crate) use read::join_all;
pub use read::{read_all, read_batch};
pub use record_path::RecordPath;
pub use record_read::{
    RecordReadError, read_listed_record_file, read_record_bytes, read_record_file,
    read_record_texts,
};
pub use records::{LoadedFile, Stamp, StoredRecord};
pub use scan::{Listing, ScannedFile, Scope, list, mtime_ns, scan_while, stat_file};
pub use user_files::{
    read_bytes, read_small_text, read_text_if_exists, write_file, write_if_missing,
    write_named_file,
};
pub use workspace::Workspace;
pub use yaml_doc::parse_yaml;
