//! Quick-deploy fixtures of the provider's and the operator's side, made through the
//! product: an onboarded seller with an accepted product, an invitation code the operator
//! issued, the application form, the approval; and suite icons drawn with `image`.

use diesel::prelude::*;
use fenfa::db::schema::{ac_products, qd_applications, qd_invite_codes};
use image::{ImageFormat, Rgba, RgbaImage};

use super::appcentre::{Seller, onboarded, prelisted};
use super::{Client, Resp, TestApp};

/// A PNG icon of `side` pixels; with `rounded`, the corners (22 px radius) transparent.
pub fn icon(side: u32, rounded: bool) -> Vec<u8> {
    let mut img = RgbaImage::from_pixel(side, side, Rgba([20, 110, 220, 255]));
    if rounded {
        let r = 22.0_f32;
        let s = side as f32;
        for (x, y, p) in img.enumerate_pixels_mut() {
            let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
            let cx = px.clamp(r, s - r);
            let cy = py.clamp(r, s - r);
            if ((px - cx).powi(2) + (py - cy).powi(2)).sqrt() > r {
                p.0[3] = 0;
            }
        }
    }
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).expect("png");
    out.into_inner()
}

/// The same picture as a JPEG.
pub fn jpeg_icon() -> Vec<u8> {
    let img = image::RgbImage::from_pixel(120, 120, image::Rgb([20, 110, 220]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Jpeg).expect("jpeg");
    out.into_inner()
}

/// Whether a stored PNG has transparent corners.
pub fn corners_transparent(bytes: &[u8]) -> bool {
    let img = image::load_from_memory(bytes).expect("decodes").to_rgba8();
    let w = img.width() - 1;
    [(0, 0), (w, 0), (0, w), (w, w), (3, 3)]
        .iter()
        .all(|(x, y)| img.get_pixel(*x, *y).0[3] == 0)
}

/// The onboarded seller with an accepted product and an invitation code issued to it.
pub struct Qd {
    pub s: Seller,
    pub product: i64,
    pub product_code: String,
    pub code: String,
}

pub fn product_code(app: &TestApp, product: i64) -> String {
    ac_products::table
        .find(product)
        .select(ac_products::code)
        .first::<Option<String>>(&mut *app.conn())
        .expect("product")
        .expect("a product code")
}

/// The newest code issued to `provider`.
pub fn last_code(app: &TestApp, provider: i64) -> String {
    qd_invite_codes::table
        .filter(qd_invite_codes::provider_org_id.eq(provider))
        .order(qd_invite_codes::id.desc())
        .select(qd_invite_codes::code)
        .first(&mut *app.conn())
        .expect("a code")
}

/// The operator issues a code to `provider` through its page; the code.
pub async fn issue_code(app: &TestApp, op: &Client, provider: i64) -> String {
    op.post_ok(
        "/operator/quick-deploy/codes",
        &[("provider", &provider.to_string()), ("note", "华东地推")],
    )
    .await;
    last_code(app, provider)
}

pub async fn ready(app: &TestApp) -> Qd {
    let s = onboarded(app).await;
    let product = prelisted(app, &s).await;
    let product_code = product_code(app, product);
    let code = issue_code(app, &s.op, s.w.provider).await;
    Qd {
        s,
        product,
        product_code,
        code,
    }
}

/// A complete application form.
pub fn form(qd: &Qd) -> Vec<(&'static str, String)> {
    vec![
        ("provider_name", "云帆服务商".into()),
        ("product_code", qd.product_code.clone()),
        ("invite_code", qd.code.clone()),
        ("reason", "线下地推，客户在展会现场扫码开通".into()),
        ("scenario", "制造业工厂的设备巡检".into()),
        ("onsite_staff", "yes".into()),
        ("directory_method", "phone_team".into()),
        ("verify_serials", "yes".into()),
        ("serial_source", "list".into()),
        ("callback_url", "https://isv.example.com/qd/events".into()),
    ]
}

pub fn with(
    base: &[(&'static str, String)],
    changes: &[(&'static str, &str)],
) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = base
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .cloned()
        .collect();
    for (k, v) in changes {
        out.push((k, v.to_string()));
    }
    out
}

pub async fn post_form(c: &Client, path: &str, f: &[(&'static str, String)], icon: &[u8]) -> Resp {
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let files: [(&str, &str, &str, &[u8]); 1] = if icon.is_empty() {
        [("icon", "", "application/octet-stream", icon)]
    } else {
        [("icon", "icon.png", "image/png", icon)]
    };
    c.post_multipart(path, &fields, &files).await
}

/// The id at the end of a redirect's address.
pub fn id_in(r: &Resp) -> i64 {
    r.location()
        .split(['?', '#'])
        .next()
        .and_then(|p| p.rsplit('/').next())
        .and_then(|x| x.parse().ok())
        .unwrap_or_else(|| panic!("no id in {:?}: {}", r.location(), r.body))
}

/// Applies with the complete form and a good icon; the application's id.
pub async fn apply(qd: &Qd) -> i64 {
    let r = post_form(
        &qd.s.padmin,
        "/provider/quick-deploy/applications",
        &form(qd),
        &icon(120, true),
    )
    .await;
    r.assert_redirect("/provider/quick-deploy/applications/");
    id_in(&r)
}

/// Applied and approved; the application's id.
pub async fn approved(qd: &Qd) -> i64 {
    let id = apply(qd).await;
    qd.s.op
        .post_ok(
            &format!("/operator/quick-deploy/applications/{id}/approve"),
            &[],
        )
        .await;
    id
}

/// The deploy link's token and target product of an application.
pub fn link(app: &TestApp, id: i64) -> (Option<String>, Option<i64>) {
    qd_applications::table
        .find(id)
        .select((
            qd_applications::link_token,
            qd_applications::link_product_id,
        ))
        .first(&mut *app.conn())
        .expect("application")
}

/// The permission matrix's quick-deploy records of one tenant side (written directly: the
/// pages are tested above): an invitation code, an approved application of the side's
/// product with its stored icon and deploy link, and a defect against it.
pub fn matrix(app: &TestApp, f: &mut super::permissions::Fixtures, org: i64, user: i64) {
    use fenfa::db::now;
    use fenfa::db::schema::qd_defects;
    let product: i64 = f["products/{id}"].parse().expect("product fixture");
    let t = now();
    let mut c = app.conn();
    let code: i64 = diesel::insert_into(qd_invite_codes::table)
        .values((
            qd_invite_codes::code.eq(format!("MATRIX{org:06}")),
            qd_invite_codes::provider_org_id.eq(org),
            qd_invite_codes::issued_by.eq(user),
            qd_invite_codes::issued_at.eq(t),
            qd_invite_codes::expires_at.eq(t + 30 * 86_400),
            qd_invite_codes::used_at.eq(Some(t)),
        ))
        .returning(qd_invite_codes::id)
        .get_result(&mut *c)
        .expect("invitation code");
    let key = format!("qd-matrix-{org}.png");
    app.state
        .storage
        .put(&key, &icon(120, true))
        .expect("icon file");
    let application: i64 = diesel::insert_into(qd_applications::table)
        .values((
            qd_applications::provider_org_id.eq(org),
            qd_applications::product_id.eq(product),
            qd_applications::invite_code_id.eq(code),
            qd_applications::provider_name.eq("矩阵服务商"),
            qd_applications::product_code.eq(format!("cmd9{org:06}")),
            qd_applications::reason.eq("矩阵测试"),
            qd_applications::scenario.eq("矩阵测试"),
            qd_applications::onsite_staff.eq(true),
            qd_applications::directory_method.eq("admin_file"),
            qd_applications::verify_serials.eq(false),
            qd_applications::icon_key.eq(&key),
            qd_applications::status.eq("approved"),
            qd_applications::submitted_by.eq(user),
            qd_applications::submitted_at.eq(t),
            qd_applications::link_token.eq(Some(fenfa::tools::new_token())),
            qd_applications::link_product_id.eq(Some(product)),
        ))
        .returning(qd_applications::id)
        .get_result(&mut *c)
        .expect("application");
    let defect: i64 = diesel::insert_into(qd_defects::table)
        .values((
            qd_defects::application_id.eq(application),
            qd_defects::severity.eq("minor"),
            qd_defects::description.eq("矩阵缺陷"),
            qd_defects::recorded_by.eq(user),
            qd_defects::recorded_at.eq(t),
            qd_defects::plan_due_at.eq(t + 2 * 86_400),
            qd_defects::fix_due_at.eq(t + 7 * 86_400),
        ))
        .returning(qd_defects::id)
        .get_result(&mut *c)
        .expect("defect");
    f.insert("applications/{id}".into(), application.to_string());
    f.insert("defects/{d}".into(), defect.to_string());
    f.insert("codes/{id}".into(), code.to_string());
}
