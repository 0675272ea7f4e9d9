//! 应用序列号 as the provider keeps them: numbers generated in the console or uploaded as a
//! file (list mode), and the numbers its endpoint accepted (endpoint mode). The list shows
//! who redeemed each number and flags a number that several organisations tried: the
//! seed's leaked-QR case (A paid for the number, B scanned A's code and typed it too).

use std::collections::{HashMap, HashSet};

use diesel::dsl::count;
use diesel::prelude::*;
use rand::Rng;

use crate::db::schema::{orgs, qd_serial_tries as t, qd_serials as s};
use crate::db::{Conn, now, write_tx};
use crate::error::AppResult;
use crate::web::{Cursor, PAGE_SIZE, Page};

/// Letters and digits that cannot be mistaken for one another when read aloud or typed
/// from a printed card (no I, O, 0, 1).
pub(crate) const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/// The most numbers one generation makes.
pub(crate) const GENERATE_MAX: usize = 1000;
/// The most lines an uploaded file may hold.
pub(crate) const UPLOAD_MAX_LINES: usize = 10_000;
/// Tried by this many organisations or more: flagged.
pub(crate) const FLAG_AT: i64 = 2;

/// How a number came into the list.
pub(crate) const GENERATED: &str = "generated";
pub(crate) const UPLOADED: &str = "uploaded";

/// A fresh number in the form ABCD-EFGH-JKLM-NPQR.
pub(crate) fn new_serial() -> String {
    let mut rng = rand::rng();
    let mut out = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        let c = ALPHABET[rng.random_range(0..ALPHABET.len())];
        out.push(char::from(c));
    }
    out
}

/// The count asked for on the generate form (1 to [`GENERATE_MAX`]), or the field's error.
pub(crate) fn parse_count(s: &str) -> Result<usize, &'static str> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=GENERATE_MAX).contains(&n) => Ok(n),
        _ => Err("quickdeploy.serials.count_invalid"),
    }
}

/// Is `s` a number the list accepts: 6 to 64 of letters, digits and '-'?
pub(crate) fn well_formed(s: &str) -> bool {
    (6..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// Why a line of an uploaded file was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LineRefusal {
    Malformed,
    DuplicateInFile,
    AlreadyListed,
}

impl LineRefusal {
    pub(crate) fn label_key(self) -> &'static str {
        match self {
            LineRefusal::Malformed => "quickdeploy.serials.refused_malformed",
            LineRefusal::DuplicateInFile => "quickdeploy.serials.refused_duplicate",
            LineRefusal::AlreadyListed => "quickdeploy.serials.refused_listed",
        }
    }
}

/// One refused line: its number in the file (from 1), its text and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RefusedLine {
    pub line: usize,
    pub text: String,
    pub why: LineRefusal,
}

/// What an upload said: the numbers to add, or why nothing was added.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Upload {
    Added(usize),
    /// The file holds no number at all.
    Empty,
    TooLong,
    Refused(Vec<RefusedLine>),
}

/// The numbers of an uploaded file, one a line (blank lines skipped; a CSV line's first
/// cell, without quotes), with the lines refused for their shape or for repeating an
/// earlier line. Pure: the list's own numbers are checked by [`upload`].
pub(crate) fn parse_lines(text: &str) -> (Vec<(usize, String)>, Vec<RefusedLine>) {
    let mut seen: HashSet<String> = HashSet::new();
    let (mut ok, mut refused) = (Vec::new(), Vec::new());
    for (i, raw) in text.trim_start_matches('\u{feff}').lines().enumerate() {
        let cell = raw.split(',').next().unwrap_or_default().trim();
        let cell = cell.trim_matches('"').trim();
        if cell.is_empty() {
            continue;
        }
        let why = if !well_formed(cell) {
            Some(LineRefusal::Malformed)
        } else if !seen.insert(cell.to_string()) {
            Some(LineRefusal::DuplicateInFile)
        } else {
            None
        };
        match why {
            Some(why) => refused.push(RefusedLine {
                line: i + 1,
                text: cell.chars().take(80).collect(),
                why,
            }),
            None => ok.push((i + 1, cell.to_string())),
        }
    }
    (ok, refused)
}

/// Which of `numbers` the application's list already holds.
fn listed(conn: &mut Conn, application: i64, numbers: &[String]) -> AppResult<HashSet<String>> {
    let mut out = HashSet::new();
    for chunk in numbers.chunks(500) {
        let found: Vec<String> = s::table
            .filter(s::application_id.eq(application))
            .filter(s::serial.eq_any(chunk))
            .select(s::serial)
            .load(conn)?;
        out.extend(found);
    }
    Ok(out)
}

