//! Products: created from one of the provider's own apps, edited while their stage allows,
//! and submitted to the next review. The first submission assigns the product code.

use diesel::prelude::*;

use super::product_form::{Edition, EditionInput, ProductForm};
use super::rules::{Stage, product_code};
use crate::db::schema::{
    ac_editions as ed, ac_products as p, ac_reviews as r, ac_screenshots as sc,
};
use crate::db::{Conn, is_unique_violation, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::tools::Cursor;
use crate::tools::money::yuan;
use crate::web::{PAGE_SIZE, Page};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = p)]
pub(crate) struct Product {
    pub id: i64,
    pub provider_org_id: i64,
    pub app_id: i64,
    pub code: Option<String>,
    pub stage: String,
    pub name: String,
    pub description: String,
    pub category: String,
    pub homepage_url: String,
    pub permissions: String,
    pub data_stored: String,
    pub reason: String,
    pub paused: bool,
    pub version: i32,
    pub cocreation_started_at: Option<i64>,
    pub grey_started_at: Option<i64>,
    pub quality: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Product {
    pub(crate) fn stage(&self) -> Stage {
        Stage::parse(&self.stage)
    }
    pub(crate) fn permission_list(&self) -> Vec<&str> {
        self.permissions
            .split(',')
            .filter(|s| !s.is_empty())
            .collect()
    }
    pub(crate) fn code_or_dash(&self) -> &str {
        self.code.as_deref().unwrap_or("—")
    }
    pub(crate) fn grade(&self) -> &'static str {
        super::rules::grade(self.quality)
    }
    /// The form of this product as stored, for editing.
    pub(crate) fn form(&self, editions: &[Edition]) -> ProductForm {
        ProductForm {
            app_id: self.app_id.to_string(),
            name: self.name.clone(),
            description: self.description.clone(),
            category: self.category.clone(),
            homepage_url: self.homepage_url.clone(),
            permissions: self
                .permission_list()
                .into_iter()
                .map(String::from)
                .collect(),
            data_stored: self.data_stored.clone(),
            editions: Vec::new(),
        }
        .of_editions(editions)
    }
}

/// One edition as stored.
#[derive(Queryable, Clone, Debug)]
pub(crate) struct EditionRow {
    pub id: i64,
    pub name: String,
    pub price_fen: i64,
    pub seats: i32,
}

impl EditionRow {
    pub(crate) fn is_free(&self) -> bool {
        self.price_fen == 0
    }
    pub(crate) fn price(&self) -> String {
        yuan(self.price_fen)
    }
    pub(crate) fn edition(&self) -> Edition {
        Edition {
            name: self.name.clone(),
            price_fen: self.price_fen,
            seats: self.seats,
        }
    }
}

pub(crate) fn find(conn: &mut Conn, id: i64) -> AppResult<Product> {
    p::table
        .find(id)
        .select(Product::as_select())
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)
}

/// A product of `provider` (another provider's looks missing).
pub(crate) fn find_own(conn: &mut Conn, provider: i64, id: i64) -> AppResult<Product> {
    let prod = find(conn, id)?;
    if prod.provider_org_id != provider {
        return Err(AppError::NotFound);
    }
    Ok(prod)
}

pub(crate) fn editions(conn: &mut Conn, product: i64) -> AppResult<Vec<EditionRow>> {
    Ok(ed::table
        .filter(ed::product_id.eq(product))
        .order(ed::position.asc())
        .select((ed::id, ed::name, ed::price_fen, ed::seats))
        .load(conn)?)
}

/// The provider's products, newest first.
pub(crate) fn list(conn: &mut Conn, provider: i64, cursor: Cursor) -> AppResult<Page<Product>> {
    Page::fetch(
        cursor,
        |x: &Product| x.id,
        |c| {
            let q = p::table
                .filter(p::provider_org_id.eq(provider))
                .select(Product::as_select())
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            Ok(crate::keyset!(q, c, p::id, desc).load(conn)?)
        },
    )
}

