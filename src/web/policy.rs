//! The route table: every route is declared with the policy saying who may call it, and
//! the router is built from the table, so a route without a policy cannot exist. The
//! policy is enforced by a layer in front of the handler (with the same extractors the
//! handlers use, so the session is loaded once); handlers keep their finer checks (the
//! creator of a project, the app admin of an app, the tenant of every id).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};

use axum::Router;
use axum::extract::{FromRequestParts, Request, State};
use axum::handler::Handler;
use axum::http::request::Parts;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post};

use crate::auth::AppBuilder;
use crate::auth::{Ctx, InOrg, MemberManager, Operator, OrgAdmin, Signed};
use crate::error::AppError;
use crate::web::AppState;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// Anyone, signed in or not (login, language, static files, the agreement text).
    Public,
    /// Authenticated by a bearer key of its own instead of a session (the batch
    /// invitation API); the handler checks the key.
    ApiKey,
    /// Any signed-in user, in an organisation or not.
    Signed,
    /// Any member of the currently selected organisation.
    InOrg,
    /// Main admin or platform admin of the current organisation.
    OrgAdmin,
    /// Admins and sub-admins holding the members permission point.
    MemberManager,
    /// Admins, app sub-admins and members with app-building rights.
    AppBuilder,
    /// Admins and developers of a certified provider (intermediate or higher). Enforced
    /// by the guard the provider domain registers ([`Guards`]); without one, refused.
    Provider,
    /// The platform operator.
    Operator,
}

impl Policy {
    pub const ALL: [Policy; 9] = [
        Policy::Public,
        Policy::ApiKey,
        Policy::Signed,
        Policy::InOrg,
        Policy::OrgAdmin,
        Policy::MemberManager,
        Policy::AppBuilder,
        Policy::Provider,
        Policy::Operator,
    ];
}

/// A policy's check that a domain supplies (the provider gate renders its own page):
/// it takes the request head and gives it back with the refusal, if any.
pub type Guard = fn(Parts, AppState) -> GuardFuture;
pub type GuardFuture = Pin<Box<dyn Future<Output = (Parts, Option<Response>)> + Send>>;

/// The guards registered when the app is assembled, by policy.
#[derive(Clone, Default)]
pub struct Guards(Arc<Vec<(Policy, Guard)>>);

impl Guards {
    pub fn new(guards: Vec<(Policy, Guard)>) -> Guards {
        Guards(Arc::new(guards))
    }

    fn get(&self, policy: Policy) -> Option<Guard> {
        self.0.iter().find(|(p, _)| *p == policy).map(|(_, g)| *g)
    }
}

/// The table of the router built last (the same in every build: it is the code's).
static ROUTE_SPECS: OnceLock<Vec<RouteSpec>> = OnceLock::new();

/// The route table without handlers, once a router has been built.
pub fn route_specs() -> &'static [RouteSpec] {
    ROUTE_SPECS.get().map_or(&[], Vec::as_slice)
}

/// One row of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
    pub policy: Policy,
}

/// A part of the route table with the handlers it routes to. Domain modules return one;
/// `web::router` joins them and builds the router.
#[derive(Default)]
pub struct Routes {
    rows: Vec<(RouteSpec, MethodRouter<AppState>)>,
}

impl Routes {
    pub fn new() -> Routes {
        Routes::default()
    }

    pub fn get<H, T>(self, path: &'static str, policy: Policy, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("GET", path, policy, get(handler))
    }

    pub fn post<H, T>(self, path: &'static str, policy: Policy, handler: H) -> Routes
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        self.add("POST", path, policy, post(handler))
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        policy: Policy,
        route: MethodRouter<AppState>,
    ) -> Routes {
        self.rows.push((
            RouteSpec {
                method,
                path,
                policy,
            },
            route,
        ));
        self
    }

    pub fn merge(mut self, other: Routes) -> Routes {
        self.rows.extend(other.rows);
        self
    }

    /// The table without the handlers, for the permission-matrix test and the docs.
    pub fn table(&self) -> Vec<RouteSpec> {
        self.rows.iter().map(|(s, _)| *s).collect()
    }

