//! The demo's app centre: the provider invited and onboarded as a seller, and its product
//! 设备巡检助手 pre-listed and through a week of co-creation with ten organisations (two
//! of them established), their recorded use and survey answers, so that a newcomer sees a
//! filled gate page. The figures come from the same code as real use (`appcentre::gate`).
//! A second certified provider, not invited, shows the way in: invitation, onboarding and
//! a product of its own from the start.

use diesel::prelude::*;

use crate::appcentre::product_form::{Edition, ProductForm};
use crate::appcentre::products;
use crate::auth::{OrgScope, Role};
use crate::db::schema::{
    ac_answers, ac_invitations, ac_products, ac_reviews, ac_screenshots, ac_sellers, ac_surveys,
    app_uses, apps, orgs,
};
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};
use crate::storage::Storage;
use crate::tools::wait::{DAY, cst_day};

/// A plain screenshot: the app's colour with a lighter header band.
fn screenshot() -> AppResult<Vec<u8>> {
    let img = image::RgbImage::from_fn(640, 400, |_, y| {
        if y < 56 {
            image::Rgb([31, 95, 168])
        } else {
            image::Rgb([244, 246, 250])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(AppError::internal)?;
    Ok(out.into_inner())
}

pub(super) fn app_centre(
    conn: &mut Conn,
    hash: &str,
    storage: &dyn Storage,
    provider: i64,
    p_admin: i64,
    operator: i64,
) -> AppResult<()> {
    let t = now();
    diesel::insert_into(ac_invitations::table)
        .values((
            ac_invitations::provider_org_id.eq(provider),
            ac_invitations::note.eq("欢迎入驻应用中心"),
            ac_invitations::invited_by.eq(operator),
            ac_invitations::invited_at.eq(t - 20 * DAY),
        ))
        .execute(conn)?;
    diesel::insert_into(ac_sellers::table)
        .values((
            ac_sellers::provider_org_id.eq(provider),
            ac_sellers::contact_name.eq("林服务"),
            ac_sellers::contact_phone.eq("0571-88886666"),
            ac_sellers::intro.eq("专注制造业设备管理与巡检的低代码服务商。"),
            ac_sellers::status.eq("approved"),
            ac_sellers::agreement_no.eq("HZ-2026-0001"),
            ac_sellers::deposit_fen.eq(1_000_000),
            ac_sellers::applied_by.eq(p_admin),
            ac_sellers::applied_at.eq(t - 19 * DAY),
            ac_sellers::decided_by.eq(Some(operator)),
            ac_sellers::decided_at.eq(Some(t - 18 * DAY)),
        ))
        .execute(conn)?;
    let app_id: i64 = apps::table
        .filter(apps::org_id.eq(provider))
        .filter(apps::premium.eq(false))
        .filter(apps::source_app_id.is_null())
        .order(apps::id.asc())
        .select(apps::id)
        .first(conn)?;
    let form = ProductForm {
        app_id: app_id.to_string(),
        name: "设备巡检助手".into(),
        description: "设备巡检、报修与保养计划，一个应用完成；巡检记录自动汇总成报表。".into(),
        category: "industry".into(),
        homepage_url: "https://isv.example.com/".into(),
        permissions: vec!["contacts_read".into(), "app_data".into()],
        data_stored: "巡检记录、报修单与照片".into(),
        editions: Vec::new(),
    };
    let editions = [
        Edition {
            name: "基础版".into(),
            price_fen: 0,
            seats: 50,
        },
        Edition {
            name: "专业版".into(),
            price_fen: 199_900,
            seats: 500,
        },
    ];
    let product = products::create(conn, provider, app_id, &form, &editions, p_admin)?;
    let key = format!("ac-demo-{product}.png");
    storage.put(&key, &screenshot()?)?;
    diesel::insert_into(ac_screenshots::table)
        .values((
            ac_screenshots::product_id.eq(product),
            ac_screenshots::file_key.eq(&key),
            ac_screenshots::content_type.eq("image/png"),
            ac_screenshots::position.eq(0),
        ))
        .execute(conn)?;
    // Accepted ten days ago; co-creation started seven days ago, so its week is over.
    let started = t - 7 * DAY;
    diesel::update(ac_products::table.find(product))
        .set((
            ac_products::stage.eq("prelisted"),
            ac_products::code.eq(Some("cmd0000001")),
            ac_products::version.eq(1),
            ac_products::cocreation_started_at.eq(Some(started)),
        ))
        .execute(conn)?;
    let snapshot = serde_json::to_string(&form).map_err(AppError::internal)?;
    diesel::insert_into(ac_reviews::table)
        .values((
            ac_reviews::product_id.eq(product),
            ac_reviews::stage.eq("acceptance"),
            ac_reviews::version.eq(1),
            ac_reviews::snapshot.eq(snapshot),
            ac_reviews::submitted_by.eq(p_admin),
            ac_reviews::submitted_at.eq(t - 12 * DAY),
            ac_reviews::decided_by.eq(Some(operator)),
            ac_reviews::decided_at.eq(Some(t - 10 * DAY)),
            ac_reviews::passed.eq(Some(true)),
        ))
        .execute(conn)?;
    let survey: i64 = diesel::insert_into(ac_surveys::table)
        .values((
            ac_surveys::product_id.eq(product),
            ac_surveys::phase.eq("cocreation"),
            ac_surveys::sent_by.eq(operator),
            ac_surveys::sent_at.eq(t - 2 * DAY),
        ))
        .returning(ac_surveys::id)
        .get_result(conn)?;
    let first_day = cst_day(started);
    for i in 0..10i64 {
        let org = super::org(
            conn,
            &format!("共创企业{}", i + 1),
            &format!("dingcocreate{:02}", i + 1),
            "exclusive",
            "none",
        )?;
        if i < 2 {
            // Established: on the platform 120 days, with members using apps lately.
            diesel::update(orgs::table.find(org))
                .set(orgs::created_at.eq(t - 120 * DAY))
                .execute(conn)?;
        }
        diesel::insert_into(crate::db::schema::ac_cocreators::table)
            .values((
                crate::db::schema::ac_cocreators::product_id.eq(product),
                crate::db::schema::ac_cocreators::org_id.eq(org),
                crate::db::schema::ac_cocreators::active.eq(true),
                crate::db::schema::ac_cocreators::invited_at.eq(started - DAY),
            ))
            .execute(conn)?;
        let admin = super::user(
            conn,
            hash,
            &format!("cocreate{}.admin", i + 1),
            &format!("共创管理员{}", i + 1),
            false,
        )?;
        super::member(conn, org, admin, Role::MainAdmin, None)?;
        let scope = OrgScope::system(org, admin, Role::MainAdmin);
        let edition = products::editions(conn, product)?
            .into_iter()
            .find(|e| e.is_free())
            .ok_or(AppError::Internal)?;
        let copy =
            match crate::appcentre::installs::install(conn, &scope, product, edition.id, true)? {
                crate::appcentre::installs::Outcome::Installed(copy) => copy,
                _ => return Err(AppError::Internal),
            };
        // Installed as the week began.
        diesel::update(
            crate::db::schema::ac_installs::table
                .filter(crate::db::schema::ac_installs::product_id.eq(product))
                .filter(crate::db::schema::ac_installs::org_id.eq(org)),
        )
        .set(crate::db::schema::ac_installs::installed_at.eq(started))
        .execute(conn)?;
        // Eight of the ten organisations use it: most days for the first five, now and
        // then for the next three.
        let days: &[i64] = match i {
            0..=4 => &[0, 1, 2, 3, 4, 5, 6],
            5..=7 => &[1, 3, 5],
            _ => &[],
        };
        for d in days {
            diesel::insert_into(app_uses::table)
                .values((
                    app_uses::app_id.eq(copy),
                    app_uses::org_id.eq(org),
                    app_uses::user_id.eq(admin),
                    app_uses::day.eq(first_day + d),
                    app_uses::created_at.eq(t),
                ))
                .execute(conn)?;
        }
        if i < 6 {
            diesel::insert_into(ac_answers::table)
                .values((
                    ac_answers::survey_id.eq(survey),
                    ac_answers::user_id.eq(admin),
                    ac_answers::org_id.eq(org),
                    ac_answers::score.eq(90 + i32::try_from(i).unwrap_or(0)),
                    ac_answers::comment.eq(if i == 0 { "巡检报表很实用" } else { "" }),
                    ac_answers::answered_at.eq(t - DAY),
                ))
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A second certified provider, not invited to the app centre, with an admin and an
/// ordinary app of its own to make a product from.
pub(super) fn second_provider(conn: &mut Conn, hash: &str) -> AppResult<()> {
    use crate::apps::app::{FieldKind, PageKind};
    use crate::apps::store::{self, NewApp};
    let org = super::org(
        conn,
        "启明软件服务商",
        "dingqiming01",
        "exclusive",
        "intermediate",
    )?;
    let admin = super::user(
        conn,
        hash,
        "provider2.admin",
        "何启明（二号服务商管理员）",
        false,
    )?;
    super::member(conn, org, admin, Role::MainAdmin, None)?;
    let scope = OrgScope::system(org, admin, Role::MainAdmin);
    let app = store::create_app(
        conn,
        &scope,
        NewApp {
            name: "访客登记",
            glyph: "users",
            color: "violet",
            image: "",
            description: "来访登记与到访提醒。",
            premium: false,
        },
    )?;
    let app = store::find_app(conn, &scope, app)?;
    let visit = store::add_page(conn, &app, PageKind::Form, "来访登记", "")?;
    let visit = super::page(conn, visit)?;
    store::add_field(conn, &visit, "访客姓名", FieldKind::Text, true, "")?;
    store::add_field(conn, &visit, "来访日期", FieldKind::Date, true, "")?;
    store::add_field(conn, &visit, "事由", FieldKind::Textarea, false, "")?;
    Ok(())
}
