//! Figures the suite reports: `FIGURE: name = value` lines written to stderr directly, so
//! they show in every run (libtest captures `eprintln!` of passing tests), and the size
//! switch for the heavy repetitions (`FENFA_SLOW_TESTS=1`, turned on by `.ci/run`).

use std::io::Write;

/// Prints one figure line, e.g. `FIGURE: permission matrix unexpected allows = 0 (goal 0)`.
pub fn figure(name: &str, value: impl std::fmt::Display) {
    let _ = writeln!(std::io::stderr(), "FIGURE: {name} = {value}");
}

/// Whether the slow, full-size repetitions run (`FENFA_SLOW_TESTS=1`).
pub fn slow() -> bool {
    std::env::var("FENFA_SLOW_TESTS").is_ok_and(|v| v == "1")
}

/// `full` when the slow tests are on, `quick` otherwise.
pub fn size(full: usize, quick: usize) -> usize {
    if slow() { full } else { quick }
}
