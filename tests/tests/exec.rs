//! Programs by path and their arguments: init's argv from the command line, `/bin/sh -c`,
//! the `status`, `id` and `ls` builtins, `/bin/syscall`, and the exit statuses they lead to.

use swpan_tests::{BootOptions, boot, boot_with, status};

#[test]
fn sh_dash_c_status_prints_linux_s_status_lines_for_init() {
    let run = boot("init=sh -- -c status");
    run.assert_status(status::SUCCESS);
    for line in [
        "Name:\tsh",
        "Pid:\t1",
        "PPid:\t0",
        "Uid:\t0\t0\t0\t0",
        "Gid:\t0\t0\t0\t0",
        "CapInh:\t0000000000000000",
        "CapPrm:\t000001ffffffffff",
        "CapEff:\t000001ffffffffff",
        "CapBnd:\t000001ffffffffff",
        "CapAmb:\t0000000000000000",
        "NoNewPrivs:\t0",
        "Seccomp:\t0",
        "init: sh exited with status 0",
    ] {
        run.assert_line(line);
    }
    // In /proc/self/status's order.
    let lines = run.lines();
    let position = |wanted: &str| lines.iter().position(|line| line.starts_with(wanted));
    let order = ["Name:", "Pid:", "PPid:", "Uid:", "Gid:", "CapInh:", "CapAmb:", "Seccomp:"]
        .map(|label| position(label).unwrap_or_else(|| panic!("{label}\n{run}")));
    assert!(order.windows(2).all(|pair| pair[0] < pair[1]), "{run}");
}

#[test]
fn init_gets_the_words_after_the_separator_as_its_arguments() {
    // A path works as well as a bare name.
    let run = boot("init=/bin/sh -- -c id");
    run.assert_status(status::SUCCESS);
    run.assert_line("uid=0(root) gid=0(root)");
    let run = boot("init=syscall -- 0x14");
    run.assert_line("syscall: 0x14 returned 1");
    run.assert_line("init: syscall exited with status 0");
}

#[test]
fn sh_runs_programs_by_execve_and_reports_missing_ones() {
    let run = boot("init=sh -- -c syscall");
    run.assert_line(
        "usage: syscall [--strict] [--sigsys] NR [ARG...] (at most 6 integer arguments, decimal or 0x hex)",
    );
    // sh -c execs the program in its own place: init names what the process ran last.
    run.assert_line("init: syscall exited with status 2");
    run.assert_status(status::FAILURE);
    let run = boot("init=sh -- -c nosuch");
    run.assert_line("sh: nosuch: not found");
    run.assert_line("init: sh exited with status 127");
    run.assert_status(status::FAILURE);
    let run = boot("init=sh -- -c README");
    run.assert_line("sh: README: Permission denied");
    run.assert_line("init: sh exited with status 126");
}

#[test]
fn ls_lists_bin_as_ls_dash_l_does() {
    let run = boot("init=sh -- -c ls");
    run.assert_status(status::SUCCESS);
    let entries: Vec<&str> =
        run.lines().into_iter().filter(|line| line.contains(" 1 root root ")).collect();
    for name in ["badptr", "sh", "shell", "syscall", "true", "usertest", "README"] {
        assert!(entries.iter().any(|line| line.ends_with(&format!(" {name}"))), "{name}\n{run}");
    }
    assert!(entries.iter().any(|line| line.starts_with("-rwxr-xr-x 1 root root ")), "{run}");
    assert!(
        entries.iter().any(|line| line.starts_with("-rw-r--r-- 1 root root ") && line.ends_with(" 54 README")),
        "{run}"
    );
}

#[test]
fn the_syscall_tool() {
    let run = boot("init=syscall -- 213 -1");
    run.assert_line("syscall: 213 failed: errno 22 (EINVAL)");
    run.assert_status(status::FAILURE);
    let run = boot("init=syscall -- 199");
    run.assert_line("syscall: 199 returned 0");
    run.assert_status(status::SUCCESS);
    let run = boot("init=syscall -- 0x0f0fff");
    run.assert_line("syscall: 0x0f0fff failed: errno 38 (ENOSYS)");
    for (line, message) in [
        ("init=syscall -- twenty", "syscall: 'twenty' is not an integer"),
        ("init=syscall -- 20 1 2 3 4 5 6 7", "syscall: too many arguments"),
    ] {
        let run = boot(line);
        run.assert_line(message);
        run.assert_line("init: syscall exited with status 2");
        run.assert_status(status::FAILURE);
    }
}

#[test]
fn the_interactive_shell_runs_programs_in_a_child() {
    let input = b"syscall 20\necho one 'two  three'\nsh -c 'exit 7'\nnosuch\nexit 5\n";
    let run = boot_with("init=sh", &BootOptions { input, ..Default::default() });
    // The child is pid 2: the program it execve'd reports the same pid.
    run.assert_line("syscall: 20 returned 2");
    run.assert_line("one two  three");
    run.assert_line("sh: nosuch: not found");
    run.assert_line("init: sh exited with status 5");
    run.assert_status(status::FAILURE);
}

#[test]
fn words_after_the_separator_need_init() {
    let run = boot("shell -- -c status");
    run.assert_status(status::USAGE);
    run.assert_contains("the words after '--' are init's arguments: give init=PROGRAM");
}

#[test]
fn a_process_that_signals_its_own_group_with_sigsegv_is_killed_by_it() {
    // kill(0, SIGSEGV): the caller's process group, the caller included; no handler, so the
    // default action ends it, and init's end makes the kernel's exit status 1.
    let run = swpan_tests::boot("init=syscall -- 37 0 11");
    run.assert_status(swpan_tests::status::FAILURE);
    run.assert_line("init: syscall killed by signal 11 (SIGSEGV)");
    run.assert_lacks("Oops");
}

#[test]
fn a_program_that_execs_is_reported_by_the_name_it_ran_last() {
    // sh -c execs the command in its own process: init's line names what ran last.
    let run = swpan_tests::boot("init=sh -- -c true");
    run.assert_status(swpan_tests::status::SUCCESS);
    run.assert_line("init: true exited with status 0");
}

#[test]
fn id_names_a_plain_user_from_the_user_database() {
    // usertest's credentials check becomes uid/gid 1000, then runs `sh -c id`.
    let run = swpan_tests::boot("init=usertest");
    run.assert_status(swpan_tests::status::SUCCESS);
    run.assert_line("uid=1000(student) gid=1000(student)");
}
