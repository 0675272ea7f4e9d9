//! The customer's flow in the database: registration with its per-address caps, the team
//! (a new organisation, or one the customer administers) and its deployment row, members
//! entered on the spot with their welcome links, authorisation (the app's copy and the
//! callback event in one transaction), scope and start.

use diesel::prelude::*;

use super::deploy::{Progress, RowInput, TeamKind, check_rows, new_corp_id, signup_refusal};
use super::events;
use super::model::Application;
use crate::apps::AppStatus;
use crate::auth::Role;
use crate::db::schema::{memberships, qd_deployments as d, qd_member_invites as mi, qd_signups};
use crate::db::schema::{orgs, users};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::distribution::{CopySpec, CopyStage, SendOptions, copy_app_into};
use crate::error::{AppError, AppResult};
use crate::org::{Login, NewAccount, OrgName, PersonName, ScopeKind};
use crate::web::Errors;

/// A welcome link (to set a password) is valid this long.
pub(crate) const WELCOME_SECS: i64 = 7 * 24 * 3600;
const HOUR: i64 = 3600;

/// A deployment row, every column (the provider's pages read the ones the steps do not).
#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = d)]
#[allow(dead_code)]
pub(crate) struct Deployment {
    pub id: i64,
    pub application_id: i64,
    pub org_id: i64,
    pub product_id: i64,
    pub team_kind: String,
    pub created_by: i64,
    pub created_at: i64,
    pub serial: Option<String>,
    pub serial_at: Option<i64>,
    pub app_id: Option<i64>,
    pub authorised_by: Option<i64>,
    pub authorised_at: Option<i64>,
    pub scoped_at: Option<i64>,
    pub started_at: Option<i64>,
}

impl Deployment {
    pub(crate) fn progress(&self) -> Progress {
        Progress {
            serial: self.serial.is_some(),
            authorised: self.authorised_at.is_some(),
            scoped: self.scoped_at.is_some(),
            started: self.started_at.is_some(),
        }
    }
}

/// The deployment of `application` into `org`, if the organisation has one.
pub(crate) fn deployment_of(
    conn: &mut Conn,
    application: i64,
    org: i64,
) -> AppResult<Option<Deployment>> {
    Ok(d::table
        .filter(d::application_id.eq(application))
        .filter(d::org_id.eq(org))
        .select(Deployment::as_select())
        .first(conn)
        .optional()?)
}

/// One registration attempt from `ip`: refused (the reason) when the address is over its
/// hourly caps; otherwise counted, and the attempt's id returned.
pub(crate) fn signup_attempt(conn: &mut Conn, ip: &str) -> AppResult<Result<i64, &'static str>> {
    write_tx(conn, |conn| {
        let since = now() - HOUR;
        let recent = qd_signups::table
            .filter(qd_signups::ip.eq(ip))
            .filter(qd_signups::at.gt(since));
        let attempts: i64 = recent.count().get_result(conn)?;
        let accounts: i64 = recent
            .filter(qd_signups::user_id.is_not_null())
            .count()
            .get_result(conn)?;
        if let Some(why) = signup_refusal(attempts, accounts) {
            return Ok(Err(why));
        }
        let id = diesel::insert_into(qd_signups::table)
            .values((qd_signups::ip.eq(ip), qd_signups::at.eq(now())))
            .returning(qd_signups::id)
            .get_result(conn)?;
        Ok(Ok(id))
    })
}

/// Creates the account of a registration attempt (a taken login is the field error) and
/// marks the attempt as having made it, checking the address's account cap again in the
/// same transaction.
pub(crate) fn register(
    conn: &mut Conn,
    attempt: i64,
    ip: &str,
    account: &NewAccount,
    hash: &str,
) -> AppResult<Result<i64, Errors>> {
    write_tx(conn, |conn| {
        let accounts: i64 = qd_signups::table
            .filter(qd_signups::ip.eq(ip))
            .filter(qd_signups::at.gt(now() - HOUR))
            .filter(qd_signups::user_id.is_not_null())
            .count()
            .get_result(conn)?;
        if let Some(why) = signup_refusal(0, accounts) {
            let mut e = Errors::default();
            e.add("login", why);
            return Ok(Err(e));
        }
        let user = match crate::org::insert_user(conn, account, hash)? {
            Ok(u) => u,
            Err(e) => return Ok(Err(e)),
        };
        diesel::update(qd_signups::table.find(attempt))
            .set(qd_signups::user_id.eq(Some(user.0)))
            .execute(conn)?;
        tracing::info!(user.id = user.0, "registered on a quick-deploy link");
        Ok(Ok(user.0))
    })
}

/// A refusal that rolls the team's transaction back (fields to show) or a failure.
enum TeamError {
    Refused(Errors),
    App(AppError),
}

impl From<AppError> for TeamError {
    fn from(e: AppError) -> Self {
        TeamError::App(e)
    }
}

impl From<diesel::result::Error> for TeamError {
    fn from(e: diesel::result::Error) -> Self {
        TeamError::App(e.into())
    }
}

/// What the team form asked for, checked.
pub(crate) enum TeamChoice {
    One(OrgName),
    Many(OrgName, Vec<RowInput>),
    Existing(i64),
}

