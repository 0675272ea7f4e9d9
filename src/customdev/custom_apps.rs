//! Authorisations and the custom apps they create (代开发应用): the enterprise authorises
//! (one app per template, a batch in one transaction), the provider configures and
//! builds, the enterprise cancels. All SQL of the enterprise side lives here.

use diesel::prelude::*;

use super::rules::{AppConfig, CancelOutcome, MAX_TEST_ORGS};
use super::store::Template;
use crate::apps::{AppStatus, NewApp};
use crate::auth::OrgScope;
use crate::db::schema::{apps, cd_custom_apps as ca, memberships, orgs, users};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::org::ScopeKind;
use crate::web::{Cursor, PAGE_SIZE, Page};

pub(crate) const ACTIVE: &str = "active";
pub(crate) const CANCELLED: &str = "cancelled";

/// A custom app with its enterprise, as both sides list it.
#[derive(Queryable, Clone, Debug)]
pub(crate) struct CustomApp {
    pub id: i64,
    pub template_id: i64,
    pub provider_org_id: i64,
    pub enterprise_org_id: i64,
    pub app_id: Option<i64>,
    pub status: String,
    pub name: String,
    pub intro: String,
    pub logo_key: String,
    pub homepage_url: String,
    pub trusted_domain: String,
    pub domain_token: String,
    pub ip_allow_list: String,
    pub callback_url: String,
    pub configured_at: Option<i64>,
    pub live_at: Option<i64>,
    pub authorised_at: i64,
    pub cancelled_at: Option<i64>,
    pub cancel_outcome: String,
    pub enterprise_name: String,
    pub provider_name: String,
    /// The app's state in the enterprise (开发中, 已启用 …), empty once deleted.
    pub app_state: Option<String>,
    pub usage_scope: Option<String>,
    pub is_test_org: bool,
}

impl CustomApp {
    pub(crate) fn is_active(&self) -> bool {
        self.status == ACTIVE
    }
    pub(crate) fn app_status(&self) -> Option<AppStatus> {
        self.app_state.as_deref().map(AppStatus::parse)
    }
    pub(crate) fn state_key(&self) -> &'static str {
        if !self.is_active() {
            return match CancelOutcome::parse(&self.cancel_outcome) {
                Some(CancelOutcome::Delete) => "customdev.app.cancelled_deleted",
                _ => "customdev.app.cancelled_kept",
            };
        }
        match self.app_status() {
            Some(AppStatus::Enabled) => "customdev.app.live",
            _ => "customdev.app.developing",
        }
    }
    pub(crate) fn badge(&self) -> &'static str {
        if !self.is_active() {
            "bad"
        } else if self.live_at.is_some() {
            "ok"
        } else {
            "warn"
        }
    }
    pub(crate) fn scope_key(&self) -> &'static str {
        ScopeKind::parse(self.usage_scope.as_deref().unwrap_or(""))
            .map_or("customdev.app.no_scope", ScopeKind::label_key)
    }
}

macro_rules! custom_app_query {
    () => {{
        let provider = diesel::alias!(orgs as provider);
        ca::table
            .inner_join(orgs::table.on(orgs::id.eq(ca::enterprise_org_id)))
            .inner_join(provider.on(provider.field(orgs::id).eq(ca::provider_org_id)))
            .left_join(apps::table.on(apps::id.nullable().eq(ca::app_id)))
            .select((
                (
                    ca::id,
                    ca::template_id,
                    ca::provider_org_id,
                    ca::enterprise_org_id,
                    ca::app_id,
                    ca::status,
                    ca::name,
                    ca::intro,
                    ca::logo_key,
                    ca::homepage_url,
                    ca::trusted_domain,
                    ca::domain_token,
                    ca::ip_allow_list,
                    ca::callback_url,
                    ca::configured_at,
                    ca::live_at,
                    ca::authorised_at,
                    ca::cancelled_at,
                    ca::cancel_outcome,
                ),
                orgs::name,
                provider.field(orgs::name),
                apps::state.nullable(),
                apps::usage_scope.nullable(),
                orgs::test_of_provider.is_not_null(),
            ))
    }};
}

