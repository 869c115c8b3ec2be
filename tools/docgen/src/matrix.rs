//! The two generated pages of outcomes: `docs/lkdtm-matrix.md`, every lkdtm crash type under
//! the four combinations of `pan=` and `pxn=` and with `xpfo=off`, and `docs/bad-pointers.md`, what every system
//! call that takes a pointer answers to each kind of bad pointer.
//!
//! `qemu/matrix` and `qemu/pointer-matrix` make the boots and hand their console captures
//! here; each page is its fixed introduction, then a table read from the captures.

/// The `pan=`/`pxn=`/`xpfo=` combinations of the lkdtm matrix, in column order: one capture
/// each (`xpfo=` is on unless named).
pub const CONFIGURATIONS: [&str; 5] =
    ["pan=on pxn=on", "pan=on pxn=off", "pan=off pxn=on", "pan=off pxn=off", "xpfo=off"];

/// The lkdtm page above its table.
const LKDTM_INTRODUCTION: &str = "# The lkdtm perms family: outcome matrix

Every crash type of lkdtm's perms family, run in its own process (`lkdtm=all`), under the
four combinations of emulated PAN and hardware PXN (exclusive page-frame ownership on), and
with PAN and PXN on but `xpfo=off` (the linear map keeps every user frame). Each cell is the
outcome and the fault that stopped the attack (addresses left out: they move with the code).
Generated from real boots by `qemu/matrix` (`make matrix`); `tests/tests/matrix.rs` fails when this file no
longer matches a fresh run.
";

/// The bad-pointer page above its table.
const BAD_POINTERS_INTRODUCTION: &str = "# Bad pointers: what each system call answers

Every system call that takes a pointer, called by the user program `badptr` with each
kind of bad pointer (`init=badptr`). A cell is the errno the call returned, `ok N` when
it succeeded and returned N, `ok` when it succeeded with a value that says nothing here
(a pid), and `-` where the case means nothing (a string has no length). Each case passes
16 bytes unless its name says otherwise; string calls read a string at the pointer, and
their case across the top of the user half is a string that runs into the top without a
NUL. Generated from a real boot by `qemu/pointer-matrix` (`make matrix`);
`tests/tests/hostile.rs` fails when this file no longer matches a fresh run. What the
table proves, and how, is in [hostile-input.md](hostile-input.md).
";

/// The lines of a console capture, without carriage returns.
fn lines(capture: &str) -> impl Iterator<Item = &str> {
    capture.lines().map(|line| line.trim_end_matches('\r'))
}

/// The crash types in the order the first capture gives their verdicts: every
/// `lkdtm: NAME: blocked|FAIL|XFAIL...` line.
fn crash_types(capture: &str) -> Vec<&str> {
    lines(capture)
        .filter_map(|line| {
            let (name, verdict) = line.strip_prefix("lkdtm: ")?.split_once(": ")?;
            let is_name = name.bytes().all(|byte| byte.is_ascii_uppercase() || byte == b'_');
            let is_verdict = ["blocked", "FAIL", "XFAIL"].iter().any(|v| verdict.starts_with(v));
            (!name.is_empty() && is_name && is_verdict).then_some(name)
        })
        .collect()
}

/// One cell: the verdict of `name` in `capture`, without the address (which moves with the
/// code): `blocked (page domain fault at 0x40000000)` reads `blocked: page domain fault`,
/// any `XFAIL: ...` reads `XFAIL`; empty when the capture has no verdict for it.
fn cell(capture: &str, name: &str) -> String {
    let prefix = format!("lkdtm: {name}: ");
    let Some(verdict) = lines(capture).find_map(|line| line.strip_prefix(&prefix)) else {
        return String::new();
    };
    let blocked_by = verdict.strip_prefix("blocked (").and_then(|rest| {
        let inside = rest.strip_suffix(')')?;
        let (fault, address) = inside.rsplit_once(" at 0x")?;
        address.bytes().all(|byte| matches!(byte, b'0'..=b'9' | b'a'..=b'f')).then_some(fault)
    });
    match blocked_by {
        Some(fault) => format!("blocked: {fault}"),
        None if verdict.starts_with("XFAIL: ") => "XFAIL".to_owned(),
        None => verdict.to_owned(),
    }
}

