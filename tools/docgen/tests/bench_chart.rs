//! The SVG chart: a well-formed document with one line per measured series, each series
//! drawn distinguishably, its points where the counts put them, and the same bytes every time.

mod common;

use std::path::Path;

use common::assert_well_formed;

use docgen::bench::{Metrics, chart};

/// The metrics of a fixture in `tests/fixtures`.
fn fixture(name: &str) -> Metrics {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let bytes = std::fs::read(&path).expect("the fixture is readable");
    Metrics::from_json(&bytes).expect("the fixture is valid")
}

/// The value of `name="..."` in an element's text.
fn attribute<'a>(element: &'a str, name: &str) -> Option<&'a str> {
    let start = element.find(&format!(" {name}=\""))? + name.len() + 3;
    let length = element[start..].find('"')?;
    Some(&element[start..start + length])
}

/// Every element opening (or self-closing) with `<name `, as its text up to `>`.
fn elements<'a>(svg: &'a str, name: &str) -> Vec<&'a str> {
    svg.match_indices(&format!("<{name} "))
        .map(|(start, _)| {
            let end = svg[start..].find('>').expect("a closed tag");
            &svg[start..=start + end]
        })
        .collect()
}

/// The (x, y) pairs of a polyline.
fn polyline_points(polyline: &str) -> Vec<(f64, f64)> {
    attribute(polyline, "points")
        .expect("points")
        .split(' ')
        .map(|pair| {
            let (x, y) = pair.split_once(',').expect("x,y");
            (x.parse().expect("a number"), y.parse().expect("a number"))
        })
        .collect()
}

#[test]
fn the_chart_is_a_well_formed_svg_document() {
    let chart = chart::chart(&fixture("bench.json"));
    assert!(chart.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\" "), "{chart}");
    assert!(chart.ends_with("</svg>\n"));
    assert_eq!(chart.matches("<svg").count(), 1);
    assert_well_formed(&chart);
}

#[test]
fn the_chart_has_a_title_axis_titles_and_the_size_ticks() {
    let chart = chart::chart(&fixture("bench.json"));
    assert!(chart.contains(">Copy cost per byte against copy size</text>"));
    assert!(chart.contains(">copy size (bytes, log2 scale)</text>"));
    assert!(chart.contains(">instructions per byte (log scale)</text>"));
    for size in ["8", "64", "512", "4096", "65536"] {
        assert!(chart.contains(&format!(">{size}</text>")), "tick {size}");
    }
    // 0.137 to 5.9 instructions per byte: the decades 0.1 to 10, with 2 and 5 between.
    for label in ["0.1", "0.2", "0.5", "1", "2", "5", "10"] {
        assert!(chart.contains(&format!("text-anchor=\"end\">{label}</text>")), "tick {label}");
    }
}

#[test]
fn each_series_is_one_polyline_through_its_four_sizes() {
    let chart = chart::chart(&fixture("bench.json"));
    let polylines = elements(&chart, "polyline");
    assert_eq!(polylines.len(), 4, "{chart}");
    for polyline in &polylines {
        let points = polyline_points(polyline);
        assert_eq!(points.len(), 4, "{polyline}");
        // Sizes grow to the right at an even step per factor of 8 (8 -> 64) and per factor
        // of 16 (4096 -> 65536): log2 spacing 3 : 6 : 4.
        let steps: Vec<f64> = points.windows(2).map(|pair| pair[1].0 - pair[0].0).collect();
        assert!(steps.iter().all(|step| *step > 0.0));
        assert!((steps[0] / 3.0 - steps[1] / 6.0).abs() < 0.1, "{steps:?}");
        assert!((steps[1] / 6.0 - steps[2] / 4.0).abs() < 0.1, "{steps:?}");
    }
    for label in
        ["copy_from_user (pan on)", "copy_to_user (pan on)", "copy_from_user (pan off)", "memcpy"]
    {
        assert!(chart.contains(&format!(">{label}</text>")), "legend {label}");
    }
}

#[test]
fn the_cost_per_byte_falls_with_size_and_memcpy_beats_small_copies() {
    let chart = chart::chart(&fixture("bench.json"));
    let polylines = elements(&chart, "polyline");
    let from_user = polyline_points(polylines[0]);
    let memcpy = polyline_points(polylines[3]);
    // Larger y is lower on the canvas, so fewer instructions per byte.
    assert!(from_user.windows(2).all(|pair| pair[1].1 > pair[0].1), "{from_user:?}");
    assert!(memcpy[0].1 > from_user[0].1, "an 8-byte memcpy is cheaper per byte");
}

#[test]
fn the_series_differ_in_colour_dashes_and_markers() {
    let chart = chart::chart(&fixture("bench.json"));
    let polylines = elements(&chart, "polyline");
    let mut colours: Vec<&str> =
        polylines.iter().map(|line| attribute(line, "stroke").expect("a colour")).collect();
    let mut dashes: Vec<&str> = polylines
        .iter()
        .map(|line| attribute(line, "stroke-dasharray").unwrap_or("solid"))
        .collect();
    colours.dedup();
    dashes.sort_unstable();
    dashes.dedup();
    assert_eq!(colours.len(), 4);
    assert_eq!(dashes.len(), 4);
    // Four points plus a legend sample each: circles, squares, triangles and diamonds.
    assert_eq!(elements(&chart, "circle").len(), 5);
    assert_eq!(elements(&chart, "rect").len(), 1 + 5, "the background and the squares");
    assert_eq!(elements(&chart, "polygon").len(), 10, "the triangles and the diamonds");
}

#[test]
fn the_legend_says_when_pan_off_overlaps_pan_on() {
    let same = chart::chart(&fixture("bench.json"));
    assert_eq!(same.matches(">overlaps copy_from_user (pan on)</text>").count(), 1);
    let different = chart::chart(&fixture("bench-missed.json"));
    assert!(!different.contains(">overlaps "));
}

#[test]
fn series_that_were_not_measured_have_no_line_and_say_so() {
    let chart = chart::chart(&fixture("bench-minimal.json"));
    assert_well_formed(&chart);
    let polylines = elements(&chart, "polyline");
    assert_eq!(polylines.len(), 2, "copy_from_user and memcpy at 4096 and 65536");
    assert!(polylines.iter().all(|line| polyline_points(line).len() == 2));
    assert_eq!(chart.matches(">not measured</text>").count(), 2);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let metrics = fixture("bench.json");
    assert_eq!(chart::chart(&metrics), chart::chart(&metrics));
    assert_eq!(chart::chart(&fixture("bench.json")), chart::chart(&metrics));
}
