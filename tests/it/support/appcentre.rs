//! App-centre fixtures made through the product: the operator's invitation, the seller
//! application and its approval, a product with a screenshot, and its submission.

use super::distribution::{World, world};
use super::{Client, TestApp};

/// The smallest file the upload check takes for a PNG screenshot (its signature).
pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";

/// The provider world with the provider invited and onboarded as a seller.
pub struct Seller {
    pub w: World,
    pub padmin: Client,
    pub op: Client,
}

pub async fn onboarded(app: &TestApp) -> Seller {
    let w = world(app);
    let op = app.signed_in("op").await;
    let padmin = app.signed_in("padmin").await;
    op.post_ok(
        &format!("/operator/app-centre/providers/{}/invite", w.provider),
        &[("note", "欢迎入驻")],
    )
    .await;
    padmin
        .post_ok("/provider/app-centre/seller", &apply_form())
        .await;
    op.post_ok(
        &format!("/operator/app-centre/sellers/{}", w.provider),
        &[
            ("decision", "approve"),
            ("agreement_no", "HZ-2026-001"),
            ("deposit", "10000"),
        ],
    )
    .await;
    Seller { w, padmin, op }
}

pub fn apply_form() -> Vec<(&'static str, &'static str)> {
    vec![
        ("contact_name", "李经理"),
        ("contact_phone", "0571-88886666"),
        ("intro", "专注制造业设备管理的低代码服务商。"),
    ]
}

/// A complete product form for `app_id`, with a free and a paid edition.
pub fn product_form(app_id: &str) -> Vec<(&'static str, String)> {
    vec![
        ("app_id", app_id.to_string()),
        ("name", "设备巡检助手".into()),
        (
            "description",
            "设备巡检、报修与保养计划，一个应用完成。".into(),
        ),
        ("category", "industry".into()),
        ("homepage_url", "https://isv.example.com/".into()),
        ("permissions", "contacts_read".into()),
        ("permissions", "app_data".into()),
        ("data_stored", "巡检记录与报修单".into()),
        ("edition_name_0", "基础版".into()),
        ("edition_price_0", "0".into()),
        ("edition_seats_0", "50".into()),
        ("edition_name_1", "专业版".into()),
        ("edition_price_1", "1999".into()),
        ("edition_seats_1", "500".into()),
    ]
}

pub fn pairs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A draft product of the seller's first app, with one screenshot; its id.
pub async fn draft(app: &TestApp, s: &Seller) -> i64 {
    let _ = app;
    let form = product_form(&s.w.app.to_string());
    let r = s
        .padmin
        .post_ok("/provider/app-centre/products", &pairs(&form))
        .await;
    let id: i64 = r
        .location()
        .rsplit('/')
        .next()
        .and_then(|x| x.parse().ok())
        .expect("product id");
    s.padmin
        .post_multipart(
            &format!("/provider/app-centre/products/{id}/screenshots"),
            &[],
            &[("screenshot", "home.png", "image/png", PNG)],
        )
        .await;
    id
}

/// A product submitted for acceptance; its id.
pub async fn submitted(app: &TestApp, s: &Seller) -> i64 {
    let id = draft(app, s).await;
    s.padmin
        .post_ok(&format!("/provider/app-centre/products/{id}/submit"), &[])
        .await;
    id
}

/// The open review of a product.
pub fn open_review(app: &TestApp, product: i64) -> i64 {
    use diesel::prelude::*;
    use fenfa::db::schema::ac_reviews as r;
    r::table
        .filter(r::product_id.eq(product))
        .filter(r::decided_at.is_null())
        .select(r::id)
        .first(&mut *app.conn())
        .expect("open review")
}

/// Every acceptance checklist item, ticked, with the approve decision.
pub fn accept_all() -> Vec<(&'static str, &'static str)> {
    let mut f: Vec<(&str, &str)> = [
        "opens",
        "no_errors",
        "permissions_match",
        "screenshots_match",
        "no_banned_words",
        "homepage_answers",
    ]
    .iter()
    .map(|i| ("item", *i))
    .collect();
    f.push(("decision", "approve"));
    f
}

