//! Tests of the index against real SQLite files in temporary directories.
