//! The `lkdtm=` contract: one summary line per name, and the exit status, for both crash
//! types under every combination of `pan=` and `pxn=`.

use swpan_tests::{BootOptions, boot, boot_with, status};

#[test]
fn access_userspace_is_blocked_by_pan() {
    let run = boot("lkdtm=ACCESS_USERSPACE");
    run.assert_status(status::SUCCESS);
    run.assert_line("lkdtm: Performing direct entry ACCESS_USERSPACE");
    run.assert_line("lkdtm: attempting bad read at 0x40000000");
    run.assert_line("Unhandled fault: page domain fault (0x01b) at 0x40000000");
    run.assert_contains("Comm: provoke");
    run.assert_lacks("lkdtm: FAIL");
    assert_eq!(run.lkdtm_summary("ACCESS_USERSPACE"), "blocked (page domain fault at 0x40000000)");
}

#[test]
fn access_userspace_succeeds_without_pan() {
    for command_line in ["pan=off lkdtm=ACCESS_USERSPACE", "pan=off pxn=off lkdtm=ACCESS_USERSPACE"]
    {
        let run = boot(command_line);
        run.assert_status(status::FAILURE);
        run.assert_line("lkdtm: FAIL: survived bad read");
        run.assert_line("lkdtm: attempting bad write at 0x40000000");
        run.assert_line("lkdtm: FAIL: survived bad write");
        assert_eq!(run.lkdtm_summary("ACCESS_USERSPACE"), "FAIL: survived bad read and bad write");
    }
    // PXN is about execution: it does not stop a read.
    let run = boot("pxn=off lkdtm=ACCESS_USERSPACE");
    run.assert_status(status::SUCCESS);
    assert_eq!(run.lkdtm_summary("ACCESS_USERSPACE"), "blocked (page domain fault at 0x40000000)");
}

#[test]
fn exec_userspace_is_blocked_by_pan_then_by_pxn() {
    for command_line in ["lkdtm=EXEC_USERSPACE", "pxn=off lkdtm=EXEC_USERSPACE"] {
        let run = boot(command_line);
        run.assert_status(status::SUCCESS);
        run.assert_line("lkdtm: attempting bad execution at 0x40000000");
        run.assert_line("Unhandled prefetch abort: page domain fault (0x00b) at 0x40000000");
        assert_eq!(
            run.lkdtm_summary("EXEC_USERSPACE"),
            "blocked (page domain fault at 0x40000000)"
        );
    }
    let run = boot("pan=off pxn=on lkdtm=EXEC_USERSPACE");
    run.assert_status(status::SUCCESS);
    run.assert_line(
        "Unable to handle kernel paging request at virtual address 40000000 when execute",
    );
    assert_eq!(
        run.lkdtm_summary("EXEC_USERSPACE"),
        "blocked (page permission fault at 0x40000000)"
    );
}

#[test]
fn exec_userspace_succeeds_without_pan_and_pxn() {
    let run = boot("pan=off pxn=off lkdtm=EXEC_USERSPACE");
    run.assert_status(status::FAILURE);
    run.assert_line("lkdtm: FAIL: func returned");
    assert_eq!(run.lkdtm_summary("EXEC_USERSPACE"), "FAIL: func returned");
}

#[test]
fn oopses_kill_only_their_process_again_and_again() {
    let run = boot("lkdtm=ACCESS_USERSPACE,EXEC_USERSPACE,ACCESS_USERSPACE");
    run.assert_status(status::SUCCESS);
    let mut sections = run.lkdtm_sections("ACCESS_USERSPACE");
    sections.insert(1, run.lkdtm_section("EXEC_USERSPACE"));
    assert_eq!(sections.len(), 3, "{run}");
    for (index, section) in sections.iter().enumerate() {
        // Each run is its own process, with its own oops, and the next one starts afresh.
        let count = index + 1;
        let oops = format!("[#{count}] ARM");
        let end = format!("---[ end trace: oops #{count} killed provoke[{count}] ]---");
        assert!(section.iter().any(|line| line.ends_with(&oops)), "run {count}: no {oops}:\n{run}");
        assert!(section.contains(&end.as_str()), "run {count}: no {end:?}:\n{run}");
        let summary = section.last().expect("a summary line");
        assert!(
            summary.ends_with(": blocked (page domain fault at 0x40000000)"),
            "run {count}: {summary}\n{run}"
        );
    }
}

