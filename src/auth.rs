//! Who is asking, and in which organisation. The extractors here are the only place that
//! can produce an [`OrgScope`], the proof every tenant query asks for.

pub mod delegation;
pub mod device;
pub mod password;
pub mod session_store;
pub mod store;
pub mod throttle;

use std::sync::{Arc, Mutex};

use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

use crate::config::SessionPolicy;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

pub use delegation::{Delegation, DelegationSource, Delegations};

/// An organisation role (组织角色).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Role {
    MainAdmin,
    PlatformAdmin,
    SubAdmin,
    Member,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::MainAdmin,
        Role::PlatformAdmin,
        Role::SubAdmin,
        Role::Member,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::MainAdmin => "main_admin",
            Role::PlatformAdmin => "platform_admin",
            Role::SubAdmin => "sub_admin",
            Role::Member => "member",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Role::MainAdmin => "role.main_admin",
            Role::PlatformAdmin => "role.platform_admin",
            Role::SubAdmin => "role.sub_admin",
            Role::Member => "role.member",
        }
    }
}

/// A sub-admin's permission point (权限点).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perm {
    Members,
    Apps,
    Interconnect,
    Provider,
}

impl Perm {
    pub const ALL: [Perm; 4] = [
        Perm::Members,
        Perm::Apps,
        Perm::Interconnect,
        Perm::Provider,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Perm::Members => "members",
            Perm::Apps => "apps",
            Perm::Interconnect => "interconnect",
            Perm::Provider => "provider",
        }
    }

    pub fn parse(s: &str) -> Option<Perm> {
        Perm::ALL.into_iter().find(|p| p.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Perm::Members => "perm.members",
            Perm::Apps => "perm.apps",
            Perm::Interconnect => "perm.interconnect",
            Perm::Provider => "perm.provider",
        }
    }

    /// Parses the stored comma list, ignoring unknown points.
    pub fn parse_list(s: &str) -> Vec<Perm> {
        s.split(',').filter_map(|p| Perm::parse(p.trim())).collect()
    }

    pub fn join(perms: &[Perm]) -> String {
        perms
            .iter()
            .map(|p| p.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// One of the signed-in user's organisations, as shown in the switcher.
#[derive(Clone, Debug)]
pub struct MembershipView {
    pub org_id: i64,
    pub org_name: String,
    pub corp_id: String,
    pub edition: String,
    pub certified: bool,
    pub provider_level: String,
    pub role: Role,
    pub perms: Vec<Perm>,
    pub can_build_apps: bool,
    /// Set only on the virtual membership that `store::load_current` builds when the
    /// session holds a live delegation (remote maintenance, 远程维护). The user is then a
    /// plain member of the granting organisation, app admin of the grant's app and nothing
    /// else (see `apps::store::find_app_for_edit`).
    pub grant: Option<Delegation>,
}

#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub id: i64,
    pub login: String,
    pub name: String,
    pub is_operator: bool,
    pub memberships: Vec<MembershipView>,
    /// Index into `memberships` of the organisation currently selected.
    pub current: Option<usize>,
    /// Unread notifications in the current organisation (the count beside 通知).
    pub unread: i64,
}

impl CurrentUser {
    pub fn current(&self) -> Option<&MembershipView> {
        self.current.and_then(|i| self.memberships.get(i))
    }
}

/// The proof that `user` may act inside `org` with `role`. Only this module builds it,
/// and every store function over tenant data takes one.
#[derive(Clone, Debug)]
pub struct OrgScope {
    org_id: i64,
    user_id: i64,
    role: Role,
    perms: Vec<Perm>,
    can_build_apps: bool,
    /// Set while acting under a live maintenance grant: (grant id, its app, provider org).
    grant: Option<ScopeGrant>,
}

#[derive(Clone, Copy, Debug)]
struct ScopeGrant {
    grant_id: i64,
    app_id: i64,
    provider_org_id: i64,
}

impl OrgScope {
    pub fn org_id(&self) -> i64 {
        self.org_id
    }
    pub fn user_id(&self) -> i64 {
        self.user_id
    }
    pub fn role(&self) -> Role {
        self.role
    }
    /// Main admin or platform admin (平台管理员): may purchase, manage members and apps.
    pub fn is_admin(&self) -> bool {
        matches!(self.role, Role::MainAdmin | Role::PlatformAdmin)
    }
    pub fn has_perm(&self, p: Perm) -> bool {
        self.is_admin() || (self.role == Role::SubAdmin && self.perms.contains(&p))
    }
    pub fn can_manage_members(&self) -> bool {
        self.has_perm(Perm::Members)
    }
    /// App-building rights: admins, sub-admins with the apps point, flagged developers.
    pub fn can_build_apps(&self) -> bool {
        self.can_build_apps || self.has_perm(Perm::Apps)
    }

    /// The one app a maintenance grant covers, when acting under one.
    pub fn grant_app(&self) -> Option<i64> {
        self.grant.map(|g| g.app_id)
    }
    pub fn grant_id(&self) -> Option<i64> {
        self.grant.map(|g| g.grant_id)
    }
    pub fn grant_provider_org(&self) -> Option<i64> {
        self.grant.map(|g| g.provider_org_id)
    }

    /// A plain member of `org_id` with no rights: for asking a rule "may this person …"
    /// on someone's behalf (the provider API acting for a member).
    pub fn member(org_id: i64, user_id: i64) -> OrgScope {
        OrgScope {
            org_id,
            user_id,
            role: Role::Member,
            perms: vec![],
            can_build_apps: false,
            grant: None,
        }
    }

    /// For tests and the demo loader, which act without a request.
    pub fn system(org_id: i64, user_id: i64, role: Role) -> OrgScope {
        OrgScope {
            org_id,
            user_id,
            role,
            perms: vec![],
            can_build_apps: true,
            grant: None,
        }
    }
}

/// Filled by the `Ctx` extractor so that an error page rendered later can show the same
/// navigation as the page that failed.
#[derive(Clone, Default)]
pub struct CtxSlot(pub Arc<Mutex<Option<Ctx>>>);

/// What every page needs: language, the user (if any), the flash message, the path.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub user: Option<CurrentUser>,
    pub flash: Option<String>,
    pub path: String,
    pub session: Session,
}

