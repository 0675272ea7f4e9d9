//! The scale data set of the load benchmark (`fenfa seed-scale --orders N`): one large
//! certified provider with N orders and a form with N submissions, the rest in proportion
//! (√N customer organisations and links, N/100 projects, N/100 people in an
//! interconnection space, N/10 sessions). Deterministic: the same N gives the same rows
//! with the same ids, so the benchmark can name pages by id.
//!
//! Rows go in as multi-row `INSERT … VALUES` batches of generated literals (numbers and
//! ASCII names only, never user input) inside one transaction: 1M orders take a minute or
//! two instead of hours of single-row inserts.

mod batch;
use batch::Batch;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::{AnyConnection, Conn, Db};

/// The password of every scale account.
pub const PASSWORD: &str = "fenfa-bench";
/// Provider admin: owns the projects, orders, apps, form and space.
pub const ADMIN: &str = "bench-admin";
/// Main admin of the buying organisation (purchases through the `buy-…` links).
pub const BUYER: &str = "bench-buyer";

/// Ids of the fixed objects, as the benchmark addresses them.
pub const PROVIDER_ORG: i64 = 1;
pub const BUYER_ORG: i64 = 2;
pub const FORM_PAGE: i64 = 1;
pub const SPACE: i64 = 1;

/// The token of the buyer's `k`-th purchase link (tokens have the 43-character shape of
/// issued ones; benches/post.lua builds the same string).
pub fn buy_token(k: i64) -> String {
    format!("buy-{k:0>39}")
}

fn link_token(l: i64) -> String {
    format!("scale-link-{l:0>32}")
}

/// What was created, printed for the benchmark script (`key=value` lines).
#[derive(Debug, Clone)]
pub struct Summary {
    pub orders: i64,
    pub submissions: i64,
    pub projects: i64,
    pub links: i64,
    pub customers: i64,
    pub space_people: i64,
    pub buy_links: i64,
}

impl Summary {
    pub fn lines(&self) -> String {
        format!(
            "orders={}\nsubmissions={}\nprojects={}\nlinks={}\ncustomers={}\nspace_people={}\n\
             buy_links={}\nprovider_org={PROVIDER_ORG}\nbuyer_org={BUYER_ORG}\nform_page={FORM_PAGE}\n\
             space={SPACE}\nadmin={ADMIN}\nbuyer={BUYER}\npassword={PASSWORD}\n",
            self.orders,
            self.submissions,
            self.projects,
            self.links,
            self.customers,
            self.space_people,
            self.buy_links
        )
    }
}

/// The sizes derived from the number of orders.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub orders: i64,
    pub customers: i64,
    pub links: i64,
    pub projects: i64,
    pub apps: i64,
    pub provider_members: i64,
    pub space_orgs: i64,
    pub people_per_org: i64,
    pub sessions: i64,
    pub notifications: i64,
    pub buy_links: i64,
}

impl Plan {
    pub fn for_orders(orders: i64, buy_links: i64) -> Plan {
        let orders = orders.max(1);
        let root = (orders as f64).sqrt().ceil() as i64;
        let links = root.max(1);
        let customers = (orders + links - 1) / links;
        let people = (orders / 100).max(10);
        let space_orgs = (people / 200).clamp(1, customers.max(1));
        Plan {
            orders,
            customers,
            links,
            projects: (orders / 100).max(links.min(10)),
            // At least a full workbench page (50) at every size, so that the workbench
            // at 10k and at 1M renders the same number of rows.
            apps: (orders / 1000).max(60),
            provider_members: 50,
            space_orgs,
            people_per_org: (people + space_orgs - 1) / space_orgs,
            sessions: orders / 10,
            notifications: (orders / 100).max(10),
            buy_links,
        }
    }
}

