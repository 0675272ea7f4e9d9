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
use crate::web::{Cursor, PAGE_SIZE, Page};

/// A project as the operator sees it: with the provider and the creator.
#[derive(Clone, Debug)]
pub(crate) struct ReviewRow {
    pub p: Project,
    pub provider_name: String,
    pub creator_name: String,
}

type Joined = (Project, String, String);

/// Pending projects, longest waiting first.
pub(crate) fn queue(conn: &mut Conn, cursor: Cursor) -> AppResult<Page<ReviewRow>> {
    Page::fetch(
        cursor,
        |r: &ReviewRow| r.p.id,
        |cursor| {
            let q = projects::table
                .inner_join(orgs::table.on(orgs::id.eq(projects::provider_org_id)))
                .inner_join(users::table.on(users::id.eq(projects::creator_id)))
                .filter(projects::status.eq(ProjectStatus::Pending.as_str()))
                .select((Project::as_select(), orgs::name, users::name))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            // Keyset on (submitted at, id): the cursor is a row's id, its time looked up.
            let (c, i) = (projects::created_at, projects::id);
            let q = match cursor {
                Cursor::First => q.order((c.asc(), i.asc())),
                Cursor::After(a) => {
                    let at = created_at_of(conn, a)?;
                    q.filter(c.gt(at).or(c.eq(at).and(i.gt(a))))
                        .order((c.asc(), i.asc()))
                }
                Cursor::Before(b) => {
                    let at = created_at_of(conn, b)?;
                    q.filter(c.lt(at).or(c.eq(at).and(i.lt(b))))
                        .order((c.desc(), i.desc()))
                }
            };
            Ok(q.load::<Joined>(&mut *conn)?
                .into_iter()
                .map(|(p, provider_name, creator_name)| ReviewRow {
                    p,
                    provider_name,
                    creator_name,
                })
                .collect())
        },
    )
}

fn created_at_of(conn: &mut Conn, id: i64) -> AppResult<i64> {
    projects::table
        .find(id)
        .select(projects::created_at)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

fn reviewed_at_of(conn: &mut Conn, id: i64) -> AppResult<i64> {
    let at: Option<i64> = projects::table
        .find(id)
        .select(projects::reviewed_at)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    at.ok_or(AppError::NotFound)
}

/// A decided project with who decided it.
#[derive(Clone, Debug)]
pub(crate) struct ReviewedRow {
    pub r: ReviewRow,
    pub reviewer_name: String,
}

/// Projects already reviewed (approved or rejected, whatever happened since), latest
/// decision first; keyset on (reviewed at, id).
pub(crate) fn reviewed(conn: &mut Conn, cursor: Cursor) -> AppResult<Page<ReviewedRow>> {
    Page::fetch(
        cursor,
        |r: &ReviewedRow| r.r.p.id,
        |cursor| {
            let (reviewers, creators) = diesel::alias!(users as reviewers, users as creators);
            let q = projects::table
                .inner_join(orgs::table.on(orgs::id.eq(projects::provider_org_id)))
                .inner_join(creators.on(creators.field(users::id).eq(projects::creator_id)))
                .inner_join(
                    reviewers.on(projects::reviewed_by.eq(reviewers.field(users::id).nullable())),
                )
                .filter(projects::reviewed_at.is_not_null())
                .select((
                    Project::as_select(),
                    orgs::name,
                    creators.field(users::name),
                    reviewers.field(users::name),
                ))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            let (r, i) = (projects::reviewed_at, projects::id);
            let q = match cursor {
                Cursor::First => q.order((r.desc(), i.desc())),
                Cursor::After(a) => {
                    let at = reviewed_at_of(conn, a)?;
                    q.filter(r.lt(at).or(r.eq(at).and(i.lt(a))))
                        .order((r.desc(), i.desc()))
                }
                Cursor::Before(b) => {
                    let at = reviewed_at_of(conn, b)?;
                    q.filter(r.gt(at).or(r.eq(at).and(i.gt(b))))
                        .order((r.asc(), i.asc()))
                }
            };
            Ok(q.load::<(Project, String, String, String)>(&mut *conn)?
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
                .collect())
        },
    )
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
