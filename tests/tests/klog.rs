//! The kernel log from user space: `/bin/dmesg`, `dmesg_restrict` and `kptr_restrict` on the
//! command line (usertest's `klog-*` children do the reading).

use swpan_tests::{boot, status};

#[test]
fn dmesg_prints_the_kernel_log() {
    // init runs as root: the boot messages come out twice, on the console and through dmesg.
    let run = boot("init=dmesg dmesg_restrict=0");
    run.assert_status(status::SUCCESS);
    run.assert_line_count("Command line: init=dmesg dmesg_restrict=0", 2);
    run.assert_line_count("PXN: on (hardware): PXNTABLE in every user page-table entry", 2);
    // The program's own output is not a kernel message.
    run.assert_line("init: dmesg exited with status 0");
}

#[test]
fn dmesg_restrict_zero_lets_a_plain_user_read() {
    boot("init=usertest dmesg_restrict=0 -- klog-user").assert_status(status::SUCCESS);
    // The default (1): EPERM, the child's exit status 1.
    boot("init=usertest -- klog-user").assert_status(status::FAILURE);
}

#[test]
fn kptr_restrict_zeros_oops_addresses_for_a_plain_user() {
    let run = boot("init=usertest dmesg_restrict=0 -- klog-kptr");
    run.assert_status(status::SUCCESS);
    run.assert_contains("as uid 1000 00000000");
    // kptr_restrict=0: the real value for everyone (the child's check of zeros fails).
    let open = boot("init=usertest dmesg_restrict=0 kptr_restrict=0 -- klog-kptr");
    open.assert_status(status::FAILURE);
    open.assert_contains("usertest klog-kptr: pc as root 8");
    assert!(!open.console.contains("as uid 1000 00000000"), "{}", open.console);
}

#[test]
fn bad_restriction_values_are_refused() {
    boot("kptr_restrict=3").assert_status(status::USAGE).assert_line(
        "swpan: bad command line: bad value '3' for key 'kptr_restrict': expected kptr_restrict=0|1|2",
    );
}
