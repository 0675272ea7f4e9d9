//! A contact or space admin leaves: the record, and word to the other side.

use super::*;

/// Records that `user_id` left `org_id` if they were a contact or a space admin there,
/// tells the other side of each of their spaces and asks the organisation's admins to
/// name a successor. Runs inside the caller's transaction, before the membership goes (a
/// space admin is known by their role). Leaving twice keeps one open record.
pub(crate) fn on_leave(
    conn: &mut Conn,
    org_id: i64,
    user_id: i64,
    reason: Reason,
) -> AppResult<()> {
    let rows = contact_rows(conn, Some(org_id), None)?;
    let role: Option<(String, String)> = memberships::table
        .filter(memberships::org_id.eq(org_id))
        .filter(memberships::user_id.eq(user_id))
        .select((memberships::role, memberships::permissions))
        .first(conn)
        .optional()?;
    let admin = role.is_some_and(|(r, p)| {
        Role::parse(&r).is_some_and(|r| may_manage_spaces(r, &Perm::parse_list(&p)))
    });
    let held: BTreeSet<i64> = rows
        .iter()
        .filter(|r| r.contact == Some(user_id) || (r.owner && admin))
        .map(|r| r.space_id)
        .collect();
    if held.is_empty() {
        return Ok(());
    }
    lock_org(conn, org_id)?;
    let open: Option<i64> = contact_departures::table
        .filter(contact_departures::org_id.eq(org_id))
        .filter(contact_departures::user_id.eq(user_id))
        .filter(contact_departures::resolved_at.is_null())
        .select(contact_departures::id)
        .first(conn)
        .optional()?;
    if open.is_some() {
        return Ok(());
    }
    let id: i64 = diesel::insert_into(contact_departures::table)
        .values((
            contact_departures::org_id.eq(org_id),
            contact_departures::user_id.eq(user_id),
            contact_departures::reason.eq(reason.as_str()),
            contact_departures::left_at.eq(now()),
        ))
        .returning(contact_departures::id)
        .get_result(conn)?;
    let ids: Vec<i64> = held.iter().copied().collect();
    let groups: Vec<i64> = collab_groups::table
        .filter(collab_groups::space_id.eq_any(&ids))
        .filter(collab_groups::created_by.eq(user_id))
        .select(collab_groups::id)
        .load(conn)?;
    for (kind, refs) in [("space", &ids), ("group", &groups)] {
        for r in refs {
            diesel::insert_into(departure_items::table)
                .values((
                    departure_items::departure_id.eq(id),
                    departure_items::kind.eq(kind),
                    departure_items::ref_id.eq(*r),
                ))
                .execute(conn)?;
        }
    }
    let person = name_of_user(conn, user_id)?;
    let org_name = name_of_org(conn, org_id)?;
    for s in &ids {
        let space = name_of_space(conn, *s)?;
        let body = keyed_body(
            "interconnect.contacts.body.left",
            &[("name", &person), ("org", &org_name), ("space", &space)],
        );
        for (o, u) in other_side(conn, *s, org_id)? {
            crate::notifications::notify(
                conn,
                o,
                u,
                "interconnect.contacts.notify.left",
                &body,
                "/interconnect",
            )?;
        }
    }
    let body = keyed_body(
        "interconnect.contacts.body.name_successor",
        &[("name", &person), ("n", &ids.len().to_string())],
    );
    for a in crate::interconnect::spaces::store::space_managers(conn, org_id)? {
        if a == user_id {
            continue;
        }
        crate::notifications::notify(
            conn,
            org_id,
            a,
            "interconnect.contacts.notify.name_successor",
            &body,
            &format!("/interconnect/departures/{id}"),
        )?;
    }
    tracing::info!(
        org.id = org_id,
        departure.id = id,
        spaces = ids.len(),
        reason = reason.as_str(),
        "contact left"
    );
    Ok(())
}

/// A disabled account is disabled everywhere: each of its organisations learns it.
pub fn on_disabled(conn: &mut Conn, user_id: i64) -> AppResult<()> {
    let orgs_of: Vec<i64> = memberships::table
        .filter(memberships::user_id.eq(user_id))
        .select(memberships::org_id)
        .load(conn)?;
    for o in orgs_of {
        on_leave(conn, o, user_id, Reason::Disabled)?;
    }
    Ok(())
}

/// An account enabled again is back: its open records of being disabled are closed
/// without a successor.
pub fn on_enabled(conn: &mut Conn, user_id: i64) -> AppResult<()> {
    diesel::update(
        contact_departures::table
            .filter(contact_departures::user_id.eq(user_id))
            .filter(contact_departures::reason.eq(Reason::Disabled.as_str()))
            .filter(contact_departures::resolved_at.is_null()),
    )
    .set(contact_departures::resolved_at.eq(Some(now())))
    .execute(conn)?;
    Ok(())
}
