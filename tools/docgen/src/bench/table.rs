//! Renders a [`Report`] as aligned plain text (for a terminal) or as GitHub Markdown tables
//! (for `docs/benchmarks.md`). Both are pure functions of the report, so the same input
//! always gives the same bytes.

use std::fmt::Write;

use super::report::{Alignment, Cell, PREAMBLE, Report, Section};

/// The text each section's rows are indented by.
const INDENT: &str = "  ";
/// The text between two columns.
const GAP: &str = "  ";

/// The report as plain text: one block per section, columns aligned, lines without trailing
/// blanks.
pub fn text(report: &Report) -> String {
    let mut out = format!("{PREAMBLE}\n");
    for section in &report.sections {
        out.push('\n');
        out.push_str(section.title);
        out.push('\n');
        text_section(&mut out, section);
    }
    out.push('\n');
    out.push_str(&report.summary);
    out.push('\n');
    out
}

/// The rows of one section, under a header and a rule of dashes.
fn text_section(out: &mut String, section: &Section) {
    let header: Vec<String> =
        section.columns.iter().map(|column| column.header.to_owned()).collect();
    let body: Vec<Vec<String>> =
        section.rows.iter().map(|row| row.iter().map(plain_cell).collect()).collect();
    let widths: Vec<usize> = (0..section.columns.len())
        .map(|index| {
            std::iter::once(&header)
                .chain(&body)
                .filter_map(|row| row.get(index))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let rule: Vec<String> = widths.iter().map(|width| "-".repeat(*width)).collect();
    for row in std::iter::once(&header).chain(std::iter::once(&rule)).chain(&body) {
        let mut line = INDENT.to_owned();
        for (index, (cell, column)) in row.iter().zip(&section.columns).enumerate() {
            if index > 0 {
                line.push_str(GAP);
            }
            let padding = " ".repeat(widths[index].saturating_sub(cell.chars().count()));
            match column.alignment {
                Alignment::Left => {
                    line.push_str(cell);
                    line.push_str(&padding);
                }
                Alignment::Right => {
                    line.push_str(&padding);
                    line.push_str(cell);
                }
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
}

/// A cell as plain text.
fn plain_cell(cell: &Cell) -> String {
    match cell {
        Cell::Name(text) | Cell::Number(text) | Cell::Text(text) => printable(text),
        Cell::Absent => "-".to_owned(),
    }
}

/// The report as GitHub Markdown: a `##` heading and a table per section.
pub fn markdown(report: &Report) -> String {
    let mut out = format!("{PREAMBLE}\n");
    for section in &report.sections {
        // Writing to a String cannot fail.
        let _ = write!(out, "\n### {}\n\n", section.title);
        let headers: Vec<String> =
            section.columns.iter().map(|column| escape_markdown(column.header)).collect();
        markdown_row(&mut out, &headers);
        let rules: Vec<String> = section
            .columns
            .iter()
            .map(|column| match column.alignment {
                Alignment::Left => "---".to_owned(),
                Alignment::Right => "---:".to_owned(),
            })
            .collect();
        markdown_row(&mut out, &rules);
        for row in &section.rows {
            let cells: Vec<String> = row.iter().map(markdown_cell).collect();
            markdown_row(&mut out, &cells);
        }
    }
    let _ = write!(out, "\n{}\n", escape_markdown(&report.summary));
    out
}

/// One table row: `| a | b |`.
fn markdown_row(out: &mut String, cells: &[String]) {
    out.push('|');
    for cell in cells {
        out.push(' ');
        out.push_str(cell);
        out.push_str(" |");
    }
    out.push('\n');
}

/// A cell as Markdown: names in code spans, prose escaped.
fn markdown_cell(cell: &Cell) -> String {
    match cell {
        Cell::Name(name) if !name.contains('`') && !name.is_empty() => {
            // GitHub splits table cells at `|` even inside code spans.
            format!("`{}`", printable(name).replace('|', "\\|"))
        }
        Cell::Name(text) | Cell::Number(text) | Cell::Text(text) => escape_markdown(text),
        Cell::Absent => "-".to_owned(),
    }
}

/// `text` with the Markdown punctuation that could change its meaning escaped, so it reads
/// literally; intraword `_` and a `<` that cannot open a tag stay as they are, so the file
/// also reads well as plain text.
fn escape_markdown(text: &str) -> String {
    let characters: Vec<char> = printable(text).chars().collect();
    let mut escaped = String::with_capacity(text.len());
    for (index, &character) in characters.iter().enumerate() {
        let before = index.checked_sub(1).and_then(|before| characters.get(before));
        let after = characters.get(index + 1);
        let is_word = |neighbour: Option<&char>| neighbour.is_some_and(|c| c.is_alphanumeric());
        let special = match character {
            '\\' | '`' | '*' | '|' | '[' | ']' => true,
            '_' => !(is_word(before) && is_word(after)),
            '<' => after.is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?')),
            _ => false,
        };
        if special {
            escaped.push('\\');
        }
        escaped.push(character);
    }
    escaped
}

/// `text` with control characters (a newline in a metric name) spelled as escapes, so one
/// cell stays on one line.
fn printable(text: &str) -> String {
    text.chars()
        .map(|character| {
            if character.is_control() {
                character.escape_default().to_string()
            } else {
                character.to_string()
            }
        })
        .collect()
}
