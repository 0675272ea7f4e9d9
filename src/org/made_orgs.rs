//! Organisations made by a journey rather than by the operator: a quick-deploy team and a
//! provider's test organisation, each with its creator as main admin.

use diesel::prelude::*;

use super::UserId;
use super::store::insert_membership;
use crate::auth::Role;
use crate::db::schema::orgs;
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};

/// Creates a team made on a quick-deploy link (快速部署 › 创建团队): an organisation of the
/// default edition (free, as the operator's form starts with) named `name` with CorpID
/// `corp_id` and `creator` its main admin. Call inside the transaction that records the
/// deployment.
pub fn create_team(conn: &mut Conn, name: &str, corp_id: &str, creator: i64) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(orgs::table)
            .values((
                orgs::name.eq(name),
                orgs::corp_id.eq(corp_id),
                orgs::edition.eq(super::Edition::Free.as_str()),
                orgs::certified.eq(false),
                orgs::provider_level.eq("none"),
                orgs::created_at.eq(now()),
            ))
            .returning(orgs::id)
            .get_result(conn)?;
        insert_membership(conn, id, UserId(creator), Role::MainAdmin, "name")?
            .map_err(|_| AppError::Conflict("org.error.already_member"))?;
        tracing::info!(org.id = id, "team created on a quick-deploy link");
        Ok(id)
    })
}

/// Creates an organisation with `owner` as its main admin: a provider's test organisation
/// (测试企业, seed 003), marked with the provider that made it. The CorpID is generated.
pub fn create_test_org(
    conn: &mut Conn,
    provider_org_id: i64,
    name: &str,
    owner: i64,
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let corp_id = format!("test{}", &crate::tools::new_token()[..12]).to_lowercase();
        let id: i64 = diesel::insert_into(orgs::table)
            .values((
                orgs::name.eq(name),
                orgs::corp_id.eq(&corp_id),
                orgs::edition.eq("professional"),
                orgs::certified.eq(false),
                orgs::provider_level.eq("none"),
                orgs::created_at.eq(now()),
                orgs::test_of_provider.eq(Some(provider_org_id)),
            ))
            .returning(orgs::id)
            .get_result(conn)?;
        insert_membership(conn, id, UserId(owner), Role::MainAdmin, "name")?
            .map_err(|_| AppError::Conflict("org.error.already_member"))?;
        Ok(id)
    })
}