type Raw = (
    (
        i64,
        i64,
        i64,
        i64,
        Option<i64>,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<i64>,
        Option<i64>,
        i64,
        Option<i64>,
        String,
    ),
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
);

fn from_raw(r: Raw) -> CustomApp {
    let (a, enterprise_name, provider_name, app_state, usage_scope, is_test_org) = r;
    CustomApp {
        id: a.0,
        template_id: a.1,
        provider_org_id: a.2,
        enterprise_org_id: a.3,
        app_id: a.4,
        status: a.5,
        name: a.6,
        intro: a.7,
        logo_key: a.8,
        homepage_url: a.9,
        trusted_domain: a.10,
        domain_token: a.11,
        ip_allow_list: a.12,
        callback_url: a.13,
        configured_at: a.14,
        live_at: a.15,
        authorised_at: a.16,
        cancelled_at: a.17,
        cancel_outcome: a.18,
        enterprise_name,
        provider_name,
        app_state,
        usage_scope,
        is_test_org,
    }
}

pub(crate) fn load(conn: &mut Conn, id: i64) -> AppResult<Option<CustomApp>> {
    let row: Option<Raw> = custom_app_query!()
        .filter(ca::id.eq(id))
        .first(conn)
        .optional()?;
    Ok(row.map(from_raw))
}

