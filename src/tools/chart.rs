//! Small charts as inline SVG, rendered on the server from figures the caller has already
//! counted: a bar chart (one group per period, side-by-side bars, each bar a stack of
//! series) and a line chart (one line per series). No JavaScript, no stylesheet needed
//! (presentation attributes pass the strict CSP), a fixed viewBox that scales with its
//! container. Every text is escaped here (legend labels are organisation names), and the
//! chart is one image for assistive technology: `role="img"` named by the caller's
//! summary in words, with a `<title>` for the tooltip. The caller translates every text.

use std::fmt::Write;

/// Width and height of every chart's viewBox.
const W: f64 = 640.0;
const H: f64 = 270.0;
/// The plot area.
const X0: f64 = 48.0;
const X1: f64 = 628.0;
const Y0: f64 = 14.0;
const Y1: f64 = 196.0;
/// Where the x labels and the legend rows sit.
const X_LABEL_Y: f64 = 212.0;
const LEGEND_Y: [f64; 2] = [238.0, 258.0];
/// Legend labels longer than this are cut (the summary and the page keep the full name).
const LEGEND_CHARS: usize = 14;

/// Series colours, each at least 4.5:1 against white (checked by a test), so that bars,
/// lines and legend swatches stand out for people with low vision.
pub const PALETTE: [&str; 8] = [
    "#1f5fa8", "#2e7d32", "#b45309", "#7b1fa2", "#c62828", "#00695c", "#5d4037", "#455a64",
];
/// Dash patterns of the line chart, so that lines differ by more than colour.
const DASHES: [&str; 6] = ["", "6 3", "2 3", "8 3 2 3", "12 4", "4 2 1 2"];
const TEXT: &str = "#333333";
const AXIS: &str = "#767676";
const GRID: &str = "#dddddd";

/// One series of a bar chart: series with the same `bar` stack on one another (in the
/// order given); different `bar`s stand side by side within a period.
#[derive(Clone, Debug)]
pub struct BarSeries<'a> {
    pub label: &'a str,
    pub bar: usize,
    /// One value per period (missing values count as 0).
    pub values: &'a [i64],
}

/// A bar chart: one group of bars per entry of `periods`.
#[derive(Clone, Debug)]
pub struct Bars<'a> {
    /// The chart in words (its accessible name), e.g. "12 周内共 340 个订单，已发送 300 个应用".
    pub summary: &'a str,
    /// The label of each period on the x axis.
    pub periods: &'a [String],
    pub series: &'a [BarSeries<'a>],
    /// What the chart says when there is nothing to draw.
    pub empty: &'a str,
}

/// One line of a line chart.
#[derive(Clone, Debug)]
pub struct LineSeries<'a> {
    pub label: &'a str,
    /// One value per point (missing values count as 0).
    pub values: &'a [i64],
}

/// A line chart: one line per series over the points labelled by `points`.
#[derive(Clone, Debug)]
pub struct Lines<'a> {
    pub summary: &'a str,
    pub points: &'a [String],
    pub series: &'a [LineSeries<'a>],
    pub empty: &'a str,
    /// Label every n-th point on the x axis (the last point is always labelled).
    pub label_every: usize,
}

/// Text escaped for SVG/HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The y axis: a round top at or above `max` and its tick step (at most four steps of
/// 1, 2 or 5 times a power of ten). `None` when there is nothing above zero to draw.
pub fn axis(max: i64) -> Option<(i64, i64)> {
    if max <= 0 {
        return None;
    }
    let mut magnitude = 1i64;
    loop {
        for m in [1, 2, 5] {
            let step = m * magnitude;
            let steps = (max + step - 1) / step;
            if steps <= 4 {
                return Some((steps * step, step));
            }
        }
        magnitude = magnitude.saturating_mul(10);
    }
}

/// The y coordinate of `v` on an axis topped at `top` (> 0).
fn y_of(v: i64, top: i64) -> f64 {
    Y1 - (v as f64) * (Y1 - Y0) / (top as f64)
}

fn value(values: &[i64], i: usize) -> i64 {
    values.get(i).copied().unwrap_or(0).max(0)
}

