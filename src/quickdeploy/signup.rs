//! Registration on quick deploy's public pages (the deploy link and the team invitation
//! link): the only self-registration in Fenfa, throttled and capped per address; and the
//! sign-in that follows it.

use axum::http::HeaderMap;
use serde::Deserialize;

use super::deploy_store as store;
use crate::auth::{Ctx, SESSION_ORG, SESSION_USER};
use crate::error::{AppError, AppResult};
use crate::org::{Login, NewAccount, NewPassword, PersonName};
use crate::web::client::{Peer, client_ip};
use crate::web::{AppState, Errors};

#[derive(Deserialize, Default, Clone)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub login: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub password_confirm: String,
}

impl RegisterForm {
    /// What the form shows again after a refusal: never the passwords.
    pub(crate) fn kept(&self) -> RegisterForm {
        RegisterForm {
            name: self.name.clone(),
            login: self.login.clone(),
            ..RegisterForm::default()
        }
    }
}

/// Why a registration made no account.
pub(crate) enum Refused {
    /// The address is over its hourly caps (the message key).
    Throttled(&'static str),
    /// Errors beside the fields (a taken login among them).
    Fields(Errors),
}

fn check(f: &RegisterForm) -> Result<NewAccount, Errors> {
    let mut e = Errors::default();
    let name = PersonName::parse(&f.name)
        .map_err(|k| e.add("name", k))
        .ok();
    let login = Login::parse(&f.login).map_err(|k| e.add("login", k)).ok();
    let password = NewPassword::parse(&f.password)
        .map_err(|k| e.add("password", k))
        .ok();
    if f.password != f.password_confirm {
        e.add(
            "password_confirm",
            "quickdeploy.deploy.error.password_mismatch",
        );
    }
    match (name, login, password) {
        (Some(name), Some(login), Some(password)) if e.is_empty() => Ok(NewAccount {
            login,
            name,
            password,
            is_operator: false,
        }),
        _ => Err(e),
    }
}

/// Registers the visitor and signs them in: the new user's id, or why not. Each attempt
/// counts against the address (checked before the argon2 hash, which runs off the
/// runtime).
pub(crate) async fn register(
    state: &AppState,
    ctx: &Ctx,
    peer: Peer,
    headers: &HeaderMap,
    form: &RegisterForm,
) -> AppResult<Result<i64, Refused>> {
    let ip = client_ip(state, headers, peer);
    let i = ip.clone();
    let attempt = match state
        .db
        .run(move |conn| store::signup_attempt(conn, &i))
        .await?
    {
        Ok(a) => a,
        Err(why) => return Ok(Err(Refused::Throttled(why))),
    };
    let account = match check(form) {
        Ok(a) => a,
        Err(e) => return Ok(Err(Refused::Fields(e))),
    };
    let hash = state.hasher.hash(form.password.clone()).await?;
    let created = state
        .db
        .run(move |conn| store::register(conn, attempt, &ip, &account, &hash))
        .await?;
    match created {
        Ok(uid) => {
            sign_in(ctx, uid, None).await?;
            Ok(Ok(uid))
        }
        Err(e) => Ok(Err(Refused::Fields(e))),
    }
}

/// Signs `uid` in as the login does (a new session id against fixation), in `org`.
pub(crate) async fn sign_in(ctx: &Ctx, uid: i64, org: Option<i64>) -> AppResult<()> {
    let session = &ctx.session;
    session.cycle_id().await.map_err(AppError::internal)?;
    session
        .insert(SESSION_USER, uid)
        .await
        .map_err(AppError::internal)?;
    if let Some(o) = org {
        session
            .insert(SESSION_ORG, o)
            .await
            .map_err(AppError::internal)?;
    }
    tracing::info!(user.id = uid, "signed in on a quick-deploy page");
    Ok(())
}