    /// Builds the router: each route behind the layer that enforces its policy.
    pub fn into_router(self, state: &AppState) -> Router<AppState> {
        let _ = ROUTE_SPECS.set(self.table());
        let mut by_path: Vec<(&'static str, MethodRouter<AppState>)> = Vec::new();
        for (spec, route) in self.rows {
            let policy = spec.policy;
            let guarded = route.route_layer(middleware::from_fn_with_state(
                state.clone(),
                move |State(state): State<AppState>, req: Request, next: Next| {
                    enforce(state, policy, req, next)
                },
            ));
            match by_path.iter_mut().find(|(p, _)| *p == spec.path) {
                Some((_, existing)) => {
                    let taken = std::mem::take(existing);
                    *existing = taken.merge(guarded);
                }
                None => by_path.push((spec.path, guarded)),
            }
        }
        by_path
            .into_iter()
            .fold(Router::new(), |router, (path, route)| {
                router.route(path, route)
            })
    }
}

/// Runs the policy's extractor; its refusal (login redirect, 403 page, the provider gate)
/// is the response. The extracted `Ctx` stays in the request for the handler.
async fn enforce(state: AppState, policy: Policy, req: Request, next: Next) -> Response {
    super::metrics::note_route(req.extensions());
    let (mut parts, body) = req.into_parts();
    let refused: Option<Response> = match policy {
        Policy::Public | Policy::ApiKey => None,
        Policy::Signed => Signed::from_request_parts(&mut parts, &state)
            .await
            .err()
            .map(IntoResponse::into_response),
        Policy::InOrg => InOrg::from_request_parts(&mut parts, &state)
            .await
            .err()
            .map(IntoResponse::into_response),
        Policy::OrgAdmin => OrgAdmin::from_request_parts(&mut parts, &state)
            .await
            .err()
            .map(IntoResponse::into_response),
        Policy::MemberManager => MemberManager::from_request_parts(&mut parts, &state)
            .await
            .err()
            .map(IntoResponse::into_response),
        Policy::AppBuilder => AppBuilder::from_request_parts(&mut parts, &state)
            .await
            .err()
            .map(IntoResponse::into_response),
        Policy::Provider => match state.guards.get(Policy::Provider) {
            Some(guard) => {
                let (back, refused) = guard(parts, state.clone()).await;
                parts = back;
                refused
            }
            // A policy without its guard is a wiring mistake: refuse, never let through.
            None => {
                Some(AppError::internal("no guard registered for Policy::Provider").into_response())
            }
        },
        Policy::Operator => Operator::from_request_parts(&mut parts, &state)
            .await
            .err()
            .map(IntoResponse::into_response),
    };
    if let Some(resp) = refused {
        return resp;
    }
    // Acting under a delegation: every write transaction of this request re-checks it
    // and records the action, in the same transaction (see `auth::delegation`).
    let hook = parts.extensions.get::<Ctx>().and_then(|ctx| {
        let user = ctx.user.as_ref()?;
        let d = user.current()?.grant.as_ref()?;
        let action = format!("{} {}", parts.method, parts.uri.path());
        state
            .delegations
            .action_hook(user.id, &user.name, d, action)
    });
    let req = Request::from_parts(parts, body);
    match hook {
        Some(hook) => crate::db::with_tx_hook(hook, next.run(req)).await,
        None => next.run(req).await,
    }
}

/// Whether a local path (query ignored) is a page: the routes it matches most closely
/// (literal segments win over parameters, as in the router) include a GET route.
pub fn is_get_page(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or("/");
    let segs: Vec<&str> = path.split('/').collect();
    let matches: Vec<(usize, bool)> = route_specs()
        .iter()
        .filter_map(|r| {
            let pat: Vec<&str> = r.path.split('/').collect();
            let fits = pat.len() == segs.len()
                && pat
                    .iter()
                    .zip(&segs)
                    .all(|(p, s)| (p.starts_with('{') && !s.is_empty()) || p == s);
            fits.then(|| {
                let literals = pat.iter().filter(|p| !p.starts_with('{')).count();
                (literals, r.method == "GET")
            })
        })
        .collect();
    let best = matches.iter().map(|(n, _)| *n).max();
    matches.iter().any(|(n, get)| *get && Some(*n) == best)
}
