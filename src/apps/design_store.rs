//! Queries behind the page designer: renaming and deleting pages, fields and their order,
//! approval steps, custom page bodies and report definitions. Each takes an app or page
//! already loaded through the caller's scope.

use diesel::prelude::*;

use super::app::{
    App, Field, Move, Page, PageKind, ReportSpec, Step, page_deletion_blocker, reorder,
};
use super::store::{
    add_step, fields_of, find_app_for_edit, is_org_member, org_people, page_of_app, pages_of,
    steps_of,
};
use crate::auth::OrgScope;
use crate::db::schema::{approval_steps, automations, fields, pages, submissions};
use crate::db::{Conn, write_tx};
use crate::error::{AppError, AppResult};

pub fn rename_page(conn: &mut Conn, page: &Page, name: &str) -> AppResult<()> {
    diesel::update(pages::table.find(page.id))
        .set(pages::name.eq(name))
        .execute(conn)?;
    Ok(())
}

/// Deletes a page with its fields and steps, unless submissions, a report or an
/// automation refer to it.
pub fn delete_page(conn: &mut Conn, page: &Page) -> AppResult<()> {
    write_tx(conn, |conn| {
        let subs: i64 = submissions::table
            .filter(submissions::page_id.eq(page.id))
            .count()
            .get_result(conn)?;
        let reports: i64 = pages::table
            .filter(pages::report_form_id.eq(page.id))
            .filter(pages::id.ne(page.id))
            .count()
            .get_result(conn)?;
        let autos: i64 = automations::table
            .filter(automations::form_id.eq(page.id))
            .count()
            .get_result(conn)?;
        if let Some(why) = page_deletion_blocker(subs, reports, autos) {
            return Err(AppError::Conflict(why));
        }
        diesel::delete(fields::table.filter(fields::page_id.eq(page.id))).execute(conn)?;
        diesel::delete(approval_steps::table.filter(approval_steps::page_id.eq(page.id)))
            .execute(conn)?;
        diesel::delete(pages::table.find(page.id)).execute(conn)?;
        Ok(())
    })
}

/// Stores a custom page's body, already sanitised by the caller's parse step.
pub fn save_body(conn: &mut Conn, page: &Page, clean_html: &str) -> AppResult<()> {
    diesel::update(pages::table.find(page.id))
        .set(pages::body.eq(clean_html))
        .execute(conn)?;
    Ok(())
}

pub fn save_report(conn: &mut Conn, page: &Page, spec: &ReportSpec) -> AppResult<()> {
    diesel::update(pages::table.find(page.id))
        .set((
            pages::report_form_id.eq(Some(spec.form_id)),
            pages::report_group_field_id.eq(spec.group_field_id),
            pages::report_value_field_id.eq(spec.value_field_id),
            pages::report_agg.eq(spec.agg.as_str()),
        ))
        .execute(conn)?;
    Ok(())
}

/// The pages of an app that take submissions, each with its fields.
pub fn forms_with_fields(
    conn: &mut Conn,
    scope: &OrgScope,
    app: &App,
) -> AppResult<Vec<(Page, Vec<Field>)>> {
    let mut out = Vec::new();
    for p in pages_of(conn, scope, app.id)? {
        if p.kind().takes_submissions() {
            let f = fields_of(conn, &p)?;
            out.push((p, f));
        }
    }
    Ok(out)
}

