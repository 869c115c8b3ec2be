//! Several CPUs: `qemu/run --smp N` starts every CPU at the kernel's entry at once; CPU 0 boots
//! and the others wait until it brings them up, each with its own registers (DACR, VBAR, MMU,
//! TPIDRPRW); then every CPU runs processes: a four-CPU board runs every job as a one-CPU board
//! does, lkdtm's crash types on each CPU, and one fuzzer per CPU.

use swpan_tests::{Boot, BootOptions, boot_with, status};

fn boot_on(cpus: &str, command_line: &str, extra: &[&str]) -> Boot {
    let mut run_options = vec!["--smp", cpus];
    run_options.extend_from_slice(extra);
    boot_with(command_line, &BootOptions { run_options: &run_options, ..Default::default() })
}

/// The lines that say what was tested and how it went, without the measurements that vary
/// from run to run (how many ticks landed inside a window).
fn results(run: &Boot) -> Vec<&str> {
    run.lines()
        .into_iter()
        .filter(|line| line.starts_with("ok ") || line.starts_with("not ok "))
        .collect()
}

/// The console without the lines about the other CPUs, which a one-CPU board does not print.
fn without_smp_lines(run: &Boot) -> String {
    run.console
        .lines()
        .filter(|line| !line.starts_with("smp: "))
        .map(|line| format!("{line}\n"))
        .collect()
}

/// One CPU's registers as it read them itself, from its `smp: CPU n: ...` debug line.
#[derive(Debug)]
struct CpuRegisters {
    number: u32,
    dacr: u32,
    sctlr: u32,
    vbar: u32,
    ttbr1: u32,
    tpidrprw: u32,
}

fn cpu_registers(run: &Boot) -> Vec<CpuRegisters> {
    let hex = |text: &str| u32::from_str_radix(text.trim_start_matches("0x"), 16).unwrap();
    run.lines()
        .into_iter()
        .filter_map(|line| line.strip_prefix("smp: CPU "))
        .map(|rest| {
            let (number, fields) = rest.split_once(": ").expect("smp: CPU n: fields");
            let value = |name: &str| {
                let field = fields
                    .split(", ")
                    .find_map(|field| field.strip_prefix(name).map(str::trim))
                    .unwrap_or_else(|| panic!("no {name} in {rest:?}"));
                hex(field)
            };
            CpuRegisters {
                number: number.parse().unwrap(),
                dacr: value("DACR "),
                sctlr: value("SCTLR "),
                vbar: value("VBAR "),
                ttbr1: value("TTBR1 "),
                tpidrprw: value("TPIDRPRW "),
            }
        })
        .collect()
}

#[test]
fn every_cpu_comes_up_with_its_own_closed_window() {
    let run = boot_on("4", "selftest loglevel=debug", &[]);
    run.assert_status(status::SUCCESS);
    run.assert_line("smp: 4 CPUs online");
    let cpus = cpu_registers(&run);
    assert_eq!(cpus.iter().map(|cpu| cpu.number).collect::<Vec<_>>(), [0, 1, 2, 3], "{run}");
    for cpu in &cpus {
        // Each value was read by that CPU from its own register.
        assert_eq!(
            cpu.dacr, 0x51,
            "CPU {}: the kernel-mode DACR, user domain closed\n{run}",
            cpu.number
        );
        assert_eq!(cpu.vbar, 0xFFFF_0000, "CPU {}: the vector page's alias\n{run}", cpu.number);
        assert_eq!(cpu.sctlr & 1, 1, "CPU {}: SCTLR.M, MMU on\n{run}", cpu.number);
        assert_eq!(cpu.ttbr1, cpus[0].ttbr1, "CPU {}: the one kernel table\n{run}", cpu.number);
    }
    for cpu in &cpus {
        assert_eq!(
            cpu.tpidrprw, cpu.number,
            "CPU {}: TPIDRPRW holds the CPU's number, its per-CPU index\n{run}",
            cpu.number
        );
    }

    // With pan=off every CPU's kernel-mode DACR has the user domain as Client, and the vectors
    // without the DACR save and restore are installed on each.
    let off = boot_on("4", "selftest loglevel=debug pan=off", &[]);
    off.assert_status(status::SUCCESS);
    let cpus = cpu_registers(&off);
    assert_eq!(cpus.len(), 4, "{off}");
    assert!(cpus.iter().all(|cpu| cpu.dacr == 0x55 && cpu.vbar != 0xFFFF_0000), "{off}");
}

#[test]
fn maxcpus_brings_up_fewer_cpus() {
    let run = boot_on("4", "selftest loglevel=debug maxcpus=2", &[]);
    run.assert_status(status::SUCCESS);
    run.assert_line("smp: 2 CPUs online");
    let numbers: Vec<u32> = cpu_registers(&run).iter().map(|cpu| cpu.number).collect();
    assert_eq!(numbers, [0, 1], "{run}");
    let alone = boot_on("2", "selftest maxcpus=1", &[]);
    alone.assert_status(status::SUCCESS);
    alone.assert_line("smp: 1 CPU online");
}

