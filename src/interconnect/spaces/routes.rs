//! Handlers of the pages every organisation reaches: the landing page, creating a space,
//! the space home, the invitation link (apply to join), the directory and a member
//! organisation's own membership (scope, leaving). The space admin's pages are in
//! `admin_routes`, the batch-invitation API in `api`.

use axum::extract::{Path, Query, RawForm, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::forms::{ScopeForm, parse_create};
use super::pages::{HomePage, JoinPage, LandingPage, MembershipPage, NewSpacePage, PeoplePage};
use super::{directory, membership, parse_name, store};
use crate::auth::InOrg;
use crate::error::{AppError, AppResult};
use crate::interconnect::people::space_for;
use crate::interconnect::{ScopeKind, SpaceKind, may_apply_for_org, scope_may_manage};
use crate::tools::CursorQuery;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/interconnect", Policy::InOrg, landing)
        .get("/interconnect/spaces/new", Policy::InOrg, new)
        .post("/interconnect/spaces", Policy::InOrg, create)
        .get("/interconnect/spaces/{id}", Policy::InOrg, home)
        .get("/interconnect/spaces/{id}/people", Policy::InOrg, people)
        .get("/interconnect/join/{token}", Policy::InOrg, join)
        .post("/interconnect/join/{token}", Policy::InOrg, apply)
        .get(
            "/interconnect/spaces/{id}/membership",
            Policy::InOrg,
            membership_page,
        )
        .post(
            "/interconnect/spaces/{id}/membership/scope",
            Policy::InOrg,
            change_scope,
        )
        .post(
            "/interconnect/spaces/{id}/membership/leave",
            Policy::InOrg,
            leave,
        )
        .merge(super::admin_routes::router())
        .merge(super::invite_routes::router())
        .merge(super::api::router())
}

async fn landing(State(state): State<AppState>, g: InOrg) -> AppResult<LandingPage> {
    let scope = g.scope.clone();
    let (items, facts, owned) = state
        .db
        .run(move |conn| {
            let items = store::landing(conn, &scope)?;
            let facts = store::org_facts(conn, scope.org_id())?;
            let owned = store::owned_count(conn, scope.org_id())?;
            Ok((items, facts, owned))
        })
        .await?;
    let may_manage = scope_may_manage(&g.scope);
    let edition_notes: Vec<&'static str> = SpaceKind::ALL
        .into_iter()
        .filter(|k| !k.allowed_on(facts.edition))
        .map(SpaceKind::edition_refusal)
        .collect();
    let any_kind = SpaceKind::ALL.iter().any(|k| k.allowed_on(facts.edition));
    Ok(LandingPage {
        l: Layout::new(&g.ctx),
        items,
        edition_notes,
        may_manage,
        main_admin: may_apply_for_org(g.scope.role()),
        can_create: may_manage && any_kind,
        owns_any: owned > 0,
        owned,
        max_spaces: facts.limits.max_spaces,
    })
}

async fn create_page(
    state: &AppState,
    g: &InOrg,
    form: super::forms::CreateForm,
    errors: Errors,
) -> AppResult<NewSpacePage> {
    if !scope_may_manage(&g.scope) {
        return Err(AppError::Forbidden("interconnect.spaces.error.not_manager"));
    }
    let org = g.scope.org_id();
    let (facts, picker) = state
        .db
        .run(move |conn| Ok((store::org_facts(conn, org)?, store::picker(conn, org)?)))
        .await?;
    let kinds: Vec<SpaceKind> = SpaceKind::ALL
        .into_iter()
        .filter(|k| k.allowed_on(facts.edition))
        .collect();
    if kinds.is_empty() {
        return Err(AppError::Forbidden(SpaceKind::Partner.edition_refusal()));
    }
    Ok(NewSpacePage {
        l: Layout::new(&g.ctx),
        form,
        errors,
        kinds,
        picker,
        scope_kinds: ScopeKind::ALL,
    })
}

async fn new(State(state): State<AppState>, g: InOrg) -> AppResult<NewSpacePage> {
    let form = super::forms::CreateForm {
        scope: ScopeForm::whole(),
        ..Default::default()
    };
    create_page(&state, &g, form, Errors::default()).await
}