/// Records the deployment of `app` into `org` (coming back continues the same row).
fn deployment_row(
    conn: &mut Conn,
    app: &Application,
    org: i64,
    kind: TeamKind,
    creator: i64,
) -> AppResult<i64> {
    if let Some(x) = deployment_of(conn, app.id, org)? {
        return Ok(x.id);
    }
    let done = diesel::insert_into(d::table)
        .values((
            d::application_id.eq(app.id),
            d::org_id.eq(org),
            d::product_id.eq(app.target_product()),
            d::team_kind.eq(kind.as_str()),
            d::created_by.eq(creator),
            d::created_at.eq(now()),
        ))
        .returning(d::id)
        .get_result::<i64>(conn);
    match done {
        Ok(id) => Ok(id),
        // A twin click inserted it first (PostgreSQL; SQLite's lock serialises them).
        Err(e) if is_unique_violation(&e) => deployment_of(conn, app.id, org)?
            .map(|x| x.id)
            .ok_or(AppError::Conflict("error.conflict")),
        Err(e) => Err(e.into()),
    }
}

/// Creates the team (or takes the organisation the creator administers) and its
/// deployment, all or nothing: (organisation, deployment).
pub(crate) fn create_team(
    conn: &mut Conn,
    app: &Application,
    creator: i64,
    choice: &TeamChoice,
) -> AppResult<Result<(i64, i64), Errors>> {
    let done = write_tx(conn, |conn| -> Result<(i64, i64), TeamError> {
        let (org, kind) = match choice {
            TeamChoice::Existing(org) => {
                let role: Option<String> = memberships::table
                    .filter(memberships::org_id.eq(org))
                    .filter(memberships::user_id.eq(creator))
                    .select(memberships::role)
                    .first(conn)
                    .optional()?;
                let admin = role
                    .as_deref()
                    .and_then(Role::parse)
                    .is_some_and(|r| matches!(r, Role::MainAdmin | Role::PlatformAdmin));
                if !admin {
                    let mut e = Errors::default();
                    e.add("org_id", "quickdeploy.deploy.error.not_admin");
                    return Err(TeamError::Refused(e));
                }
                (*org, TeamKind::Existing)
            }
            TeamChoice::One(name) => (
                crate::org::create_team(conn, name.as_str(), &new_corp_id(), creator)?,
                TeamKind::One,
            ),
            TeamChoice::Many(name, rows) => {
                let creator_login: String = users::table
                    .find(creator)
                    .select(users::login)
                    .first(conn)?;
                let people = check_rows(rows, &creator_login).map_err(TeamError::Refused)?;
                let org = crate::org::create_team(conn, name.as_str(), &new_corp_id(), creator)?;
                add_entered_people(conn, org, rows, people)?;
                (org, TeamKind::Many)
            }
        };
        let dep = deployment_row(conn, app, org, kind, creator)?;
        Ok((org, dep))
    });
    match done {
        Ok(x) => Ok(Ok(x)),
        Err(TeamError::Refused(e)) => Ok(Err(e)),
        Err(TeamError::App(e)) => Err(e),
    }
}

