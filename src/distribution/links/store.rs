//! Queries over distribution links. Provider-side functions take the caller's
//! [`OrgScope`]; the customer side finds a link by its token alone (the token is the
//! capability) and logs every open and refusal on it.

use diesel::prelude::*;

use super::check_apps;
use crate::apps::App;
use crate::auth::OrgScope;
use crate::db::schema::{apps, distribution_links, link_apps, link_events, orgs, projects, users};
use crate::db::{Conn, now, write_tx};
use crate::distribution::events::{EventKind, record};
use crate::distribution::projects::store::Project;
use crate::error::{AppError, AppResult};
use crate::tools::new_token;

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = distribution_links)]
pub(crate) struct Link {
    pub id: i64,
    pub project_id: i64,
    pub provider_org_id: i64,
    pub token: String,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_by: i64,
    pub created_at: i64,
}

/// What happened to a link: opened, refused (with the reason key) or purchased.
#[derive(Clone, Debug)]
pub(crate) struct LinkEventRow {
    pub kind: String,
    pub reason: String,
    pub user_name: Option<String>,
    pub org_name: Option<String>,
    pub created_at: i64,
}

impl LinkEventRow {
    pub(crate) fn kind_key(&self) -> String {
        format!("distribution.link.event.{}", self.kind)
    }
    pub(crate) fn has_reason(&self) -> bool {
        crate::tools::http::is_flash_key(&self.reason)
    }
}

/// A link with its project and apps.
#[derive(Clone, Debug)]
pub(crate) struct LinkView {
    pub link: Link,
    pub project: Project,
    pub apps: Vec<App>,
}

/// Issues a link for `app_ids` on an approved, open project of the caller's organisation.
/// `Ok(Err(key))` is a refusal to show beside the choice.
pub(crate) fn create(
    conn: &mut Conn,
    scope: &OrgScope,
    project_id: i64,
    app_ids: &[i64],
    expiry_days: Option<i64>,
) -> AppResult<Result<i64, &'static str>> {
    write_tx(conn, |conn| {
        let project = crate::distribution::projects::store::find(conn, scope, project_id)?;
        if !project.status().issues_links() {
            return Ok(Err("distribution.link.error.project_not_open"));
        }
        let mut ids = app_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let chosen: Vec<App> = apps::table
            .filter(apps::org_id.eq(scope.org_id()))
            .filter(apps::id.eq_any(&ids))
            .select(App::as_select())
            .load(conn)?;
        if chosen.len() != ids.len() {
            return Err(AppError::NotFound);
        }
        if let Err(key) = check_apps(&chosen) {
            return Ok(Err(key));
        }
        let ts = now();
        let id: i64 = diesel::insert_into(distribution_links::table)
            .values((
                distribution_links::project_id.eq(project.id),
                distribution_links::provider_org_id.eq(scope.org_id()),
                distribution_links::token.eq(new_token()),
                distribution_links::expires_at.eq(expiry_days.map(|d| ts + d * 86_400)),
                distribution_links::created_by.eq(scope.user_id()),
                distribution_links::created_at.eq(ts),
            ))
            .returning(distribution_links::id)
            .get_result(conn)?;
        for a in &chosen {
            diesel::insert_into(link_apps::table)
                .values((link_apps::link_id.eq(id), link_apps::app_id.eq(a.id)))
                .execute(conn)?;
        }
        let names: Vec<&str> = chosen.iter().map(|a| a.name.as_str()).collect();
        record(
            conn,
            project.id,
            Some(scope.user_id()),
            EventKind::LinkIssued,
            &names.join("、"),
        )?;
        Ok(Ok(id))
    })
}

fn apps_of(conn: &mut Conn, link_id: i64) -> AppResult<Vec<App>> {
    Ok(apps::table
        .inner_join(link_apps::table.on(link_apps::app_id.eq(apps::id)))
        .filter(link_apps::link_id.eq(link_id))
        .order(apps::id.asc())
        .select(App::as_select())
        .load(conn)?)
}

fn project_of(conn: &mut Conn, link: &Link) -> AppResult<Project> {
    Ok(projects::table
        .find(link.project_id)
        .select(Project::as_select())
        .first(conn)?)
}

