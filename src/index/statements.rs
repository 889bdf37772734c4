//! Where a write runs its statements. The incremental apply runs each one
//! through the connection's statement cache; a bulk load of 100,000 files
//! runs the same dozen statements ~800,000 times, and the cache's lookup
//! (it hashes the statement's text on the way out and again on the way
//! back) was 6 % of the load's writer, the thread a rebuild waits on. So a
//! bulk load holds each statement it runs, prepared once and found by the
//! address of its text. The functions that write rows take either, so that
//! both ways write the same rows (see `derive` and `apply`).

use super::error::{Context, IndexError};
use rusqlite::{Connection, Params, Statement};
use std::cell::RefCell;

/// Runs write statements on one connection.
pub(super) trait Run {
    /// The connection the statements run on.
    fn conn(&self) -> &Connection;
    /// Runs `sql` once with `params`; returns the number of rows changed.
    fn run(
        &self,
        sql: &'static str,
        params: impl Params,
        context: &'static str,
    ) -> Result<usize, IndexError>;
}

impl Run for Connection {
    fn conn(&self) -> &Connection {
        self
    }

    fn run(
        &self,
        sql: &'static str,
        params: impl Params,
        context: &'static str,
    ) -> Result<usize, IndexError> {
        super::exec(self, sql, params, context)
    }
}

/// Statements prepared on first use and kept for the life of this value.
pub(super) struct Held<'c> {
    conn: &'c Connection,
    /// Keyed by the address and length of the statement's text: two keys
    /// are equal only for the same bytes, so one text is never run as another.
    statements: RefCell<Vec<((usize, usize), Statement<'c>)>>,
}

impl<'c> Held<'c> {
    pub(super) fn new(conn: &'c Connection) -> Held<'c> {
        Held {
            conn,
            statements: RefCell::new(Vec::with_capacity(16)),
        }
    }
}

impl Run for Held<'_> {
    fn conn(&self) -> &Connection {
        self.conn
    }

    fn run(
        &self,
        sql: &'static str,
        params: impl Params,
        context: &'static str,
    ) -> Result<usize, IndexError> {
        let key = (sql.as_ptr() as usize, sql.len());
        let mut held = self.statements.borrow_mut();
        let at = match held.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                held.push((key, self.conn.prepare(sql).ctx(context)?));
                held.len() - 1
            }
        };
        held[at].1.execute(params).ctx(context)
    }
}