/// The people entered on the spot: an account each without a usable password, a member
/// of the team, and a welcome link. A login already taken is the error beside its row.
fn add_entered_people(
    conn: &mut Conn,
    org: i64,
    rows: &[RowInput],
    people: Vec<(PersonName, Login)>,
) -> Result<(), TeamError> {
    let mut errors = Errors::default();
    let mut made = Vec::new();
    for (name, login) in people {
        let row = rows
            .iter()
            .position(|r| r.login.trim() == login.as_str())
            .unwrap_or(0);
        match crate::org::insert_user_without_password(conn, &login, &name)? {
            Ok(u) => made.push(u),
            Err(_) => errors.add(&format!("login_{row}"), "org.error.login_taken"),
        }
    }
    if !errors.is_empty() {
        return Err(TeamError::Refused(errors));
    }
    let t = now();
    for user in made {
        crate::org::insert_membership(conn, org, user, Role::Member, "rows")?
            .map_err(TeamError::Refused)?;
        diesel::insert_into(mi::table)
            .values((
                mi::org_id.eq(org),
                mi::user_id.eq(user.0),
                mi::token.eq(crate::tools::new_token()),
                mi::created_at.eq(t),
                mi::expires_at.eq(t + WELCOME_SECS),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// A person entered on the spot, with their welcome link's token while it is unused.
#[derive(Clone, Debug)]
pub(crate) struct Entered {
    pub name: String,
    pub login: String,
    pub token: String,
    pub expires_at: i64,
    pub used: bool,
}

/// The people entered on the spot into `org`, in the order entered.
pub(crate) fn entered_of(conn: &mut Conn, org: i64) -> AppResult<Vec<Entered>> {
    let rows: Vec<(String, String, String, i64, Option<i64>)> = mi::table
        .inner_join(users::table.on(users::id.eq(mi::user_id)))
        .filter(mi::org_id.eq(org))
        .order(mi::id.asc())
        .limit(100)
        .select((
            users::name,
            users::login,
            mi::token,
            mi::expires_at,
            mi::used_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(name, login, token, expires_at, used)| Entered {
            name,
            login,
            token,
            expires_at,
            used: used.is_some(),
        })
        .collect())
}

/// A welcome link as its person opens it: (name, login, team name), when it is unused
/// and not expired.
pub(crate) fn welcome(conn: &mut Conn, token: &str) -> AppResult<Option<(String, String, String)>> {
    Ok(mi::table
        .inner_join(users::table.on(users::id.eq(mi::user_id)))
        .inner_join(orgs::table.on(orgs::id.eq(mi::org_id)))
        .filter(mi::token.eq(token))
        .filter(mi::used_at.is_null())
        .filter(mi::expires_at.gt(now()))
        .select((users::name, users::login, orgs::name))
        .first(conn)
        .optional()?)
}

/// Uses a welcome link once: sets the person's password; (user, organisation).
pub(crate) fn use_welcome(
    conn: &mut Conn,
    token: &str,
    hash: &str,
) -> AppResult<Option<(i64, i64)>> {
    write_tx(conn, |conn| {
        let t = now();
        let n = diesel::update(
            mi::table
                .filter(mi::token.eq(token))
                .filter(mi::used_at.is_null())
                .filter(mi::expires_at.gt(t)),
        )
        .set(mi::used_at.eq(Some(t)))
        .execute(conn)?;
        if n != 1 {
            return Ok(None);
        }
        let (user, org): (i64, i64) = mi::table
            .filter(mi::token.eq(token))
            .select((mi::user_id, mi::org_id))
            .first(conn)?;
        diesel::update(users::table.find(user))
            .set(users::password_hash.eq(hash))
            .execute(conn)?;
        Ok(Some((user, org)))
    })
}

/// The entitlement check (功能权益) of a deployment, as a provider's send makes it (seed
/// 000: the customer is told, the delivery still allowed; a new team starts on the free
/// edition and may upgrade later): the label keys of the features the product's app `source` uses that the edition
/// of `org` lacks, and that edition's label key.
pub(crate) fn lacking(
    conn: &mut Conn,
    org: i64,
    source: i64,
) -> AppResult<(Vec<&'static str>, &'static str)> {
    let edition: String = orgs::table.find(org).select(orgs::edition).first(conn)?;
    let lacking = crate::distribution::lacking_features(conn, source, &edition)?;
    let label = crate::org::Edition::parse(&edition)
        .unwrap_or(crate::org::Edition::Free)
        .label_key();
    Ok((lacking, label))
}

/// 立即授权: copies the product's app into the team (all or nothing) and enqueues the
/// deployment's callback event, in one transaction; a second click finds it done and
/// copies nothing. The copy's id.
pub(crate) fn authorise(
    conn: &mut Conn,
    app: &Application,
    deployment: i64,
    user: i64,
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let product = crate::appcentre::product_ref(conn, app.target_product())?;
        let t = now();
        // The claim first: a concurrent twin waits on this row and then finds it taken.
        let claimed = diesel::update(
            d::table
                .filter(d::id.eq(deployment))
                .filter(d::authorised_at.is_null()),
        )
        .set((
            d::authorised_at.eq(Some(t)),
            d::authorised_by.eq(Some(user)),
        ))
        .execute(conn)?;
        let dep: Deployment = d::table
            .find(deployment)
            .select(Deployment::as_select())
            .first(conn)?;
        if claimed == 0 {
            return dep.app_id.ok_or(AppError::Conflict("error.conflict"));
        }
        let mut stage = CopyStage::App;
        let (copy, _) = copy_app_into(
            conn,
            &CopySpec {
                source_app_id: product.app_id,
                source_org_id: product.provider_org_id,
                target_org_id: dep.org_id,
                owner_id: user,
                state: AppStatus::Enabled,
                // Nobody but its admins until the scope step names who uses it.
                usage: ScopeKind::People,
                provider_org_id: Some(product.provider_org_id),
                maintenance_open: false,
                options: SendOptions {
                    with_sample: false,
                    with_connectors: true,
                    full_edit: false,
                },
            },
            &mut stage,
        )?;
        diesel::update(d::table.find(deployment))
            .set((d::app_id.eq(Some(copy)), d::product_id.eq(product.id)))
            .execute(conn)?;
        events::deployed(conn, deployment)?;
        tracing::info!(
            deployment = deployment,
            app.id = copy,
            "quick deploy authorised"
        );
        Ok(copy)
    })
}

/// Marks the scope step done (the scope itself is the apps domain's).
pub(crate) fn mark_scoped(conn: &mut Conn, deployment: i64) -> AppResult<()> {
    diesel::update(d::table.find(deployment))
        .set(d::scoped_at.eq(Some(now())))
        .execute(conn)?;
    Ok(())
}

/// 开始使用: marks the deployment started (once).
pub(crate) fn mark_started(conn: &mut Conn, deployment: i64) -> AppResult<()> {
    diesel::update(
        d::table
            .filter(d::id.eq(deployment))
            .filter(d::started_at.is_null()),
    )
    .set(d::started_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}
