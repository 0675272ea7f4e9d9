//! The upstream organisation's licence (seat) pool: grants, automatic grants and releases, alerts, the true-up report.

use crate::web::policy::Routes;

pub fn router() -> Routes {
    Routes::new()
}
