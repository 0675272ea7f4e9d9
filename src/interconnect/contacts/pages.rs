//! The departure pages: the organisation's list and one departure with its successor form.

use askama::Template;
use askama_web::WebTemplate;

use super::{Departure, DepartureView, Reason};
use crate::web::{Errors, Layout, Page};

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/departures/list.html")]
pub(crate) struct DeparturesPage {
    pub l: Layout,
    pub page: Page<Departure>,
}

impl DeparturesPage {
    pub(crate) fn reason(&self, d: &Departure) -> String {
        self.l.t(Reason::label_key(&d.reason)).into_owned()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "interconnect/departures/show.html")]
pub(crate) struct DeparturePage {
    pub l: Layout,
    pub v: DepartureView,
    /// The successor as posted (a user id), kept when the form comes back.
    pub typed: String,
    pub errors: Errors,
}

impl DeparturePage {
    pub(crate) fn reason(&self) -> String {
        self.l.t(Reason::label_key(&self.v.d.reason)).into_owned()
    }
    pub(crate) fn chosen(&self, id: &i64) -> bool {
        self.typed == id.to_string()
    }
    pub(crate) fn intro(&self) -> String {
        self.l.lang.tf(
            "interconnect.contacts.intro",
            &[
                ("name", &self.v.d.name),
                ("when", &self.l.time(&self.v.d.left_at)),
            ],
        )
    }
}
