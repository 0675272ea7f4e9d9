//! 数据管理: an app admin's view of all submissions of one form, with filters, keyset
//! pagination and a CSV export that Excel opens correctly and safely.
//!
//! For an app published downstream, the upstream organisation sees every submission from
//! every organisation, with the submitter's organisation as a column and a filter; a
//! downstream organisation sees only its reach ([`DataReach`]): its admins their own
//! organisation's submissions (and other member organisations' when the space
//! visibility lets them see those organisations), its members their own submissions —
//! never the upstream organisation's own.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use serde::Deserialize;

use super::lookups::{display_text, field_keys, files_of, names_of, referenced_in};
use super::submission::{Status, Submission, parse_date, status_key};
use crate::apps::{App, Field, Page};
use crate::apps::{fields_of, is_app_admin, org_people};
use crate::auth::OrgScope;
use crate::db::Conn;
use crate::db::schema::submissions;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::interconnect::{DataReach, data_reach, org_choices, org_names};
use crate::tools::csv_cell;
use crate::web::{Cursor, PAGE_SIZE, Page as ListPage};

/// The filters as they arrive in the query string (empty inputs are "no filter").
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct DataQuery {
    pub status: Option<String>,
    pub submitter: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub q: Option<String>,
    /// The submitter's organisation (所在组织).
    pub org: Option<String>,
    pub after: Option<i64>,
    pub before: Option<i64>,
}

/// The filters, parsed. Unparseable inputs are ignored (and still shown as typed).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Filter {
    pub status: Option<Status>,
    pub submitter: Option<i64>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    /// Unix seconds, exclusive (the day after the "to" date).
    pub until: Option<i64>,
    pub keyword: Option<String>,
    pub org: Option<i64>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Midnight of a date in China Standard Time, the platform's home zone.
fn day_start(d: time::Date) -> i64 {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    d.midnight().assume_offset(offset).unix_timestamp()
}

impl Filter {
    pub(crate) fn parse(q: &DataQuery) -> Filter {
        Filter {
            status: non_empty(&q.status).and_then(Status::parse),
            submitter: non_empty(&q.submitter).and_then(|s| s.parse().ok()),
            from: non_empty(&q.from).and_then(parse_date).map(day_start),
            until: non_empty(&q.to)
                .and_then(parse_date)
                .and_then(|d| d.next_day())
                .map(day_start),
            keyword: non_empty(&q.q).map(str::to_string),
            org: non_empty(&q.org).and_then(|s| s.parse().ok()),
        }
    }
}

impl DataQuery {
    /// The filters as a query string, for the pager and the export link.
    pub(crate) fn to_query(&self) -> String {
        let pairs = [
            ("status", &self.status),
            ("submitter", &self.submitter),
            ("from", &self.from),
            ("to", &self.to),
            ("q", &self.q),
            ("org", &self.org),
        ];
        pairs
            .iter()
            .filter_map(|(k, v)| {
                non_empty(v).map(|v| format!("{k}={}", crate::tools::encode_query(v)))
            })
            .collect::<Vec<_>>()
            .join("&")
    }
}

/// `LIKE` wildcards in a keyword are taken literally.
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Data management is for the app's admins and the organisation's app builders; for an
/// app published to the caller's organisation, the reach decides what is listed.
pub(crate) fn check_admin(
    conn: &mut Conn,
    scope: &OrgScope,
    app: &App,
    page: &Page,
) -> AppResult<DataReach> {
    if app.org_id != scope.org_id() {
        return data_reach(conn, scope, app);
    }
    if scope.can_build_apps() || is_app_admin(conn, scope, page.app_id)? {
        Ok(DataReach::AllOrgs)
    } else {
        Err(AppError::Forbidden("forms.error.admins_only"))
    }
}

