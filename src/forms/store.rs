//! Queries over submissions, approval tasks and attachments. Every function takes the
//! caller's [`OrgScope`]; another organisation's ids, or a submission the caller may not
//! see, are "not found".

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;

use super::approval::{self, Task};
use super::submission::{Attachment, Status, Submission, Valid, parse_data};
use crate::apps::{App, Field, Page, PageKind, Step};
use crate::apps::{fields_of, is_app_admin, org_people, steps_of};
use crate::auth::OrgScope;
use crate::db::schema::{
    approval_tasks, apps, attachments, automations, fields, memberships, notification_templates,
    pages, submissions,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::interconnect::{DataReach, data_reach, initiator_people, usable_app, usable_page};
use crate::notifications::notify;
use crate::storage::Storage;

mod detail;
pub(crate) use detail::{Detail, detail};

pub(crate) use super::lookups::{display_text, files_of, names_of, referenced};
pub(crate) use super::mine::{SubmissionRow, my_submissions};

/// A form ready to be filled in: its app, page, fields, steps and the people to pick from.
pub(crate) struct FormDef {
    pub app: App,
    pub page: Page,
    pub fields: Vec<Field>,
    pub steps: Vec<Step>,
    pub people: Vec<(i64, String, String)>,
}

impl FormDef {
    pub(crate) fn member_ids(&self) -> HashSet<i64> {
        self.people.iter().map(|p| p.0).collect()
    }
    /// A process form with no steps cannot take submissions: nobody could approve them.
    pub(crate) fn accepts_submissions(&self) -> bool {
        self.page.kind() != PageKind::Process || !self.steps.is_empty()
    }
}

/// A form or process page of an app the caller may use: their organisation's, or one
/// published to it (member pickers offer the caller's own organisation's people).
pub(crate) fn load_form(conn: &mut Conn, scope: &OrgScope, page_id: i64) -> AppResult<FormDef> {
    let (app, page) = form_page(conn, scope, page_id)?;
    Ok(FormDef {
        fields: fields_of(conn, &page)?,
        steps: steps_of(conn, &page)?,
        people: org_people(conn, scope)?,
        app,
        page,
    })
}

/// A form (or flow) page the caller may use, with its app, without the form's fields:
/// what the data management pages start from.
pub(crate) fn form_page(conn: &mut Conn, scope: &OrgScope, page_id: i64) -> AppResult<(App, Page)> {
    let (app, page) = usable_page(conn, scope, page_id)?;
    if !page.kind().takes_submissions() {
        return Err(AppError::NotFound);
    }
    Ok((app, page))
}

/// An app's home: the app, its pages and whether the caller administers it (never for
/// an app published from another organisation).
pub(crate) fn app_home(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
) -> AppResult<(App, Vec<Page>, bool)> {
    let app = usable_app(conn, scope, app_id)?;
    let pages = pages::table
        .filter(pages::app_id.eq(app.id))
        .filter(pages::org_id.eq(app.org_id))
        .order((pages::position.asc(), pages::id.asc()))
        .select(Page::as_select())
        .load(conn)?;
    let admin = app.org_id == scope.org_id()
        && (scope.can_build_apps() || is_app_admin(conn, scope, app.id)?);
    Ok((app, pages, admin))
}

/// The submission this user already filed with a form's one-time key.
pub(crate) fn submission_by_idem(
    conn: &mut Conn,
    scope: &OrgScope,
    key: &str,
) -> AppResult<Option<i64>> {
    Ok(submissions::table
        .filter(submissions::submitter_id.eq(scope.user_id()))
        .filter(submissions::idem.eq(key))
        .select(submissions::id)
        .first(conn)
        .optional()?)
}

/// Marks a new submission with the form's one-time key (unique per submitter).
pub(crate) fn set_idem(conn: &mut Conn, id: i64, key: &str) -> AppResult<()> {
    diesel::update(submissions::table.find(id))
        .set(submissions::idem.eq(Some(key)))
        .execute(conn)?;
    Ok(())
}

/// Stores a valid submission. The files are written first (a stored file without a row is
/// harmless; a row without its file is not); then the attachments, the submission, its
/// first approval task, the notifications and the automations go in one transaction.
/// The submission belongs to the app's organisation and records the organisation the
/// submitter acts in (a downstream organisation for a published app).
pub(crate) fn submit(
    conn: &mut Conn,
    scope: &OrgScope,
    storage: &dyn Storage,
    def: &FormDef,
    valid: Valid,
) -> AppResult<i64> {
    if !def.accepts_submissions() {
        return Err(AppError::Conflict("forms.error.no_steps"));
    }
    let mut stored = Vec::with_capacity(valid.files.len());
    for f in valid.files {
        let key = format!("{}.{}", uuid::Uuid::new_v4().simple(), f.kind.extension());
        storage.put(&key, &f.bytes)?;
        stored.push((f, key));
    }
    let first = def.steps.first();
    write_tx(conn, |conn| {
        let mut values = valid.values;
        let mut file_names: HashMap<i64, String> = HashMap::new();
        for (f, key) in &stored {
            let id: i64 = diesel::insert_into(attachments::table)
                .values((
                    attachments::org_id.eq(def.app.org_id),
                    attachments::uploader_id.eq(scope.user_id()),
                    attachments::storage_key.eq(key),
                    attachments::filename.eq(&f.filename),
                    attachments::content_type.eq(f.kind.mime()),
                    attachments::size_bytes.eq(i64::try_from(f.bytes.len()).unwrap_or(i64::MAX)),
                    attachments::created_at.eq(now()),
                ))
                .returning(attachments::id)
                .get_result(conn)?;
            values.insert(f.field_id.to_string(), id.to_string());
            file_names.insert(id, f.filename.clone());
        }
        let data = serde_json::to_string(&values).map_err(AppError::internal)?;
        let status = if first.is_some() {
            Status::InApproval
        } else {
            Status::Submitted
        };
        let ts = now();
        let sid: i64 = diesel::insert_into(submissions::table)
            .values((
                submissions::org_id.eq(def.app.org_id),
                submissions::app_id.eq(def.app.id),
                submissions::page_id.eq(def.page.id),
                submissions::submitter_id.eq(scope.user_id()),
                submissions::submitter_org_id.eq(Some(scope.org_id())),
                submissions::data.eq(&data),
                submissions::status.eq(status.as_str()),
                submissions::current_step.eq(first.map_or(0, |s| s.position)),
                submissions::sample.eq(false),
                submissions::created_at.eq(ts),
                submissions::updated_at.eq(ts),
            ))
            .returning(submissions::id)
            .get_result(conn)?;
        let link = format!("/submissions/{sid}");
        let about = format!("{} · {}", def.app.name, def.page.name);
        if let Some(step) = first {
            // Never to the submitter: a stand-in takes a step they are the approver of.
            super::self_approval::check_flow(conn, &def.app, &def.steps, scope.user_id())?;
            let (to, kind) =
                super::self_approval::step_assignee(conn, &def.app, step, scope.user_id())?
                    .ok_or(AppError::Conflict(super::self_approval::NO_STAND_IN))?;
            new_task(conn, def.app.org_id, sid, step.position, to, kind)?;
            notify(
                conn,
                def.app.org_id,
                to,
                "approval.notify.task",
                &about,
                &link,
            )?;
        }
        let names: HashMap<i64, String> = def.people.iter().map(|p| (p.0, p.1.clone())).collect();
        let shown: Vec<(String, String)> = def
            .fields
            .iter()
            .map(|f| {
                let raw = values.get(&f.id.to_string()).cloned().unwrap_or_default();
                (f.label.clone(), display_text(f, &raw, &names, &file_names))
            })
            .collect();
        run_automations(conn, scope, def, &shown, &link)?;
        Ok(sid)
    })
}

pub(super) fn new_task(
    conn: &mut Conn,
    org_id: i64,
    sid: i64,
    position: i32,
    assignee: i64,
    kind: &str,
) -> AppResult<()> {
    diesel::insert_into(approval_tasks::table)
        .values((
            approval_tasks::org_id.eq(org_id),
            approval_tasks::submission_id.eq(sid),
            approval_tasks::step_position.eq(position),
            approval_tasks::assignee_id.eq(assignee),
            approval_tasks::kind.eq(kind),
            approval_tasks::status.eq(approval::PENDING),
            approval_tasks::comment.eq(""),
            approval_tasks::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// An automation's name, recipient and template title and body.
type AutomationRule = (String, Option<i64>, Option<String>, Option<String>);

/// 集成自动化 on submit: each enabled "notify" automation of this form sends its template,
/// with `{字段名}` placeholders filled, to its recipient or else to the submitter. The
/// rules are the app's organisation's, also for a downstream submission.
fn run_automations(
    conn: &mut Conn,
    scope: &OrgScope,
    def: &FormDef,
    shown: &[(String, String)],
    link: &str,
) -> AppResult<()> {
    let rules: Vec<AutomationRule> = automations::table
        .left_join(notification_templates::table)
        .filter(automations::form_id.eq(def.page.id))
        .filter(automations::org_id.eq(def.app.org_id))
        .filter(automations::enabled.eq(true))
        .filter(automations::action.eq("notify"))
        .order(automations::id.asc())
        .select((
            automations::name,
            automations::recipient_id,
            notification_templates::title.nullable(),
            notification_templates::body.nullable(),
        ))
        .load(conn)?;
    for (name, recipient, title, body) in rules {
        let to = recipient.unwrap_or(scope.user_id());
        // The submitter hears in the organisation they acted in; a configured recipient
        // must belong to the app's organisation and hears there.
        let org = if to == scope.user_id() {
            scope.org_id()
        } else {
            let n: i64 = memberships::table
                .filter(memberships::org_id.eq(def.app.org_id))
                .filter(memberships::user_id.eq(to))
                .count()
                .get_result(conn)?;
            if n == 0 {
                continue;
            }
            def.app.org_id
        };
        let title = super::submission::fill_placeholders(&title.unwrap_or(name), shown);
        let body = super::submission::fill_placeholders(&body.unwrap_or_default(), shown);
        notify(conn, org, to, &title, &body, link)?;
    }
    Ok(())
}

/// Who may see a submission. In the app's organisation: its submitter, anyone who has
/// or had a task on it, app builders of the organisation and the app's admins. From a
/// downstream organisation, only while the app is usable there: the submitter and
/// assignees who act in the organisation the approval started in, and that
/// organisation's admins within their data reach. With `history`, a submitter keeps
/// reading (never acting on) what they submitted from the organisation they are in,
/// even after the app stopped being usable there (their organisation left the space).
fn may_see(conn: &mut Conn, scope: &OrgScope, s: &Submission, history: bool) -> AppResult<bool> {
    if s.org_id != scope.org_id() {
        if history && s.initiator_org() == scope.org_id() && s.submitter_id == scope.user_id() {
            return Ok(true);
        }
        let app = match usable_app(conn, scope, s.app_id) {
            Ok(a) => a,
            Err(AppError::NotFound) => return Ok(false),
            Err(e) => return Err(e),
        };
        if s.initiator_org() == scope.org_id() {
            if s.submitter_id == scope.user_id() {
                return Ok(true);
            }
            let tasks: i64 = approval_tasks::table
                .filter(approval_tasks::submission_id.eq(s.id))
                .filter(approval_tasks::assignee_id.eq(scope.user_id()))
                .filter(approval_tasks::org_id.eq(scope.org_id()))
                .count()
                .get_result(conn)?;
            if tasks > 0 {
                return Ok(true);
            }
        }
        return Ok(match data_reach(conn, scope, &app)? {
            DataReach::Orgs(orgs) => orgs.contains(&s.initiator_org()),
            DataReach::Mine { .. } | DataReach::AllOrgs => false,
        });
    }
    if s.submitter_id == scope.user_id() || scope.can_build_apps() {
        return Ok(true);
    }
    let tasks: i64 = approval_tasks::table
        .filter(approval_tasks::submission_id.eq(s.id))
        .filter(approval_tasks::assignee_id.eq(scope.user_id()))
        .count()
        .get_result(conn)?;
    Ok(tasks > 0 || is_app_admin(conn, scope, s.app_id)?)
}

/// A submission the caller may see.
pub(crate) fn find_submission(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Submission> {
    let s: Submission = submissions::table
        .find(id)
        .select(Submission::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if may_see(conn, scope, &s, true)? {
        Ok(s)
    } else {
        Err(AppError::NotFound)
    }
}

/// A submission an assignee may act on: any of the organisation's own (the task check
/// follows), or one from a published app that the caller may see.
pub(crate) fn find_for_action(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Submission> {
    let s: Submission = submissions::table
        .find(id)
        .select(Submission::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if s.org_id == scope.org_id() || may_see(conn, scope, &s, false)? {
        Ok(s)
    } else {
        Err(AppError::NotFound)
    }
}

/// An attachment the caller may download: they uploaded it in their organisation, or
/// they may see a submission whose file fields reference it (for a published app, a
/// submission of the upstream organisation they may still see).
pub(crate) fn find_file(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Attachment> {
    let a: Attachment = attachments::table
        .find(id)
        .select(Attachment::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if a.org_id == scope.org_id() && a.uploader_id == scope.user_id() {
        return Ok(a);
    }
    // Values are stored as JSON strings, so the id appears quoted; candidates are then
    // checked field by field so that a text value "12" does not open file 12.
    let candidates: Vec<Submission> = submissions::table
        .filter(submissions::org_id.eq(a.org_id))
        .filter(submissions::data.like(format!("%\"{id}\"%")))
        .order(submissions::id.asc())
        .limit(200)
        .select(Submission::as_select())
        .load(conn)?;
    let mut file_fields: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for s in candidates {
        if let std::collections::btree_map::Entry::Vacant(e) = file_fields.entry(s.page_id) {
            let ids: Vec<i64> = fields::table
                .filter(fields::page_id.eq(s.page_id))
                .filter(fields::kind.eq_any(["attachment", "image"]))
                .select(fields::id)
                .load(conn)?;
            e.insert(ids);
        }
        let values = parse_data(&s.data);
        let refers = file_fields.get(&s.page_id).is_some_and(|fs| {
            fs.iter()
                .any(|f| values.get(&f.to_string()) == Some(&id.to_string()))
        });
        if refers && may_see(conn, scope, &s, true)? {
            return Ok(a);
        }
    }
    Err(AppError::NotFound)
}
