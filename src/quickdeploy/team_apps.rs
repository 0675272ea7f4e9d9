//! The apps an organisation deployed through quick deploy, each with one status, and the
//! complaints its people file about them (the seed: 如果接收到用户的投诉，钉钉保留对ISV的处罚
//! 权利; the operator reads them per provider).

use std::collections::HashMap;

use diesel::prelude::*;

use super::model::Reached;
use crate::auth::OrgScope;
use crate::db::in_ids::in_ids;
use crate::db::schema::{ac_products as p, qd_applications as a, qd_complaints as c};
use crate::db::schema::{qd_deployments as d, users};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::tools::Cursor;
use crate::web::{PAGE_SIZE, Page};

/// A deployment as its organisation sees it: one row of one joined query (the product's
/// and the provider's names come with it).
#[derive(Queryable, Clone, Debug)]
pub(crate) struct DeploymentRow {
    pub id: i64,
    pub application_id: i64,
    pub product_name: String,
    pub provider_name: String,
    pub app_id: Option<i64>,
    pub created_at: i64,
    serial_at: Option<i64>,
    authorised_at: Option<i64>,
    scoped_at: Option<i64>,
    started_at: Option<i64>,
}

impl DeploymentRow {
    /// Its one status.
    pub(crate) fn stage(&self) -> Reached {
        Reached::of(
            self.serial_at,
            self.authorised_at,
            self.scoped_at,
            self.started_at,
        )
    }
}

/// The organisation's deployments with the names they show, as one boxed query.
macro_rules! joined {
    ($org:expr) => {
        d::table
            .inner_join(a::table.on(a::id.eq(d::application_id)))
            .inner_join(p::table.on(p::id.eq(d::product_id)))
            .filter(d::org_id.eq($org))
            .select((
                d::id,
                d::application_id,
                p::name,
                a::provider_name,
                d::app_id,
                d::created_at,
                d::serial_at,
                d::authorised_at,
                d::scoped_at,
                d::started_at,
            ))
            .into_boxed()
    };
}

/// The organisation's quick deployments, newest first.
pub(crate) fn deployments(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<Page<DeploymentRow>> {
    let org = scope.org_id();
    Page::fetch(
        cursor,
        |r: &DeploymentRow| r.id,
        |cur| {
            let q = joined!(org).limit(PAGE_SIZE + 1);
            Ok(crate::keyset!(q, cur, d::id, desc).load(conn)?)
        },
    )
}

/// One deployment of the organisation (another's looks missing).
pub(crate) fn find(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<DeploymentRow> {
    joined!(scope.org_id())
        .filter(d::id.eq(id))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A complaint's text: 10–1000 characters after trimming.
pub(crate) fn parse_complaint(s: &str) -> Result<String, &'static str> {
    let s = s.trim();
    let n = s.chars().count();
    if n < 10 {
        Err("quickdeploy.team.error.complaint_short")
    } else if n > 1000 {
        Err("quickdeploy.team.error.complaint_long")
    } else {
        Ok(s.to_string())
    }
}

/// Files a complaint about one of the organisation's deployments.
pub(crate) fn complain(conn: &mut Conn, scope: &OrgScope, id: i64, body: &str) -> AppResult<()> {
    write_tx(conn, |conn| {
        let dep = find(conn, scope, id)?;
        diesel::insert_into(c::table)
            .values((
                c::application_id.eq(dep.application_id),
                c::org_id.eq(scope.org_id()),
                c::user_id.eq(scope.user_id()),
                c::body.eq(body),
                c::created_at.eq(now()),
            ))
            .execute(conn)?;
        Ok(())
    })
}

/// A complaint as the organisation sees it.
#[derive(Clone, Debug)]
pub(crate) struct ComplaintRow {
    pub product_name: String,
    pub by: String,
    pub body: String,
    pub created_at: i64,
}

/// Which complaints: the organisation's all, or one person's about one application.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Whose {
    Org,
    Mine { application_id: i64 },
}

/// The organisation's complaints (or the caller's own about one app), newest first.
pub(crate) fn complaints(
    conn: &mut Conn,
    scope: &OrgScope,
    whose: Whose,
    cursor: Cursor,
) -> AppResult<Page<ComplaintRow>> {
    type R = (i64, i64, i64, String, i64);
    let org = scope.org_id();
    let user = scope.user_id();
    let page = Page::fetch(
        cursor,
        |r: &R| r.0,
        |cur| {
            let mut q = c::table
                .filter(c::org_id.eq(org))
                .select((c::id, c::application_id, c::user_id, c::body, c::created_at))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            if let Whose::Mine { application_id } = whose {
                q = q
                    .filter(c::application_id.eq(application_id))
                    .filter(c::user_id.eq(user));
            }
            Ok(crate::keyset!(q, cur, c::id, desc).load(conn)?)
        },
    )?;
    let aids: Vec<i64> = page.items.iter().map(|r| r.1).collect();
    let uids: Vec<i64> = page.items.iter().map(|r| r.2).collect();
    // The product the organisation deployed through that application.
    let products: HashMap<i64, String> = d::table
        .inner_join(p::table.on(p::id.eq(d::product_id)))
        .filter(d::org_id.eq(org))
        .filter(in_ids(d::application_id, &aids))
        .select((d::application_id, p::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let people: HashMap<i64, String> = users::table
        .filter(in_ids(users::id, &uids))
        .select((users::id, users::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    Ok(Page {
        prev: page.prev,
        next: page.next,
        items: page
            .items
            .into_iter()
            .map(|(_, aid, uid, body, created_at)| ComplaintRow {
                product_name: products.get(&aid).cloned().unwrap_or_default(),
                by: people.get(&uid).cloned().unwrap_or_default(),
                body,
                created_at,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_complaint_says_something_in_ten_to_a_thousand_characters() {
        assert!(parse_complaint("太短了").is_err());
        assert_eq!(
            parse_complaint("  应用经常打不开，影响我们每天的巡检工作。 "),
            Ok("应用经常打不开，影响我们每天的巡检工作。".to_string())
        );
        assert_eq!(
            parse_complaint(&"差".repeat(1001)),
            Err("quickdeploy.team.error.complaint_long")
        );
        assert!(parse_complaint(&"差".repeat(1000)).is_ok());
    }
}