/// One batch of a form's submissions within `reach` matching the filter, newest first,
/// from the cursor (read the other way when going back).
pub(crate) fn load(
    conn: &mut Conn,
    reach: &DataReach,
    page: &Page,
    f: &Filter,
    cursor: Cursor,
    limit: i64,
) -> AppResult<Vec<Submission>> {
    Ok(crate::native!(conn, |c| {
        let mut q = submissions::table
            .filter(submissions::org_id.eq(page.org_id))
            .filter(submissions::page_id.eq(page.id))
            .limit(limit)
            .select(Submission::as_select())
            .into_boxed();
        match reach {
            DataReach::AllOrgs => {}
            DataReach::Orgs(orgs) => {
                q = q.filter(submissions::submitter_org_id.eq_any(orgs.clone()));
            }
            DataReach::Mine { org_id, user_id } => {
                q = q
                    .filter(submissions::submitter_org_id.eq(*org_id))
                    .filter(submissions::submitter_id.eq(*user_id));
            }
        }
        if let Some(o) = f.org {
            q = q.filter(submissions::submitter_org_id.eq(o));
        }
        if let Some(s) = f.status {
            q = q.filter(submissions::status.eq(s.as_str()));
        }
        if let Some(u) = f.submitter {
            q = q.filter(submissions::submitter_id.eq(u));
        }
        if let Some(t) = f.from {
            q = q.filter(submissions::created_at.ge(t));
        }
        if let Some(t) = f.until {
            q = q.filter(submissions::created_at.lt(t));
        }
        if let Some(k) = &f.keyword {
            q = q.filter(
                submissions::data
                    .like(format!("%{}%", escape_like(k)))
                    .escape('\\'),
            );
        }
        crate::keyset!(q, cursor, submissions::id, desc).load(c)
    })?)
}

/// A cell of the data table: its text and, for files, the attachment to link.
pub(crate) struct Cell {
    pub text: String,
    pub file_id: Option<i64>,
}

pub(crate) struct DataRow {
    pub id: i64,
    pub submitter: String,
    /// The organisation the submitter acted in (所在组织).
    pub org: String,
    pub created_at: i64,
    pub status: &'static str,
    pub cells: Vec<Cell>,
}

/// Turns submissions into display rows (names for members, file names for files).
fn rows_of(
    conn: &mut Conn,
    page: &Page,
    fields: &[Field],
    subs: Vec<Submission>,
) -> AppResult<Vec<DataRow>> {
    // Each submission's JSON is parsed once, here.
    let values: Vec<_> = subs.iter().map(Submission::values).collect();
    let (people, file_ids) =
        referenced_in(fields, subs.iter().map(|s| s.submitter_id).zip(&values));
    let names = names_of(conn, &people)?;
    let files = files_of(conn, page.org_id, &file_ids)?;
    let org_ids: HashSet<i64> = subs.iter().map(Submission::initiator_org).collect();
    let orgs = org_names(conn, &org_ids)?;
    let file_names: HashMap<i64, String> =
        files.values().map(|a| (a.id, a.filename.clone())).collect();
    let keys = field_keys(fields);
    Ok(subs
        .into_iter()
        .zip(values)
        .map(|(s, values)| {
            let cells = fields
                .iter()
                .zip(&keys)
                .map(|(f, key)| {
                    let raw = values.get(key).map_or("", String::as_str);
                    Cell {
                        text: display_text(f, raw, &names, &file_names),
                        file_id: if f.kind().is_file() {
                            raw.parse::<i64>().ok().filter(|i| files.contains_key(i))
                        } else {
                            None
                        },
                    }
                })
                .collect();
            DataRow {
                id: s.id,
                submitter: names.get(&s.submitter_id).cloned().unwrap_or_default(),
                org: orgs.get(&s.initiator_org()).cloned().unwrap_or_default(),
                created_at: s.created_at,
                status: status_key(&s.status),
                cells,
            }
        })
        .collect())
}

pub(crate) struct DataView {
    pub fields: Vec<Field>,
    pub rows: ListPage<DataRow>,
    pub people: Vec<(i64, String, String)>,
    /// The organisations to filter by (more than one only for a published app).
    pub orgs: Vec<(i64, String)>,
}

