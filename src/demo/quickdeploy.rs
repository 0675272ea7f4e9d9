//! The demo's quick deploy (seed 002 step 4.2): the operator issued the provider an
//! invitation code, the provider applied with its accepted product 设备巡检助手 (code
//! cmd0000001), and the operator approved: the deploy link works from the first start,
//! with serial numbers to redeem. Anyone can open it on a phone, register, create a team
//! and start using the app.

use diesel::prelude::*;

use crate::db::schema::{
    ac_products, orgs, qd_applications as a, qd_invite_codes as c, qd_serials,
};
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};
use crate::storage::Storage;
use crate::tools::wait::DAY;

/// The demo link's token: a fixed address so that the printed link is short.
pub const LINK_TOKEN: &str = "demo-kuaisu-bushu";

/// The serial numbers the demo customer can redeem (one organisation each).
pub const SERIALS: [&str; 5] = [
    "DEMO-2026-0001",
    "DEMO-2026-0002",
    "DEMO-2026-0003",
    "DEMO-2026-0004",
    "DEMO-2026-0005",
];

/// The suite icon: 120×120, the app's blue, the corners outside a 22 px radius transparent.
fn icon() -> AppResult<Vec<u8>> {
    const SIZE: u32 = 120;
    const R: f32 = 22.0;
    let img = image::RgbaImage::from_fn(SIZE, SIZE, |x, y| {
        let (fx, fy) = (x as f32 + 0.5, y as f32 + 0.5);
        let cx = fx.clamp(R, SIZE as f32 - R);
        let cy = fy.clamp(R, SIZE as f32 - R);
        let outside = (fx - cx).hypot(fy - cy) > R;
        if outside {
            image::Rgba([0, 0, 0, 0])
        } else if (40..80).contains(&x) && (40..80).contains(&y) {
            image::Rgba([255, 255, 255, 255])
        } else {
            image::Rgba([31, 95, 168, 255])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(AppError::internal)?;
    Ok(out.into_inner())
}

pub(super) fn quick_deploy(
    conn: &mut Conn,
    storage: &dyn Storage,
    provider: i64,
    p_admin: i64,
    operator: i64,
) -> AppResult<()> {
    let t = now();
    let product: i64 = ac_products::table
        .filter(ac_products::provider_org_id.eq(provider))
        .filter(ac_products::code.eq("cmd0000001"))
        .select(ac_products::id)
        .first(conn)?;
    let provider_name: String = orgs::table.find(provider).select(orgs::name).first(conn)?;
    let code: i64 = diesel::insert_into(c::table)
        .values((
            c::code.eq("DEMOQD7K2M9P"),
            c::provider_org_id.eq(provider),
            c::note.eq("线下推广设备巡检助手"),
            c::issued_by.eq(operator),
            c::issued_at.eq(t - 6 * DAY),
            c::expires_at.eq(t + 24 * DAY),
            c::used_at.eq(Some(t - 5 * DAY)),
        ))
        .returning(c::id)
        .get_result(conn)?;
    let icon_key = format!("{}.png", uuid::Uuid::new_v4().simple());
    storage.put(&icon_key, &icon()?)?;
    let application: i64 = diesel::insert_into(a::table)
        .values((
            a::provider_org_id.eq(provider),
            a::product_id.eq(product),
            a::invite_code_id.eq(code),
            a::provider_name.eq(provider_name),
            a::product_code.eq("cmd0000001"),
            a::reason.eq("工厂客户多在车间现场开通，手机扫码即可创建团队并开始巡检。"),
            a::scenario.eq("销售上门演示后，由现场实施人员引导客户扫码部署。"),
            a::onsite_staff.eq(true),
            a::directory_method.eq("admin_file"),
            a::verify_serials.eq(true),
            a::serial_source.eq("list"),
            a::verify_secret.eq(uuid::Uuid::new_v4().simple().to_string()),
            a::icon_key.eq(icon_key),
            a::status.eq("approved"),
            a::submitted_by.eq(p_admin),
            a::submitted_at.eq(t - 5 * DAY),
            a::decided_by.eq(Some(operator)),
            a::decided_at.eq(Some(t - 4 * DAY)),
            a::link_token.eq(Some(LINK_TOKEN)),
            a::link_product_id.eq(Some(product)),
        ))
        .returning(a::id)
        .get_result(conn)?;
    for serial in SERIALS {
        diesel::insert_into(qd_serials::table)
            .values((
                qd_serials::application_id.eq(application),
                qd_serials::serial.eq(serial),
                qd_serials::source.eq("generated"),
                qd_serials::created_at.eq(t - 4 * DAY),
            ))
            .execute(conn)?;
    }
    Ok(())
}
