//! Nobody approves their own submission, on any process form. The pickers of 转交 and
//! 加签 leave the submitter out, the action refuses them (`approval::check_not_own`),
//! and a step whose configured approver is the submitter does not go to the submitter:
//! it is routed to a stand-in (代审), as DingTalk's "审批人与发起人相同时转交给管理员"
//! does, namely the app's first listed app admin who is not the submitter, else the
//! app organisation's first main admin who is not. The timeline marks such a task.
//! When nobody else can take the step the submission (or the approval that would
//! reach the step) is refused with a message, never approved by its submitter.

use diesel::prelude::*;

use super::approval::{KIND_STAND_IN, KIND_STEP};
use crate::apps::{App, Step};
use crate::auth::Role;
use crate::db::Conn;
use crate::db::schema::{app_admins, memberships, users};
use crate::error::{AppError, AppResult};

/// The refusal when a step of the flow would be left to the submitter alone.
pub(crate) const NO_STAND_IN: &str = "approval.error.no_stand_in";

/// Who takes `step` of a submission by `submitter`, and the task's kind: the configured
/// approver, or a stand-in when that is the submitter; `None` when nobody else can.
pub(crate) fn step_assignee(
    conn: &mut Conn,
    app: &App,
    step: &Step,
    submitter: i64,
) -> AppResult<Option<(i64, &'static str)>> {
    if step.approver_id != submitter {
        return Ok(Some((step.approver_id, KIND_STEP)));
    }
    Ok(stand_in(conn, app, submitter)?.map(|u| (u, KIND_STAND_IN)))
}

/// The stand-in for a step whose approver submitted: an app admin of the app, else a
/// main admin of its organisation, who is an enabled member and not the submitter.
fn stand_in(conn: &mut Conn, app: &App, submitter: i64) -> AppResult<Option<i64>> {
    let admin: Option<i64> = app_admins::table
        .inner_join(users::table)
        .inner_join(
            memberships::table.on(memberships::user_id
                .eq(app_admins::user_id)
                .and(memberships::org_id.eq(app.org_id))),
        )
        .filter(app_admins::app_id.eq(app.id))
        .filter(app_admins::user_id.ne(submitter))
        .filter(users::disabled.eq(false))
        .order(app_admins::user_id.asc())
        .select(app_admins::user_id)
        .first(conn)
        .optional()?;
    if admin.is_some() {
        return Ok(admin);
    }
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(app.org_id))
        .filter(memberships::role.eq(Role::MainAdmin.as_str()))
        .filter(memberships::user_id.ne(submitter))
        .filter(users::disabled.eq(false))
        .order(memberships::user_id.asc())
        .select(memberships::user_id)
        .first(conn)
        .optional()?)
}

/// Refuses a submission whose flow has a step that only its submitter could take.
pub(crate) fn check_flow(
    conn: &mut Conn,
    app: &App,
    steps: &[Step],
    submitter: i64,
) -> AppResult<()> {
    for step in steps {
        if step_assignee(conn, app, step, submitter)?.is_none() {
            return Err(AppError::Conflict(NO_STAND_IN));
        }
    }
    Ok(())
}
