//! Templates, their versions, the operator's lists and batch authorisations: all SQL of
//! the provider's template side.

use diesel::prelude::*;

use super::rules::{BATCH_VALID_SECS, Catalogue, ReviewState, TemplateForm, check_batch};
use crate::auth::OrgScope;
use crate::db::schema::{
    apps, cd_batch_templates, cd_batches, cd_catalogue, cd_reviews, cd_template_versions as v,
    cd_templates as t, orgs,
};
use crate::db::{Conn, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::{Cursor, PAGE_SIZE, Page};

pub(crate) const CATEGORY: &str = "category";
pub(crate) const INDUSTRY: &str = "industry";
pub(crate) const BANNED: &str = "banned_word";

/// The lists the operator maintains, with the seed's banned words left to `rules`.
pub(crate) fn catalogue(conn: &mut Conn) -> AppResult<Catalogue> {
    let rows: Vec<(String, String)> = cd_catalogue::table
        .order(cd_catalogue::id.asc())
        .select((cd_catalogue::kind, cd_catalogue::name))
        .load(conn)?;
    let of = |k: &str| {
        rows.iter()
            .filter(|r| r.0 == k)
            .map(|r| r.1.clone())
            .collect::<Vec<_>>()
    };
    Ok(Catalogue {
        categories: of(CATEGORY),
        industries: of(INDUSTRY),
        banned: of(BANNED),
    })
}

#[derive(Queryable, Clone, Debug)]
pub(crate) struct CatalogueRow {
    pub id: i64,
    pub kind: String,
    pub name: String,
}

pub(crate) fn catalogue_rows(conn: &mut Conn) -> AppResult<Vec<CatalogueRow>> {
    Ok(cd_catalogue::table
        .order((cd_catalogue::kind.asc(), cd_catalogue::id.asc()))
        .select((cd_catalogue::id, cd_catalogue::kind, cd_catalogue::name))
        .load(conn)?)
}

/// Adds an entry; one already there is a field error.
pub(crate) fn add_catalogue(conn: &mut Conn, by: i64, kind: &str, name: &str) -> AppResult<bool> {
    let res = diesel::insert_into(cd_catalogue::table)
        .values((
            cd_catalogue::kind.eq(kind),
            cd_catalogue::name.eq(name),
            cd_catalogue::created_by.eq(Some(by)),
            cd_catalogue::created_at.eq(now()),
        ))
        .execute(conn);
    match res {
        Ok(_) => Ok(true),
        Err(e) if crate::db::is_unique_violation(&e) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn remove_catalogue(conn: &mut Conn, id: i64) -> AppResult<CatalogueRow> {
    let row: CatalogueRow = cd_catalogue::table
        .find(id)
        .select((cd_catalogue::id, cd_catalogue::kind, cd_catalogue::name))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    diesel::delete(cd_catalogue::table.find(id)).execute(conn)?;
    Ok(row)
}

/// One version of a template as saved.
#[derive(Queryable, Clone, Debug)]
pub(crate) struct Version {
    pub id: i64,
    pub version: i32,
    pub name: String,
    pub intro: String,
    pub logo_key: String,
    pub category: String,
    pub industry: String,
    pub callback_url: String,
    pub saved_at: i64,
}

type VersionCols = (
    v::id,
    v::version,
    v::name,
    v::intro,
    v::logo_key,
    v::category,
    v::industry,
    v::callback_url,
    v::saved_at,
);
const VERSION_COLS: VersionCols = (
    v::id,
    v::version,
    v::name,
    v::intro,
    v::logo_key,
    v::category,
    v::industry,
    v::callback_url,
    v::saved_at,
);

/// A template with its latest version, its live one and the latest version's ticket.
#[derive(Clone, Debug)]
pub(crate) struct Template {
    pub id: i64,
    pub provider_org_id: i64,
    pub provider_name: String,
    pub source_app_id: Option<i64>,
    pub token: String,
    pub latest: Version,
    pub live: Option<Version>,
    /// The state of the latest version's newest ticket, if it was ever submitted.
    pub latest_review: Option<ReviewState>,
    pub latest_reason: String,
}

impl Template {
    /// 已上线: a version went live, so the authorisation code exists.
    pub(crate) fn is_live(&self) -> bool {
        self.live.is_some()
    }
    /// What people know the template by: its live name, else its latest.
    pub(crate) fn name(&self) -> &str {
        self.live.as_ref().map_or(&self.latest.name, |l| &l.name)
    }
    /// The latest version differs from the live one (a change not yet live).
    pub(crate) fn has_pending_version(&self) -> bool {
        self.live.as_ref().is_some_and(|l| l.id != self.latest.id)
    }
}

fn load_template(conn: &mut Conn, id: i64) -> AppResult<Option<Template>> {
    type Row = (i64, i64, String, Option<i64>, String, Option<i64>);
    let row: Option<Row> = t::table
        .inner_join(orgs::table.on(orgs::id.eq(t::provider_org_id)))
        .filter(t::id.eq(id))
        .select((
            t::id,
            t::provider_org_id,
            orgs::name,
            t::source_app_id,
            t::token,
            t::live_version_id,
        ))
        .first(conn)
        .optional()?;
    let Some((id, provider_org_id, provider_name, source_app_id, token, live_id)) = row else {
        return Ok(None);
    };
    let latest: Version = v::table
        .filter(v::template_id.eq(id))
        .order(v::version.desc())
        .select(VERSION_COLS)
        .first(conn)?;
    let live = match live_id {
        Some(l) => Some(v::table.find(l).select(VERSION_COLS).first(conn)?),
        None => None,
    };
    let ticket: Option<(String, String)> = cd_reviews::table
        .filter(cd_reviews::version_id.eq(latest.id))
        .order(cd_reviews::id.desc())
        .select((cd_reviews::state, cd_reviews::reason))
        .first(conn)
        .optional()?;
    Ok(Some(Template {
        id,
        provider_org_id,
        provider_name,
        source_app_id,
        token,
        latest,
        live,
        latest_review: ticket.as_ref().and_then(|t| ReviewState::parse(&t.0)),
        latest_reason: ticket.map(|t| t.1).unwrap_or_default(),
    }))
}

/// One of the scope's (the provider's) templates, else "not found".
pub(crate) fn find_template(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Template> {
    load_template(conn, id)?
        .filter(|t| t.provider_org_id == scope.org_id())
        .ok_or(AppError::NotFound)
}

/// The provider's templates, newest first.
pub(crate) fn list_templates(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<Page<Template>> {
    Page::fetch(
        cursor,
        |t: &Template| t.id,
        |cursor| {
            let q = t::table
                .filter(t::provider_org_id.eq(scope.org_id()))
                .select(t::id)
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            let ids: Vec<i64> = crate::keyset!(q, cursor, t::id, desc).load(&mut *conn)?;
            let mut rows = Vec::with_capacity(ids.len());
            for id in ids {
                if let Some(t) = load_template(conn, id)? {
                    rows.push(t);
                }
            }
            Ok(rows)
        },
    )
}

/// Every live template of the provider (for the batch authorisation and go-live pages).
pub(crate) fn live_templates(conn: &mut Conn, provider_org_id: i64) -> AppResult<Vec<Template>> {
    let ids: Vec<i64> = t::table
        .filter(t::provider_org_id.eq(provider_org_id))
        .filter(t::live_version_id.is_not_null())
        .order(t::id.asc())
        .select(t::id)
        .load(conn)?;
    let mut out = Vec::new();
    for id in ids {
        if let Some(t) = load_template(conn, id)? {
            out.push(t);
        }
    }
    Ok(out)
}

/// The provider's own apps a template may start from: not a distributed copy, not a
/// custom app, not deleted.
pub(crate) fn own_apps(conn: &mut Conn, scope: &OrgScope) -> AppResult<Vec<(i64, String)>> {
    Ok(apps::table
        .filter(apps::org_id.eq(scope.org_id()))
        .filter(apps::provider_org_id.is_null())
        .filter(apps::state.eq_any(["enabled", "maintenance"]))
        .order(apps::id.desc())
        .limit(200)
        .select((apps::id, apps::name))
        .load(conn)?)
}

/// What a save stores.
pub(crate) struct NewVersion<'a> {
    pub form: &'a TemplateForm,
    pub source_app_id: Option<i64>,
    /// A newly uploaded logo's storage key; `None` keeps the current one.
    pub logo_key: Option<String>,
}

fn insert_version(
    conn: &mut Conn,
    template_id: i64,
    version: i32,
    n: &NewVersion<'_>,
    logo_key: &str,
    by: i64,
) -> AppResult<()> {
    diesel::insert_into(v::table)
        .values((
            v::template_id.eq(template_id),
            v::version.eq(version),
            v::name.eq(n.form.name.trim()),
            v::intro.eq(n.form.intro.trim()),
            v::logo_key.eq(logo_key),
            v::category.eq(&n.form.category),
            v::industry.eq(&n.form.industry),
            v::callback_url.eq(n.form.callback_url.trim()),
            v::saved_by.eq(by),
            v::saved_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(())
}

/// Creates a template (version 1, not submitted). Provider admins only (the caller checks).
pub(crate) fn create_template(
    conn: &mut Conn,
    scope: &OrgScope,
    n: &NewVersion<'_>,
) -> AppResult<i64> {
    let logo = n
        .logo_key
        .clone()
        .ok_or(AppError::BadRequest("customdev.error.logo_required"))?;
    write_tx(conn, |conn| {
        let id: i64 = diesel::insert_into(t::table)
            .values((
                t::provider_org_id.eq(scope.org_id()),
                t::source_app_id.eq(n.source_app_id),
                t::token.eq(crate::tools::new_token()),
                t::callback_token.eq(crate::tools::new_token()),
                t::created_by.eq(scope.user_id()),
                t::created_at.eq(now()),
            ))
            .returning(t::id)
            .get_result(conn)?;
        insert_version(conn, id, 1, n, &logo, scope.user_id())?;
        Ok(id)
    })
}

/// Saves a change. The latest version is changed in place while it was never submitted;
/// a version under review or approved cannot change (409); otherwise (live, rejected)
/// the change becomes a new version that needs its own review and 提交上线.
pub(crate) fn save_template(
    conn: &mut Conn,
    scope: &OrgScope,
    id: i64,
    n: &NewVersion<'_>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        let tpl = find_template(conn, scope, id)?;
        // Lock the template: a concurrent submit sees this save, or this save sees it.
        diesel::update(t::table.find(id))
            .set(t::source_app_id.eq(n.source_app_id))
            .execute(conn)?;
        let logo = n.logo_key.clone().unwrap_or(tpl.latest.logo_key.clone());
        let submitted = cd_reviews::table
            .filter(cd_reviews::version_id.eq(tpl.latest.id))
            .select(cd_reviews::state)
            .load::<String>(conn)?;
        if submitted
            .iter()
            .any(|s| s == ReviewState::InReview.as_str() || s == ReviewState::Ready.as_str())
        {
            return Err(AppError::Conflict("customdev.error.version_under_review"));
        }
        if submitted.is_empty() {
            diesel::update(v::table.find(tpl.latest.id))
                .set((
                    v::name.eq(n.form.name.trim()),
                    v::intro.eq(n.form.intro.trim()),
                    v::logo_key.eq(&logo),
                    v::category.eq(&n.form.category),
                    v::industry.eq(&n.form.industry),
                    v::callback_url.eq(n.form.callback_url.trim()),
                    v::saved_by.eq(scope.user_id()),
                    v::saved_at.eq(now()),
                ))
                .execute(conn)?;
        } else {
            insert_version(conn, id, tpl.latest.version + 1, n, &logo, scope.user_id())?;
        }
        Ok(())
    })
}

/// A version with the state of its newest ticket, for the template's page.
pub(crate) struct VersionRow {
    pub version: Version,
    pub review: Option<ReviewState>,
    pub reason: String,
    pub live: bool,
}

pub(crate) fn versions(conn: &mut Conn, tpl: &Template) -> AppResult<Vec<VersionRow>> {
    let list: Vec<Version> = v::table
        .filter(v::template_id.eq(tpl.id))
        .order(v::version.desc())
        .limit(20)
        .select(VERSION_COLS)
        .load(conn)?;
    let mut out = Vec::new();
    for ver in list {
        let ticket: Option<(String, String)> = cd_reviews::table
            .filter(cd_reviews::version_id.eq(ver.id))
            .order(cd_reviews::id.desc())
            .select((cd_reviews::state, cd_reviews::reason))
            .first(conn)
            .optional()?;
        out.push(VersionRow {
            live: tpl.live.as_ref().is_some_and(|l| l.id == ver.id),
            review: ticket.as_ref().and_then(|t| ReviewState::parse(&t.0)),
            reason: ticket.map(|t| t.1).unwrap_or_default(),
            version: ver,
        });
    }
    Ok(out)
}

/// The live template behind an authorisation link, with its provider's name.
pub(crate) fn live_by_token(conn: &mut Conn, token: &str) -> AppResult<Template> {
    if !crate::tools::token_shape_ok(token) {
        return Err(AppError::NotFound);
    }
    let id: i64 = t::table
        .filter(t::token.eq(token))
        .select(t::id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    load_template(conn, id)?
        .filter(Template::is_live)
        .ok_or(AppError::NotFound)
}

/// A template by id whatever its provider (the logo, shown to enterprises too).
pub(crate) fn any_template(conn: &mut Conn, id: i64) -> AppResult<Template> {
    load_template(conn, id)?.ok_or(AppError::NotFound)
}

/// Creates a batch authorisation of 2–9 of the provider's live templates.
pub(crate) fn create_batch(conn: &mut Conn, scope: &OrgScope, ids: &[i64]) -> AppResult<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    check_batch(ids.len()).map_err(AppError::BadRequest)?;
    write_tx(conn, |conn| {
        let live: i64 = t::table
            .filter(t::id.eq_any(&ids))
            .filter(t::provider_org_id.eq(scope.org_id()))
            .filter(t::live_version_id.is_not_null())
            .count()
            .get_result(conn)?;
        if live != ids.len() as i64 {
            return Err(AppError::BadRequest("customdev.error.batch_live_only"));
        }
        let id: i64 = diesel::insert_into(cd_batches::table)
            .values((
                cd_batches::provider_org_id.eq(scope.org_id()),
                cd_batches::token.eq(crate::tools::new_token()),
                cd_batches::expires_at.eq(now() + BATCH_VALID_SECS),
                cd_batches::created_by.eq(scope.user_id()),
                cd_batches::created_at.eq(now()),
            ))
            .returning(cd_batches::id)
            .get_result(conn)?;
        for tid in &ids {
            diesel::insert_into(cd_batch_templates::table)
                .values((
                    cd_batch_templates::batch_id.eq(id),
                    cd_batch_templates::template_id.eq(tid),
                ))
                .execute(conn)?;
        }
        Ok(id)
    })
}

pub(crate) struct Batch {
    pub id: i64,
    pub provider_org_id: i64,
    pub token: String,
    pub expires_at: i64,
    pub templates: Vec<Template>,
}

impl Batch {
    pub(crate) fn expired(&self, now: i64) -> bool {
        now >= self.expires_at
    }
}

fn load_batch(conn: &mut Conn, id: i64) -> AppResult<Batch> {
    let (id, provider_org_id, token, expires_at): (i64, i64, String, i64) = cd_batches::table
        .find(id)
        .select((
            cd_batches::id,
            cd_batches::provider_org_id,
            cd_batches::token,
            cd_batches::expires_at,
        ))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    let tids: Vec<i64> = cd_batch_templates::table
        .filter(cd_batch_templates::batch_id.eq(id))
        .order(cd_batch_templates::template_id.asc())
        .select(cd_batch_templates::template_id)
        .load(conn)?;
    let mut templates = Vec::new();
    for tid in tids {
        if let Some(t) = load_template(conn, tid)? {
            templates.push(t);
        }
    }
    Ok(Batch {
        id,
        provider_org_id,
        token,
        expires_at,
        templates,
    })
}

pub(crate) fn find_batch(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<Batch> {
    let b = load_batch(conn, id)?;
    if b.provider_org_id != scope.org_id() {
        return Err(AppError::NotFound);
    }
    Ok(b)
}

pub(crate) fn batch_by_token(conn: &mut Conn, token: &str) -> AppResult<Batch> {
    if !crate::tools::token_shape_ok(token) {
        return Err(AppError::NotFound);
    }
    let id: i64 = cd_batches::table
        .filter(cd_batches::token.eq(token))
        .select(cd_batches::id)
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    load_batch(conn, id)
}

/// Every banned word: the seed's and those the operator added. The app centre checks its
/// products' names and descriptions against the same list.
pub fn banned_words(conn: &mut Conn) -> AppResult<Vec<String>> {
    let mut words: Vec<String> = super::rules::BANNED_WORDS
        .iter()
        .map(|w| w.to_string())
        .collect();
    words.extend(catalogue(conn)?.banned);
    Ok(words)
}