pub(crate) fn view(
    conn: &mut Conn,
    scope: &OrgScope,
    app: &App,
    page: &Page,
    q: &DataQuery,
) -> AppResult<DataView> {
    let reach = check_admin(conn, scope, app, page)?;
    let fields = fields_of(conn, page)?;
    let filter = Filter::parse(q);
    let subs = ListPage::fetch(
        Cursor::from_query(q.after, q.before),
        |s: &Submission| s.id,
        |cursor| load(conn, &reach, page, &filter, cursor, PAGE_SIZE + 1),
    )?;
    let rows = rows_of(conn, page, &fields, subs.items)?;
    let orgs = match &reach {
        DataReach::AllOrgs => org_choices(conn, app)?,
        DataReach::Orgs(ids) => org_names(conn, &ids.iter().copied().collect())?
            .into_iter()
            .collect(),
        DataReach::Mine { .. } => vec![],
    };
    Ok(DataView {
        fields,
        rows: ListPage {
            items: rows,
            prev: subs.prev,
            next: subs.next,
        },
        people: if orgs.len() > 1 {
            submitter_choices(conn, &orgs)?
        } else {
            org_people(conn, scope)?
        },
        orgs,
    })
}

/// The submitter filter across organisations: everyone of `orgs`, each name followed by
/// their organisation (过滤提交人时，自动透出人员所在组织信息); someone in two of them once.
fn submitter_choices(
    conn: &mut Conn,
    orgs: &[(i64, String)],
) -> AppResult<Vec<(i64, String, String)>> {
    use crate::db::schema::{memberships, users};
    let names: HashMap<i64, &str> = orgs.iter().map(|(i, n)| (*i, n.as_str())).collect();
    let ids: Vec<i64> = orgs.iter().map(|o| o.0).collect();
    let rows: Vec<(i64, String, String, i64)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq_any(ids))
        .filter(users::disabled.eq(false))
        .order((users::name.asc(), users::id.asc()))
        .select((users::id, users::name, users::login, memberships::org_id))
        .load(conn)?;
    let mut out: Vec<(i64, String, String)> = Vec::with_capacity(rows.len());
    for (id, name, login, org) in rows {
        let org = names.get(&org).copied().unwrap_or_default();
        match out.last_mut() {
            Some(last) if last.0 == id => {
                last.1.push_str(&format!("、{org}"));
            }
            _ => out.push((id, format!("{name} · {org}"), login)),
        }
    }
    Ok(out)
}

const CSV_BATCH: i64 = 500;

/// The filtered submissions as CSV: UTF-8 with a byte-order mark (so Excel reads Chinese),
/// read in keyset batches so a large form never sits in one query.
pub(crate) fn export_csv(
    conn: &mut Conn,
    scope: &OrgScope,
    app: &App,
    page: &Page,
    q: &DataQuery,
    lang: Lang,
) -> AppResult<Vec<u8>> {
    let reach = check_admin(conn, scope, app, page)?;
    let fields = fields_of(conn, page)?;
    let filter = Filter::parse(q);
    let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
    let mut header: Vec<String> = [
        "forms.data.id",
        "forms.data.submitter",
        "interconnect.publish.data.org",
        "forms.data.time",
        "forms.data.status",
    ]
    .iter()
    .map(|k| lang.t(k).into_owned())
    .collect();
    header.extend(fields.iter().map(|f| f.label.clone()));
    w.write_record(header.iter().map(|h| csv_cell(h)))
        .map_err(AppError::internal)?;
    let mut cursor = Cursor::First;
    loop {
        let batch = load(conn, &reach, page, &filter, cursor, CSV_BATCH)?;
        let full = i64::try_from(batch.len()).unwrap_or(0) == CSV_BATCH;
        cursor = batch.last().map_or(Cursor::First, |s| Cursor::After(s.id));
        for row in rows_of(conn, page, &fields, batch)? {
            let mut rec = vec![
                row.id.to_string(),
                csv_cell(&row.submitter),
                csv_cell(&row.org),
                crate::web::format_time(row.created_at),
                lang.t(row.status).into_owned(),
            ];
            rec.extend(row.cells.iter().map(|c| csv_cell(&c.text)));
            w.write_record(&rec).map_err(AppError::internal)?;
        }
        if !full {
            break;
        }
    }
    w.into_inner().map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_filters_cover_whole_days_in_china_time() {
        let f = Filter::parse(&DataQuery {
            from: Some("2026-01-01".into()),
            to: Some("2026-01-01".into()),
            status: Some("bogus".into()),
            ..DataQuery::default()
        });
        assert_eq!(f.until.zip(f.from).map(|(u, s)| u - s), Some(86_400));
        assert_eq!(f.from, Some(1_767_196_800));
        assert_eq!(f.status, None);
    }

    #[test]
    fn like_wildcards_are_literal() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
