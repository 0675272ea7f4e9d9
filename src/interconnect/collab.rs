//! Collaboration groups (合作群): people of several member organisations of one space talk
//! in a group that shows each member's real organisation and department. Only members see
//! a group; whoever leaves their organisation or the space leaves its groups at once
//! ([`super::people::reconcile_org`]).

pub(crate) mod pages;
pub(crate) mod routes;
pub(crate) mod store;

pub(crate) use routes::router;

use crate::interconnect::people::SpacePerson;
use crate::web::PAGE_SIZE;

/// A group's name: 1 to 40 characters once trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct GroupName(String);

impl GroupName {
    pub(crate) fn parse(s: &str) -> Result<GroupName, &'static str> {
        let t = s.trim();
        match t.chars().count() {
            0 => Err("interconnect.collab.error.name_required"),
            n if n > 40 => Err("interconnect.collab.error.name_too_long"),
            _ => Ok(GroupName(t.to_string())),
        }
    }
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A message: 1 to 2000 characters once trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct MessageBody(String);

impl MessageBody {
    pub(crate) fn parse(s: &str) -> Result<MessageBody, &'static str> {
        let t = s.trim();
        match t.chars().count() {
            0 => Err("interconnect.collab.error.body_required"),
            n if n > 2000 => Err("interconnect.collab.error.body_too_long"),
            _ => Ok(MessageBody(t.to_string())),
        }
    }
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person picked for a group, as the form sends it: `user:org` (the organisation they
/// are in the space through).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Pick {
    pub user_id: i64,
    pub org_id: i64,
}

impl Pick {
    pub(crate) fn parse(s: &str) -> Option<Pick> {
        let (u, o) = s.trim().split_once(':')?;
        Some(Pick {
            user_id: u.parse().ok()?,
            org_id: o.parse().ok()?,
        })
    }
    pub(crate) fn value(&self) -> String {
        format!("{}:{}", self.user_id, self.org_id)
    }
}

/// The repeated `person` fields of a form; a malformed one is a tampered form.
pub(crate) fn picks_of(pairs: &[(String, String)]) -> crate::error::AppResult<Vec<Pick>> {
    let mut out: Vec<Pick> = Vec::new();
    for (k, v) in pairs {
        if k == "person" {
            let p =
                Pick::parse(v).ok_or(crate::error::AppError::BadRequest("error.bad_request"))?;
            if !out.contains(&p) {
                out.push(p);
            }
        }
    }
    if out.len() > 500 {
        return Err(crate::error::AppError::BadRequest("error.bad_request"));
    }
    Ok(out)
}

/// The value of the first `name` field of a form.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// A page of people to pick from, with the cursors (`user:org`) of the pages around it.
#[derive(Clone, Debug, Default)]
pub(crate) struct PickPage {
    pub items: Vec<SpacePerson>,
    pub prev: Option<String>,
    pub next: Option<String>,
}

/// Where the people picker starts: first, after or before a (user, organisation).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) enum PickAt {
    #[default]
    First,
    After(Pick),
    Before(Pick),
}

/// One page of the sorted people from the cursor; going back past the start gives the
/// first page whole.
pub(crate) fn pick_page(
    mut all: Vec<SpacePerson>,
    at: PickAt,
    key: impl Fn(&SpacePerson) -> (i64, i64),
) -> PickPage {
    let limit = PAGE_SIZE as usize;
    let label = |p: &SpacePerson| format!("{}:{}", p.user_id, p.org_id);
    let start = match at {
        PickAt::First => 0,
        PickAt::After(a) => all.partition_point(|p| key(p) <= (a.user_id, a.org_id)),
        PickAt::Before(b) => all
            .partition_point(|p| key(p) < (b.user_id, b.org_id))
            .saturating_sub(limit),
    };
    let end = (start + limit).min(all.len());
    let more = all.len() > end;
    all.truncate(end);
    let items = all.split_off(start.min(end));
    PickPage {
        prev: if start > 0 {
            items.first().map(label)
        } else {
            None
        },
        next: if more { items.last().map(label) } else { None },
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_and_messages_are_bounded() {
        assert!(GroupName::parse("  ").is_err());
        assert_eq!(
            GroupName::parse(" 供应协同 ").map(|n| n.0),
            Ok("供应协同".into())
        );
        assert!(GroupName::parse(&"名".repeat(41)).is_err());
        assert!(MessageBody::parse("").is_err());
        assert!(MessageBody::parse(&"x".repeat(2001)).is_err());
        assert!(MessageBody::parse("你好").is_ok());
    }

    #[test]
    fn picks_round_trip_and_tampering_is_refused() {
        let p = Pick {
            user_id: 7,
            org_id: 3,
        };
        assert_eq!(Pick::parse(&p.value()), Some(p));
        assert_eq!(Pick::parse("7"), None);
        let pairs = vec![("person".to_string(), "x:1".to_string())];
        assert!(picks_of(&pairs).is_err());
    }

    #[test]
    fn the_picker_pages_both_ways_and_back_past_the_start_is_the_first_page() {
        let people = |n: i64| {
            (0..n)
                .map(|i| SpacePerson {
                    user_id: i,
                    name: format!("p{i}"),
                    org_id: 1,
                    org_name: String::new(),
                    department: None,
                })
                .collect::<Vec<_>>()
        };
        let key = |p: &SpacePerson| (p.user_id, p.org_id);
        let ids = |p: &PickPage| p.items.iter().map(|x| x.user_id).collect::<Vec<_>>();
        let at = |u| Pick {
            user_id: u,
            org_id: 1,
        };
        let first = pick_page(people(120), PickAt::First, key);
        assert_eq!(ids(&first), (0..50).collect::<Vec<_>>());
        assert_eq!((first.prev, first.next.as_deref()), (None, Some("49:1")));
        let second = pick_page(people(120), PickAt::After(at(49)), key);
        assert_eq!(ids(&second), (50..100).collect::<Vec<_>>());
        assert_eq!(second.prev.as_deref(), Some("50:1"));
        let last = pick_page(people(120), PickAt::After(at(99)), key);
        assert_eq!(ids(&last), (100..120).collect::<Vec<_>>());
        assert_eq!(last.next, None);
        let back = pick_page(people(120), PickAt::Before(at(100)), key);
        assert_eq!(ids(&back), (50..100).collect::<Vec<_>>());
        let start = pick_page(people(120), PickAt::Before(at(30)), key);
        assert_eq!(ids(&start), (0..50).collect::<Vec<_>>());
        assert_eq!(start.prev, None);
    }
}
