//! The hand-over: the organisation's departures, what each held, and naming a successor.

use super::*;

/// A departure as its organisation's admins see it.
#[derive(Clone, Debug)]
pub(crate) struct Departure {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub login: String,
    pub reason: String,
    pub left_at: i64,
    pub successor: Option<String>,
    pub resolved_at: Option<i64>,
}

impl Departure {
    pub(crate) fn open(&self) -> bool {
        self.resolved_at.is_none()
    }
}

type DepartureRow = (
    i64,
    i64,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
);

fn departures_query(
    conn: &mut Conn,
    scope: &OrgScope,
    id: Option<i64>,
    cursor: Cursor,
) -> AppResult<Vec<Departure>> {
    let mut q = contact_departures::table
        .inner_join(users::table.on(users::id.eq(contact_departures::user_id)))
        .filter(contact_departures::org_id.eq(scope.org_id()))
        .limit(PAGE_SIZE + 1)
        .select((
            contact_departures::id,
            contact_departures::user_id,
            users::name,
            users::login,
            contact_departures::reason,
            contact_departures::left_at,
            contact_departures::successor_id,
            contact_departures::resolved_at,
        ))
        .into_boxed();
    if let Some(i) = id {
        q = q.filter(contact_departures::id.eq(i));
    }
    let rows: Vec<DepartureRow> =
        crate::keyset!(q, cursor, contact_departures::id, desc).load(conn)?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, user_id, name, login, reason, left_at, successor, resolved_at) in rows {
        let successor = successor.map(|s| name_of_user(conn, s)).transpose()?;
        out.push(Departure {
            id,
            user_id,
            name,
            login,
            reason,
            left_at,
            successor,
            resolved_at,
        });
    }
    Ok(out)
}

