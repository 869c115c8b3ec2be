//! The in-kernel self-tests, run on the emulated CPU and read back as KTAP: every case the
//! kernel must run, by name, under every combination of `pan=` and `pxn=`.

use swpan_tests::{boot, parse_ktap, status};

/// Every self-test the kernel runs, in run order (kernel/src/selftest/: `SUITES` in mod.rs,
/// then each suite's `CASES`). A case added to the kernel goes here too; a case that
/// disappears from the kernel, or changes its name, fails every test below by name.
const SELFTESTS: &[&str] = &[
    "exceptions.undefined_instruction_resumes",
    "exceptions.registers_survive_an_exception",
    "exceptions.alignment_fault_is_decoded",
    "exceptions.breakpoint_is_a_prefetch_abort",
    "mmu.registers",
    "mmu.vectors_in_their_own_domain",
    "mmu.kernel_half_has_no_user_domain_and_no_wx",
    "mmu.user_tables_are_user_domain_with_pxn",
    "memory.kernel_regions_have_their_permissions",
    "memory.ro_after_init_written_then_read_only",
    "memory.vmalloc_guard_pages_fault",
    "memory.vmalloc_allocations_never_touch",
    "memory.boot_stack_guard_is_unmapped",
    "memory_routines.memcpy_every_size_and_alignment",
    "memory_routines.memmove_overlapping_both_ways",
    "memory_routines.memset_every_size_and_alignment",
    "xpfo.owned_frame_alias_faults",
    "xpfo.unmapped_frame_is_back_and_zeroed",
    "xpfo.dropped_space_frees_frames_zeroed",
    "xpfo.page_tables_stay_kernel_frames",
    "pan.dacr_in_kernel_mode",
    "pan.dacr_inside_a_window",
    "pan.nested_windows_restore",
    "pan.kernel_read_outside_a_window",
    "pan.kernel_write_outside_a_window",
    "pan.kernel_read_inside_a_window",
    "pan.kernel_branch_to_user_page",
    "pan.exception_inside_a_window",
    "pan.domain_fault_is_never_fixed_up",
    "uaccess.copy_from_user_copies",
    "uaccess.copy_to_user_copies",
    "uaccess.copy_from_unmapped_is_efault",
    "uaccess.partial_copy_zero_fills",
    "uaccess.a_fault_in_every_block_of_a_turn",
    "uaccess.copy_to_read_only_is_efault",
    "uaccess.kernel_and_wrapping_ranges_refused",
    "uaccess.get_and_put_user",
    "uaccess.clear_user",
    "uaccess.strings",
    "uaccess.unmapped_page_faults_after_unmap",
    "processes.syscalls_from_user_mode",
    "processes.oops_kills_only_the_process",
    "processes.user_faults_kill_with_a_signal",
    "processes.a_spinning_process_is_preempted_and_killed",
    "processes.irqs_inside_windows",
    "processes.kill_ends_a_blocked_reader",
    "processes.kill_ends_a_blocked_waiter",
    "processes.kill_ends_a_process_that_never_ran",
    "processes.kernel_stack_overflow_hits_the_guard",
    "processes.new_code_reaches_the_instruction_side",
    "seccomp.data_from_the_trap_frame",
    "seccomp.confined_children_end_as_linux_s",
    "regressions.large_copy_opens_the_window",
    "regressions.fixup_keeps_the_stack",
    "regressions.nested_exceptions_restore_the_dacr",
    "regressions.user_cache_flush_opens_the_window",
    "invariants.a_leaked_window_is_counted",
    "invariants.an_open_window_at_entry_is_counted",
    "invariants.the_return_path_counts_a_leaked_window",
    "invariants.a_switch_inside_a_window_is_counted",
    "smp.an_unmapped_page_faults_on_another_cpu_at_once",
];

/// The cases that need a second CPU: on a one-CPU board they are KTAP SKIPs.
const NEED_TWO_CPUS: &[&str] = &["smp.an_unmapped_page_faults_on_another_cpu_at_once"];

/// Boots `command_line` (which includes `selftest`) and checks the KTAP report: exit status
/// 0, well formed, and exactly the cases of [`SELFTESTS`], in order, each `ok` (those of
/// [`NEED_TWO_CPUS`] a SKIP on one CPU).
fn every_selftest_runs_and_passes(command_line: &str) {
    every_selftest_runs_and_passes_on(command_line, 1);
}

