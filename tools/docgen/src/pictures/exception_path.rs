//! The exception path with software PAN: vector, entry stub, the data abort handler's
//! decisions in the order the code takes them, and the return, with a fault and an interrupt
//! taken inside an open uaccess window traced through it.
//!
//! The picture is read from the kernel's sources and constants, never typed: the stub's DACR
//! steps are looked up in `arch/vectors.s` (the `mrc` of the DACR, its store at `FRAME_DACR`,
//! the `mov` of `DACR_KERNEL`, `mcr`, `isb`, then the call; the return's load from the frame
//! and the `mov` of `DACR_USER`) and must come in that order; the handler's decisions are the
//! calls `handle_data_abort` in `trap.rs` makes, drawn in the order they appear there; the DACR
//! values and the frame offset come from the kernel's host library.

use super::error::Error;
use super::facts::{DACR_KERNEL, DACR_USER, dacr_text};
use crate::svg::{Anchor, DARK_RED, GREY, Svg, Text};

/// One decision of the data abort handler: what the source calls, and how the picture says it.
struct Decision {
    /// The text that marks it in `handle_data_abort`'s body.
    marker: &'static str,
    /// The question, in the decision box.
    test: &'static str,
    /// What happens when it holds.
    outcome: &'static str,
    /// Whether that outcome goes back to the interrupted code (and so through the return).
    returns: bool,
}

/// Every decision the picture knows, in no particular order: the source gives the order.
const DECISIONS: [Decision; 5] = [
    Decision {
        marker: "overflow_stack()",
        test: "the frame is on the overflow stack?",
        outcome: "oops: kernel stack overflow",
        returns: false,
    },
    Decision {
        marker: "frame.from_user()",
        test: "taken in user mode?",
        outcome: "user_fault: SIGSEGV to the process",
        returns: true,
    },
    Decision {
        marker: "fixup_for(",
        test: "not a domain fault, and a listed user access?",
        outcome: "resume at its fixup: EFAULT",
        returns: true,
    },
    Decision {
        marker: "catch_expected(",
        test: "a self-test declared this exception?",
        outcome: "the self-test's handler",
        returns: true,
    },
    Decision {
        marker: "oops::kernel_fault(",
        test: "anything else",
        outcome: "oops: the report; the process dies",
        returns: false,
    },
];

/// The stub's DACR steps, each as the source writes it, in the order they must appear.
const ENTRY_STEPS: [(&str, &str); 6] = [
    ("srsdb", "push the return address and SPSR; save r0-r12, SP_usr, LR_usr, LR_svc"),
    ("mrc     p15, 0, r1, c3, c0, 0", "mrc: read the interrupted DACR"),
    ("str     r1, [sp, #{FRAME_DACR}]", "str: keep it in the trap frame (FRAME_DACR)"),
    ("mov     r1, #{DACR_KERNEL}", "mov, mcr: write DACR_KERNEL, the window closed"),
    ("isb", "isb: the handler runs with the new value"),
    ("bl      \\handler", "bl: the Rust handler, with r0 = the frame"),
];

/// The return path's DACR steps, as the source writes them.
const RETURN_STEPS: [&str; 2] = ["ldr     r1, [sp, #{FRAME_DACR}]", "mov     r1, #{DACR_USER}"];

/// The body of the Rust function `name` in `source`: from its `fn` to the first `}` at the
/// start of a line.
fn function_body<'a>(source: &'a str, name: &str) -> Result<&'a str, Error> {
    let start = source
        .find(&format!("fn {name}("))
        .ok_or_else(|| Error::Source { problem: format!("no function {name} in trap.rs") })?;
    let rest = &source[start..];
    let end = rest.find("\n}").map_or(rest.len(), |end| end + 2);
    Ok(&rest[..end])
}

/// The decisions of `handle_data_abort` in the order of its source.
fn decisions(trap_rs: &str) -> Result<Vec<&'static Decision>, Error> {
    let body = function_body(trap_rs, "handle_data_abort")?;
    let mut found: Vec<(usize, &'static Decision)> = Vec::new();
    for decision in &DECISIONS {
        let at = body.find(decision.marker).ok_or_else(|| Error::Source {
            problem: format!("handle_data_abort no longer calls {}", decision.marker),
        })?;
        found.push((at, decision));
    }
    found.sort_by_key(|&(at, _)| at);
    Ok(found.into_iter().map(|(_, decision)| decision).collect())
}

