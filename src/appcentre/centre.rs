//! The app centre as organisations see it (step 8, 开放): the products shown to the
//! viewer's organisation, by category with search, ranked by grade then newest, 20 a page
//! on a (quality, id) keyset; and one product's page.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::Text;

use super::products::{self, EditionRow, Product};
use super::rules::{Audience, LISTING_PAGE, Stage, visible};
use crate::apps::AppIcon;
use crate::db::Conn;
use crate::db::in_ids::in_ids;
use crate::db::schema::{
    ac_cocreators as co, ac_cohort as ch, ac_editions as ed, ac_installs as ins, ac_products as p,
    apps, orgs,
};
use crate::error::{AppError, AppResult};
use crate::tools::money::yuan;

diesel::define_sql_function! {
    /// `lower(text)`: search ignores case on both backends (SQLite's LIKE already does for
    /// ASCII, PostgreSQL's does not).
    fn lower(x: Text) -> Text;
}

/// Where the listing continues: after this (quality, id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub quality: i32,
    pub id: i64,
}

impl Cursor {
    /// `90.12` in the address; anything else starts from the top.
    pub(crate) fn parse(s: &str) -> Option<Cursor> {
        let (q, id) = s.split_once('.')?;
        Some(Cursor {
            quality: q.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
    pub(crate) fn encode(self) -> String {
        format!("{}.{}", self.quality, self.id)
    }
}

/// What the listing asks for.
#[derive(Clone, Debug, Default)]
pub(crate) struct Query {
    /// One of `product_form::CATEGORIES`, or none for all.
    pub category: Option<String>,
    pub q: String,
    pub after: Option<Cursor>,
    /// Going back: the page that ends just before this (quality, id).
    pub before: Option<Cursor>,
}

/// One card of the listing.
pub(crate) struct Card {
    pub p: Product,
    pub provider: String,
    pub icon: AppIcon,
    /// Lowest and highest price in fen; (0, 0) is free.
    pub prices: (i64, i64),
}

impl Card {
    pub(crate) fn is_free(&self) -> bool {
        self.prices.1 == 0
    }
    pub(crate) fn price_range(&self) -> String {
        let (lo, hi) = self.prices;
        if lo == hi {
            format!("¥{}", yuan(hi))
        } else {
            format!("¥{} – ¥{}", yuan(lo), yuan(hi))
        }
    }
}

pub(crate) struct Listing {
    pub cards: Vec<Card>,
    pub prev: Option<Cursor>,
    pub next: Option<Cursor>,
}

fn like_pattern(q: &str) -> String {
    let mut s = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

/// The products `org` may see, best grade first, then newest (keyset on quality, id,
/// both ways: "next" after a page's last card, "previous" before its first).
pub(crate) fn listing(conn: &mut Conn, org: i64, query: &Query) -> AppResult<Listing> {
    let cursor_of = |x: &Product| Cursor {
        quality: x.quality,
        id: x.id,
    };
    let page = LISTING_PAGE as usize;
    let (prev, next, rows) = match (query.before, query.after) {
        (Some(b), _) => {
            let mut rows = read(conn, org, query, Direction::Before(b))?;
            if rows.len() < page {
                // Back past the top (rows came or went since the link was drawn): the
                // first page, whole.
                let mut rows = read(conn, org, query, Direction::First)?;
                let next = (rows.len() > page).then(|| cursor_of(&rows[page - 1]));
                rows.truncate(page);
                (None, next, rows)
            } else {
                let more = rows.len() > page;
                rows.truncate(page);
                rows.reverse();
                let prev = more.then(|| cursor_of(&rows[0]));
                let next = rows.last().map(cursor_of);
                (prev, next, rows)
            }
        }
        (None, Some(a)) => {
            let mut rows = read(conn, org, query, Direction::After(a))?;
            let next = (rows.len() > page).then(|| cursor_of(&rows[page - 1]));
            rows.truncate(page);
            (rows.first().map(cursor_of), next, rows)
        }
        (None, None) => {
            let mut rows = read(conn, org, query, Direction::First)?;
            let next = (rows.len() > page).then(|| cursor_of(&rows[page - 1]));
            rows.truncate(page);
            (None, next, rows)
        }
    };
    let cards = cards(conn, rows)?;
    Ok(Listing { cards, prev, next })
}

#[derive(Clone, Copy)]
enum Direction {
    First,
    After(Cursor),
    Before(Cursor),
}

/// Up to a page and one of the visible products from `dir`, in its reading order.
fn read(conn: &mut Conn, org: i64, query: &Query, dir: Direction) -> AppResult<Vec<Product>> {
    let cohort = diesel::dsl::exists(
        ch::table
            .filter(ch::product_id.eq(p::id))
            .filter(ch::org_id.eq(org)),
    );
    let cocreator = diesel::dsl::exists(
        co::table
            .filter(co::product_id.eq(p::id))
            .filter(co::org_id.eq(org))
            .filter(co::active.eq(true)),
    );
    // rules::visible as SQL: open to all, grey to the cohort, pre-listed to co-creators,
    // paused to nobody new.
    let mut q = p::table
        .filter(p::paused.eq(false))
        .filter(
            p::stage
                .eq(Stage::Open.as_str())
                .or(p::stage
                    .eq(Stage::Grey.as_str())
                    .or(p::stage.eq(Stage::FinalReview.as_str()))
                    .and(cohort))
                .or(p::stage.eq(Stage::Prelisted.as_str()).and(cocreator)),
        )
        .select(Product::as_select())
        .limit(LISTING_PAGE + 1)
        .into_boxed();
    if let Some(c) = &query.category {
        q = q.filter(p::category.eq(c.clone()));
    }
    let text = query.q.trim();
    if !text.is_empty() {
        let pat = like_pattern(text);
        q = q.filter(
            lower(p::name)
                .like(pat.clone())
                .escape('\\')
                .or(lower(p::description).like(pat).escape('\\')),
        );
    }
    q = match dir {
        Direction::First => q.order((p::quality.desc(), p::id.desc())),
        Direction::After(a) => q
            .filter(
                p::quality
                    .lt(a.quality)
                    .or(p::quality.eq(a.quality).and(p::id.lt(a.id))),
            )
            .order((p::quality.desc(), p::id.desc())),
        Direction::Before(b) => q
            .filter(
                p::quality
                    .gt(b.quality)
                    .or(p::quality.eq(b.quality).and(p::id.gt(b.id))),
            )
            .order((p::quality.asc(), p::id.asc())),
    };
    Ok(q.load(conn)?)
}

/// Provider names, app icons and price ranges of a page of products (three queries).
fn cards(conn: &mut Conn, rows: Vec<Product>) -> AppResult<Vec<Card>> {
    let ids: Vec<i64> = rows.iter().map(|x| x.id).collect();
    let app_ids: Vec<i64> = rows.iter().map(|x| x.app_id).collect();
    let org_ids: Vec<i64> = rows.iter().map(|x| x.provider_org_id).collect();
    let names: HashMap<i64, String> = orgs::table
        .filter(in_ids(orgs::id, &org_ids))
        .select((orgs::id, orgs::name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect();
    let icons: HashMap<i64, (String, String)> = apps::table
        .filter(in_ids(apps::id, &app_ids))
        .select((apps::id, apps::icon_glyph, apps::icon_color))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, g, c)| (id, (g, c)))
        .collect();
    let mut prices: HashMap<i64, (i64, i64)> = HashMap::new();
    for (pid, fen) in ed::table
        .filter(in_ids(ed::product_id, &ids))
        .select((ed::product_id, ed::price_fen))
        .load::<(i64, i64)>(conn)?
    {
        let e = prices.entry(pid).or_insert((fen, fen));
        e.0 = e.0.min(fen);
        e.1 = e.1.max(fen);
    }
    Ok(rows
        .into_iter()
        .map(|x| {
            let (g, c) = icons.get(&x.app_id).cloned().unwrap_or_default();
            Card {
                provider: names.get(&x.provider_org_id).cloned().unwrap_or_default(),
                // The glyph and colour only: an uploaded image is served to the app's
                // own organisation, not to the app centre's visitors.
                icon: AppIcon::new(x.app_id, &g, &c, ""),
                prices: prices.get(&x.id).copied().unwrap_or((0, 0)),
                p: x,
            }
        })
        .collect())
}

/// Why `org` would see a product.
pub(crate) fn audience(conn: &mut Conn, product: i64, org: i64) -> AppResult<Audience> {
    Ok(Audience {
        cocreator: diesel::select(diesel::dsl::exists(
            co::table
                .filter(co::product_id.eq(product))
                .filter(co::org_id.eq(org))
                .filter(co::active.eq(true)),
        ))
        .get_result(conn)?,
        in_cohort: diesel::select(diesel::dsl::exists(
            ch::table
                .filter(ch::product_id.eq(product))
                .filter(ch::org_id.eq(org)),
        ))
        .get_result(conn)?,
    })
}

/// A product `org` may see now; any other answers as missing.
pub(crate) fn find_visible(conn: &mut Conn, org: i64, id: i64) -> AppResult<Product> {
    let prod = products::find(conn, id)?;
    let who = audience(conn, id, org)?;
    if !visible(prod.stage(), prod.paused, who) {
        return Err(AppError::NotFound);
    }
    Ok(prod)
}

/// A product's page as an organisation sees it.
pub(crate) struct Detail {
    pub p: Product,
    pub provider: String,
    pub icon: AppIcon,
    pub editions: Vec<EditionRow>,
    pub screenshots: Vec<i64>,
    /// The organisation's live install: (install id, its app).
    pub installed: Option<(i64, Option<i64>)>,
    /// Label keys of the features the app uses that the organisation's edition lacks.
    pub lacking: Vec<&'static str>,
}

pub(crate) fn detail(conn: &mut Conn, org: i64, id: i64) -> AppResult<Detail> {
    let p = find_visible(conn, org, id)?;
    let provider: String = orgs::table
        .find(p.provider_org_id)
        .select(orgs::name)
        .first(conn)?;
    let (g, c): (String, String) = apps::table
        .find(p.app_id)
        .select((apps::icon_glyph, apps::icon_color))
        .first(conn)?;
    let installed = live_install(conn, id, org)?;
    let lacking = lacking(conn, org, p.app_id)?;
    Ok(Detail {
        icon: AppIcon::new(p.app_id, &g, &c, ""),
        editions: products::editions(conn, id)?,
        screenshots: super::screenshots::of_product(conn, id)?,
        provider,
        installed,
        lacking,
        p,
    })
}

/// The organisation's live install of a product: (install id, its app).
pub(crate) fn live_install(
    conn: &mut Conn,
    product: i64,
    org: i64,
) -> AppResult<Option<(i64, Option<i64>)>> {
    Ok(ins::table
        .filter(ins::product_id.eq(product))
        .filter(ins::org_id.eq(org))
        .filter(ins::uninstalled_at.is_null())
        .select((ins::id, ins::app_id))
        .first(conn)
        .optional()?)
}

/// The entitlement check (功能权益) against the installing organisation's edition.
pub(crate) fn lacking(conn: &mut Conn, org: i64, app_id: i64) -> AppResult<Vec<&'static str>> {
    let edition: String = orgs::table.find(org).select(orgs::edition).first(conn)?;
    crate::distribution::lacking_features(conn, app_id, &edition)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_reads_back_what_it_wrote() {
        let c = Cursor {
            quality: 85,
            id: 12,
        };
        assert_eq!(Cursor::parse(&c.encode()), Some(c));
        assert_eq!(Cursor::parse("x.1"), None);
        assert_eq!(Cursor::parse("90"), None);
    }

    #[test]
    fn search_patterns_are_lowercased_and_escaped() {
        assert_eq!(like_pattern("CRM_50%"), "%crm\\_50\\%%");
    }
}
