//! 我的提交: the caller's own submissions with where each one is in its approval.

use std::collections::HashMap;

use diesel::prelude::*;

use super::approval;
use super::submission::{Status, Submission};
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::db::schema::{approval_steps, approval_tasks, apps, pages, submissions, users};
use crate::error::AppResult;
use crate::interconnect::usable_published_ids;
use crate::web::{Cursor, PAGE_SIZE, Page as ListPage};

/// A row of "my submissions".
pub(crate) struct SubmissionRow {
    pub submission: Submission,
    pub app_name: String,
    pub form_name: String,
    pub step_name: Option<String>,
    pub assignee: Option<String>,
    /// The app is no longer usable in this organisation: history, read only.
    pub read_only: bool,
}

/// The caller's own submissions made in the current organisation, newest first: to its
/// own apps and to published apps, also those no longer usable here (their own history,
/// marked read-only: the organisation left the space or the app was withdrawn).
pub(crate) fn my_submissions(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<ListPage<SubmissionRow>> {
    let published = usable_published_ids(conn, scope)?;
    let page = ListPage::fetch(
        cursor,
        |r: &(Submission, String, String)| r.0.id,
        |cursor| {
            let q = submissions::table
                .inner_join(apps::table)
                .inner_join(pages::table)
                .filter(submissions::submitter_org_id.eq(scope.org_id()))
                .filter(submissions::submitter_id.eq(scope.user_id()))
                .limit(PAGE_SIZE + 1)
                .select((Submission::as_select(), apps::name, pages::name))
                .into_boxed();
            Ok(crate::keyset!(q, cursor, submissions::id, desc).load(&mut *conn)?)
        },
    )?;
    let waiting: Vec<i64> = page
        .items
        .iter()
        .filter(|r| r.0.status() == Status::InApproval)
        .map(|r| r.0.id)
        .collect();
    let page_ids: Vec<i64> = page.items.iter().map(|r| r.0.page_id).collect();
    let pending: HashMap<i64, (i32, String)> = approval_tasks::table
        .inner_join(users::table)
        .filter(approval_tasks::submission_id.eq_any(&waiting))
        .filter(approval_tasks::status.eq(approval::PENDING))
        .select((
            approval_tasks::submission_id,
            approval_tasks::step_position,
            users::name,
        ))
        .load::<(i64, i32, String)>(conn)?
        .into_iter()
        .map(|(s, p, n)| (s, (p, n)))
        .collect();
    let step_names: HashMap<(i64, i32), String> = approval_steps::table
        .filter(approval_steps::page_id.eq_any(&page_ids))
        .select((
            approval_steps::page_id,
            approval_steps::position,
            approval_steps::name,
        ))
        .load::<(i64, i32, String)>(conn)?
        .into_iter()
        .map(|(p, pos, n)| ((p, pos), n))
        .collect();
    let items = page
        .items
        .into_iter()
        .map(|(s, app_name, form_name)| {
            let at = pending.get(&s.id);
            SubmissionRow {
                read_only: s.org_id != scope.org_id() && !published.contains(&s.app_id),
                step_name: at.and_then(|(pos, _)| step_names.get(&(s.page_id, *pos)).cloned()),
                assignee: at.map(|(_, n)| n.clone()),
                submission: s,
                app_name,
                form_name,
            }
        })
        .collect();
    Ok(ListPage {
        items,
        prev: page.prev,
        next: page.next,
    })
}
