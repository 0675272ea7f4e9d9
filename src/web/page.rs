//! Keyset pagination's page: its rows and the ids to go on from, both ways.

use crate::error::AppResult;
use crate::tools::Cursor;

/// Pagination by keyset: the rows of one page, the id to continue after ("next") and the
/// id to go back before ("previous"); the first page has no `prev`, the last no `next`.
#[derive(Clone, Debug, Default)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub prev: Option<i64>,
    pub next: Option<i64>,
}

pub const PAGE_SIZE: i64 = 50;

impl<T> Page<T> {
    /// Builds a page from up to `limit + 1` rows read from `cursor` in its direction (reversed
    /// when going back); `key` extracts a row's cursor. The extra row says there is more.
    pub fn from_rows(
        mut rows: Vec<T>,
        limit: i64,
        cursor: Cursor,
        key: impl Fn(&T) -> i64,
    ) -> Page<T> {
        let limit = usize::try_from(limit).unwrap_or(50);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let (prev, next) = match cursor {
            Cursor::First => (None, if more { rows.last().map(&key) } else { None }),
            Cursor::After(_) => (
                rows.first().map(&key),
                if more { rows.last().map(&key) } else { None },
            ),
            Cursor::Before(_) => {
                rows.reverse();
                (
                    if more { rows.first().map(&key) } else { None },
                    rows.last().map(&key),
                )
            }
        };
        Page {
            items: rows,
            prev,
            next,
        }
    }

    /// Reads a page with `fetch(cursor)` (PAGE_SIZE + 1 rows from the cursor in its
    /// direction). Going back to the start is the first page (no `prev`); going back past
    /// it, when rows came or went since the link was drawn, reads the first page whole, so
    /// that a page is always PAGE_SIZE rows.
    pub fn fetch(
        cursor: Cursor,
        key: impl Fn(&T) -> i64,
        mut fetch: impl FnMut(Cursor) -> AppResult<Vec<T>>,
    ) -> AppResult<Page<T>> {
        let rows = fetch(cursor)?;
        if !cursor.forward() && rows.len() < usize::try_from(PAGE_SIZE).unwrap_or(50) {
            return Ok(Page::from_rows(
                fetch(Cursor::First)?,
                PAGE_SIZE,
                Cursor::First,
                key,
            ));
        }
        Ok(Page::from_rows(rows, PAGE_SIZE, cursor, key))
    }
}