async fn create(
    State(state): State<AppState>,
    g: InOrg,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let form = parse_create(&body)?;
    let mut errors = Errors::default();
    let name = parse_name(&form.name)
        .map_err(|k| errors.add("name", k))
        .ok();
    let kind = SpaceKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "interconnect.spaces.error.kind");
    }
    let chosen = form.scope.parse().map_err(|k| errors.add("scope", k)).ok();
    let (Some(name), Some(kind), Some((scope_kind, refs)), true) =
        (name, kind, chosen, errors.is_empty())
    else {
        let page = create_page(&state, &g, form, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let scope = g.scope.clone();
    let made = state
        .db
        .run(move |conn| store::create_space(conn, &scope, &name, kind, scope_kind, &refs))
        .await?;
    match made {
        Ok(id) => Ok(flash_redirect(
            &format!("/interconnect/spaces/{id}"),
            "interconnect.spaces.flash.created",
        )),
        Err(errors) => {
            let page = create_page(&state, &g, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn home(State(state): State<AppState>, g: InOrg, Path(id): Path<i64>) -> AppResult<HomePage> {
    let scope = g.scope.clone();
    let (a, f, member_admin) = state
        .db
        .run(move |conn| {
            let a = space_for(conn, &scope, id)?;
            let f = store::home(conn, &a)?;
            let member_admin = !a.is_owner_org && membership::membership(conn, &scope, id).is_ok();
            Ok((a, f, member_admin))
        })
        .await?;
    Ok(HomePage {
        l: Layout::new(&g.ctx),
        a,
        f,
        member_admin,
    })
}

async fn people(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<PeoplePage> {
    let scope = g.scope.clone();
    let (a, page) = state
        .db
        .run(move |conn| {
            let a = space_for(conn, &scope, id)?;
            let page = directory::people(conn, &a, scope.org_id(), q.cursor())?;
            Ok((a, page))
        })
        .await?;
    Ok(PeoplePage {
        l: Layout::new(&g.ctx),
        base: format!("/interconnect/spaces/{}/people", a.space_id),
        a,
        page,
    })
}

async fn join_page(
    state: &AppState,
    g: &InOrg,
    token: String,
    form: ScopeForm,
    error: Option<&'static str>,
) -> AppResult<JoinPage> {
    let scope = g.scope.clone();
    let t = token.clone();
    let main_admin = may_apply_for_org(g.scope.role());
    let (v, picker) = state
        .db
        .run(move |conn| {
            let v = membership::join_view(conn, &scope, &t)?;
            let picker = if main_admin {
                store::picker(conn, scope.org_id())?
            } else {
                store::Picker::default()
            };
            Ok((v, picker))
        })
        .await?;
    Ok(JoinPage {
        l: Layout::new(&g.ctx),
        token,
        v,
        main_admin,
        form,
        picker,
        scope_kinds: ScopeKind::ALL,
        error,
    })
}

async fn join(
    State(state): State<AppState>,
    g: InOrg,
    Path(token): Path<String>,
) -> AppResult<JoinPage> {
    join_page(&state, &g, token, ScopeForm::whole(), None).await
}

async fn apply(
    State(state): State<AppState>,
    g: InOrg,
    Path(token): Path<String>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let form = parse_create(&body)?.scope;
    let (kind, refs) = match form.parse() {
        Ok(c) => c,
        Err(key) => {
            let page = join_page(&state, &g, token, form, Some(key)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let scope = g.scope.clone();
    let t = token.clone();
    let done = state
        .db
        .run(move |conn| membership::apply(conn, &scope, &t, kind, &refs))
        .await?;
    match done {
        Ok(_) => Ok(flash_redirect(
            "/interconnect",
            "interconnect.spaces.flash.applied",
        )),
        Err(key) => {
            let page = join_page(&state, &g, token, form, Some(key)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn membership_view(
    state: &AppState,
    g: &InOrg,
    id: i64,
    form: Option<ScopeForm>,
    error: Option<&'static str>,
) -> AppResult<MembershipPage> {
    let scope = g.scope.clone();
    let (m, picker, exports) = state
        .db
        .run(move |conn| {
            let m = membership::membership(conn, &scope, id)?;
            let picker = store::picker(conn, scope.org_id())?;
            Ok((m, picker, store::export_pages(conn, id)?))
        })
        .await?;
    let form = form.unwrap_or_else(|| ScopeForm {
        scope_kind: m.scope_kind.as_str().into(),
        departments: if m.scope_kind == ScopeKind::Departments {
            m.refs.clone()
        } else {
            vec![]
        },
        people: if m.scope_kind == ScopeKind::People {
            m.refs.clone()
        } else {
            vec![]
        },
    });
    Ok(MembershipPage {
        l: Layout::new(&g.ctx),
        m,
        exports,
        form,
        picker,
        scope_kinds: ScopeKind::ALL,
        error,
    })
}

async fn membership_page(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
) -> AppResult<MembershipPage> {
    membership_view(&state, &g, id, None, None).await
}

async fn change_scope(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    RawForm(body): RawForm,
) -> AppResult<Response> {
    let form = parse_create(&body)?.scope;
    let (kind, refs) = match form.parse() {
        Ok(c) => c,
        Err(key) => {
            let page = membership_view(&state, &g, id, Some(form), Some(key)).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let scope = g.scope.clone();
    let done = state
        .db
        .run(move |conn| membership::change_scope(conn, &scope, id, kind, &refs))
        .await?;
    match done {
        Ok(()) => Ok(flash_redirect(
            &format!("/interconnect/spaces/{id}/membership"),
            "interconnect.spaces.flash.scope_saved",
        )),
        Err(key) => {
            let page = membership_view(&state, &g, id, Some(form), Some(key)).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn leave(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = g.scope.clone();
    state
        .db
        .run(move |conn| membership::leave(conn, &scope, id))
        .await?;
    Ok(flash_redirect(
        "/interconnect",
        "interconnect.spaces.flash.left",
    ))
}