/// Checks that the pan entry stub and the return path hold their DACR steps, in order.
fn check_stubs(vectors_s: &str) -> Result<(), Error> {
    let entry = vectors_s.find(".macro EXCEPTION_ENTRY").ok_or_else(|| Error::Source {
        problem: "no EXCEPTION_ENTRY macro in vectors.s".to_owned(),
    })?;
    let mut at = entry;
    for (step, _) in ENTRY_STEPS {
        at = vectors_s[at..].find(step).map(|offset| at + offset).ok_or_else(|| Error::Source {
            problem: format!("the entry stub has no `{step}` after the previous step"),
        })?;
    }
    for (label, step) in
        [("exception_return_pan:", RETURN_STEPS[0]), ("return_to_user_pan:", RETURN_STEPS[1])]
    {
        let start = vectors_s
            .find(label)
            .ok_or_else(|| Error::Source { problem: format!("no {label} in vectors.s") })?;
        let size = vectors_s[start..].find(".size").unwrap_or(vectors_s.len() - start);
        if !vectors_s[start..start + size].contains(step) {
            return Err(Error::Source { problem: format!("{label} has no `{step}`") });
        }
    }
    Ok(())
}

/// The picture's width, in pixels.
const WIDTH: i32 = 1110;
/// The main column's left edge.
const MAIN_LEFT: i32 = 20;
/// The main column's width.
const MAIN_WIDTH: i32 = 600;
/// The traces' column's left edge.
const TRACE_LEFT: i32 = 650;
/// The traces' column's width.
const TRACE_WIDTH: i32 = 440;
/// The width of a decision's box.
const DECISION_WIDTH: i32 = 330;
/// Where a decision's outcome box starts, from the main column's left edge.
const OUTCOME_OFFSET: i32 = 354;
/// Green for an open window.
const OPEN: &str = "#238b45";

