//! The platform operator's console (平台运营): organisations and accounts across tenants.
//! Only the `Operator` guard opens it; nothing here takes an `OrgScope`.
#![warn(unreachable_pub)]

pub(crate) mod interconnect;
pub(crate) mod routes;
pub(crate) mod seat_orders;
pub(crate) mod store;

use crate::error::AppError;

/// An operator may not disable their own account (they would lock the platform out).
pub fn check_disable(actor_id: i64, target_id: i64) -> Result<(), AppError> {
    if actor_id == target_id {
        Err(AppError::Conflict("operator.error.cannot_disable_self"))
    } else {
        Ok(())
    }
}

/// `q` as a LIKE pattern matching it anywhere, with its wildcards escaped.
pub fn like_pattern(q: &str) -> String {
    let mut s = String::with_capacity(q.len() + 2);
    s.push('%');
    for c in q.chars() {
        if matches!(c, '%' | '_' | '\\') {
            s.push('\\');
        }
        s.push(c);
    }
    s.push('%');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operator_cannot_disable_themself() {
        assert!(check_disable(1, 1).is_err());
        assert!(check_disable(1, 2).is_ok());
    }

    #[test]
    fn search_wildcards_are_taken_literally() {
        assert_eq!(like_pattern("a%_b\\"), "%a\\%\\_b\\\\%");
    }
}
