//! YAML documents that are not records: the task templates built into the
//! binary and the front matter of imported Markdown files. A failure names
//! the document and carries its line and column, like a record's.

use super::{StoreError, load::strip_location};
use std::path::Path;

/// Parses a YAML document named `name` (a path, or the name of a document
/// built into the binary); a failure carries its line and column.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(
    name: &Path,
    text: &str,
) -> Result<T, StoreError> {
    yaml_serde::from_str(text).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        StoreError::Invalid {
            path: name.to_path_buf(),
            line,
            column,
            message: strip_location(&e.to_string()),
        }
    })
}
