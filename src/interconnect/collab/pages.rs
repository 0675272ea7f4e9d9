//! The collaboration pages: one struct per page, display logic as methods.

use askama::Template;
use askama_web::WebTemplate;

use super::store::{Group, GroupRow, Member, Message, PickPage};
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
    pub(crate) fn next_people(&self, n: &str) -> String {
        format!(
            "{}?q={}&after={}",
            self.base(),
            crate::tools::encode_query(&self.q),
            crate::tools::encode_query(n)
        )
    }
    pub(crate) fn next_groups(&self, n: &i64) -> String {
        format!("{}?before={n}", self.base())
    }
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
    pub(crate) fn next_messages(&self, n: &i64) -> String {
        format!("{}?before={n}", self.base())
    }
    pub(crate) fn next_people(&self, n: &str) -> String {
        format!(
            "{}?q={}&after={}",
            self.base(),
            crate::tools::encode_query(&self.q),
            crate::tools::encode_query(n)
        )
    }
    pub(crate) fn is_me(&self, m: &Member) -> bool {
        m.user_id == self.me
    }
}
