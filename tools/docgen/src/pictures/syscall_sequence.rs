//! The system-call picture: a sequence diagram of one system call crossing the uaccess
//! window, with the DACR the kernel reported at each step.
//!
//! Four lifelines (the user program, the exception entry in `vectors.s`, the system call
//! handler, the uaccess window of `copy_*_user`) exchange the calls and returns of a system
//! call that copies user memory. Each step the report gives is a dot on the lifeline that
//! runs at that moment, joined to a DACR column on the right. The column is a band from top
//! to bottom, one box per step, covering the time from the instruction that set the value to
//! the next change, coloured by what the value gives the user domain (bits `[3:2]`): green
//! for Client, red for No access. Each box holds the step's label as the kernel printed it,
//! the value, and the value decoded for all four domains. A step the report leaves out (the
//! shell's `dacr` command stops before the return to user mode) is a grey box marked "not
//! reported": the picture shows only what the kernel said.
//!
//! The events come from `syscall_events`; their captions follow the boot, and a boot without
//! PAN gets a warning under the title.

use super::dacr_report::{self, DacrReport, Step};
use super::error::Error;
use super::facts::{self, DOMAINS, DomainAccess, USER, access_of, domain_bits};
use super::syscall_events::{Caption, Event, Lifeline, events, lifeline_of, ran_with_pan};
use crate::svg::{Anchor, GREY, Svg, Text};

/// The picture's width, in pixels.
const WIDTH: i32 = 900;
/// The left edge of the title and the legend.
const LEFT: i32 = 20;
/// The top of the lifelines' name boxes.
const HEADER_TOP: i32 = 100;
/// The height of a lifeline's name box.
const HEADER_HEIGHT: i32 = 44;
/// The width of a lifeline's name box.
const HEADER_WIDTH: i32 = 144;
/// Where the first event starts.
const TIMELINE_TOP: i32 = HEADER_TOP + HEADER_HEIGHT + 14;
/// The DACR column's left edge.
const COLUMN_LEFT: i32 = 652;
/// The DACR column's right edge.
const COLUMN_RIGHT: i32 = 884;
/// Half the width of an activation bar.
const ACTIVATION_HALF_WIDTH: i32 = 6;
/// The width of a note box.
const NOTE_WIDTH: i32 = 146;
/// The height of the text in a DACR box.
const DACR_TEXT_HEIGHT: i32 = 84;
/// The least height of a step's box in the DACR column: its text and a margin.
const DACR_BOX_MINIMUM_HEIGHT: i32 = DACR_TEXT_HEIGHT + 16;

/// A lifeline's x.
fn lifeline_x(lifeline: Lifeline) -> i32 {
    match lifeline {
        Lifeline::UserProgram => 80,
        Lifeline::ExceptionEntry => 240,
        Lifeline::Handler => 400,
        Lifeline::Window => 560,
    }
}

/// The height of an event's row.
fn row_height(event: &Event) -> i32 {
    match event {
        Event::Reading(_) => 46,
        Event::Message { .. } => 52,
        Event::Note { .. } => 62,
    }
}

/// Where in its row an event happens, from the row's top: the dot, the arrow, the middle of
/// the note.
fn moment_in_row(event: &Event) -> i32 {
    match event {
        Event::Reading(_) => 23,
        Event::Message { .. } => 42,
        Event::Note { .. } => 31,
    }
}

/// The picture of the first DACR report in `console`.
pub fn svg(console: &str) -> Result<String, Error> {
    let report = dacr_report::find(console)?;
    Ok(draw(&report))
}

/// An event placed on the page.
struct Placed {
    /// The event.
    event: Event,
    /// The top of its row.
    top: i32,
}

impl Placed {
    /// Where it happens.
    fn moment(&self) -> i32 {
        self.top + moment_in_row(&self.event)
    }
}

/// Places `events` down the timeline, one row each; returns them with the timeline's bottom,
/// low enough for the last step's box in the DACR column.
fn place(events: Vec<Event>) -> (Vec<Placed>, i32) {
    let mut placed = Vec::new();
    let mut y = TIMELINE_TOP;
    for event in events {
        let height = row_height(&event);
        placed.push(Placed { event, top: y });
        y += height;
    }
    let last_start =
        placed.iter().filter_map(|item| item.event.starts().map(|_| item.moment())).max();
    let bottom = (y + 12).max(last_start.unwrap_or(TIMELINE_TOP) + DACR_BOX_MINIMUM_HEIGHT);
    (placed, bottom)
}