fn insert(conn: &mut Conn, application: i64, number: &str, source: &str, at: i64) -> AppResult<()> {
    diesel::insert_into(s::table)
        .values((
            s::application_id.eq(application),
            s::serial.eq(number),
            s::source.eq(source),
            s::created_at.eq(at),
        ))
        .execute(conn)?;
    Ok(())
}

/// Adds `count` new random numbers to the list (each unlike every listed one); the numbers.
pub(crate) fn generate(conn: &mut Conn, application: i64, count: usize) -> AppResult<Vec<String>> {
    write_tx(conn, |conn| {
        let mut fresh: Vec<String> = Vec::with_capacity(count);
        let mut taken: HashSet<String> = HashSet::new();
        // Collisions in 32^16 numbers are unheard of; checked anyway, before inserting
        // (a unique violation would end a PostgreSQL transaction).
        while fresh.len() < count {
            let batch: Vec<String> = (fresh.len()..count)
                .map(|_| new_serial())
                .filter(|n| taken.insert(n.clone()))
                .collect();
            let clash = listed(conn, application, &batch)?;
            fresh.extend(batch.into_iter().filter(|n| !clash.contains(n)));
        }
        let at = now();
        for n in &fresh {
            insert(conn, application, n, GENERATED, at)?;
        }
        Ok(fresh)
    })
}

/// Adds the numbers of an uploaded file, all or nothing.
pub(crate) fn upload(conn: &mut Conn, application: i64, text: &str) -> AppResult<Upload> {
    if text.lines().count() > UPLOAD_MAX_LINES {
        return Ok(Upload::TooLong);
    }
    let (ok, mut refused) = parse_lines(text);
    if ok.is_empty() && refused.is_empty() {
        return Ok(Upload::Empty);
    }
    write_tx(conn, |conn| {
        let numbers: Vec<String> = ok.iter().map(|(_, n)| n.clone()).collect();
        let already = listed(conn, application, &numbers)?;
        for (line, n) in &ok {
            if already.contains(n) {
                refused.push(RefusedLine {
                    line: *line,
                    text: n.clone(),
                    why: LineRefusal::AlreadyListed,
                });
            }
        }
        if !refused.is_empty() {
            refused.sort_by_key(|r| r.line);
            return Ok(Upload::Refused(refused));
        }
        let at = now();
        for n in &numbers {
            insert(conn, application, n, UPLOADED, at)?;
        }
        Ok(Upload::Added(numbers.len()))
    })
}

/// One number of the list with its redemption and how many organisations tried it.
#[derive(Clone, Debug)]
pub(crate) struct SerialRow {
    pub id: i64,
    pub serial: String,
    pub source: String,
    pub created_at: i64,
    pub redeemed_at: Option<i64>,
    pub org_name: Option<String>,
    pub corp_id: Option<String>,
    pub tried_by: i64,
}

impl SerialRow {
    pub(crate) fn flagged(&self) -> bool {
        self.tried_by >= FLAG_AT
    }
    pub(crate) fn source_key(&self) -> &'static str {
        match self.source.as_str() {
            GENERATED => "quickdeploy.serials.source_generated",
            UPLOADED => "quickdeploy.serials.source_uploaded",
            _ => "quickdeploy.serials.source_endpoint",
        }
    }
}

/// The numbers of the application tried by [`FLAG_AT`] organisations or more.
fn flagged_numbers(conn: &mut Conn, application: i64) -> AppResult<Vec<String>> {
    Ok(t::table
        .filter(t::application_id.eq(application))
        .group_by(t::serial)
        .having(count(t::org_id).aggregate_distinct().ge(FLAG_AT))
        .select(t::serial)
        .load(conn)?)
}

