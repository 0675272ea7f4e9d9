//! An app's custom components (自定义组件): the form page, save, delete.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;

use crate::apps::forms::ComponentForm;
use crate::apps::pages::ComponentPage;
use crate::apps::parts_store as ps;
use crate::apps::routes::{to_app, unprocessable};
use crate::apps::store;
use crate::auth::InOrg;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout};

pub fn router() -> Routes {
    Routes::new()
        .get("/apps/{id}/components/new", Policy::InOrg, component_new)
        .post("/apps/{id}/components/new", Policy::InOrg, component_create)
        .get("/apps/{id}/components/{kid}", Policy::InOrg, component_edit)
        .post(
            "/apps/{id}/components/{kid}",
            Policy::InOrg,
            component_update,
        )
        .post(
            "/apps/{id}/components/{kid}/delete",
            Policy::InOrg,
            component_delete,
        )
}

async fn component_new(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path(id): Path<i64>,
) -> AppResult<ComponentPage> {
    let app = state
        .db
        .run(move |conn| store::find_app_for_edit(conn, &scope, id))
        .await?;
    Ok(ComponentPage {
        l: Layout::new(&ctx),
        app,
        id: None,
        form: ComponentForm::default(),
        errors: Errors::default(),
        preview: String::new(),
    })
}

async fn component_edit(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    Path((id, kid)): Path<(i64, i64)>,
) -> AppResult<ComponentPage> {
    let (app, c) = state
        .db
        .run(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            let c = ps::find_component(conn, &app, kid)?;
            Ok((app, c))
        })
        .await?;
    Ok(ComponentPage {
        l: Layout::new(&ctx),
        app,
        id: Some(kid),
        preview: c.markup.clone(),
        form: ComponentForm {
            name: c.name,
            description: c.description,
            markup: c.markup,
        },
        errors: Errors::default(),
    })
}

async fn component_create(
    state: State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    form: Form<ComponentForm>,
) -> AppResult<Response> {
    component_save(state, g, id, None, form).await
}

async fn component_update(
    state: State<AppState>,
    g: InOrg,
    Path((id, kid)): Path<(i64, i64)>,
    form: Form<ComponentForm>,
) -> AppResult<Response> {
    component_save(state, g, id, Some(kid), form).await
}

async fn component_save(
    State(state): State<AppState>,
    InOrg { ctx, scope }: InOrg,
    id: i64,
    kid: Option<i64>,
    Form(form): Form<ComponentForm>,
) -> AppResult<Response> {
    let l = Layout::new(&ctx);
    let parsed = form.parse();
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            if let Some(kid) = kid {
                ps::find_component(conn, &app, kid)?;
            }
            match parsed {
                Ok(input) => {
                    let kid = ps::save_component(conn, &app, kid, &input)?;
                    Ok(crate::apps::routes::redirect_to(
                        &format!("/apps/{id}/components/{kid}"),
                        "apps.flash.saved",
                    ))
                }
                Err(errors) => Ok(unprocessable(ComponentPage {
                    l,
                    app,
                    id: kid,
                    preview: String::new(),
                    form,
                    errors,
                })),
            }
        })
        .await
}

async fn component_delete(
    State(state): State<AppState>,
    InOrg { scope, .. }: InOrg,
    Path((id, kid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    state
        .db
        .write(move |conn| {
            let app = store::find_app_for_edit(conn, &scope, id)?;
            ps::delete_component(conn, &app, kid)
        })
        .await?;
    Ok(to_app(id, "apps.flash.deleted"))
}
