//! The chart: the cost of a copy per byte against its size, as SVG text written by hand.
//!
//! Four series (`copy_from_user` and `copy_to_user` with PAN on, `copy_from_user` with PAN
//! off, and the kernel's `memcpy`) are drawn over a log2 size axis and a log10
//! instructions-per-byte axis. Lines that coincide, such as PAN on and off when the window
//! costs nothing measurable, must stay visible, so each series has its own colour, dash
//! pattern and marker shape (filled or hollow, nested by size), and the legend names the
//! series another one overlaps. Every coordinate is printed with one decimal, so the same
//! input always gives the same bytes.

use std::fmt::Write;

use crate::metrics::{COPY_SIZES, CopyCosts, Metrics};
use crate::scale::{self, LogScale, Tick};

/// The canvas width, in pixels.
const WIDTH: f64 = 800.0;
/// The canvas height, in pixels.
const HEIGHT: f64 = 460.0;
/// The plot area's left edge.
const PLOT_LEFT: f64 = 80.0;
/// The plot area's right edge.
const PLOT_RIGHT: f64 = 520.0;
/// The plot area's top edge.
const PLOT_TOP: f64 = 60.0;
/// The plot area's bottom edge.
const PLOT_BOTTOM: f64 = 380.0;
/// How far inside the plot area the smallest and largest sizes sit, so their markers clear
/// the frame.
const X_INSET: f64 = 20.0;
/// Where the legend starts.
const LEGEND_LEFT: f64 = 545.0;
/// The vertical distance between two legend entries.
const LEGEND_SPACING: f64 = 36.0;
/// The length of a tick mark.
const TICK_LENGTH: f64 = 5.0;
/// The sizes labelled on the x axis (every power of two between gets an unlabelled tick).
const LABELLED_SIZES: [u32; 5] = [8, 64, 512, 4096, 65536];

/// How a series marks its measured points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    /// A small filled circle.
    Circle,
    /// A hollow square, larger than the circle.
    Square,
    /// A hollow triangle, larger than the square.
    Triangle,
    /// A filled diamond.
    Diamond,
}

/// One line of the chart: how it looks and which count of a [`CopyCosts`] it plots.
struct SeriesStyle {
    /// The legend's name for it.
    label: &'static str,
    /// Its colour.
    colour: &'static str,
    /// Its `stroke-dasharray`, or `None` for a solid line.
    dashes: Option<&'static str>,
    /// Its marker shape.
    marker: Marker,
    /// Which count it plots.
    count: fn(&CopyCosts) -> Option<u64>,
}

/// The series, in legend and drawing order; later ones are drawn on top, so the hollow
/// markers come after the filled one they may surround.
const SERIES: [SeriesStyle; 4] = [
    SeriesStyle {
        label: "copy_from_user (pan on)",
        colour: "#1f77b4",
        dashes: None,
        marker: Marker::Circle,
        count: |copies| copies.copy_from_user,
    },
    SeriesStyle {
        label: "copy_to_user (pan on)",
        colour: "#d62728",
        dashes: Some("8 4"),
        marker: Marker::Square,
        count: |copies| copies.copy_to_user,
    },
    SeriesStyle {
        label: "copy_from_user (pan off)",
        colour: "#2ca02c",
        dashes: Some("2 3"),
        marker: Marker::Triangle,
        count: |copies| copies.copy_from_user_pan_off,
    },
    SeriesStyle {
        label: "memcpy",
        colour: "#555555",
        dashes: Some("10 3 2 3"),
        marker: Marker::Diamond,
        count: |copies| copies.memcpy,
    },
];

/// One measured point: a copy size and its instruction count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Point {
    /// The size copied, in bytes.
    size: u32,
    /// The instructions the copy took.
    instructions: u64,
}

impl Point {
    /// Instructions per byte copied.
    fn per_byte(self) -> f64 {
        // Counts stay far below 2^53, where u64 to f64 is exact.
        self.instructions as f64 / f64::from(self.size)
    }
}

/// The measured points of a series; counts of zero are left out, as a log axis cannot show
/// them.
fn points(metrics: &Metrics, style: &SeriesStyle) -> Vec<Point> {
    metrics
        .copies
        .iter()
        .filter(|copies| copies.size > 0)
        .filter_map(|copies| {
            let instructions = (style.count)(copies).filter(|count| *count > 0)?;
            Some(Point { size: copies.size, instructions })
        })
        .collect()
}

