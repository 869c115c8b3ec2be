//! The analysis of one function: a forward data-flow pass over its instructions that follows
//! every branch (both ways when conditional), tracks register values and the DACR state, and
//! reports what breaks a rule on the way.
//!
//! The pass runs to a fixed point first, with the states joined where paths meet, and only
//! then walks every reached instruction once more with its final state to record findings, so
//! each finding is made once, against the state that covers every path.

use crate::decode::{Arithmetic, Decoder, Instruction, MemoryAccess, Operand, Operation, Register};
use crate::program::{Function, Program, TableEntry, USER_ACCESS};
use crate::state::{Closer, Dacr, DacrValue, OpenWindow, Seen, State, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

/// How many instruction visits one function may take before the analysis gives up: far more
/// than any fixed point of this lattice needs, so hitting it means a bug, reported as such.
const STEP_LIMIT: usize = 2_000_000;
/// The longest jump table followed.
const JUMP_TABLE_LIMIT: u32 = 4096;

/// What a function is, for the rules that depend on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// Any function: entered with the window closed.
    Ordinary,
    /// A `pan` exception entry stub, entered with the DACR as the exception found it.
    Entry(EntryKind),
    /// A `pan` exception return path: must restore the DACR right before its exception return.
    ReturnPath,
}

/// What a `pan` entry stub must do with the DACR before it calls its handler: in both
/// cases the last DACR write on every path to the call stores DACR_KERNEL, followed by `isb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// Save it in the trap frame and write DACR_KERNEL.
    SaveAndClose,
    /// Write DACR_KERNEL only (the syscall entry, which comes from user mode only).
    Close,
}

/// One window found: where it opened, where it closed, what it touched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WindowRecord {
    /// The `mcr` instructions that close it.
    pub closes: BTreeSet<u32>,
    /// The loads and stores inside it.
    pub accesses: BTreeSet<u32>,
}

/// What the analysis of one function found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FunctionAnalysis {
    /// Rule violations: (address, message).
    pub findings: BTreeSet<(u32, String)>,
    /// Every instruction reached.
    pub reached: BTreeSet<u32>,
    /// The windows, by the address of the `mcr` that opens them.
    pub windows: BTreeMap<u32, WindowRecord>,
    /// Loads and stores reached with a window open.
    pub accesses_in_windows: BTreeSet<u32>,
    /// Loads and stores reached at all.
    pub memory_accesses: BTreeSet<u32>,
    /// DACR writes reached.
    pub dacr_writes: BTreeSet<u32>,
    /// Where branches leave the function to (tail branches).
    pub branches_out: BTreeSet<u32>,
    /// Direct call targets.
    pub calls: BTreeSet<u32>,
    /// DACR writes of a value that is DACR_KERNEL or DACR_USER depending on the path.
    pub dacr_choices: BTreeSet<u32>,
}

/// A way out of the current path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Exit {
    /// `bl`/`blx`: `Some(target)` when direct.
    Call(Option<u32>),
    /// A branch to an address outside the function.
    BranchOut(u32),
    /// A return to the caller.
    Return,
    /// `rfe` and friends.
    ExceptionReturn,
    /// A branch whose destination is not known.
    IndirectBranch,
    /// Execution would run past the function's last instruction.
    FallOff,
    /// `svc`, `udf`, `bkpt`...: the path goes into an exception handler.
    Exception,
}

/// The analyser, with its decoded-instruction cache shared by every function.
pub struct Analyzer<'a> {
    program: &'a Program,
    decoder: Decoder,
    instructions: HashMap<u32, Rc<Instruction>>,
    table: HashMap<u32, TableEntry>,
}

