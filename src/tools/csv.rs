//! CSV exports that a spreadsheet opens safely.

/// A spreadsheet would run a cell starting with `= + - @` (or a tab or carriage return)
/// as a formula; a leading apostrophe makes it text.
pub fn csv_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::csv_cell;

    #[test]
    fn csv_cells_that_a_spreadsheet_would_run_become_text() {
        assert_eq!(csv_cell("=1+1"), "'=1+1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("+86"), "'+86");
        assert_eq!(csv_cell("-5"), "'-5");
        assert_eq!(csv_cell("采购"), "采购");
    }
}
