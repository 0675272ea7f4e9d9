//! Queries of apps published downstream. [`usable_app`] is the one answer to "may this
//! person, in the organisation they are in now, use this app": an app of their own
//! organisation (as before), or an app the space owner published to their organisation
//! in a space they are linked into right now. Every forms route that loads an app, a
//! form, a submission or an attachment goes through it, so leaving a space (scope
//! narrowed, organisation removed, left the organisation) closes the app at once.

use std::collections::{BTreeMap, HashSet};

use diesel::prelude::*;

use crate::apps::find_app;
use crate::apps::{App, AppStatus};
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::db::in_ids::{IN_IDS, in_ids};
use crate::db::schema::{
    apps, memberships, orgs, seats, space_app_targets, space_apps, space_orgs, spaces, users,
};
use crate::error::{AppError, AppResult};
use crate::interconnect::OrgStatus;
use crate::interconnect::licences::gate::{SeatState, require_seat, seat_states};
use crate::interconnect::people::{in_space, linked_orgs, linked_user_ids, visible_orgs};

pub(crate) use super::manage::{
    Publication, Targets, member_orgs, publication_app, publications, publish, publishable_apps,
    unpublish,
};

/// The app `app_id` if the caller may use it in their current organisation; otherwise
/// the same 404 as a missing id. A published app is used, never edited: the builder keeps
/// calling `find_app_for_edit`, which only knows the caller's own organisation's apps.
/// A published app that reaches the caller is theirs to use only with a seat of the
/// upstream organisation's pool: without one, the 403 "no seat" page
/// ([`require_seat`]).
pub fn usable_app(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<App> {
    match find_app(conn, scope, app_id) {
        Err(AppError::NotFound) => {}
        other => return other,
    }
    if scope.grant_app().is_some() || published_spaces(conn, scope, app_id)?.is_empty() {
        return Err(AppError::NotFound);
    }
    let app: App = apps::table
        .find(app_id)
        .select(App::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if app.status() != AppStatus::Enabled {
        return Err(AppError::NotFound);
    }
    require_seat(conn, scope, &app)?;
    Ok(app)
}

/// The spaces in which `app_id` is published to the caller's current organisation (all
/// member organisations, or it is among the chosen ones) and the caller is linked now.
/// Only the space owner's own apps count, and never for the owner organisation itself.
pub(crate) fn published_spaces(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
) -> AppResult<Vec<i64>> {
    let rows: Vec<(i64, i64, bool)> = space_apps::table
        .inner_join(spaces::table)
        .inner_join(apps::table)
        .filter(space_apps::app_id.eq(app_id))
        .filter(apps::org_id.eq(spaces::owner_org_id))
        .filter(spaces::owner_org_id.ne(scope.org_id()))
        .select((space_apps::id, space_apps::space_id, space_apps::all_orgs))
        .load(conn)?;
    let mut out = Vec::new();
    for (space_app_id, space_id, all_orgs) in rows {
        if !all_orgs && !is_target(conn, space_app_id, scope.org_id())? {
            continue;
        }
        if in_space(conn, space_id, scope.org_id(), scope.user_id())? {
            out.push(space_id);
        }
    }
    Ok(out)
}

fn is_target(conn: &mut Conn, space_app_id: i64, org_id: i64) -> AppResult<bool> {
    let n: i64 = space_app_targets::table
        .filter(space_app_targets::space_app_id.eq(space_app_id))
        .filter(space_app_targets::org_id.eq(org_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// An app on the downstream workbench, with the organisation it comes from and whether
/// the caller holds a seat to use it.
pub struct PublishedApp {
    pub app: App,
    pub origin: String,
    pub seat: SeatState,
}

impl PublishedApp {
    pub fn has_seat(&self) -> bool {
        self.seat == SeatState::Held
    }
}

/// At most this many published apps are shown on one workbench (a member organisation
/// joins at most five spaces; this bounds the section without a pager).
const WORKBENCH_MAX: i64 = 200;

/// The apps published to the caller's current organisation in the spaces they are
/// linked into, newest publication first, each once.
pub fn workbench_apps(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<PublishedApp>> {
    if scope.grant_app().is_some() {
        return Ok(vec![]);
    }
    let space_ids: Vec<i64> = crate::native!(conn, |c| space_orgs::table
        .inner_join(spaces::table)
        .filter(space_orgs::org_id.eq(scope.org_id()))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .filter(spaces::owner_org_id.ne(scope.org_id()))
        .select(space_orgs::space_id)
        .load(c))?;
    let mut linked = Vec::new();
    for s in space_ids {
        if in_space(conn, s, scope.org_id(), scope.user_id())? {
            linked.push(s);
        }
    }
    if linked.is_empty() {
        return Ok(vec![]);
    }
    let targeted: Vec<i64> = space_app_targets::table
        .filter(space_app_targets::org_id.eq(scope.org_id()))
        .select(space_app_targets::space_app_id)
        .load(conn)?;
    let rows: Vec<(App, String)> = space_apps::table
        .inner_join(spaces::table)
        .inner_join(apps::table.inner_join(orgs::table))
        .filter(space_apps::space_id.eq_any(&linked))
        .filter(apps::org_id.eq(spaces::owner_org_id))
        .filter(apps::state.eq(AppStatus::Enabled.as_str()))
        .filter(
            space_apps::all_orgs
                .eq(true)
                .or(space_apps::id.eq_any(&targeted)),
        )
        .order(space_apps::id.desc())
        .limit(WORKBENCH_MAX)
        .select((App::as_select(), orgs::name))
        .load(conn)?;
    let mut seen = HashSet::new();
    let rows: Vec<(App, String)> = rows
        .into_iter()
        .filter(|(a, _)| seen.insert(a.id))
        .collect();
    let pools: Vec<i64> = rows.iter().map(|(a, _)| a.org_id).collect();
    let states = seat_states(conn, scope, &pools)?;
    Ok(rows
        .into_iter()
        .map(|(app, origin)| PublishedApp {
            seat: states
                .get(&app.org_id)
                .cloned()
                .unwrap_or(SeatState::Missing(vec![])),
            app,
            origin,
        })
        .collect())
}

/// Which submissions of an app's form the caller may list (data management) and count
/// (reports).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DataReach {
    /// The app's own organisation: every submission, from every organisation.
    AllOrgs,
    /// A downstream organisation's admins: submissions made from these organisations —
    /// their own, and other member organisations the space lets them see; never the
    /// upstream organisation's own.
    Orgs(Vec<i64>),
    /// An ordinary downstream member: their own submissions from their organisation.
    Mine { org_id: i64, user_id: i64 },
}

/// The organisations whose submissions a downstream caller's organisation may see for
/// `app`: itself, plus the member organisations the space visibility allows it to see
/// (默认的可见范围仅本组织), never the app's (upstream) organisation.
pub(crate) fn downstream_orgs(conn: &mut Conn, scope: &OrgScope, app: &App) -> AppResult<Vec<i64>> {
    let mut out = vec![scope.org_id()];
    for space_id in published_spaces(conn, scope, app.id)? {
        for o in visible_orgs(conn, space_id, scope.org_id())? {
            if o != app.org_id && !out.contains(&o) {
                out.push(o);
            }
        }
    }
    Ok(out)
}

/// The data-management reach of the caller over `app` (already checked usable). In the
/// app's own organisation the caller must be an app admin or builder (checked by the
/// caller as before); downstream, admins see their organisation's data (and what the
/// space visibility allows), members their own submissions.
pub fn data_reach(conn: &mut Conn, scope: &OrgScope, app: &App) -> AppResult<DataReach> {
    if app.org_id == scope.org_id() {
        return Ok(DataReach::AllOrgs);
    }
    if scope.is_admin() {
        Ok(DataReach::Orgs(downstream_orgs(conn, scope, app)?))
    } else {
        Ok(DataReach::Mine {
            org_id: scope.org_id(),
            user_id: scope.user_id(),
        })
    }
}

/// The reach of a report: upstream all organisations; downstream the organisation's own
/// (and visibility-allowed) submissions, for every member permitted to open the app.
pub fn report_reach(conn: &mut Conn, scope: &OrgScope, app: &App) -> AppResult<DataReach> {
    if app.org_id == scope.org_id() {
        Ok(DataReach::AllOrgs)
    } else {
        Ok(DataReach::Orgs(downstream_orgs(conn, scope, app)?))
    }
}

/// The people an approval started from `initiator_org` may be handed over or added to
/// (转交 / 加签): the initiator organisation's people only. For the app's own
/// organisation, its members; for a downstream organisation, its people linked into a
/// space where the app is published to it (those who can open the submission).
pub fn initiator_people(
    conn: &mut Conn,
    app: &App,
    initiator_org: i64,
) -> AppResult<Vec<(i64, String, String)>> {
    let everyone: Vec<(i64, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(initiator_org))
        .filter(users::disabled.eq(false))
        .order(users::name.asc())
        .select((users::id, users::name, users::login))
        .load(conn)?;
    if initiator_org == app.org_id {
        return Ok(everyone);
    }
    let rows: Vec<(i64, i64, bool)> = space_apps::table
        .inner_join(spaces::table)
        .filter(space_apps::app_id.eq(app.id))
        .filter(spaces::owner_org_id.eq(app.org_id))
        .select((space_apps::id, space_apps::space_id, space_apps::all_orgs))
        .load(conn)?;
    let mut ids: HashSet<i64> = HashSet::new();
    for (space_app_id, space_id, all_orgs) in rows {
        if !all_orgs && !is_target(conn, space_app_id, initiator_org)? {
            continue;
        }
        if let Some(l) = linked_orgs(conn, space_id)?
            .into_iter()
            .find(|l| l.org_id == initiator_org)
        {
            ids.extend(linked_user_ids(conn, &l)?);
        }
    }
    // Only those holding a seat of the app's pool can act on the approval.
    let seated: HashSet<i64> = seats::table
        .filter(seats::pool_org_id.eq(app.org_id))
        .filter(seats::org_id.eq(initiator_org))
        .select(seats::user_id)
        .load::<i64>(conn)?
        .into_iter()
        .collect();
    ids.retain(|u| seated.contains(u));
    Ok(everyone
        .into_iter()
        .filter(|p| ids.contains(&p.0))
        .collect())
}

/// Organisation names by id.
pub fn org_names(conn: &mut Conn, ids: &HashSet<i64>) -> AppResult<BTreeMap<i64, String>> {
    if ids.is_empty() {
        return Ok(BTreeMap::new());
    }
    let ids: Vec<i64> = ids.iter().copied().collect();
    let mut out = BTreeMap::new();
    for chunk in ids.chunks(IN_IDS) {
        out.extend(crate::native!(conn, |c| orgs::table
            .filter(in_ids(orgs::id, chunk))
            .select((orgs::id, orgs::name))
            .load::<(i64, String)>(c))?);
    }
    Ok(out)
}

/// The organisations the upstream data view can filter by: the app's organisation and
/// every joined member organisation of the spaces the app is published in.
pub fn org_choices(conn: &mut Conn, app: &App) -> AppResult<Vec<(i64, String)>> {
    let space_ids: Vec<i64> = crate::native!(conn, |c| space_apps::table
        .filter(space_apps::app_id.eq(app.id))
        .select(space_apps::space_id)
        .load(c))?;
    let mut ids: HashSet<i64> = HashSet::from([app.org_id]);
    for chunk in space_ids.chunks(IN_IDS) {
        ids.extend(crate::native!(conn, |c| space_orgs::table
            .filter(in_ids(space_orgs::space_id, chunk))
            .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
            .select(space_orgs::org_id)
            .load::<i64>(c))?);
    }
    let mut out: Vec<(i64, String)> = org_names(conn, &ids)?.into_iter().collect();
    // The app's own organisation first, then by name.
    out.sort_by(|a, b| (a.0 != app.org_id, &a.1, a.0).cmp(&(b.0 != app.org_id, &b.1, b.0)));
    Ok(out)
}

/// A page of an app the caller may use (see [`usable_app`]), with its app.
pub fn usable_page(
    conn: &mut Conn,
    scope: &OrgScope,
    page_id: i64,
) -> AppResult<(App, crate::apps::Page)> {
    use crate::apps::Page;
    use crate::db::schema::pages;
    let page: Page = crate::native!(conn, |c| pages::table
        .find(page_id)
        .select(Page::as_select())
        .first(c)
        .optional())?
    .ok_or(AppError::NotFound)?;
    let app = usable_app(conn, scope, page.app_id)?;
    if page.org_id != app.org_id {
        return Err(AppError::NotFound);
    }
    Ok((app, page))
}

/// The ids of the apps published to the caller that reach them now, seat or not (their
/// own submissions stay listed; opening one needs a seat, see [`usable_app`]).
pub fn usable_published_ids(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<i64>> {
    Ok(workbench_apps(conn, scope)?
        .into_iter()
        .map(|p| p.app.id)
        .collect())
}
