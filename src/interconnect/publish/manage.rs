//! Managing a space's publications: the publish page's lists, publishing an app to all or
//! chosen member organisations (with the notices), changing the targets, withdrawing.
//! Re-exported by `store`.

use std::collections::BTreeMap;

use diesel::prelude::*;

use crate::apps::AppStatus;
use crate::auth::{OrgScope, Role};
use crate::db::schema::{
    apps, memberships, orgs, space_app_targets, space_apps, space_orgs, users,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::interconnect::OrgStatus;
use crate::notifications::notify;

/// A publication as the publish page lists it.
pub(crate) struct Publication {
    pub id: i64,
    pub app_id: i64,
    pub app_name: String,
    pub all_orgs: bool,
    pub targets: Vec<i64>,
    pub published_at: i64,
}

/// The publications of a space, newest first.
pub(crate) fn publications(conn: &mut Conn, space_id: i64) -> AppResult<Vec<Publication>> {
    let rows: Vec<(i64, i64, String, bool, i64)> = space_apps::table
        .inner_join(apps::table)
        .filter(space_apps::space_id.eq(space_id))
        .order(space_apps::id.desc())
        .select((
            space_apps::id,
            space_apps::app_id,
            apps::name,
            space_apps::all_orgs,
            space_apps::published_at,
        ))
        .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut targets: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (sa, org) in space_app_targets::table
        .filter(space_app_targets::space_app_id.eq_any(ids))
        .select((space_app_targets::space_app_id, space_app_targets::org_id))
        .load::<(i64, i64)>(conn)?
    {
        targets.entry(sa).or_default().push(org);
    }
    Ok(rows
        .into_iter()
        .map(
            |(id, app_id, app_name, all_orgs, published_at)| Publication {
                targets: targets.remove(&id).unwrap_or_default(),
                id,
                app_id,
                app_name,
                all_orgs,
                published_at,
            },
        )
        .collect())
}

/// The owner's apps that can be published: its enabled apps, by name.
pub(crate) fn publishable_apps(
    conn: &mut Conn,
    owner_org_id: i64,
) -> AppResult<Vec<(i64, String)>> {
    Ok(apps::table
        .filter(apps::org_id.eq(owner_org_id))
        .filter(apps::state.eq(AppStatus::Enabled.as_str()))
        .order((apps::name.asc(), apps::id.asc()))
        .select((apps::id, apps::name))
        .load(conn)?)
}

/// Member organisations of a space (joined, not the owner) as (id, name).
pub(crate) fn member_orgs(conn: &mut Conn, space_id: i64) -> AppResult<Vec<(i64, String)>> {
    Ok(space_orgs::table
        .inner_join(orgs::table)
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::status.eq(OrgStatus::Joined.as_str()))
        .filter(space_orgs::role.eq("member"))
        .order((orgs::name.asc(), orgs::id.asc()))
        .select((orgs::id, orgs::name))
        .load(conn)?)
}

/// Where a publication goes: every member organisation, or the chosen ones.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Targets {
    All,
    Chosen(Vec<i64>),
}

/// Publishes (or re-targets) `app_id` of the space owner in `space_id`, in one
/// transaction, and notifies the main admins of organisations newly reached. The caller
/// has checked that the user manages the space. Returns the publication id.
pub(crate) fn publish(
    conn: &mut Conn,
    scope: &OrgScope,
    space_id: i64,
    owner_org_id: i64,
    app_id: i64,
    targets: Targets,
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let (app_name, app_org): (String, i64) = apps::table
            .find(app_id)
            .filter(apps::org_id.eq(owner_org_id))
            .filter(apps::state.eq(AppStatus::Enabled.as_str()))
            .select((apps::name, apps::org_id))
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let members: Vec<i64> = member_orgs(conn, space_id)?
            .into_iter()
            .map(|m| m.0)
            .collect();
        let chosen = match &targets {
            Targets::All => members.clone(),
            Targets::Chosen(c) => {
                if c.is_empty() {
                    return Err(AppError::BadRequest(
                        "interconnect.publish.error.no_targets",
                    ));
                }
                if c.iter().any(|o| !members.contains(o)) {
                    return Err(AppError::NotFound);
                }
                c.clone()
            }
        };
        let existing: Option<i64> = space_apps::table
            .filter(space_apps::space_id.eq(space_id))
            .filter(space_apps::app_id.eq(app_id))
            .select(space_apps::id)
            .first(conn)
            .optional()?;
        let before: Vec<i64> = match existing {
            Some(id) => reached_orgs(conn, id, &members)?,
            None => vec![],
        };
        let all = targets == Targets::All;
        let sa = match existing {
            Some(id) => {
                diesel::update(space_apps::table.find(id))
                    .set(space_apps::all_orgs.eq(all))
                    .execute(conn)?;
                diesel::delete(
                    space_app_targets::table.filter(space_app_targets::space_app_id.eq(id)),
                )
                .execute(conn)?;
                id
            }
            None => diesel::insert_into(space_apps::table)
                .values((
                    space_apps::space_id.eq(space_id),
                    space_apps::app_id.eq(app_id),
                    space_apps::all_orgs.eq(all),
                    space_apps::published_by.eq(scope.user_id()),
                    space_apps::published_at.eq(now()),
                ))
                .returning(space_apps::id)
                .get_result(conn)?,
        };
        if !all {
            for org in &chosen {
                diesel::insert_into(space_app_targets::table)
                    .values((
                        space_app_targets::space_app_id.eq(sa),
                        space_app_targets::org_id.eq(*org),
                    ))
                    .execute(conn)?;
            }
        }
        let from: String = orgs::table.find(app_org).select(orgs::name).first(conn)?;
        let body = format!("{from} · {app_name}");
        for org in chosen.iter().filter(|o| !before.contains(o)) {
            let admins: Vec<i64> = memberships::table
                .inner_join(users::table)
                .filter(memberships::org_id.eq(*org))
                .filter(memberships::role.eq(Role::MainAdmin.as_str()))
                .filter(users::disabled.eq(false))
                .select(memberships::user_id)
                .load(conn)?;
            for a in admins {
                notify(
                    conn,
                    *org,
                    a,
                    "interconnect.publish.notify.published",
                    &body,
                    "/workbench",
                )?;
            }
        }
        Ok(sa)
    })
}

/// The member organisations a publication reaches now.
fn reached_orgs(conn: &mut Conn, space_app_id: i64, members: &[i64]) -> AppResult<Vec<i64>> {
    let all: bool = space_apps::table
        .find(space_app_id)
        .select(space_apps::all_orgs)
        .first(conn)?;
    if all {
        return Ok(members.to_vec());
    }
    Ok(space_app_targets::table
        .filter(space_app_targets::space_app_id.eq(space_app_id))
        .select(space_app_targets::org_id)
        .load(conn)?)
}

/// The app of a publication of `space_id`, or 404.
pub(crate) fn publication_app(conn: &mut Conn, space_id: i64, space_app_id: i64) -> AppResult<i64> {
    space_apps::table
        .find(space_app_id)
        .filter(space_apps::space_id.eq(space_id))
        .select(space_apps::app_id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Withdraws a publication: the app leaves every member workbench at once. Submissions
/// already made stay with the upstream app.
pub(crate) fn unpublish(conn: &mut Conn, space_id: i64, space_app_id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        publication_app(conn, space_id, space_app_id)?;
        diesel::delete(
            space_app_targets::table.filter(space_app_targets::space_app_id.eq(space_app_id)),
        )
        .execute(conn)?;
        diesel::delete(space_apps::table.find(space_app_id)).execute(conn)?;
        Ok(())
    })
}