/// The chart of one run, as a complete SVG document.
pub fn chart(metrics: &Metrics) -> String {
    let series: Vec<Vec<Point>> = SERIES.iter().map(|style| points(metrics, style)).collect();
    let per_byte: Vec<f64> = series.iter().flatten().map(|point| point.per_byte()).collect();
    let (low_exponent, high_exponent) = scale::decade_range(&per_byte);
    let smallest_size = COPY_SIZES.iter().copied().min().unwrap_or(1);
    let largest_size = COPY_SIZES.iter().copied().max().unwrap_or(2);
    let x = LogScale::new(
        f64::from(smallest_size),
        f64::from(largest_size),
        PLOT_LEFT + X_INSET,
        PLOT_RIGHT - X_INSET,
    );
    let y =
        LogScale::new(10_f64.powi(low_exponent), 10_f64.powi(high_exponent), PLOT_BOTTOM, PLOT_TOP);

    let mut svg = String::new();
    // Writing to a String cannot fail, here and below.
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{HEIGHT:.0}" viewBox="0 0 {WIDTH:.0} {HEIGHT:.0}" font-family="sans-serif">"#
    );
    svg.push_str("<title>swpan: copy cost per byte against copy size</title>\n");
    let _ = writeln!(svg, r#"<rect width="{WIDTH:.0}" height="{HEIGHT:.0}" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="30.0" font-size="16" text-anchor="middle">Copy cost per byte against copy size</text>"#,
        WIDTH / 2.0
    );
    x_axis(&mut svg, &x, &scale::octave_ticks(smallest_size, largest_size, &LABELLED_SIZES));
    y_axis(&mut svg, &y, &scale::decade_ticks(low_exponent, high_exponent));
    for (style, points) in SERIES.iter().zip(&series) {
        draw_series(&mut svg, style, points, &x, &y);
    }
    legend(&mut svg, &series);
    svg.push_str("</svg>\n");
    svg
}

/// The x axis: its line, a tick per octave with grid lines at the labelled ones, and its title.
fn x_axis(svg: &mut String, x: &LogScale, ticks: &[Tick]) {
    for tick in ticks {
        let position = x.position(tick.value);
        let length = if tick.label.is_some() { TICK_LENGTH } else { TICK_LENGTH / 2.0 };
        if let Some(label) = &tick.label {
            let _ = writeln!(
                svg,
                r##"<line x1="{position:.1}" y1="{PLOT_TOP:.1}" x2="{position:.1}" y2="{PLOT_BOTTOM:.1}" stroke="#e0e0e0"/>"##
            );
            let _ = writeln!(
                svg,
                r#"<text x="{position:.1}" y="{:.1}" font-size="12" text-anchor="middle">{label}</text>"#,
                PLOT_BOTTOM + TICK_LENGTH + 14.0
            );
        }
        let _ = writeln!(
            svg,
            r#"<line x1="{position:.1}" y1="{PLOT_BOTTOM:.1}" x2="{position:.1}" y2="{:.1}" stroke="black"/>"#,
            PLOT_BOTTOM + length
        );
    }
    let _ = writeln!(
        svg,
        r#"<line x1="{PLOT_LEFT:.1}" y1="{PLOT_BOTTOM:.1}" x2="{PLOT_RIGHT:.1}" y2="{PLOT_BOTTOM:.1}" stroke="black"/>"#
    );
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" font-size="13" text-anchor="middle">copy size (bytes, log2 scale)</text>"#,
        (PLOT_LEFT + PLOT_RIGHT) / 2.0,
        PLOT_BOTTOM + 50.0
    );
}

/// The y axis: its line, the decade ticks with grid lines at the labelled ones, and its title.
fn y_axis(svg: &mut String, y: &LogScale, ticks: &[Tick]) {
    for tick in ticks {
        let position = y.position(tick.value);
        let length = if tick.label.is_some() { TICK_LENGTH } else { TICK_LENGTH / 2.0 };
        if let Some(label) = &tick.label {
            let _ = writeln!(
                svg,
                r##"<line x1="{PLOT_LEFT:.1}" y1="{position:.1}" x2="{PLOT_RIGHT:.1}" y2="{position:.1}" stroke="#e0e0e0"/>"##
            );
            let _ = writeln!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="end">{label}</text>"#,
                PLOT_LEFT - TICK_LENGTH - 4.0,
                position + 4.0
            );
        }
        let _ = writeln!(
            svg,
            r#"<line x1="{:.1}" y1="{position:.1}" x2="{PLOT_LEFT:.1}" y2="{position:.1}" stroke="black"/>"#,
            PLOT_LEFT - length
        );
    }
    let _ = writeln!(
        svg,
        r#"<line x1="{PLOT_LEFT:.1}" y1="{PLOT_TOP:.1}" x2="{PLOT_LEFT:.1}" y2="{PLOT_BOTTOM:.1}" stroke="black"/>"#
    );
    let middle = (PLOT_TOP + PLOT_BOTTOM) / 2.0;
    let _ = writeln!(
        svg,
        r#"<text x="24.0" y="{middle:.1}" font-size="13" text-anchor="middle" transform="rotate(-90 24.0 {middle:.1})">instructions per byte (log scale)</text>"#
    );
}

