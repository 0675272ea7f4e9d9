//! The operator console's pages: organisations, their members, and accounts.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::store::{self, OrgRow, UserRow};
use crate::auth::{Operator, Role};
use crate::error::AppResult;
use crate::org::MemberRow;
use crate::org::{AccountForm, AddMemberForm, ListQuery, OrgForm, PasswordForm};
use crate::org::{
    Edition, NewPassword, OrgId, ProviderLevel, UserId, edition_label, provider_label,
};
use crate::tools::encode_query;
use crate::web::{AppState, Cursor, CursorQuery, Errors, Layout, Page, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/operator/orgs", Policy::Operator, orgs)
        .get("/operator/orgs/new", Policy::Operator, new_org)
        .post("/operator/orgs/new", Policy::Operator, create_org)
        .get("/operator/orgs/{id}", Policy::Operator, org)
        .post("/operator/orgs/{id}/edit", Policy::Operator, edit_org)
        .post("/operator/orgs/{id}/members", Policy::Operator, add_member)
        .get("/operator/users", Policy::Operator, users)
        .get("/operator/users/new", Policy::Operator, new_user)
        .post("/operator/users/new", Policy::Operator, create_user)
        .get("/operator/users/{id}", Policy::Operator, user)
        .post(
            "/operator/users/{id}/disable",
            Policy::Operator,
            disable_user,
        )
        .post("/operator/users/{id}/enable", Policy::Operator, enable_user)
        .post(
            "/operator/users/{id}/password",
            Policy::Operator,
            reset_password,
        )
        .merge(super::interconnect::router())
}

fn list_base(path: &str, q: &str) -> String {
    if q.is_empty() {
        path.to_string()
    } else {
        format!("{path}?q={}", encode_query(q))
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/orgs.html")]
pub(crate) struct OrgsPage {
    l: Layout,
    page: Page<OrgRow>,
    q: String,
    base: String,
}

impl OrgsPage {
    fn edition_key(&self, o: &OrgRow) -> &'static str {
        edition_label(&o.edition)
    }
    fn provider_key(&self, o: &OrgRow) -> &'static str {
        provider_label(&o.provider_level)
    }
}

