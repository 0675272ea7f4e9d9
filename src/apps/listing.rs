//! The app lists: the apps of an organisation its people may see, newest first, as the
//! app list reads them (whole) and as the workbench draws them (tiles).

use diesel::prelude::*;

use super::app::{App, AppStatus};
use super::icon::AppIcon;
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::db::schema::{app_usage_refs, apps};
use crate::error::AppResult;
use crate::org::ScopeKind;
use crate::web::{Cursor, PAGE_SIZE, Page as ListPage};

/// An app as the workbench draws it: only the columns a tile shows (the workbench is
/// every member's first page; each column more is decoded fifty times a view).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = apps)]
pub struct AppTile {
    pub id: i64,
    pub name: String,
    pub icon_glyph: String,
    pub description: String,
    pub premium: bool,
    pub state: String,
    pub homepage_url: String,
    pub icon_color: String,
    pub icon_image: String,
}

impl AppTile {
    pub fn icon(&self) -> AppIcon {
        AppIcon::new(
            self.id,
            &self.icon_glyph,
            &self.icon_color,
            &self.icon_image,
        )
    }
}

/// The apps of the scope's organisation, newest first, keyset-paginated by id, read as
/// `$row` (the whole [`App`], or a list's narrower row). Members who cannot build apps see
/// only enabled apps (the workbench).
macro_rules! visible_apps {
    ($conn:expr, $scope:expr, $cursor:expr, $row:ident) => {{
        let (conn, scope, cursor): (&mut Conn, &OrgScope, Cursor) = ($conn, $scope, $cursor);
        // Members see the apps whose usage scope names them, or a department above theirs.
        let member = scope.grant_app().is_none() && !scope.can_build_apps();
        let chain = if member {
            crate::org::department_chain(conn, scope.org_id(), scope.user_id())?
        } else {
            vec![]
        };
        ListPage::fetch(
            cursor,
            |a: &$row| a.id,
            |cursor| {
                Ok(crate::native!(&mut *conn, |c| {
                    let mut q = apps::table
                        .filter(apps::org_id.eq(scope.org_id()))
                        .filter(apps::state.ne(AppStatus::Deleted.as_str()))
                        .select($row::as_select())
                        .limit(PAGE_SIZE + 1)
                        .into_boxed();
                    if let Some(g) = scope.grant_app() {
                        // Under a maintenance grant only the grant's app exists, in whatever state.
                        q = q.filter(apps::id.eq(g));
                    } else if member {
                        let naming_me = app_usage_refs::table
                            .filter(
                                app_usage_refs::kind
                                    .eq(super::usage::PERSON)
                                    .and(app_usage_refs::ref_id.eq(scope.user_id()))
                                    .or(app_usage_refs::kind
                                        .eq(super::usage::DEPARTMENT)
                                        .and(app_usage_refs::ref_id.eq_any(chain.clone()))),
                            )
                            .select(app_usage_refs::app_id);
                        q = q
                            .filter(apps::state.eq(AppStatus::Enabled.as_str()))
                            .filter(
                                apps::usage_scope
                                    .eq(ScopeKind::All.as_str())
                                    .or(apps::id.eq_any(naming_me)),
                            );
                    }
                    crate::keyset!(q, cursor, apps::id, desc).load(c)
                })?)
            },
        )
    }};
}

/// The apps of the scope's organisation (see `visible_apps`).
pub fn list_apps(conn: &mut Conn, scope: &OrgScope, cursor: Cursor) -> AppResult<ListPage<App>> {
    visible_apps!(conn, scope, cursor, App)
}

/// The workbench's tiles: the same apps as [`list_apps`], only the columns a tile draws.
pub fn workbench_tiles(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<ListPage<AppTile>> {
    visible_apps!(conn, scope, cursor, AppTile)
}
