//! What other domains may read of the app centre: a product by id or by its code, and
//! whether a provider is an onboarded seller (quick deploy needs both, seed 002 step 4.2:
//! 确保云市场服务商审核通过, and an accepted product's code).

use diesel::prelude::*;

use super::product_form::permission_key;
use super::products::{self, Product};
use super::rules::Stage;
use super::sellers;
use crate::db::Conn;
use crate::db::schema::ac_products as p;
use crate::error::AppResult;

/// A product as other domains see it.
#[derive(Clone, Debug)]
pub struct ProductRef {
    pub id: i64,
    pub provider_org_id: i64,
    /// The provider's app the product was made from (the source of every copy).
    pub app_id: i64,
    pub code: Option<String>,
    pub name: String,
    pub description: String,
    pub version: i32,
    /// The label keys of the permissions the product asks for.
    pub permission_keys: Vec<&'static str>,
    /// Passed the platform's acceptance (验收): 预上架 or any later stage.
    pub accepted: bool,
}

impl From<Product> for ProductRef {
    fn from(x: Product) -> ProductRef {
        let accepted = accepted(x.stage());
        ProductRef {
            permission_keys: x
                .permission_list()
                .into_iter()
                .map(permission_key)
                .collect(),
            id: x.id,
            provider_org_id: x.provider_org_id,
            app_id: x.app_id,
            code: x.code,
            name: x.name,
            description: x.description,
            version: x.version,
            accepted,
        }
    }
}

/// 钉钉验收完成之后您的商品状态变更为预上架状态: acceptance passed and not taken back.
fn accepted(s: Stage) -> bool {
    !matches!(
        s,
        Stage::Draft | Stage::Acceptance | Stage::AcceptanceFailed
    )
}

/// A product by id (missing: `NotFound`).
pub fn product_ref(conn: &mut Conn, id: i64) -> AppResult<ProductRef> {
    products::find(conn, id).map(ProductRef::from)
}

/// The product of `provider` with this code, if any (another provider's code: `None`).
pub fn product_by_code(
    conn: &mut Conn,
    provider: i64,
    code: &str,
) -> AppResult<Option<ProductRef>> {
    Ok(p::table
        .filter(p::provider_org_id.eq(provider))
        .filter(p::code.eq(code))
        .select(Product::as_select())
        .first(conn)
        .optional()?
        .map(ProductRef::from))
}

/// The provider's accepted products, newest first (for choosing where a link points).
pub fn accepted_products(conn: &mut Conn, provider: i64) -> AppResult<Vec<ProductRef>> {
    Ok(p::table
        .filter(p::provider_org_id.eq(provider))
        .filter(p::code.is_not_null())
        .order(p::id.desc())
        .limit(200)
        .select(Product::as_select())
        .load(conn)?
        .into_iter()
        .map(ProductRef::from)
        .filter(|x| x.accepted)
        .collect())
}

/// Invited and approved as a seller (入驻云市场服务商审核通过).
pub fn seller_onboarded(conn: &mut Conn, provider: i64) -> AppResult<bool> {
    Ok(sellers::standing(conn, provider)?.onboarded())
}
