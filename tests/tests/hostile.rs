//! Hostile input: the syscall fuzzer's contract, the leak detector, and the field bugs that
//! show only from outside (a kernel execute fault that must not loop).

use swpan_tests::{BootOptions, boot, boot_with, status};

fn fuzz_summary(run: &swpan_tests::Boot) -> Vec<String> {
    run.lines().into_iter().filter(|line| line.starts_with("fuzz: ")).map(str::to_string).collect()
}

#[test]
fn two_hundred_thousand_random_calls_without_an_oops_or_a_leak() {
    let run = boot_with("fuzz=1,200000", &BootOptions { timeout: Some(120), ..Default::default() });
    run.assert_status(status::SUCCESS);
    let lines = fuzz_summary(&run);
    assert_eq!(
        lines.last().map(String::as_str),
        Some("fuzz: 200000 syscalls, 0 oopses, 0 window leaks"),
        "{run}"
    );
    for errno in ["EFAULT", "EINVAL", "EBADF", "ENOSYS"] {
        assert!(
            lines.iter().any(|line| line.starts_with(&format!("fuzz: {errno} "))),
            "no {errno} count:\n{run}"
        );
    }
    assert!(lines.iter().any(|line| line.starts_with("fuzz: ok ")), "{run}");
    run.assert_lacks("DACR invariant broken");
    // An odd seed confines the fuzzer with random seccomp filters first: every call above
    // went through them.
    assert!(
        lines.iter().any(|line| line.starts_with("fuzz: under ") && line.contains("random seccomp filters")),
        "{run}"
    );
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let first = boot("fuzz=7,20000");
    let second = boot("fuzz=7,20000");
    let other = boot("fuzz=8,20000");
    for run in [&first, &second, &other] {
        run.assert_status(status::SUCCESS);
    }
    assert_eq!(fuzz_summary(&first), fuzz_summary(&second));
    assert_ne!(fuzz_summary(&first), fuzz_summary(&other));
}

#[test]
fn bad_fuzz_arguments_are_refused() {
    for command_line in ["fuzz=1", "fuzz=one,5", "fuzz=1,0"] {
        let run = boot(command_line);
        run.assert_status(status::USAGE);
        run.assert_contains("swpan: bad command line: bad value");
    }
}

#[test]
fn a_kernel_execute_fault_is_fatal_once_never_retried() {
    // Linux LPAE looped forever in the fault handler on EXEC_USERSPACE until 2021. Here the
    // CPU takes exactly one prefetch abort per attempt: QEMU's own log counts them.
    let log = std::env::temp_dir().join(format!("swpan-exec-{}.log", std::process::id()));
    let log_arg = log.to_str().unwrap().to_string();
    let run = boot_with(
        "lkdtm=EXEC_DATA,EXEC_USERSPACE",
        &BootOptions { run_options: &["--log", &log_arg], ..Default::default() },
    );
    run.assert_status(status::SUCCESS);
    let qemu_log = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert_eq!(qemu_log.matches("Taking exception 3 [Prefetch Abort]").count(), 2, "{qemu_log}");
    run.assert_contains("---[ end trace: oops #2 killed provoke[2] ]---");
    run.assert_lacks("[#3]");
}

#[test]
fn the_documented_bad_pointer_matrix_matches_a_fresh_run() {
    let fresh = swpan_tests::generated_by("pointer-matrix");
    let documented =
        std::fs::read_to_string(swpan_tests::root().join("docs/bad-pointers.md")).unwrap();
    assert_eq!(documented, fresh, "docs/bad-pointers.md is out of date: run `make matrix`");

    // And the table keeps the promise: no pointer outside the caller's own mapped memory is
    // ever accepted by a call that reads or writes through it, and every pointer-taking call
    // is in it.
    let rows: Vec<Vec<&str>> = fresh
        .lines()
        .filter(|line| line.starts_with("| "))
        .map(|line| line.trim_matches('|').split('|').map(str::trim).collect())
        .collect();
    let header = &rows[0];
    let column = |name: &str| header.iter().position(|cell| *cell == name).unwrap();
    let calls: Vec<&str> = rows[1..].iter().map(|row| row[0]).collect();
    for call in ["read", "write", "spawn", "wait", "provoke", "uaccess_report", "maps"] {
        assert!(calls.iter().any(|name| name.starts_with(call)), "{call} missing:\n{fresh}");
    }
    for row in &rows[1..] {
        for case in [
            "NULL",
            "unmapped page",
            "kernel text",
            "kernel data",
            "device",
            "across the top of the user half",
            "wrapping length",
        ] {
            let cell = row[column(case)];
            // The null device never reads what is written to it (as Linux's /dev/null): a
            // user-half pointer, mapped or not, is accepted; kernel and device ones are not.
            if row[0] == "write(null device)" && matches!(case, "NULL" | "unmapped page") {
                assert_eq!(cell, "ok 16", "{} with {case}:\n{fresh}", row[0]);
                continue;
            }
            assert!(
                cell.starts_with('E') || cell == "-",
                "{} with {case} answered {cell}:\n{fresh}",
                row[0]
            );
        }
        let misaligned = row[column("misaligned")];
        assert!(!matches!(misaligned, "EFAULT" | "-"), "{}: misaligned {misaligned}", row[0]);
    }
    // Calls that write to user memory refuse a read-only destination.
    for call in ["read(loopback)", "wait(info)", "uaccess_report(report)", "maps(buffer)"] {
        let row = rows.iter().find(|row| row[0] == call).unwrap();
        assert_eq!(row[column("read-only page")], "EFAULT", "{call}");
    }
}

#[test]
fn init_runs_one_program_and_passes_on_its_verdict() {
    let run = boot("init=true");
    run.assert_status(status::SUCCESS);
    run.assert_contains("init: true exited with status 0");

    let run = boot("init=nosuchprogram");
    run.assert_status(status::USAGE);
    run.assert_contains(
        "init: no program 'nosuchprogram'; the programs are: ambient badptr bench capsh dmesg escalate fuzz getcap",
    );
}

#[test]
fn the_fuzzer_reaches_the_success_paths_of_spawn_wait_and_kill() {
    // Random strings name no program and random pids no child, so only the fuzzer's own
    // children (`true`, `usertest spin`) get spawn, wait and kill past their checks.
    let run = boot("fuzz=3,20000");
    run.assert_status(status::SUCCESS);
    let prefix = "fuzz: calls 0 to 19999: ";
    let lines = fuzz_summary(&run);
    let tally = lines
        .iter()
        .find_map(|line| line.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?}:\n{run}"));
    // "spawn succeeded A of B, wait C of D, kill E of F"
    let tally = tally.replacen(" succeeded", "", 1);
    for (part, call) in tally.split(", ").zip(["spawn", "wait", "kill"]) {
        let words: Vec<&str> = part.split(' ').collect();
        assert!(words.len() == 4 && words[0] == call && words[2] == "of", "{part:?}:\n{run}");
        let succeeded: u32 = words[1].parse().unwrap();
        let calls: u32 = words[3].parse().unwrap();
        assert!(succeeded > 0, "no {call} succeeded:\n{run}");
        assert!(succeeded < calls, "every {call} succeeded: the bad arguments are gone:\n{run}");
    }
}
