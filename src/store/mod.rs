//! The YAML files under `.orchestron/`: finding the workspace, reading records
//! tolerantly (a bad file is a [`Problem`](crate::model::Problem), never a
//! failure of the whole), writing them atomically under the workspace lock, and
//! editing existing files losslessly so that a human's comments survive.

mod atomic;
mod edit;
mod error;
mod init;
mod load;
mod lock;
mod scan;
mod workspace;

pub use atomic::write_atomic;
pub use edit::edit_text;
pub use error::StoreError;
pub use init::{GITATTRIBUTES, InitReport, init};
pub use load::{content_hash, load_record, parse_task_text};
pub use lock::WorkspaceLock;
pub use scan::{ScannedFile, mtime_ns, scan, scan_while};
pub use workspace::Workspace;
