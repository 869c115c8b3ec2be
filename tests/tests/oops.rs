//! The oops path keeps the kernel's promise: an oops inside an open window leaves no window
//! open behind it, and an oops under a lock that killing the process needs ends in a panic
//! with a message, never a hang.

use swpan_tests::{BootOptions, boot, boot_with, status};

#[test]
fn an_oops_inside_a_window_closes_it_and_the_kernel_goes_on() {
    let log = std::env::temp_dir().join(format!("swpan-oops-in-window-{}.log", std::process::id()));
    let log_arg = log.to_str().unwrap().to_string();
    let run = boot_with(
        "test=oops-in-window",
        &BootOptions { run_options: &["--log", &log_arg], ..Default::default() },
    );
    let qemu_log = std::fs::read_to_string(&log).unwrap_or_default();
    let _ = std::fs::remove_file(&log);
    // QEMU's own record: a data abort, translation fault (DFSR 0x5) at the unmapped address.
    assert!(qemu_log.contains("DFSR 0x5 DFAR 0x88000000"), "{qemu_log}");
    run.assert_status(status::SUCCESS);
    run.assert_line("Unable to handle kernel paging request at virtual address 88000000 when read");
    run.assert_line("CPU: 0 PID: 1 Comm: provoke Not tainted");
    // The report shows the DACR the faulting code ran with: the window was open.
    let dac = run
        .lines()
        .into_iter()
        .find(|line| line.starts_with("Control: "))
        .unwrap_or_else(|| panic!("no Control: line\n{run}"));
    assert!(dac.ends_with("DAC: 00000055"), "{run}");
    run.assert_line("---[ end trace: oops #1 killed provoke[1] ]---");
    run.assert_line("test: FAULT_IN_WINDOW: provoke[1] killed by the oops");
    run.assert_line(
        "test: FAULT_IN_WINDOW: kernel DACR 0x51 after the oops, usertest Ok(Exited(0)), 0 DACR invariants broken",
    );
    run.assert_lacks("DACR invariant broken");
}

#[test]
fn without_pan_the_same_oops_still_kills_only_the_process() {
    let run = boot("test=oops-in-window pan=off");
    run.assert_status(status::SUCCESS);
    run.assert_line("test: FAULT_IN_WINDOW: provoke[1] killed by the oops");
    run.assert_lacks("DACR invariant broken");
}

#[test]
fn an_oops_under_the_process_table_lock_panics_instead_of_hanging() {
    let run =
        boot_with("test=oops-under-lock", &BootOptions { timeout: Some(20), ..Default::default() });
    run.assert_status(status::FATAL);
    run.assert_line("Unable to handle kernel paging request at virtual address 88000000 when read");
    // The report still names the process and walks its stack, although the table is locked.
    run.assert_line("CPU: 0 PID: 1 Comm: provoke Not tainted");
    run.assert_contains(" swpan::lkdtm::failure_paths::fault_under_lock+");
    run.assert_lacks("is on no known stack");
    run.assert_line(
        "Kernel panic - not syncing: Fatal exception: oops while holding the process table lock: provoke[1] cannot be killed",
    );
}

#[test]
fn failure_path_crash_types_exist_only_in_boots_that_ask_for_them() {
    let run = boot_with(
        "shell",
        &BootOptions { input: b"provoke FAULT_IN_WINDOW\npoweroff\n", ..Default::default() },
    );
    run.assert_status(status::SUCCESS);
    run.assert_lacks("Performing direct entry FAULT_IN_WINDOW");
    run.assert_lacks("Oops");
}

#[test]
fn a_kernel_stack_overflow_hits_the_guard_page_and_kills_only_the_process() {
    let run = boot_with(
        "shell",
        &BootOptions {
            input: b"provoke EXHAUST_STACK\nprovoke EXHAUST_STACK\npoweroff\n",
            timeout: Some(30),
            ..Default::default()
        },
    );
    run.assert_status(status::SUCCESS);
    assert_eq!(
        run.console.matches("Insufficient stack space to handle exception!").count(),
        2,
        "{run}"
    );
    run.assert_contains("Internal error: kernel stack overflow: 0 [#1] ARM");
    run.assert_contains("Internal error: kernel stack overflow: 0 [#2] ARM");
    // The stacks the report names, and the recursion in the call trace.
    let task = run
        .lines()
        .into_iter()
        .find(|line| line.starts_with("Task stack:     [0xe"))
        .unwrap_or_else(|| panic!("no task stack line in the vmalloc area\n{run}"));
    assert!(task.ends_with(']'), "{run}");
    run.assert_contains("Overflow stack: [0x8");
    run.assert_contains(" swpan::lkdtm::bugs::recurse+");
    run.assert_contains(
        "EXHAUST_STACK: blocked: process 2 killed by a kernel oops (page translation fault at 0xe",
    );
}