/// A product accepted by the operator (预上架); its id.
pub async fn prelisted(app: &TestApp, s: &Seller) -> i64 {
    let id = submitted(app, s).await;
    let review = open_review(app, id);
    s.op.post_ok(
        &format!("/operator/app-centre/reviews/{review}"),
        &accept_all(),
    )
    .await;
    id
}

/// The id of the organisation with this CorpID.
pub fn org_id(app: &TestApp, corp: &str) -> i64 {
    use diesel::prelude::*;
    use fenfa::db::schema::orgs;
    orgs::table
        .filter(orgs::corp_id.eq(corp))
        .select(orgs::id)
        .first(&mut *app.conn())
        .expect("org")
}

/// Puts a product straight at `stage` with `version` (for tests of what a stage allows,
/// where the pipeline before it is not what is tested).
pub fn set_stage(app: &TestApp, product: i64, stage: &str, version: i32) {
    use diesel::prelude::*;
    use fenfa::db::schema::ac_products as p;
    diesel::update(p::table.find(product))
        .set((p::stage.eq(stage), p::version.eq(version)))
        .execute(&mut *app.conn())
        .expect("stage");
}

/// Pauses (or resumes) a product, as the operator's grey-release controls do.
pub fn set_paused(app: &TestApp, product: i64, paused: bool) {
    use diesel::prelude::*;
    use fenfa::db::schema::ac_products as p;
    diesel::update(p::table.find(product))
        .set(p::paused.eq(paused))
        .execute(&mut *app.conn())
        .expect("paused");
}

/// Puts `org` in a product's grey cohort.
pub fn in_cohort(app: &TestApp, product: i64, org: i64) {
    use diesel::prelude::*;
    use fenfa::db::schema::ac_cohort as ch;
    diesel::insert_into(ch::table)
        .values((ch::product_id.eq(product), ch::org_id.eq(org)))
        .execute(&mut *app.conn())
        .expect("cohort");
}

/// Makes `org` an active co-creator of a product.
pub fn cocreator(app: &TestApp, product: i64, org: i64) {
    use diesel::prelude::*;
    use fenfa::db::schema::ac_cocreators as co;
    diesel::insert_into(co::table)
        .values((
            co::product_id.eq(product),
            co::org_id.eq(org),
            co::active.eq(true),
            co::invited_at.eq(fenfa::db::now()),
        ))
        .execute(&mut *app.conn())
        .expect("co-creator");
}

/// A product of the seller put straight at `stage` (version 1); its id.
pub async fn at_stage(app: &TestApp, s: &Seller, stage: &str) -> i64 {
    let id = draft(app, s).await;
    set_stage(app, id, stage, 1);
    id
}

/// The product's editions: (free edition id, paid edition id).
pub fn editions(app: &TestApp, product: i64) -> (i64, i64) {
    use diesel::prelude::*;
    use fenfa::db::schema::ac_editions as ed;
    let rows: Vec<(i64, i64)> = ed::table
        .filter(ed::product_id.eq(product))
        .order(ed::position.asc())
        .select((ed::id, ed::price_fen))
        .load(&mut *app.conn())
        .expect("editions");
    let free = rows.iter().find(|r| r.1 == 0).expect("free").0;
    let paid = rows.iter().find(|r| r.1 > 0).expect("paid").0;
    (free, paid)
}

/// An open product inserted directly, with one free edition (listing tests need many);
/// its id.
pub fn open_product(
    app: &TestApp,
    s: &Seller,
    name: &str,
    description: &str,
    category: &str,
    quality: i32,
) -> i64 {
    use diesel::prelude::*;
    use fenfa::db::schema::{ac_editions as ed, ac_products as p};
    let t = fenfa::db::now();
    let id: i64 = diesel::insert_into(p::table)
        .values((
            p::provider_org_id.eq(s.w.provider),
            p::app_id.eq(s.w.app),
            p::stage.eq("open"),
            p::name.eq(name),
            p::description.eq(description),
            p::category.eq(category),
            p::homepage_url.eq("https://isv.example.com/"),
            p::permissions.eq("app_data"),
            p::data_stored.eq("表单数据"),
            p::version.eq(1),
            p::quality.eq(quality),
            p::created_by.eq(s.w.padmin),
            p::created_at.eq(t),
            p::updated_at.eq(t),
        ))
        .returning(p::id)
        .get_result(&mut *app.conn())
        .expect("product");
    diesel::insert_into(ed::table)
        .values((
            ed::product_id.eq(id),
            ed::name.eq("免费版"),
            ed::price_fen.eq(0),
            ed::seats.eq(10),
            ed::position.eq(0),
        ))
        .execute(&mut *app.conn())
        .expect("edition");
    id
}

