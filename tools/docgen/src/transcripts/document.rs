//! Finding the excerpts in a Markdown file, and writing fresh ones back (through the docs'
//! one splicer, [`crate::splice`]).

use super::spec::Spec;
use crate::splice;
use std::path::{Path, PathBuf};

/// The fence info string of an excerpt.
pub const FENCE: &str = "```console";
const MARKER_START: &str = "<!-- transcript";
const MARKER_END: &str = "-->";

/// One excerpt: its marker, and the block after it.
#[derive(Clone, Debug)]
pub struct Excerpt {
    /// The marker's first line, 1-based.
    pub marker_line: usize,
    /// What the marker says.
    pub spec: Spec,
    /// The index (0-based) of the fence line that opens the block.
    pub opening: usize,
    /// The index of the fence line that closes it.
    pub closing: usize,
    /// The block's lines.
    pub lines: Vec<String>,
}

/// A Markdown file and its excerpts.
#[derive(Clone, Debug)]
pub struct Document {
    /// Where it is.
    pub path: PathBuf,
    /// Its lines.
    pub text_lines: Vec<String>,
    /// Its excerpts, in order.
    pub excerpts: Vec<Excerpt>,
    /// Whether the file ended with a newline.
    trailing_newline: bool,
}

impl Document {
    /// Finds the excerpts in `text`. A `console` block without a marker right before it, a
    /// marker without a `console` block right after it, or an unclosed one is an error.
    pub fn parse(path: &Path, text: &str) -> Result<Document, String> {
        let text_lines: Vec<String> = text.lines().map(str::to_string).collect();
        let mut excerpts = Vec::new();
        let mut index = 0;
        // Inside a fenced block that is not an excerpt: nothing in it counts.
        let mut inside_other_block = false;
        while index < text_lines.len() {
            let line = text_lines[index].trim_end();
            if inside_other_block {
                inside_other_block = line != "```";
                index += 1;
                continue;
            }
            if line == FENCE {
                return Err(format!(
                    "line {}: a console block without a '<!-- transcript' marker right before it",
                    index + 1
                ));
            }
            if line.starts_with("```") {
                inside_other_block = true;
                index += 1;
                continue;
            }
            if line.trim_start().starts_with(MARKER_START) {
                let marker_line = index + 1;
                let end = (index..text_lines.len())
                    .find(|&end| text_lines[end].trim_end().ends_with(MARKER_END))
                    .ok_or_else(|| format!("line {marker_line}: the marker is never closed"))?;
                let mut body: Vec<&str> =
                    text_lines[index..=end].iter().map(String::as_str).collect();
                body[0] = body[0].trim_start().strip_prefix(MARKER_START).unwrap_or("");
                let last = body.len() - 1;
                body[last] = body[last].trim_end().strip_suffix(MARKER_END).unwrap_or("");
                let spec =
                    Spec::parse(&body).map_err(|error| format!("line {marker_line}: {error}"))?;
                let opening = end + 1;
                if text_lines.get(opening).map(|line| line.trim_end()) != Some(FENCE) {
                    return Err(format!(
                        "line {marker_line}: the marker is not followed by a {FENCE} block"
                    ));
                }
                let closing = (opening + 1..text_lines.len())
                    .find(|&closing| text_lines[closing].trim_end() == "```")
                    .ok_or_else(|| format!("line {}: the block is never closed", opening + 1))?;
                let lines = text_lines[opening + 1..closing].to_vec();
                excerpts.push(Excerpt { marker_line, spec, opening, closing, lines });
                index = closing + 1;
                continue;
            }
            index += 1;
        }
        Ok(Document {
            path: path.to_path_buf(),
            text_lines,
            excerpts,
            trailing_newline: text.ends_with('\n'),
        })
    }

    /// The file's text with each excerpt's block replaced by the matching entry of `fresh`.
    pub fn with_blocks(&self, fresh: &[Vec<String>]) -> String {
        let regions = self
            .excerpts
            .iter()
            .zip(fresh)
            .map(|(excerpt, lines)| (excerpt.opening, excerpt.closing, lines.as_slice()));
        let mut text = splice::replace_lines(&self.text_lines, regions).join("\n");
        if self.trailing_newline {
            text.push('\n');
        }
        text
    }
}
