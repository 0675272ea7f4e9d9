//! The collaboration pages: one struct per page, display logic as methods.

use askama::Template;
use askama_web::WebTemplate;

use super::PickPage;
use super::store::{Group, GroupRow, Member, Message};
use crate::interconnect::people::SpacePerson;
use crate::web::{Errors, Layout, Page};

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/collab/list.html")]
pub(crate) struct GroupsPage {
    pub l: Layout,
    pub space_id: i64,
    pub space_name: String,
    pub is_person: bool,
    pub groups: Page<GroupRow>,
    pub people: PickPage,
    pub q: String,
    /// The new-group form as typed.
    pub name: String,
    pub picked: Vec<String>,
    pub errors: Errors,
}

impl GroupsPage {
    pub(crate) fn base(&self) -> String {
        format!("/interconnect/spaces/{}/collab", self.space_id)
    }
    pub(crate) fn is_picked(&self, p: &SpacePerson) -> bool {
        self.picked.contains(&format!("{}:{}", p.user_id, p.org_id))
    }
    pub(crate) fn people_prev(&self) -> Option<String> {
        picker_href(
            &self.base(),
            &self.q,
            "pbefore",
            self.people.prev.as_deref(),
        )
    }
    pub(crate) fn people_next(&self) -> Option<String> {
        picker_href(&self.base(), &self.q, "pafter", self.people.next.as_deref())
    }
    pub(crate) fn groups_prev(&self) -> Option<String> {
        Some(format!("{}?before={}", self.base(), self.groups.prev?))
    }
    pub(crate) fn groups_next(&self) -> Option<String> {
        Some(format!("{}?after={}", self.base(), self.groups.next?))
    }
}

/// A link to another page of the people picker, keeping the search.
fn picker_href(base: &str, q: &str, param: &str, at: Option<&str>) -> Option<String> {
    Some(format!(
        "{base}?q={}&{param}={}",
        crate::tools::encode_query(q),
        crate::tools::encode_query(at?)
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/collab/show.html")]
pub(crate) struct GroupPage {
    pub l: Layout,
    pub group: Group,
    pub members: Vec<Member>,
    pub messages: Page<Message>,
    pub is_creator: bool,
    pub me: i64,
    /// The creator's picker (empty for others).
    pub people: PickPage,
    pub q: String,
    /// The message form as typed.
    pub body: String,
    pub errors: Errors,
}

impl GroupPage {
    pub(crate) fn base(&self) -> String {
        format!("/interconnect/collab/{}", self.group.id)
    }
    /// Older messages come after in the thread's order (newest first).
    pub(crate) fn older_messages(&self) -> Option<String> {
        Some(format!("{}?after={}", self.base(), self.messages.next?))
    }
    pub(crate) fn newer_messages(&self) -> Option<String> {
        Some(format!("{}?before={}", self.base(), self.messages.prev?))
    }
    pub(crate) fn people_prev(&self) -> Option<String> {
        picker_href(
            &self.base(),
            &self.q,
            "pbefore",
            self.people.prev.as_deref(),
        )
    }
    pub(crate) fn people_next(&self) -> Option<String> {
        picker_href(&self.base(), &self.q, "pafter", self.people.next.as_deref())
    }
    pub(crate) fn is_me(&self, m: &Member) -> bool {
        m.user_id == self.me
    }
}