/// Waits (up to 10 s) until `user`'s use of the app `copy` is recorded: opening the app
/// records it off the request path.
pub async fn use_recorded(app: &TestApp, copy: i64, user: i64) -> Result<(), String> {
    use diesel::prelude::*;
    use fenfa::db::schema::app_uses as u;
    for _ in 0..100 {
        let n: i64 = u::table
            .filter(u::app_id.eq(copy))
            .filter(u::user_id.eq(user))
            .count()
            .get_result(&mut *app.conn())
            .map_err(|e| format!("uses: {e}"))?;
        if n > 0 {
            return Ok(());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    Err(format!(
        "the use of app {copy} by user {user} was not recorded"
    ))
}

/// The clock moved on 8 days over the grey week of `product` (written directly): the
/// week's start, the install of the app `copy` and its recorded uses move back 8 days,
/// then `more` uses of it in `org` are recorded, each (user, day of the week from 0).
pub fn grey_week_over(
    app: &TestApp,
    product: &str,
    copy: i64,
    org: i64,
    more: &[(i64, i64)],
) -> Result<(), String> {
    use diesel::prelude::*;
    use fenfa::db::schema::{ac_installs as ins, ac_products as p, app_uses as u};
    use fenfa::tools::wait::{DAY, cst_day};
    let back = 8 * DAY;
    app.conn()
        .transaction(|c| {
            let (id, started): (i64, Option<i64>) = p::table
                .filter(p::name.eq(product))
                .select((p::id, p::grey_started_at))
                .first(c)?;
            let started = started.unwrap_or_default() - back;
            let installed: i64 = ins::table
                .filter(ins::app_id.eq(copy))
                .select(ins::installed_at)
                .first(c)?;
            diesel::update(p::table.find(id))
                .set(p::grey_started_at.eq(Some(started)))
                .execute(c)?;
            diesel::update(ins::table.filter(ins::app_id.eq(copy)))
                .set(ins::installed_at.eq(installed - back))
                .execute(c)?;
            let first = cst_day(started);
            diesel::update(u::table.filter(u::app_id.eq(copy)))
                .set(u::day.eq(first))
                .execute(c)?;
            for (user, d) in more {
                diesel::insert_into(u::table)
                    .values((
                        u::app_id.eq(copy),
                        u::org_id.eq(org),
                        u::user_id.eq(user),
                        u::day.eq(first + d),
                        u::created_at.eq(fenfa::db::now()),
                    ))
                    .execute(c)?;
            }
            diesel::QueryResult::Ok(())
        })
        .map_err(|e| format!("the grey week: {e}"))
}

/// `org`'s copy of the product's app, installed by `admin` in `phase` at `at` (the week's
/// fixtures: the install itself is tested through the pages); the copy's id.
pub fn installed_copy(
    app: &TestApp,
    product: i64,
    org: i64,
    admin: i64,
    phase: &str,
    at: i64,
) -> i64 {
    use diesel::prelude::*;
    use fenfa::db::schema::ac_installs as ins;
    let copy = super::distribution::new_app(app, org, admin, "设备巡检", false);
    diesel::insert_into(ins::table)
        .values((
            ins::product_id.eq(product),
            ins::org_id.eq(org),
            ins::app_id.eq(Some(copy)),
            ins::phase.eq(phase),
            ins::version.eq(1),
            ins::installed_by.eq(admin),
            ins::installed_at.eq(at),
        ))
        .execute(&mut *app.conn())
        .expect("install");
    copy
}
