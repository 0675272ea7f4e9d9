//! Seats the upstream organisation buys itself (seed 004: "licence统一由主干组织购买与分配").
//! A purchase is an order, like a distribution purchase: exactly one per click (the form
//! carries a one-time key, unique per organisation), numbered, listed to the buyer on the
//! licence page and to the operator. The pool's 已购买 is the organisation's base figure
//! (its edition's seats, or the operator's figure) plus the seats of every order whose
//! term runs now, so the figure rises the moment the order is made: there is no payment
//! step in the portal to wait for, and the seed has the main organisation buy and allocate
//! on its own. The operator sees every order and can still lower the base figure.

use diesel::prelude::*;

use super::super::people;
use crate::auth::OrgScope;
use crate::db::schema::{orgs, seat_orders, users};
use crate::db::{Conn, TxError, now, write_tx};
use crate::error::{AppError, AppResult};
use crate::web::{Cursor, Errors, PAGE_SIZE, Page};

/// Seats one order may buy.
pub(crate) const MAX_QUANTITY: i64 = 100_000;

/// The terms offered, in months (one, two or three years: licences are sold by the year).
pub(crate) const TERMS: [i32; 3] = [12, 24, 36];

/// A valid purchase: how many seats, for how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SeatPurchase {
    quantity: i64,
    term_months: i32,
}

impl SeatPurchase {
    /// Parses the form as typed; each bad field gets its own message.
    pub(crate) fn parse(quantity: &str, term: &str) -> Result<SeatPurchase, Errors> {
        let mut errors = Errors::default();
        let q = match quantity.trim().parse::<i64>() {
            Ok(n) if (1..=MAX_QUANTITY).contains(&n) => n,
            _ => {
                errors.add("quantity", "interconnect.licences.buy.quantity_invalid");
                0
            }
        };
        let t = match term.trim().parse::<i32>() {
            Ok(m) if TERMS.contains(&m) => m,
            _ => {
                errors.add("term", "interconnect.licences.buy.term_invalid");
                0
            }
        };
        if errors.is_empty() {
            Ok(SeatPurchase {
                quantity: q,
                term_months: t,
            })
        } else {
            Err(errors)
        }
    }
}

/// The end of a term of `months` starting at `start` (calendar months in China Standard
/// Time, the day clamped to the month's length).
pub(crate) fn term_end(start: i64, months: i32) -> i64 {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp(start) else {
        return start + i64::from(months) * 30 * 86_400;
    };
    let t = t.to_offset(offset);
    let total = i32::from(u8::from(t.month())) - 1 + months;
    let year = t.year() + total.div_euclid(12);
    let month = u8::try_from(total.rem_euclid(12) + 1)
        .ok()
        .and_then(|m| time::Month::try_from(m).ok())
        .unwrap_or(time::Month::January);
    let day = t.day().min(month.length(year));
    time::Date::from_calendar_date(year, month, day)
        .map(|d| d.with_time(t.time()).assume_offset(offset).unix_timestamp())
        .unwrap_or(start + i64::from(months) * 30 * 86_400)
}

/// The seats of `org_id`'s orders whose term covers `at`.
pub(crate) fn purchased_seats(conn: &mut Conn, org_id: i64, at: i64) -> AppResult<i64> {
    let rows: Vec<i64> = seat_orders::table
        .filter(seat_orders::org_id.eq(org_id))
        .filter(seat_orders::ends_at.gt(at))
        .filter(seat_orders::starts_at.le(at))
        .select(seat_orders::quantity)
        .load(conn)?;
    Ok(rows.iter().sum())
}

/// An order as the buyer and the operator see it.
#[derive(Clone, Debug)]
pub struct SeatOrder {
    pub id: i64,
    pub order_no: String,
    pub org_name: String,
    pub corp_id: String,
    pub quantity: i64,
    pub term_months: i32,
    pub starts_at: i64,
    pub ends_at: i64,
    pub buyer: String,
    pub created_at: i64,
}

impl SeatOrder {
    /// The order's term is running now.
    pub fn active(&self) -> bool {
        let t = now();
        self.starts_at <= t && t < self.ends_at
    }
}

type OrderRow = (i64, String, String, String, i64, i32, i64, i64, String, i64);

/// Seat orders newest first, from the cursor; of one organisation, or all of them.
fn list(conn: &mut Conn, org: Option<i64>, cursor: Cursor) -> AppResult<Page<SeatOrder>> {
    Page::fetch(
        cursor,
        |o: &SeatOrder| o.id,
        |cursor| page_rows(conn, org, cursor),
    )
}

