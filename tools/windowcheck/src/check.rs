//! The whole-kernel check: finds the exception paths from the vector tables, analyses every
//! function in its context, then checks the exception table and looks for DACR writes that no
//! analysis reached.

use crate::analysis::{Analyzer, Context, EntryKind, FunctionAnalysis};
use crate::decode::{Operation, Register};
use crate::program::{KERNEL_BUFFER, Program, USER_ACCESS};
use crate::report::{Report, Violation, Window};
use std::collections::{BTreeMap, BTreeSet};

/// The slots of a vector table, in order.
const VECTOR_NAMES: [&str; 8] = [
    "reset",
    "undefined instruction",
    "supervisor call",
    "prefetch abort",
    "data abort",
    "unused",
    "irq",
    "fiq",
];
/// The supervisor call slot: its stub only closes the window (it is entered from user mode).
const SUPERVISOR_CALL_SLOT: usize = 2;
/// `ldr pc, [pc, #24]`: each slot loads its stub's address from 32 bytes further on.
const SLOT_LITERAL_OFFSET: i32 = 24;

/// Findings collected from every part of the check, before the exempt ones are set apart.
#[derive(Default)]
struct Findings(BTreeSet<(u32, String)>);

impl Findings {
    fn add(&mut self, address: u32, message: impl Into<String>) {
        self.0.insert((address, message.into()));
    }
}

/// Checks `program`; `Err` only if the decoder cannot start.
pub fn check(program: &Program) -> Result<Report, String> {
    let mut analyzer = Analyzer::new(program)?;
    let mut findings = Findings::default();
    let mut contexts: BTreeMap<usize, Context> = BTreeMap::new();
    let mut nopan_entries = Vec::new();

    if let Some(vectors) = program.vectors {
        for (slot, stub) in vector_stubs(&mut analyzer, program, vectors.pan, &mut findings) {
            let kind = match slot {
                SUPERVISOR_CALL_SLOT => EntryKind::Close,
                _ => EntryKind::SaveAndClose,
            };
            contexts.insert(stub, Context::Entry(kind));
        }
        nopan_entries = vector_stubs(&mut analyzer, program, vectors.nopan, &mut findings)
            .into_iter()
            .map(|(_, stub)| stub)
            .collect();
    }

    // The pan entry stubs first: where they branch after their handler is a return path, and
    // so is wherever a return path branches.
    let mut analyses: BTreeMap<usize, FunctionAnalysis> = BTreeMap::new();
    let mut pending: Vec<usize> = contexts.keys().copied().collect();
    while let Some(index) = pending.pop() {
        if analyses.contains_key(&index) {
            continue;
        }
        let context = contexts[&index];
        let analysis = analyzer.analyse(&program.functions[index], context);
        for target in &analysis.branches_out {
            match program.function_index(*target) {
                Some(next) if program.functions[next].start == *target => {
                    if let std::collections::btree_map::Entry::Vacant(vacant) = contexts.entry(next)
                    {
                        vacant.insert(Context::ReturnPath);
                        pending.push(next);
                    }
                }
                _ => findings.add(
                    program.functions[index].start,
                    format!(
                        "exception path branches to {}, which is not a function",
                        program.describe(*target)
                    ),
                ),
            }
        }
        analyses.insert(index, analysis);
    }
    for (index, function) in program.functions.iter().enumerate() {
        if !analyses.contains_key(&index) && !function.thumb {
            let analysis = analyzer.analyse(function, Context::Ordinary);
            analyses.insert(index, analysis);
        }
    }

    check_nopan_paths(program, &analyses, &nopan_entries, &mut findings);
    let dacr_choices = check_dacr_choices(program, &analyses, &mut findings);

    let mut reached = BTreeSet::new();
    let mut memory_accesses = BTreeSet::new();
    let mut accesses_in_windows = BTreeSet::new();
    for analysis in analyses.values() {
        reached.extend(&analysis.reached);
        memory_accesses.extend(&analysis.memory_accesses);
        accesses_in_windows.extend(&analysis.accesses_in_windows);
        for (address, message) in &analysis.findings {
            findings.add(*address, message.clone());
        }
    }
    check_table(program, &reached, &memory_accesses, &accesses_in_windows, &mut findings);

    // Every DACR write in the code, found by a linear sweep: one the analysis never reached
    // (behind an unresolved indirect branch, or outside any function) proves nothing.
    let mut dacr_writes = Vec::new();
    for address in program.arm_code_addresses() {
        let Some(instruction) = analyzer.instruction(address) else { continue };
        if let Operation::DacrWrite { .. } = instruction.operation {
            dacr_writes.push(address);
            if !reached.contains(&address) {
                findings.add(
                    address,
                    "DACR write never reached by the analysis (unresolved control flow, or outside any function)",
                );
            }
        }
    }
    for range in program.thumb_ranges() {
        findings.add(range.start, "Thumb code: not analysed, so nothing about it is proven");
    }

    let mut report = build_report(program, &analyses, findings, &dacr_writes);
    report.dacr_choices =
        dacr_choices.into_iter().map(|address| (address, program.describe(address))).collect();
    Ok(report)
}

