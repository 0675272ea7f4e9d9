//! The operator's view of customers' complaints (如果接收到用户的投诉，钉钉保留对ISV的处罚权利):
//! how many each provider has, and the complaints themselves. Customers file them from the
//! team's side (`/org/quick-deploy`).

use diesel::prelude::*;

use crate::db::Conn;
use crate::db::schema::{orgs, qd_applications as a, qd_complaints as c};
use crate::error::AppResult;
use crate::tools::Cursor;
use crate::web::{PAGE_SIZE, Page};

#[derive(Queryable, Selectable, Clone, Debug)]
#[diesel(table_name = c)]
pub(crate) struct Complaint {
    pub id: i64,
    pub application_id: i64,
    pub org_id: i64,
    pub body: String,
    pub created_at: i64,
}

/// A complaint with the names a reader needs.
pub(crate) struct ComplaintRow {
    pub c: Complaint,
    pub provider_name: String,
    pub product_code: String,
    pub org_name: String,
}

/// (provider org id, provider name, complaints), most complained-about first.
pub(crate) fn counts(conn: &mut Conn) -> AppResult<Vec<(i64, String, i64)>> {
    let per_app: Vec<(i64, i64)> = c::table
        .group_by(c::application_id)
        .select((c::application_id, diesel::dsl::count_star()))
        .load(conn)?;
    let ids: Vec<i64> = per_app.iter().map(|x| x.0).collect();
    let owners: Vec<(i64, i64)> = a::table
        .filter(a::id.eq_any(&ids))
        .select((a::id, a::provider_org_id))
        .load(conn)?;
    let mut out: Vec<(i64, String, i64)> = Vec::new();
    for (app, n) in per_app {
        let Some(&(_, provider)) = owners.iter().find(|o| o.0 == app) else {
            continue;
        };
        match out.iter_mut().find(|o| o.0 == provider) {
            Some(o) => o.2 += n,
            None => out.push((provider, String::new(), n)),
        }
    }
    let pids: Vec<i64> = out.iter().map(|o| o.0).collect();
    let names: Vec<(i64, String)> = orgs::table
        .filter(orgs::id.eq_any(&pids))
        .select((orgs::id, orgs::name))
        .load(conn)?;
    for o in &mut out {
        o.1 = names
            .iter()
            .find(|n| n.0 == o.0)
            .map(|n| n.1.clone())
            .unwrap_or_default();
    }
    out.sort_by(|x, y| y.2.cmp(&x.2).then(x.0.cmp(&y.0)));
    Ok(out)
}

/// The complaints, newest first; of one provider's applications when `provider` is set.
pub(crate) fn list(
    conn: &mut Conn,
    provider: Option<i64>,
    cursor: Cursor,
) -> AppResult<Page<ComplaintRow>> {
    let apps: Option<Vec<i64>> = match provider {
        Some(p) => Some(
            a::table
                .filter(a::provider_org_id.eq(p))
                .select(a::id)
                .load(conn)?,
        ),
        None => None,
    };
    let page = Page::fetch(
        cursor,
        |x: &Complaint| x.id,
        |cur| {
            let mut q = c::table
                .select(Complaint::as_select())
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            if let Some(ids) = &apps {
                q = q.filter(c::application_id.eq_any(ids.clone()));
            }
            Ok(crate::keyset!(q, cur, c::id, desc).load(conn)?)
        },
    )?;
    let app_ids: Vec<i64> = page.items.iter().map(|x| x.application_id).collect();
    let app_rows: Vec<(i64, i64, String, String)> = a::table
        .filter(a::id.eq_any(&app_ids))
        .select((a::id, a::provider_org_id, a::provider_name, a::product_code))
        .load(conn)?;
    let org_ids: Vec<i64> = page.items.iter().map(|x| x.org_id).collect();
    let org_names: Vec<(i64, String)> = orgs::table
        .filter(orgs::id.eq_any(&org_ids))
        .select((orgs::id, orgs::name))
        .load(conn)?;
    Ok(Page {
        prev: page.prev,
        next: page.next,
        items: page
            .items
            .into_iter()
            .map(|c| {
                let app = app_rows.iter().find(|r| r.0 == c.application_id);
                ComplaintRow {
                    provider_name: app.map(|r| r.2.clone()).unwrap_or_default(),
                    product_code: app.map(|r| r.3.clone()).unwrap_or_default(),
                    org_name: org_names
                        .iter()
                        .find(|n| n.0 == c.org_id)
                        .map(|n| n.1.clone())
                        .unwrap_or_default(),
                    c,
                }
            })
            .collect(),
    })
}