/// The scope organisation's departures, newest first.
pub(crate) fn list(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<Page<Departure>> {
    Page::fetch(
        cursor,
        |d: &Departure| d.id,
        |cursor| departures_query(conn, scope, None, cursor),
    )
}

/// What the departed person held in one space, and what the successor takes over.
#[derive(Clone, Debug)]
pub(crate) struct HeldSpace {
    pub space_id: i64,
    pub name: String,
    pub owner: bool,
    /// Pending approvals of the person in the space's published apps.
    pub tasks: i64,
    /// Join requests waiting for review (owner side).
    pub reviews: i64,
    /// Collaboration groups the person created.
    pub groups: i64,
}

/// One departure with what it hands over, and the members to pick a successor from.
#[derive(Clone, Debug)]
pub(crate) struct DepartureView {
    pub d: Departure,
    pub spaces: Vec<HeldSpace>,
    pub candidates: Vec<(i64, String, String)>,
}

/// At most this many members are offered as successors.
pub(crate) const MAX_CANDIDATES: i64 = 500;

fn items(conn: &mut Conn, departure: i64, kind: &str) -> AppResult<Vec<i64>> {
    Ok(departure_items::table
        .filter(departure_items::departure_id.eq(departure))
        .filter(departure_items::kind.eq(kind))
        .order(departure_items::ref_id.asc())
        .select(departure_items::ref_id)
        .load(conn)?)
}

/// The leaver's pending approval tasks in the apps published to `space_id`.
fn pending_tasks(conn: &mut Conn, org_id: i64, user_id: i64, space_id: i64) -> AppResult<Vec<i64>> {
    let published = space_apps::table
        .filter(space_apps::space_id.eq(space_id))
        .select(space_apps::app_id);
    Ok(approval_tasks::table
        .inner_join(submissions::table)
        .filter(approval_tasks::org_id.eq(org_id))
        .filter(approval_tasks::assignee_id.eq(user_id))
        .filter(approval_tasks::status.eq(PENDING_TASK))
        .filter(submissions::app_id.eq_any(published))
        .select(approval_tasks::id)
        .load(conn)?)
}

fn pending_reviews(conn: &mut Conn, space_id: i64) -> AppResult<Vec<i64>> {
    Ok(space_orgs::table
        .filter(space_orgs::space_id.eq(space_id))
        .filter(space_orgs::status.eq(OrgStatus::Pending.as_str()))
        .select(space_orgs::id)
        .load(conn)?)
}

/// The departure `id` of the scope's organisation, or 404.
pub(crate) fn view(conn: &mut Conn, scope: &OrgScope, id: i64) -> AppResult<DepartureView> {
    let d = departures_query(conn, scope, Some(id), Cursor::First)?
        .into_iter()
        .next()
        .ok_or(AppError::NotFound)?;
    let groups = items(conn, id, "group")?;
    let mut held = Vec::new();
    for s in items(conn, id, "space")? {
        let (name, owner_org): (String, i64) = spaces::table
            .find(s)
            .select((spaces::name, spaces::owner_org_id))
            .first(conn)?;
        let owner = owner_org == scope.org_id();
        let in_groups: i64 = collab_groups::table
            .filter(collab_groups::space_id.eq(s))
            .filter(collab_groups::id.eq_any(&groups))
            .count()
            .get_result(conn)?;
        held.push(HeldSpace {
            space_id: s,
            name,
            owner,
            tasks: pending_tasks(conn, scope.org_id(), d.user_id, s)?.len() as i64,
            reviews: if owner {
                pending_reviews(conn, s)?.len() as i64
            } else {
                0
            },
            groups: in_groups,
        });
    }
    let candidates = memberships::table
        .inner_join(users::table)
        .filter(memberships::org_id.eq(scope.org_id()))
        .filter(users::disabled.eq(false))
        .filter(users::id.ne(d.user_id))
        .order((users::name.asc(), users::id.asc()))
        .limit(MAX_CANDIDATES)
        .select((users::id, users::name, users::login))
        .load(conn)?;
    Ok(DepartureView {
        d,
        spaces: held,
        candidates,
    })
}

/// The successor as typed: a user id.
pub(crate) fn parse_successor(raw: &str) -> Result<i64, Errors> {
    raw.trim().parse::<i64>().map_err(|_| {
        let mut e = Errors::default();
        e.add("successor", "interconnect.contacts.error.pick_successor");
        e
    })
}

/// Names `successor` for departure `id`, exactly once: they become the organisation's
/// contact in each space the person held (on the owner's side, the space's named admin),
/// and take over the person's pending approvals in the space's published apps, the
/// collaboration groups they created, and the pending join reviews (each sent to them).
/// Both sides are told. A successor who is not an enabled member (or is the person who
/// left) is the field's error.
pub(crate) fn name_successor(
    conn: &mut Conn,
    scope: &OrgScope,
    id: i64,
    successor: i64,
) -> AppResult<Result<(), Errors>> {
    let org = scope.org_id();
    write_tx(conn, |conn| {
        lock_org(conn, org)?;
        let v = view(conn, scope, id)?;
        if !v.d.open() {
            return Err(AppError::Conflict(
                "interconnect.contacts.error.already_named",
            ));
        }
        if successor == v.d.user_id || !still_member(conn, org, successor)? {
            let mut e = Errors::default();
            e.add("successor", "interconnect.contacts.error.not_member");
            return Ok(Err(e));
        }
        let claimed = diesel::update(
            contact_departures::table
                .filter(contact_departures::id.eq(id))
                .filter(contact_departures::resolved_at.is_null()),
        )
        .set((
            contact_departures::successor_id.eq(Some(successor)),
            contact_departures::resolved_by.eq(Some(scope.user_id())),
            contact_departures::resolved_at.eq(Some(now())),
        ))
        .execute(conn)?;
        if claimed != 1 {
            return Err(AppError::Conflict(
                "interconnect.contacts.error.already_named",
            ));
        }
        let leaver = v.d.user_id;
        let groups = items(conn, id, "group")?;
        let rows = contact_rows(conn, Some(org), None)?;
        let (mut tasks, mut reviews, mut held_groups) = (0usize, 0usize, 0usize);
        let successor_name = name_of_user(conn, successor)?;
        let org_name = name_of_org(conn, org)?;
        for s in &v.spaces {
            // The contact (and on the owner's side the named admin) of this space.
            for r in rows.iter().filter(|r| r.space_id == s.space_id) {
                diesel::update(space_orgs::table.find(r.so))
                    .set(space_orgs::contact_id.eq(Some(successor)))
                    .execute(conn)?;
            }
            let t = pending_tasks(conn, org, leaver, s.space_id)?;
            if !t.is_empty() {
                diesel::update(approval_tasks::table.filter(approval_tasks::id.eq_any(&t)))
                    .set(approval_tasks::assignee_id.eq(successor))
                    .execute(conn)?;
                tasks += t.len();
            }
            if s.owner {
                for so in pending_reviews(conn, s.space_id)? {
                    let applicant: i64 = space_orgs::table
                        .find(so)
                        .select(space_orgs::org_id)
                        .first(conn)?;
                    let applicant = name_of_org(conn, applicant)?;
                    crate::notifications::notify(
                        conn,
                        org,
                        successor,
                        "interconnect.spaces.notify.join_request",
                        &format!("{applicant} → {}", s.name),
                        &format!("/interconnect/spaces/{}/orgs", s.space_id),
                    )?;
                    reviews += 1;
                }
            }
            let space_groups: Vec<i64> = collab_groups::table
                .filter(collab_groups::space_id.eq(s.space_id))
                .filter(collab_groups::id.eq_any(&groups))
                .select(collab_groups::id)
                .load(conn)?;
            if !space_groups.is_empty() && in_space(conn, s.space_id, org, successor)? {
                for g in space_groups {
                    let member: i64 = collab_members::table
                        .filter(collab_members::group_id.eq(g))
                        .filter(collab_members::user_id.eq(successor))
                        .count()
                        .get_result(conn)?;
                    if member == 0 {
                        diesel::insert_into(collab_members::table)
                            .values((
                                collab_members::group_id.eq(g),
                                collab_members::user_id.eq(successor),
                                collab_members::org_id.eq(org),
                                collab_members::added_at.eq(now()),
                            ))
                            .execute(conn)?;
                    }
                    diesel::update(collab_groups::table.find(g))
                        .set(collab_groups::created_by.eq(successor))
                        .execute(conn)?;
                    held_groups += 1;
                }
            }
            let body = keyed_body(
                "interconnect.contacts.body.succeeded",
                &[
                    ("name", &v.d.name),
                    ("successor", &successor_name),
                    ("org", &org_name),
                    ("space", &s.name),
                ],
            );
            for (o, u) in other_side(conn, s.space_id, org)? {
                crate::notifications::notify(
                    conn,
                    o,
                    u,
                    "interconnect.contacts.notify.succeeded",
                    &body,
                    "/interconnect",
                )?;
            }
        }
        let body = keyed_body(
            "interconnect.contacts.body.you_succeed",
            &[
                ("name", &v.d.name),
                ("spaces", &v.spaces.len().to_string()),
                ("tasks", &tasks.to_string()),
                ("reviews", &reviews.to_string()),
                ("groups", &held_groups.to_string()),
            ],
        );
        crate::notifications::notify(
            conn,
            org,
            successor,
            "interconnect.contacts.notify.you_succeed",
            &body,
            "/interconnect",
        )?;
        tracing::info!(
            org.id = org,
            departure.id = id,
            tasks,
            reviews,
            groups = held_groups,
            "successor named"
        );
        Ok(Ok(()))
    })
}
