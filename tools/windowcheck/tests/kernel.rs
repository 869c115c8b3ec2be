//! The checker on the real kernel ELF: the kernel as built passes, and each of a handful of
//! one-word mutations of a copy is reported. Needs `make build` to have run, or
//! `WINDOWCHECK_KERNEL` naming another kernel ELF.

use std::path::{Path, PathBuf};
use std::process::Command;
use swpan::elf::{Elf, SHT_NOBITS};
use windowcheck::program::USER_ACCESS;
use windowcheck::{Program, Report, check_elf};

/// `nop`
const NOP: u32 = 0xE320_F000;
/// `mov r1, #imm8`: the entry stubs' way to load DACR_KERNEL (cond AL, MOV immediate, Rd r1).
const MOVE_R1_IMMEDIATE: u32 = 0xE3A0_1000;
/// The data abort slot of a vector table.
const DATA_ABORT_SLOT: u32 = 4;
/// The irq slot of a vector table.
const IRQ_SLOT: u32 = 6;
/// `mcr p15, 0, r1, c3, c0, 0`
const WRITE_R1_TO_DACR: u32 = 0xEE03_1F10;

/// The kernel `make build` leaves behind, unless `WINDOWCHECK_KERNEL` names another.
fn kernel_path() -> PathBuf {
    match std::env::var_os("WINDOWCHECK_KERNEL") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../target/armv7a-none-eabi/release/kernel"),
    }
}

/// A copy of the kernel's bytes.
fn kernel() -> Vec<u8> {
    let path = kernel_path();
    std::fs::read(&path).unwrap_or_else(|error| {
        panic!("cannot read the kernel ELF at {}: {error}; run `make build` first", path.display())
    })
}

/// The file offset of the byte at run-time `address`.
fn file_offset(bytes: &[u8], address: u32) -> usize {
    let elf = Elf::parse(bytes).expect("a valid ELF");
    let section = elf
        .section_headers()
        .find(|section| {
            section.kind != SHT_NOBITS && section.is_alloc() && section.contains_address(address)
        })
        .unwrap_or_else(|| panic!("{address:#x} has no file bytes"));
    usize::try_from(section.offset + (address - section.address)).expect("fits")
}

/// Overwrites the word at run-time `address`.
fn patch(bytes: &mut [u8], address: u32, word: u32) {
    let offset = file_offset(bytes, address);
    bytes[offset..offset + 4].copy_from_slice(&word.to_le_bytes());
}

/// The little-endian word at run-time `address`.
fn word(bytes: &[u8], address: u32) -> u32 {
    let offset = file_offset(bytes, address);
    u32::from_le_bytes(bytes[offset..offset + 4].try_into().expect("four bytes"))
}

fn checked(bytes: &[u8]) -> Report {
    check_elf(bytes).expect("the kernel loads")
}

/// The violations, one per line, for assertion messages.
fn shown(report: &Report) -> String {
    report.violations.iter().map(|violation| format!("{violation}\n")).collect()
}

/// The `pan` irq entry stub's `mov r1, #DACR_KERNEL`: the address of that instruction.
fn irq_stub_close(bytes: &[u8]) -> u32 {
    let program = Program::from_elf(bytes).expect("the kernel loads");
    let vectors = program.vectors.expect("vector tables");
    let stub = word(bytes, vectors.pan + 4 * IRQ_SLOT + 32);
    let function = program.function_at(stub).expect("the irq stub is a function");
    let move_kernel = MOVE_R1_IMMEDIATE | program.constants.dacr_kernel;
    (function.start..function.end)
        .step_by(4)
        .find(|address| word(bytes, *address) == move_kernel)
        .unwrap_or_else(|| panic!("no `mov r1, #DACR_KERNEL` in {}", function.name))
}

#[test]
fn the_kernel_as_built_passes() {
    let report = checked(&kernel());
    assert!(report.violations.is_empty(), "{}", shown(&report));
    assert!(report.window_count() > 5, "only {} windows", report.window_count());
    assert!(report.user_accesses > 0);
    assert!(report.dacr_writes > report.window_count() * 2);
    assert!(report.summary().ends_with(", 0 violations"), "{}", report.summary());
    // The self-tests open windows too, and break the rules on purpose.
    assert!(report.exempt.windows > 0 && !report.exempt.findings.is_empty());
}