/// Draws the whole picture.
fn draw(report: &DacrReport) -> String {
    let pan = ran_with_pan(report);
    let (placed, bottom) = place(events(pan));
    let mut svg = Svg::new();
    svg.define_hatch("unreported", "#f4f4f4", "#dddddd");
    heading(&mut svg, pan);
    let spans = dacr_spans(&placed, bottom);
    for &(step, top, end) in &spans {
        dacr_box(&mut svg, step, report, top, end);
    }
    lifelines(&mut svg, bottom);
    activations(&mut svg, &placed, bottom);
    for item in &placed {
        match &item.event {
            Event::Reading(step) => reading_dot(&mut svg, *step, report, item.moment()),
            Event::Message { from, to, caption, returning, .. } => {
                message(&mut svg, *from, *to, caption, *returning, item.moment());
            }
            Event::Note { on, caption, .. } => note(&mut svg, *on, caption, item.top),
        }
    }
    for &(step, top, end) in &spans {
        dacr_text(&mut svg, step, report, top, end);
    }
    let height = legend(&mut svg, bottom + 30);
    svg.finish(
        WIDTH,
        height,
        "A system call crossing the uaccess window: the DACR at each step",
        "#ffffff",
    )
}

/// The title and what the picture shows.
fn heading(svg: &mut Svg, pan: bool) {
    svg.text(&Text::new(LEFT, 34, 20, "A system call crossing the uaccess window").bold());
    svg.text(&Text::new(
        LEFT,
        58,
        14,
        "The DACR at each step, as the kernel reported it, and what each value gives the four domains",
    ));
    let remark = if pan {
        Text::new(
            LEFT,
            80,
            12,
            "Outside the window, kernel mode has the user domain at No access: a stray kernel \
             access to user memory faults (emulated PAN).",
        )
        .italic()
        .fill(GREY)
    } else {
        Text::new(
            LEFT,
            80,
            12,
            "This boot ran without PAN (pan=off): the user domain stays Client in kernel mode.",
        )
        .bold()
        .fill("#b2182b")
    };
    svg.text(&remark);
}

/// Each step's stretch of the timeline: from the event that sets its value (the top, for
/// the first step) to the next such event (the bottom, for the last).
fn dacr_spans(placed: &[Placed], bottom: i32) -> Vec<(Step, i32, i32)> {
    let mut starts = vec![(Step::UserMode, TIMELINE_TOP)];
    starts.extend(
        placed.iter().filter_map(|item| item.event.starts().map(|step| (step, item.moment()))),
    );
    starts
        .iter()
        .enumerate()
        .map(|(index, &(step, top))| {
            let end = starts.get(index + 1).map_or(bottom, |&(_, next)| next);
            (step, top, end)
        })
        .collect()
}

/// The colours of a DACR box: its background, and the strip and text that carry the user
/// domain's state; grey when the step was not reported.
fn state_colours(dacr: Option<u32>) -> (&'static str, &'static str) {
    match dacr.map(|dacr| access_of(dacr, USER)) {
        Some(DomainAccess::Client) => ("#dff2d8", "#1a7837"),
        Some(DomainAccess::NoAccess) => ("#fbe0d6", "#b2182b"),
        Some(DomainAccess::Reserved | DomainAccess::Manager) => ("#fdf0c2", "#8c6d00"),
        None => ("url(#unreported)", "#777777"),
    }
}

