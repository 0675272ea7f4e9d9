//! Queries over apps and their parts. Every function takes the caller's [`OrgScope`]
//! (or a page already loaded through one), so another organisation's ids are "not found".

use diesel::prelude::*;

use super::app::{App, AppStatus, Field, FieldKind, Page, PageKind, Step};
use crate::auth::OrgScope;
use crate::db::schema::{
    app_admins, app_usage_refs, approval_steps, apps, fields, memberships, pages, users,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::org::ScopeKind;

/// One app of the scope's organisation. Members who cannot build apps may open only
/// enabled apps; under a maintenance grant, only the grant's app (in any state).
pub fn find_app(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<App> {
    if scope.grant_app().is_some_and(|g| g != app_id) {
        return Err(AppError::NotFound);
    }
    let app: App = crate::native!(conn, |c| apps::table
        .find(app_id)
        .filter(apps::org_id.eq(scope.org_id()))
        .select(App::as_select())
        .first(c)
        .optional())?
    .ok_or(AppError::NotFound)?;
    if app.status() == AppStatus::Deleted {
        return Err(AppError::NotFound);
    }
    if app.status() != AppStatus::Enabled && !scope.can_build_apps() && scope.grant_app().is_none()
    {
        return Err(AppError::NotFound);
    }
    // Outside the app's usage scope the app does not exist for this member.
    if !super::usage::may_use(conn, scope, app_id)? {
        return Err(AppError::NotFound);
    }
    Ok(app)
}

/// An app the caller may change: app builders of the organisation, or its app admins.
///
/// Under a delegation (remote maintenance), the delegation's app only: `find_app` refuses
/// any other. Whether the delegation is still live is re-checked, with its row locked, by
/// the hook `auth` puts around every write transaction of the request, so a grant ended
/// or a maintenance closed meanwhile refuses the action.
/// A delivered copy without full edit rights is edited by nobody else.
pub fn find_app_for_edit(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<App> {
    let app = find_app(conn, scope, app_id)?;
    if scope.grant_app().is_some() {
        return Ok(app);
    }
    if !(scope.can_build_apps() || is_app_admin(conn, scope, app_id)?) {
        return Err(AppError::Forbidden("error.builders_only"));
    }
    let (provider, full_edit): (Option<i64>, bool) = apps::table
        .find(app_id)
        .select((apps::provider_org_id, apps::full_edit))
        .first(conn)?;
    if provider.is_some() && !full_edit {
        return Err(AppError::Forbidden(
            "distribution.maintenance.error.no_full_edit",
        ));
    }
    Ok(app)
}

/// App admin (应用管理员): organisation admins, the app's creator, or listed admins.
/// Under a maintenance grant: the grant's app and nothing else.
pub fn is_app_admin(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<bool> {
    if let Some(g) = scope.grant_app() {
        return Ok(g == app_id);
    }
    if scope.is_admin() {
        return Ok(true);
    }
    let listed: i64 = app_admins::table
        .inner_join(apps::table)
        .filter(app_admins::app_id.eq(app_id))
        .filter(app_admins::user_id.eq(scope.user_id()))
        .filter(apps::org_id.eq(scope.org_id()))
        .count()
        .get_result(conn)?;
    Ok(listed > 0)
}

pub fn pages_of(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<Vec<Page>> {
    Ok(pages::table
        .filter(pages::app_id.eq(app_id))
        .filter(pages::org_id.eq(scope.org_id()))
        .order((pages::position.asc(), pages::id.asc()))
        .select(Page::as_select())
        .load(conn)?)
}

/// A page and its app, both in the scope's organisation (and visible to the caller).
pub fn find_page(conn: &mut Conn, scope: &OrgScope, page_id: i64) -> AppResult<(App, Page)> {
    let page: Page = pages::table
        .find(page_id)
        .filter(pages::org_id.eq(scope.org_id()))
        .select(Page::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let app = find_app(conn, scope, page.app_id)?;
    Ok((app, page))
}

pub fn fields_of(conn: &mut Conn, page: &Page) -> AppResult<Vec<Field>> {
    Ok(crate::native!(conn, |c| fields::table
        .filter(fields::page_id.eq(page.id))
        .order((fields::position.asc(), fields::id.asc()))
        .select(Field::as_select())
        .load(c))?)
}

pub fn steps_of(conn: &mut Conn, page: &Page) -> AppResult<Vec<Step>> {
    Ok(approval_steps::table
        .filter(approval_steps::page_id.eq(page.id))
        .order((approval_steps::position.asc(), approval_steps::id.asc()))
        .select(Step::as_select())
        .load(conn)?)
}

/// The members of the scope's organisation as (user id, name, login), for member pickers
/// and approver choices.
pub fn org_people(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<(i64, String, String)>> {
    Ok(crate::native!(conn, |c| memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(scope.org_id()))
        .filter(users::disabled.eq(false))
        .order(users::name.asc())
        .select((users::id, users::name, users::login))
        .load(c))?)
}

/// True when `user_id` is a member of the scope's organisation.
pub fn is_org_member(conn: &mut Conn, scope: &OrgScope, user_id: i64) -> AppResult<bool> {
    let n: i64 = memberships::table
        .filter(memberships::org_id.eq(scope.org_id()))
        .filter(memberships::user_id.eq(user_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

pub struct NewApp<'a> {
    pub name: &'a str,
    /// The icon's glyph and colour (`icon::GLYPHS`, `icon::COLORS`) and the storage key of
    /// its uploaded image (empty for none).
    pub glyph: &'a str,
    pub color: &'a str,
    pub image: &'a str,
    pub description: &'a str,
    pub premium: bool,
}

/// Creates an app in the scope's organisation; the creator becomes its app admin.
pub fn create_app(conn: &mut Conn, scope: &OrgScope, new: NewApp<'_>) -> AppResult<i64> {
    create_app_in(
        conn,
        scope.org_id(),
        scope.user_id(),
        new,
        AppStatus::Enabled,
        ScopeKind::All,
    )
}

/// Creates an app in organisation `org_id` in `state`, usable by `usage` (with no one
/// named yet when that is departments or people); `owner` becomes its app admin. For
/// apps another domain creates on an organisation's behalf (a custom app, seed 003).
pub fn create_app_in(
    conn: &mut Conn,
    org_id: i64,
    owner: i64,
    new: NewApp<'_>,
    state: AppStatus,
    usage: ScopeKind,
) -> AppResult<i64> {
    crate::db::write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(apps::table)
            .values((
                apps::org_id.eq(org_id),
                apps::name.eq(new.name),
                apps::icon_glyph.eq(new.glyph),
                apps::icon_color.eq(new.color),
                apps::icon_image.eq(new.image),
                apps::description.eq(new.description),
                apps::premium.eq(new.premium),
                apps::state.eq(state.as_str()),
                apps::created_by.eq(owner),
                apps::created_at.eq(now()),
                apps::usage_scope.eq(usage.as_str()),
            ))
            .returning(apps::id)
            .get_result(conn)?;
        diesel::insert_into(app_admins::table)
            .values((app_admins::app_id.eq(id), app_admins::user_id.eq(owner)))
            .execute(conn)?;
        Ok(id)
    })
}

/// Makes a delivered copy in organisation `org_id` the organisation's own app: no longer
/// listed among the apps bought from a provider, no longer the provider's to maintain,
/// and edited by the organisation's builders like any app it made.
pub fn adopt(conn: &mut Conn, org_id: i64, app_id: i64) -> AppResult<()> {
    diesel::update(apps::table.find(app_id).filter(apps::org_id.eq(org_id)))
        .set((
            apps::provider_org_id.eq(None::<i64>),
            apps::full_edit.eq(true),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves an app of organisation `org_id` to `state` (and, when given, its usage scope,
/// with no one named). Returns whether the app was there to move.
pub fn set_state(
    conn: &mut Conn,
    org_id: i64,
    app_id: i64,
    state: AppStatus,
    usage: Option<ScopeKind>,
) -> AppResult<bool> {
    let target = apps::table.find(app_id).filter(apps::org_id.eq(org_id));
    let n = match usage {
        Some(u) => {
            diesel::delete(app_usage_refs::table.filter(app_usage_refs::app_id.eq(app_id)))
                .execute(conn)?;
            diesel::update(target)
                .set((
                    apps::state.eq(state.as_str()),
                    apps::usage_scope.eq(u.as_str()),
                ))
                .execute(conn)?
        }
        None => diesel::update(target)
            .set(apps::state.eq(state.as_str()))
            .execute(conn)?,
    };
    Ok(n == 1)
}

/// Adds a page at the end of the app. The app must already be checked editable.
pub fn add_page(
    conn: &mut Conn,
    app: &App,
    kind: PageKind,
    name: &str,
    body: &str,
) -> AppResult<i64> {
    let position: Option<i32> = pages::table
        .filter(pages::app_id.eq(app.id))
        .select(diesel::dsl::max(pages::position))
        .first(conn)?;
    Ok(diesel::insert_into(pages::table)
        .values((
            pages::org_id.eq(app.org_id),
            pages::app_id.eq(app.id),
            pages::kind.eq(kind.as_str()),
            pages::name.eq(name),
            pages::position.eq(position.map_or(0, |p| p + 1)),
            pages::body.eq(body),
            pages::created_at.eq(now()),
        ))
        .returning(pages::id)
        .get_result(conn)?)
}

/// Adds a field at the end of a form page.
pub fn add_field(
    conn: &mut Conn,
    page: &Page,
    label: &str,
    kind: FieldKind,
    required: bool,
    options: &str,
) -> AppResult<i64> {
    let position: Option<i32> = fields::table
        .filter(fields::page_id.eq(page.id))
        .select(diesel::dsl::max(fields::position))
        .first(conn)?;
    Ok(diesel::insert_into(fields::table)
        .values((
            fields::page_id.eq(page.id),
            fields::label.eq(label),
            fields::kind.eq(kind.as_str()),
            fields::required.eq(required),
            fields::options.eq(options),
            fields::position.eq(position.map_or(0, |p| p + 1)),
        ))
        .returning(fields::id)
        .get_result(conn)?)
}

/// Adds an approval step at the end of a process form's flow.
pub fn add_step(conn: &mut Conn, page: &Page, name: &str, approver_id: i64) -> AppResult<i64> {
    let position: Option<i32> = approval_steps::table
        .filter(approval_steps::page_id.eq(page.id))
        .select(diesel::dsl::max(approval_steps::position))
        .first(conn)?;
    Ok(diesel::insert_into(approval_steps::table)
        .values((
            approval_steps::page_id.eq(page.id),
            approval_steps::position.eq(position.map_or(0, |p| p + 1)),
            approval_steps::name.eq(name),
            approval_steps::approver_id.eq(approver_id),
        ))
        .returning(approval_steps::id)
        .get_result(conn)?)
}

/// An app's new name, icon and description.
pub struct AppChange<'a> {
    pub name: &'a str,
    pub glyph: &'a str,
    pub color: &'a str,
    /// The icon image's new storage key (empty: none); `None` keeps the current one.
    pub image: Option<&'a str>,
    pub description: &'a str,
}

/// Changes an app's name, icon and description. The app must already be checked editable.
pub fn update_app(conn: &mut Conn, app: &App, change: AppChange<'_>) -> AppResult<()> {
    diesel::update(apps::table.find(app.id).filter(apps::org_id.eq(app.org_id)))
        .set((
            apps::name.eq(change.name),
            apps::icon_glyph.eq(change.glyph),
            apps::icon_color.eq(change.color),
            apps::icon_image.eq(change.image.unwrap_or(&app.icon_image)),
            apps::description.eq(change.description),
        ))
        .execute(conn)?;
    Ok(())
}

/// Marks or unmarks an app premium (精品); only organisation admins may.
pub fn set_premium(conn: &mut Conn, scope: &OrgScope, app: &App, premium: bool) -> AppResult<()> {
    if !super::app::may_mark_premium(scope) {
        return Err(AppError::Forbidden("apps.error.premium_admins_only"));
    }
    diesel::update(
        apps::table
            .find(app.id)
            .filter(apps::org_id.eq(scope.org_id())),
    )
    .set(apps::premium.eq(premium))
    .execute(conn)?;
    Ok(())
}

/// The listed app admins as (user id, name, login).
pub fn app_admins_of(conn: &mut Conn, app: &App) -> AppResult<Vec<(i64, String, String)>> {
    Ok(app_admins::table
        .inner_join(users::table)
        .filter(app_admins::app_id.eq(app.id))
        .order(users::name.asc())
        .select((users::id, users::name, users::login))
        .load(conn)?)
}

/// Lists a member of the organisation as app admin; anyone else is "not found".
pub fn add_app_admin(conn: &mut Conn, scope: &OrgScope, app: &App, user_id: i64) -> AppResult<()> {
    if !is_org_member(conn, scope, user_id)? {
        return Err(AppError::NotFound);
    }
    write_tx(conn, |conn| {
        let listed: i64 = app_admins::table
            .filter(app_admins::app_id.eq(app.id))
            .filter(app_admins::user_id.eq(user_id))
            .count()
            .get_result(conn)?;
        if listed == 0 {
            diesel::insert_into(app_admins::table)
                .values((
                    app_admins::app_id.eq(app.id),
                    app_admins::user_id.eq(user_id),
                ))
                .execute(conn)?;
        }
        Ok(())
    })
}

pub fn remove_app_admin(conn: &mut Conn, app: &App, user_id: i64) -> AppResult<()> {
    let n = diesel::delete(
        app_admins::table
            .filter(app_admins::app_id.eq(app.id))
            .filter(app_admins::user_id.eq(user_id)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// A page of this app (which was loaded through the caller's scope).
pub fn page_of_app(conn: &mut Conn, app: &App, page_id: i64) -> AppResult<Page> {
    pages::table
        .find(page_id)
        .filter(pages::app_id.eq(app.id))
        .filter(pages::org_id.eq(app.org_id))
        .select(Page::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Everything the app overview shows.
pub struct Overview {
    pub app: App,
    pub pages: Vec<Page>,
    pub connectors: Vec<super::parts::Connector>,
    pub templates: Vec<super::parts::NotificationTemplate>,
    pub automations: Vec<super::parts::Automation>,
    pub components: Vec<super::parts::Component>,
    pub admins: Vec<(i64, String, String)>,
    pub people: Vec<(i64, String, String)>,
}

/// The overview of an app the caller may edit.
pub fn overview(conn: &mut Conn, scope: &OrgScope, app_id: i64) -> AppResult<Overview> {
    use super::parts_store as ps;
    let app = find_app_for_edit(conn, scope, app_id)?;
    Ok(Overview {
        pages: pages_of(conn, scope, app.id)?,
        connectors: ps::connectors_of(conn, &app)?,
        templates: ps::templates_of(conn, &app)?,
        automations: ps::automations_of(conn, &app)?,
        components: ps::components_of(conn, &app)?,
        admins: app_admins_of(conn, &app)?,
        people: org_people(conn, scope)?,
        app,
    })
}