#[test]
fn a_window_close_replaced_by_nop_leaves_the_window_open() {
    let mut bytes = kernel();
    let report = checked(&bytes);
    let window = report
        .windows
        .iter()
        .find(|window| !window.exempt && !window.closes.is_empty())
        .expect("a window");
    let close = window.closes[0];
    patch(&mut bytes, close, NOP);
    let report = checked(&bytes);
    let opened = format!("{:#010x}", window.opened_at);
    assert!(
        report.violations.iter().any(|violation| violation.message.contains("left open")
            && violation.message.contains(&opened)),
        "{}",
        shown(&report)
    );
}

#[test]
fn an_entry_stub_close_replaced_by_nop_is_reported() {
    let mut bytes = kernel();
    let close = irq_stub_close(&bytes) + 4;
    patch(&mut bytes, close, NOP);
    let report = checked(&bytes);
    assert!(
        report.violations.iter().any(|violation| violation.location.starts_with("irq_entry_pan+")
            && violation.message.contains("without closing the window")),
        "{}",
        shown(&report)
    );
}

#[test]
fn a_removed_exception_table_entry_is_reported() {
    let mut bytes = kernel();
    let report = checked(&bytes);
    let access = report
        .windows
        .iter()
        .filter(|window| !window.exempt)
        .find_map(|window| window.user_accesses.first().copied())
        .expect("a user access");
    let program = Program::from_elf(&bytes).expect("the kernel loads");
    let entry = program
        .exception_table
        .iter()
        .find(|entry| entry.instruction == access && entry.kind == USER_ACCESS)
        .expect("its entry");
    let offset = file_offset(&bytes, entry.location);
    bytes[offset..offset + 12].fill(0);
    let report = checked(&bytes);
    assert!(
        report.violations.iter().any(|violation| violation.address == access
            && violation.message.contains("is not in the exception table")),
        "{}",
        shown(&report)
    );
}

#[test]
fn a_manager_value_in_an_entry_stub_is_reported() {
    let mut bytes = kernel();
    let move_kernel = irq_stub_close(&bytes);
    patch(&mut bytes, move_kernel, MOVE_R1_IMMEDIATE | 0xFF);
    let report = checked(&bytes);
    assert!(
        report.violations.iter().any(|violation| violation.address == move_kernel + 4
            && violation.message.contains("DACR write of 0xff: Manager")),
        "{}",
        shown(&report)
    );
}

/// The first instruction of the function called `name` (without its hash) for which `wanted`
/// holds.
fn find_in(bytes: &[u8], name: &str, wanted: impl Fn(u32) -> bool) -> u32 {
    let program = Program::from_elf(bytes).expect("the kernel loads");
    let function = program
        .functions
        .iter()
        .find(|function| function.name == name)
        .unwrap_or_else(|| panic!("no function {name}"));
    (function.start..function.end)
        .step_by(4)
        .find(|address| wanted(word(bytes, *address)))
        .unwrap_or_else(|| panic!("no such instruction in {name}"))
}

/// Whether `word` is `mov Rd, #value` or `movw Rd, #value`, under any condition.
fn moves_immediate(word: u32, value: u32) -> bool {
    let mov = word & 0x0FEF_0F00 == 0x03A0_0000 && word & 0xFF == value;
    let movw =
        word & 0x0FF0_0000 == 0x0300_0000 && ((word >> 4) & 0xF000) | (word & 0xFFF) == value;
    mov || movw
}

#[test]
fn a_data_abort_stub_close_replaced_by_nop_is_reported() {
    let mut bytes = kernel();
    let program = Program::from_elf(&bytes).expect("the kernel loads");
    let vectors = program.vectors.expect("vector tables");
    let stub = word(&bytes, vectors.pan + 4 * DATA_ABORT_SLOT + 32);
    let name = program.function_at(stub).expect("the data abort stub is a function").name.clone();
    let kernel_value = program.constants.dacr_kernel;
    let close = find_in(&bytes, &name, |word| moves_immediate(word, kernel_value)) + 4;
    patch(&mut bytes, close, NOP);
    let report = checked(&bytes);
    assert!(
        report.violations.iter().any(|violation| violation.location.starts_with(&name)
            && violation.message.contains("without closing the window")),
        "{}",
        shown(&report)
    );
}