fn page_rows(conn: &mut Conn, org: Option<i64>, cursor: Cursor) -> AppResult<Vec<SeatOrder>> {
    let mut q = seat_orders::table
        .inner_join(orgs::table)
        .inner_join(users::table)
        .limit(PAGE_SIZE + 1)
        .select((
            seat_orders::id,
            seat_orders::order_no,
            orgs::name,
            orgs::corp_id,
            seat_orders::quantity,
            seat_orders::term_months,
            seat_orders::starts_at,
            seat_orders::ends_at,
            users::name,
            seat_orders::created_at,
        ))
        .into_boxed();
    if let Some(o) = org {
        q = q.filter(seat_orders::org_id.eq(o));
    }
    let rows: Vec<OrderRow> = crate::keyset!(q, cursor, seat_orders::id, desc).load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                order_no,
                org_name,
                corp_id,
                quantity,
                term_months,
                starts_at,
                ends_at,
                buyer,
                created_at,
            )| SeatOrder {
                id,
                order_no,
                org_name,
                corp_id,
                quantity,
                term_months,
                starts_at,
                ends_at,
                buyer,
                created_at,
            },
        )
        .collect())
}

/// The scope's own seat orders (the buyer's history on the licence page).
pub(crate) fn orders_of(
    conn: &mut Conn,
    scope: &OrgScope,
    cursor: Cursor,
) -> AppResult<Page<SeatOrder>> {
    list(conn, Some(scope.org_id()), cursor)
}

/// Every organisation's seat orders (the operator's list).
pub fn all_seat_orders(conn: &mut Conn, cursor: Cursor) -> AppResult<Page<SeatOrder>> {
    list(conn, None, cursor)
}

fn by_idem(conn: &mut Conn, org_id: i64, key: &str) -> AppResult<Option<i64>> {
    Ok(seat_orders::table
        .filter(seat_orders::org_id.eq(org_id))
        .filter(seat_orders::idem.eq(key))
        .select(seat_orders::id)
        .first(conn)
        .optional()?)
}

/// The one-time key of the purchase form: 8 to 64 letters, digits or dashes.
pub(crate) fn parse_idem(raw: &str) -> AppResult<String> {
    let k = raw.trim();
    if (8..=64).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Ok(k.to_string())
    } else {
        Err(AppError::BadRequest("error.bad_request"))
    }
}

/// Places the order for the scope's organisation, exactly once per form key: a second or
/// concurrent post with the same key finds the first order (the unique (org, key) pair)
/// and returns it. The pool grows at once; alerts no longer reached are re-armed.
pub(crate) fn purchase(
    conn: &mut Conn,
    scope: &OrgScope,
    p: SeatPurchase,
    key: &str,
) -> AppResult<i64> {
    let org = scope.org_id();
    let placed = write_tx(conn, |conn| -> Result<i64, TxError> {
        // The pool's figure changes: serialise with grants of the same pool.
        people::lock_org(conn, org)?;
        if let Some(id) = by_idem(conn, org, key)? {
            return Ok(id);
        }
        let ts = now();
        let id: i64 = diesel::insert_into(seat_orders::table)
            .values((
                seat_orders::order_no.eq(format!("tmp-{}", uuid::Uuid::new_v4().simple())),
                seat_orders::org_id.eq(org),
                seat_orders::quantity.eq(p.quantity),
                seat_orders::term_months.eq(p.term_months),
                seat_orders::starts_at.eq(ts),
                seat_orders::ends_at.eq(term_end(ts, p.term_months)),
                seat_orders::buyer_id.eq(scope.user_id()),
                seat_orders::idem.eq(key),
                seat_orders::created_at.eq(ts),
            ))
            .returning(seat_orders::id)
            .get_result(conn)?;
        let no = crate::tools::order_no("LS", ts, id);
        diesel::update(seat_orders::table.find(id))
            .set(seat_orders::order_no.eq(&no))
            .execute(conn)?;
        people::alert_on_use(conn, org)?;
        tracing::info!(
            org.id = org,
            seat_order.id = id,
            seats = p.quantity,
            months = p.term_months,
            "seats purchased"
        );
        Ok(id)
    });
    match placed {
        Ok(id) => Ok(id),
        // A concurrent twin won the unique key: its order is this click's order.
        Err(TxError::Duplicate) => by_idem(conn, org, key)?.ok_or(AppError::Internal),
        Err(TxError::App(e)) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_purchase_needs_a_quantity_in_range_and_a_term_of_one_to_three_years() {
        let ok = SeatPurchase::parse(" 3000 ", "12").ok();
        assert_eq!(ok.map(|p| (p.quantity, p.term_months)), Some((3000, 12)));
        let e = SeatPurchase::parse("0", "7").err().unwrap_or_default();
        assert_eq!(
            e.get("quantity"),
            Some("interconnect.licences.buy.quantity_invalid")
        );
        assert_eq!(
            e.get("term"),
            Some("interconnect.licences.buy.term_invalid")
        );
        assert!(SeatPurchase::parse("100001", "36").is_err());
        assert!(SeatPurchase::parse("2.5", "24").is_err());
    }

    #[test]
    fn a_term_ends_on_the_same_day_months_later() {
        // 2026-01-31 09:00 CST + 1 month clamps to 2026-02-28; + 12 months is 2027-01-31.
        let jan31 = 1_769_821_200;
        assert_eq!(term_end(jan31, 1) - jan31, 28 * 86_400);
        assert_eq!(term_end(jan31, 12) - jan31, 365 * 86_400);
        assert!(parse_idem("abc").is_err());
        assert!(parse_idem("0123456789abcdef").is_ok());
    }
}
