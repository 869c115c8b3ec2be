//! A small writer of SVG text: shapes and text at whole-pixel coordinates, with generic font
//! families only, so that the same picture always gives the same bytes and renders alike
//! without any particular font installed.

use std::fmt::Write;

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
    /// The anchor's x.
    x: i32,
    /// The baseline's y.
    y: i32,
    /// The font size in pixels.
    size: u32,
    /// Monospace, against sans-serif.
    monospace: bool,
    /// Italic, against upright.
    italic: bool,
    /// Where `x` is.
    anchor: Anchor,
    /// The colour.
    fill: &'static str,
    /// Bold, against normal weight.
    bold: bool,
    /// A white outline under the glyphs, so lines behind the text do not cross it.
    halo: bool,
    /// What it says (unescaped).
    content: String,
}

impl Text {
    /// `content` in sans-serif of `size` pixels, black, starting at `x` on the baseline `y`.
    pub fn new(x: i32, y: i32, size: u32, content: &str) -> Text {
        Text {
            x,
            y,
            size,
            monospace: false,
            italic: false,
            anchor: Anchor::Start,
            fill: "#000000",
            bold: false,
            halo: false,
            content: content.to_owned(),
        }
    }

    /// The same text in monospace.
    pub fn monospace(mut self) -> Text {
        self.monospace = true;
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
        self.fill = colour;
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
    pub fn rect(&mut self, x: i32, y: i32, width: i32, height: i32, attributes: &str) {
        // Writing to a String cannot fail, here and below.
        let _ = writeln!(
            self.body,
            r#"<rect x="{x}" y="{y}" width="{width}" height="{height}" {attributes}/>"#
        );
    }

    /// A straight line from (`x1`, `y1`) to (`x2`, `y2`).
    pub fn line(&mut self, (x1, y1): (i32, i32), (x2, y2): (i32, i32), attributes: &str) {
        let _ =
            writeln!(self.body, r#"<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" {attributes}/>"#);
    }

    /// A circle of `radius` around (`x`, `y`).
    pub fn circle(&mut self, x: i32, y: i32, radius: i32, attributes: &str) {
        let _ = writeln!(self.body, r#"<circle cx="{x}" cy="{y}" r="{radius}" {attributes}/>"#);
    }

    /// A polygon through `points`.
    pub fn polygon(&mut self, points: &[(i32, i32)], attributes: &str) {
        let points: Vec<String> = points.iter().map(|(x, y)| format!("{x},{y}")).collect();
        let _ = writeln!(self.body, r#"<polygon points="{}" {attributes}/>"#, points.join(" "));
    }

    /// A line of text.
    pub fn text(&mut self, text: &Text) {
        let family = if text.monospace { "monospace" } else { "sans-serif" };
        let anchor = match text.anchor {
            Anchor::Start => "",
            Anchor::Middle => r#" text-anchor="middle""#,
            Anchor::End => r#" text-anchor="end""#,
        };
        let style = if text.italic { r#" font-style="italic""# } else { "" };
        let weight = if text.bold { r#" font-weight="bold""# } else { "" };
        let halo = if text.halo {
            r##" stroke="#ffffff" stroke-width="4" stroke-linejoin="round" paint-order="stroke""##
        } else {
            ""
        };
        let _ = write!(
            self.body,
            r#"<text x="{}" y="{}" font-family="{family}" font-size="{}" fill="{}"{anchor}{style}{weight}{halo}>"#,
            text.x, text.y, text.size, text.fill
        );
        self.body.push_str(&escape(&text.content));
        self.body.push_str("</text>\n");
    }

    /// The complete document, `width` by `height` pixels on a white background, with `title`
    /// as its accessible name.
    pub fn finish(self, width: i32, height: i32, title: &str) -> String {
        let mut document = String::new();
        let _ = writeln!(
            document,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif">"#
        );
        let _ = writeln!(document, "<title>{}</title>", escape(title));
        if !self.definitions.is_empty() {
            let _ = write!(document, "<defs>\n{}</defs>\n", self.definitions);
        }
        let _ = writeln!(document, r##"<rect width="{width}" height="{height}" fill="#ffffff"/>"##);
        document.push_str(&self.body);
        document.push_str("</svg>\n");
        document
    }
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
        let document = svg.finish(10, 20, "t&t");
        assert!(document.contains("<title>t&amp;t</title>"));
        assert!(document.contains(
            r##"<text x="1" y="2" font-family="monospace" font-size="12" fill="#000000" text-anchor="end" font-weight="bold">a&lt;b &amp; &apos;c&apos;</text>"##
        ));
        assert!(document.ends_with("</svg>\n"));
    }
}
