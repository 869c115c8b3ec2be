//! The SVG chart: a well-formed document with, for each copy size, a bar for what the window's
//! own instructions are of the copy and a bar for what the uaccess copy adds over a kernel
//! memcpy, each as long as the run's counts make it, its value printed, and the same bytes
//! every time.

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

/// The bars of a share's colour, as (left, width), top to bottom (legend swatches included).
fn bars(svg: &str, colour: &str) -> Vec<(f64, f64)> {
    elements(svg, "rect")
        .into_iter()
        .filter(|rect| attribute(rect, "fill") == Some(colour))
        .map(|rect| {
            let number =
                |name| attribute(rect, name).expect(name).parse::<f64>().expect("a number");
            (number("x"), number("width"))
        })
        .collect()
}

/// The contents of every `<text>` element, in order.
fn texts(svg: &str) -> Vec<String> {
    common::texts(svg)
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
fn the_chart_has_a_title_the_sizes_the_axis_and_the_legend() {
    let texts = texts(&chart::chart(&fixture("bench.json")));
    assert_eq!(texts[0], "What the uaccess window costs, per copy size");
    assert!(texts[1].ends_with("the window is 6 instructions"), "{}", texts[1]);
    for wanted in ["8 B", "64 B", "4 KiB", "64 KiB", "-100 %", "0 %", "100 %"] {
        assert!(texts.iter().any(|text| text == wanted), "{wanted} in {texts:#?}");
    }
    for share in &chart::SHARES {
        assert!(texts.iter().any(|text| text == share.label), "legend {}", share.label);
    }
    assert!(texts.iter().any(|text| text.starts_with("Linux: ")), "the Linux note");
}

/// The fixture's counts: window 6; copy_from_user 47, 79, 562, 8754 against memcpy 26, 58,
/// 600, 9240 for 8, 64, 4096 and 65536 bytes.
#[test]
fn each_share_is_the_counts_ratio_printed_and_drawn() {
    let chart = chart::chart(&fixture("bench.json"));
    let texts = texts(&chart);
    // 6/47, 21/47, 6/79, 21/79, 6/562, -38/562, 6/8754, -486/8754.
    for value in ["13 %", "45 %", "7.6 %", "27 %", "1.1 %", "-6.8 %", "0.1 %", "-5.6 %"] {
        assert!(texts.iter().any(|text| text == value), "{value} in {texts:#?}");
    }
    let window = bars(&chart, chart::SHARES[0].colour);
    let over_memcpy = bars(&chart, chart::SHARES[1].colour);
    // Four sizes and a legend swatch each.
    assert_eq!((window.len(), over_memcpy.len()), (5, 5));
    // The window's share falls with the size, and every window bar starts at 0 %.
    let zero = window[0].0;
    assert!(window[..4].iter().all(|bar| bar.0 == zero), "{window:?}");
    assert!(window[..4].windows(2).all(|pair| pair[1].1 < pair[0].1), "{window:?}");
    // 13 % of the half axis (250 pixels for 100 %).
    assert!((window[0].1 - 250.0 * 6.0 / 47.0).abs() < 0.1, "{window:?}");
    // The uaccess copy beats memcpy at 4 KiB and 64 KiB: those bars end at 0 %, on the left.
    assert!(over_memcpy[2].0 < zero && (over_memcpy[2].0 + over_memcpy[2].1 - zero).abs() < 0.1);
    assert!(over_memcpy[0].0 == zero && over_memcpy[1].0 == zero);
}

#[test]
fn a_share_beyond_the_axis_is_drawn_to_its_edge_and_says_so() {
    let mut counts: std::collections::BTreeMap<String, u64> =
        counts_of(&std::fs::read_to_string(fixture_path("bench.json")).unwrap());
    counts.insert("memcpy_65536".to_owned(), 10 * 8754);
    let chart = chart::chart(&Metrics::from_counts(counts).expect("valid"));
    let texts = texts(&chart);
    assert!(texts.iter().any(|text| text == "-900 % (off the axis)"), "{texts:#?}");
    let over_memcpy = bars(&chart, chart::SHARES[1].colour);
    assert!((over_memcpy[3].1 - 250.0).abs() < 0.1, "clamped to -100 %: {over_memcpy:?}");
}

#[test]
fn sizes_that_were_not_measured_say_so() {
    let chart = chart::chart(&fixture("bench-minimal.json"));
    assert_well_formed(&chart);
    assert_eq!(chart.matches(">not measured</text>").count(), 4, "8 and 64 bytes, two bars each");
    assert_eq!(bars(&chart, chart::SHARES[0].colour).len(), 2 + 1);
}

#[test]
fn the_same_input_gives_the_same_bytes() {
    let metrics = fixture("bench.json");
    assert_eq!(chart::chart(&metrics), chart::chart(&metrics));
    assert_eq!(chart::chart(&fixture("bench.json")), chart::chart(&metrics));
}

/// The path of a fixture.
fn fixture_path(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// The counts of a flat JSON object of non-negative integers, read without a JSON library.
fn counts_of(json: &str) -> std::collections::BTreeMap<String, u64> {
    json.trim()
        .trim_start_matches('{')
        .trim_end_matches('}')
        .split(',')
        .filter(|pair| !pair.trim().is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once(':').expect("name: value");
            (name.trim().trim_matches('"').to_owned(), value.trim().parse().expect("a count"))
        })
        .collect()
}
