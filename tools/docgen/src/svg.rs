//! The one SVG writer of the docs, for the benchmark chart and the pictures alike: shapes and
//! text at fixed-precision coordinates, with generic font families only, so that the same
//! picture always gives the same bytes and renders alike without any particular font installed.

/// Grey, for secondary text in every picture.
pub const GREY: &str = "#555555";
/// Dark red: what is closed or forbidden (a closed window, a guard page).
pub const DARK_RED: &str = "#a50f15";

use std::fmt::Write;

/// A number as the picture writes it: whole pixels (`i32`) as integers, anything finer
/// (`f64`) to one decimal, so no platform's float printing reaches the bytes.
pub trait Coordinate: Copy {
    /// The number as it appears in an attribute.
    fn text(self) -> String;
}

impl Coordinate for i32 {
    fn text(self) -> String {
        self.to_string()
    }
}

impl Coordinate for f64 {
    fn text(self) -> String {
        format!("{self:.1}")
    }
}

/// Where a text's `x` is: its start, middle or end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// `x` is where the text starts.
    Start,
    /// `x` is the text's middle.
    Middle,
    /// `x` is where the text ends.
    End,
}

/// A line of text, built up with its style.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The anchor's x, as written.
    x: String,
    /// The baseline's y, as written.
    y: String,
    /// The font size in pixels.
    size: u32,
    /// The font family, or `None` for the document's (sans-serif).
    family: Option<&'static str>,
    /// Italic, against upright.
    italic: bool,
    /// Where `x` is.
    anchor: Anchor,
    /// A rotation about the anchor, in degrees.
    rotation: Option<i32>,
    /// The colour, or `None` for the renderer's default (black).
    fill: Option<&'static str>,
    /// Bold, against normal weight.
    bold: bool,
    /// A white outline under the glyphs, so lines behind the text do not cross it.
    halo: bool,
    /// What it says (unescaped).
    content: String,
}

impl Text {
    /// `content` in sans-serif of `size` pixels, black, starting at `x` on the baseline `y`,
    /// with its family and colour written out.
    pub fn new<C: Coordinate>(x: C, y: C, size: u32, content: &str) -> Text {
        Text {
            family: Some("sans-serif"),
            fill: Some("#000000"),
            ..Text::plain(x, y, size, content)
        }
    }

    /// `content` of `size` pixels starting at `x` on the baseline `y`, in the document's
    /// family and the default colour, neither written out.
    pub fn plain<C: Coordinate>(x: C, y: C, size: u32, content: &str) -> Text {
        Text {
            x: x.text(),
            y: y.text(),
            size,
            family: None,
            italic: false,
            anchor: Anchor::Start,
            rotation: None,
            fill: None,
            bold: false,
            halo: false,
            content: content.to_owned(),
        }
    }

    /// The same text in monospace.
    pub fn monospace(mut self) -> Text {
        self.family = Some("monospace");
        self
    }

    /// The same text turned by `degrees` about its anchor (negative: anticlockwise).
    pub fn rotated(mut self, degrees: i32) -> Text {
        self.rotation = Some(degrees);
        self
    }

    /// The same text in italics.
    pub fn italic(mut self) -> Text {
        self.italic = true;
        self
    }

    /// The same text in bold.
    pub fn bold(mut self) -> Text {
        self.bold = true;
        self
    }

    /// The same text anchored at `anchor`.
    pub fn anchor(mut self, anchor: Anchor) -> Text {
        self.anchor = anchor;
        self
    }

    /// The same text in `colour`.
    pub fn fill(mut self, colour: &'static str) -> Text {
        self.fill = Some(colour);
        self
    }

    /// The same text on a white outline, readable over lines.
    pub fn halo(mut self) -> Text {
        self.halo = true;
        self
    }
}

/// A picture being written: its definitions and its elements, in drawing order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Svg {
    /// The contents of `<defs>`.
    definitions: String,
    /// The elements.
    body: String,
}

impl Svg {
    /// An empty picture.
    pub fn new() -> Svg {
        Svg::default()
    }

    /// Defines the pattern `id`, for `fill="url(#id)"`: diagonal stripes of `stripe` over
    /// `background`, the usual mark of something absent.
    pub fn define_hatch(&mut self, id: &str, background: &str, stripe: &str) {
        let _ = writeln!(
            self.definitions,
            r#"<pattern id="{id}" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="{background}"/><line x1="0" y1="0" x2="0" y2="8" stroke="{stripe}" stroke-width="3"/></pattern>"#
        );
    }

    /// A rectangle with its top left corner at (`x`, `y`); `attributes` gives its paint, such
    /// as `fill="#ffffff" stroke="#000000"`.
    pub fn rect<C: Coordinate>(&mut self, x: C, y: C, width: C, height: C, attributes: &str) {
        let geometry = [("x", x), ("y", y), ("width", width), ("height", height)];
        self.shape("rect", &geometry.map(|(name, value)| (name, value.text())), attributes);
    }

    /// A straight line from (`x1`, `y1`) to (`x2`, `y2`).
    pub fn line<C: Coordinate>(&mut self, (x1, y1): (C, C), (x2, y2): (C, C), attributes: &str) {
        let geometry = [("x1", x1), ("y1", y1), ("x2", x2), ("y2", y2)];
        self.shape("line", &geometry.map(|(name, value)| (name, value.text())), attributes);
    }