#[test]
fn four_cpus_pass_every_self_test_as_one_does() {
    let one = boot_on("1", "selftest", &[]);
    one.assert_status(status::SUCCESS);
    let four = boot_on("4", "selftest", &[]);
    four.assert_status(status::SUCCESS);
    assert!(!results(&one).is_empty(), "{one}");
    // The same cases pass; those a one-CPU board skips run on four.
    let without_skip = |run: &Boot| -> Vec<String> {
        results(run)
            .iter()
            .map(|line| line.split(" # SKIP").next().unwrap_or(line).to_string())
            .collect()
    };
    assert_eq!(without_skip(&one), without_skip(&four), "{four}");
    four.assert_lacks("not ok");
    four.assert_lacks("# SKIP");
}

/// The console with each oops header's CPU number replaced by `N`.
fn without_cpu_numbers(console: &str) -> String {
    console
        .lines()
        .map(|line| match line.strip_prefix("CPU: ") {
            Some(rest) if rest.contains(" PID: ") => {
                format!("CPU: N{}\n", &rest[rest.find(' ').unwrap_or(0)..])
            }
            _ => format!("{line}\n"),
        })
        .collect()
}

#[test]
fn four_cpus_run_the_tour_as_one_does() {
    let one = boot_on("1", "", &[]);
    one.assert_status(status::SUCCESS);
    let four = boot_on("4", "", &[]);
    four.assert_status(status::SUCCESS);
    four.assert_line("smp: 4 CPUs online");
    one.assert_lacks("smp:");
    assert_eq!(
        without_cpu_numbers(&one.console),
        without_cpu_numbers(&without_smp_lines(&four)),
        "the tour on 4 CPUs:\n{four}"
    );
}

#[test]
fn lkdtm_runs_every_crash_type_on_every_cpu() {
    let one = boot_on("1", "lkdtm=all", &[]);
    one.assert_status(status::SUCCESS);
    let four = boot_on("4", "lkdtm=all", &[]);
    four.assert_status(status::SUCCESS);
    // `lkdtm: NAME: verdict`, NAME in capitals; the fault address may differ (the frames a
    // CPU's crash type gets), so it is left out.
    let verdict = |line: &str| -> Option<String> {
        let rest = line.strip_prefix("lkdtm: ")?;
        let (name, outcome) = rest.split_once(": ")?;
        if !name.chars().all(|c| c.is_ascii_uppercase() || c == '_') {
            return None;
        }
        if !(outcome.starts_with("blocked (") || outcome.starts_with("XFAIL: ")) {
            return None;
        }
        Some(format!("{name}: {}", outcome.split(" at 0x").next().unwrap_or(outcome)))
    };
    let expected: Vec<String> = one.lines().into_iter().filter_map(verdict).collect();
    assert!(expected.len() >= 14, "{one}");
    let lines = four.lines();
    for cpu in 0..4 {
        let suffix = format!(" [CPU {cpu}]");
        let on_cpu: Vec<String> = lines
            .iter()
            .filter_map(|line| line.strip_suffix(&suffix))
            .filter_map(verdict)
            .collect();
        assert_eq!(on_cpu, expected, "the crash types on CPU {cpu}\n{four}");
        // Each oops says which CPU took it, as Linux's does.
        let headers =
            lines.iter().filter(|line| line.starts_with(&format!("CPU: {cpu} PID: "))).count();
        let blocked = expected.iter().filter(|line| line.contains(": blocked (")).count();
        assert_eq!(headers, blocked, "CPU {cpu}'s oopses\n{four}");
    }
}

#[test]
fn one_fuzzer_runs_on_each_cpu() {
    let run = boot_with(
        "fuzz=2,40000",
        &BootOptions { run_options: &["--smp", "4"], timeout: Some(240), ..Default::default() },
    );
    run.assert_status(status::SUCCESS);
    run.assert_line("fuzz: 4 fuzzers, one on each CPU");
    for range in ["0 to 9999", "10000 to 19999", "20000 to 29999", "30000 to 39999"] {
        run.assert_contains(&format!("fuzz: calls {range}: "));
    }
    run.assert_line("fuzz: 40000 syscalls, 0 oopses, 0 window leaks");
}

#[test]
fn a_window_open_on_one_cpu_is_closed_on_the_others() {
    // CPU 1 copies through its window while CPU 0, with the same user half mapped, reads the
    // same user page: each of CPU 0's reads is a domain fault.
    let run = boot_on("2", "test=window-per-cpu lkdtm=ACCESS_USERSPACE", &[]);
    run.assert_status(status::SUCCESS);
    let inside = run
        .lines()
        .into_iter()
        .find_map(|line| {
            line.strip_prefix("window: CPU 1 copied with its window open (")?
                .split(' ')
                .next()?
                .parse::<u32>()
                .ok()
        })
        .unwrap_or_else(|| panic!("no window line\n{run}"));
    assert!(inside > 0, "interrupts must land inside CPU 1's windows: they were open\n{run}");
    run.assert_line(
        "window: CPU 0 read the same user page 20000 times: 20000 domain faults, 0 reads, 0 other faults",
    );
    // Without PAN the same reads succeed: the test can tell.
    let off = boot_on("2", "test=window-per-cpu lkdtm=ACCESS_USERSPACE pan=off", &[]);
    off.assert_line(
        "window: CPU 0 read the same user page 20000 times: 0 domain faults, 20000 reads, 0 other faults",
    );
}

