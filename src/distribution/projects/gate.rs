//! The certification gate: every /provider page starts by extracting a [`Provider`], which
//! only exists for provider admins and developers of a certified provider organisation.
//! Everyone else with building or admin rights gets the page that explains how to become
//! one (403, no actions).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};

use super::{ProviderRole, membership_is_certified_provider, provider_role};
use crate::auth::{Ctx, OrgScope};
use crate::error::AppError;
use crate::web::policy::GuardFuture;
use crate::web::{AppState, Layout};

/// Proof that the caller is a provider admin or developer of a certified provider.
pub(crate) struct Provider {
    pub ctx: Ctx,
    pub scope: OrgScope,
    pub role: ProviderRole,
}

impl Provider {
    pub(crate) fn is_admin(&self) -> bool {
        self.role == ProviderRole::Admin
    }

    /// Only provider admins create projects.
    pub(crate) fn require_admin(&self) -> Result<(), AppError> {
        if self.is_admin() {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "distribution.error.provider_admin_only",
            ))
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "distribution/projects/gate.html")]
pub(crate) struct GatePage {
    pub l: Layout,
}

impl GatePage {
    fn level_key(&self) -> &'static str {
        self.l.org.as_ref().map_or("provider.none", |o| {
            crate::org::provider_label(&o.provider_level)
        })
    }
}

impl<S> FromRequestParts<S> for Provider
where
    S: Send + Sync,
    crate::auth::AuthState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Provider, Response> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let scope = ctx.scope().map_err(IntoResponse::into_response)?;
        let Some(role) = provider_role(&scope) else {
            return Err(AppError::Forbidden("distribution.error.provider_rights").into_response());
        };
        let certified = ctx
            .user
            .as_ref()
            .and_then(|u| u.current())
            .is_some_and(membership_is_certified_provider);
        if !certified {
            let page = GatePage {
                l: Layout::new(&ctx),
            };
            return Err((StatusCode::FORBIDDEN, page).into_response());
        }
        Ok(Provider { ctx, scope, role })
    }
}

/// The guard of `Policy::Provider`, registered when the app is assembled: the certified
/// provider's admins and developers pass, others get the refusal (the gate page).
pub fn provider_guard(mut parts: Parts, state: AppState) -> GuardFuture {
    Box::pin(async move {
        let refused = Provider::from_request_parts(&mut parts, &state).await.err();
        (parts, refused)
    })
}