/// Creates the data set in an empty database.
pub fn seed(db: &Db, orders: i64, buy_links: i64) -> anyhow::Result<Summary> {
    let mut conn = db.get()?;
    let existing: i64 = users::table.count().get_result(&mut *conn)?;
    anyhow::ensure!(existing == 0, "seed-scale needs an empty database");
    let hash = crate::auth::password::hash_blocking(PASSWORD)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let plan = Plan::for_orders(orders, buy_links);
    let conn: &mut Conn = &mut conn;
    if let AnyConnection::Sqlite(_) = conn {
        // A bulk load: the data set is rebuilt from scratch if the machine dies.
        conn.batch_execute("PRAGMA synchronous = OFF; PRAGMA cache_size = -200000;")?;
    }
    conn.batch_execute("BEGIN")?;
    let res = build(conn, &plan, &hash);
    match res {
        Ok(s) => {
            conn.batch_execute("COMMIT")?;
            if let AnyConnection::Postgresql(_) = conn {
                fix_sequences(conn)?;
                conn.batch_execute("ANALYZE")?;
            } else {
                conn.batch_execute("PRAGMA synchronous = FULL; ANALYZE; PRAGMA optimize;")?;
            }
            Ok(s)
        }
        Err(e) => {
            let _ = conn.batch_execute("ROLLBACK");
            Err(e)
        }
    }
}

/// PostgreSQL sequences do not move when ids are given explicitly.
fn fix_sequences(conn: &mut Conn) -> anyhow::Result<()> {
    for t in [
        "orgs",
        "users",
        "memberships",
        "departments",
        "attachments",
        "apps",
        "pages",
        "fields",
        "submissions",
        "projects",
        "distribution_links",
        "orders",
        "order_apps",
        "spaces",
        "space_orgs",
        "notifications",
    ] {
        conn.batch_execute(&format!(
            "SELECT setval(pg_get_serial_sequence('{t}', 'id'), \
             GREATEST((SELECT max(id) FROM {t}), 1))"
        ))?;
    }
    Ok(())
}

