//! Small general tools that several domains use and that know nothing of any domain:
//! unguessable tokens, amounts in 元, QR codes, SVG charts, CSV cells, keyset cursors, URL and cookie helpers, and
//! the review queues' business-day clock. They sit below `web` and every domain, so a
//! domain never reaches into another one for them.

pub mod chart;
pub mod csv;
pub mod http;
pub mod keyset;
pub mod money;
pub mod order_no;
pub mod outbound;
pub mod qr;
pub mod token;
pub mod wait;

pub use csv::csv_cell;
pub use http::{cookie, encode_query};
pub use keyset::{Cursor, CursorQuery};
pub use order_no::order_no;
pub use qr::qr_svg;
pub use token::{new_token, token_shape_ok};
pub use wait::{review_due, review_overdue};
