//! Queries over notifications. Reading and marking take the caller's [`OrgScope`] and only
//! ever touch the caller's own notifications.

use diesel::prelude::*;

use crate::auth::OrgScope;
use crate::db::schema::{memberships, notifications};
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};
use crate::web::{Cursor, PAGE_SIZE, Page};

#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = notifications)]
pub struct Notification {
    pub id: i64,
    pub org_id: i64,
    pub user_id: i64,
    pub title: String,
    pub body: String,
    pub link: String,
    pub read: bool,
    pub created_at: i64,
}

impl Notification {
    /// System notifications store an i18n key as their title so each reader sees their
    /// own language; automation notifications store the text the app builder wrote.
    pub fn title_is_key(&self) -> bool {
        (self.title.starts_with("approval.")
            || self.title.starts_with("notifications.")
            || self.title.starts_with("distribution.")
            || self.title.starts_with("interconnect.")
            || self.title.starts_with("customdev.")
            || self.title.starts_with("appcentre.")
            || self.title.starts_with("quickdeploy."))
            && crate::tools::http::is_flash_key(&self.title)
    }

    /// The body in the reader's language: a system body written with [`keyed_body`] is
    /// translated with its figures; any other body is shown as written.
    pub fn body_text(&self, lang: crate::i18n::Lang) -> String {
        let Some((key, query)) = self.body.split_once('?') else {
            return self.body.clone();
        };
        if !(key.starts_with("interconnect.")
            && crate::tools::http::is_flash_key(key)
            && lang.has(key))
        {
            return self.body.clone();
        }
        let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
            .into_owned()
            .collect();
        let args: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        lang.tf(key, &args)
    }
}

/// A notification body that each reader sees in their own language: the message's i18n
/// key and its parameters ("key?name=value&…", URL-encoded).
pub fn keyed_body(key: &str, args: &[(&str, &str)]) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in args {
        q.append_pair(k, v);
    }
    format!("{key}?{}", q.finish())
}

/// Creates a notification for `user_id` in `org_id`. Callers run it inside their own
/// transaction so that the notification exists exactly when the event does.
pub fn notify(
    conn: &mut Conn,
    org_id: i64,
    user_id: i64,
    title: &str,
    body: &str,
    link: &str,
) -> AppResult<()> {
    diesel::insert_into(notifications::table)
        .values((
            notifications::org_id.eq(org_id),
            notifications::user_id.eq(user_id),
            notifications::title.eq(title),
            notifications::body.eq(body),
            notifications::link.eq(link),
            notifications::read.eq(false),
            notifications::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The caller's notifications in the current organisation, newest first.
pub fn list(conn: &mut Conn, scope: &OrgScope, cursor: Cursor) -> AppResult<Page<Notification>> {
    Page::fetch(
        cursor,
        |n: &Notification| n.id,
        |cursor| {
            let q = notifications::table
                .filter(notifications::org_id.eq(scope.org_id()))
                .filter(notifications::user_id.eq(scope.user_id()))
                .limit(PAGE_SIZE + 1)
                .select(Notification::as_select())
                .into_boxed();
            Ok(crate::keyset!(q, cursor, notifications::id, desc).load(&mut *conn)?)
        },
    )
}

/// How many unread notifications the caller has in the current organisation.
pub fn unread_count(conn: &mut Conn, scope: &OrgScope) -> AppResult<i64> {
    Ok(notifications::table
        .filter(notifications::org_id.eq(scope.org_id()))
        .filter(notifications::user_id.eq(scope.user_id()))
        .filter(notifications::read.eq(false))
        .count()
        .get_result(conn)?)
}

/// Marks one of the caller's notifications read; someone else's is "not found".
pub fn mark_read(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<()> {
    let n = diesel::update(
        notifications::table
            .find(id)
            .filter(notifications::org_id.eq(scope.org_id()))
            .filter(notifications::user_id.eq(scope.user_id())),
    )
    .set(notifications::read.eq(true))
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub fn mark_all_read(conn: &mut Conn, scope: &OrgScope) -> AppResult<usize> {
    Ok(diesel::update(
        notifications::table
            .filter(notifications::org_id.eq(scope.org_id()))
            .filter(notifications::user_id.eq(scope.user_id()))
            .filter(notifications::read.eq(false)),
    )
    .set(notifications::read.eq(true))
    .execute(conn)?)
}

/// Tells every admin (main and platform) of `org_id`.
pub fn notify_admins(
    conn: &mut Conn,
    org_id: i64,
    title: &str,
    body: &str,
    link: &str,
) -> AppResult<()> {
    let admins: Vec<i64> = memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::role.eq_any(["main_admin", "platform_admin"]))
        .select(memberships::user_id)
        .load(conn)?;
    for u in admins {
        notify(conn, org_id, u, title, body, link)?;
    }
    Ok(())
}
