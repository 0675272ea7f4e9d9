//! Interconnection fixtures: an upstream organisation with a licence pool, many people at
//! once, and posts of id lists as the pickers send them.

use diesel::prelude::*;
use fenfa::auth::Role;
use fenfa::db::schema::{memberships, orgs, users};

use super::{Client, Resp, TestApp};

/// An upstream organisation owning a space, with its main admin.
pub struct Pool {
    pub up: i64,
    pub admin: i64,
}

pub fn upstream(app: &TestApp, seats_bought: Option<i32>) -> Pool {
    let up = app.org("主干集团", "dingupstream01", "exclusive");
    let admin = app.person(up, "upadmin", Role::MainAdmin);
    diesel::update(orgs::table.find(up))
        .set(orgs::seat_pool.eq(seats_bought))
        .execute(&mut *app.conn())
        .expect("pool");
    Pool { up, admin }
}

/// `n` members of `org` named `{prefix}{i}`, inserted in one transaction (they never sign
/// in, so their password hash is a placeholder). Written directly: thousands of people,
/// where the directory adds one account at a time.
pub fn many(app: &TestApp, org: i64, prefix: &str, n: usize) -> Vec<i64> {
    let mut conn = app.conn();
    conn.transaction::<_, diesel::result::Error, _>(|c| {
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let login = format!("{prefix}{i}");
            let id: i64 = diesel::insert_into(users::table)
                .values((
                    users::login.eq(&login),
                    users::name.eq(&login),
                    users::password_hash.eq("-"),
                    users::created_at.eq(fenfa::db::now()),
                ))
                .returning(users::id)
                .get_result(c)?;
            diesel::insert_into(memberships::table)
                .values((
                    memberships::org_id.eq(org),
                    memberships::user_id.eq(id),
                    memberships::role.eq("member"),
                    memberships::can_build_apps.eq(false),
                    memberships::created_at.eq(fenfa::db::now()),
                ))
                .execute(c)?;
            ids.push(id);
        }
        Ok(ids)
    })
    .expect("people")
}

fn form_of(name: &str, ids: &[i64]) -> Vec<(String, String)> {
    ids.iter()
        .map(|i| (name.to_string(), i.to_string()))
        .collect()
}

pub async fn post_ids(c: &Client, path: &str, name: &str, ids: &[i64]) -> Resp {
    let owned = form_of(name, ids);
    let form: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    c.post(path, &form).await
}

/// The pool's admin `c` grants a seat to `user` of member organisation `org`.
pub async fn seat_granted(c: &Client, org: i64, user: i64) {
    post_ids(
        c,
        &format!("/interconnect/licences/orgs/{org}/grant"),
        "user_id",
        &[user],
    )
    .await
    .assert_redirect("/interconnect/licences/orgs/");
}

/// The space's admin `c` publishes `app_id` in `space` to every member organisation.
pub async fn published(c: &Client, space: i64, app_id: i64) {
    c.post_ok(
        &format!("/interconnect/spaces/{space}/apps"),
        &[("app_id", &app_id.to_string()), ("mode", "all")],
    )
    .await;
}

/// Moves the pool's seat history `days` days into the past, as if the changes so far had
/// happened then (the chart's days are real days; a test cannot wait for them).
pub fn usage_moved_back(app: &TestApp, pool: i64, days: i64) {
    use fenfa::db::schema::seat_usage_days;
    diesel::update(seat_usage_days::table.filter(seat_usage_days::pool_org_id.eq(pool)))
        .set(seat_usage_days::day.eq(seat_usage_days::day - days))
        .execute(&mut *app.conn())
        .expect("usage moved back");
}

/// The seat ids `pool` granted to `org`, oldest first.
pub fn seat_ids(app: &TestApp, pool: i64, org: i64) -> Vec<i64> {
    use fenfa::db::schema::seats;
    seats::table
        .filter(seats::pool_org_id.eq(pool))
        .filter(seats::org_id.eq(org))
        .order(seats::id.asc())
        .select(seats::id)
        .load(&mut *app.conn())
        .expect("seats")
}