/// A field of this page.
pub fn field_of_page(conn: &mut Conn, page: &Page, field_id: i64) -> AppResult<Field> {
    fields::table
        .find(field_id)
        .filter(fields::page_id.eq(page.id))
        .select(Field::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// True when `field_id` is a field of some page of this app.
pub fn field_in_app(conn: &mut Conn, app: &App, field_id: i64) -> AppResult<bool> {
    let n: i64 = fields::table
        .inner_join(pages::table)
        .filter(fields::id.eq(field_id))
        .filter(pages::app_id.eq(app.id))
        .filter(pages::org_id.eq(app.org_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

/// Removes a field, unless a report groups or sums by it.
pub fn remove_field(conn: &mut Conn, page: &Page, field_id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        let field = field_of_page(conn, page, field_id)?;
        let used: i64 = pages::table
            .filter(
                pages::report_group_field_id
                    .eq(field.id)
                    .or(pages::report_value_field_id.eq(field.id)),
            )
            .count()
            .get_result(conn)?;
        if used > 0 {
            return Err(AppError::Conflict("apps.error.field_used_by_report"));
        }
        diesel::delete(fields::table.find(field.id)).execute(conn)?;
        Ok(())
    })
}

pub fn move_field(conn: &mut Conn, page: &Page, field_id: i64, mv: Move) -> AppResult<()> {
    write_tx(conn, |conn| {
        let ids: Vec<i64> = fields_of(conn, page)?.iter().map(|f| f.id).collect();
        let order = reorder(&ids, field_id, mv).ok_or(AppError::NotFound)?;
        for (pos, id) in order.into_iter().enumerate() {
            diesel::update(fields::table.find(id))
                .set(fields::position.eq(i32::try_from(pos).unwrap_or(i32::MAX)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Adds an approval step whose approver must be a member of the organisation.
pub fn add_step_checked(
    conn: &mut Conn,
    scope: &OrgScope,
    page: &Page,
    name: &str,
    approver_id: i64,
) -> AppResult<i64> {
    if page.kind() != PageKind::Process {
        return Err(AppError::NotFound);
    }
    if !is_org_member(conn, scope, approver_id)? {
        return Err(AppError::NotFound);
    }
    add_step(conn, page, name, approver_id)
}

pub fn remove_step(conn: &mut Conn, page: &Page, step_id: i64) -> AppResult<()> {
    let n = diesel::delete(
        approval_steps::table
            .find(step_id)
            .filter(approval_steps::page_id.eq(page.id)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

pub fn move_step(conn: &mut Conn, page: &Page, step_id: i64, mv: Move) -> AppResult<()> {
    write_tx(conn, |conn| {
        let ids: Vec<i64> = steps_of(conn, page)?.iter().map(|s| s.id).collect();
        let order = reorder(&ids, step_id, mv).ok_or(AppError::NotFound)?;
        for (pos, id) in order.into_iter().enumerate() {
            diesel::update(approval_steps::table.find(id))
                .set(approval_steps::position.eq(i32::try_from(pos).unwrap_or(i32::MAX)))
                .execute(conn)?;
        }
        Ok(())
    })
}

/// Everything the page designer shows.
pub struct Design {
    pub app: App,
    pub page: Page,
    pub fields: Vec<Field>,
    pub steps: Vec<Step>,
    pub people: Vec<(i64, String, String)>,
    /// For reports: the app's forms with their fields.
    pub sources: Vec<(Page, Vec<Field>)>,
}

pub fn design(conn: &mut Conn, scope: &OrgScope, app_id: i64, page_id: i64) -> AppResult<Design> {
    let app = find_app_for_edit(conn, scope, app_id)?;
    let page = page_of_app(conn, &app, page_id)?;
    let sources = if page.kind() == PageKind::Report {
        forms_with_fields(conn, scope, &app)?
    } else {
        vec![]
    };
    Ok(Design {
        fields: fields_of(conn, &page)?,
        steps: steps_of(conn, &page)?,
        people: org_people(conn, scope)?,
        sources,
        app,
        page,
    })
}

/// An app the caller may edit and one of its pages.
pub fn editable_page(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
    page_id: i64,
) -> AppResult<(App, Page)> {
    let app = find_app_for_edit(conn, scope, app_id)?;
    let page = page_of_app(conn, &app, page_id)?;
    Ok((app, page))
}

/// A report as chosen in the designer, ids not yet checked.
pub struct ReportChoice {
    pub form_id: i64,
    pub group: Option<i64>,
    pub agg: String,
    pub value: Option<i64>,
}

/// Checks and stores a report definition. The source form and fields must be pages and
/// fields of this app (else "not found"); whether they fit is the rule's answer.
pub fn set_report(
    conn: &mut Conn,
    scope: &OrgScope,
    app_id: i64,
    page_id: i64,
    choice: &ReportChoice,
) -> AppResult<Result<(), Vec<(&'static str, &'static str)>>> {
    let ReportChoice {
        form_id,
        group,
        ref agg,
        value,
    } = *choice;
    let (app, page) = editable_page(conn, scope, app_id, page_id)?;
    if page.kind() != PageKind::Report {
        return Err(AppError::NotFound);
    }
    let form = page_of_app(conn, &app, form_id)?;
    for f in [group, value].into_iter().flatten() {
        if !field_in_app(conn, &app, f)? {
            return Err(AppError::NotFound);
        }
    }
    let form_fields = fields_of(conn, &form)?;
    match super::app::check_report(&form, &form_fields, group, agg, value) {
        Ok(spec) => {
            save_report(conn, &page, &spec)?;
            Ok(Ok(()))
        }
        Err(e) => Ok(Err(e)),
    }
}
