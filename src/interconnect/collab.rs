//! Collaboration groups (合作群) across member organisations, with a message thread.

use crate::web::policy::Routes;

pub fn router() -> Routes {
    Routes::new()
}
