//! The chart drawing's geometry, escaping, empty states and colours.

use super::*;

fn periods(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("W{i}")).collect()
}

/// Every `<rect …>` of the plot (not the legend's 12×12 swatches) as (x, y, w, h).
fn bars(svg: &str) -> Vec<(f64, f64, f64, f64)> {
    svg.split("<rect ")
        .skip(1)
        .map(|r| format!(" {r}"))
        .filter_map(|r| {
            let attr = |name: &str| -> Option<f64> {
                let start = r.find(&format!(" {name}=\"")).map(|i| i + name.len() + 3)?;
                let rest = &r[start..];
                rest[..rest.find('"')?].parse().ok()
            };
            let b = (attr("x")?, attr("y")?, attr("width")?, attr("height")?);
            (b.2 != 12.0 || b.3 != 12.0).then_some(b)
        })
        .collect()
}

#[test]
fn the_axis_tops_at_a_round_figure_in_at_most_four_steps() {
    assert_eq!(axis(0), None);
    assert_eq!(axis(-3), None);
    assert_eq!(axis(1), Some((1, 1)));
    assert_eq!(axis(3), Some((3, 1)));
    assert_eq!(axis(7), Some((8, 2)));
    assert_eq!(axis(17), Some((20, 5)));
    assert_eq!(axis(340), Some((400, 100)));
    assert_eq!(axis(1_000_001), Some((1_500_000, 500_000)));
    assert!(axis(i64::MAX / 2).is_some());
}

#[test]
fn stacked_bars_are_as_tall_as_their_sum_and_side_by_side_bars_do_not_overlap() {
    let p = periods(2);
    let orders = [4, 0];
    let sent = [3, 0];
    let unsent = [1, 2];
    let svg = bar_chart(&Bars {
        summary: "s",
        periods: &p,
        series: &[
            BarSeries {
                label: "orders",
                bar: 0,
                values: &orders,
            },
            BarSeries {
                label: "sent",
                bar: 1,
                values: &sent,
            },
            BarSeries {
                label: "not sent",
                bar: 1,
                values: &unsent,
            },
        ],
        empty: "none",
    });
    let b = bars(&svg);
    // Zero values draw nothing: orders 4, sent 3, not sent 1 (week 0), not sent 2.
    assert_eq!(b.len(), 4, "{svg}");
    let unit = (Y1 - Y0) / 4.0; // axis top 4
    let (o, s, u) = (b[0], b[1], b[2]);
    assert!((o.3 - 4.0 * unit).abs() < 0.2, "orders bar height");
    assert!((o.1 + o.3 - Y1).abs() < 0.2, "bars stand on the baseline");
    assert!((s.3 - 3.0 * unit).abs() < 0.2 && (u.3 - unit).abs() < 0.2);
    // Not sent sits on top of sent.
    assert!((u.1 + u.3 - s.1).abs() < 0.2);
    // The second bar starts right of the first.
    assert!(s.0 >= o.0 + o.2);
    // Week 1's bar is in the second half of the plot.
    assert!(b[3].0 > (X0 + X1) / 2.0);
    for (x, y, w, h) in b {
        assert!(x >= X0 && x + w <= X1 && y >= Y0 - 0.1 && y + h <= Y1 + 0.1);
    }
    // Three ticks of the y axis' five (0..4) and every period labelled.
    assert!(svg.contains(">4</text>") && svg.contains(">0</text>"));
    assert!(svg.contains(">W0</text>") && svg.contains(">W1</text>"));
}