#[test]
fn the_oops_call_trace_runs_through_the_system_call() {
    let run = boot("lkdtm=ACCESS_USERSPACE");
    let lines = run.lines();
    let trace =
        lines.iter().position(|line| *line == "Call trace:").unwrap_or_else(|| panic!("{run}"));
    let frames: Vec<&str> =
        lines[trace + 1..].iter().take_while(|line| line.starts_with(' ')).copied().collect();
    for function in
        ["access_userspace", "lkdtm::provoke", "syscall::dispatch", "handle_supervisor_call"]
    {
        assert!(
            frames.iter().any(|frame| frame.contains(function)),
            "{function} missing from the trace:\n{run}"
        );
    }
}

#[test]
fn a_mixed_run_fails_with_1() {
    let run = boot("pan=off lkdtm=EXEC_USERSPACE,ACCESS_USERSPACE");
    run.assert_status(status::FAILURE);
    assert!(run.lkdtm_summary("EXEC_USERSPACE").starts_with("blocked"), "{run}");
    assert!(run.lkdtm_summary("ACCESS_USERSPACE").starts_with("FAIL: "), "{run}");
}

#[test]
fn an_unknown_name_exits_2_and_lists_the_valid_ones() {
    let run = boot("lkdtm=ACCESS_USERSPACE,NO_SUCH_TEST");
    run.assert_status(status::USAGE);
    run.assert_line("lkdtm: unknown crash type 'NO_SUCH_TEST'");
    run.assert_line(
        "lkdtm: valid names: EXEC_DATA, EXEC_STACK, EXEC_KMALLOC, EXEC_VMALLOC, EXEC_RODATA, \
         EXEC_USERSPACE, EXEC_NULL, ACCESS_USERSPACE, ACCESS_USERSPACE_LINEAR, ACCESS_NULL, WRITE_RO, \
         WRITE_RO_AFTER_INIT, \
         WRITE_KERN, WRITE_OPD",
    );
    run.assert_lacks("Performing direct entry");
}

#[test]
fn a_page_mapped_at_null_is_still_out_of_the_kernel_s_reach() {
    // The NULL-dereference exploit: a CAP_SYS_RAWIO process maps page 0 (mmap_min_addr
    // lets it), so ACCESS_NULL meets a user page, in the user domain. PAN still faults.
    let run = boot("init=provoke -- --map-null ACCESS_NULL");
    run.assert_line("Unhandled fault: page domain fault (0x01b) at 0x00000000");
    run.assert_line("init: provoke killed by signal 11 (SIGSEGV)");
    run.assert_lacks("lkdtm: FAIL");
    // Without PAN the kernel reads and writes the attacker's page.
    let run = boot("pan=off init=provoke -- --map-null ACCESS_NULL");
    run.assert_line("lkdtm: FAIL: survived bad read");
    run.assert_line("lkdtm: FAIL: survived bad write");
    run.assert_line("init: provoke exited with status 1");
    // Executing it: PAN's domain fault first, then PXN's permission fault without PAN.
    let run = boot("init=provoke -- --map-null EXEC_NULL");
    run.assert_line("Unhandled prefetch abort: page domain fault (0x00b) at 0x00000000");
    let run = boot("pan=off init=provoke -- --map-null EXEC_NULL");
    run.assert_line(
        "Unable to handle kernel NULL pointer dereference at virtual address 00000000 when execute",
    );
    run.assert_line("init: provoke killed by signal 11 (SIGSEGV)");
}

#[test]
fn mapping_page_zero_needs_cap_sys_rawio() {
    // Root with CAP_SYS_RAWIO dropped from the bounding set (so execve gives it no more) types
    // the command into the shell.
    let options =
        BootOptions { input: b"provoke --map-null ACCESS_NULL\nexit\n", ..Default::default() };
    let run = boot_with("init=capsh -- --drop=cap_sys_rawio --", &options);
    run.assert_line("provoke: mmap at 0: EPERM");
    run.assert_lacks("lkdtm: Performing direct entry");
    let run = boot("init=provoke -- --map-null");
    run.assert_line("usage: provoke [--map-null] NAME");
    run.assert_line("init: provoke exited with status 2");
}