/// The stub each slot of the vector table at `table` jumps to, as (slot, function index).
fn vector_stubs(
    analyzer: &mut Analyzer<'_>,
    program: &Program,
    table: u32,
    findings: &mut Findings,
) -> Vec<(usize, usize)> {
    let mut stubs = Vec::new();
    for (slot, name) in VECTOR_NAMES.iter().enumerate() {
        let address = table.wrapping_add(4 * slot as u32);
        let loads_its_literal = analyzer.instruction(address).is_some_and(|instruction| {
            instruction.writes_pc()
                && instruction.memory.is_some_and(|memory| {
                    memory.load
                        && memory.base == Register::PC
                        && memory.offset == Some(SLOT_LITERAL_OFFSET)
                })
        });
        if !loads_its_literal {
            findings.add(address, format!("{name} vector is not `ldr pc, [pc, #24]`"));
            continue;
        }
        let literal = address.wrapping_add(8).wrapping_add_signed(SLOT_LITERAL_OFFSET);
        let Some(stub) = program.word_at(literal) else {
            findings.add(address, format!("{name} vector's stub address is outside the code"));
            continue;
        };
        match program.function_index(stub) {
            Some(index) if program.functions[index].start == stub => stubs.push((slot, index)),
            _ => findings.add(
                address,
                format!(
                    "{name} vector jumps to {}, which is not a function",
                    program.describe(stub)
                ),
            ),
        }
    }
    stubs
}

/// The pan=off entry stubs and every return path they branch to must not write the DACR.
fn check_nopan_paths(
    program: &Program,
    analyses: &BTreeMap<usize, FunctionAnalysis>,
    entries: &[usize],
    findings: &mut Findings,
) {
    let mut seen = BTreeSet::new();
    let mut pending = entries.to_vec();
    while let Some(index) = pending.pop() {
        if !seen.insert(index) {
            continue;
        }
        let Some(analysis) = analyses.get(&index) else { continue };
        for write in &analysis.dacr_writes {
            findings.add(*write, "DACR write on a pan=off exception path");
        }
        for target in &analysis.branches_out {
            if let Some(next) = program.function_index(*target) {
                pending.push(next);
            }
        }
    }
}

/// The kernel-mode DACR is chosen once, at boot: DACR_KERNEL with pan=on, DACR_USER with
/// pan=off (where the kernel runs with the user domain open by design). The analysis cannot
/// see what a choice depends on, so a second choice outside the self-tests is a violation at
/// each of them: anywhere but boot, DACR_USER is a window. Returns the choices found.
fn check_dacr_choices(
    program: &Program,
    analyses: &BTreeMap<usize, FunctionAnalysis>,
    findings: &mut Findings,
) -> Vec<u32> {
    let choices: Vec<u32> = analyses
        .iter()
        .filter(|(index, _)| !crate::is_exempt(&program.functions[**index]))
        .flat_map(|(_, analysis)| analysis.dacr_choices.iter().copied())
        .collect();
    if choices.len() > 1 {
        for choice in &choices {
            findings.add(
                *choice,
                format!(
                    "DACR write chooses between DACR_KERNEL and DACR_USER on a condition, one of {} \
                     such writes: only the boot's pan on/off choice may, once",
                    choices.len()
                ),
            );
        }
    }
    choices
}