#[test]
fn lines_run_from_the_first_to_the_last_point_and_scale_to_the_axis() {
    let p = periods(30);
    let a: Vec<i64> = (0..30).collect();
    let svg = line_chart(&Lines {
        summary: "s",
        points: &p,
        series: &[LineSeries {
            label: "a",
            values: &a,
        }],
        empty: "none",
        label_every: 7,
    });
    let pts = svg
        .split("points=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap_or_default();
    let pts: Vec<&str> = pts.split(' ').collect();
    assert_eq!(pts.len(), 30);
    assert_eq!(pts[0], format!("{X0:.1},{Y1:.1}"));
    // 29 on an axis topped at 30 (three steps of 10).
    let last_y = Y1 - 29.0 * (Y1 - Y0) / 30.0;
    assert_eq!(pts[29], format!("{X1:.1},{last_y:.1}"));
    assert!(svg.contains(">W0</text>") && svg.contains(">W7</text>"));
    assert!(svg.contains(">W29</text>") && !svg.contains(">W3</text>"));
    // The last label ends at the plot's edge instead of running out of the viewBox.
    assert!(svg.contains(r##"text-anchor="end" fill="#333333">W29<"##));
}

#[test]
fn user_text_is_escaped_everywhere() {
    let evil = r#"<script>alert("x")</script>&'"#;
    let p = vec![evil.to_string()];
    let v = [5];
    let bars_svg = bar_chart(&Bars {
        summary: evil,
        periods: &p,
        series: &[BarSeries {
            label: evil,
            bar: 0,
            values: &v,
        }],
        empty: evil,
    });
    let lines_svg = line_chart(&Lines {
        summary: evil,
        points: &p,
        series: &[LineSeries {
            label: evil,
            values: &v,
        }],
        empty: evil,
        label_every: 1,
    });
    let empty_svg = line_chart(&Lines {
        summary: evil,
        points: &p,
        series: &[],
        empty: evil,
        label_every: 1,
    });
    for svg in [bars_svg, lines_svg, empty_svg] {
        assert!(!svg.contains("<script"), "{svg}");
        assert!(!svg.contains(r#"alert("x")"#), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(&quot;x&quot;)"), "{svg}");
        assert!(svg.contains(r#"role="img""#) && svg.contains("<title>&lt;script"));
    }
}

#[test]
fn nothing_to_draw_is_an_empty_state_not_a_division_by_zero() {
    let p = periods(12);
    let zeros = [0; 12];
    let all_zero = bar_chart(&Bars {
        summary: "12 周内共 0 个订单",
        periods: &p,
        series: &[BarSeries {
            label: "orders",
            bar: 0,
            values: &zeros,
        }],
        empty: "暂无订单",
    });
    assert!(all_zero.contains("暂无订单") && !all_zero.contains("NaN"));
    assert!(all_zero.contains(r#"aria-label="12 周内共 0 个订单""#));
    let no_periods = bar_chart(&Bars {
        summary: "s",
        periods: &[],
        series: &[],
        empty: "none",
    });
    assert!(no_periods.contains(">none</text>"));
    let no_points = line_chart(&Lines {
        summary: "s",
        points: &[],
        series: &[LineSeries {
            label: "a",
            values: &[3],
        }],
        empty: "none",
        label_every: 0,
    });
    assert!(no_points.contains(">none</text>") && !no_points.contains("NaN"));
    // One point is drawn in the middle, not divided by n − 1 = 0.
    let one = line_chart(&Lines {
        summary: "s",
        points: &periods(1),
        series: &[LineSeries {
            label: "a",
            values: &[3],
        }],
        empty: "none",
        label_every: 0,
    });
    assert!(
        one.contains(&format!("{:.1},{Y0:.1}", (X0 + X1) / 2.0)),
        "{one}"
    );
    assert!(!one.contains("NaN") && !one.contains("inf"));
}

#[test]
fn long_legend_labels_are_cut_and_the_legend_keeps_to_two_rows() {
    let p = periods(3);
    let v = [1, 2, 3];
    let names: Vec<String> = (0..8)
        .map(|i| format!("一家名字很长很长很长的公司第{i}号"))
        .collect();
    let series: Vec<LineSeries<'_>> = names
        .iter()
        .map(|n| LineSeries {
            label: n,
            values: &v,
        })
        .collect();
    let svg = line_chart(&Lines {
        summary: "s",
        points: &p,
        series: &series,
        empty: "none",
        label_every: 1,
    });
    assert!(svg.contains(">一家名字很长很长很长的公司…</text>"));
    assert!(!svg.contains("号</text>"));
    for y in svg
        .split(" y=\"")
        .skip(1)
        .filter_map(|r| r.split('"').next())
    {
        let y: f64 = y.parse().unwrap_or(0.0);
        assert!(y <= H, "nothing below the viewBox: {y}");
    }
}

fn luminance(hex: &str) -> f64 {
    let c = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(255)) / 255.0;
        if v <= 0.03928 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * c(1) + 0.7152 * c(3) + 0.0722 * c(5)
}

#[test]
fn every_colour_has_a_contrast_of_at_least_4_5_against_white() {
    for c in PALETTE.iter().chain([&TEXT, &AXIS]) {
        let ratio = 1.05 / (luminance(c) + 0.05);
        assert!(ratio >= 4.5, "{c}: {ratio:.2}");
    }
}