/// The lkdtm page from the captures of the boots, in [`CONFIGURATIONS`] order.
pub fn lkdtm_page(captures: &[String; CONFIGURATIONS.len()]) -> String {
    let mut page = format!("{LKDTM_INTRODUCTION}\n");
    page.push_str(&format!("| crash type | {} |\n", CONFIGURATIONS.join(" | ")));
    page.push_str(&format!("|---|{}\n", "---|".repeat(CONFIGURATIONS.len())));
    for name in crash_types(&captures[0]) {
        let cells: Vec<String> = captures.iter().map(|capture| cell(capture, name)).collect();
        page.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
    }
    page
}

/// The bad-pointer page from the capture of an `init=badptr` boot: its table is every line
/// of the capture that starts with `| `; `None` when there is no such line.
pub fn bad_pointers_page(capture: &str) -> Option<String> {
    let table: Vec<&str> = lines(capture).filter(|line| line.starts_with("| ")).collect();
    if table.is_empty() {
        return None;
    }
    Some(format!("{BAD_POINTERS_INTRODUCTION}\n{}\n", table.join("\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture(verdicts: &[&str]) -> String {
        let mut text =
            "swpan: booting\r\nlkdtm: Performing direct entry ACCESS_USERSPACE\r\n".to_owned();
        for verdict in verdicts {
            text.push_str(&format!("lkdtm: {verdict}\r\n"));
        }
        text
    }

    #[test]
    fn cells_drop_the_address_and_the_xfail_reason() {
        let run = capture(&[
            "ACCESS_USERSPACE: blocked (page domain fault at 0x40000000)",
            "EXEC_USERSPACE: FAIL: func returned",
            "WRITE_RO: XFAIL: needs a later kernel",
            "ODD: blocked (a fault at 0x40 at 0xbeef)",
        ]);
        assert_eq!(cell(&run, "ACCESS_USERSPACE"), "blocked: page domain fault");
        assert_eq!(cell(&run, "EXEC_USERSPACE"), "FAIL: func returned");
        assert_eq!(cell(&run, "WRITE_RO"), "XFAIL");
        assert_eq!(cell(&run, "ODD"), "blocked: a fault at 0x40");
        assert_eq!(cell(&run, "MISSING"), "");
    }

    #[test]
    fn the_rows_follow_the_first_capture() {
        let on = capture(&[
            "EXEC_USERSPACE: blocked (page domain fault at 0x40000000)",
            "ACCESS_USERSPACE: blocked (page domain fault at 0x40000000)",
        ]);
        let off = capture(&["ACCESS_USERSPACE: FAIL: survived bad read and bad write"]);
        let page = lkdtm_page(&[on.clone(), on.clone(), off.clone(), off, on]);
        let rows: Vec<&str> = page.lines().filter(|line| line.starts_with("| ")).collect();
        assert_eq!(
            rows,
            [
                "| crash type | pan=on pxn=on | pan=on pxn=off | pan=off pxn=on | pan=off pxn=off \
                 | xpfo=off |",
                "| EXEC_USERSPACE | blocked: page domain fault | blocked: page domain fault |  |  \
                 | blocked: page domain fault |",
                "| ACCESS_USERSPACE | blocked: page domain fault | blocked: page domain fault | \
                 FAIL: survived bad read and bad write | FAIL: survived bad read and bad write \
                 | blocked: page domain fault |",
            ]
        );
        assert!(page.starts_with("# The lkdtm perms family: outcome matrix\n\nEvery crash type"));
        assert!(page.contains("longer matches a fresh run.\n\n| crash type |"));
    }

    #[test]
    fn the_bad_pointer_table_is_the_capture_table() {
        let run = "boot\r\n| call | NULL |\r\n| --- | --- |\r\n| read | EFAULT |\r\n|x\r\nbadptr: done\r\n";
        let page = bad_pointers_page(run).expect("a table");
        assert_eq!(bad_pointers_page("boot\n|x\n"), None);
        assert!(page.ends_with(
            "[hostile-input.md](hostile-input.md).\n\n| call | NULL |\n| --- | --- |\n| read | EFAULT |\n"
        ));
    }
}