/// How many distinct organisations tried each of `numbers`.
fn tried_by(
    conn: &mut Conn,
    application: i64,
    numbers: &[String],
) -> AppResult<HashMap<String, i64>> {
    if numbers.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(String, i64)> = t::table
        .filter(t::application_id.eq(application))
        .filter(t::serial.eq_any(numbers))
        .group_by(t::serial)
        .select((t::serial, count(t::org_id).aggregate_distinct()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

type Raw = (
    i64,
    String,
    String,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// A page of the application's list, newest first (only the flagged numbers when asked).
pub(crate) fn list(
    conn: &mut Conn,
    application: i64,
    flagged_only: bool,
    cursor: Cursor,
) -> AppResult<Page<SerialRow>> {
    let flagged = if flagged_only {
        Some(flagged_numbers(conn, application)?)
    } else {
        None
    };
    let page = Page::fetch(
        cursor,
        |r: &Raw| r.0,
        |cursor| {
            let mut q = s::table
                .left_join(orgs::table.on(orgs::id.nullable().eq(s::redeemed_org_id)))
                .filter(s::application_id.eq(application))
                .select((
                    s::id,
                    s::serial,
                    s::source,
                    s::created_at,
                    s::redeemed_at,
                    orgs::name.nullable(),
                    orgs::corp_id.nullable(),
                ))
                .limit(PAGE_SIZE + 1)
                .into_boxed();
            if let Some(f) = &flagged {
                q = q.filter(s::serial.eq_any(f.clone()));
            }
            Ok(crate::keyset!(q, cursor, s::id, desc).load::<Raw>(&mut *conn)?)
        },
    )?;
    let numbers: Vec<String> = page.items.iter().map(|r| r.1.clone()).collect();
    let tries = tried_by(conn, application, &numbers)?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(|r| SerialRow {
                tried_by: tries.get(&r.1).copied().unwrap_or(0),
                id: r.0,
                serial: r.1,
                source: r.2,
                created_at: r.3,
                redeemed_at: r.4,
                org_name: r.5,
                corp_id: r.6,
            })
            .collect(),
        prev: page.prev,
        next: page.next,
    })
}

/// The whole list as CSV (number, source, created, organisation, CorpID, redeemed, tried
/// by), read in keyset batches; `header` and `source` are the page language's words.
pub(crate) fn export_csv(
    conn: &mut Conn,
    application: i64,
    header: &[String],
    source: impl Fn(&SerialRow) -> String,
) -> AppResult<Vec<u8>> {
    use crate::tools::csv::csv_cell;
    let mut out = String::from("\u{feff}");
    out.push_str(
        &header
            .iter()
            .map(|h| csv_cell(h))
            .collect::<Vec<_>>()
            .join(","),
    );
    out.push_str("\r\n");
    let mut cursor = Cursor::First;
    loop {
        let page = list(conn, application, false, cursor)?;
        for r in &page.items {
            let cells = [
                r.serial.clone(),
                source(r),
                crate::web::format_time(r.created_at),
                r.org_name.clone().unwrap_or_default(),
                r.corp_id.clone().unwrap_or_default(),
                r.redeemed_at
                    .map(crate::web::format_time)
                    .unwrap_or_default(),
                r.tried_by.to_string(),
            ];
            out.push_str(
                &cells
                    .iter()
                    .map(|c| csv_cell(c))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push_str("\r\n");
        }
        match page.next {
            Some(n) => cursor = Cursor::After(n),
            None => break,
        }
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_number_is_four_groups_of_four_unambiguous_characters() {
        let n = new_serial();
        assert_eq!(n.len(), 19);
        for (i, part) in n.split('-').enumerate() {
            assert!(i < 4);
            assert_eq!(part.len(), 4);
            assert!(part.bytes().all(|b| ALPHABET.contains(&b)), "{n}");
        }
        assert!(well_formed(&n));
        assert!(!n.contains(['I', 'O', '0', '1']));
    }

    #[test]
    fn a_generation_asks_for_one_to_a_thousand_numbers() {
        assert_eq!(parse_count("1"), Ok(1));
        assert_eq!(parse_count(" 1000 "), Ok(1000));
        assert!(parse_count("0").is_err());
        assert!(parse_count("1001").is_err());
        assert!(parse_count("ten").is_err());
    }

    #[test]
    fn an_uploaded_line_is_refused_for_its_shape_or_for_repeating_an_earlier_one() {
        let (ok, refused) = parse_lines("\u{feff}ABC-123\n\nabc\"x\nABC-123\n\"XYZ789\",note\n");
        assert_eq!(
            ok,
            vec![(1, "ABC-123".to_string()), (5, "XYZ789".to_string())]
        );
        assert_eq!(
            refused.iter().map(|r| (r.line, r.why)).collect::<Vec<_>>(),
            vec![
                (3, LineRefusal::Malformed),
                (4, LineRefusal::DuplicateInFile)
            ]
        );
        assert!(!well_formed("ABCDE"));
        assert!(well_formed(&"A".repeat(64)));
        assert!(!well_formed(&"A".repeat(65)));
        assert!(!well_formed("ABC 123"));
    }
}