/// The exception-path picture from the kernel's `trap.rs` and `vectors.s`.
pub fn svg(trap_rs: &str, vectors_s: &str) -> Result<String, Error> {
    let order = decisions(trap_rs)?;
    check_stubs(vectors_s)?;
    let kernel = dacr_text(DACR_KERNEL);
    let user = dacr_text(DACR_USER);
    let mut svg = Svg::new();
    svg.text(
        &Text::new(MAIN_LEFT, 32, 20, "An exception with software PAN, from vector to return")
            .bold(),
    );
    svg.text(
        &Text::new(
            MAIN_LEFT,
            54,
            12,
            "Read from kernel/src/arch/vectors.s (the stub's DACR steps, in their order) and \
             kernel/src/trap.rs (handle_data_abort's decisions, in their order).",
        )
        .italic()
        .fill(GREY),
    );
    // The vector.
    let mut y = 74;
    y = box_with_lines(
        &mut svg,
        MAIN_LEFT,
        y,
        MAIN_WIDTH,
        "1. The vector (VBAR: exception_vectors_pan)",
        &["ldr pc, [pc, #24]: the slot's entry stub (data abort, IRQ, ...)".to_owned()],
        "#eeeeee",
    );
    y = arrow_down(&mut svg, y);
    let entry_lines: Vec<String> = ENTRY_STEPS
        .iter()
        .map(|(_, says)| {
            says.replace("DACR_KERNEL", &format!("DACR_KERNEL ({kernel})")).replace(
                "FRAME_DACR",
                &format!("FRAME_DACR, offset {}", swpan::arch::trap_frame::FRAME_DACR),
            )
        })
        .collect();
    y = box_with_lines(
        &mut svg,
        MAIN_LEFT,
        y,
        MAIN_WIDTH,
        "2. The entry stub (EXCEPTION_ENTRY, every exception but svc)",
        &entry_lines,
        "#fde0dd",
    );
    svg.text(
        &Text::new(MAIN_LEFT + MAIN_WIDTH - 10, y - 10, 12, &format!("from here: DACR {kernel}"))
            .bold()
            .anchor(Anchor::End)
            .fill(DARK_RED),
    );
    y = arrow_down(&mut svg, y);
    svg.text(
        &Text::new(MAIN_LEFT, y + 14, 14, "3. handle_data_abort decides, in this order").bold(),
    );
    y += 24;
    for (index, decision) in order.iter().enumerate() {
        let height = 34;
        svg.rect(
            MAIN_LEFT,
            y,
            DECISION_WIDTH,
            height,
            r##"fill="#fff7bc" stroke="#999999" rx="6""##,
        );
        svg.text(&Text::new(
            MAIN_LEFT + 8,
            y + 21,
            12,
            &format!("{}. {}", index + 1, decision.test),
        ));
        arrow(
            &mut svg,
            (MAIN_LEFT + DECISION_WIDTH, y + height / 2),
            (MAIN_LEFT + OUTCOME_OFFSET - 1, y + height / 2),
        );
        let fill = if decision.returns { "#e5f5e0" } else { "#fcbba1" };
        svg.rect(
            MAIN_LEFT + OUTCOME_OFFSET,
            y,
            MAIN_WIDTH - OUTCOME_OFFSET,
            height,
            &format!(r##"fill="{fill}" stroke="#999999""##),
        );
        svg.text(&Text::new(MAIN_LEFT + OUTCOME_OFFSET + 8, y + 21, 12, decision.outcome));
        y += height + 8;
    }
    for (index, note) in [
        "green: back through the return below; red: the process (or the boot) ends.",
        "An IRQ runs handle_irq instead: the timer or the UART, then, on the way back to user",
        "mode only, a reschedule.",
    ]
    .into_iter()
    .enumerate()
    {
        svg.text(&Text::new(MAIN_LEFT, y + 10 + 15 * index as i32, 11, note).fill(GREY));
    }
    y = arrow_down(&mut svg, y + 48);
    y = box_with_lines(
        &mut svg,
        MAIN_LEFT,
        y,
        MAIN_WIDTH,
        "4. The return (exception_return_pan)",
        &[
            format!("to user mode (SPSR.M = User): write DACR_USER ({user}): return_to_user_pan"),
            "to kernel mode: write back the frame's DACR (FRAME_DACR), as it was interrupted"
                .to_owned(),
            "rfeia: reload PC and CPSR from the frame (context synchronizing)".to_owned(),
        ],
        "#e5f5e0",
    );
    let main_bottom = y;
    // The two traces.
    let mut t = 74;
    t = trace(
        &mut svg,
        t,
        "A fault inside a window (copy_from_user, bad page)",
        &[
            (user.clone(), "the copy's window is open; its ldm faults"),
            (user.clone(), "the stub saves it in the frame ..."),
            (kernel.clone(), "... and closes: the handler runs closed"),
            (kernel.clone(), "handle_data_abort: a fixup, frame.pc = fixup"),
            (user.clone(), "the return restores the frame's value"),
            (kernel.clone(), "the fixup closes the window, returns EFAULT"),
        ],
    );
    t += 24;
    t = trace(
        &mut svg,
        t,
        "An interrupt inside a window (the timer during a copy)",
        &[
            (user.clone(), "the copy's window is open"),
            (user.clone(), "IRQ: the stub saves it in the frame ..."),
            (kernel.clone(), "... and closes: handle_irq runs closed"),
            (kernel.clone(), "no reschedule: the interrupted code is the kernel"),
            (user.clone(), "the return restores the open window"),
            (kernel.clone(), "the copy goes on, then closes its window"),
        ],
    );
    t += 24;
    t = trace(
        &mut svg,
        t,
        "A domain fault (a kernel bug outside any window)",
        &[
            (kernel.clone(), "a plain ldr of a user address"),
            (kernel.clone(), "domain fault; the stub saves and closes"),
            (kernel.clone(), "not from user; not fixable: no fixup"),
            (kernel.clone(), "oops; the calling process is killed"),
        ],
    );
    let height = main_bottom.max(t) + 20;
    Ok(svg.finish(
        WIDTH,
        height,
        "An exception with software PAN, from vector to return",
        "#ffffff",
    ))
}

/// A titled box of lines at (`x`, `y`); returns its bottom.
fn box_with_lines(
    svg: &mut Svg,
    x: i32,
    y: i32,
    width: i32,
    title: &str,
    lines: &[String],
    fill: &str,
) -> i32 {
    let height = 28 + 17 * lines.len() as i32;
    svg.rect(x, y, width, height, &format!(r##"fill="{fill}" stroke="#999999" rx="6""##));
    svg.text(&Text::new(x + 10, y + 19, 13, title).bold());
    for (index, line) in lines.iter().enumerate() {
        svg.text(&Text::new(x + 18, y + 38 + 17 * index as i32, 12, line));
    }
    y + height
}

/// A short arrow down from `y` in the main column; returns where the next box starts.
fn arrow_down(svg: &mut Svg, y: i32) -> i32 {
    let x = MAIN_LEFT + 40;
    arrow(svg, (x, y), (x, y + 21));
    y + 22
}

/// An arrow from `from` to `to`, horizontal or vertical, its head at `to`.
fn arrow(svg: &mut Svg, from: (i32, i32), to: (i32, i32)) {
    let (dx, dy) = ((to.0 - from.0).signum(), (to.1 - from.1).signum());
    svg.line(from, (to.0 - 8 * dx, to.1 - 8 * dy), r##"stroke="#333333" stroke-width="1.5""##);
    let (side_x, side_y) = (dy * 5, dx * 5);
    svg.polygon(
        &[
            to,
            (to.0 - 9 * dx + side_x, to.1 - 9 * dy + side_y),
            (to.0 - 9 * dx - side_x, to.1 - 9 * dy - side_y),
        ],
        r##"fill="#333333""##,
    );
}

/// One trace: a title, then each step's DACR value (coloured open or closed) and what happens;
/// returns its bottom.
fn trace(svg: &mut Svg, y: i32, title: &str, steps: &[(String, &str)]) -> i32 {
    svg.rect(
        TRACE_LEFT,
        y,
        TRACE_WIDTH,
        28 + 20 * steps.len() as i32,
        r##"fill="#fafafa" stroke="#cccccc" rx="6""##,
    );
    svg.text(&Text::new(TRACE_LEFT + 10, y + 19, 13, title).bold());
    for (index, (dacr, what)) in steps.iter().enumerate() {
        let baseline = y + 40 + 20 * index as i32;
        let colour = if *dacr == dacr_text(DACR_USER) { OPEN } else { DARK_RED };
        svg.text(
            &Text::new(TRACE_LEFT + 14, baseline, 12, &format!("DACR {dacr}"))
                .monospace()
                .bold()
                .fill(colour),
        );
        svg.text(&Text::new(TRACE_LEFT + 110, baseline, 12, what));
    }
    y + 28 + 20 * steps.len() as i32
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAP: &str = "\
#[unsafe(no_mangle)]
extern \"C\" fn handle_data_abort(frame: &mut TrapFrame) {
    if crate::mm::image::overflow_stack().contains(&x) { oops::stack_overflow() }
    if frame.from_user() { return user_fault(frame, &event); }
    if ok && let Some(fixup) = uaccess::extable::fixup_for(frame.pc) { return; }
    if expected_exception::catch_expected(frame, &event) { return; }
    oops::kernel_fault(frame, &headline)
}

#[unsafe(no_mangle)]
extern \"C\" fn handle_irq(frame: &mut TrapFrame) {
    if frame.from_user() { return_to_user(frame); }
}
";

    #[test]
    fn the_decisions_come_in_the_source_order() {
        let order: Vec<&str> =
            decisions(TRAP).expect("all found").iter().map(|decision| decision.marker).collect();
        assert_eq!(
            order,
            [
                "overflow_stack()",
                "frame.from_user()",
                "fixup_for(",
                "catch_expected(",
                "oops::kernel_fault("
            ]
        );
        // Move the self-tests' hook first: the picture follows.
        let reordered = TRAP.replace(
            "    if frame.from_user() { return user_fault(frame, &event); }\n",
            "",
        )
        .replace("    oops::kernel_fault", "    if frame.from_user() { return user_fault(frame, &event); }\n    oops::kernel_fault");
        let order: Vec<&str> = decisions(&reordered)
            .expect("all found")
            .iter()
            .map(|decision| decision.marker)
            .collect();
        assert_eq!(order[3], "frame.from_user()", "{order:?}");
    }

    #[test]
    fn a_decision_the_handler_lost_is_an_error() {
        let Err(Error::Source { problem }) = decisions(&TRAP.replace("fixup_for(", "lookup("))
        else {
            panic!("a missing fixup goes unnoticed");
        };
        assert!(problem.contains("fixup_for("), "{problem}");
    }
}