/// Whether an app may become a product of `provider`: its own, not a premium app
/// (精品应用), not a copy distributed to it.
pub(crate) fn check_source_app(
    conn: &mut Conn,
    provider: i64,
    app_id: i64,
) -> Result<(), &'static str> {
    use crate::db::schema::apps;
    let row: Option<(i64, bool, Option<i64>)> = apps::table
        .find(app_id)
        .select((apps::org_id, apps::premium, apps::source_app_id))
        .first(conn)
        .optional()
        .map_err(|_| "error.internal")?;
    match row {
        Some((org, _, _)) if org != provider => Err("appcentre.error.app_not_own"),
        None => Err("appcentre.error.app_not_own"),
        Some((_, true, _)) => Err("appcentre.error.app_premium"),
        Some((_, _, Some(_))) => Err("appcentre.error.app_copy"),
        Some(_) => Ok(()),
    }
}

fn write_editions(conn: &mut Conn, product: i64, editions: &[Edition]) -> AppResult<()> {
    diesel::delete(ed::table.filter(ed::product_id.eq(product))).execute(conn)?;
    for (i, x) in editions.iter().enumerate() {
        diesel::insert_into(ed::table)
            .values((
                ed::product_id.eq(product),
                ed::name.eq(&x.name),
                ed::price_fen.eq(x.price_fen),
                ed::seats.eq(x.seats),
                ed::position.eq(i as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub(crate) fn create(
    conn: &mut Conn,
    provider: i64,
    app_id: i64,
    f: &ProductForm,
    editions: &[Edition],
    by: i64,
) -> AppResult<i64> {
    write_tx(conn, |conn| {
        let t = now();
        let id: i64 = diesel::insert_into(p::table)
            .values((
                p::provider_org_id.eq(provider),
                p::app_id.eq(app_id),
                p::stage.eq(Stage::Draft.as_str()),
                p::name.eq(f.name.trim()),
                p::description.eq(f.description.trim()),
                p::category.eq(&f.category),
                p::homepage_url.eq(f.homepage_url.trim()),
                p::permissions.eq(f.permissions.join(",")),
                p::data_stored.eq(f.data_stored.trim()),
                p::created_by.eq(by),
                p::created_at.eq(t),
                p::updated_at.eq(t),
            ))
            .returning(p::id)
            .get_result(conn)?;
        write_editions(conn, id, editions)?;
        Ok(id)
    })
}

/// Saves what the stage lets the provider edit: the access information only while it is
/// editable, the sales information likewise. Checked again inside the transaction.
pub(crate) fn update(
    conn: &mut Conn,
    provider: i64,
    id: i64,
    f: &ProductForm,
    editions: &[Edition],
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let prod = find_own(conn, provider, id)?;
        let (access, sales) = prod.stage().editable();
        if !access && !sales {
            return Err(AppError::Conflict("appcentre.error.not_editable"));
        }
        if access {
            diesel::update(p::table.find(id))
                .set((
                    p::name.eq(f.name.trim()),
                    p::description.eq(f.description.trim()),
                    p::category.eq(&f.category),
                    p::homepage_url.eq(f.homepage_url.trim()),
                    p::permissions.eq(f.permissions.join(",")),
                    p::data_stored.eq(f.data_stored.trim()),
                ))
                .execute(conn)?;
        }
        if sales {
            write_editions(conn, id, editions)?;
        }
        diesel::update(p::table.find(id))
            .set(p::updated_at.eq(now()))
            .execute(conn)?;
        Ok(())
    })
}

/// The product as submitted, kept with the review so the next review shows what changed.
pub(crate) fn snapshot(conn: &mut Conn, prod: &Product) -> AppResult<ProductForm> {
    let eds = editions(conn, prod.id)?;
    let shots: i64 = sc::table
        .filter(sc::product_id.eq(prod.id))
        .count()
        .get_result(conn)?;
    let mut f = prod.form(&eds.iter().map(EditionRow::edition).collect::<Vec<_>>());
    // The number of screenshots stands in for them in the comparison.
    f.app_id = format!("{}:{shots}", prod.app_id);
    Ok(f)
}

/// Submits the product to the review its stage leads to; the first submission assigns
/// the code. The editions must be complete and at least one screenshot uploaded.
pub(crate) fn submit(conn: &mut Conn, provider: i64, id: i64, by: i64) -> AppResult<Stage> {
    write_tx(conn, |conn| {
        let prod = find_own(conn, provider, id)?;
        let next = prod
            .stage()
            .submits_to()
            .ok_or(AppError::Conflict("appcentre.error.not_submittable"))?;
        let shots: i64 = sc::table
            .filter(sc::product_id.eq(id))
            .count()
            .get_result(conn)?;
        if shots == 0 {
            return Err(AppError::Conflict("appcentre.error.screenshot_needed"));
        }
        if prod.code.is_none() {
            assign_code(conn, id)?;
        }
        let snap = snapshot(conn, &prod)?;
        let version = prod.version + 1;
        diesel::update(p::table.find(id))
            .set((
                p::stage.eq(next.as_str()),
                p::version.eq(version),
                p::updated_at.eq(now()),
            ))
            .execute(conn)?;
        open_review(conn, id, next, version, &snap, by)?;
        Ok(next)
    })
}

/// Opens the review of `stage` (one open review per product: the unique index).
pub(crate) fn open_review(
    conn: &mut Conn,
    id: i64,
    stage: Stage,
    version: i32,
    snap: &ProductForm,
    by: i64,
) -> AppResult<()> {
    let kind = stage.review_kind().ok_or(AppError::Internal)?;
    let json = serde_json::to_string(snap).map_err(AppError::internal)?;
    diesel::insert_into(r::table)
        .values((
            r::product_id.eq(id),
            r::stage.eq(kind),
            r::version.eq(version),
            r::snapshot.eq(json),
            r::submitted_by.eq(by),
            r::submitted_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| {
            if is_unique_violation(&e) {
                AppError::Conflict("appcentre.error.review_open")
            } else {
                e.into()
            }
        })?;
    Ok(())
}

/// A random unused code; the unique key settles a race (retried a few times).
fn assign_code(conn: &mut Conn, id: i64) -> AppResult<()> {
    for _ in 0..8 {
        let code = product_code(rand::random::<u32>());
        let taken: bool = diesel::select(diesel::dsl::exists(p::table.filter(p::code.eq(&code))))
            .get_result(conn)?;
        if taken {
            continue;
        }
        diesel::update(p::table.find(id))
            .set(p::code.eq(Some(&code)))
            .execute(conn)?;
        return Ok(());
    }
    Err(AppError::internal("no free product code"))
}

/// The fields that differ between two submissions, as label keys.
pub(crate) fn changes(before: &ProductForm, after: &ProductForm) -> Vec<&'static str> {
    let mut out = Vec::new();
    let pairs: [(&str, bool); 7] = [
        ("appcentre.field.name", before.name != after.name),
        (
            "appcentre.field.description",
            before.description != after.description,
        ),
        (
            "appcentre.field.category",
            before.category != after.category,
        ),
        (
            "appcentre.field.homepage_url",
            before.homepage_url != after.homepage_url,
        ),
        (
            "appcentre.field.permissions",
            before.permissions != after.permissions,
        ),
        (
            "appcentre.field.data_stored",
            before.data_stored != after.data_stored,
        ),
        ("appcentre.field.screenshots", before.app_id != after.app_id),
    ];
    out.extend(pairs.iter().filter(|(_, c)| *c).map(|(k, _)| *k));
    let norm = |v: &[EditionInput]| -> Vec<EditionInput> {
        v.iter().filter(|e| !e.name.is_empty()).cloned().collect()
    };
    if norm(&before.editions) != norm(&after.editions) {
        out.push("appcentre.field.editions");
    }
    out
}
