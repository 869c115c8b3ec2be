//! The chart: the cost of a copy per byte against its size, as SVG text written by hand.
//!
//! Four series (`copy_from_user` and `copy_to_user` with PAN on, `copy_from_user` with PAN
//! off, and the kernel's `memcpy`) are drawn over a log2 size axis and a log10
//! instructions-per-byte axis. Lines that coincide, such as PAN on and off when the window
//! costs nothing measurable, must stay visible, so each series has its own colour, dash
//! pattern and marker shape (filled or hollow, nested by size), and the legend names the
//! series another one overlaps. Every coordinate is printed with one decimal by the shared
//! writer ([`crate::svg`]), so the same input always gives the same bytes.

use super::metrics::{COPY_SIZES, CopyCosts, Metrics};
use super::scale::{self, LogScale, Tick};
use crate::svg::{Anchor, Svg, Text};

/// The canvas width, in pixels.
const WIDTH: i32 = 800;
/// The canvas height, in pixels.
const HEIGHT: i32 = 460;
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

    let mut svg = Svg::new();
    svg.text(
        &Text::plain(f64::from(WIDTH) / 2.0, 30.0, 16, "Copy cost per byte against copy size")
            .anchor(Anchor::Middle),
    );
    x_axis(&mut svg, &x, &scale::octave_ticks(smallest_size, largest_size, &LABELLED_SIZES));
    y_axis(&mut svg, &y, &scale::decade_ticks(low_exponent, high_exponent));
    for (style, points) in SERIES.iter().zip(&series) {
        draw_series(&mut svg, style, points, &x, &y);
    }
    legend(&mut svg, &series);
    svg.finish(WIDTH, HEIGHT, "swpan: copy cost per byte against copy size", "white")
}

/// The paint of a grid line.
const GRID: &str = r##"stroke="#e0e0e0""##;
/// The paint of an axis and its ticks.
const AXIS: &str = r#"stroke="black""#;

/// The x axis: its line, a tick per octave with grid lines at the labelled ones, and its title.
fn x_axis(svg: &mut Svg, x: &LogScale, ticks: &[Tick]) {
    for tick in ticks {
        let position = x.position(tick.value);
        let length = if tick.label.is_some() { TICK_LENGTH } else { TICK_LENGTH / 2.0 };
        if let Some(label) = &tick.label {
            svg.line((position, PLOT_TOP), (position, PLOT_BOTTOM), GRID);
            svg.text(
                &Text::plain(position, PLOT_BOTTOM + TICK_LENGTH + 14.0, 12, label)
                    .anchor(Anchor::Middle),
            );
        }
        svg.line((position, PLOT_BOTTOM), (position, PLOT_BOTTOM + length), AXIS);
    }
    svg.line((PLOT_LEFT, PLOT_BOTTOM), (PLOT_RIGHT, PLOT_BOTTOM), AXIS);
    svg.text(
        &Text::plain(
            (PLOT_LEFT + PLOT_RIGHT) / 2.0,
            PLOT_BOTTOM + 50.0,
            13,
            "copy size (bytes, log2 scale)",
        )
        .anchor(Anchor::Middle),
    );
}

/// The y axis: its line, the decade ticks with grid lines at the labelled ones, and its title.
fn y_axis(svg: &mut Svg, y: &LogScale, ticks: &[Tick]) {
    for tick in ticks {
        let position = y.position(tick.value);
        let length = if tick.label.is_some() { TICK_LENGTH } else { TICK_LENGTH / 2.0 };
        if let Some(label) = &tick.label {
            svg.line((PLOT_LEFT, position), (PLOT_RIGHT, position), GRID);
            svg.text(
                &Text::plain(PLOT_LEFT - TICK_LENGTH - 4.0, position + 4.0, 12, label)
                    .anchor(Anchor::End),
            );
        }
        svg.line((PLOT_LEFT - length, position), (PLOT_LEFT, position), AXIS);
    }
    svg.line((PLOT_LEFT, PLOT_TOP), (PLOT_LEFT, PLOT_BOTTOM), AXIS);
    svg.text(
        &Text::plain(24.0, (PLOT_TOP + PLOT_BOTTOM) / 2.0, 13, "instructions per byte (log scale)")
            .anchor(Anchor::Middle)
            .rotated(-90),
    );
}

/// The `stroke-dasharray` attribute of a style, or nothing for a solid line.
fn dash_attribute(style: &SeriesStyle) -> String {
    style.dashes.map(|dashes| format!(r#" stroke-dasharray="{dashes}""#)).unwrap_or_default()
}

/// One series: a polyline through its points, then a marker on each.
fn draw_series(svg: &mut Svg, style: &SeriesStyle, points: &[Point], x: &LogScale, y: &LogScale) {
    if points.is_empty() {
        return;
    }
    let coordinates: Vec<(f64, f64)> = points
        .iter()
        .map(|point| (x.position(f64::from(point.size)), y.position(point.per_byte())))
        .collect();
    svg.polyline(
        &coordinates,
        &format!(
            r#"fill="none" stroke="{}" stroke-width="2"{}"#,
            style.colour,
            dash_attribute(style)
        ),
    );
    for (x, y) in coordinates {
        marker(svg, style, x, y);
    }
}

/// A marker of the style's shape centred on (`x`, `y`).
fn marker(svg: &mut Svg, style: &SeriesStyle, x: f64, y: f64) {
    let colour = style.colour;
    let hollow = format!(r#"fill="none" stroke="{colour}" stroke-width="1.5""#);
    match style.marker {
        Marker::Circle => svg.circle(x, y, 3.5, &format!(r#"fill="{colour}""#)),
        Marker::Square => svg.rect(x - 5.0, y - 5.0, 10.0, 10.0, &hollow),
        Marker::Triangle => {
            svg.polygon(&[(x, y - 10.0), (x - 9.0, y + 6.0), (x + 9.0, y + 6.0)], &hollow);
        }
        Marker::Diamond => svg.polygon(
            &[(x, y - 5.0), (x + 5.0, y), (x, y + 5.0), (x - 5.0, y)],
            &format!(r#"fill="{colour}""#),
        ),
    }
}

/// The legend: a sample of each line with its marker and name, and under it which earlier
/// series it overlaps, or that it was not measured.
fn legend(svg: &mut Svg, series: &[Vec<Point>]) {
    for (index, (style, points)) in SERIES.iter().zip(series).enumerate() {
        let top = PLOT_TOP + 10.0 + LEGEND_SPACING * index as f64;
        svg.line(
            (LEGEND_LEFT, top),
            (LEGEND_LEFT + 40.0, top),
            &format!(r#"stroke="{}" stroke-width="2"{}"#, style.colour, dash_attribute(style)),
        );
        marker(svg, style, LEGEND_LEFT + 20.0, top);
        svg.text(&Text::plain(LEGEND_LEFT + 50.0, top + 4.0, 12, style.label));
        let note = if points.is_empty() {
            Some("not measured".to_owned())
        } else {
            series[..index]
                .iter()
                .position(|earlier| earlier == points)
                .map(|earlier| format!("overlaps {}", SERIES[earlier].label))
        };
        if let Some(note) = note {
            svg.text(&Text::plain(LEGEND_LEFT + 50.0, top + 17.0, 10, &note).fill("#555555"));
        }
    }
}