#[test]
fn four_cpus_entered_in_hyp_mode_boot_too() {
    let run = boot_on("4", "selftest", &["--hyp"]);
    run.assert_status(status::SUCCESS);
    run.assert_contains("entered in HYP_32");
    run.assert_line("smp: 4 CPUs online");
    run.assert_contains("# selftest: ");
    run.assert_lacks("not ok");
}

#[test]
fn qemu_run_refuses_a_cpu_count_the_board_does_not_have() {
    for count in ["0", "5", "four"] {
        let run = boot_on(count, "selftest", &[]);
        run.assert_status(status::USAGE);
        assert!(run.stderr.contains("--smp needs a CPU count from 1 to 4"), "{run}");
    }
}

#[test]
fn a_page_unmapped_on_one_cpu_faults_on_another_at_once() {
    // pan=off: with PAN on, QEMU empties a CPU's TLB at every DACR write, so CPU 1's exception
    // entry would forget the old translation even after a local invalidation.
    let run = boot_on("2", "test=tlb-shootdown selftest pan=off", &[]);
    run.assert_status(status::SUCCESS);
    // CPU 1's read puts the page's translation in CPU 1's TLB; CPU 0's unmapping must take it
    // out of there too (TLBIMVAIS), so the next read on CPU 1 is a translation fault (page).
    let lines: Vec<&str> =
        run.lines().into_iter().filter(|line| line.starts_with("tlb: ")).collect();
    assert_eq!(lines.len(), 2, "{run}");
    assert!(lines[0].starts_with("tlb: CPU 1 reads 0x5eedf00d at 0xe"), "{run}");
    assert_eq!(lines[1], "tlb: after CPU 0 unmapped it, CPU 1 faults (DFSR 0x007)", "{run}");
}

#[test]
fn affinity_is_linux_s_sched_setaffinity_and_taskset() {
    let input = "taskset -p 0\n\
                 taskset -c -p 2 1\n\
                 taskset -p 1\n\
                 taskset -c 3 provoke ACCESS_USERSPACE\n\
                 taskset -p 10 1\n\
                 taskset -c 1,3 /bin/taskset -p 0\n\
                 syscall 242 0 4 0\n\
                 syscall 242 0 3 0x7fff0000\n\
                 syscall 241 0 4 0\n\
                 syscall 242 999 4 0x7fff0000\n\
                 capsh --uid=1000 -- -c \"taskset -p 1 1\"\n\
                 taskset -x\n\
                 poweroff\n";
    let run = boot_with(
        "shell",
        &BootOptions {
            input: input.as_bytes(),
            run_options: &["--smp", "4"],
            ..Default::default()
        },
    );
    run.assert_status(status::SUCCESS);
    // A child of the shell starts with the shell's CPUs: all four.
    run.assert_line("pid 0's current affinity mask: f");
    run.assert_line("pid 1's current affinity list: 0-3");
    run.assert_line("pid 1's new affinity list: 2");
    run.assert_line("pid 1's current affinity mask: 4");
    // taskset holds itself on CPU 3, then execs the crash type, which oopses there.
    run.assert_line("CPU: 3 PID: 5 Comm: provoke Not tainted");
    // CPU 4 is not online: EINVAL, as Linux's for a mask of no active CPU.
    run.assert_line("taskset: failed to set pid 1's affinity: Invalid argument");
    // The CPUs set before an execve stay with the new program.
    run.assert_line("pid 0's current affinity mask: a");
    run.assert_line("syscall: 242 failed: errno 14 (EFAULT)");
    run.assert_line("syscall: 242 failed: errno 22 (EINVAL)");
    run.assert_line("syscall: 241 failed: errno 14 (EFAULT)");
    run.assert_line("syscall: 242 failed: errno 3 (ESRCH)");
    // Another user's process needs CAP_SYS_NICE.
    run.assert_line("taskset: failed to set pid 1's affinity: Operation not permitted");
    run.assert_line("taskset: invalid option -- 'x'");
}

#[test]
fn signals_capabilities_seccomp_and_bad_pointers_work_on_four_cpus() {
    // Each program's own checks (usertest's signal, credential and fault cases, Linux's
    // seccomp_bpf and test_execve selftests in KTAP, every bad pointer to every call) pass
    // with the program and its children spread over four CPUs.
    for (program, ktap_cases) in
        [("usertest", 0), ("seccomp_bpf", 48), ("test_execve", 21), ("badptr", 0)]
    {
        let run = boot_on("4", &format!("init={program}"), &[]);
        run.assert_status(status::SUCCESS);
        run.assert_line("smp: 4 CPUs online");
        run.assert_contains(&format!("init: {program} exited with status 0"));
        run.assert_lacks("not ok");
        let passed = run.lines().into_iter().filter(|line| line.starts_with("ok ")).count();
        assert_eq!(passed, ktap_cases, "{program}'s KTAP cases\n{run}");
    }
}
