//! An app's connectors (连接器).

use super::{Part, Shown};
use crate::apps::app::App;
use crate::apps::forms::ConnectorForm;
use crate::apps::pages::ConnectorPage;
use crate::apps::parts::Connector;
use crate::apps::parts_store::{self as ps, ConnectorInput};
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::error::AppResult;
use crate::web::Errors;

pub(super) struct Connectors;

impl Part for Connectors {
    const NEW: &'static str = "/apps/{id}/connectors/new";
    const ONE: &'static str = "/apps/{id}/connectors/{cid}";
    const DELETE: &'static str = "/apps/{id}/connectors/{cid}/delete";
    type Form = ConnectorForm;
    type Draft = ConnectorInput;
    type Row = Connector;
    type Page = ConnectorPage;

    fn blank() -> ConnectorForm {
        ConnectorForm {
            auth_kind: "none".into(),
            ..ConnectorForm::default()
        }
    }
    fn form_of(c: &Connector) -> ConnectorForm {
        ConnectorForm {
            name: c.name.clone(),
            endpoint_url: c.endpoint_url.clone(),
            auth_kind: c.auth_kind.clone(),
        }
    }
    fn parse(form: &ConnectorForm) -> Result<ConnectorInput, Errors> {
        form.parse()
    }
    fn find(conn: &mut Conn, app: &App, id: i64) -> AppResult<Connector> {
        ps::find_connector(conn, app, id)
    }
    fn save(
        conn: &mut Conn,
        _: &OrgScope,
        app: &App,
        id: Option<i64>,
        input: ConnectorInput,
    ) -> AppResult<i64> {
        ps::save_connector(conn, app, id, &input)
    }
    fn delete(conn: &mut Conn, app: &App, id: i64) -> AppResult<()> {
        ps::delete_connector(conn, app, id)
    }
    fn page(_: &mut Conn, _: &OrgScope, s: Shown<Self>) -> AppResult<ConnectorPage> {
        Ok(ConnectorPage {
            l: s.l,
            app: s.app,
            id: s.id,
            form: s.form,
            errors: s.errors,
        })
    }
}
