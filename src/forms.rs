//! Using apps (表单与流程): members fill in form pages and process forms, approvers act on
//! their tasks, app admins manage the data, and reports and custom pages are read.
#![warn(unreachable_pub)]
pub(crate) mod app_icon;
pub(crate) mod approval;
pub(crate) mod approval_store;
pub(crate) mod data;
pub(crate) mod lookups;
pub(crate) mod member;
pub(crate) mod mine;
pub(crate) mod pages;
pub(crate) mod report;
pub(crate) mod routes;
pub(crate) mod self_approval;
pub(crate) mod store;
pub(crate) mod submission;

// The face: what other domains may use of this one.
pub use submission::{Attachment, Submission, parse_data};

/// Files a submission of text values (field id → value, as a form posts them) in
/// `page_id` as the scope's person: the same checks and effects as the form page (field
/// rules, approvals, notifications, automations). The field errors (field name → i18n
/// key) when a value is refused. For another domain acting on a member's behalf.
pub fn submit_values(
    conn: &mut crate::db::Conn,
    scope: &crate::auth::OrgScope,
    storage: &dyn crate::storage::Storage,
    page_id: i64,
    values: std::collections::HashMap<String, String>,
) -> crate::error::AppResult<Result<i64, Vec<(String, &'static str)>>> {
    let def = store::load_form(conn, scope, page_id)?;
    if !def.accepts_submissions() {
        return Err(crate::error::AppError::Conflict("forms.error.no_steps"));
    }
    let raw = submission::RawForm {
        texts: values,
        files: Default::default(),
    };
    match submission::validate(&def.fields, &raw, &def.member_ids(), 0) {
        Ok(valid) => store::submit(conn, scope, storage, &def, valid).map(Ok),
        Err(errors) => Ok(Err(errors.pairs())),
    }
}