/// The `stroke-dasharray` attribute of a style, or nothing for a solid line.
fn dash_attribute(style: &SeriesStyle) -> String {
    style.dashes.map(|dashes| format!(r#" stroke-dasharray="{dashes}""#)).unwrap_or_default()
}

/// One series: a polyline through its points, then a marker on each.
fn draw_series(
    svg: &mut String,
    style: &SeriesStyle,
    points: &[Point],
    x: &LogScale,
    y: &LogScale,
) {
    if points.is_empty() {
        return;
    }
    let coordinates: Vec<String> = points
        .iter()
        .map(|point| {
            format!("{:.1},{:.1}", x.position(f64::from(point.size)), y.position(point.per_byte()))
        })
        .collect();
    let _ = writeln!(
        svg,
        r#"<polyline fill="none" stroke="{}" stroke-width="2"{} points="{}"/>"#,
        style.colour,
        dash_attribute(style),
        coordinates.join(" ")
    );
    for point in points {
        marker(svg, style, x.position(f64::from(point.size)), y.position(point.per_byte()));
    }
}

/// A marker of the style's shape centred on (`x`, `y`).
fn marker(svg: &mut String, style: &SeriesStyle, x: f64, y: f64) {
    let colour = style.colour;
    let _ = match style.marker {
        Marker::Circle => {
            writeln!(svg, r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{colour}"/>"#)
        }
        Marker::Square => writeln!(
            svg,
            r#"<rect x="{:.1}" y="{:.1}" width="10.0" height="10.0" fill="none" stroke="{colour}" stroke-width="1.5"/>"#,
            x - 5.0,
            y - 5.0
        ),
        Marker::Triangle => writeln!(
            svg,
            r#"<polygon points="{x:.1},{:.1} {:.1},{:.1} {:.1},{:.1}" fill="none" stroke="{colour}" stroke-width="1.5"/>"#,
            y - 10.0,
            x - 9.0,
            y + 6.0,
            x + 9.0,
            y + 6.0
        ),
        Marker::Diamond => writeln!(
            svg,
            r#"<polygon points="{x:.1},{:.1} {:.1},{y:.1} {x:.1},{:.1} {:.1},{y:.1}" fill="{colour}"/>"#,
            y - 5.0,
            x + 5.0,
            y + 5.0,
            x - 5.0
        ),
    };
}

/// The legend: a sample of each line with its marker and name, and under it which earlier
/// series it overlaps, or that it was not measured.
fn legend(svg: &mut String, series: &[Vec<Point>]) {
    for (index, (style, points)) in SERIES.iter().zip(series).enumerate() {
        let top = PLOT_TOP + 10.0 + LEGEND_SPACING * index as f64;
        let _ = writeln!(
            svg,
            r#"<line x1="{LEGEND_LEFT:.1}" y1="{top:.1}" x2="{:.1}" y2="{top:.1}" stroke="{}" stroke-width="2"{}/>"#,
            LEGEND_LEFT + 40.0,
            style.colour,
            dash_attribute(style)
        );
        marker(svg, style, LEGEND_LEFT + 20.0, top);
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="12">{}</text>"#,
            LEGEND_LEFT + 50.0,
            top + 4.0,
            style.label
        );
        let note = if points.is_empty() {
            Some("not measured".to_owned())
        } else {
            series[..index]
                .iter()
                .position(|earlier| earlier == points)
                .map(|earlier| format!("overlaps {}", SERIES[earlier].label))
        };
        if let Some(note) = note {
            let _ = writeln!(
                svg,
                r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#555555">{note}</text>"##,
                LEGEND_LEFT + 50.0,
                top + 17.0
            );
        }
    }
}
