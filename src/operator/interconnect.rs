//! The operator's per-organisation overrides of the interconnection limits ("如需扩容，可以
//! 联系我们"): spaces it may create, spaces it may join, people per space, organisations per
//! space, and its licence seat pool. An empty field returns to the default for the
//! organisation's certification (or edition, for seats).

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use diesel::prelude::*;
use serde::Deserialize;

use crate::auth::Operator;
use crate::db::schema::orgs;
use crate::db::{Conn, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::policy::{Policy, Routes};
use crate::web::{AppState, flash_redirect};

pub(crate) fn router() -> Routes {
    Routes::new()
        .post("/operator/orgs/{id}/interconnect", Policy::Operator, save)
        .merge(super::seat_orders::router())
}

/// The overrides as stored: `None` means the default.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Overrides {
    pub max_spaces: Option<i32>,
    pub max_joined: Option<i32>,
    pub max_people: Option<i32>,
    pub max_orgs: Option<i32>,
    pub seat_pool: Option<i32>,
}

impl Overrides {
    fn show(v: Option<i32>) -> String {
        v.map(|n| n.to_string()).unwrap_or_default()
    }
    pub(crate) fn spaces(&self) -> String {
        Self::show(self.max_spaces)
    }
    pub(crate) fn joined(&self) -> String {
        Self::show(self.max_joined)
    }
    pub(crate) fn people(&self) -> String {
        Self::show(self.max_people)
    }
    pub(crate) fn orgs(&self) -> String {
        Self::show(self.max_orgs)
    }
    pub(crate) fn seats(&self) -> String {
        Self::show(self.seat_pool)
    }
}

#[derive(Deserialize, Default)]
pub(crate) struct OverridesForm {
    #[serde(default)]
    ic_max_spaces: String,
    #[serde(default)]
    ic_max_joined: String,
    #[serde(default)]
    ic_max_people: String,
    #[serde(default)]
    ic_max_orgs: String,
    #[serde(default)]
    seat_pool: String,
    /// Ticked to lower the pool below the seats in use after the warning.
    #[serde(default)]
    confirm_below: String,
}

/// A limit: empty for the default, else 0–1,000,000.
pub(crate) fn parse_limit(raw: &str) -> Result<Option<i32>, AppError> {
    let s = raw.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i32>() {
        Ok(n) if (0..=1_000_000).contains(&n) => Ok(Some(n)),
        _ => Err(AppError::BadRequest("operator.interconnect.error.limit")),
    }
}

impl OverridesForm {
    pub(crate) fn parse(&self) -> Result<Overrides, AppError> {
        Ok(Overrides {
            max_spaces: parse_limit(&self.ic_max_spaces)?,
            max_joined: parse_limit(&self.ic_max_joined)?,
            max_people: parse_limit(&self.ic_max_people)?,
            max_orgs: parse_limit(&self.ic_max_orgs)?,
            seat_pool: parse_limit(&self.seat_pool)?,
        })
    }
}

/// The organisation's current overrides (404 for an unknown organisation).
pub(crate) fn load(conn: &mut Conn, org_id: i64) -> AppResult<Overrides> {
    #[expect(clippy::type_complexity, reason = "five nullable columns")]
    let (s, j, p, o, seats): (
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
        Option<i32>,
    ) = orgs::table
        .find(org_id)
        .select((
            orgs::ic_max_spaces,
            orgs::ic_max_joined,
            orgs::ic_max_people,
            orgs::ic_max_orgs,
            orgs::seat_pool,
        ))
        .first(conn)?;
    Ok(Overrides {
        max_spaces: s,
        max_joined: j,
        max_people: p,
        max_orgs: o,
        seat_pool: seats,
    })
}

/// The pool would fall below its use: (seats in use, the pool after the change).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct BelowUse {
    pub used: i64,
    pub pool: i64,
}

/// Stores the overrides, unless the seat figure would put the pool below the seats in use
/// and the operator has not confirmed it: then nothing is written and the figures come
/// back for the warning. A confirmed lowering raises the 100 % alert at once (every change
/// of the pool re-evaluates its alerts in the same transaction).
pub(crate) fn store(
    conn: &mut Conn,
    org_id: i64,
    o: Overrides,
    confirmed: bool,
) -> AppResult<Option<BelowUse>> {
    write_tx(conn, |conn| {
        let before = load(conn, org_id)?;
        crate::interconnect::lock_org(conn, org_id)?;
        if o.seat_pool != before.seat_pool && !confirmed {
            let now_use = crate::interconnect::seat_use(conn, org_id)?;
            let edition: String = orgs::table.find(org_id).select(orgs::edition).first(conn)?;
            let base = o.seat_pool.map(i64::from).unwrap_or_else(|| {
                crate::interconnect::default_seat_pool(
                    crate::org::Edition::parse(&edition).unwrap_or(crate::org::Edition::Free),
                )
            });
            let old_base = before.seat_pool.map(i64::from).unwrap_or_else(|| {
                crate::interconnect::default_seat_pool(
                    crate::org::Edition::parse(&edition).unwrap_or(crate::org::Edition::Free),
                )
            });
            let pool = now_use.bought - old_base + base;
            if pool < now_use.used() {
                return Ok(Some(BelowUse {
                    used: now_use.used(),
                    pool,
                }));
            }
        }
        diesel::update(orgs::table.find(org_id))
            .set((
                orgs::ic_max_spaces.eq(o.max_spaces),
                orgs::ic_max_joined.eq(o.max_joined),
                orgs::ic_max_people.eq(o.max_people),
                orgs::ic_max_orgs.eq(o.max_orgs),
                orgs::seat_pool.eq(o.seat_pool),
            ))
            .execute(conn)?;
        crate::interconnect::alert_on_use(conn, org_id)?;
        Ok(None)
    })
}

async fn save(
    State(state): State<AppState>,
    op: Operator,
    Path(id): Path<i64>,
    Form(form): Form<OverridesForm>,
) -> AppResult<Response> {
    let o = form.parse()?;
    let confirmed = form.confirm_below == "yes";
    let below = state
        .db
        .run(move |conn| store(conn, id, o, confirmed))
        .await?;
    if let Some(b) = below {
        let add = crate::org::AddMemberForm {
            role: crate::auth::Role::Member.as_str().into(),
            ..Default::default()
        };
        let mut page = super::routes::load_org_page(
            &state,
            &op,
            id,
            Default::default(),
            add,
            Default::default(),
        )
        .await?;
        page.ic = o;
        page.ic_warning = Some(op.ctx.lang.tf(
            "operator.interconnect.below_use",
            &[("used", &b.used.to_string()), ("pool", &b.pool.to_string())],
        ));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    tracing::info!(
        org.id = id,
        operator.id = op.user_id,
        "interconnection limits set"
    );
    Ok(flash_redirect(
        &format!("/operator/orgs/{id}"),
        "operator.interconnect.flash.saved",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_limit_means_the_default_and_negative_ones_are_refused() {
        assert_eq!(parse_limit(" ").ok(), Some(None));
        assert_eq!(parse_limit("12").ok(), Some(Some(12)));
        assert!(parse_limit("-1").is_err());
        assert!(parse_limit("x").is_err());
    }
}
