//! The guard of the signed-in steps after the team: one extractor loads the link, its
//! product and the current organisation's deployment, checks that the visitor is that
//! team's admin and that every step before is done, and otherwise answers with the page
//! the visitor should be on. A handler that receives [`At`] acts on a step it may take.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};

use super::deploy::{Stage, may_take, stage_of};
use super::deploy_routes::{linked_with, require_live};
use super::deploy_store::{self as store, Deployment};
use super::funnel_steps;
use super::model::Application;
use crate::appcentre::ProductRef;
use crate::auth::{Ctx, OrgScope};
use crate::error::AppError;
use crate::web::AppState;

/// A step a handler takes, named by a marker type.
pub(crate) trait Wanted {
    const STAGE: Stage;
    /// The step is behind the visitor already (or not asked for): go on to the next.
    fn passed(_app: &Application, _dep: &Deployment) -> bool {
        false
    }
}

pub(crate) struct SerialStep;
pub(crate) struct AuthoriseStep;
pub(crate) struct ScopeStep;
pub(crate) struct StartStep;

impl Wanted for SerialStep {
    const STAGE: Stage = Stage::Serial;
    fn passed(app: &Application, dep: &Deployment) -> bool {
        !app.verify_serials || dep.serial.is_some()
    }
}

impl Wanted for AuthoriseStep {
    const STAGE: Stage = Stage::Authorise;
    fn passed(_app: &Application, dep: &Deployment) -> bool {
        dep.authorised_at.is_some()
    }
}

impl Wanted for ScopeStep {
    const STAGE: Stage = Stage::Scope;
}

impl Wanted for StartStep {
    const STAGE: Stage = Stage::Start;
}

/// What a step's handler works on: the link, its product, the deployment of the current
/// organisation, the admin's scope in it and who the funnel counts.
pub(crate) struct At<W> {
    pub ctx: Ctx,
    pub token: String,
    pub app: Application,
    pub product: ProductRef,
    pub dep: Deployment,
    pub scope: OrgScope,
    pub visitor: String,
    step: PhantomData<W>,
}

impl<W: Wanted> FromRequestParts<AppState> for At<W> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Path(token) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound.into_response())?;
        let go = |stage: Stage| Redirect::to(&stage.path(&token)).into_response();
        let org = ctx.scope().ok().map(|s| s.org_id());
        let (app, product, dep) = linked_with(state, token.clone(), move |conn, app| match org {
            Some(o) => store::deployment_of(conn, app.id, o),
            None => Ok(None),
        })
        .await
        .map_err(IntoResponse::into_response)?;
        require_live(&app).map_err(IntoResponse::into_response)?;
        let (Ok(scope), Some(dep)) = (ctx.scope(), dep) else {
            return Err(go(Stage::Team));
        };
        if !scope.is_admin() {
            return Err(AppError::Forbidden("quickdeploy.deploy.error.admin_only").into_response());
        }
        let at = stage_of(true, Some(dep.progress()), app.verify_serials);
        if let Err(back) = may_take(at, W::STAGE) {
            return Err(go(back));
        }
        if W::passed(&app, &dep) {
            // Where the visitor is now is past this step.
            return Err(go(at));
        }
        let visitor = funnel_steps::visitor(&parts.headers, scope.user_id());
        Ok(At {
            ctx,
            token,
            app,
            product,
            dep,
            scope,
            visitor,
            step: PhantomData,
        })
    }
}
