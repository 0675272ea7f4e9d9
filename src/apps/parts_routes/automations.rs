//! An app's automations (集成自动化): besides the common form, save and delete, a switch
//! on and off; on save the trigger, template and recipient are checked against the app and
//! the organisation.

use axum::extract::{Path, State};
use axum::response::Response;

use super::{Part, Shown};
use crate::apps::app::App;
use crate::apps::forms::{AutomationDraft, AutomationForm};
use crate::apps::pages::AutomationPage;
use crate::apps::parts::Automation;
use crate::apps::parts_store as ps;
use crate::apps::routes::to_app;
use crate::apps::store;
use crate::auth::{InOrg, OrgScope};
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors};

pub(super) fn router() -> Routes {
    super::routes::<Automations>().post(
        "/apps/{id}/automations/{aid}/toggle",
        Policy::InOrg,
        toggle,
    )
}

struct Automations;

impl Part for Automations {
    const NEW: &'static str = "/apps/{id}/automations/new";
    const ONE: &'static str = "/apps/{id}/automations/{aid}";
    const DELETE: &'static str = "/apps/{id}/automations/{aid}/delete";
    type Form = AutomationForm;
    type Draft = AutomationDraft;
    type Row = Automation;
    type Page = AutomationPage;

    fn blank() -> AutomationForm {
        AutomationForm {
            enabled: Some("on".into()),
            ..AutomationForm::default()
        }
    }
    fn form_of(a: &Automation) -> AutomationForm {
        let opt = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        AutomationForm {
            name: a.name.clone(),
            form_id: a.form_id.to_string(),
            template_id: opt(a.template_id),
            recipient_id: opt(a.recipient_id),
            enabled: a.enabled.then(|| "on".into()),
        }
    }
    fn parse(form: &AutomationForm) -> Result<AutomationDraft, Errors> {
        form.parse()
    }
    fn find(conn: &mut Conn, app: &App, id: i64) -> AppResult<Automation> {
        ps::find_automation(conn, app, id)
    }
    fn save(
        conn: &mut Conn,
        scope: &OrgScope,
        app: &App,
        id: Option<i64>,
        draft: AutomationDraft,
    ) -> AppResult<i64> {
        let input = ps::check_automation(conn, scope, app, draft)?;
        ps::save_automation(conn, app, id, &input)
    }
    fn delete(conn: &mut Conn, app: &App, id: i64) -> AppResult<()> {
        ps::delete_automation(conn, app, id)
    }
    fn page(conn: &mut Conn, scope: &OrgScope, s: Shown<Self>) -> AppResult<AutomationPage> {
        let forms = store::pages_of(conn, scope, s.app.id)?
            .into_iter()
            .filter(|p| p.kind().takes_submissions())
            .collect();
        Ok(AutomationPage {
            forms,
            templates: ps::templates_of(conn, &s.app)?,
            people: store::org_people(conn, scope)?,
            l: s.l,
            app: s.app,
            id: s.id,
            form: s.form,
            errors: s.errors,
        })
    }
}

async fn toggle(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, aid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let on = state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            ps::toggle_automation(conn, &app, aid)
        })
        .await?;
    Ok(to_app(
        id,
        if on {
            "apps.flash.automation_on"
        } else {
            "apps.flash.automation_off"
        },
    ))
}
