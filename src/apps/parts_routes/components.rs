//! An app's custom components (自定义组件); a saved one opens again with its sanitised
//! markup as a preview.

use axum::response::Response;

use super::{Part, Shown};
use crate::apps::app::App;
use crate::apps::forms::ComponentForm;
use crate::apps::pages::ComponentPage;
use crate::apps::parts::Component;
use crate::apps::parts_store::{self as ps, ComponentInput};
use crate::apps::routes::redirect_to;
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::Errors;

pub(super) struct Components;

impl Part for Components {
    const NEW: &'static str = "/apps/{id}/components/new";
    const ONE: &'static str = "/apps/{id}/components/{kid}";
    const DELETE: &'static str = "/apps/{id}/components/{kid}/delete";
    type Form = ComponentForm;
    type Draft = ComponentInput;
    type Row = Component;
    type Page = ComponentPage;

    fn form_of(c: &Component) -> ComponentForm {
        ComponentForm {
            name: c.name.clone(),
            description: c.description.clone(),
            markup: c.markup.clone(),
        }
    }
    fn parse(form: &ComponentForm) -> Result<ComponentInput, Errors> {
        form.parse()
    }
    fn find(conn: &mut Conn, app: &App, id: i64) -> AppResult<Component> {
        ps::find_component(conn, app, id)
    }
    fn save(
        conn: &mut Conn,
        _: &OrgScope,
        app: &App,
        id: Option<i64>,
        input: ComponentInput,
    ) -> AppResult<i64> {
        ps::save_component(conn, app, id, &input)
    }
    fn delete(conn: &mut Conn, app: &App, id: i64) -> AppResult<()> {
        ps::delete_component(conn, app, id)
    }
    fn page(_: &mut Conn, _: &OrgScope, s: Shown<Self>) -> AppResult<ComponentPage> {
        Ok(ComponentPage {
            l: s.l,
            app: s.app,
            id: s.id,
            form: s.form,
            errors: s.errors,
            preview: s.row.map(|c| c.markup).unwrap_or_default(),
        })
    }
    /// A saved component opens again, to see its preview.
    fn saved(app_id: i64, id: i64) -> Response {
        redirect_to(
            &format!("/apps/{app_id}/components/{id}"),
            "apps.flash.saved",
        )
    }
}
