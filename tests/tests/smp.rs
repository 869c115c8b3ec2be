//! Several CPUs: `qemu/run --smp N` starts every CPU at the kernel's entry at once; CPU 0 boots
//! and the others wait until it brings them up, each with its own registers (DACR, VBAR, MMU,
//! TPIDRPRW), idle after that: a four-CPU board runs every job as a one-CPU board does.

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
    let mut slots: Vec<u32> = cpus.iter().map(|cpu| cpu.tpidrprw).collect();
    slots.sort_unstable();
    slots.dedup();
    assert_eq!(slots.len(), 4, "each CPU's TPIDRPRW points at its own state\n{run}");

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
    assert_eq!(results(&one), results(&four), "{four}");
    four.assert_lacks("not ok");
}

#[test]
fn four_cpus_run_lkdtm_and_the_tour_as_one_does() {
    for command_line in ["lkdtm=all", ""] {
        let one = boot_on("1", command_line, &[]);
        one.assert_status(status::SUCCESS);
        let four = boot_on("4", command_line, &[]);
        four.assert_status(status::SUCCESS);
        four.assert_line("smp: 4 CPUs online");
        one.assert_lacks("smp:");
        assert_eq!(one.console, without_smp_lines(&four), "`{command_line}` on 4 CPUs:\n{four}");
    }
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
    let run = boot_on("2", "test=tlb-shootdown lkdtm=all", &[]);
    run.assert_status(status::SUCCESS);
    // CPU 1's read puts the page's translation in CPU 1's TLB; CPU 0's unmapping must take it
    // out of there too (TLBIMVAIS), so the next read on CPU 1 is a translation fault (page).
    let lines: Vec<&str> =
        run.lines().into_iter().filter(|line| line.starts_with("tlb: ")).collect();
    assert_eq!(lines.len(), 2, "{run}");
    assert!(lines[0].starts_with("tlb: CPU 1 reads 0x5eedf00d at 0xe"), "{run}");
    assert_eq!(lines[1], "tlb: after CPU 0 unmapped it, CPU 1 faults (DFSR 0x007)", "{run}");
}
