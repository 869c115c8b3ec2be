//! A transcript marker's keys: the command and which of its output lines to keep.

use std::fmt;

/// A line pattern: a line matches when it contains the text, or, for a pattern written with
/// a leading `^`, when it starts with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// Only at the start of the line.
    pub anchored: bool,
    /// The text to find.
    pub text: String,
}

impl Pattern {
    /// Parses `^text` or `text`.
    pub fn parse(source: &str) -> Pattern {
        match source.strip_prefix('^') {
            Some(text) => Pattern { anchored: true, text: text.to_string() },
            None => Pattern { anchored: false, text: source.to_string() },
        }
    }

    /// Whether `line` matches.
    pub fn matches(&self, line: &str) -> bool {
        if self.anchored { line.starts_with(&self.text) } else { line.contains(&self.text) }
    }
}

impl fmt::Display for Pattern {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}{}", if self.anchored { "^" } else { "" }, self.text)
    }
}

/// How to make one excerpt.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// The bash command, run from the project root with `KERNEL` set.
    pub run: String,
    /// Its expected exit status.
    pub status: i32,
    /// A line put before the output: the command as a reader would type it.
    pub show: Option<String>,
    /// Keep from the first line matching this.
    pub from: Option<Pattern>,
    /// Through the first line after `from` matching this.
    pub to: Option<Pattern>,
    /// Keep only lines matching one of these.
    pub grep: Vec<Pattern>,
    /// Keep at most this many lines from the start...
    pub head: Option<usize>,
    /// ... and this many from the end, with a `...` line between when some were left out.
    pub tail: Option<usize>,
}

impl Spec {
    /// Parses the marker's `key: value` lines.
    pub fn parse(lines: &[&str]) -> Result<Spec, String> {
        let mut run = None;
        let mut spec = Spec {
            run: String::new(),
            status: 0,
            show: None,
            from: None,
            to: None,
            grep: Vec::new(),
            head: None,
            tail: None,
        };
        for line in lines.iter().map(|line| line.trim()).filter(|line| !line.is_empty()) {
            let (key, value) =
                line.split_once(':').ok_or_else(|| format!("'{line}' is not 'key: value'"))?;
            let value = value.trim();
            if value.is_empty() {
                return Err(format!("key '{key}' has no value"));
            }
            let once = |present: bool| {
                if present { Err(format!("key '{key}' given twice")) } else { Ok(()) }
            };
            match key.trim() {
                "run" => {
                    once(run.is_some())?;
                    run = Some(value.to_string());
                }
                "status" => {
                    spec.status =
                        value.parse().map_err(|_| format!("status '{value}' is not a number"))?;
                }
                "show" => {
                    once(spec.show.is_some())?;
                    spec.show = Some(value.to_string());
                }
                "from" => {
                    once(spec.from.is_some())?;
                    spec.from = Some(Pattern::parse(value));
                }
                "to" => {
                    once(spec.to.is_some())?;
                    spec.to = Some(Pattern::parse(value));
                }
                "grep" => spec.grep.push(Pattern::parse(value)),
                "head" => {
                    once(spec.head.is_some())?;
                    spec.head =
                        Some(value.parse().map_err(|_| format!("head '{value}' is not a number"))?);
                }
                "tail" => {
                    once(spec.tail.is_some())?;
                    spec.tail =
                        Some(value.parse().map_err(|_| format!("tail '{value}' is not a number"))?);
                }
                other => {
                    return Err(format!(
                        "unknown key '{other}' (the keys: run, status, show, from, to, grep, \
                         head, tail)"
                    ));
                }
            }
        }
        spec.run = run.ok_or("no 'run:' key")?;
        Ok(spec)
    }

    /// The excerpt from a run's output lines.
    pub fn select(&self, output: &[String]) -> Result<Vec<String>, String> {
        let mut lines: &[String] = output;
        if let Some(from) = &self.from {
            let start = lines
                .iter()
                .position(|line| from.matches(line))
                .ok_or_else(|| format!("no output line matches 'from: {from}'"))?;
            lines = &lines[start..];
        }
        if let Some(to) = &self.to {
            // The end is searched after the first line, so that `from` and `to` may match
            // the same kind of line.
            let end = lines
                .iter()
                .skip(1)
                .position(|line| to.matches(line))
                .ok_or_else(|| format!("no output line after the start matches 'to: {to}'"))?;
            lines = &lines[..end + 2];
        }
        let mut kept: Vec<String> = lines
            .iter()
            .filter(|line| self.grep.is_empty() || self.grep.iter().any(|grep| grep.matches(line)))
            .cloned()
            .collect();
        let (head, tail) = (self.head.unwrap_or(0), self.tail.unwrap_or(0));
        match (self.head, self.tail) {
            (None, None) => {}
            _ if kept.len() <= head + tail => {}
            (Some(_), None) => kept.truncate(head),
            _ => {
                let end = kept.split_off(kept.len() - tail);
                kept.truncate(head);
                kept.push("...".to_string());
                kept.extend(end);
            }
        }
        if kept.is_empty() {
            return Err("the selection keeps no line".to_string());
        }
        if let Some(show) = &self.show {
            kept.insert(0, show.clone());
        }
        Ok(kept)
    }
}