/// The background of one step's box in the DACR column, from `top` to `end`.
fn dacr_box(svg: &mut Svg, step: Step, report: &DacrReport, top: i32, end: i32) {
    let dacr = report.reading(step).map(|reading| reading.dacr);
    let (background, strip) = state_colours(dacr);
    let width = COLUMN_RIGHT - COLUMN_LEFT;
    svg.rect(
        COLUMN_LEFT,
        top,
        width,
        end - top,
        &format!(r##"fill="{background}" stroke="#ffffff" stroke-width="2""##),
    );
    svg.rect(COLUMN_LEFT, top, 8, end - top, &format!(r#"fill="{strip}""#));
}

/// The text of one step's box: the label, the value, the user domain's state and all four
/// domains decoded; or that the step was not reported.
fn dacr_text(svg: &mut Svg, step: Step, report: &DacrReport, top: i32, end: i32) {
    let x = COLUMN_LEFT + 20;
    let block = top + (end - top - DACR_TEXT_HEIGHT) / 2;
    let Some(reading) = report.reading(step) else {
        let lines = [
            Text::new(x, block + 12, 11, step.label()),
            Text::new(x, block + 34, 15, "DACR").monospace().bold(),
            Text::new(x, block + 52, 13, "(not reported)").bold(),
            Text::new(x, block + 68, 11, "the kernel's report in this"),
            Text::new(x, block + 82, 11, "capture leaves this step out"),
        ];
        for line in lines {
            svg.text(&line.fill(GREY).halo());
        }
        return;
    };
    let dacr = reading.dacr;
    let user = access_of(dacr, USER);
    let (_, strip) = state_colours(Some(dacr));
    svg.text(&Text::new(x, block + 12, 11, step.label()).fill(GREY));
    svg.text(
        &Text::new(x, block + 34, 15, &format!("DACR {}", facts::dacr_text(dacr)))
            .monospace()
            .bold(),
    );
    svg.text(
        &Text::new(x, block + 52, 13, &format!("user domain: {}", user.name())).bold().fill(strip),
    );
    let decoded: Vec<String> = DOMAINS
        .into_iter()
        .map(|domain| {
            format!("{domain} {} {}", swpan::domain::name(domain), access_of(dacr, domain).name())
        })
        .collect();
    svg.text(&Text::new(x, block + 68, 11, &format!("{}, {},", decoded[0], decoded[1])).fill(GREY));
    svg.text(&Text::new(x, block + 82, 11, &format!("{}, {}", decoded[2], decoded[3])).fill(GREY));
}

/// The lifelines' name boxes, the DACR column's heading and the dashed lifelines down to
/// `bottom`.
fn lifelines(svg: &mut Svg, bottom: i32) {
    for lifeline in Lifeline::ALL {
        let x = lifeline_x(lifeline);
        let (name, code) = lifeline.name();
        svg.line(
            (x, HEADER_TOP + HEADER_HEIGHT),
            (x, bottom),
            r##"stroke="#999999" stroke-dasharray="5 4""##,
        );
        svg.rect(
            x - HEADER_WIDTH / 2,
            HEADER_TOP,
            HEADER_WIDTH,
            HEADER_HEIGHT,
            r##"rx="5" fill="#eef2f7" stroke="#4a5a70""##,
        );
        svg.text(&Text::new(x, HEADER_TOP + 19, 13, name).bold().anchor(Anchor::Middle));
        svg.text(
            &Text::new(x, HEADER_TOP + 36, 11, code).monospace().anchor(Anchor::Middle).fill(GREY),
        );
    }
    let middle = (COLUMN_LEFT + COLUMN_RIGHT) / 2;
    svg.text(&Text::new(middle, HEADER_TOP + 19, 13, "DACR").bold().anchor(Anchor::Middle));
    svg.text(
        &Text::new(middle, HEADER_TOP + 36, 11, "the user domain is bits [3:2]")
            .anchor(Anchor::Middle)
            .fill(GREY),
    );
}

/// The activation bars: a lifeline is active from the call it receives to the return it
/// sends; the user program, which makes the call, is active throughout.
fn activations(svg: &mut Svg, placed: &[Placed], bottom: i32) {
    let mut open: Vec<(Lifeline, i32)> = vec![(Lifeline::UserProgram, TIMELINE_TOP)];
    let mut bars = Vec::new();
    for item in placed {
        if let Event::Message { from, to, returning, .. } = &item.event {
            if *returning {
                if let Some(index) = open.iter().rposition(|(lifeline, _)| lifeline == from) {
                    let (lifeline, top) = open.remove(index);
                    bars.push((lifeline, top, item.moment()));
                }
            } else {
                open.push((*to, item.moment()));
            }
        }
    }
    bars.extend(open.into_iter().map(|(lifeline, top)| (lifeline, top, bottom - 6)));
    for (lifeline, top, end) in bars {
        svg.rect(
            lifeline_x(lifeline) - ACTIVATION_HALF_WIDTH,
            top,
            2 * ACTIVATION_HALF_WIDTH,
            end - top,
            r##"fill="#e3e3e3" stroke="#777777""##,
        );
    }
}

/// The dot of a step's reading on its lifeline at `y`, joined to the DACR column.
fn reading_dot(svg: &mut Svg, step: Step, report: &DacrReport, y: i32) {
    let x = lifeline_x(lifeline_of(step));
    let (_, strip) = state_colours(report.reading(step).map(|reading| reading.dacr));
    svg.line(
        (x, y),
        (COLUMN_LEFT, y),
        &format!(r#"stroke="{strip}" stroke-width="1.5" stroke-dasharray="2 3""#),
    );
    svg.circle(x, y, 6, &format!(r##"fill="{strip}" stroke="#ffffff" stroke-width="2""##));
}

/// An arrow from one lifeline to another at `y`, its caption above it; dashed for a return.
fn message(
    svg: &mut Svg,
    from: Lifeline,
    to: Lifeline,
    caption: &Caption,
    returning: bool,
    y: i32,
) {
    let direction = if lifeline_x(to) > lifeline_x(from) { 1 } else { -1 };
    let start = lifeline_x(from) + direction * ACTIVATION_HALF_WIDTH;
    let end = lifeline_x(to) - direction * ACTIVATION_HALF_WIDTH;
    let dashes = if returning { r#" stroke-dasharray="6 4""# } else { "" };
    svg.line(
        (start, y),
        (end - direction * 8, y),
        &format!(r##"stroke="#222222" stroke-width="1.5"{dashes}"##),
    );
    svg.polygon(
        &[(end, y), (end - direction * 10, y - 5), (end - direction * 10, y + 5)],
        r##"fill="#222222""##,
    );
    let middle = (lifeline_x(from) + lifeline_x(to)) / 2;
    let what_y = if caption.code.is_empty() { y - 8 } else { y - 22 };
    svg.text(&Text::new(middle, what_y, 12, &caption.what).anchor(Anchor::Middle).halo());
    if !caption.code.is_empty() {
        svg.text(
            &Text::new(middle, y - 7, 10, &caption.code).monospace().anchor(Anchor::Middle).halo(),
        );
    }
}

/// A note box on a lifeline, in the row starting at `top`.
fn note(svg: &mut Svg, on: Lifeline, caption: &Caption, top: i32) {
    let x = lifeline_x(on);
    svg.rect(
        x - NOTE_WIDTH / 2,
        top + 8,
        NOTE_WIDTH,
        46,
        r##"rx="4" fill="#fffbe6" stroke="#b8a04a""##,
    );
    svg.text(&Text::new(x, top + 27, 12, &caption.what).anchor(Anchor::Middle));
    svg.text(&Text::new(x, top + 44, 11, &caption.code).monospace().anchor(Anchor::Middle));
}

/// The legend from `y`: the column's colours and how a DACR value is decoded; returns the
/// picture's height.
fn legend(svg: &mut Svg, y: i32) -> i32 {
    let entries = [
        (
            Some(domain_bits(USER, DomainAccess::Client)),
            "user domain Client: user memory is reachable (user mode, or inside the window)",
        ),
        (
            Some(domain_bits(USER, DomainAccess::NoAccess)),
            "user domain No access: a kernel access to user memory takes a domain fault (PAN)",
        ),
        (
            Some(domain_bits(USER, DomainAccess::Manager)),
            "user domain Manager or reserved: never used by swpan",
        ),
        (None, "not reported by the kernel in this capture"),
    ];
    for (index, (dacr, label)) in entries.iter().enumerate() {
        let top = y + 22 * index as i32;
        let (background, strip) = state_colours(*dacr);
        svg.rect(LEFT, top, 28, 16, &format!(r##"fill="{background}" stroke="#999999""##));
        svg.rect(LEFT, top, 6, 16, &format!(r#"fill="{strip}""#));
        svg.text(&Text::new(LEFT + 38, top + 13, 12, label));
    }
    let notes_y = y + 22 * entries.len() as i32 + 16;
    let notes = [
        "The DACR gives each MMU domain two bits, domain n in bits [2n+1:2n]: 00 No access, 01 Client \
         (permissions checked), 10 reserved, 11 Manager.",
        "swpan's domains: 0 KERNEL, 1 USER (every user page), 2 IO, 3 VECTORS. Dashed arrows are returns.",
    ];
    for (index, note) in notes.iter().enumerate() {
        svg.text(&Text::new(LEFT, notes_y + 18 * index as i32, 11, note).fill(GREY));
    }
    notes_y + 18 * (notes.len() as i32 - 1) + 20
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dacr_column_is_one_box_per_step_each_tall_enough_for_its_text() {
        for pan in [true, false] {
            let (placed, bottom) = place(events(pan));
            let spans = dacr_spans(&placed, bottom);
            let steps: Vec<Step> = spans.iter().map(|&(step, _, _)| step).collect();
            assert_eq!(steps, Step::ALL);
            assert_eq!(spans.first().map(|span| span.1), Some(TIMELINE_TOP));
            assert_eq!(spans.last().map(|span| span.2), Some(bottom));
            for pair in spans.windows(2) {
                assert_eq!(pair[0].2, pair[1].1, "{pair:?}");
            }
            for (step, top, end) in spans {
                assert!(end - top >= DACR_BOX_MINIMUM_HEIGHT, "{step:?}: {top}..{end}");
            }
        }
    }

    #[test]
    fn every_reading_falls_inside_its_own_box() {
        let (placed, bottom) = place(events(true));
        let spans = dacr_spans(&placed, bottom);
        for item in &placed {
            if let Event::Reading(step) = item.event {
                let (_, top, end) = spans.iter().find(|span| span.0 == step).copied().unwrap();
                assert!((top..end).contains(&item.moment()), "{step:?}");
            }
        }
    }
}