    /// A circle of `radius` around (`x`, `y`).
    pub fn circle<C: Coordinate>(&mut self, x: C, y: C, radius: C, attributes: &str) {
        let geometry = [("cx", x), ("cy", y), ("r", radius)];
        self.shape("circle", &geometry.map(|(name, value)| (name, value.text())), attributes);
    }

    /// A polygon through `points`.
    pub fn polygon<C: Coordinate>(&mut self, points: &[(C, C)], attributes: &str) {
        self.shape("polygon", &[("points", point_list(points))], attributes);
    }

    /// An empty element `name` with its geometry first, then its paint.
    fn shape(&mut self, name: &str, geometry: &[(&str, String)], attributes: &str) {
        // Writing to a String cannot fail, here and below.
        let _ = write!(self.body, "<{name}");
        for (attribute, value) in geometry {
            let _ = write!(self.body, r#" {attribute}="{value}""#);
        }
        let _ = writeln!(self.body, " {attributes}/>");
    }

    /// An open line through `points`; its paint comes first, as `fill="none" stroke="..."`.
    pub fn polyline<C: Coordinate>(&mut self, points: &[(C, C)], attributes: &str) {
        let _ = writeln!(self.body, r#"<polyline {attributes} points="{}"/>"#, point_list(points));
    }

    /// A line of text.
    pub fn text(&mut self, text: &Text) {
        let _ = write!(self.body, r#"<text x="{}" y="{}""#, text.x, text.y);
        if let Some(family) = text.family {
            let _ = write!(self.body, r#" font-family="{family}""#);
        }
        let _ = write!(self.body, r#" font-size="{}""#, text.size);
        if let Some(fill) = text.fill {
            let _ = write!(self.body, r#" fill="{fill}""#);
        }
        self.body.push_str(match text.anchor {
            Anchor::Start => "",
            Anchor::Middle => r#" text-anchor="middle""#,
            Anchor::End => r#" text-anchor="end""#,
        });
        if let Some(degrees) = text.rotation {
            let _ = write!(self.body, r#" transform="rotate({degrees} {} {})""#, text.x, text.y);
        }
        if text.italic {
            self.body.push_str(r#" font-style="italic""#);
        }
        if text.bold {
            self.body.push_str(r#" font-weight="bold""#);
        }
        if text.halo {
            self.body.push_str(
                r##" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke""##,
            );
        }
        self.body.push('>');
        self.body.push_str(&escape(&text.content));
        self.body.push_str("</text>\n");
    }

    /// The complete document, `width` by `height` pixels on a `background` colour, with
    /// `title` as its accessible name.
    pub fn finish(self, width: i32, height: i32, title: &str, background: &str) -> String {
        let mut document = String::new();
        let _ = writeln!(
            document,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#
        );
        let _ = writeln!(document, "<title>{}</title>", escape(title));
        if !self.definitions.is_empty() {
            let _ = write!(document, "<defs>\n{}</defs>\n", self.definitions);
        }
        let _ =
            writeln!(document, r#"<rect width="{width}" height="{height}" fill="{background}"/>"#);
        document.push_str(&self.body);
        document.push_str("</svg>\n");
        document
    }
}

/// `points` as an SVG point list: `x,y x,y ...`.
fn point_list<C: Coordinate>(points: &[(C, C)]) -> String {
    let points: Vec<String> =
        points.iter().map(|(x, y)| format!("{},{}", x.text(), y.text())).collect();
    points.join(" ")
}

/// `text` with the characters XML gives a meaning escaped.
pub fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_styled() {
        let mut svg = Svg::new();
        svg.text(&Text::new(1, 2, 12, "a<b & 'c'").monospace().anchor(Anchor::End).bold());
        let document = svg.finish(10, 20, "t&t", "#ffffff");
        assert!(document.contains("<title>t&amp;t</title>"));
        assert!(document.contains(
            r##"<text x="1" y="2" font-family="monospace" font-size="12" fill="#000000" text-anchor="end" font-weight="bold">a&lt;b &amp; &apos;c&apos;</text>"##
        ));
        assert!(document.ends_with("</svg>\n"));
    }

    #[test]
    fn plain_text_and_fine_coordinates_leave_out_what_the_document_gives() {
        let mut svg = Svg::new();
        svg.text(&Text::plain(24.0, 220.04, 13, "axis").anchor(Anchor::Middle).rotated(-90));
        svg.line((1.0, 2.0), (3.04, 4.0), r#"stroke="black""#);
        svg.polyline(&[(1, 2), (3, 4)], r#"fill="none""#);
        let document = svg.finish(800, 460, "chart", "white");
        assert!(document.contains(
            r#"<text x="24.0" y="220.0" font-size="13" text-anchor="middle" transform="rotate(-90 24.0 220.0)">axis</text>"#
        ));
        assert!(document.contains(r#"<line x1="1.0" y1="2.0" x2="3.0" y2="4.0" stroke="black"/>"#));
        assert!(document.contains(r#"<polyline fill="none" points="1,2 3,4"/>"#));
        assert!(document.contains(r#"<rect width="800" height="460" fill="white"/>"#));
    }
}