/// One of the provider's custom apps.
pub(crate) fn for_provider(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<CustomApp> {
    load(conn, id)?
        .filter(|c| c.provider_org_id == scope.org_id())
        .ok_or(AppError::NotFound)
}

/// One of the enterprise's custom apps.
pub(crate) fn for_enterprise(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<CustomApp> {
    load(conn, id)?
        .filter(|c| c.enterprise_org_id == scope.org_id())
        .ok_or(AppError::NotFound)
}

/// The enterprises that authorised a template (the provider's template page), newest first.
pub(crate) fn of_template(
    conn: &mut Conn,
    template_id: i64,
    cursor: Cursor,
) -> AppResult<Page<CustomApp>> {
    Page::fetch(
        cursor,
        |c: &CustomApp| c.id,
        |cursor| {
            let q = custom_app_query!()
                .filter(ca::template_id.eq(template_id))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            let rows: Vec<Raw> = crate::keyset!(q, cursor, ca::id, desc).load(&mut *conn)?;
            Ok(rows.into_iter().map(from_raw).collect())
        },
    )
}

/// The enterprise's custom apps (组织管理 › 代开发应用), newest first.
pub(crate) fn of_enterprise(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<Page<CustomApp>> {
    Page::fetch(
        cursor,
        |c: &CustomApp| c.id,
        |cursor| {
            let q = custom_app_query!()
                .filter(ca::enterprise_org_id.eq(scope.org_id()))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            let rows: Vec<Raw> = crate::keyset!(q, cursor, ca::id, desc).load(&mut *conn)?;
            Ok(rows.into_iter().map(from_raw).collect())
        },
    )
}

/// The active, configured custom apps of a template not yet live (提交上线's right side).
pub(crate) fn awaiting_go_live(conn: &mut Conn, template_id: i64) -> AppResult<Vec<CustomApp>> {
    let rows: Vec<Raw> = custom_app_query!()
        .filter(ca::template_id.eq(template_id))
        .filter(ca::status.eq(ACTIVE))
        .filter(ca::live_at.is_null())
        .order(ca::id.asc())
        .limit(200)
        .load(conn)?;
    Ok(rows.into_iter().map(from_raw).collect())
}

/// What authorising did: the apps created, and the templates skipped because the
/// enterprise already has their app (with that app).
#[derive(Debug, Default)]
pub(crate) struct Authorised {
    pub created: Vec<(String, i64)>,
    pub skipped: Vec<(String, i64)>,
}

/// The admins who may authorise (main and platform admins), for the refusal that names them.
pub(crate) fn admin_names(conn: &mut Conn, org_id: i64) -> AppResult<Vec<String>> {
    Ok(memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::role.eq_any(["main_admin", "platform_admin"]))
        .order(users::id.asc())
        .select(users::name)
        .load(conn)?)
}

/// The active authorisation of a template in the enterprise, if any.
pub(crate) fn active_for(conn: &mut Conn, template_id: i64, org_id: i64) -> AppResult<Option<i64>> {
    Ok(ca::table
        .filter(ca::template_id.eq(template_id))
        .filter(ca::enterprise_org_id.eq(org_id))
        .filter(ca::status.eq(ACTIVE))
        .select(ca::id)
        .first(conn)
        .optional()?)
}

/// The enterprise (the scope, an admin) authorises live templates: in one transaction,
/// a custom app 开发中 per template it has not authorised yet; the others are skipped.
/// A provider's test organisation may authorise only that provider's templates.
pub(crate) fn authorise(
    conn: &mut Conn,
    scope: &OrgScope,
    templates: &[Template],
) -> AppResult<Authorised> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden("customdev.error.admins_authorise"));
    }
    write_tx(conn, |conn| {
        let test_of: Option<i64> = orgs::table
            .find(scope.org_id())
            .select(orgs::test_of_provider)
            .first(conn)?;
        let mut out = Authorised::default();
        for tpl in templates {
            let Some(live) = tpl.live.as_ref() else {
                return Err(AppError::NotFound);
            };
            if test_of.is_some_and(|p| p != tpl.provider_org_id) {
                return Err(AppError::Forbidden(
                    "customdev.error.test_org_other_provider",
                ));
            }
            if tpl.provider_org_id == scope.org_id() {
                return Err(AppError::Conflict("customdev.error.own_template"));
            }
            if let Some(existing) = active_for(conn, tpl.id, scope.org_id())? {
                out.skipped.push((live.name.clone(), existing));
                continue;
            }
            let app_id = create_app(conn, scope, tpl)?;
            let res = diesel::insert_into(ca::table)
                .values((
                    ca::template_id.eq(tpl.id),
                    ca::provider_org_id.eq(tpl.provider_org_id),
                    ca::enterprise_org_id.eq(scope.org_id()),
                    ca::app_id.eq(Some(app_id)),
                    ca::status.eq(ACTIVE),
                    ca::name.eq(&live.name),
                    ca::intro.eq(&live.intro),
                    ca::logo_key.eq(&live.logo_key),
                    ca::callback_url.eq(&live.callback_url),
                    ca::domain_token.eq(crate::tools::new_token()),
                    ca::callback_token.eq(super::callbacks::template_token(conn, tpl.id)?),
                    ca::authorised_by.eq(scope.user_id()),
                    ca::authorised_at.eq(now()),
                ))
                .returning(ca::id)
                .get_result::<i64>(conn);
            let cid = match res {
                Ok(id) => id,
                // Two admins at once: the other's authorisation won; this one rolls back.
                Err(e) if is_unique_violation(&e) => {
                    return Err(AppError::Conflict("customdev.error.already_authorised"));
                }
                Err(e) => return Err(e.into()),
            };
            crate::notifications::notify_admins(
                conn,
                tpl.provider_org_id,
                "customdev.notify.authorised",
                &live.name,
                &format!("/provider/custom-dev/custom-apps/{cid}"),
            )?;
            super::callbacks::enqueue(
                conn,
                cid,
                super::callbacks::Event::Authorised,
                serde_json::json!({ "app_name": live.name }),
            )?;
            out.created.push((live.name.clone(), cid));
        }
        Ok(out)
    })
}

