//! The account pages: the start page, sign in and out, the language and the organisation
//! switch. `auth` proves who is asking; this domain is the pages a person signs in with.

pub mod routes;
