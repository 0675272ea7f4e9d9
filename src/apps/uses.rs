//! A member's use of an app: recorded once per person, using organisation, app and day
//! (China Standard Time) when they open its pages or submit, and announced to the
//! listeners the first time that day (a custom app's provider hears "member opened").
//! The record is written off the request path: the page does not wait for it, and a
//! person already recorded today costs one read.

use diesel::prelude::*;

use super::events::{AppEvent, announce};
use crate::db::schema::app_uses;
use crate::db::{Conn, Db, now};
use crate::error::{AppError, AppResult};
use crate::tools::wait::cst_day;

/// The most a member's message to an app may hold, in characters.
pub const MESSAGE_MAX: usize = 500;

/// Records that `user_id`, in `org_id`, used `app_id` now. Returns at once; the write
/// happens on a task of its own and a failure is logged, never shown to the member.
pub fn record_use(db: &Db, org_id: i64, app_id: i64, user_id: i64) {
    let db = db.clone();
    let day = cst_day(now());
    tokio::spawn(async move {
        let recorded = db
            .run(move |c| recorded(c, org_id, app_id, user_id, day))
            .await;
        if matches!(recorded, Ok(true)) {
            return;
        }
        let written = db
            .write(move |c| insert(c, org_id, app_id, user_id, day))
            .await;
        if let Err(e) = written {
            tracing::warn!(app.id = app_id, error = %e, "could not record an app's use");
        }
    });
}

fn recorded(conn: &mut Conn, org_id: i64, app_id: i64, user_id: i64, day: i64) -> AppResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        app_uses::table
            .filter(app_uses::app_id.eq(app_id))
            .filter(app_uses::day.eq(day))
            .filter(app_uses::org_id.eq(org_id))
            .filter(app_uses::user_id.eq(user_id)),
    ))
    .get_result(conn)?)
}

/// The first use of the day is the one that inserts (the key makes it exactly once,
/// however many instances race); only it is announced.
fn insert(conn: &mut Conn, org_id: i64, app_id: i64, user_id: i64, day: i64) -> AppResult<()> {
    let values = (
        app_uses::app_id.eq(app_id),
        app_uses::org_id.eq(org_id),
        app_uses::user_id.eq(user_id),
        app_uses::day.eq(day),
        app_uses::created_at.eq(now()),
    );
    let inserted = crate::native!(conn, |c| diesel::insert_into(app_uses::table)
        .values(values)
        .on_conflict_do_nothing()
        .execute(c))?;
    if inserted == 1 {
        announce(
            conn,
            AppEvent::Opened {
                org_id,
                app_id,
                user_id,
                day,
            },
        )?;
    }
    Ok(())
}

/// A member's message as it will be sent: trimmed, 1 to [`MESSAGE_MAX`] characters; the
/// refusal is the field's message key.
pub fn check_message(text: &str) -> Result<String, &'static str> {
    let text = text.trim();
    if text.is_empty() {
        Err("apps.message.error.empty")
    } else if text.chars().count() > MESSAGE_MAX {
        Err("apps.message.error.too_long")
    } else {
        Ok(text.to_string())
    }
}

/// A member's checked message to an app that is theirs to use, announced inside the
/// caller's write transaction; an app whose messages reach nobody is not found.
pub fn member_message(
    conn: &mut Conn,
    org_id: i64,
    app_id: i64,
    user_id: i64,
    text: String,
) -> AppResult<()> {
    if !super::events::takes_messages(conn, app_id)? {
        return Err(AppError::NotFound);
    }
    announce(
        conn,
        AppEvent::MemberMessage {
            org_id,
            app_id,
            user_id,
            text,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_trimmed_and_holds_one_to_five_hundred_characters() {
        assert_eq!(check_message("  你好  "), Ok("你好".to_string()));
        assert_eq!(check_message(" \n "), Err("apps.message.error.empty"));
        assert!(check_message(&"字".repeat(MESSAGE_MAX)).is_ok());
        assert_eq!(
            check_message(&"字".repeat(MESSAGE_MAX + 1)),
            Err("apps.message.error.too_long")
        );
    }
}