/// Rule 4 from the table's side: every entry is well formed and lies inside a window.
fn check_table(
    program: &Program,
    reached: &BTreeSet<u32>,
    memory_accesses: &BTreeSet<u32>,
    accesses_in_windows: &BTreeSet<u32>,
    findings: &mut Findings,
) {
    let mut listed = BTreeSet::new();
    for (index, entry) in program.exception_table.iter().enumerate() {
        let instruction = entry.instruction;
        let at =
            if program.function_at(instruction).is_some() { instruction } else { entry.location };
        let mut add =
            |message: String| findings.add(at, format!("exception-table entry {index}: {message}"));
        if !listed.insert(instruction) {
            add(format!("{instruction:#010x} is listed twice"));
        }
        match entry.kind {
            USER_ACCESS => {
                let same_function = program.function_index(entry.fixup).is_some()
                    && program.function_index(entry.fixup) == program.function_index(instruction);
                if !same_function {
                    add(format!(
                        "fixup {} is not in the function of its access",
                        program.describe(entry.fixup)
                    ));
                }
            }
            KERNEL_BUFFER if entry.fixup != 0 => {
                add(format!("kernel-buffer entry with a fixup ({:#x})", entry.fixup))
            }
            KERNEL_BUFFER => {}
            kind => add(format!("unknown kind {kind}")),
        }
        if !reached.contains(&instruction) {
            add(format!(
                "{instruction:#010x} ({}) is never reached by the analysis",
                program.describe(instruction)
            ));
        } else if !memory_accesses.contains(&instruction) {
            add("the listed instruction is not a memory access".to_owned());
        } else if !accesses_in_windows.contains(&instruction) {
            add("the listed access lies outside every window".to_owned());
        }
    }
}

/// Splits the findings into violations and exempt ones, and counts.
fn build_report(
    program: &Program,
    analyses: &BTreeMap<usize, FunctionAnalysis>,
    findings: Findings,
    dacr_writes: &[u32],
) -> Report {
    let exempt_function = |address: u32| program.function_at(address).is_some_and(crate::is_exempt);
    let kinds: BTreeMap<u32, u32> =
        program.exception_table.iter().map(|entry| (entry.instruction, entry.kind)).collect();
    let mut report = Report::default();
    report.exempt.functions =
        program.functions.iter().filter(|function| crate::is_exempt(function)).count();
    for (address, message) in findings.0 {
        let violation = Violation { address, location: program.describe(address), message };
        if exempt_function(address) {
            report.exempt.findings.push(violation);
        } else {
            report.violations.push(violation);
        }
    }
    // Sets: an access inside nested windows counts once.
    let mut user_accesses: BTreeSet<u32> = BTreeSet::new();
    let mut exempt_user_accesses: BTreeSet<u32> = BTreeSet::new();
    for (index, analysis) in analyses {
        let exempt = crate::is_exempt(&program.functions[*index]);
        for (opened_at, record) in &analysis.windows {
            let of_kind = |kind: u32| -> Vec<u32> {
                record
                    .accesses
                    .iter()
                    .copied()
                    .filter(|access| kinds.get(access) == Some(&kind))
                    .collect()
            };
            let window = Window {
                opened_at: *opened_at,
                location: program.describe(*opened_at),
                closes: record.closes.iter().copied().collect(),
                user_accesses: of_kind(USER_ACCESS),
                kernel_buffer_accesses: of_kind(KERNEL_BUFFER),
                exempt,
            };
            if exempt {
                report.exempt.windows += 1;
                exempt_user_accesses.extend(&window.user_accesses);
            } else {
                user_accesses.extend(&window.user_accesses);
            }
            report.windows.push(window);
        }
    }
    report.windows.sort_by_key(|window| window.opened_at);
    report.user_accesses = user_accesses.len();
    report.exempt.user_accesses = exempt_user_accesses.len();
    let (exempt_writes, writes): (Vec<u32>, Vec<u32>) =
        dacr_writes.iter().partition(|address| exempt_function(**address));
    report.dacr_writes = writes.len();
    report.exempt.dacr_writes = exempt_writes.len();
    report
}
