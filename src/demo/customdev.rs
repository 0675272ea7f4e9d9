//! The demo's custom development: the provider's live template, through the platform's
//! go-live review like any other.

use diesel::prelude::*;

use crate::auth::OrgScope;
use crate::db::Conn;
use crate::error::{AppError, AppResult};
use crate::storage::Storage;

/// The provider's live custom-development template 云帆CRM, starting from its ordinary
/// app, gone through the platform's go-live review like any other.
pub(super) fn custom_dev_template(
    conn: &mut Conn,
    scope: &OrgScope,
    operator: i64,
    storage: &dyn Storage,
) -> AppResult<()> {
    use crate::customdev::{review, rules::TemplateForm, store as cd};
    let logo = {
        let img = image::RgbImage::from_pixel(750, 750, image::Rgb([22, 119, 255]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .map_err(AppError::internal)?;
        out.into_inner()
    };
    let key = "demo-template-crm.png";
    storage.put(key, &logo)?;
    let source: Option<i64> = crate::db::schema::apps::table
        .filter(crate::db::schema::apps::org_id.eq(scope.org_id()))
        .filter(crate::db::schema::apps::premium.eq(false))
        .order(crate::db::schema::apps::id.asc())
        .select(crate::db::schema::apps::id)
        .first(conn)
        .optional()?;
    let form = TemplateForm {
        name: "云帆CRM".into(),
        intro: "客户跟进与回款管理".into(),
        category: "客户管理".into(),
        industry: "通用".into(),
        callback_url: "https://isv.yunfan.example.com/callback".into(),
        source_app_id: String::new(),
    };
    let tid = cd::create_template(
        conn,
        scope,
        &cd::NewVersion {
            form: &form,
            source_app_id: source,
            logo_key: Some(key.into()),
        },
    )?;
    review::submit_templates(conn, scope, &[tid])?;
    let ticket = review::provider_tickets(conn, scope, crate::web::Cursor::First)?
        .items
        .first()
        .map(|t| t.id)
        .ok_or(AppError::NotFound)?;
    review::decide(conn, operator, ticket, true, "")?;
    review::go_live(conn, scope, ticket)?;
    Ok(())
}
