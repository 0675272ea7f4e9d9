//! Handlers of the collaboration pages. Any member of the current organisation may call
//! them (Policy::InOrg); the store decides: only people of the space start groups, only
//! members see a group, only its creator adds and removes members.

use std::collections::HashSet;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::pages::{GroupPage, GroupsPage};
use super::store;
use super::{GroupName, MessageBody, Pick, field, picks_of};
use super::{PickAt, PickPage};
use crate::auth::InOrg;
use crate::error::AppResult;
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, Cursor, Errors, Layout, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .get("/interconnect/spaces/{id}/collab", Policy::InOrg, list)
        .post("/interconnect/spaces/{id}/collab", Policy::InOrg, create)
        .get("/interconnect/collab/{gid}", Policy::InOrg, show)
        .post(
            "/interconnect/collab/{gid}/messages",
            Policy::InOrg,
            post_message,
        )
        .post(
            "/interconnect/collab/{gid}/members",
            Policy::InOrg,
            add_members,
        )
        .post(
            "/interconnect/collab/{gid}/members/{uid}/remove",
            Policy::InOrg,
            remove_member,
        )
        .post("/interconnect/collab/{gid}/leave", Policy::InOrg, leave)
}

/// The page's list (groups or messages, newest first: `after` = older) and the people
/// picker (`pafter` / `pbefore`, a `user:org` pair), each with its own cursor.
#[derive(Deserialize, Default, Clone)]
struct ListQuery {
    #[serde(default)]
    q: String,
    pafter: Option<String>,
    pbefore: Option<String>,
    after: Option<i64>,
    before: Option<i64>,
}

impl ListQuery {
    fn pick_at(&self) -> PickAt {
        let parse = |s: &Option<String>| s.as_deref().and_then(Pick::parse);
        match (parse(&self.pafter), parse(&self.pbefore)) {
            (Some(a), _) => PickAt::After(a),
            (None, Some(b)) => PickAt::Before(b),
            (None, None) => PickAt::First,
        }
    }
    fn cursor(&self) -> Cursor {
        Cursor::from_query(self.after, self.before)
    }
}

async fn render_list(
    state: &AppState,
    g: &InOrg,
    space_id: i64,
    q: ListQuery,
    name: String,
    picked: Vec<String>,
    errors: Errors,
) -> AppResult<GroupsPage> {
    let scope = g.scope.clone();
    let query = q.clone();
    let (access, groups, people) = state
        .db
        .run(move |conn| {
            let (access, groups) = store::my_groups(conn, &scope, space_id, query.cursor())?;
            let people = if access.is_person {
                store::pickable(
                    conn,
                    &scope,
                    space_id,
                    &query.q,
                    query.pick_at(),
                    &HashSet::new(),
                )?
            } else {
                PickPage::default()
            };
            Ok((access, groups, people))
        })
        .await?;
    Ok(GroupsPage {
        l: Layout::new(&g.ctx),
        space_id,
        space_name: access.name,
        is_person: access.is_person,
        groups,
        people,
        q: q.q,
        name,
        picked,
        errors,
    })
}

async fn list(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> AppResult<GroupsPage> {
    render_list(&state, &g, id, q, String::new(), vec![], Errors::default()).await
}

async fn create(
    State(state): State<AppState>,
    g: InOrg,
    Path(id): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let picks = picks_of(&pairs)?;
    let typed = field(&pairs, "name").to_string();
    let mut errors = Errors::default();
    let name = GroupName::parse(&typed)
        .map_err(|k| errors.add("name", k))
        .ok();
    if picks.is_empty() {
        errors.add("person", "interconnect.collab.error.pick_someone");
    }
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        let q = ListQuery {
            q: field(&pairs, "q").to_string(),
            ..ListQuery::default()
        };
        let picked = picks.iter().map(Pick::value).collect();
        let page = render_list(&state, &g, id, q, typed, picked, errors).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let scope = g.scope.clone();
    let gid = state
        .db
        .run(move |conn| store::create(conn, &scope, id, &name, &picks))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/collab/{gid}"),
        "interconnect.collab.flash.created",
    ))
}

async fn render_show(
    state: &AppState,
    g: &InOrg,
    gid: i64,
    q: ListQuery,
    body: String,
    errors: Errors,
) -> AppResult<GroupPage> {
    let scope = g.scope.clone();
    let query = q.clone();
    let (group, members, messages, people) = state
        .db
        .run(move |conn| {
            let group = store::group_for(conn, &scope, gid)?;
            let members = store::members(conn, &group)?;
            let messages = store::messages(conn, &group, query.cursor())?;
            let people = if group.created_by == scope.user_id() {
                let exclude = store::member_ids(conn, &group)?;
                store::pickable(
                    conn,
                    &scope,
                    group.space_id,
                    &query.q,
                    query.pick_at(),
                    &exclude,
                )?
            } else {
                PickPage::default()
            };
            Ok((group, members, messages, people))
        })
        .await?;
    Ok(GroupPage {
        l: Layout::new(&g.ctx),
        is_creator: group.created_by == g.scope.user_id(),
        me: g.scope.user_id(),
        group,
        members,
        messages,
        people,
        q: q.q,
        body,
        errors,
    })
}

async fn show(
    State(state): State<AppState>,
    g: InOrg,
    Path(gid): Path<i64>,
    Query(q): Query<ListQuery>,
) -> AppResult<GroupPage> {
    render_show(&state, &g, gid, q, String::new(), Errors::default()).await
}

#[derive(Deserialize)]
struct MessageForm {
    #[serde(default)]
    body: String,
}

async fn post_message(
    State(state): State<AppState>,
    g: InOrg,
    Path(gid): Path<i64>,
    Form(form): Form<MessageForm>,
) -> AppResult<Response> {
    let body = match MessageBody::parse(&form.body) {
        Ok(b) => b,
        Err(key) => {
            let mut errors = Errors::default();
            errors.add("body", key);
            let page =
                render_show(&state, &g, gid, ListQuery::default(), form.body, errors).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let scope = g.scope.clone();
    state
        .db
        .run(move |conn| store::post_message(conn, &scope, gid, &body))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/collab/{gid}"),
        "interconnect.collab.flash.posted",
    ))
}

async fn add_members(
    State(state): State<AppState>,
    g: InOrg,
    Path(gid): Path<i64>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let picks = picks_of(&pairs)?;
    let scope = g.scope.clone();
    state
        .db
        .run(move |conn| store::add_members(conn, &scope, gid, &picks))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/collab/{gid}"),
        "interconnect.collab.flash.added",
    ))
}

async fn remove_member(
    State(state): State<AppState>,
    g: InOrg,
    Path((gid, uid)): Path<(i64, i64)>,
) -> AppResult<Response> {
    let scope = g.scope.clone();
    state
        .db
        .run(move |conn| store::remove_member(conn, &scope, gid, uid))
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/collab/{gid}"),
        "interconnect.collab.flash.removed",
    ))
}

async fn leave(
    State(state): State<AppState>,
    g: InOrg,
    Path(gid): Path<i64>,
) -> AppResult<Response> {
    let scope = g.scope.clone();
    let space_id = state
        .db
        .run(move |conn| {
            let group = store::group_for(conn, &scope, gid)?;
            store::leave(conn, &scope, gid)?;
            Ok(group.space_id)
        })
        .await?;
    Ok(flash_redirect(
        &format!("/interconnect/spaces/{space_id}/collab"),
        "interconnect.collab.flash.left",
    ))
}