async fn orgs(
    State(state): State<AppState>,
    op: Operator,
    Query(lq): Query<ListQuery>,
) -> AppResult<OrgsPage> {
    let q = lq.q();
    let search = q.clone();
    let page = state
        .db
        .run(move |conn| store::list_orgs(conn, &search, lq.cursor()))
        .await?;
    Ok(OrgsPage {
        l: Layout::new(&op.ctx),
        page,
        base: list_base("/operator/orgs", &q),
        q,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/new_org.html")]
pub(crate) struct NewOrgPage {
    l: Layout,
    form: OrgForm,
    errors: Errors,
    editions: [Edition; 4],
    levels: [ProviderLevel; 3],
}

impl NewOrgPage {
    fn new(l: Layout, form: OrgForm, errors: Errors) -> NewOrgPage {
        NewOrgPage {
            l,
            form,
            errors,
            editions: Edition::ALL,
            levels: ProviderLevel::ALL,
        }
    }
}

async fn new_org(op: Operator) -> NewOrgPage {
    let form = OrgForm {
        edition: "free".into(),
        certified: "no".into(),
        provider_level: "none".into(),
        ..OrgForm::default()
    };
    NewOrgPage::new(Layout::new(&op.ctx), form, Errors::default())
}

async fn create_org(
    State(state): State<AppState>,
    op: Operator,
    Form(form): Form<OrgForm>,
) -> AppResult<Response> {
    let refuse = |form, errors| {
        let page = NewOrgPage::new(Layout::new(&op.ctx), form, errors);
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let new = match form.parse() {
        Ok(n) => n,
        Err(errors) => return refuse(form, errors),
    };
    match state
        .db
        .run(move |conn| store::create_org(conn, &new))
        .await?
    {
        Ok(id) => Ok(flash_redirect(
            &format!("/operator/orgs/{}", id.0),
            "operator.flash.org_created",
        )),
        Err(errors) => refuse(form, errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/org.html")]
pub(crate) struct OrgPage {
    l: Layout,
    o: OrgRow,
    members: Page<MemberRow>,
    add: AddMemberForm,
    errors: Errors,
    editions: [Edition; 4],
    levels: [ProviderLevel; 3],
    roles: [Role; 4],
    /// The interconnection limits the operator set (empty = default).
    pub(super) ic: super::interconnect::Overrides,
    /// Set when the seat figure typed would put the pool below its use: the warning
    /// shown beside the field until the operator confirms.
    pub(super) ic_warning: Option<String>,
}

impl OrgPage {
    fn edition_key(&self) -> &'static str {
        edition_label(&self.o.edition)
    }
    fn provider_key(&self) -> &'static str {
        provider_label(&self.o.provider_level)
    }
    fn certified_str(&self) -> &'static str {
        if self.o.certified { "yes" } else { "no" }
    }
    fn base(&self) -> String {
        format!("/operator/orgs/{}", self.o.id)
    }
}

pub(super) async fn load_org_page(
    state: &AppState,
    op: &Operator,
    id: i64,
    cursor: Cursor,
    add: AddMemberForm,
    errors: Errors,
) -> AppResult<OrgPage> {
    let (o, members, ic) = state
        .db
        .run(move |conn| {
            let o = store::find_org(conn, OrgId(id))?;
            let ic = super::interconnect::load(conn, id)?;
            Ok((o, store::org_members(conn, OrgId(id), cursor)?, ic))
        })
        .await?;
    Ok(OrgPage {
        l: Layout::new(&op.ctx),
        o,
        members,
        add,
        errors,
        editions: Edition::ALL,
        levels: ProviderLevel::ALL,
        roles: Role::ALL,
        ic,
        ic_warning: None,
    })
}

async fn org(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Query(q): Query<CursorQuery>,
) -> AppResult<OrgPage> {
    let add = AddMemberForm {
        role: Role::Member.as_str().into(),
        ..AddMemberForm::default()
    };
    load_org_page(&state, &op, id, q.cursor(), add, Errors::default()).await
}

async fn edit_org(
    State(state): State<AppState>,
    _op: Operator,
    Path(id): Path<i64>,
    Form(form): Form<OrgForm>,
) -> AppResult<Response> {
    let settings = form.parse_settings()?;
    state
        .db
        .run(move |conn| store::update_org(conn, OrgId(id), &settings))
        .await?;
    Ok(flash_redirect(
        &format!("/operator/orgs/{id}"),
        "operator.flash.org_saved",
    ))
}

async fn add_member(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(form): Form<AddMemberForm>,
) -> AppResult<Response> {
    let role = form.role()?;
    let login = form.login();
    let added = state
        .db
        .run(move |conn| store::add_member(conn, OrgId(id), &login, role))
        .await?;
    match added {
        Ok(_) => Ok(flash_redirect(
            &format!("/operator/orgs/{id}"),
            "operator.flash.member_added",
        )),
        Err(errors) => {
            let page = load_org_page(&state, &op, id, Cursor::First, form, errors).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/users.html")]
pub(crate) struct UsersPage {
    l: Layout,
    page: Page<UserRow>,
    q: String,
    base: String,
}

async fn users(
    State(state): State<AppState>,
    op: Operator,
    Query(lq): Query<ListQuery>,
) -> AppResult<UsersPage> {
    let q = lq.q();
    let search = q.clone();
    let page = state
        .db
        .run(move |conn| store::list_users(conn, &search, lq.cursor()))
        .await?;
    Ok(UsersPage {
        l: Layout::new(&op.ctx),
        page,
        base: list_base("/operator/users", &q),
        q,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/new_user.html")]
pub(crate) struct NewUserPage {
    l: Layout,
    form: AccountForm,
    errors: Errors,
}

async fn new_user(op: Operator) -> NewUserPage {
    NewUserPage {
        l: Layout::new(&op.ctx),
        form: AccountForm::default(),
        errors: Errors::default(),
    }
}

async fn create_user(
    State(state): State<AppState>,
    op: Operator,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let refuse = |form: AccountForm, errors| {
        let page = NewUserPage {
            l: Layout::new(&op.ctx),
            form: form.redisplay(),
            errors,
        };
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let account = match form.parse() {
        Ok(a) => a,
        Err(errors) => return refuse(form, errors),
    };
    // argon2 runs on the blocking pool behind the hasher's semaphore.
    let hash = state
        .hasher
        .hash(account.password.clone().into_inner())
        .await?;
    let created = state
        .db
        .run(move |conn| crate::org::insert_user(conn, &account, &hash))
        .await?;
    match created {
        Ok(id) => Ok(flash_redirect(
            &format!("/operator/users/{}", id.0),
            "operator.flash.user_created",
        )),
        Err(errors) => refuse(form, errors),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "operator/user.html")]
pub(crate) struct UserPage {
    l: Layout,
    u: UserRow,
    is_self: bool,
    errors: Errors,
}

async fn load_user_page(
    state: &AppState,
    op: &Operator,
    id: i64,
    errors: Errors,
) -> AppResult<UserPage> {
    let u = state
        .db
        .run(move |conn| store::find_user(conn, UserId(id)))
        .await?;
    Ok(UserPage {
        l: Layout::new(&op.ctx),
        is_self: u.id == op.user_id,
        u,
        errors,
    })
}

async fn user(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<UserPage> {
    load_user_page(&state, &op, id, Errors::default()).await
}

async fn disable_user(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let actor = UserId(op.user_id);
    state
        .db
        .run(move |conn| store::set_disabled(conn, actor, UserId(id), true))
        .await?;
    Ok(flash_redirect(
        &format!("/operator/users/{id}"),
        "operator.flash.user_disabled",
    ))
}

async fn enable_user(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let actor = UserId(op.user_id);
    state
        .db
        .run(move |conn| store::set_disabled(conn, actor, UserId(id), false))
        .await?;
    Ok(flash_redirect(
        &format!("/operator/users/{id}"),
        "operator.flash.user_enabled",
    ))
}

async fn reset_password(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let password = match NewPassword::parse(&form.password) {
        Ok(p) => p,
        Err(key) => {
            let mut errors = Errors::default();
            errors.add("password", key);
            let page = load_user_page(&state, &op, id, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let hash = state.hasher.hash(password.into_inner()).await?;
    let actor = UserId(op.user_id);
    state
        .db
        .run(move |conn| store::reset_password(conn, actor, UserId(id), &hash))
        .await?;
    Ok(flash_redirect(
        &format!("/operator/users/{id}"),
        "operator.flash.password_reset",
    ))
}
