//! Queries over a provider's projects. Every function takes the caller's [`OrgScope`]; a
//! project of another organisation is "not found", whatever its id.

use diesel::prelude::*;

use super::{Closing, NewProject, ProjectStatus};
use crate::auth::OrgScope;
use crate::db::schema::{
    attachments, orders, project_events, project_status_counts, projects, users,
};
use crate::db::{Conn, now, write_tx};
use crate::distribution::events::{EventKind, record};
use crate::error::{AppError, AppResult};
use crate::forms::Attachment;
use crate::storage::Storage;
use crate::web::{Cursor, PAGE_SIZE, Page};

#[expect(
    dead_code,
    reason = "read whole from its query; some fields are shown by no page yet"
)]
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub(crate) struct Project {
    pub id: i64,
    pub provider_org_id: i64,
    pub creator_id: i64,
    pub name: String,
    pub description: String,
    pub contract_amount_cents: i64,
    pub contract_file_id: i64,
    pub customer_name: String,
    pub customer_corp_id: String,
    pub status: String,
    pub review_reason: String,
    pub reviewed_by: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub closing_delivery_date: String,
    pub closing_summary: String,
    pub closing_acceptance: String,
    pub created_at: i64,
}

impl Project {
    pub(crate) fn status(&self) -> ProjectStatus {
        ProjectStatus::parse(&self.status).unwrap_or(ProjectStatus::Pending)
    }
    pub(crate) fn amount(&self) -> String {
        super::format_cents(self.contract_amount_cents)
    }
}

/// A project as the project list shows it: its columns, without the description and the
/// closing details (a list page decodes 51 rows).
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = projects)]
pub(crate) struct ProjectItem {
    pub id: i64,
    pub creator_id: i64,
    pub name: String,
    pub contract_amount_cents: i64,
    pub customer_name: String,
    pub customer_corp_id: String,
    pub status: String,
    pub review_reason: String,
    pub created_at: i64,
}

impl ProjectItem {
    pub(crate) fn status(&self) -> ProjectStatus {
        ProjectStatus::parse(&self.status).unwrap_or(ProjectStatus::Pending)
    }
    pub(crate) fn amount(&self) -> String {
        super::format_cents(self.contract_amount_cents)
    }
}

/// A project in a list, with its creator's name.
#[derive(Clone, Debug)]
pub(crate) struct ProjectRow {
    pub p: ProjectItem,
    pub creator_name: String,
}

/// Stores the contract file, then the attachment, the project and its first timeline
/// event in one transaction (a stored file without a row is harmless; the reverse is not).
pub(crate) fn create(
    conn: &mut Conn,
    scope: &OrgScope,
    storage: &dyn Storage,
    new: NewProject,
) -> AppResult<i64> {
    let key = format!(
        "{}.{}",
        uuid::Uuid::new_v4().simple(),
        new.file_kind.extension()
    );
    storage.put(&key, &new.file_bytes)?;
    write_tx(conn, |conn| {
        let ts = now();
        let file_id: i64 = diesel::insert_into(attachments::table)
            .values((
                attachments::org_id.eq(scope.org_id()),
                attachments::uploader_id.eq(scope.user_id()),
                attachments::storage_key.eq(&key),
                attachments::filename.eq(&new.file_name),
                attachments::content_type.eq(new.file_kind.mime()),
                attachments::size_bytes.eq(i64::try_from(new.file_bytes.len()).unwrap_or(i64::MAX)),
                attachments::created_at.eq(ts),
            ))
            .returning(attachments::id)
            .get_result(conn)?;
        let id: i64 = diesel::insert_into(projects::table)
            .values((
                projects::provider_org_id.eq(scope.org_id()),
                projects::creator_id.eq(scope.user_id()),
                projects::name.eq(&new.name),
                projects::description.eq(&new.description),
                projects::contract_amount_cents.eq(new.amount_cents),
                projects::contract_file_id.eq(file_id),
                projects::customer_name.eq(&new.customer_name),
                projects::customer_corp_id.eq(&new.customer_corp_id),
                projects::status.eq(ProjectStatus::Pending.as_str()),
                projects::created_at.eq(ts),
            ))
            .returning(projects::id)
            .get_result(conn)?;
        record(conn, id, Some(scope.user_id()), EventKind::Submitted, "")?;
        Ok(id)
    })
}

