//! seccomp from user space: usertest's `seccomp` children (errors in Linux's order, every
//! action, strict mode, the budget, inheritance) and the audit records the kernel logs.

use swpan_tests::{boot, status};

#[test]
fn usertest_seccomp_checks_pass_and_the_kernel_logs_what_linux_logs() {
    let run = boot("init=usertest -- seccomp");
    run.assert_status(status::SUCCESS);
    run.assert_line("usertest seccomp: 12 checks passed, 0 failed");
    let audit = |pid_free: &str| {
        let found = run.console.lines().any(|line| {
            line.starts_with("audit: type=1326 auid=4294967295 uid=0 gid=0 ses=4294967295 pid=")
                && line.contains(" comm=\"usertest\" exe=\"/bin/usertest\" ")
                && line.contains(pid_free)
        });
        assert!(found, "no audit record with '{pid_free}':\n{}", run.console);
    };
    // LOG: logged, signal 0, the call runs (sched_yield).
    audit(" sig=0 arch=40000028 syscall=158 compat=0 ip=0x");
    // Strict mode's kill: SIGKILL, code KILL_THREAD (prctl).
    audit(" sig=9 arch=40000028 syscall=172 compat=0 ip=0x");
    // KILL_PROCESS on getpid, KILL_THREAD on write, an unknown action on getpid.
    audit(" sig=31 arch=40000028 syscall=20 compat=0 ip=0x");
    audit(" code=0x80000000");
    audit(" sig=31 arch=40000028 syscall=4 compat=0 ip=0x");
    audit(" code=0x10000000");
    // TRAP, ERRNO, TRACE and USER_NOTIF without FLAG_LOG are not logged.
    for quiet in ["code=0x30000", "code=0x50000", "code=0x7ff00000", "code=0x7fc00000"] {
        assert!(!run.console.contains(quiet), "{quiet} was logged:\n{}", run.console);
    }
}
