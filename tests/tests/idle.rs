//! A kernel with nothing to run sleeps: the CPU waits for interrupts (WFI) instead of spinning,
//! so QEMU uses little host CPU time while the shell waits for a key.

use std::process::Command;
use swpan_tests::{kernel, root};

/// Host CPU seconds (user + system) that `command` and its children used, from bash's `times`.
fn cpu_seconds_of(command: &str) -> f64 {
    let script = format!("{command} > /dev/null 2>&1; times");
    let output = Command::new("bash")
        .args(["-c", &script])
        .current_dir(root())
        .env("KERNEL", kernel())
        .output()
        .expect("bash runs");
    let text = String::from_utf8_lossy(&output.stdout);
    // `times` prints the shell's own times, then its children's: "0m1.234s 0m0.056s".
    let children = text.lines().nth(1).unwrap_or_else(|| panic!("no times output: {text}"));
    children
        .split_whitespace()
        .map(|field| {
            let (minutes, seconds) = field.trim_end_matches('s').split_once('m').expect("NmS.SSSs");
            minutes.parse::<f64>().unwrap() * 60.0 + seconds.parse::<f64>().unwrap()
        })
        .sum()
}

#[test]
fn an_idle_kernel_waits_for_interrupts() {
    // Five seconds at the shell's prompt with no input, then power-off.
    let idle =
        cpu_seconds_of("(sleep 5; printf 'poweroff\\n') | qemu/run --timeout 30 \"$KERNEL\" shell");
    // Booting and powering off cost a fraction of a second; a spinning CPU would cost the
    // whole five (QEMU runs the guest on one host thread).
    assert!(idle < 2.0, "QEMU used {idle:.2} s of CPU time in 5 s of idling");
}
