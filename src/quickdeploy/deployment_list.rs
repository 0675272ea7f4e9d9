//! The organisations that deployed through a link, as the provider sees them in its
//! console and through its API: each with the one step it has reached.

use diesel::prelude::*;

use super::model::Reached;
use crate::db::Conn;
use crate::db::schema::{orgs, qd_applications as a, qd_deployments as d};
use crate::error::AppResult;
use crate::web::{Cursor, PAGE_SIZE, Page};

/// A deployment with its organisation.
#[derive(Queryable, Clone, Debug)]
pub(crate) struct Deployment {
    pub id: i64,
    pub application_id: i64,
    pub product_code: String,
    pub org_id: i64,
    pub org_name: String,
    pub corp_id: String,
    pub team_kind: String,
    pub serial: Option<String>,
    pub serial_at: Option<i64>,
    pub app_id: Option<i64>,
    pub authorised_at: Option<i64>,
    pub scoped_at: Option<i64>,
    pub started_at: Option<i64>,
    pub created_at: i64,
}

impl Deployment {
    /// The furthest step reached.
    pub(crate) fn reached(&self) -> Reached {
        Reached::of(
            self.serial_at,
            self.authorised_at,
            self.scoped_at,
            self.started_at,
        )
    }
    pub(crate) fn team_kind_key(&self) -> &'static str {
        match self.team_kind.as_str() {
            "many" => "quickdeploy.deployments.team_multi",
            "existing" => "quickdeploy.deployments.team_existing",
            _ => "quickdeploy.deployments.team_single",
        }
    }
}

type Select = (
    d::id,
    d::application_id,
    a::product_code,
    d::org_id,
    orgs::name,
    orgs::corp_id,
    d::team_kind,
    d::serial,
    d::serial_at,
    d::app_id,
    d::authorised_at,
    d::scoped_at,
    d::started_at,
    d::created_at,
);

const SELECT: Select = (
    d::id,
    d::application_id,
    a::product_code,
    d::org_id,
    orgs::name,
    orgs::corp_id,
    d::team_kind,
    d::serial,
    d::serial_at,
    d::app_id,
    d::authorised_at,
    d::scoped_at,
    d::started_at,
    d::created_at,
);

/// A page of the deployments of one application, newest first.
pub(crate) fn list(
    conn: &mut Conn,
    application: i64,
    cursor: Cursor,
) -> AppResult<Page<Deployment>> {
    Page::fetch(
        cursor,
        |r: &Deployment| r.id,
        |cursor| {
            let q = d::table
                .inner_join(a::table.on(a::id.eq(d::application_id)))
                .inner_join(orgs::table.on(orgs::id.eq(d::org_id)))
                .filter(d::application_id.eq(application))
                .select(SELECT)
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, cursor, d::id, desc).load(&mut *conn)?)
        },
    )
}

/// The deployments of every application of `provider`, oldest first after deployment
/// `after`, at most `limit` (the API's page); or those of the organisation `corp_id`.
pub(crate) fn of_provider(
    conn: &mut Conn,
    provider: i64,
    after: Option<i64>,
    corp_id: Option<&str>,
    limit: i64,
) -> AppResult<Vec<Deployment>> {
    let mut q = d::table
        .inner_join(a::table.on(a::id.eq(d::application_id)))
        .inner_join(orgs::table.on(orgs::id.eq(d::org_id)))
        .filter(a::provider_org_id.eq(provider))
        .select(SELECT)
        .order(d::id.asc())
        .limit(limit)
        .into_boxed();
    if let Some(a) = after {
        q = q.filter(d::id.gt(a));
    }
    if let Some(c) = corp_id {
        q = q.filter(orgs::corp_id.eq(c.to_string()));
    }
    Ok(q.load(conn)?)
}

/// The deployment `id` with its organisation (missing: `None`).
pub(crate) fn find(conn: &mut Conn, id: i64) -> AppResult<Option<Deployment>> {
    Ok(d::table
        .inner_join(a::table.on(a::id.eq(d::application_id)))
        .inner_join(orgs::table.on(orgs::id.eq(d::org_id)))
        .filter(d::id.eq(id))
        .select(SELECT)
        .first(conn)
        .optional()?)
}
