//! The chart: what the uaccess window costs as a share of each copy, as SVG text written by
//! hand.
//!
//! For each copy size of the run, two horizontal bars on a percent axis:
//!
//! - **the window's own instructions**, `window_open_close / copy_from_user_N`: the DACR
//!   writes and barriers that make the copy a uaccess copy, which a kernel built without PAN
//!   would not run;
//! - **everything the uaccess copy adds over a kernel copy**,
//!   `(copy_from_user_N - memcpy_N) / copy_from_user_N`: the window, the exception-table
//!   discipline and whatever the two copy loops do differently. When the uaccess copy is the
//!   faster of the two this is negative, and the bar points left.
//!
//! The axis runs from -100 % to +100 %; a share beyond it is drawn to the edge with an open end
//! and its value printed, so nothing is hidden. Every figure comes from the run: the chart
//! states no number of its own. Linux's side-by-side runs (docs/linux-side-by-side.md) have no
//! per-size copy figures, so the chart says Linux has none to stand beside swpan's. Every
//! coordinate is printed with one decimal by the shared writer ([`crate::svg`]), so the same
//! input always gives the same bytes.

use super::metrics::{CopyCosts, Metrics};
use crate::svg::{Anchor, Svg, Text};

/// The canvas width, in pixels.
const WIDTH: i32 = 800;
/// The plot area's left edge (-100 %).
const PLOT_LEFT: f64 = 150.0;
/// The plot area's right edge (+100 %).
const PLOT_RIGHT: f64 = 650.0;
/// The plot area's top edge.
const PLOT_TOP: f64 = 90.0;
/// The height of one size's group of bars.
const GROUP_HEIGHT: f64 = 56.0;
/// The height of one bar.
const BAR_HEIGHT: f64 = 16.0;
/// The share at each end of the axis, in percent.
const AXIS_LIMIT: f64 = 100.0;
/// The shares labelled on the axis, in percent.
const AXIS_TICKS: [i32; 5] = [-100, -50, 0, 50, 100];

/// One kind of bar: how it looks and what share of a copy it measures.
pub struct Share {
    /// The legend's name for it.
    pub label: &'static str,
    /// Its colour.
    pub colour: &'static str,
    /// The share in percent, from the run's window cost and one size's copies; `None` when
    /// the run lacks a figure it needs.
    pub percent: fn(u64, &CopyCosts) -> Option<f64>,
}

/// The bars of each size, top to bottom.
pub const SHARES: [Share; 2] = [
    Share {
        label: "the window: window_open_close / copy_from_user",
        colour: "#1f77b4",
        percent: |window, copies| percent_of(window as f64, copies.copy_from_user?),
    },
    Share {
        label: "uaccess over a kernel copy: (copy_from_user - memcpy) / copy_from_user",
        colour: "#ff7f0e",
        percent: |_, copies| {
            let from_user = copies.copy_from_user?;
            percent_of(from_user as f64 - copies.memcpy? as f64, from_user)
        },
    },
];

/// `part` as a percentage of `whole` instructions; `None` for an empty whole.
fn percent_of(part: f64, whole: u64) -> Option<f64> {
    // Counts stay far below 2^53, where u64 to f64 is exact.
    (whole > 0).then(|| 100.0 * part / whole as f64)
}

/// The horizontal position of a share, clamped to the axis.
fn position(percent: f64) -> f64 {
    let clamped = percent.clamp(-AXIS_LIMIT, AXIS_LIMIT);
    PLOT_LEFT + (clamped + AXIS_LIMIT) / (2.0 * AXIS_LIMIT) * (PLOT_RIGHT - PLOT_LEFT)
}

/// A share as the chart prints it: one decimal below 10 %, whole percent above.
pub fn percent_text(percent: f64) -> String {
    if percent.abs() < 10.0 { format!("{percent:.1} %") } else { format!("{percent:.0} %") }
}

/// The chart of one run, as a complete SVG document.
pub fn chart(metrics: &Metrics) -> String {
    let sizes: Vec<&CopyCosts> = metrics.copies.iter().filter(|copies| copies.size > 0).collect();
    let plot_bottom = PLOT_TOP + GROUP_HEIGHT * sizes.len() as f64;
    let mut svg = Svg::new();
    svg.text(
        &Text::plain(
            f64::from(WIDTH) / 2.0,
            30.0,
            16,
            "What the uaccess window costs, per copy size",
        )
        .anchor(Anchor::Middle),
    );
    svg.text(
        &Text::plain(
            f64::from(WIDTH) / 2.0,
            52.0,
            12,
            &format!(
                "share of one copy_from_user's instructions (pan=on); the window is {} instructions",
                metrics.window_open_close
            ),
        )
        .anchor(Anchor::Middle)
        .fill("#555555"),
    );
    axis(&mut svg, plot_bottom);
    for (index, copies) in sizes.iter().enumerate() {
        group(&mut svg, metrics.window_open_close, copies, PLOT_TOP + GROUP_HEIGHT * index as f64);
    }
    let height = legend(&mut svg, plot_bottom + 48.0);
    svg.finish(WIDTH, height, "swpan: what the uaccess window costs, per copy size", "white")
}

