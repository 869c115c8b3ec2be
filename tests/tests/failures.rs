//! The kernel's own failure paths: panics and exceptions nobody expected end in a report and a
//! power-off with status 3, never in a hang.

use swpan_tests::{boot, status};

#[test]
fn a_panic_prints_its_message_and_location_and_exits_3() {
    let run = boot("test=panic");
    run.assert_status(status::FATAL);
    let line = run
        .lines()
        .into_iter()
        .find(|line| line.starts_with("Kernel panic - not syncing: "))
        .unwrap_or_else(|| panic!("no panic line:\n{run}"));
    assert!(
        line.starts_with(
            "Kernel panic - not syncing: test=panic: a panic on purpose (at kernel/src/"
        ),
        "{run}"
    );
}

#[test]
fn a_panic_inside_the_panic_handler_stops_at_once() {
    let run = boot("test=nested-panic");
    run.assert_status(status::FATAL);
    run.assert_line("Kernel panic - not syncing: panic inside the panic handler");
    assert_eq!(run.console.matches("Kernel panic").count(), 2, "{run}");
}

#[test]
fn an_unexpected_undefined_instruction_is_reported_with_registers() {
    let run = boot("test=undefined-instruction");
    run.assert_status(status::FATAL);
    let lines = run.lines();
    let start = lines
        .iter()
        .position(|line| line.starts_with("Unexpected exception: undefined instruction at 0x8"))
        .unwrap_or_else(|| panic!("no report:\n{run}"));
    assert!(lines[start].ends_with(" in SVC_32"), "{run}");
    let pc = &lines[start]["Unexpected exception: undefined instruction at 0x".len()..][..8];
    assert!(lines[start + 1].starts_with("PC is at swpan::jobs::test_hooks::run+0x"), "{run}");
    assert!(lines[start + 2].starts_with("LR is at "), "{run}");
    assert!(lines[start + 3].starts_with(&format!("pc : [<{pc}>]    lr : [<")), "{run}");
    let prefixes = ["sp : ", "r10: ", "r7 : ", "r3 : ", "Flags: ", "Control: ", "Call trace:"];
    for (offset, prefix) in prefixes.iter().enumerate() {
        assert!(
            lines[start + 4 + offset].starts_with(prefix),
            "line {offset} of the report:\n{run}"
        );
    }
    assert!(lines[start + 8].contains("Mode SVC_32"), "{run}");
    assert!(lines[start + 11].starts_with(" swpan::jobs::test_hooks::run+0x"), "{run}");
    assert!(lines[start + 12].starts_with(" kernel_main+0x"), "{run}");
    run.assert_line("Kernel panic - not syncing: unexpected undefined instruction");
}

#[test]
fn the_kernel_says_when_qemu_runs_without_semihosting() {
    // Bypasses qemu/run on purpose: the one QEMU line it would never produce.
    let output = std::process::Command::new("timeout")
        .args([
            "30",
            "qemu-system-arm",
            "-M",
            "vexpress-a15",
            "-cpu",
            "cortex-a15",
            "-m",
            "128M",
            "-nographic",
            "-kernel",
        ])
        .arg(swpan_tests::kernel())
        .env("QEMU_AUDIO_DRV", "none")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    let console = String::from_utf8_lossy(&output.stdout);
    assert!(console.contains("swpan: semihosting is disabled"), "{console}");
    // Powered off through the board, not killed by the timeout.
    assert_eq!(output.status.code(), Some(0), "{console}");
}