/// The session keys we store. Kept tiny: a page view reads them and writes nothing.
pub const SESSION_USER: &str = "uid";
pub const SESSION_ORG: &str = "org";
/// The grant the user entered; honoured only while the grant is live.
pub const SESSION_GRANT: &str = "grant";
/// Which [`DelegationSource`] issued the grant in [`SESSION_GRANT`].
pub const SESSION_GRANT_KIND: &str = "grant_kind";

#[derive(Deserialize, Default)]
pub struct SessionData {
    pub uid: Option<i64>,
    pub org: Option<i64>,
    pub grant: Option<i64>,
    pub grant_kind: Option<String>,
}

/// What the extractors need from the application: the database, the session lifetimes
/// and the registered delegation sources. The assembled application state provides it
/// through `FromRef`, so `auth` depends on nothing above it.
#[derive(Clone)]
pub struct AuthState {
    pub db: Db,
    pub sessions: SessionPolicy,
    pub delegations: Delegations,
}

impl<S> FromRequestParts<S> for Ctx
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<Ctx> {
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
        let app = AuthState::from_ref(state);
        let session = Session::from_request_parts(parts, state)
            .await
            .map_err(|(_, m)| AppError::internal(m))?;
        let lang = Lang::from_headers(&parts.headers);
        let flash = crate::tools::cookie(&parts.headers, crate::tools::http::FLASH_COOKIE)
            .filter(|k| crate::tools::http::is_flash_key(k));
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_string())
            .unwrap_or_else(|| "/".into());
        let user = match session.id() {
            Some(id) => {
                let sid = id.to_string();
                let policy = app.sessions;
                let s = sid.clone();
                let delegations = app.delegations.clone();
                // Point reads only: on SQLite they run here, so that a page costs one
                // blocking-pool hop (its own queries), not two.
                let loaded = app
                    .db
                    .read_inline(move |conn| store::load_current(conn, &s, policy, &delegations))
                    .await?;
                if loaded.touch {
                    app.db
                        .run(move |conn| store::touch(conn, &sid, policy))
                        .await?;
                }
                loaded.user
            }
            None => None,
        };
        let ctx = Ctx {
            lang,
            user,
            flash,
            path,
            session,
        };
        if let Some(slot) = parts.extensions.get::<CtxSlot>()
            && let Ok(mut guard) = slot.0.lock()
        {
            *guard = Some(ctx.clone());
        }
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}

