//! Apps published to member organisations' workbenches, downstream submissions and approvals, and the upstream data view.

use crate::web::policy::Routes;

pub fn router() -> Routes {
    Routes::new()
}