/// One link of the caller's organisation.
pub(crate) fn find(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<LinkView> {
    let link: Link = distribution_links::table
        .find(id)
        .filter(distribution_links::provider_org_id.eq(scope.org_id()))
        .select(Link::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let project = project_of(conn, &link)?;
    let apps = apps_of(conn, link.id)?;
    Ok(LinkView {
        link,
        project,
        apps,
    })
}

type EventTuple = (String, String, Option<String>, Option<String>, i64);

/// The newest events of a link (opens, refusals, purchases).
pub(crate) fn events(
    conn: &mut Conn,
    scope: &OrgScope,
    link_id: i64,
) -> AppResult<Vec<LinkEventRow>> {
    let rows: Vec<EventTuple> = link_events::table
        .inner_join(distribution_links::table.on(distribution_links::id.eq(link_events::link_id)))
        .left_join(users::table.on(link_events::user_id.eq(users::id.nullable())))
        .left_join(orgs::table.on(link_events::org_id.eq(orgs::id.nullable())))
        .filter(link_events::link_id.eq(link_id))
        .filter(distribution_links::provider_org_id.eq(scope.org_id()))
        .order(link_events::id.desc())
        .limit(200)
        .select((
            link_events::kind,
            link_events::reason,
            users::name.nullable(),
            orgs::name.nullable(),
            link_events::created_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(kind, reason, user_name, org_name, created_at)| LinkEventRow {
                kind,
                reason,
                user_name,
                org_name,
                created_at,
            },
        )
        .collect())
}

/// A link in a project's list: its apps' names.
#[derive(Clone, Debug)]
pub(crate) struct LinkSummary {
    pub link: Link,
    pub app_names: String,
}

pub(crate) fn for_project(
    conn: &mut Conn,
    scope: &OrgScope,
    project_id: i64,
) -> AppResult<Vec<LinkSummary>> {
    let links: Vec<Link> = distribution_links::table
        .filter(distribution_links::provider_org_id.eq(scope.org_id()))
        .filter(distribution_links::project_id.eq(project_id))
        .order(distribution_links::id.desc())
        .limit(200)
        .select(Link::as_select())
        .load(conn)?;
    let mut out = Vec::with_capacity(links.len());
    for link in links {
        let names: Vec<String> = apps_of(conn, link.id)?
            .into_iter()
            .map(|a| a.name)
            .collect();
        out.push(LinkSummary {
            link,
            app_names: names.join("、"),
        });
    }
    Ok(out)
}

/// Revokes a link (provider admins, or whoever issued it); revoking twice changes nothing.
pub(crate) fn revoke(conn: &mut Conn, scope: &OrgScope, is_admin: bool, id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let v = find(conn, scope, id)?;
        if !is_admin && v.link.created_by != scope.user_id() {
            return Err(AppError::Forbidden("distribution.link.revoke_forbidden"));
        }
        let n = diesel::update(
            distribution_links::table
                .find(id)
                .filter(distribution_links::revoked_at.is_null()),
        )
        .set(distribution_links::revoked_at.eq(now()))
        .execute(conn)?;
        if n == 1 {
            record(
                conn,
                v.project.id,
                Some(scope.user_id()),
                EventKind::LinkRevoked,
                "",
            )?;
        }
        Ok(())
    })
}

/// A link as the customer opens it: by token, with its project, apps and provider's name.
pub(crate) fn by_token(conn: &mut Conn, token: &str) -> AppResult<(LinkView, String)> {
    if !crate::tools::token_shape_ok(token) {
        return Err(AppError::NotFound);
    }
    let link: Link = distribution_links::table
        .filter(distribution_links::token.eq(token))
        .select(Link::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let project = project_of(conn, &link)?;
    let apps = apps_of(conn, link.id)?;
    let provider: String = orgs::table
        .find(link.provider_org_id)
        .select(orgs::name)
        .first(conn)?;
    Ok((
        LinkView {
            link,
            project,
            apps,
        },
        provider,
    ))
}

/// Logs what happened on a link: `opened`, `refused` (with the reason key), `purchased`.
pub(crate) fn log_event(
    conn: &mut Conn,
    link_id: i64,
    user_id: Option<i64>,
    org_id: Option<i64>,
    kind: &str,
    reason: &str,
) -> AppResult<()> {
    diesel::insert_into(link_events::table)
        .values((
            link_events::link_id.eq(link_id),
            link_events::user_id.eq(user_id),
            link_events::org_id.eq(org_id),
            link_events::kind.eq(kind),
            link_events::reason.eq(reason),
            link_events::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The organisation's apps for the link dialog (the newest 500), premium and copied ones
/// included so the page can show why they cannot be chosen.
pub(crate) fn org_apps(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<App>> {
    Ok(apps::table
        .filter(apps::org_id.eq(scope.org_id()))
        .order(apps::id.desc())
        .limit(500)
        .select(App::as_select())
        .load(conn)?)
}