fn open(out: &mut String, summary: &str) {
    let s = escape(summary);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="{s}" viewBox="0 0 {W} {H}" preserveAspectRatio="xMidYMid meet" font-family="sans-serif" font-size="11"><title>{s}</title>"#
    );
}

fn empty_state(summary: &str, empty: &str) -> String {
    let mut out = String::new();
    open(&mut out, summary);
    let _ = write!(
        out,
        r#"<rect x="{X0}" y="{Y0}" width="{w}" height="{h}" fill="none" stroke="{GRID}"/><text x="{cx}" y="{cy}" text-anchor="middle" fill="{TEXT}">{t}</text></svg>"#,
        w = X1 - X0,
        h = Y1 - Y0,
        cx = (X0 + X1) / 2.0,
        cy = (Y0 + Y1) / 2.0,
        t = escape(empty),
    );
    out
}

/// Grid lines and tick labels of the y axis, and the baseline.
fn y_axis(out: &mut String, top: i64, step: i64) {
    let mut v = 0;
    while v <= top {
        let y = y_of(v, top);
        let _ = write!(
            out,
            r#"<line x1="{X0}" x2="{X1}" y1="{y:.1}" y2="{y:.1}" stroke="{GRID}"/><text x="{x}" y="{ty:.1}" text-anchor="end" fill="{TEXT}">{v}</text>"#,
            x = X0 - 6.0,
            ty = y + 4.0,
        );
        v += step;
    }
    let _ = write!(
        out,
        r#"<line x1="{X0}" x2="{X1}" y1="{Y1}" y2="{Y1}" stroke="{AXIS}"/><line x1="{X0}" x2="{X0}" y1="{Y0}" y2="{Y1}" stroke="{AXIS}"/>"#
    );
}

/// A label under the x axis, centred on `x`; at the right edge it ends there instead, so
/// that it stays inside the viewBox.
fn x_label(out: &mut String, x: f64, label: &str) {
    let anchor = if x > X1 - 20.0 { "end" } else { "middle" };
    let _ = write!(
        out,
        r#"<text x="{x:.1}" y="{X_LABEL_Y}" text-anchor="{anchor}" fill="{TEXT}">{t}</text>"#,
        t = escape(label)
    );
}

/// A label cut to [`LEGEND_CHARS`] characters.
fn short(label: &str) -> String {
    if label.chars().count() > LEGEND_CHARS {
        let mut s: String = label.chars().take(LEGEND_CHARS - 1).collect();
        s.push('…');
        s
    } else {
        label.to_string()
    }
}

/// Rough width of a label at 11px: CJK and other wide characters count double.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 6.5 } else { 11.5 })
        .sum()
}

/// The legend: a swatch (a square, or a line with its dash) and the label per series,
/// in at most two rows; what does not fit is left to the summary.
fn legend(out: &mut String, items: &[(&str, usize, Option<&str>)]) {
    let mut x = X0;
    let mut row = 0;
    for (label, colour, dash) in items {
        let text = short(label);
        let width = 22.0 + text_width(&text) + 18.0;
        if x + width > W && x > X0 {
            row += 1;
            x = X0;
        }
        let Some(y) = LEGEND_Y.get(row).copied() else {
            break;
        };
        let c = PALETTE[colour % PALETTE.len()];
        match dash {
            Some(d) => {
                let _ = write!(
                    out,
                    r#"<line x1="{x}" x2="{x2}" y1="{ly}" y2="{ly}" stroke="{c}" stroke-width="2.5" stroke-dasharray="{d}"/>"#,
                    x2 = x + 16.0,
                    ly = y - 4.0,
                );
            }
            None => {
                let _ = write!(
                    out,
                    r#"<rect x="{x}" y="{ry}" width="12" height="12" fill="{c}"/>"#,
                    ry = y - 10.0,
                );
            }
        }
        let _ = write!(
            out,
            r#"<text x="{tx}" y="{y}" fill="{TEXT}">{t}</text>"#,
            tx = x + 22.0,
            t = escape(&text),
        );
        x += width;
    }
}

