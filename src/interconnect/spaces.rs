//! Spaces: creation under edition gates and limits, invitations, join review, member organisations' scopes, visibility, the space directory and leaving.

use crate::web::policy::Routes;

pub fn router() -> Routes {
    Routes::new()
}
