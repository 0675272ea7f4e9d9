//! Administration of the current organisation: overview, members, departments.

use crate::web::policy::{Policy, Routes};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::forms::{
    AccountForm, AddMemberForm, DeptForm, ListQuery, MoveForm, RoleChange, optional_id,
};
use super::store::{self, MemberRow, Overview, TreeNode};
use super::{DeptId, Edition, MemberId, edition_label, provider_label};
use crate::auth::{MemberManager, OrgAdmin, Perm, Role};
use crate::error::AppResult;
use crate::web::{AppState, Errors, Layout, Page, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/org", Policy::MemberManager, overview)
        .get("/org/members", Policy::MemberManager, members)
        .get("/org/members/new", Policy::MemberManager, new_member)
        .post("/org/members/add", Policy::MemberManager, add_existing)
        .post(
            "/org/members/create",
            Policy::MemberManager,
            add_new_account,
        )
        .get("/org/members/{id}", Policy::MemberManager, member)
        .post("/org/members/{id}/role", Policy::OrgAdmin, set_role)
        .post(
            "/org/members/{id}/department",
            Policy::MemberManager,
            move_member,
        )
        .post(
            "/org/members/{id}/remove",
            Policy::MemberManager,
            remove_member,
        )
        .get("/org/departments", Policy::MemberManager, departments)
        .post("/org/departments", Policy::MemberManager, create_dept)
        .post(
            "/org/departments/{id}/rename",
            Policy::MemberManager,
            rename_dept,
        )
        .post(
            "/org/departments/{id}/delete",
            Policy::MemberManager,
            delete_dept,
        )
}

#[derive(Template, WebTemplate)]
#[template(path = "org/overview.html")]
pub(crate) struct OverviewPage {
    l: Layout,
    o: Overview,
}

impl OverviewPage {
    fn edition_key(&self) -> &'static str {
        edition_label(&self.o.edition)
    }
    fn unlocks_key(&self) -> &'static str {
        Edition::parse(&self.o.edition)
            .unwrap_or(Edition::Free)
            .unlocks_key()
    }
    fn provider_key(&self) -> &'static str {
        provider_label(&self.o.provider_level)
    }
}