fn build(conn: &mut Conn, p: &Plan, hash: &str) -> anyhow::Result<Summary> {
    let t0 = crate::db::now() - p.orders - 86_400;
    let sqlite = matches!(conn, AnyConnection::Sqlite(_));
    let (f, t) = if sqlite {
        ("0", "1")
    } else {
        ("FALSE", "TRUE")
    };

    // Organisations: 1 provider, 2 buyer, then customers (the first ones also space members).
    let mut b = Batch::new(
        conn,
        "INSERT INTO orgs (id, name, corp_id, edition, certified, provider_level, created_at)",
    );
    b.row(format_args!(
        "1, 'Bench Provider', 'dingbench0000001', 'exclusive', {t}, 'advanced', {t0}"
    ))?;
    b.row(format_args!(
        "2, 'Bench Buyer', 'dingbench0000002', 'professional', {t}, 'none', {t0}"
    ))?;
    for c in 0..p.customers {
        let id = 3 + c;
        b.row(format_args!(
            "{id}, 'Customer {c}', 'dingcust{c:08}', 'professional', {t}, 'none', {t0}"
        ))?;
    }
    b.flush()?;
    drop(b);
    let first_customer = 3;

    // Users: admin, buyer, provider members, then the people of the space orgs.
    let mut b = Batch::new(
        conn,
        "INSERT INTO users (id, login, name, password_hash, created_at)",
    );
    b.row(format_args!("1, '{ADMIN}', 'Bench Admin', '{hash}', {t0}"))?;
    b.row(format_args!("2, '{BUYER}', 'Bench Buyer', '{hash}', {t0}"))?;
    let member0 = 3;
    for m in 0..p.provider_members {
        let id = member0 + m;
        b.row(format_args!(
            "{id}, 'bench-member-{m}', 'Member {m:03}', '{hash}', {t0}"
        ))?;
    }
    let person0 = member0 + p.provider_members;
    let people = p.space_orgs * p.people_per_org;
    for i in 0..people {
        let id = person0 + i;
        b.row(format_args!(
            "{id}, 'bench-person-{i}', 'Person {i:07}', '{hash}', {t0}"
        ))?;
    }
    b.flush()?;
    drop(b);

    let mut b = Batch::new(
        conn,
        "INSERT INTO memberships (id, org_id, user_id, role, permissions, can_build_apps, created_at)",
    );
    b.row(format_args!(
        "1, 1, 1, 'main_admin', 'members,apps,interconnect,provider', {t}, {t0}"
    ))?;
    b.row(format_args!("2, 2, 2, 'main_admin', '', {t}, {t0}"))?;
    let mut mid = 3;
    for m in 0..p.provider_members {
        b.row(format_args!(
            "{mid}, 1, {}, 'member', '', {f}, {t0}",
            member0 + m
        ))?;
        mid += 1;
    }
    for i in 0..people {
        let org = first_customer + i / p.people_per_org;
        b.row(format_args!(
            "{mid}, {org}, {}, 'member', '', {f}, {t0}",
            person0 + i
        ))?;
        mid += 1;
    }
    b.flush()?;
    drop(b);

    conn.batch_execute(&format!(
        "INSERT INTO attachments (id, org_id, uploader_id, storage_key, filename, content_type, \
         size_bytes, created_at) VALUES (1, 1, 1, 'bench-contract', 'contract.pdf', \
         'application/pdf', 1024, {t0})"
    ))?;

    // Apps of the provider; app 1 holds the form.
    let mut b = Batch::new(
        conn,
        "INSERT INTO apps (id, org_id, name, icon_glyph, icon_color, description, created_by, created_at)",
    );
    for a in 1..=p.apps {
        b.row(format_args!(
            "{a}, 1, 'App {a:05}', 'receipt', 'teal', 'Scale app {a}', 1, {t0}"
        ))?;
    }
    b.flush()?;
    drop(b);
    conn.batch_execute(&format!(
        "INSERT INTO pages (id, org_id, app_id, kind, name, position, created_at) \
         VALUES ({FORM_PAGE}, 1, 1, 'form', 'Expense claim', 0, {t0}); \
         INSERT INTO fields (id, page_id, label, kind, required, options, position) VALUES \
         (1, {FORM_PAGE}, 'Title', 'text', {t}, '', 0), \
         (2, {FORM_PAGE}, 'Amount', 'text', {f}, '', 1), \
         (3, {FORM_PAGE}, 'Note', 'text', {f}, '', 2);"
    ))?;

    // Projects (approved); project 1 is for the buyer organisation.
    let mut b = Batch::new(
        conn,
        "INSERT INTO projects (id, provider_org_id, creator_id, name, description, \
         contract_amount_cents, contract_file_id, customer_name, customer_corp_id, status, \
         created_at)",
    );
    for j in 1..=p.projects {
        let (cname, corp) = if j == 1 {
            ("Bench Buyer".to_string(), "dingbench0000002".to_string())
        } else {
            let c = (j - 2) % p.customers;
            (format!("Customer {c}"), format!("dingcust{c:08}"))
        };
        b.row(format_args!(
            "{j}, 1, 1, 'Project {j:06}', '', {}, 1, '{cname}', '{corp}', 'approved', {}",
            100_000 + j,
            t0 + j
        ))?;
    }
    b.flush()?;
    drop(b);

    // Links: the order links, then the buyer's purchase links on project 1.
    let mut b = Batch::new(
        conn,
        "INSERT INTO distribution_links (id, project_id, provider_org_id, token, created_by, \
         created_at)",
    );
    for l in 1..=p.links {
        let project = 1 + (l % p.projects);
        b.row(format_args!(
            "{l}, {project}, 1, '{}', 1, {t0}",
            link_token(l)
        ))?;
    }
    for k in 0..p.buy_links {
        let id = p.links + 1 + k;
        b.row(format_args!("{id}, 1, 1, '{}', 1, {t0}", buy_token(k)))?;
    }
    b.flush()?;
    drop(b);
    let mut b = Batch::new(conn, "INSERT INTO link_apps (link_id, app_id)");
    for l in 1..=(p.links + p.buy_links) {
        b.row(format_args!("{l}, {}", 1 + (l % p.apps)))?;
    }
    b.flush()?;
    drop(b);

    // Orders and one order line each; every 50th failed, some pending or sending.
    let mut b = Batch::new(
        conn,
        "INSERT INTO orders (id, order_no, project_id, link_id, provider_org_id, \
         customer_org_id, purchaser_id, created_at)",
    );
    for i in 0..p.orders {
        let id = i + 1;
        let link = 1 + (i % p.links);
        let project = 1 + (link % p.projects);
        let customer = first_customer + i / p.links;
        b.row(format_args!(
            "{id}, 'SC{id:010}', {project}, {link}, 1, {customer}, 2, {}",
            t0 + i
        ))?;
    }
    b.flush()?;
    drop(b);
    let mut b = Batch::new(
        conn,
        "INSERT INTO order_apps (id, order_id, source_app_id, send_status, provider_org_id)",
    );
    for i in 0..p.orders {
        let id = i + 1;
        let link = 1 + (i % p.links);
        let status = match i % 50 {
            0 => "failed",
            1..=5 => "pending",
            6 => "sending",
            _ => "succeeded",
        };
        b.row(format_args!(
            "{id}, {id}, {}, '{status}', {PROVIDER_ORG}",
            1 + (link % p.apps)
        ))?;
    }
    b.flush()?;
    drop(b);

    // Submissions of the form by the provider's members.
    let mut b = Batch::new(
        conn,
        "INSERT INTO submissions (id, org_id, app_id, page_id, submitter_id, data, status, \
         created_at, updated_at, submitter_org_id)",
    );
    for i in 0..p.orders {
        let id = i + 1;
        let submitter = member0 + (i % p.provider_members);
        let status = match i % 4 {
            0 => "submitted",
            1 => "approved",
            2 => "in_approval",
            _ => "rejected",
        };
        let ts = t0 + i;
        b.row(format_args!(
            "{id}, 1, 1, {FORM_PAGE}, {submitter}, \
             '{{\"1\":\"Claim {id}\",\"2\":\"{}\",\"3\":\"note {}\"}}', '{status}', {ts}, {ts}, 1",
            id % 10_000,
            i % 97
        ))?;
    }
    b.flush()?;
    drop(b);

    // The interconnection space: the provider owns it, the first customers joined whole.
    conn.batch_execute(&format!(
        "INSERT INTO spaces (id, owner_org_id, kind, name, description, invite_token, \
         created_by, created_at) VALUES ({SPACE}, 1, 'partner', 'Bench space', '', \
         'bench-space-invite', 1, {t0})"
    ))?;
    let mut b = Batch::new(
        conn,
        "INSERT INTO space_orgs (id, space_id, org_id, role, status, scope_kind, joined_at, \
         created_at)",
    );
    b.row(format_args!(
        "1, {SPACE}, 1, 'owner', 'joined', 'all', {t0}, {t0}"
    ))?;
    for s in 0..p.space_orgs {
        b.row(format_args!(
            "{}, {SPACE}, {}, 'member', 'joined', 'all', {t0}, {t0}",
            2 + s,
            first_customer + s
        ))?;
    }
    b.flush()?;
    drop(b);

    // Unread notifications of the admin (the badge), and other users' sessions.
    let mut b = Batch::new(
        conn,
        "INSERT INTO notifications (id, org_id, user_id, title, body, link, read, created_at)",
    );
    for n in 0..p.notifications {
        let read = if n % 2 == 0 { f } else { t };
        b.row(format_args!(
            "{}, 1, 1, 'Notice {n}', '', '', {read}, {}",
            n + 1,
            t0 + n
        ))?;
    }
    b.flush()?;
    drop(b);
    let mut b = Batch::new(
        conn,
        "INSERT INTO sessions (id, data, user_id, expires_at, created_at)",
    );
    let now = crate::db::now();
    for s in 0..p.sessions {
        let user = member0 + (s % p.provider_members);
        // Half of them expired already, as on a live system between cleanups.
        let expires = if s % 2 == 0 { now - 60 } else { now + 3600 };
        b.row(format_args!(
            "'scale-session-{s:09}', '{{\"uid\":{user},\"org\":1}}', {user}, {expires}, {}",
            now - 7200
        ))?;
    }
    b.flush()?;
    drop(b);

    Ok(Summary {
        orders: p.orders,
        submissions: p.orders,
        projects: p.projects,
        links: p.links,
        customers: p.customers,
        space_people: people,
        buy_links: p.buy_links,
    })
}

/// How many argon2 verifications per second this machine does with `permits` threads:
/// the upper bound of the login rate.
pub fn argon2_rate(permits: usize, seconds: f64) -> anyhow::Result<f64> {
    let hash = crate::auth::password::hash_blocking(PASSWORD)
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    let start = std::time::Instant::now();
    let done: usize = std::thread::scope(|s| {
        let handles: Vec<_> = (0..permits.max(1))
            .map(|_| {
                let hash = hash.clone();
                s.spawn(move || {
                    let mut n = 0usize;
                    while start.elapsed().as_secs_f64() < seconds {
                        let _ = crate::auth::password::verify_blocking(PASSWORD, &hash);
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    Ok(done as f64 / start.elapsed().as_secs_f64())
}
