//! The one way generated text goes into a hand-written document: the lines between two
//! delimiter lines are replaced, everything else is kept byte for byte.
//!
//! A generated section is named by a pair of HTML comments, invisible once rendered:
//!
//! ```markdown
//! <!-- benchreport:begin -->
//! (generated: replaced on every run)
//! <!-- benchreport:end -->
//! ```
//!
//! [`section`] reads what is between them, [`replace_section`] puts fresh text there, and
//! [`replace_lines`] is the step both share with the console excerpts, whose delimiters are a
//! `console` block's fences.

use std::fmt;

/// Why a section could not be found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpliceError {
    /// No line is the marker.
    MissingMarker(String),
    /// The end marker comes before the begin marker, or a marker is there twice.
    Misplaced(String),
}

impl fmt::Display for SpliceError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpliceError::MissingMarker(marker) => write!(formatter, "no line `{marker}`"),
            SpliceError::Misplaced(problem) => formatter.write_str(problem),
        }
    }
}

impl std::error::Error for SpliceError {}

/// The line that opens the section `name`.
pub fn begin_marker(name: &str) -> String {
    format!("<!-- {name}:begin -->")
}

/// The line that closes the section `name`.
pub fn end_marker(name: &str) -> String {
    format!("<!-- {name}:end -->")
}

/// `lines`, with the lines strictly between each region's opening and closing line (indices
/// into `lines`, regions in order and apart) replaced by the region's new lines.
pub fn replace_lines<'a, S: AsRef<str> + 'a>(
    lines: &'a [S],
    regions: impl IntoIterator<Item = (usize, usize, &'a [String])>,
) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    let mut next = 0;
    for (opening, closing, fresh) in regions {
        out.extend(lines[next..=opening].iter().map(AsRef::as_ref));
        out.extend(fresh.iter().map(String::as_str));
        next = closing;
    }
    out.extend(lines[next..].iter().map(AsRef::as_ref));
    out
}

/// The indices of the lines that open and close the section `name` in `lines`.
fn find_section(lines: &[&str], name: &str) -> Result<(usize, usize), SpliceError> {
    let find = |marker: &str| {
        let mut found = lines.iter().enumerate().filter(|(_, line)| line.trim() == marker);
        match (found.next(), found.next()) {
            (Some((index, _)), None) => Ok(index),
            (None, _) => Err(SpliceError::MissingMarker(marker.to_owned())),
            (Some(_), Some((second, _))) => Err(SpliceError::Misplaced(format!(
                "`{marker}` again on line {}: a section is marked once",
                second + 1
            ))),
        }
    };
    let (begin, end) = (find(&begin_marker(name))?, find(&end_marker(name))?);
    if end < begin {
        return Err(SpliceError::Misplaced(format!(
            "`{}` on line {} comes before `{}` on line {}",
            end_marker(name),
            end + 1,
            begin_marker(name),
            begin + 1
        )));
    }
    Ok((begin, end))
}

/// The text of the section `name` in `document`: its lines between the markers, each ending
/// with a newline.
pub fn section(document: &str, name: &str) -> Result<String, SpliceError> {
    let lines: Vec<&str> = document.lines().collect();
    let (begin, end) = find_section(&lines, name)?;
    Ok(lines[begin + 1..end].iter().map(|line| format!("{line}\n")).collect())
}

/// `document` with the section `name` holding `generated` instead (a final newline is added
/// to `generated` when it has none). Everything outside the section is kept as it was.
pub fn replace_section(document: &str, name: &str, generated: &str) -> Result<String, SpliceError> {
    let lines: Vec<&str> = document.lines().collect();
    let (begin, end) = find_section(&lines, name)?;
    let fresh: Vec<String> = generated.lines().map(str::to_owned).collect();
    Ok(join_lines(&replace_lines(&lines, [(begin, end, fresh.as_slice())]), document))
}

/// `lines` joined into a document that ends with a newline exactly when `original` did.
pub fn join_lines(lines: &[&str], original: &str) -> String {
    let mut text = lines.join("\n");
    if original.ends_with('\n') {
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "# Title\n\nprose\n<!-- figures:begin -->\nold 1\nold 2\n<!-- figures:end -->\n\nmore prose\n";

    #[test]
    fn only_the_section_changes() {
        let spliced = replace_section(PAGE, "figures", "new\n").unwrap();
        assert_eq!(spliced, PAGE.replace("old 1\nold 2\n", "new\n"));
        assert_eq!(section(&spliced, "figures").unwrap(), "new\n");
        assert_eq!(section(PAGE, "figures").unwrap(), "old 1\nold 2\n");
        // Without a final newline, the generated text still ends its line.
        assert_eq!(replace_section(PAGE, "figures", "new").unwrap(), spliced);
        // An empty section stays empty, and the same text gives the same page.
        assert_eq!(
            replace_section(PAGE, "figures", "").unwrap(),
            PAGE.replace("old 1\nold 2\n", "")
        );
        assert_eq!(replace_section(PAGE, "figures", "old 1\nold 2\n").unwrap(), PAGE);
    }

    #[test]
    fn the_page_keeps_its_own_last_line() {
        let unended = PAGE.trim_end();
        assert_eq!(
            replace_section(unended, "figures", "x\n").unwrap(),
            unended.replace("old 1\nold 2\n", "x\n")
        );
    }

    #[test]
    fn missing_doubled_or_reversed_markers_are_errors() {
        assert_eq!(
            replace_section(PAGE, "tables", "x"),
            Err(SpliceError::MissingMarker("<!-- tables:begin -->".to_owned()))
        );
        let no_end = PAGE.replace("<!-- figures:end -->\n", "");
        assert_eq!(
            section(&no_end, "figures"),
            Err(SpliceError::MissingMarker("<!-- figures:end -->".to_owned()))
        );
        let doubled = format!("{PAGE}<!-- figures:begin -->\n");
        let problem = replace_section(&doubled, "figures", "x").unwrap_err().to_string();
        assert!(problem.contains("again on line 10"), "{problem}");
        let reversed = "<!-- figures:end -->\nx\n<!-- figures:begin -->\n";
        let problem = section(reversed, "figures").unwrap_err().to_string();
        assert!(problem.contains("on line 1 comes before"), "{problem}");
    }

    #[test]
    fn regions_are_replaced_between_their_delimiters() {
        let lines = ["a", "(", "old", ")", "b", "(", ")", "c"];
        let first = vec!["x".to_owned(), "y".to_owned()];
        let second = vec!["z".to_owned()];
        let out = replace_lines(&lines, [(1, 3, first.as_slice()), (5, 6, second.as_slice())]);
        assert_eq!(out, ["a", "(", "x", "y", ")", "b", "(", "z", ")", "c"]);
    }
}