/// A bar chart as inline SVG; the empty state when every value is zero.
pub fn bar_chart(c: &Bars<'_>) -> String {
    let n = c.periods.len();
    let bars = c.series.iter().map(|s| s.bar + 1).max().unwrap_or(0);
    // The highest stack decides the axis.
    let max = (0..n)
        .flat_map(|i| {
            (0..bars).map(move |b| {
                c.series
                    .iter()
                    .filter(|s| s.bar == b)
                    .map(|s| value(s.values, i))
                    .sum::<i64>()
            })
        })
        .max()
        .unwrap_or(0);
    let Some((top, step)) = axis(max).filter(|_| n > 0 && bars > 0) else {
        return empty_state(c.summary, c.empty);
    };
    let mut out = String::with_capacity(4096);
    open(&mut out, c.summary);
    y_axis(&mut out, top, step);
    let group = (X1 - X0) / n as f64;
    let width = group * 0.8 / bars as f64;
    for i in 0..n {
        let gx = X0 + group * i as f64 + group * 0.1;
        for b in 0..bars {
            let x = gx + width * b as f64;
            let mut base = 0i64;
            for (k, s) in c.series.iter().enumerate().filter(|(_, s)| s.bar == b) {
                let v = value(s.values, i);
                if v == 0 {
                    continue;
                }
                let (y_top, y_bottom) = (y_of(base + v, top), y_of(base, top));
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{y_top:.1}" width="{w:.1}" height="{h:.1}" fill="{f}"/>"#,
                    w = (width - 1.0).max(1.0),
                    h = y_bottom - y_top,
                    f = PALETTE[k % PALETTE.len()],
                );
                base += v;
            }
        }
        x_label(&mut out, X0 + group * (i as f64 + 0.5), &c.periods[i]);
    }
    let items: Vec<(&str, usize, Option<&str>)> = c
        .series
        .iter()
        .enumerate()
        .map(|(k, s)| (s.label, k, None))
        .collect();
    legend(&mut out, &items);
    out.push_str("</svg>");
    out
}

/// A line chart as inline SVG; the empty state when there are no series or points, or
/// every value is zero.
pub fn line_chart(c: &Lines<'_>) -> String {
    let n = c.points.len();
    let max = c
        .series
        .iter()
        .flat_map(|s| (0..n).map(|i| value(s.values, i)))
        .max()
        .unwrap_or(0);
    let Some((top, step)) = axis(max).filter(|_| n > 0) else {
        return empty_state(c.summary, c.empty);
    };
    let mut out = String::with_capacity(4096);
    open(&mut out, c.summary);
    y_axis(&mut out, top, step);
    let x_of = |i: usize| {
        if n == 1 {
            (X0 + X1) / 2.0
        } else {
            X0 + (X1 - X0) * i as f64 / (n - 1) as f64
        }
    };
    let every = c.label_every.max(1);
    for (i, label) in c.points.iter().enumerate() {
        if (i % every == 0 && i + every / 2 < n) || i + 1 == n {
            x_label(&mut out, x_of(i), label);
        }
    }
    for (k, s) in c.series.iter().enumerate() {
        let colour = PALETTE[k % PALETTE.len()];
        let dash = DASHES[k % DASHES.len()];
        let mut points = String::new();
        for i in 0..n {
            let _ = write!(
                points,
                "{}{:.1},{:.1}",
                if i == 0 { "" } else { " " },
                x_of(i),
                y_of(value(s.values, i), top)
            );
        }
        let _ = write!(
            out,
            r#"<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-linejoin="round""#
        );
        if !dash.is_empty() {
            let _ = write!(out, r#" stroke-dasharray="{dash}""#);
        }
        out.push_str("/>");
        let _ = write!(
            out,
            r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="3" fill="{colour}"/>"#,
            cx = x_of(n - 1),
            cy = y_of(value(s.values, n - 1), top),
        );
    }
    let items: Vec<(&str, usize, Option<&str>)> = c
        .series
        .iter()
        .enumerate()
        .map(|(k, s)| (s.label, k, Some(DASHES[k % DASHES.len()])))
        .collect();
    legend(&mut out, &items);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests;