async fn overview(State(state): State<AppState>, g: MemberManager) -> AppResult<OverviewPage> {
    let scope = g.scope;
    let o = state
        .db
        .run(move |conn| store::overview(conn, &scope))
        .await?;
    Ok(OverviewPage {
        l: Layout::new(&g.ctx),
        o,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "org/members.html")]
pub(crate) struct MembersPage {
    l: Layout,
    page: Page<MemberRow>,
    depts: Vec<TreeNode>,
    dept: Option<i64>,
    base: String,
}

impl MembersPage {
    fn is_dept(&self, id: &i64) -> bool {
        self.dept == Some(*id)
    }
}

async fn members(
    State(state): State<AppState>,
    g: MemberManager,
    Query(q): Query<ListQuery>,
) -> AppResult<MembersPage> {
    let dept = optional_id(q.department.as_deref().unwrap_or(""))?;
    let scope = g.scope;
    let (page, depts) = state
        .db
        .run(move |conn| {
            let page = store::list_members(conn, &scope, dept.map(DeptId), q.cursor())?;
            Ok((page, store::tree(store::departments(conn, &scope)?)))
        })
        .await?;
    let base = match dept {
        Some(d) => format!("/org/members?department={d}"),
        None => "/org/members".to_string(),
    };
    Ok(MembersPage {
        l: Layout::new(&g.ctx),
        page,
        depts,
        dept,
        base,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "org/new_member.html")]
pub(crate) struct NewMemberPage {
    l: Layout,
    existing: AddMemberForm,
    existing_errors: Errors,
    account: AccountForm,
    account_errors: Errors,
}

impl NewMemberPage {
    fn blank(l: Layout) -> NewMemberPage {
        NewMemberPage {
            l,
            existing: AddMemberForm::default(),
            existing_errors: Errors::default(),
            account: AccountForm::default(),
            account_errors: Errors::default(),
        }
    }

    fn refused(self) -> AppResult<Response> {
        Ok((StatusCode::UNPROCESSABLE_ENTITY, self).into_response())
    }
}

async fn new_member(g: MemberManager) -> NewMemberPage {
    NewMemberPage::blank(Layout::new(&g.ctx))
}

async fn add_existing(
    State(state): State<AppState>,
    g: MemberManager,
    Form(form): Form<AddMemberForm>,
) -> AppResult<Response> {
    let scope = g.scope;
    let login = form.login();
    let added = state
        .db
        .run(move |conn| store::add_existing(conn, &scope, &login))
        .await?;
    match added {
        Ok(id) => Ok(flash_redirect(
            &format!("/org/members/{}", id.0),
            "org.flash.member_added",
        )),
        Err(existing_errors) => NewMemberPage {
            existing: form,
            existing_errors,
            ..NewMemberPage::blank(Layout::new(&g.ctx))
        }
        .refused(),
    }
}

async fn add_new_account(
    State(state): State<AppState>,
    g: MemberManager,
    Form(form): Form<AccountForm>,
) -> AppResult<Response> {
    let account = match form.parse() {
        Ok(mut a) => {
            // Org admins create ordinary accounts only.
            a.is_operator = false;
            a
        }
        Err(account_errors) => {
            return NewMemberPage {
                account: form.redisplay(),
                account_errors,
                ..NewMemberPage::blank(Layout::new(&g.ctx))
            }
            .refused();
        }
    };
    let hash = state
        .hasher
        .hash(account.password.clone().into_inner())
        .await?;
    let scope = g.scope;
    let added = state
        .db
        .run(move |conn| store::add_new_account(conn, &scope, &account, &hash))
        .await?;
    match added {
        Ok(id) => Ok(flash_redirect(
            &format!("/org/members/{}", id.0),
            "org.flash.member_added",
        )),
        Err(account_errors) => NewMemberPage {
            account: form.redisplay(),
            account_errors,
            ..NewMemberPage::blank(Layout::new(&g.ctx))
        }
        .refused(),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "org/member.html")]
pub(crate) struct MemberPage {
    l: Layout,
    m: MemberRow,
    depts: Vec<TreeNode>,
    may_change_roles: bool,
    roles: [Role; 4],
    perms: [Perm; 4],
}

impl MemberPage {
    fn has_perm(&self, p: &Perm) -> bool {
        self.m.perms.contains(p)
    }
    fn is_role(&self, r: &Role) -> bool {
        self.m.role == *r
    }
    fn in_dept(&self, id: &i64) -> bool {
        self.m.department_id == Some(*id)
    }
}

async fn member(
    State(state): State<AppState>,
    g: MemberManager,
    Path(id): Path<i64>,
) -> AppResult<MemberPage> {
    let scope = g.scope;
    let may_change_roles = scope.is_admin();
    let (m, depts) = state
        .db
        .run(move |conn| {
            let m = store::find_member(conn, &scope, MemberId(id))?;
            Ok((m, store::tree(store::departments(conn, &scope)?)))
        })
        .await?;
    Ok(MemberPage {
        l: Layout::new(&g.ctx),
        m,
        depts,
        may_change_roles,
        roles: Role::ALL,
        perms: Perm::ALL,
    })
}

async fn set_role(
    State(state): State<AppState>,
    g: OrgAdmin,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let change = RoleChange::from_pairs(&pairs)?;
    let scope = g.scope;
    state
        .db
        .run(move |conn| store::set_role(conn, &scope, MemberId(id), &change))
        .await?;
    Ok(flash_redirect(
        &format!("/org/members/{id}"),
        "org.flash.role_saved",
    ))
}

async fn move_member(
    State(state): State<AppState>,
    g: MemberManager,
    Path(id): Path<i64>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let dept = optional_id(&form.department_id)?.map(DeptId);
    let scope = g.scope;
    state
        .db
        .run(move |conn| store::move_member(conn, &scope, MemberId(id), dept))
        .await?;
    Ok(flash_redirect(
        &format!("/org/members/{id}"),
        "org.flash.member_moved",
    ))
}

async fn remove_member(
    State(state): State<AppState>,
    g: MemberManager,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = g.scope;
    state
        .db
        .run(move |conn| store::remove_member(conn, &scope, MemberId(id)))
        .await?;
    Ok(flash_redirect("/org/members", "org.flash.member_removed"))
}

#[derive(Template, WebTemplate)]
#[template(path = "org/departments.html")]
pub(crate) struct DeptsPage {
    l: Layout,
    tree: Vec<TreeNode>,
    form: DeptForm,
    errors: Errors,
    rename_errors: Option<(i64, &'static str)>,
}

impl DeptsPage {
    fn is_parent(&self, id: &i64) -> bool {
        self.form.parent_id == id.to_string()
    }
    fn rename_error(&self, id: &i64) -> Option<&'static str> {
        self.rename_errors.filter(|(d, _)| d == id).map(|(_, k)| k)
    }
    /// Closing tags after a tree node: its own item, then each list that ends with it.
    fn closers(&self, n: &TreeNode) -> String {
        if n.has_children {
            "<ul>".to_string()
        } else {
            format!("</li>{}", "</ul></li>".repeat(n.closes))
        }
    }
}

async fn load_depts_page(
    state: &AppState,
    g: &MemberManager,
    form: DeptForm,
    errors: Errors,
    rename_errors: Option<(i64, &'static str)>,
) -> AppResult<DeptsPage> {
    let scope = g.scope.clone();
    let tree = state
        .db
        .run(move |conn| Ok(store::tree(store::departments(conn, &scope)?)))
        .await?;
    Ok(DeptsPage {
        l: Layout::new(&g.ctx),
        tree,
        form,
        errors,
        rename_errors,
    })
}

async fn departments(State(state): State<AppState>, g: MemberManager) -> AppResult<DeptsPage> {
    load_depts_page(&state, &g, DeptForm::default(), Errors::default(), None).await
}

async fn create_dept(
    State(state): State<AppState>,
    g: MemberManager,
    Form(form): Form<DeptForm>,
) -> AppResult<Response> {
    let (name, parent) = form.parse()?;
    let name = match name {
        Ok(n) => n,
        Err(errors) => {
            let page = load_depts_page(&state, &g, form, errors, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let scope = g.scope;
    state
        .db
        .run(move |conn| store::create_dept(conn, &scope, &name, parent))
        .await?;
    Ok(flash_redirect("/org/departments", "org.flash.dept_created"))
}

async fn rename_dept(
    State(state): State<AppState>,
    g: MemberManager,
    Path(id): Path<i64>,
    Form(form): Form<DeptForm>,
) -> AppResult<Response> {
    let name = match super::DeptName::parse(&form.name) {
        Ok(n) => n,
        Err(key) => {
            // The department must exist in this organisation before we talk about its name.
            let scope = g.scope.clone();
            state
                .db
                .run(move |conn| store::find_dept(conn, &scope, DeptId(id)))
                .await?;
            let page = load_depts_page(
                &state,
                &g,
                DeptForm::default(),
                Errors::default(),
                Some((id, key)),
            )
            .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let scope = g.scope;
    state
        .db
        .run(move |conn| store::rename_dept(conn, &scope, DeptId(id), &name))
        .await?;
    Ok(flash_redirect("/org/departments", "org.flash.dept_renamed"))
}

async fn delete_dept(
    State(state): State<AppState>,
    g: MemberManager,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = g.scope;
    state
        .db
        .run(move |conn| store::delete_dept(conn, &scope, DeptId(id)))
        .await?;
    Ok(flash_redirect("/org/departments", "org.flash.dept_deleted"))
}