/// The paint of a grid line.
const GRID: &str = r##"stroke="#e0e0e0""##;
/// The paint of an axis.
const AXIS: &str = r#"stroke="black""#;

/// The percent axis under the bars, its grid and its title, and the zero line.
fn axis(svg: &mut Svg, plot_bottom: f64) {
    for tick in AXIS_TICKS {
        let x = position(f64::from(tick));
        svg.line((x, PLOT_TOP), (x, plot_bottom), if tick == 0 { AXIS } else { GRID });
        svg.line((x, plot_bottom), (x, plot_bottom + 5.0), AXIS);
        svg.text(
            &Text::plain(x, plot_bottom + 19.0, 12, &format!("{tick} %")).anchor(Anchor::Middle),
        );
    }
    svg.line((PLOT_LEFT, plot_bottom), (PLOT_RIGHT, plot_bottom), AXIS);
    svg.text(
        &Text::plain(
            (PLOT_LEFT + PLOT_RIGHT) / 2.0,
            plot_bottom + 38.0,
            12,
            "share of copy_from_user (left of 0: the uaccess copy is the cheaper)",
        )
        .anchor(Anchor::Middle),
    );
}

/// One size's bars from `top`, with the size on the left and each share's value.
fn group(svg: &mut Svg, window: u64, copies: &CopyCosts, top: f64) {
    svg.text(
        &Text::plain(PLOT_LEFT - 12.0, top + GROUP_HEIGHT / 2.0 + 4.0, 13, &size_text(copies.size))
            .anchor(Anchor::End),
    );
    let zero = position(0.0);
    for (index, share) in SHARES.iter().enumerate() {
        let bar_top = top + 8.0 + (BAR_HEIGHT + 4.0) * index as f64;
        let baseline = bar_top + BAR_HEIGHT - 4.0;
        let Some(percent) = (share.percent)(window, copies) else {
            svg.text(&Text::plain(zero + 6.0, baseline, 11, "not measured").fill("#555555"));
            continue;
        };
        let end = position(percent);
        let (left, right) = if end < zero { (end, zero) } else { (zero, end) };
        svg.rect(left, bar_top, right - left, BAR_HEIGHT, &format!(r#"fill="{}""#, share.colour));
        let beyond = percent.abs() > AXIS_LIMIT;
        if beyond {
            // An open end: the bar goes on past the axis.
            let edge = if percent < 0.0 { left } else { right };
            svg.line((edge, bar_top - 2.0), (edge, bar_top + BAR_HEIGHT + 2.0), GRID);
        }
        let label =
            format!("{}{}", percent_text(percent), if beyond { " (off the axis)" } else { "" });
        let text = if percent < 0.0 {
            Text::plain(zero + 6.0, baseline, 11, &label)
        } else {
            Text::plain(right + 6.0, baseline, 11, &label)
        };
        svg.text(&text);
    }
}

/// A copy size as the chart labels it: `8 B`, `4 KiB`, `64 KiB`.
fn size_text(size: u32) -> String {
    if size >= 1024 && size.is_multiple_of(1024) {
        format!("{} KiB", size / 1024)
    } else {
        format!("{size} B")
    }
}

/// The legend from `y`: each bar's colour and formula, and what Linux has to compare; returns
/// the picture's height.
fn legend(svg: &mut Svg, y: f64) -> i32 {
    for (index, share) in SHARES.iter().enumerate() {
        let top = y + 22.0 * index as f64;
        svg.rect(PLOT_LEFT - 100.0, top, 24.0, 12.0, &format!(r#"fill="{}""#, share.colour));
        svg.text(&Text::plain(PLOT_LEFT - 68.0, top + 11.0, 12, share.label));
    }
    let note_y = y + 22.0 * SHARES.len() as f64 + 12.0;
    svg.text(
        &Text::plain(
            PLOT_LEFT - 100.0,
            note_y,
            11,
            "Linux: its side-by-side runs measure no copy by size, so there is no Linux bar to \
             stand beside these.",
        )
        .fill("#555555"),
    );
    // Whole pixels below the last line of text.
    note_y as i32 + 16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_print_with_one_decimal_below_ten_percent() {
        assert_eq!(percent_text(1.2422), "1.2 %");
        assert_eq!(percent_text(-7.5), "-7.5 %");
        assert_eq!(percent_text(13.33), "13 %");
        assert_eq!(percent_text(-755.3), "-755 %");
    }

    #[test]
    fn the_axis_maps_minus_100_to_plus_100_and_clamps_beyond() {
        assert_eq!(position(-100.0), PLOT_LEFT);
        assert_eq!(position(100.0), PLOT_RIGHT);
        assert_eq!(position(0.0), (PLOT_LEFT + PLOT_RIGHT) / 2.0);
        assert_eq!(position(-755.0), PLOT_LEFT);
    }

    #[test]
    fn sizes_read_in_bytes_or_kib() {
        assert_eq!(size_text(8), "8 B");
        assert_eq!(size_text(4096), "4 KiB");
        assert_eq!(size_text(65536), "64 KiB");
    }
}
