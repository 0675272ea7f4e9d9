//! `column IN (?, …, ?)` with a fixed number of binds. diesel's `eq_any` writes one
//! placeholder per value, so it marks its statement as not cacheable and every page that
//! loads "the lines of these 50 rows" prepares its SQL again; padded to a fixed count, the
//! statement is prepared once per connection and reused.

use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::result::QueryResult;
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, HasSqlType};

/// Binds per statement; a page's 51 ids fit in one.
pub const IN_IDS: usize = 64;

/// Never an id: rows are numbered from 1.
const PAD: i64 = i64::MIN;

#[derive(Debug, Clone, Copy)]
pub struct InIds<E> {
    expr: E,
    ids: [i64; IN_IDS],
}

/// `expr IN (ids…)` for at most [`IN_IDS`] ids; use `ids.chunks(IN_IDS)` for more.
pub fn in_ids<E>(expr: E, ids: &[i64]) -> InIds<E> {
    assert!(ids.len() <= IN_IDS, "in_ids takes at most {IN_IDS} ids");
    let mut padded = [PAD; IN_IDS];
    padded[..ids.len()].copy_from_slice(ids);
    InIds { expr, ids: padded }
}

impl<E: QueryId> QueryId for InIds<E> {
    type QueryId = InIds<E::QueryId>;
    const HAS_STATIC_QUERY_ID: bool = E::HAS_STATIC_QUERY_ID;
}

impl<E: Expression<SqlType = BigInt>> Expression for InIds<E> {
    type SqlType = Bool;
}

impl<E, QS> AppearsOnTable<QS> for InIds<E>
where
    E: AppearsOnTable<QS>,
    Self: Expression,
{
}

impl<E, GB> ValidGrouping<GB> for InIds<E>
where
    E: ValidGrouping<GB>,
{
    type IsAggregate = E::IsAggregate;
}

impl<E, DB> QueryFragment<DB> for InIds<E>
where
    DB: Backend + HasSqlType<BigInt>,
    E: QueryFragment<DB>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.expr.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        for (i, id) in self.ids.iter().enumerate() {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<BigInt, i64>(id)?;
        }
        out.push_sql(")");
        Ok(())
    }
}