impl Ctx {
    pub fn require_user(&self) -> AppResult<&CurrentUser> {
        self.user
            .as_ref()
            .ok_or_else(|| AppError::LoginRequired(self.path.clone()))
    }

    pub fn scope(&self) -> AppResult<OrgScope> {
        let user = self.require_user()?;
        let m = user.current().ok_or(AppError::Forbidden("error.no_org"))?;
        Ok(OrgScope {
            org_id: m.org_id,
            user_id: user.id,
            role: m.role,
            perms: m.perms.clone(),
            can_build_apps: m.can_build_apps,
            grant: m.grant.as_ref().map(|g| ScopeGrant {
                grant_id: g.grant_id,
                app_id: g.app_id,
                provider_org_id: g.provider_org_id,
            }),
        })
    }
}

macro_rules! guard {
    ($(#[$doc:meta])* $name:ident, |$ctx:ident| $body:expr) => {
        $(#[$doc])*
        pub struct $name {
            pub ctx: Ctx,
            pub scope: OrgScope,
        }

        impl<S> FromRequestParts<S> for $name
        where
            S: Send + Sync,
            AuthState: FromRef<S>,
        {
            type Rejection = AppError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<$name> {
                let $ctx = Ctx::from_request_parts(parts, state).await?;
                let scope: OrgScope = $body?;
                Ok($name { ctx: $ctx, scope })
            }
        }
    };
}

guard!(
    /// Any member of the currently selected organisation.
    InOrg,
    |ctx| ctx.scope()
);

guard!(
    /// Main admin or platform admin of the current organisation.
    OrgAdmin,
    |ctx| ctx.scope().and_then(|s| if s.is_admin() {
        Ok(s)
    } else {
        Err(AppError::Forbidden("error.admin_only"))
    })
);

guard!(
    /// May manage members and departments: admins and sub-admins with that point.
    MemberManager,
    |ctx| ctx.scope().and_then(|s| if s.can_manage_members() {
        Ok(s)
    } else {
        Err(AppError::Forbidden("error.members_only"))
    })
);

guard!(
    /// May create and edit apps: admins, app sub-admins and members with building rights.
    AppBuilder,
    |ctx| ctx.scope().and_then(|s| if s.can_build_apps() {
        Ok(s)
    } else {
        Err(AppError::Forbidden("error.builders_only"))
    })
);

/// Any signed-in user, in an organisation or not.
pub struct Signed {
    pub ctx: Ctx,
    pub user: CurrentUser,
}

impl<S> FromRequestParts<S> for Signed
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<Signed> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let user = ctx.require_user()?.clone();
        Ok(Signed { ctx, user })
    }
}

/// The platform operator (平台运营).
pub struct Operator {
    pub ctx: Ctx,
    pub user_id: i64,
}

impl<S> FromRequestParts<S> for Operator
where
    S: Send + Sync,
    AuthState: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> AppResult<Operator> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let user = ctx.require_user()?;
        if !user.is_operator {
            return Err(AppError::Forbidden("error.operator_only"));
        }
        let user_id = user.id;
        Ok(Operator { ctx, user_id })
    }
}
