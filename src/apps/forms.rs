//! The app builder's forms as they arrive (every field a string, so a missing or odd value
//! never turns into a bare 400) and their parsing into checked values. A failed parse
//! returns the per-field messages; the page is shown again with what was typed.

use serde::Deserialize;

use super::app::{
    FieldKind, Move, PageKind, parse_choices, parse_description, parse_name, sanitize_html,
};
use super::parts::{AuthKind, parse_endpoint, parse_text};
use super::parts_store::{ComponentInput, ConnectorInput, TemplateInput};
use crate::error::{AppError, AppResult};
use crate::web::Errors;

/// Names of apps, pages, fields, steps and app parts: 1 to 30 characters.
pub(crate) const NAME_MAX: usize = 30;

/// An id from a form; an empty value means "none chosen".
pub(crate) fn parse_id(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

fn checkbox(v: &Option<String>) -> bool {
    v.as_deref()
        .is_some_and(|v| !v.is_empty() && v != "0" && v != "false")
}

fn take<T>(errors: &mut Errors, field: &str, r: Result<T, &'static str>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(k) => {
            errors.add(field, k);
            None
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct PageForm {
    pub kind: String,
    pub name: String,
}

impl PageForm {
    pub(crate) fn parse(&self) -> Result<(PageKind, String), Errors> {
        let mut e = Errors::default();
        let kind = take(
            &mut e,
            "page_kind",
            PageKind::parse(&self.kind).ok_or("apps.error.page_kind"),
        );
        let name = take(&mut e, "page_name", parse_name(&self.name, NAME_MAX));
        match (kind, name) {
            (Some(k), Some(n)) => Ok((k, n)),
            _ => Err(e),
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct NameForm {
    pub name: String,
}

impl NameForm {
    pub(crate) fn parse(&self, field: &str) -> Result<String, Errors> {
        let mut e = Errors::default();
        take(&mut e, field, parse_name(&self.name, NAME_MAX)).ok_or(e)
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct FieldForm {
    pub label: String,
    pub kind: String,
    pub required: Option<String>,
    pub options: String,
}

pub(crate) struct FieldInput {
    pub label: String,
    pub kind: FieldKind,
    pub required: bool,
    pub options: String,
}

impl FieldForm {
    pub(crate) fn is_required(&self) -> bool {
        checkbox(&self.required)
    }

    pub(crate) fn parse(&self) -> Result<FieldInput, Errors> {
        let mut e = Errors::default();
        let label = take(&mut e, "label", parse_name(&self.label, NAME_MAX));
        let kind = take(
            &mut e,
            "kind",
            FieldKind::parse(&self.kind).ok_or("apps.error.field_kind"),
        );
        let options = match kind {
            Some(FieldKind::Select) => take(&mut e, "options", parse_choices(&self.options)),
            _ => Some(String::new()),
        };
        match (label, kind, options) {
            (Some(label), Some(kind), Some(options)) => Ok(FieldInput {
                label,
                kind,
                required: self.is_required(),
                options,
            }),
            _ => Err(e),
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct StepForm {
    pub name: String,
    pub approver_id: String,
}

impl StepForm {
    pub(crate) fn parse(&self) -> Result<(String, i64), Errors> {
        let mut e = Errors::default();
        let name = take(&mut e, "step_name", parse_name(&self.name, NAME_MAX));
        let approver = take(
            &mut e,
            "approver_id",
            parse_id(&self.approver_id).ok_or("apps.error.approver_required"),
        );
        match (name, approver) {
            (Some(n), Some(a)) => Ok((n, a)),
            _ => Err(e),
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct BodyForm {
    pub body: String,
}

impl BodyForm {
    /// The body as it will be stored and shown: sanitised.
    pub(crate) fn clean(&self) -> String {
        sanitize_html(&self.body)
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct ReportForm {
    pub form_id: String,
    pub group_field_id: String,
    pub agg: String,
    pub value_field_id: String,
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct UserForm {
    pub user_id: String,
}

impl UserForm {
    pub(crate) fn id(&self) -> AppResult<i64> {
        parse_id(&self.user_id).ok_or(AppError::NotFound)
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct MoveForm {
    pub dir: String,
}

impl MoveForm {
    pub(crate) fn parse(&self) -> AppResult<Move> {
        Move::parse(&self.dir).ok_or(AppError::BadRequest("error.bad_request"))
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct PremiumForm {
    pub premium: Option<String>,
}

impl PremiumForm {
    pub(crate) fn premium(&self) -> bool {
        checkbox(&self.premium)
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct ConnectorForm {
    pub name: String,
    pub endpoint_url: String,
    pub auth_kind: String,
}

impl ConnectorForm {
    pub(crate) fn parse(&self) -> Result<ConnectorInput, Errors> {
        let mut e = Errors::default();
        let name = take(&mut e, "name", parse_name(&self.name, NAME_MAX));
        let url = take(&mut e, "endpoint_url", parse_endpoint(&self.endpoint_url));
        let auth = take(
            &mut e,
            "auth_kind",
            AuthKind::parse(&self.auth_kind).ok_or("apps.error.auth_kind"),
        );
        match (name, url, auth) {
            (Some(name), Some(endpoint_url), Some(auth)) => Ok(ConnectorInput {
                name,
                endpoint_url,
                auth_kind: auth.as_str(),
            }),
            _ => Err(e),
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct TemplateForm {
    pub name: String,
    pub title: String,
    pub body: String,
}

impl TemplateForm {
    pub(crate) fn parse(&self) -> Result<TemplateInput, Errors> {
        let mut e = Errors::default();
        let name = take(&mut e, "name", parse_name(&self.name, NAME_MAX));
        let title = take(&mut e, "title", parse_text(&self.title, 100));
        let body = take(&mut e, "body", parse_text(&self.body, 2000));
        match (name, title, body) {
            (Some(name), Some(title), Some(body)) => Ok(TemplateInput { name, title, body }),
            _ => Err(e),
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct AutomationForm {
    pub name: String,
    pub form_id: String,
    pub template_id: String,
    /// Empty: notify the submitter.
    pub recipient_id: String,
    pub enabled: Option<String>,
}

/// An automation as typed, before its ids are checked against the app.
pub(crate) struct AutomationDraft {
    pub name: String,
    pub form_id: i64,
    pub template_id: i64,
    pub recipient_id: Option<i64>,
    pub enabled: bool,
}

impl AutomationForm {
    pub(crate) fn is_enabled(&self) -> bool {
        checkbox(&self.enabled)
    }

    pub(crate) fn parse(&self) -> Result<AutomationDraft, Errors> {
        let mut e = Errors::default();
        let name = take(&mut e, "name", parse_name(&self.name, NAME_MAX));
        let form = take(
            &mut e,
            "form_id",
            parse_id(&self.form_id).ok_or("apps.error.form_required"),
        );
        let template = take(
            &mut e,
            "template_id",
            parse_id(&self.template_id).ok_or("apps.error.template_required"),
        );
        let recipient = if self.recipient_id.trim().is_empty() {
            Some(None)
        } else {
            take(
                &mut e,
                "recipient_id",
                parse_id(&self.recipient_id)
                    .map(Some)
                    .ok_or("apps.error.recipient"),
            )
        };
        match (name, form, template, recipient) {
            (Some(name), Some(form_id), Some(template_id), Some(recipient_id)) => {
                Ok(AutomationDraft {
                    name,
                    form_id,
                    template_id,
                    recipient_id,
                    enabled: self.is_enabled(),
                })
            }
            _ => Err(e),
        }
    }
}

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub(crate) struct ComponentForm {
    pub name: String,
    pub description: String,
    pub markup: String,
}

impl ComponentForm {
    pub(crate) fn parse(&self) -> Result<ComponentInput, Errors> {
        let mut e = Errors::default();
        let name = take(&mut e, "name", parse_name(&self.name, NAME_MAX));
        let description = take(&mut e, "description", parse_description(&self.description));
        match (name, description) {
            (Some(name), Some(description)) => Ok(ComponentInput {
                name,
                description,
                markup: sanitize_html(&self.markup),
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_select_fields_need_choices() {
        let mut f = FieldForm {
            label: "金额".into(),
            kind: "number".into(),
            required: Some("on".into()),
            options: String::new(),
        };
        let ok = f.parse().expect("valid");
        assert!(ok.required);
        f.kind = "select".into();
        f.options = "只有一个".into();
        assert_eq!(
            f.parse().err().and_then(|e| e.get("options")),
            Some("apps.error.two_choices")
        );
    }

    #[test]
    fn an_automation_notifies_the_submitter_unless_someone_is_chosen() {
        let f = AutomationForm {
            name: "提醒".into(),
            form_id: "3".into(),
            template_id: "4".into(),
            recipient_id: String::new(),
            enabled: Some("on".into()),
        };
        let d = f.parse().expect("valid");
        assert_eq!(
            (d.form_id, d.template_id, d.recipient_id, d.enabled),
            (3, 4, None, true)
        );
        let no_template = AutomationForm {
            template_id: String::new(),
            ..f
        };
        assert_eq!(
            no_template.parse().err().and_then(|e| e.get("template_id")),
            Some("apps.error.template_required")
        );
    }
}