fn escape_like(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    s.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// The organisation's projects, newest first, by status and customer (name or CorpID).
pub(crate) fn list(
    conn: &mut Conn,
    scope: &OrgScope,
    status: Option<ProjectStatus>,
    q: &str,
    cursor: Cursor,
) -> AppResult<Page<ProjectRow>> {
    let q = q.trim();
    Page::fetch(
        cursor,
        |r: &ProjectRow| r.p.id,
        |cursor| {
            let rows: Vec<(ProjectItem, String)> = crate::native!(&mut *conn, |c| {
                let mut query = projects::table
                    .inner_join(users::table.on(users::id.eq(projects::creator_id)))
                    .filter(projects::provider_org_id.eq(scope.org_id()))
                    .select((ProjectItem::as_select(), users::name))
                    .limit(PAGE_SIZE + 1)
                    .into_boxed();
                if let Some(s) = status {
                    query = query.filter(projects::status.eq(s.as_str()));
                }
                if !q.is_empty() {
                    let pat = escape_like(q);
                    query = query.filter(
                        projects::customer_name
                            .like(pat.clone())
                            .escape('\\')
                            .or(projects::customer_corp_id.like(pat).escape('\\')),
                    );
                }
                crate::keyset!(query, cursor, projects::id, desc).load(c)
            })?;
            Ok(rows
                .into_iter()
                .map(|(p, creator_name)| ProjectRow { p, creator_name })
                .collect())
        },
    )
}

/// A tab shows its count up to this and then "99+". Under a search each status is
/// counted no further than this (the index on (provider, status, id) is read at most
/// this far per status), so a provider with ten thousand projects pays what one with a
/// hundred does; the plain list reads the counts its triggers keep.
pub(crate) const TAB_COUNT_CAP: i64 = 99;

/// How many of the organisation's projects each status holds, under the same search as
/// the list: the tabs' counts (under a search, at most [`TAB_COUNT_CAP`] + 1).
pub(crate) fn status_counts(
    conn: &mut Conn,
    scope: &OrgScope,
    q: &str,
) -> AppResult<std::collections::HashMap<String, i64>> {
    let q = q.trim();
    if q.is_empty() {
        // The tabs of the plain list: the counts the projects' triggers keep.
        let kept: Vec<(String, i64)> = crate::native!(conn, |c| project_status_counts::table
            .filter(project_status_counts::provider_org_id.eq(scope.org_id()))
            .select((project_status_counts::status, project_status_counts::n))
            .load(c))?;
        return Ok(kept.into_iter().collect());
    }
    let mut counts = std::collections::HashMap::new();
    for status in ProjectStatus::ALL {
        let ids: Vec<i64> = crate::native!(conn, |c| {
            let pat = escape_like(q);
            projects::table
                .filter(projects::provider_org_id.eq(scope.org_id()))
                .filter(projects::status.eq(status.as_str()))
                .filter(
                    projects::customer_name
                        .like(pat.clone())
                        .escape('\\')
                        .or(projects::customer_corp_id.like(pat).escape('\\')),
                )
                .select(projects::id)
                .limit(TAB_COUNT_CAP + 1)
                .load(c)
        })?;
        counts.insert(status.as_str().to_string(), ids.len() as i64);
    }
    Ok(counts)
}

/// One project of the caller's organisation (any provider member may see the row).
pub(crate) fn find(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Project> {
    projects::table
        .find(id)
        .filter(projects::provider_org_id.eq(scope.org_id()))
        .select(Project::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A project whose details the caller may open: only its creator (seed 000 FAQ).
pub(crate) fn find_own(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Project> {
    let p = find(conn, scope, id)?;
    if p.creator_id != scope.user_id() {
        return Err(AppError::Forbidden(
            "distribution.project.details_creator_only",
        ));
    }
    Ok(p)
}

/// 撤销: only the creator, only while the review is pending.
pub(crate) fn withdraw(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let p = find_own(conn, scope, id)?;
        let n = diesel::update(
            projects::table
                .find(p.id)
                .filter(projects::status.eq(ProjectStatus::Pending.as_str())),
        )
        .set(projects::status.eq(ProjectStatus::Withdrawn.as_str()))
        .execute(conn)?;
        if n != 1 {
            return Err(AppError::Conflict(
                "distribution.project.withdraw_only_pending",
            ));
        }
        record(conn, p.id, Some(scope.user_id()), EventKind::Withdrawn, "")
    })
}

/// 结项: the creator closes an approved project; its links stop working.
pub(crate) fn close(conn: &mut Conn, scope: &OrgScope, id: i64, c: &Closing) -> AppResult<()> {
    write_tx(conn, |conn| {
        let p = find_own(conn, scope, id)?;
        let n = diesel::update(
            projects::table
                .find(p.id)
                .filter(projects::status.eq(ProjectStatus::Approved.as_str())),
        )
        .set((
            projects::status.eq(ProjectStatus::Closed.as_str()),
            projects::closed_at.eq(now()),
            projects::closing_delivery_date.eq(&c.delivery_date),
            projects::closing_summary.eq(&c.summary),
            projects::closing_acceptance.eq(&c.acceptance),
        ))
        .execute(conn)?;
        if n != 1 {
            return Err(AppError::Conflict("distribution.closing.only_approved"));
        }
        record(
            conn,
            p.id,
            Some(scope.user_id()),
            EventKind::Closed,
            &c.summary,
        )?;
        // The customer's purchasers learn that the project ended.
        let buyers: Vec<(i64, i64)> = orders::table
            .filter(orders::project_id.eq(p.id))
            .select((orders::customer_org_id, orders::purchaser_id))
            .distinct()
            .load(conn)?;
        for (org, user) in buyers {
            crate::notifications::notify(
                conn,
                org,
                user,
                "distribution.notify.closed",
                &p.name,
                "",
            )?;
        }
        crate::notifications::notify(
            conn,
            p.provider_org_id,
            p.creator_id,
            "distribution.notify.closed",
            &p.name,
            &format!("/provider/projects/{}", p.id),
        )
    })
}

/// The contract file, for the project's creator.
pub(crate) fn contract_for_creator(
    conn: &mut Conn,
    scope: &OrgScope,
    id: i64,
) -> AppResult<Attachment> {
    let p = find_own(conn, scope, id)?;
    contract_file(conn, &p)
}

pub(crate) fn contract_file(conn: &mut Conn, p: &Project) -> AppResult<Attachment> {
    attachments::table
        .find(p.contract_file_id)
        .filter(attachments::org_id.eq(p.provider_org_id))
        .select(Attachment::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// Approved, open projects of the organisation, for the "get distribution link" dialog.
pub(crate) fn approved_open(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<Project>> {
    Ok(projects::table
        .filter(projects::provider_org_id.eq(scope.org_id()))
        .filter(projects::status.eq(ProjectStatus::Approved.as_str()))
        .order(projects::id.desc())
        .limit(200)
        .select(Project::as_select())
        .load(conn)?)
}

/// One step of the deal timeline, with how long it came after the previous one.
#[derive(Clone, Debug)]
pub(crate) struct TimelineRow {
    pub kind: String,
    pub detail: String,
    pub actor: Option<String>,
    pub created_at: i64,
    pub waited: i64,
}

impl TimelineRow {
    pub(crate) fn label_key(&self) -> String {
        format!("distribution.event.{}", self.kind)
    }
}

/// The whole timeline of a project, oldest first (a project has few events).
pub(crate) fn timeline(conn: &mut Conn, p: &Project) -> AppResult<Vec<TimelineRow>> {
    let rows: Vec<(String, String, Option<String>, i64)> = project_events::table
        .left_join(users::table.on(project_events::actor_id.eq(users::id.nullable())))
        .filter(project_events::project_id.eq(p.id))
        .order(project_events::id.asc())
        .limit(1000)
        .select((
            project_events::kind,
            project_events::detail,
            users::name.nullable(),
            project_events::created_at,
        ))
        .load(conn)?;
    let mut prev = p.created_at;
    Ok(rows
        .into_iter()
        .map(|(kind, detail, actor, created_at)| {
            let waited = created_at - prev;
            prev = created_at;
            TimelineRow {
                kind,
                detail,
                actor,
                created_at,
                waited,
            }
        })
        .collect())
}

/// A project as the order centre names it when it filters by it.
#[derive(Clone, Debug, Queryable)]
pub(crate) struct ProjectOption {
    pub id: i64,
    pub name: String,
    pub customer_name: String,
}

/// The project the order centre filters by, if it is the organisation's. A provider may
/// have thousands of projects, so the order centre offers no list of them: each project
/// row links to its orders (项目管理 → 查看订单), and the filter names the one chosen.
pub(crate) fn option(
    conn: &mut Conn,
    scope: &OrgScope,
    id: i64,
) -> AppResult<Option<ProjectOption>> {
    Ok(crate::native!(conn, |c| projects::table
        .filter(projects::id.eq(id))
        .filter(projects::provider_org_id.eq(scope.org_id()))
        .select((projects::id, projects::name, projects::customer_name))
        .first(c)
        .optional())?)
}
