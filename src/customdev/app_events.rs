//! What happens to an enterprise's custom app in the apps domain, sent to its provider's
//! callback: the usage scope changed, a member opened it (first time that day), a member
//! wrote to it. Registered with `apps` at assembly.

use diesel::prelude::*;
use serde_json::json;

use super::callbacks::{Event, enqueue};
use crate::apps::{AppEvent, AppListener};
use crate::db::Conn;
use crate::db::schema::{cd_custom_apps as ca, users};
use crate::error::AppResult;

pub(crate) struct AppEvents;

/// The active custom app behind `app_id` in the enterprise `org_id`.
fn custom_app(conn: &mut Conn, org_id: i64, app_id: i64) -> AppResult<Option<i64>> {
    Ok(ca::table
        .filter(ca::app_id.eq(Some(app_id)))
        .filter(ca::enterprise_org_id.eq(org_id))
        .filter(ca::status.eq("active"))
        .select(ca::id)
        .first(conn)
        .optional()?)
}

/// A member as the provider API names people: id and name.
fn member(conn: &mut Conn, user_id: i64) -> AppResult<serde_json::Value> {
    let name: String = users::table.find(user_id).select(users::name).first(conn)?;
    Ok(json!({ "user_id": user_id, "name": name }))
}

/// `YYYY-MM-DD` of a day number.
fn date(day: i64) -> String {
    time::Date::from_julian_day(i32::try_from(day + 2_440_588).unwrap_or(0))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

impl AppListener for AppEvents {
    fn changed(&self, conn: &mut Conn, event: &AppEvent) -> AppResult<()> {
        let (org_id, app_id) = match event {
            AppEvent::UsageScopeChanged { org_id, app_id, .. }
            | AppEvent::Opened { org_id, app_id, .. }
            | AppEvent::MemberMessage { org_id, app_id, .. } => (*org_id, *app_id),
        };
        let Some(cid) = custom_app(conn, org_id, app_id)? else {
            return Ok(());
        };
        match event {
            AppEvent::UsageScopeChanged { kind, .. } => enqueue(
                conn,
                cid,
                Event::UsageScopeChanged,
                json!({ "scope": kind.as_str() }),
            ),
            AppEvent::Opened { user_id, day, .. } => {
                let data = json!({ "member": member(conn, *user_id)?, "date": date(*day) });
                enqueue(conn, cid, Event::MemberOpened, data)
            }
            AppEvent::MemberMessage { user_id, text, .. } => {
                let data = json!({ "member": member(conn, *user_id)?, "text": text });
                enqueue(conn, cid, Event::MemberMessage, data)
            }
        }
    }

    /// An active custom app with a callback URL: its provider hears members' messages.
    fn takes_messages(&self, conn: &mut Conn, app_id: i64) -> AppResult<bool> {
        Ok(diesel::select(diesel::dsl::exists(
            ca::table
                .filter(ca::app_id.eq(Some(app_id)))
                .filter(ca::status.eq("active"))
                .filter(ca::callback_url.ne("")),
        ))
        .get_result(conn)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_number_reads_as_its_date() {
        assert_eq!(date(0), "1970-01-01");
        // 2026-12-06 is day 20,793.
        assert_eq!(date(20_793), "2026-12-06");
    }
}
