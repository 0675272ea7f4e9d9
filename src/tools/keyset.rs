//! The cursor of a keyset-paginated list page: the first page, the page after a row
//! (`?after=ID`, "next") or the page before one (`?before=ID`, "previous"). No OFFSET.

use serde::Deserialize;

/// Where a list page starts. Lists are ordered by (sort key, id); the cursor is a row's id.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Cursor {
    #[default]
    First,
    /// The rows that come after this one in the list's order.
    After(i64),
    /// The rows that come before this one: read in the reverse order, then flipped.
    Before(i64),
}

impl Cursor {
    /// From the two query parameters; `after` wins if both are given.
    pub fn from_query(after: Option<i64>, before: Option<i64>) -> Cursor {
        match (after, before) {
            (Some(a), _) => Cursor::After(a),
            (None, Some(b)) => Cursor::Before(b),
            (None, None) => Cursor::First,
        }
    }

    /// Whether rows are read in the list's own order (false when going back).
    pub fn forward(self) -> bool {
        !matches!(self, Cursor::Before(_))
    }
}

/// The query of a list page with no other parameters.
#[derive(Deserialize, Default, Clone, Copy, Debug)]
pub struct CursorQuery {
    pub after: Option<i64>,
    pub before: Option<i64>,
}

impl CursorQuery {
    pub fn cursor(&self) -> Cursor {
        Cursor::from_query(self.after, self.before)
    }
}

/// Applies a cursor to a boxed diesel query over one id column, in the list's order
/// (`desc`: newest first, `asc`: oldest first); going back reads the other way.
#[macro_export]
macro_rules! keyset {
    ($query:expr, $cursor:expr, $col:expr, desc) => {
        match $cursor {
            $crate::tools::Cursor::First => $query.order($col.desc()),
            $crate::tools::Cursor::After(a) => $query.filter($col.lt(a)).order($col.desc()),
            $crate::tools::Cursor::Before(b) => $query.filter($col.gt(b)).order($col.asc()),
        }
    };
    ($query:expr, $cursor:expr, $col:expr, asc) => {
        match $cursor {
            $crate::tools::Cursor::First => $query.order($col.asc()),
            $crate::tools::Cursor::After(a) => $query.filter($col.gt(a)).order($col.asc()),
            $crate::tools::Cursor::Before(b) => $query.filter($col.lt(b)).order($col.desc()),
        }
    };
}