/// The custom app inside the enterprise: a copy of the template's starting app through
/// distribution's all-or-nothing copy, or an empty app with the template's name.
/// Nobody is in its usage scope until the enterprise's admin sets it.
fn create_app(conn: &mut Conn, scope: &OrgScope, tpl: &Template) -> AppResult<i64> {
    let live = tpl.live.as_ref().ok_or(AppError::NotFound)?;
    let source = match tpl.source_app_id {
        Some(s) => apps::table
            .find(s)
            .filter(apps::org_id.eq(tpl.provider_org_id))
            .filter(apps::state.ne(AppStatus::Deleted.as_str()))
            .select(apps::id)
            .first::<i64>(conn)
            .optional()?,
        None => None,
    };
    let id = match source {
        Some(source_app_id) => {
            let mut stage = crate::distribution::CopyStage::App;
            let (id, _) = crate::distribution::copy_app_into(
                conn,
                &crate::distribution::CopySpec {
                    source_app_id,
                    source_org_id: tpl.provider_org_id,
                    target_org_id: scope.org_id(),
                    owner_id: scope.user_id(),
                    state: AppStatus::Developing,
                    usage: ScopeKind::People,
                    provider_org_id: None,
                    maintenance_open: false,
                    options: crate::distribution::SendOptions {
                        with_sample: false,
                        with_connectors: true,
                        full_edit: true,
                    },
                },
                &mut stage,
            )?;
            diesel::update(apps::table.find(id))
                // The enterprise's own app, not a distributed copy of the provider's.
                .set((
                    apps::name.eq(&live.name),
                    apps::description.eq(&live.intro),
                    apps::source_app_id.eq(None::<i64>),
                ))
                .execute(conn)?;
            id
        }
        None => crate::apps::create_app_in(
            conn,
            scope.org_id(),
            scope.user_id(),
            NewApp {
                name: &live.name,
                // The template's logo is the app's icon, over a puzzle piece.
                glyph: "puzzle",
                color: "violet",
                image: &live.logo_key,
                description: &live.intro,
                premium: false,
            },
            AppStatus::Developing,
            ScopeKind::People,
        )?,
    };
    Ok(id)
}

/// The provider saves the enterprise's configuration (开始代开发应用); the app's name and
/// introduction follow it.
pub(crate) fn configure(
    conn: &mut Conn,
    scope: &OrgScope,
    id: i64,
    c: &AppConfig,
    logo_key: Option<String>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let cur = for_provider(conn, scope, id)?;
        if !cur.is_active() {
            return Err(AppError::Conflict("customdev.error.cancelled"));
        }
        let domain_changed = cur.trusted_domain != c.trusted_domain;
        diesel::update(ca::table.find(id))
            .set((
                ca::name.eq(&c.name),
                ca::intro.eq(&c.intro),
                ca::logo_key.eq(logo_key.unwrap_or(cur.logo_key)),
                ca::homepage_url.eq(&c.homepage_url),
                ca::trusted_domain.eq(&c.trusted_domain),
                ca::ip_allow_list.eq(&c.ip_allow_list),
                ca::callback_url.eq(&c.callback_url),
                ca::configured_at.eq(Some(now())),
            ))
            .execute(conn)?;
        if domain_changed {
            diesel::update(ca::table.find(id))
                .set(ca::domain_verified_at.eq(None::<i64>))
                .execute(conn)?;
        }
        if let Some(app_id) = cur.app_id {
            diesel::update(
                apps::table
                    .find(app_id)
                    .filter(apps::org_id.eq(cur.enterprise_org_id)),
            )
            .set((
                apps::name.eq(&c.name),
                apps::description.eq(&c.intro),
                apps::homepage_url.eq(&c.homepage_url),
            ))
            .execute(conn)?;
        }
        Ok(())
    })
}

/// The enterprise cancels an authorisation: the provider's access ends at once (the
/// delegation's lock sees the row change), and the app is kept as the enterprise's own
/// or deleted. The provider's admins are told which.
pub(crate) fn cancel(
    conn: &mut Conn,
    scope: &OrgScope,
    id: i64,
    outcome: CancelOutcome,
) -> AppResult<CustomApp> {
    if !scope.is_admin() {
        return Err(AppError::Forbidden("customdev.error.admins_cancel"));
    }
    write_tx(conn, |conn| {
        let n = diesel::update(
            ca::table
                .find(id)
                .filter(ca::enterprise_org_id.eq(scope.org_id()))
                .filter(ca::status.eq(ACTIVE)),
        )
        .set((
            ca::status.eq(CANCELLED),
            ca::cancelled_by.eq(Some(scope.user_id())),
            ca::cancelled_at.eq(Some(now())),
            ca::cancel_outcome.eq(outcome.as_str()),
        ))
        .execute(conn)?;
        if n != 1 {
            for_enterprise(conn, scope, id)?;
            return Err(AppError::Conflict("customdev.error.cancelled"));
        }
        let c = for_enterprise(conn, scope, id)?;
        if let Some(app_id) = c.app_id {
            let state = match outcome {
                CancelOutcome::Delete => AppStatus::Deleted,
                // Kept as the enterprise's own app, usable by its scope from now on.
                CancelOutcome::Keep => AppStatus::Enabled,
            };
            crate::apps::set_state(conn, scope.org_id(), app_id, state, None)?;
        }
        super::callbacks::enqueue(
            conn,
            id,
            super::callbacks::Event::Cancelled,
            serde_json::json!({ "outcome": outcome.as_str() }),
        )?;
        let title = match outcome {
            CancelOutcome::Keep => "customdev.notify.cancelled_kept",
            CancelOutcome::Delete => "customdev.notify.cancelled_deleted",
        };
        crate::notifications::notify_admins(
            conn,
            c.provider_org_id,
            title,
            &format!("{} · {}", c.name, c.enterprise_name),
            &format!("/provider/custom-dev/custom-apps/{id}"),
        )?;
        Ok(c)
    })
}