#[test]
fn the_boot_choice_made_unconditional_dacr_user_is_reported() {
    let mut bytes = kernel();
    let report = checked(&bytes);
    let chooser = "swpan::mm::kernel_map::enable_on_this_cpu";
    assert_eq!(report.dacr_choices.len(), 1, "{:?}", report.dacr_choices);
    assert!(report.dacr_choices[0].1.starts_with(chooser), "{:?}", report.dacr_choices);
    // Without the instruction that picks DACR_KERNEL for pan=on, boot writes DACR_USER
    // unconditionally: a window that the function returns with.
    let dacr_kernel = Program::from_elf(&bytes).expect("the kernel loads").constants.dacr_kernel;
    let pick_kernel = find_in(&bytes, chooser, |word| moves_immediate(word, dacr_kernel));
    patch(&mut bytes, pick_kernel, NOP);
    let report = checked(&bytes);
    assert!(
        report.violations.iter().any(|violation| violation.location.starts_with(chooser)
            && violation.message.contains("left open")),
        "{}",
        shown(&report)
    );
}

#[test]
fn a_broken_rule_in_the_expected_exception_hook_is_reported() {
    let mut bytes = kernel();
    let hook = "swpan::expected_exception::catch_expected";
    // Its first instruction becomes `mcr p15, 0, r1, c3, c0, 0`: the DACR gets an argument.
    let first = find_in(&bytes, hook, |_| true);
    patch(&mut bytes, first, WRITE_R1_TO_DACR);
    let report = checked(&bytes);
    assert!(
        report.violations.iter().any(|violation| violation.address == first
            && violation.message.contains("DACR write of an unknown value")),
        "{}",
        shown(&report)
    );
}

/// A copy of the kernel in a file of its own, removed when dropped.
struct TemporaryKernel(PathBuf);

impl TemporaryKernel {
    fn new(name: &str, bytes: &[u8]) -> TemporaryKernel {
        let path = std::env::temp_dir().join(format!("windowcheck-{}-{name}", std::process::id()));
        std::fs::write(&path, bytes).expect("writable temporary directory");
        TemporaryKernel(path)
    }
}

impl Drop for TemporaryKernel {
    fn drop(&mut self) {
        // Best effort: a copy left behind in the temporary directory harms nothing.
        let _ = std::fs::remove_file(&self.0);
    }
}

fn run(arguments: &[&Path]) -> (Option<i32>, String, String) {
    let output =
        Command::new(env!("CARGO_BIN_EXE_windowcheck")).args(arguments).output().expect("runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8");
    (output.status.code(), text(output.stdout), text(output.stderr))
}

#[test]
fn the_binary_exits_zero_on_the_kernel_and_one_on_a_mutant() {
    let bytes = kernel();
    let copy = TemporaryKernel::new("clean", &bytes);
    let (status, stdout, _) = run(&[&copy.0]);
    assert_eq!(status, Some(0), "{stdout}");
    let last = stdout.lines().last().expect("a summary");
    assert!(
        last.starts_with("windowcheck: ") && last.ends_with(" DACR writes, 0 violations"),
        "{last}"
    );
    // The line before says what is exempt, and what production code runs is not.
    let exempt = stdout.lines().rev().nth(1).expect("the exempt line");
    assert!(
        exempt.starts_with("windowcheck: exempt swpan::selftest::* except init, memory::init: ")
            && exempt.ends_with(" findings not counted"),
        "{exempt}"
    );

    let mut mutant = bytes.clone();
    let move_kernel = irq_stub_close(&mutant);
    patch(&mut mutant, move_kernel, MOVE_R1_IMMEDIATE | 0xFF);
    let mutant = TemporaryKernel::new("manager", &mutant);
    let (status, stdout, _) = run(&[&mutant.0]);
    assert_eq!(status, Some(1), "{stdout}");
    let expected = format!("windowcheck: {:#010x} irq_entry_pan+0x", move_kernel + 4);
    assert!(
        stdout.lines().any(|line| line.starts_with(&expected) && line.contains("Manager")),
        "{stdout}"
    );
    let last = stdout.lines().last().expect("a summary");
    assert!(last.ends_with(" violations") && !last.ends_with(" 0 violations"), "{last}");
}

#[test]
fn the_binary_exits_two_on_a_missing_or_foreign_file() {
    let missing = std::env::temp_dir().join("windowcheck-no-such-kernel");
    let (status, stdout, stderr) = run(&[&missing]);
    assert_eq!(status, Some(2));
    assert!(stdout.is_empty() && stderr.contains("cannot read"), "{stderr}");

    let foreign = TemporaryKernel::new(
        "foreign",
        b"not an ELF file at all, but long enough for a header......",
    );
    let (status, _, stderr) = run(&[&foreign.0]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("not a kernel ELF"), "{stderr}");

    let (status, _, stderr) = run(&[]);
    assert_eq!(status, Some(2));
    assert!(stderr.contains("usage"), "{stderr}");
}
