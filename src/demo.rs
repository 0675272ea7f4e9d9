//! The demo data set.

use crate::db::Db;

pub const PASSWORD: &str = "fenfa-demo";

/// Loads the demo data into an empty database; `None` when it already holds data.
pub fn load(_db: &Db) -> anyhow::Result<Option<Vec<(&'static str, &'static str)>>> {
    Ok(None)
}
