//! The platform operator's project review (立项审批). These queries are platform-wide
//! (the operator belongs to no tenant) and are reached only through the `Operator` guard.

use diesel::prelude::*;

use super::ProjectStatus;
use super::store::Project;
use crate::db::schema::{orgs, projects, users};
use crate::db::{Conn, now, write_tx};
use crate::distribution::events::{EventKind, record};
use crate::error::{AppError, AppResult};
use crate::forms::Attachment;
use crate::web::{PAGE_SIZE, Page};

/// A project as the operator sees it: with the provider and the creator.
#[derive(Clone, Debug)]
pub(crate) struct ReviewRow {
    pub p: Project,
    pub provider_name: String,
    pub creator_name: String,
}

type Joined = (Project, String, String);

/// Pending projects, longest waiting first.
pub(crate) fn queue(conn: &mut Conn, after: Option<i64>) -> AppResult<Page<ReviewRow>> {
    let mut q = projects::table
        .inner_join(orgs::table.on(orgs::id.eq(projects::provider_org_id)))
        .inner_join(users::table.on(users::id.eq(projects::creator_id)))
        .filter(projects::status.eq(ProjectStatus::Pending.as_str()))
        .select((Project::as_select(), orgs::name, users::name))
        .order((projects::created_at.asc(), projects::id.asc()))
        .limit(PAGE_SIZE + 1)
        .into_boxed();
    // Keyset on (submitted at, id): the cursor is the last id, its time looked up.
    if let Some(a) = after {
        let at: i64 = projects::table
            .find(a)
            .select(projects::created_at)
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        q = q.filter(
            projects::created_at
                .gt(at)
                .or(projects::created_at.eq(at).and(projects::id.gt(a))),
        );
    }
    let rows = q
        .load::<Joined>(conn)?
        .into_iter()
        .map(|(p, provider_name, creator_name)| ReviewRow {
            p,
            provider_name,
            creator_name,
        })
        .collect();
    Ok(Page::from_rows(rows, PAGE_SIZE, |r| r.p.id))
}

/// A decided project with who decided it.
#[derive(Clone, Debug)]
pub(crate) struct ReviewedRow {
    pub r: ReviewRow,
    pub reviewer_name: String,
}

/// Projects already reviewed (approved or rejected, whatever happened since), latest
/// decision first; keyset on (reviewed at, id).
pub(crate) fn reviewed(conn: &mut Conn, after: Option<i64>) -> AppResult<Page<ReviewedRow>> {
    let (reviewers, creators) = diesel::alias!(users as reviewers, users as creators);
    let mut q = projects::table
        .inner_join(orgs::table.on(orgs::id.eq(projects::provider_org_id)))
        .inner_join(creators.on(creators.field(users::id).eq(projects::creator_id)))
        .inner_join(reviewers.on(projects::reviewed_by.eq(reviewers.field(users::id).nullable())))
        .filter(projects::reviewed_at.is_not_null())
        .select((
            Project::as_select(),
            orgs::name,
            creators.field(users::name),
            reviewers.field(users::name),
        ))
        .order((projects::reviewed_at.desc(), projects::id.desc()))
        .limit(PAGE_SIZE + 1)
        .into_boxed();
    if let Some(a) = after {
        let at: Option<i64> = projects::table
            .find(a)
            .select(projects::reviewed_at)
            .first(conn)
            .optional()?
            .ok_or(AppError::NotFound)?;
        let at = at.ok_or(AppError::NotFound)?;
        q = q.filter(
            projects::reviewed_at
                .lt(at)
                .or(projects::reviewed_at.eq(at).and(projects::id.lt(a))),
        );
    }
    let rows = q
        .load::<(Project, String, String, String)>(conn)?
        .into_iter()
        .map(
            |(p, provider_name, creator_name, reviewer_name)| ReviewedRow {
                r: ReviewRow {
                    p,
                    provider_name,
                    creator_name,
                },
                reviewer_name,
            },
        )
        .collect();
    Ok(Page::from_rows(rows, PAGE_SIZE, |r| r.r.p.id))
}

/// Any project, for the operator (decided ones stay viewable).
pub(crate) fn find(conn: &mut Conn, id: i64) -> AppResult<ReviewRow> {
    let (p, provider_name, creator_name) = projects::table
        .inner_join(orgs::table.on(orgs::id.eq(projects::provider_org_id)))
        .inner_join(users::table.on(users::id.eq(projects::creator_id)))
        .filter(projects::id.eq(id))
        .select((Project::as_select(), orgs::name, users::name))
        .first::<Joined>(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    Ok(ReviewRow {
        p,
        provider_name,
        creator_name,
    })
}

pub(crate) fn contract(conn: &mut Conn, id: i64) -> AppResult<Attachment> {
    let r = find(conn, id)?;
    super::store::contract_file(conn, &r.p)
}

/// The decision on a pending project: exactly once (the update matches only a pending
/// row), with a timeline event and a notification to the creator in the same transaction.
pub(crate) fn decide(
    conn: &mut Conn,
    operator_id: i64,
    id: i64,
    approve: bool,
    reason: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let (status, kind, title) = if approve {
            (
                ProjectStatus::Approved,
                EventKind::Approved,
                "distribution.notify.approved",
            )
        } else {
            (
                ProjectStatus::Rejected,
                EventKind::Rejected,
                "distribution.notify.rejected",
            )
        };
        let n = diesel::update(
            projects::table
                .find(id)
                .filter(projects::status.eq(ProjectStatus::Pending.as_str())),
        )
        .set((
            projects::status.eq(status.as_str()),
            projects::review_reason.eq(reason),
            projects::reviewed_by.eq(operator_id),
            projects::reviewed_at.eq(now()),
        ))
        .execute(conn)?;
        if n != 1 {
            // Missing, or already decided (or withdrawn) by someone else.
            find(conn, id)?;
            return Err(AppError::Conflict("distribution.review.already_decided"));
        }
        let p: Project = projects::table
            .find(id)
            .select(Project::as_select())
            .first(conn)?;
        record(conn, id, Some(operator_id), kind, reason)?;
        let body = if reason.is_empty() {
            p.name.clone()
        } else {
            format!("{} — {reason}", p.name)
        };
        crate::notifications::notify(
            conn,
            p.provider_org_id,
            p.creator_id,
            title,
            &body,
            &format!("/provider/projects/{id}"),
        )
    })
}
