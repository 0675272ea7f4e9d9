//! An app's connectors (连接器): the form page for a new or existing one, save, delete.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::apps::app::App;
use crate::apps::forms::ConnectorForm;
use crate::apps::pages::ConnectorPage;
use crate::apps::parts_store as ps;
use crate::apps::routes::{to_app, unprocessable};
use crate::apps::store;
use crate::auth::InOrg;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout};

pub fn router() -> Routes {
    Routes::new()
        .get("/apps/{id}/connectors/new", Policy::InOrg, connector_new)
        .post("/apps/{id}/connectors/new", Policy::InOrg, connector_create)
        .get("/apps/{id}/connectors/{cid}", Policy::InOrg, connector_edit)
        .post(
            "/apps/{id}/connectors/{cid}",
            Policy::InOrg,
            connector_update,
        )
        .post(
            "/apps/{id}/connectors/{cid}/delete",
            Policy::InOrg,
            connector_delete,
        )
}

fn connector_page(
    l: Layout,
    app: App,
    id: Option<i64>,
    form: ConnectorForm,
    errors: Errors,
) -> ConnectorPage {
    ConnectorPage {
        l,
        app,
        id,
        form,
        errors,
    }
}

async fn connector_new(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<ConnectorPage> {
    let app = state
        .db
        .run(move |conn| store::find_app_for_edit(conn, &scope, id))
        .await?;
    let form = ConnectorForm {
        auth_kind: "none".into(),
        ..ConnectorForm::default()
    };
    Ok(connector_page(
        Layout::new(&ctx),
        app,
        None,
        form,
        Errors::default(),
    ))
}

async fn connector_edit(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, cid)): Path<(i64, i64)>,
) -> AppResult<ConnectorPage> {
    let (app, c) = state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let c = ps::find_connector(conn, &app, cid)?;
            Ok((app, c))
        })
        .await?;
    let form = ConnectorForm {
        name: c.name,
        endpoint_url: c.endpoint_url,
        auth_kind: c.auth_kind,
    };
    Ok(connector_page(
        Layout::new(&ctx),
        app,
        Some(cid),
        form,
        Errors::default(),
    ))
}

async fn connector_create(
    state: State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    form: Form<ConnectorForm>,
) -> AppResult<Response> {
    connector_save(state, g, id, None, form).await
}

async fn connector_update(
    state: State<AppState>,
    g: InOrg,
    Path((id, cid)): Path<(i64, i64)>,
    form: Form<ConnectorForm>,
) -> AppResult<Response> {
    connector_save(state, g, id, Some(cid), form).await
}

async fn connector_save(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    id: i64,
    cid: Option<i64>,
    Form(form): Form<ConnectorForm>,
) -> AppResult<Response> {
    let l = Layout::new(&ctx);
    let parsed = form.parse();
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            if let Some(cid) = cid {
                ps::find_connector(conn, &app, cid)?;
            }
            match parsed {
                Ok(input) => {
                    ps::save_connector(conn, &app, cid, &input)?;
                    Ok(to_app(id, "apps.flash.saved"))
                }
                Err(errors) => Ok(unprocessable(connector_page(l, app, cid, form, errors))),
            }
        })
        .await
}

async fn connector_delete(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, cid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            ps::delete_connector(conn, &app, cid)
        })
        .await?;
    Ok(to_app(id, "apps.flash.deleted"))
}