/// Marks the trusted domain verified (the caller fetched the token from it).
pub(crate) fn domain_verified(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<()> {
    diesel::update(
        ca::table
            .find(id)
            .filter(ca::provider_org_id.eq(scope.org_id())),
    )
    .set(ca::domain_verified_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}

pub(crate) fn domain_verified_at(conn: &mut Conn, id: i64) -> AppResult<Option<i64>> {
    Ok(ca::table
        .find(id)
        .select(ca::domain_verified_at)
        .first(conn)?)
}

/// The provider's test organisations (测试企业), oldest first.
pub(crate) fn test_orgs(
    conn: &mut Conn,
    scope: &OrgScope,
) -> AppResult<Vec<(i64, String, String)>> {
    Ok(orgs::table
        .filter(orgs::test_of_provider.eq(scope.org_id()))
        .order(orgs::id.asc())
        .select((orgs::id, orgs::name, orgs::corp_id))
        .load(conn)?)
}

/// Creates a test organisation with the caller as its main admin; at most
/// [`MAX_TEST_ORGS`] per provider.
pub(crate) fn create_test_org(conn: &mut Conn, scope: &OrgScope, name: &str) -> AppResult<i64> {
    write_tx(conn, |conn| {
        // Lock the provider's row so two creations cannot both pass the count.
        diesel::update(orgs::table.find(scope.org_id()))
            .set(orgs::id.eq(orgs::id))
            .execute(conn)?;
        let n: i64 = orgs::table
            .filter(orgs::test_of_provider.eq(scope.org_id()))
            .count()
            .get_result(conn)?;
        if n >= MAX_TEST_ORGS {
            return Err(AppError::Conflict("customdev.error.test_org_limit"));
        }
        crate::org::create_test_org(conn, scope.org_id(), name, scope.user_id())
    })
}

/// Facts a delegation check needs, in one query.
pub(crate) struct DelegationFacts {
    pub app_id: Option<i64>,
    pub status: String,
    pub provider_org_id: i64,
    pub enterprise_org_id: i64,
    pub app_name: String,
    pub enterprise_name: String,
    pub corp_id: String,
    pub edition: String,
}

pub(crate) fn delegation_facts(conn: &mut Conn, id: i64) -> AppResult<Option<DelegationFacts>> {
    type Row = (
        Option<i64>,
        String,
        i64,
        i64,
        String,
        String,
        String,
        String,
    );
    let row: Option<Row> = ca::table
        .inner_join(orgs::table.on(orgs::id.eq(ca::enterprise_org_id)))
        .filter(ca::id.eq(id))
        .select((
            ca::app_id,
            ca::status,
            ca::provider_org_id,
            ca::enterprise_org_id,
            ca::name,
            orgs::name,
            orgs::corp_id,
            orgs::edition,
        ))
        .first(conn)
        .optional()?;
    Ok(row.map(|r| DelegationFacts {
        app_id: r.0,
        status: r.1,
        provider_org_id: r.2,
        enterprise_org_id: r.3,
        app_name: r.4,
        enterprise_name: r.5,
        corp_id: r.6,
        edition: r.7,
    }))
}

/// Takes the authorisation's row lock for the rest of the transaction, so a
/// cancellation either came first or waits for the action.
pub(crate) fn lock(conn: &mut Conn, id: i64) -> AppResult<()> {
    diesel::update(ca::table.find(id))
        .set(ca::id.eq(ca::id))
        .execute(conn)?;
    Ok(())
}
