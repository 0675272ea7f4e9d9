//! Multi-row `INSERT … VALUES` batches of generated literals, the scale seed's way of
//! writing a million rows in a minute.

use std::fmt::Write as _;

use diesel::connection::SimpleConnection;

use crate::db::Conn;

/// Collects rows of one table and writes them as multi-row inserts of `CHUNK` rows.
pub(super) struct Batch<'a> {
    conn: &'a mut Conn,
    head: String,
    sql: String,
    rows: usize,
}

const CHUNK: usize = 1000;

impl<'a> Batch<'a> {
    pub(super) fn new(conn: &'a mut Conn, head: &str) -> Batch<'a> {
        Batch {
            conn,
            head: head.to_string(),
            sql: String::with_capacity(256 * CHUNK),
            rows: 0,
        }
    }

    pub(super) fn row(&mut self, values: std::fmt::Arguments<'_>) -> anyhow::Result<()> {
        if self.rows == 0 {
            self.sql.clear();
            self.sql.push_str(&self.head);
            self.sql.push_str(" VALUES ");
        } else {
            self.sql.push(',');
        }
        self.sql.push('(');
        self.sql.write_fmt(values)?;
        self.sql.push(')');
        self.rows += 1;
        if self.rows >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    pub(super) fn flush(&mut self) -> anyhow::Result<()> {
        if self.rows > 0 {
            self.conn.batch_execute(&self.sql)?;
            self.rows = 0;
        }
        Ok(())
    }
}
