//! A product's screenshots: PNG, JPEG or WebP images the provider uploads while the
//! product is editable, shown to the operator's review and in the app centre.

use axum::extract::{Multipart, Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use diesel::prelude::*;

use super::products;
use super::rules::{Audience, Stage, visible};
use crate::auth::Ctx;
use crate::db::schema::{ac_cocreators as co, ac_cohort as ch, ac_screenshots as sc};
use crate::db::{Conn, now};
use crate::error::{AppError, AppResult};
use crate::storage::{FileKind, Storage};
use crate::web::AppState;

/// At most this many screenshots per product.
pub(crate) const MAX_SHOTS: i64 = 6;

pub(crate) async fn read_upload(mut mp: Multipart) -> AppResult<Vec<u8>> {
    let mut out = Vec::new();
    while let Some(field) = mp
        .next_field()
        .await
        .map_err(|_| AppError::BadRequest("error.bad_request"))?
    {
        let is_shot = field.name() == Some("screenshot");
        let bytes = field
            .bytes()
            .await
            .map_err(|_| AppError::BadRequest("error.bad_request"))?;
        if is_shot {
            out = bytes.to_vec();
        }
    }
    Ok(out)
}

/// An image of an accepted kind within the upload limit, or the message for the field.
pub(crate) fn check(bytes: &[u8], max: usize) -> Result<FileKind, &'static str> {
    if bytes.is_empty() {
        return Err("appcentre.error.screenshot_missing");
    }
    if bytes.len() > max {
        return Err("appcentre.error.screenshot_size");
    }
    match FileKind::sniff(bytes) {
        k @ (FileKind::Png | FileKind::Jpeg | FileKind::Webp) => Ok(k),
        _ => Err("appcentre.error.screenshot_kind"),
    }
}

pub(crate) fn of_product(conn: &mut Conn, product: i64) -> AppResult<Vec<i64>> {
    Ok(sc::table
        .filter(sc::product_id.eq(product))
        .order(sc::position.asc())
        .select(sc::id)
        .load(conn)?)
}

pub(crate) fn add(
    conn: &mut Conn,
    storage: &dyn Storage,
    provider: i64,
    product: i64,
    bytes: &[u8],
    kind: FileKind,
) -> AppResult<()> {
    let p = products::find_own(conn, provider, product)?;
    if !p.stage().editable().0 {
        return Err(AppError::Conflict("appcentre.error.not_editable"));
    }
    let n: i64 = sc::table
        .filter(sc::product_id.eq(product))
        .count()
        .get_result(conn)?;
    if n >= MAX_SHOTS {
        return Err(AppError::Conflict("appcentre.error.screenshot_count"));
    }
    let key = format!("ac-{}.{}", uuid::Uuid::new_v4(), kind.extension());
    storage.put(&key, bytes)?;
    diesel::insert_into(sc::table)
        .values((
            sc::product_id.eq(product),
            sc::file_key.eq(&key),
            sc::content_type.eq(kind.mime()),
            sc::position.eq(now() as i32 & 0x7fff_ffff),
        ))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn remove(conn: &mut Conn, provider: i64, product: i64, shot: i64) -> AppResult<()> {
    let p = products::find_own(conn, provider, product)?;
    if !p.stage().editable().0 {
        return Err(AppError::Conflict("appcentre.error.not_editable"));
    }
    let n = diesel::delete(
        sc::table
            .filter(sc::id.eq(shot))
            .filter(sc::product_id.eq(product)),
    )
    .execute(conn)?;
    if n == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// Who may see a product's screenshots: its provider, the operator, and organisations
/// the product is shown to.
pub(crate) fn may_see(conn: &mut Conn, ctx: &Ctx, product: &products::Product) -> AppResult<bool> {
    if ctx.user.as_ref().is_some_and(|u| u.is_operator) {
        return Ok(true);
    }
    let Ok(scope) = ctx.scope() else {
        return Ok(false);
    };
    let org = scope.org_id();
    if org == product.provider_org_id {
        return Ok(true);
    }
    let stage = product.stage();
    if !matches!(
        stage,
        Stage::Prelisted | Stage::Grey | Stage::FinalReview | Stage::Open
    ) {
        return Ok(false);
    }
    let audience = Audience {
        cocreator: diesel::select(diesel::dsl::exists(
            co::table
                .filter(co::product_id.eq(product.id))
                .filter(co::org_id.eq(org))
                .filter(co::active.eq(true)),
        ))
        .get_result(conn)?,
        in_cohort: diesel::select(diesel::dsl::exists(
            ch::table
                .filter(ch::product_id.eq(product.id))
                .filter(ch::org_id.eq(org)),
        ))
        .get_result(conn)?,
    };
    Ok(visible(stage, product.paused, audience))
}

pub(crate) async fn serve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(shot): Path<i64>,
) -> AppResult<Response> {
    let storage = state.storage.clone();
    let (ctype, bytes) = state
        .db
        .run(move |conn| {
            let (product, key, ctype): (i64, String, String) = sc::table
                .find(shot)
                .select((sc::product_id, sc::file_key, sc::content_type))
                .first(conn)
                .optional()?
                .ok_or(AppError::NotFound)?;
            let p = products::find(conn, product)?;
            if !may_see(conn, &ctx, &p)? {
                return Err(AppError::NotFound);
            }
            Ok((ctype, storage.get(&key)?))
        })
        .await?;
    Ok((
        [
            (header::CONTENT_TYPE, ctype),
            (header::CACHE_CONTROL, "private, max-age=600".into()),
        ],
        bytes,
    )
        .into_response())
}
