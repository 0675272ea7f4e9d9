//! Queries of the approval flow: the caller's pending tasks, and applying an assignee's
//! action exactly once.

use diesel::prelude::*;

use super::approval::{self, Action, Refusal, Task, check_not_own};
use super::self_approval::{NO_STAND_IN, step_assignee};
use super::store::{find_for_action, new_task};
use super::submission::{Status, Submission};
use crate::apps::steps_of;
use crate::apps::{App, Page};
use crate::auth::OrgScope;
use crate::db::schema::{approval_tasks, apps, pages, submissions, users};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::notifications::notify;
use crate::web::{Cursor, PAGE_SIZE, Page as ListPage};

/// A row of "my approvals".
pub(crate) struct TaskRow {
    pub task: Task,
    pub form_name: String,
    pub submitter: String,
    pub submitted_at: i64,
}

/// The caller's pending approval tasks in the current organisation, newest first.
pub(crate) fn my_tasks(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<ListPage<TaskRow>> {
    let page = ListPage::fetch(
        cursor,
        |r: &(Task, String, String, i64)| r.0.id,
        |cursor| {
            let q = approval_tasks::table
                .inner_join(
                    submissions::table
                        .inner_join(pages::table)
                        .inner_join(users::table),
                )
                .filter(approval_tasks::org_id.eq(scope.org_id()))
                .filter(approval_tasks::assignee_id.eq(scope.user_id()))
                .filter(approval_tasks::status.eq(approval::PENDING))
                .limit(PAGE_SIZE + 1)
                .select((
                    Task::as_select(),
                    pages::name,
                    users::name,
                    submissions::created_at,
                ))
                .into_boxed();
            Ok(crate::keyset!(q, cursor, approval_tasks::id, desc).load(&mut *conn)?)
        },
    )?;
    Ok(ListPage {
        items: page
            .items
            .into_iter()
            .map(|(task, form_name, submitter, submitted_at)| TaskRow {
                task,
                form_name,
                submitter,
                submitted_at,
            })
            .collect(),
        prev: page.prev,
        next: page.next,
    })
}

/// Applies an assignee's action to a pending task, exactly once: the task is claimed with
/// a conditional update, so a second click (or a second tab) finds it already handled and
/// changes nothing. Returns the flash message key, or the refusal to show on the form.
///
/// A task belongs to the organisation its assignee acts in: step tasks to the app's
/// organisation, hand-over and add-approver tasks to the organisation the approval was
/// started in — whose people alone may be picked (转交/加签只能选择和发起人同组织的用户).
pub(crate) fn act(
    conn: &mut Conn,
    scope: &OrgScope,
    submission_id: i64,
    task_id: i64,
    action: Action,
) -> AppResult<Result<&'static str, Refusal>> {
    write_tx(conn, |conn| {
        let s: Submission = find_for_action(conn, scope, submission_id)?;
        let task: Task = approval_tasks::table
            .find(task_id)
            .filter(approval_tasks::submission_id.eq(s.id))
            .filter(approval_tasks::org_id.eq(scope.org_id()))
            .select(Task::as_select())
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        if task.assignee_id != scope.user_id() {
            return Err(AppError::Forbidden("approval.error.not_assignee"));
        }
        if task.status != approval::PENDING {
            return Err(AppError::Conflict("approval.error.already_handled"));
        }
        // Nobody approves their own submission, nor is handed or added its task.
        if let Err(r) = check_not_own(&action, scope.user_id(), s.submitter_id) {
            return Ok(Err(r));
        }
        let app: App = apps::table
            .find(s.app_id)
            .select(App::as_select())
            .first(conn)?;
        let initiator_org = s.initiator_org();
        // 转交/加签 stay inside the initiator's organisation.
        if let Action::HandOver { to, .. } | Action::AddApprover { to, .. } = &action
            && !crate::interconnect::initiator_people(conn, &app, initiator_org)?
                .iter()
                .any(|p| p.0 == *to)
        {
            return Ok(Err(Refusal::of("approval.error.target_outside_org")));
        }
        let (new_status, comment) = match &action {
            Action::Approve { comment } | Action::AddApprover { comment, .. } => {
                (approval::APPROVED, comment)
            }
            Action::Reject { comment } => (approval::REJECTED, comment),
            Action::HandOver { comment, .. } => (approval::HANDED_OVER, comment),
        };
        let claimed = diesel::update(
            approval_tasks::table
                .filter(approval_tasks::id.eq(task.id))
                .filter(approval_tasks::status.eq(approval::PENDING)),
        )
        .set((
            approval_tasks::status.eq(new_status),
            approval_tasks::comment.eq(comment),
            approval_tasks::acted_at.eq(Some(now())),
        ))
        .execute(conn)?;
        if claimed != 1 {
            return Err(AppError::Conflict("approval.error.already_handled"));
        }
        let page: Page = pages::table
            .find(s.page_id)
            .select(Page::as_select())
            .first(conn)?;
        let about = format!("{} · {}", app.name, page.name);
        let link = format!("/submissions/{}", s.id);
        // Step approvers act in the app's organisation; the submitter and picked people
        // in the initiator's.
        let org = s.org_id;
        let set_status = |conn: &mut Conn, status: Status, step: i32| -> AppResult<()> {
            diesel::update(submissions::table.find(s.id))
                .set((
                    submissions::status.eq(status.as_str()),
                    submissions::current_step.eq(step),
                    submissions::updated_at.eq(now()),
                ))
                .execute(conn)?;
            Ok(())
        };
        match action {
            Action::Approve { .. } => {
                let steps = steps_of(conn, &page)?;
                match approval::next_step(&steps, task.step_position) {
                    Some(next) => {
                        // Never to the submitter: a stand-in takes their step.
                        let (to, kind) = step_assignee(conn, &app, next, s.submitter_id)?
                            .ok_or(AppError::Conflict(NO_STAND_IN))?;
                        new_task(conn, org, s.id, next.position, to, kind)?;
                        set_status(conn, Status::InApproval, next.position)?;
                        notify(conn, org, to, "approval.notify.task", &about, &link)?;
                    }
                    None => {
                        set_status(conn, Status::Approved, task.step_position)?;
                        notify(
                            conn,
                            initiator_org,
                            s.submitter_id,
                            "approval.notify.approved",
                            &about,
                            &link,
                        )?;
                    }
                }
                Ok(Ok("approval.flash.approved"))
            }
            Action::Reject { .. } => {
                set_status(conn, Status::Rejected, task.step_position)?;
                notify(
                    conn,
                    initiator_org,
                    s.submitter_id,
                    "approval.notify.rejected",
                    &about,
                    &link,
                )?;
                Ok(Ok("approval.flash.rejected"))
            }
            Action::HandOver { to, .. } => {
                new_task(
                    conn,
                    initiator_org,
                    s.id,
                    task.step_position,
                    to,
                    &task.kind,
                )?;
                notify(
                    conn,
                    initiator_org,
                    to,
                    "approval.notify.task",
                    &about,
                    &link,
                )?;
                Ok(Ok("approval.flash.handed_over"))
            }
            Action::AddApprover { to, .. } => {
                new_task(
                    conn,
                    initiator_org,
                    s.id,
                    task.step_position,
                    to,
                    approval::KIND_ADDED,
                )?;
                notify(
                    conn,
                    initiator_org,
                    to,
                    "approval.notify.task",
                    &about,
                    &link,
                )?;
                Ok(Ok("approval.flash.added"))
            }
        }
    })
}
