//! The query of a keyset-paginated list page.

use serde::Deserialize;

/// The keyset cursor of a list page: continue after this id (`?after=`).
#[derive(Deserialize, Default, Clone, Copy, Debug)]
pub struct AfterQuery {
    pub after: Option<i64>,
}