impl<'a> Analyzer<'a> {
    /// An analyser of `program`.
    pub fn new(program: &'a Program) -> Result<Analyzer<'a>, String> {
        let table =
            program.exception_table.iter().map(|entry| (entry.instruction, *entry)).collect();
        Ok(Analyzer { program, decoder: Decoder::new()?, instructions: HashMap::new(), table })
    }

    /// The instruction at `address`, if an executable section holds it.
    pub fn instruction(&mut self, address: u32) -> Option<Rc<Instruction>> {
        if let Some(instruction) = self.instructions.get(&address) {
            return Some(Rc::clone(instruction));
        }
        let word = self.program.word_at(address)?;
        let instruction = Rc::new(self.decoder.decode(address, word));
        self.instructions.insert(address, Rc::clone(&instruction));
        Some(instruction)
    }

    /// Analyses `function` in `context`.
    pub fn analyse(&mut self, function: &Function, context: Context) -> FunctionAnalysis {
        let entry_dacr = match context {
            Context::Entry(_) => Dacr::Interrupted,
            Context::Ordinary | Context::ReturnPath => Dacr::Closed,
        };
        let mut states: BTreeMap<u32, State> = BTreeMap::new();
        states.insert(function.start, State::entry(entry_dacr));
        let mut worklist = BTreeSet::from([function.start]);
        let mut conflicts: BTreeMap<u32, (Dacr, Dacr)> = BTreeMap::new();
        let mut scratch = FunctionAnalysis::default();
        let mut steps = 0;
        while let Some(address) = worklist.pop_first() {
            steps += 1;
            if steps > STEP_LIMIT {
                scratch.findings.insert((
                    function.start,
                    "the analysis did not reach a fixed point (internal limit)".to_owned(),
                ));
                break;
            }
            let state = states[&address].clone();
            for (target, out) in self.step(function, context, address, &state, &mut scratch) {
                match states.get(&target) {
                    None => {
                        states.insert(target, out);
                        worklist.insert(target);
                    }
                    Some(old) => {
                        let (joined, conflict) = old.join(&out);
                        if conflict {
                            conflicts
                                .entry(target)
                                .or_insert_with(|| (old.dacr.clone(), out.dacr.clone()));
                        }
                        if joined != *old {
                            states.insert(target, joined);
                            worklist.insert(target);
                        }
                    }
                }
            }
        }
        let mut analysis = FunctionAnalysis::default();
        if steps > STEP_LIMIT {
            analysis.findings = scratch.findings;
        }
        for (address, state) in &states {
            self.step(function, context, *address, state, &mut analysis);
        }
        for (address, (left, right)) in conflicts {
            let message = match (left.innermost(), right.innermost()) {
                (Some(window), _) | (None, Some(window)) => format!(
                    "window opened at {:#010x} left open on some path: paths meet here with {left} on \
                     one and {right} on another",
                    window.opened_at
                ),
                (None, None) => {
                    format!(
                        "paths meet here in different DACR states: {left} on one, {right} on another"
                    )
                }
            };
            analysis.findings.insert((address, message));
        }
        analysis
    }

    /// Executes one instruction on `state`: records what it finds in `record` and returns the
    /// successors inside the function with their states.
    fn step(
        &mut self,
        function: &Function,
        context: Context,
        address: u32,
        state: &State,
        record: &mut FunctionAnalysis,
    ) -> Vec<(u32, State)> {
        let Some(instruction) = self.instruction(address) else {
            record
                .findings
                .insert((address, "the analysis reached an address outside the code".to_owned()));
            return Vec::new();
        };
        record.reached.insert(address);
        let mut successors = Vec::new();
        let mut next = state.clone();
        if let Some(memory) = instruction.memory {
            self.check_memory(context, &instruction, &memory, state, record);
            // A faulting user access resumes at its fixup with the registers and the DACR as
            // they were before it: that path must close the window too.
            if let Some(entry) = self.table.get(&address).filter(|entry| entry.kind == USER_ACCESS)
                && function.contains(entry.fixup)
            {
                successors.push((entry.fixup, state.clone()));
            }
        }

        let fallthrough = address.wrapping_add(4);
        let mut goes_on = true;
        let mut exits = Vec::new();
        let mut assigned: Option<(Register, Value)> = None;
        match instruction.operation {
            Operation::Undecodable => {
                // Nothing is known about what it does, so nothing after it can be proven: the
                // path ends here, and whatever it hides is caught as unreached.
                if matches!(state.dacr, Dacr::Open(_)) {
                    record
                        .findings
                        .insert((address, "undecodable word inside a window".to_owned()));
                }
                return successors;
            }
            Operation::DacrRead { destination } => {
                let seen = match state.dacr {
                    Dacr::Closed => Some(Seen::Closed),
                    Dacr::Open(_) => Some(Seen::Open),
                    Dacr::Interrupted => Some(Seen::Interrupted),
                    Dacr::Restored | Dacr::Unknown => None,
                };
                let value = seen.map_or(Value::Unknown, |seen| {
                    Value::Dacr(DacrValue { read_at: address, seen, user_bit: false })
                });
                assigned = Some((destination, value));
            }
            Operation::DacrWrite { source } => {
                let value = self.value_of(state, source, address);
                self.write_dacr(context, &instruction, &value, &mut next, record);
            }
            Operation::MoveImmediate { destination, value } => {
                assigned = Some((destination, Value::constant(value)));
            }
            Operation::MoveTop { destination, value } => {
                let result = match self.value_of(state, destination, address) {
                    Value::Constants(values) => Value::constants(
                        values.iter().map(|low| (low & 0xffff) | (value << 16)).collect(),
                    ),
                    _ => Value::Unknown,
                };
                assigned = Some((destination, result));
            }
            Operation::Copy { destination, source } => {
                assigned = Some((destination, self.value_of(state, source, address)));
            }
            Operation::Compute { arithmetic, destination, first, second } => {
                let first = self.value_of(state, first, address);
                let second = match second {
                    Operand::Immediate(value) => Value::constant(value),
                    Operand::Register(register) => self.value_of(state, register, address),
                };
                assigned = Some((destination, self.compute(arithmetic, &first, &second)));
            }
            Operation::LoadWord { destination } => {
                let value =
                    instruction.memory.map_or(Value::Unknown, |memory| self.load(&memory, address));
                assigned = Some((destination, value));
            }
            Operation::StoreWord { source } => {
                let stored = self.value_of(state, source, address);
                let interrupted_dacr = matches!(
                    stored,
                    Value::Dacr(DacrValue { seen: Seen::Interrupted, user_bit: false, .. })
                );
                if interrupted_dacr
                    && instruction.memory.is_some_and(|memory| self.is_frame_slot(&memory))
                {
                    next.frame_saved = true;
                }
            }
            Operation::InstructionBarrier | Operation::Other => {}
            Operation::Branch { target } => {
                if function.contains(target) && target % 4 == 0 {
                    successors.push((target, next.clone()));
                } else {
                    exits.push(Exit::BranchOut(target));
                }
                goes_on = instruction.conditional;
            }
            Operation::Call { target } => exits.push(Exit::Call(Some(target))),
            Operation::IndirectCall => exits.push(Exit::Call(None)),
            Operation::Return => {
                exits.push(Exit::Return);
                goes_on = instruction.conditional;
            }
            Operation::ExceptionReturn => {
                exits.push(Exit::ExceptionReturn);
                goes_on = instruction.conditional;
            }
            Operation::IndirectBranch => {
                exits.push(Exit::IndirectBranch);
                goes_on = instruction.conditional;
            }
            Operation::JumpTable { base } => {
                match self.jump_table(function, &self.value_of(state, base, address)) {
                    Some(targets) => {
                        successors.extend(targets.into_iter().map(|target| (target, next.clone())))
                    }
                    None => exits.push(Exit::IndirectBranch),
                }
                goes_on = instruction.conditional;
            }
            Operation::Exception => exits.push(Exit::Exception),
            Operation::Trap => {
                // LLVM's `trap` marks code that must never run: nothing follows it.
                if let Dacr::Open(_) = state.dacr {
                    record
                        .findings
                        .insert((address, format!("trap inside a window ({})", instruction.text)));
                }
                goes_on = false;
            }
        }

        let is_call =
            matches!(instruction.operation, Operation::Call { .. } | Operation::IndirectCall);
        for exit in exits {
            self.check_exit(context, &instruction, exit, state, record);
            if let Exit::Call(Some(target)) = exit {
                record.calls.insert(target);
            }
            if let Exit::BranchOut(target) = exit {
                record.branches_out.insert(target);
            }
        }
        if !goes_on {
            return successors;
        }

        self.apply_writes(&instruction, assigned, &mut next);
        if is_call {
            // AAPCS: a callee may change r0-r3, r12 and lr, and preserves the rest.
            for register in [0, 1, 2, 3, 12, 14] {
                next.registers[register] = Value::Unknown;
            }
            next.called = true;
        }
        if instruction.conditional && (is_call || !instruction.writes_pc()) {
            // The instruction may not execute: the state after it covers both outcomes.
            let (joined, conflict) = state.join(&next);
            if conflict {
                record.findings.insert((
                    address,
                    format!(
                        "conditional DACR write: {} or {} depending on the flags",
                        state.dacr, next.dacr
                    ),
                ));
            }
            next = joined;
        }
        if function.contains(fallthrough) {
            successors.push((fallthrough, next));
        } else if !is_call {
            // A call at the very end is one that does not return (a panic): nothing follows.
            self.check_exit(context, &instruction, Exit::FallOff, &next, record);
        }
        successors
    }

    /// The value of `register` in `state`, seen by the instruction at `address`.
    fn value_of(&self, state: &State, register: Register, address: u32) -> Value {
        if register == Register::PC {
            // In ARM state, reading the PC gives the instruction's address plus 8.
            Value::constant(address.wrapping_add(8))
        } else {
            state.registers[register.index()].clone()
        }
    }

    /// Writes the instruction's register results into `next`: the computed one, and
    /// "unknown" for every other register it writes.
    fn apply_writes(
        &self,
        instruction: &Instruction,
        assigned: Option<(Register, Value)>,
        next: &mut State,
    ) {
        for register in instruction.writes.iter().filter(|register| *register != Register::PC) {
            // A written-back stack pointer (push, pop, `str ..., [sp, #-4]!`) stays a stack
            // address; any other base written back becomes unknown.
            let stack_writeback = next.registers[register.index()] == Value::Stack
                && instruction
                    .memory
                    .is_some_and(|memory| memory.writeback && memory.base == register);
            if !stack_writeback {
                next.registers[register.index()] = Value::Unknown;
            }
        }
        if let Some((register, value)) = assigned.filter(|(register, _)| *register != Register::PC)
        {
            next.registers[register.index()] = value;
        }
    }

    /// The result of a data-processing instruction on known operands.
    fn compute(&self, arithmetic: Arithmetic, first: &Value, second: &Value) -> Value {
        let user_bit = self.program.constants.user_client_bit();
        match (arithmetic, first, second) {
            (Arithmetic::Or, Value::Dacr(value), Value::Constants(constants))
                if constants == &[user_bit] =>
            {
                Value::Dacr(DacrValue { user_bit: true, ..*value })
            }
            (Arithmetic::Or, Value::Dacr(value), Value::Constants(constants))
                if constants == &[0] =>
            {
                Value::Dacr(*value)
            }
            (_, Value::Constants(left), Value::Constants(right)) => {
                let mut results = Vec::new();
                for left in left {
                    for right in right {
                        results.push(match arithmetic {
                            Arithmetic::Or => left | right,
                            Arithmetic::And => left & right,
                            Arithmetic::ExclusiveOr => left ^ right,
                            Arithmetic::BitClear => left & !right,
                            Arithmetic::Add => left.wrapping_add(*right),
                            Arithmetic::Subtract => left.wrapping_sub(*right),
                        });
                    }
                }
                Value::constants(results)
            }
            // Offsetting or aligning the stack pointer gives another stack address.
            (
                Arithmetic::Add | Arithmetic::Subtract | Arithmetic::BitClear,
                Value::Stack,
                Value::Constants(_),
            ) => Value::Stack,
            _ => Value::Unknown,
        }
    }

    /// What a word load yields: the trap frame's DACR slot, a literal from the code, or
    /// nothing known.
    fn load(&self, memory: &MemoryAccess, address: u32) -> Value {
        if self.is_frame_slot(memory) {
            return Value::FrameDacr;
        }
        match memory.offset {
            Some(offset) if memory.base == Register::PC => {
                let literal = address.wrapping_add(8).wrapping_add_signed(offset);
                self.program.word_at(literal).map_or(Value::Unknown, Value::constant)
            }
            _ => Value::Unknown,
        }
    }

    /// Whether the access is `[sp, #FRAME_DACR]`.
    fn is_frame_slot(&self, memory: &MemoryAccess) -> bool {
        let offset = i64::from(self.program.constants.frame_dacr_offset);
        memory.base == Register::SP && memory.offset.map(i64::from) == Some(offset)
    }

    /// The targets of a jump table at `base`, if it is a known address and every entry up to
    /// the next code lands inside the function.
    fn jump_table(&self, function: &Function, base: &Value) -> Option<Vec<u32>> {
        let Value::Constants(bases) = base else { return None };
        let [start] = bases.as_slice() else { return None };
        if !function.contains(*start) {
            return None;
        }
        let end = self.program.mapping_region_end(*start, function.end);
        let count = (end.saturating_sub(*start) / 4).min(JUMP_TABLE_LIMIT);
        if count == 0 {
            return None;
        }
        let mut targets = Vec::new();
        for index in 0..count {
            let target = self.program.word_at(start + 4 * index)?;
            if !function.contains(target) || target % 4 != 0 {
                return None;
            }
            targets.push(target);
        }
        targets.sort_unstable();
        targets.dedup();
        Some(targets)
    }

    /// Rule 1 and the window bookkeeping for `mcr` to the DACR of `value`.
    fn write_dacr(
        &mut self,
        context: Context,
        instruction: &Instruction,
        value: &Value,
        next: &mut State,
        record: &mut FunctionAnalysis,
    ) {
        let address = instruction.address;
        let mut messages = Vec::new();
        record.dacr_writes.insert(address);
        if context != Context::ReturnPath {
            // The new DACR is only certain to govern later instructions after an isb (an
            // exception return synchronises too, which is why return paths are exempt).
            let followed_by_barrier = self
                .instruction(address.wrapping_add(4))
                .is_some_and(|after| after.operation == Operation::InstructionBarrier);
            if !followed_by_barrier {
                messages.push("DACR write not followed by isb".to_owned());
            }
        }
        next.kernel_written = false;
        match value {
            Value::Constants(values) => {
                self.write_constants(context, address, values, next, record, &mut messages)
            }
            Value::Dacr(written) if written.user_bit => {
                let closer = Closer::Saved(DacrValue { user_bit: false, ..*written });
                if context == Context::ReturnPath {
                    messages.push("exception return path opens a window".to_owned());
                }
                open_window(address, closer, next, record, &mut messages);
            }
            Value::Dacr(written) => {
                match &next.dacr {
                    Dacr::Open(windows) => {
                        let mut windows = windows.clone();
                        let innermost = windows.pop();
                        let closes = innermost.is_some_and(|window| match window.closer {
                            Closer::Saved(saved) => saved == *written,
                            Closer::Kernel => written.seen == Seen::Closed,
                        });
                        match innermost {
                            Some(window) if closes => {
                                close_window(address, window, windows, next, record);
                            }
                            _ => {
                                messages.push(format!(
                                    "window opened at {:#010x} closed with {value}, not the DACR saved \
                                     at its open",
                                    innermost.map_or(0, |window| window.opened_at)
                                ));
                                next.dacr = Dacr::Unknown;
                            }
                        }
                    }
                    _ if written.seen == Seen::Open => {
                        messages.push(format!(
                            "writes {value}, read inside a window: the user domain opens outside any window"
                        ));
                        next.dacr = Dacr::Unknown;
                    }
                    // Writing back a value read with the window closed (or as interrupted)
                    // restores what was there: allowed, and the state does not change.
                    _ => {}
                }
                if context == Context::ReturnPath {
                    messages.push(format!(
                        "exception return path writes {value}: it must restore the trap frame's DACR \
                         or write DACR_USER"
                    ));
                    next.dacr = Dacr::Unknown;
                }
            }
            Value::FrameDacr if context == Context::ReturnPath => {
                next.dacr = Dacr::Restored;
            }
            Value::FrameDacr => {
                messages.push(
                    "DACR write of the trap frame's saved value outside an exception return path"
                        .to_owned(),
                );
                next.dacr = Dacr::Unknown;
            }
            Value::Unknown | Value::Stack => {
                messages.push(format!(
                    "DACR write of {value}: not provably DACR_KERNEL, DACR_USER or a saved DACR"
                ));
                next.dacr = Dacr::Unknown;
            }
        }
        for message in messages {
            record.findings.insert((address, message));
        }
    }

    /// [`Analyzer::write_dacr`] for a value known to be one of `values`.
    ///
    /// Outside the return paths DACR_USER is an open, whoever writes it: a window closed by
    /// DACR_KERNEL. A choice between exactly DACR_KERNEL and DACR_USER is the boot's pan
    /// on/off choice of the kernel-mode DACR (DACR_USER is the kernel value with pan=off): it
    /// leaves the window closed, and is recorded so that the whole-kernel check can insist
    /// that there is only one.
    fn write_constants(
        &self,
        context: Context,
        address: u32,
        values: &[u32],
        next: &mut State,
        record: &mut FunctionAnalysis,
        messages: &mut Vec<String>,
    ) {
        let constants = self.program.constants;
        let (kernel, user) = (constants.dacr_kernel, constants.dacr_user);
        let shown = Value::constants(values.to_vec());
        for stray in values.iter().filter(|value| ![kernel, user].contains(value)) {
            let manager = crate::program::manager_domains(*stray);
            if manager.is_empty() {
                messages.push(format!(
                    "DACR write of {stray:#x}: neither DACR_KERNEL ({kernel:#x}) nor DACR_USER ({user:#x})"
                ));
            } else {
                let domains: Vec<String> = manager.iter().map(u32::to_string).collect();
                messages.push(format!(
                    "DACR write of {stray:#x}: Manager (no permission checks) in domain {}",
                    domains.join(", ")
                ));
            }
        }
        let kernel_only = values == [kernel];
        let user_only = values == [user];
        let choice = values.len() == 2 && values.contains(&kernel) && values.contains(&user);
        next.kernel_written = kernel_only;
        if context == Context::ReturnPath {
            next.dacr = if user_only {
                Dacr::Restored
            } else {
                messages.push(format!(
                    "exception return path writes {shown}: it must restore the trap frame's DACR \
                     or write DACR_USER"
                ));
                Dacr::Unknown
            };
            return;
        }
        if user_only {
            open_window(address, Closer::Kernel, next, record, messages);
            return;
        }
        if let Dacr::Open(windows) = &next.dacr {
            let mut windows = windows.clone();
            match windows.pop() {
                Some(window) if kernel_only && window.closer == Closer::Kernel => {
                    close_window(address, window, windows, next, record);
                    return;
                }
                innermost => messages.push(format!(
                    "DACR overwritten with {shown} inside the window opened at {:#010x} instead of \
                     restoring its saved value",
                    innermost.map_or(0, |window| window.opened_at)
                )),
            }
        }
        if choice {
            record.dacr_choices.insert(address);
        }
        next.dacr = if kernel_only || choice { Dacr::Closed } else { Dacr::Unknown };
    }

    /// Rule 4 (inside a window, every access is listed) and the return-path rule (after the
    /// restore, only loads from the stack).
    fn check_memory(
        &self,
        context: Context,
        instruction: &Instruction,
        memory: &MemoryAccess,
        state: &State,
        record: &mut FunctionAnalysis,
    ) {
        let address = instruction.address;
        record.memory_accesses.insert(address);
        if let Some(window) = state.dacr.innermost() {
            if self.table.contains_key(&address) {
                record.accesses_in_windows.insert(address);
                record.windows.entry(window.opened_at).or_default().accesses.insert(address);
            } else {
                record.findings.insert((
                    address,
                    format!(
                        "memory access inside the window opened at {:#010x} is not in the exception \
                         table: {}",
                        window.opened_at, instruction.text
                    ),
                ));
            }
        }
        if context == Context::ReturnPath && state.dacr == Dacr::Restored {
            if memory.store {
                record.findings.insert((
                    address,
                    format!(
                        "store between the DACR restore and the exception return: {}",
                        instruction.text
                    ),
                ));
            } else if self.value_of(state, memory.base, address) != Value::Stack {
                record.findings.insert((
                    address,
                    format!(
                        "load from a non-stack address between the DACR restore and the exception \
                         return: {}",
                        instruction.text
                    ),
                ));
            }
        }
    }

    /// Rules 2, 3 and 5 where a path leaves the function or calls out of it.
    fn check_exit(
        &self,
        context: Context,
        instruction: &Instruction,
        exit: Exit,
        state: &State,
        record: &mut FunctionAnalysis,
    ) {
        let address = instruction.address;
        let program = self.program;
        let mut finding = |message: String| {
            record.findings.insert((address, message));
        };
        if let Some(window) = state.dacr.innermost() {
            let opened = window.opened_at;
            finding(match exit {
                Exit::Call(Some(target)) => {
                    format!(
                        "call to {} inside the window opened at {opened:#010x}",
                        program.describe(target)
                    )
                }
                Exit::Call(None) => {
                    format!("indirect call inside the window opened at {opened:#010x}")
                }
                Exit::BranchOut(target) => format!(
                    "window opened at {opened:#010x} left open: branch out of the function to {}",
                    program.describe(target)
                ),
                Exit::Return => format!("window opened at {opened:#010x} left open: return"),
                Exit::ExceptionReturn => {
                    format!("window opened at {opened:#010x} left open: exception return")
                }
                Exit::IndirectBranch => {
                    format!(
                        "window opened at {opened:#010x} left open: indirect branch ({})",
                        instruction.text
                    )
                }
                Exit::FallOff => format!(
                    "window opened at {opened:#010x} left open: runs past the function's end"
                ),
                Exit::Exception => format!(
                    "exception-raising instruction inside the window opened at {opened:#010x}: {}",
                    instruction.text
                ),
            });
        }
        let into = match exit {
            Exit::Call(Some(target)) | Exit::BranchOut(target) => program.describe(target),
            _ => "its handler".to_owned(),
        };
        match context {
            Context::Ordinary => {}
            Context::Entry(kind) => {
                let leaves = matches!(exit, Exit::Call(_))
                    || (!state.called
                        && matches!(
                            exit,
                            Exit::BranchOut(_) | Exit::Return | Exit::IndirectBranch
                        ));
                if !leaves {
                    return;
                }
                let frame = program.constants.frame_dacr_offset;
                if kind != EntryKind::Close && !state.frame_saved {
                    finding(format!(
                        "exception entry reaches {into} without saving the DACR at [sp, #{frame:#x}]"
                    ));
                }
                // Every handler, the data abort's included, runs with the window closed: the
                // analysis of the Rust it calls starts closed, and this is what makes it so.
                if !state.kernel_written {
                    finding(format!(
                        "exception entry reaches {into} without closing the window (no DACR_KERNEL \
                         write on some path)"
                    ));
                }
            }
            Context::ReturnPath => match exit {
                Exit::ExceptionReturn if state.dacr != Dacr::Restored => finding(
                    "exception return without restoring the trap frame's DACR or writing DACR_USER"
                        .to_owned(),
                ),
                Exit::ExceptionReturn | Exit::Exception => {}
                Exit::BranchOut(_) | Exit::Call(_) if state.dacr != Dacr::Restored => {}
                _ if state.dacr == Dacr::Restored => {
                    finding("exception return path leaves after restoring the DACR".to_owned())
                }
                _ => finding("exception return path ends without an exception return".to_owned()),
            },
        }
    }
}

/// Opens a window at `address`, closed by `closer`, on top of any already open (itself a
/// violation).
fn open_window(
    address: u32,
    closer: Closer,
    next: &mut State,
    record: &mut FunctionAnalysis,
    messages: &mut Vec<String>,
) {
    let mut windows = match &next.dacr {
        Dacr::Open(windows) => {
            messages.push(format!(
                "window opened inside the window opened at {:#010x}",
                windows.last().map_or(0, |window| window.opened_at)
            ));
            windows.clone()
        }
        _ => Vec::new(),
    };
    record.windows.entry(address).or_default();
    windows.push(OpenWindow { opened_at: address, closer });
    next.dacr = Dacr::Open(windows);
}

/// Closes `window` at `address`; `outer` are the windows still open around it.
fn close_window(
    address: u32,
    window: OpenWindow,
    outer: Vec<OpenWindow>,
    next: &mut State,
    record: &mut FunctionAnalysis,
) {
    record.windows.entry(window.opened_at).or_default().closes.insert(address);
    next.dacr = if outer.is_empty() { Dacr::Closed } else { Dacr::Open(outer) };
}