fn every_selftest_runs_and_passes_on(command_line: &str, cpus: u32) {
    let cpus_option = cpus.to_string();
    let run = swpan_tests::boot_with(
        command_line,
        &swpan_tests::BootOptions { run_options: &["--smp", &cpus_option], ..Default::default() },
    );
    let ktap = parse_ktap(&run.console).unwrap_or_else(|error| panic!("{error}\n{run}"));
    let names: Vec<&str> = ktap.results.iter().map(|result| result.name.as_str()).collect();
    let missing: Vec<&str> =
        SELFTESTS.iter().copied().filter(|name| !names.contains(name)).collect();
    assert!(
        missing.is_empty(),
        "`{command_line}`: self-tests that did not run: {}\n{run}",
        missing.join(", ")
    );
    let unknown: Vec<&str> =
        names.iter().copied().filter(|name| !SELFTESTS.contains(name)).collect();
    assert!(
        unknown.is_empty(),
        "`{command_line}`: self-tests missing from SELFTESTS in tests/tests/selftest.rs: {}\n{run}",
        unknown.join(", ")
    );
    assert_eq!(names, SELFTESTS, "`{command_line}`: the self-tests ran in another order:\n{run}");
    assert_eq!(ktap.plan, SELFTESTS.len(), "the plan counts every case:\n{run}");
    let mut skipped = 0;
    for (index, result) in ktap.results.iter().enumerate() {
        assert_eq!(result.number, index + 1, "results are numbered in order:\n{run}");
        assert!(result.ok, "`{command_line}`: {} failed:\n{run}", result.name);
        if cpus == 1 && NEED_TWO_CPUS.contains(&result.name.as_str()) {
            let directive = result.directive.as_deref().unwrap_or("");
            assert!(
                directive.starts_with("SKIP needs CPU 1 online"),
                "{}: {directive:?}\n{run}",
                result.name
            );
            skipped += 1;
        } else {
            assert_eq!(result.directive, None, "{run}");
        }
    }
    assert_eq!(ktap.bail_out, None, "{run}");
    let passed = SELFTESTS.len() - skipped;
    let summary = if skipped == 0 {
        format!("selftest: {passed} passed, 0 failed")
    } else {
        format!("selftest: {passed} passed, 0 failed, {skipped} skipped")
    };
    assert!(ktap.diagnostics.contains(&summary), "{run}");
    run.assert_status(status::SUCCESS);
}

#[test]
fn every_selftest_runs_and_passes_on_two_cpus() {
    every_selftest_runs_and_passes_on("selftest", 2);
    // Without PAN no DACR write empties CPU 1's TLB behind the test's back: only this boot
    // catches a TLB invalidation that stays on CPU 0.
    every_selftest_runs_and_passes_on("selftest pan=off", 2);
}

#[test]
fn every_selftest_runs_and_passes_with_pan_and_pxn() {
    every_selftest_runs_and_passes("selftest");
}

#[test]
fn every_selftest_runs_and_passes_with_pan_off() {
    every_selftest_runs_and_passes("selftest pan=off");
}

#[test]
fn every_selftest_runs_and_passes_with_xpfo_off() {
    every_selftest_runs_and_passes("selftest xpfo=off");
}

#[test]
fn every_selftest_runs_and_passes_with_pxn_off() {
    every_selftest_runs_and_passes("selftest pxn=off");
}

#[test]
fn every_selftest_runs_and_passes_with_both_off() {
    every_selftest_runs_and_passes("selftest pan=off pxn=off");
}

#[test]
fn a_failing_selftest_fails_the_run() {
    let run = boot("selftest test=failing-selftest");
    run.assert_status(status::FAILURE);
    let ktap = parse_ktap(&run.console).unwrap();
    let last = ktap.results.last().unwrap();
    assert_eq!(last.name, "selftest.fails_on_purpose");
    assert!(!last.ok);
    assert_eq!(ktap.results.len(), SELFTESTS.len() + 1, "{run}");
    assert_eq!(ktap.results.iter().filter(|result| !result.ok).count(), 1, "{run}");
    assert!(
        ktap.diagnostics
            .iter()
            .any(|line| line == "selftest.fails_on_purpose: 1 + 1: got 2, expected 3"),
        "{run}"
    );
    assert!(
        ktap.diagnostics.contains(&format!(
            "selftest: {} passed, 1 failed, {} skipped",
            ktap.plan - 1 - NEED_TWO_CPUS.len(),
            NEED_TWO_CPUS.len()
        )),
        "{run}"
    );
}
