//! ARM instructions reduced to what the window analysis needs, decoded by Capstone.
//!
//! Capstone does the decoding (yaxpeax-arm 0.5 stops at `isb`, `dmb`, `udf` and the media
//! instructions, which the kernel is full of). This module only sorts Capstone's answer into
//! an [`Operation`], the memory access if any, and the set of core registers written, so that
//! the analysis never looks at Capstone's types.

use capstone::arch::arm::{ArchMode, ArmCC, ArmInsn, ArmOperand, ArmOperandType, ArmReg, ArmShift};
use capstone::arch::{BuildsCapstone, DetailsArchInsn};
use capstone::{AccessType, Capstone, RegId};
use std::fmt;

/// A core register, r0 to r15.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Register(pub u8);

impl Register {
    /// The stack pointer, r13.
    pub const SP: Register = Register(13);
    /// The link register, r14.
    pub const LR: Register = Register(14);
    /// The program counter, r15.
    pub const PC: Register = Register(15);

    /// The register's index, 0 to 15.
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

impl fmt::Display for Register {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Register::SP => formatter.write_str("sp"),
            Register::LR => formatter.write_str("lr"),
            Register::PC => formatter.write_str("pc"),
            Register(number) => write!(formatter, "r{number}"),
        }
    }
}

/// A set of core registers, one bit each.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RegisterSet(pub u16);

impl RegisterSet {
    /// Whether `register` is in the set.
    pub fn contains(self, register: Register) -> bool {
        self.0 & (1 << register.0) != 0
    }

    /// Adds `register`.
    pub fn insert(&mut self, register: Register) {
        self.0 |= 1 << register.0;
    }

    /// Removes `register`.
    pub fn remove(&mut self, register: Register) {
        self.0 &= !(1 << register.0);
    }

    /// The registers in the set, lowest first.
    pub fn iter(self) -> impl Iterator<Item = Register> {
        (0..16).map(Register).filter(move |register| self.contains(*register))
    }
}

/// The second source of a data-processing instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operand {
    /// An immediate.
    Immediate(u32),
    /// An unshifted register.
    Register(Register),
}

/// The data-processing operations whose results the analysis computes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arithmetic {
    /// `orr`
    Or,
    /// `and`
    And,
    /// `eor`
    ExclusiveOr,
    /// `bic`
    BitClear,
    /// `add`
    Add,
    /// `sub`
    Subtract,
}

/// What an instruction does, as far as the window analysis cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Capstone could not decode the word.
    Undecodable,
    /// `mrc p15, 0, Rt, c3, c0, 0`: reads the DACR.
    DacrRead {
        /// Rt.
        destination: Register,
    },
    /// `mcr p15, 0, Rt, c3, c0, 0`: writes the DACR.
    DacrWrite {
        /// Rt.
        source: Register,
    },
    /// `isb`.
    InstructionBarrier,
    /// `mov`/`movw`/`mvn` with an immediate: the register gets a known value.
    MoveImmediate {
        /// The register written.
        destination: Register,
        /// The value (already inverted for `mvn`).
        value: u32,
    },
    /// `movt`: replaces the top half.
    MoveTop {
        /// The register written.
        destination: Register,
        /// The new top half.
        value: u32,
    },
    /// `mov Rd, Rm` without a shift.
    Copy {
        /// Rd.
        destination: Register,
        /// Rm.
        source: Register,
    },
    /// A data-processing instruction whose result can be computed from known operands.
    Compute {
        /// What it computes.
        arithmetic: Arithmetic,
        /// Rd.
        destination: Register,
        /// Rn.
        first: Register,
        /// The immediate or unshifted Rm.
        second: Operand,
    },
    /// `ldr Rt, [...]`: a single word load (the address is in [`Instruction::memory`]).
    LoadWord {
        /// Rt.
        destination: Register,
    },
    /// `str Rt, [...]`: a single word store.
    StoreWord {
        /// Rt.
        source: Register,
    },
    /// `b`: a direct branch.
    Branch {
        /// The destination.
        target: u32,
    },
    /// `bl`/`blx` to an address.
    Call {
        /// The destination.
        target: u32,
    },
    /// `blx Rm`.
    IndirectCall,
    /// `bx lr`, `mov pc, lr`, `pop {..., pc}`, `ldr pc, [sp], #4`.
    Return,
    /// `rfe`, `eret`, `subs pc, lr, #n`, `movs pc, lr`, `ldm {..., pc}^`.
    ExceptionReturn,
    /// `ldr pc, [Rn, Rm, lsl #2]`: a jump table at the address in Rn.
    JumpTable {
        /// Rn.
        base: Register,
    },
    /// Any other write to the PC.
    IndirectBranch,
    /// `svc`, `udf`, `bkpt`, `hvc`, `smc`: an exception whose handler may return to the next
    /// instruction (the self-tests step over a `udf` that way).
    Exception,
    /// LLVM's `trap` (`udf #0xfdee`): marks code that must never run; nothing follows it.
    Trap,
    /// Anything else: only its register writes matter.
    Other,
}

/// A load or store, with the address form the analysis recognises.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryAccess {
    /// The base register.
    pub base: Register,
    /// The immediate offset of a plain `[Rn, #imm]` access (no index, no writeback);
    /// `None` for any other form.
    pub offset: Option<i32>,
    /// Whether it reads memory.
    pub load: bool,
    /// Whether it writes memory.
    pub store: bool,
    /// Whether the base register is written back.
    pub writeback: bool,
}

/// One decoded instruction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Instruction {
    /// Its address.
    pub address: u32,
    /// The disassembly, for messages.
    pub text: String,
    /// Whether it has a condition other than "always".
    pub conditional: bool,
    /// What it does.
    pub operation: Operation,
    /// The memory access, if any.
    pub memory: Option<MemoryAccess>,
    /// The core registers it writes (including written-back bases and the PC).
    pub writes: RegisterSet,
}

impl Instruction {
    /// Whether the instruction transfers control somewhere other than the next instruction
    /// (on at least one condition).
    pub fn writes_pc(&self) -> bool {
        self.writes.contains(Register::PC)
    }
}

/// Decodes ARM (A32) instructions.
pub struct Decoder {
    capstone: Capstone,
}

/// The instruction identifiers the analysis tells apart, as Capstone numbers them.
mod identifier {
    use super::ArmInsn;

    pub const MCR: u32 = ArmInsn::ARM_INS_MCR as u32;
    pub const MRC: u32 = ArmInsn::ARM_INS_MRC as u32;
    pub const ISB: u32 = ArmInsn::ARM_INS_ISB as u32;
    pub const MOV: u32 = ArmInsn::ARM_INS_MOV as u32;
    pub const MOVW: u32 = ArmInsn::ARM_INS_MOVW as u32;
    pub const MOVS: u32 = ArmInsn::ARM_INS_MOVS as u32;
    pub const MVN: u32 = ArmInsn::ARM_INS_MVN as u32;
    pub const MOVT: u32 = ArmInsn::ARM_INS_MOVT as u32;
    pub const ORR: u32 = ArmInsn::ARM_INS_ORR as u32;
    pub const AND: u32 = ArmInsn::ARM_INS_AND as u32;
    pub const EOR: u32 = ArmInsn::ARM_INS_EOR as u32;
    pub const BIC: u32 = ArmInsn::ARM_INS_BIC as u32;
    pub const ADD: u32 = ArmInsn::ARM_INS_ADD as u32;
    pub const SUB: u32 = ArmInsn::ARM_INS_SUB as u32;
    pub const SUBS: u32 = ArmInsn::ARM_INS_SUBS as u32;
    pub const LDR: u32 = ArmInsn::ARM_INS_LDR as u32;
    pub const STR: u32 = ArmInsn::ARM_INS_STR as u32;
    pub const B: u32 = ArmInsn::ARM_INS_B as u32;
    pub const BL: u32 = ArmInsn::ARM_INS_BL as u32;
    pub const BLX: u32 = ArmInsn::ARM_INS_BLX as u32;
    pub const BX: u32 = ArmInsn::ARM_INS_BX as u32;
    pub const ERET: u32 = ArmInsn::ARM_INS_ERET as u32;
    pub const SVC: u32 = ArmInsn::ARM_INS_SVC as u32;
    pub const BKPT: u32 = ArmInsn::ARM_INS_BKPT as u32;
    pub const HVC: u32 = ArmInsn::ARM_INS_HVC as u32;
    pub const SMC: u32 = ArmInsn::ARM_INS_SMC as u32;
    pub const UDF: u32 = ArmInsn::ARM_INS_UDF as u32;
    pub const TRAP: u32 = ArmInsn::ARM_INS_TRAP as u32;
    pub const POP: u32 = ArmInsn::ARM_INS_POP as u32;
    pub const PUSH: u32 = ArmInsn::ARM_INS_PUSH as u32;

    /// Loads of several registers: the base is the first operand.
    pub const LOAD_MULTIPLE: [u32; 6] = [
        ArmInsn::ARM_INS_LDM as u32,
        ArmInsn::ARM_INS_LDMDA as u32,
        ArmInsn::ARM_INS_LDMDB as u32,
        ArmInsn::ARM_INS_LDMIB as u32,
        ArmInsn::ARM_INS_VLDMIA as u32,
        ArmInsn::ARM_INS_VLDMDB as u32,
    ];
    /// Stores of several registers: the base is the first operand.
    pub const STORE_MULTIPLE: [u32; 6] = [
        ArmInsn::ARM_INS_STM as u32,
        ArmInsn::ARM_INS_STMDA as u32,
        ArmInsn::ARM_INS_STMDB as u32,
        ArmInsn::ARM_INS_STMIB as u32,
        ArmInsn::ARM_INS_VSTMIA as u32,
        ArmInsn::ARM_INS_VSTMDB as u32,
    ];
    /// `rfe`: loads the return state from the base register's address.
    pub const RETURN_FROM_EXCEPTION: [u32; 4] = [
        ArmInsn::ARM_INS_RFEDA as u32,
        ArmInsn::ARM_INS_RFEDB as u32,
        ArmInsn::ARM_INS_RFEIA as u32,
        ArmInsn::ARM_INS_RFEIB as u32,
    ];
    /// `srs`: stores the return state on the stack of another mode (here always SP).
    pub const STORE_RETURN_STATE: [u32; 4] = [
        ArmInsn::ARM_INS_SRSDA as u32,
        ArmInsn::ARM_INS_SRSDB as u32,
        ArmInsn::ARM_INS_SRSIA as u32,
        ArmInsn::ARM_INS_SRSIB as u32,
    ];
    /// Stack pushes and pops of floating-point registers.
    pub const VECTOR_STACK: [u32; 2] =
        [ArmInsn::ARM_INS_VPUSH as u32, ArmInsn::ARM_INS_VPOP as u32];
}

/// The DACR's coordinates in CP15: `p15, 0, Rt, c3, c0, 0`.
const DACR_COPROCESSOR: [i32; 5] = [15, 0, 3, 0, 0];
/// The CP15 cache maintenance operations by virtual address (`p15, 0, Rt, c7, CRm, opc2`):
/// ICIMVAU, BPIMVA, DCIMVAC, DCCMVAC, DCCMVAU, DCCIMVAC. They translate Rt like a memory
/// access and can take a data abort on it, so inside a window they count as accesses.
const CACHE_MAINTENANCE_BY_ADDRESS: [[i32; 2]; 6] =
    [[5, 1], [5, 7], [6, 1], [10, 1], [11, 1], [14, 1]];

impl Decoder {
    /// A decoder for ARM state, with instruction details on.
    pub fn new() -> Result<Decoder, String> {
        let capstone = Capstone::new()
            .arm()
            .mode(ArchMode::Arm)
            .detail(true)
            .build()
            .map_err(|error| format!("cannot start the Capstone ARM decoder: {error}"))?;
        Ok(Decoder { capstone })
    }

    /// Decodes the ARM instruction `word` at `address`.
    pub fn decode(&self, address: u32, word: u32) -> Instruction {
        let undecodable = Instruction {
            address,
            text: format!(".word {word:#010x}"),
            conditional: false,
            operation: Operation::Undecodable,
            memory: None,
            writes: RegisterSet::default(),
        };
        let Ok(instructions) =
            self.capstone.disasm_count(&word.to_le_bytes(), u64::from(address), 1)
        else {
            return undecodable;
        };
        let Some(instruction) = instructions.iter().next() else { return undecodable };
        let Ok(detail) = self.capstone.insn_detail(instruction) else { return undecodable };
        let architecture = detail.arch_detail();
        let Some(arm) = architecture.arm() else { return undecodable };
        let operands: Vec<ArmOperand> = arm.operands().collect();
        let text = match (instruction.mnemonic(), instruction.op_str()) {
            (Some(mnemonic), Some(operands)) if !operands.is_empty() => {
                format!("{mnemonic} {operands}")
            }
            (Some(mnemonic), _) => mnemonic.to_owned(),
            _ => undecodable.text.clone(),
        };
        let facts = Facts {
            identifier: instruction.id().0,
            operands: &operands,
            writeback: arm.writeback(),
            usermode: arm.usermode(),
            update_flags: arm.update_flags(),
        };
        let mut writes = core_registers(detail.regs_write());
        let memory = facts.memory_access();
        let operation = facts.operation(writes);
        match operation {
            // Capstone lists the mrc destination as read, not written.
            Operation::DacrRead { destination } => writes.insert(destination),
            Operation::Other if facts.identifier == identifier::MRC => {
                if let Some(register) =
                    facts.register(2).filter(|register| *register != Register::PC)
                {
                    writes.insert(register);
                }
            }
            _ => {}
        }
        if identifier::STORE_RETURN_STATE.contains(&facts.identifier) && facts.writeback {
            writes.insert(Register::SP);
        }
        // Capstone does not list the PC (nor the written-back base) among rfe's writes.
        if identifier::RETURN_FROM_EXCEPTION.contains(&facts.identifier) {
            writes.insert(Register::PC);
            if let Some(base) = facts.register(0).filter(|_| facts.writeback) {
                writes.insert(base);
            }
        }
        // `ldm Rn, {..., sp, lr}^` without the PC loads the User-mode SP and LR, not the
        // current mode's: the kernel's own stack pointer is untouched.
        if facts.usermode && !writes.contains(Register::PC) {
            writes.remove(Register::SP);
            writes.remove(Register::LR);
        }
        let conditional = !matches!(arm.cc(), ArmCC::ARM_CC_AL | ArmCC::ARM_CC_INVALID);
        Instruction { address, text, conditional, operation, memory, writes }
    }
}

/// What [`Decoder::decode`] reads off Capstone's answer.
struct Facts<'a> {
    identifier: u32,
    operands: &'a [ArmOperand],
    writeback: bool,
    usermode: bool,
    update_flags: bool,
}

impl Facts<'_> {
    /// Operand `index` as a core register.
    fn register(&self, index: usize) -> Option<Register> {
        match self.operands.get(index)?.op_type {
            ArmOperandType::Reg(register) => core_register(register),
            _ => None,
        }
    }

    /// Operand `index` as an immediate, without a shift.
    fn immediate(&self, index: usize) -> Option<u32> {
        let operand = self.operands.get(index)?;
        match operand.op_type {
            // Capstone hands out immediates as signed; the bits are what matter.
            ArmOperandType::Imm(value) if operand.shift == ArmShift::Invalid => Some(value as u32),
            _ => None,
        }
    }

    /// Operand `index` as an unshifted register or an immediate.
    fn plain_operand(&self, index: usize) -> Option<Operand> {
        let operand = self.operands.get(index)?;
        if operand.shift != ArmShift::Invalid || operand.subtracted {
            return None;
        }
        match operand.op_type {
            ArmOperandType::Imm(value) => Some(Operand::Immediate(value as u32)),
            ArmOperandType::Reg(register) => core_register(register).map(Operand::Register),
            _ => None,
        }
    }

    /// The memory operand, if the instruction has one.
    fn memory_operand(&self) -> Option<&ArmOperand> {
        self.operands.iter().find(|operand| matches!(operand.op_type, ArmOperandType::Mem(_)))
    }

    /// The memory access: an explicit memory operand, one of the multiple-register forms, or
    /// a cache maintenance operation on the address in a register.
    fn memory_access(&self) -> Option<MemoryAccess> {
        if let Some(address) = self.cache_maintenance_address() {
            // Not a load: in a return path's "loads from the stack only" stretch it is refused.
            return Some(MemoryAccess {
                base: address,
                offset: None,
                load: false,
                store: true,
                writeback: false,
            });
        }
        if let Some(operand) = self.memory_operand() {
            let ArmOperandType::Mem(memory) = operand.op_type else { return None };
            let base = core_register(memory.base())?;
            let plain = memory.index() == RegId(0)
                && !self.writeback
                && operand.shift == ArmShift::Invalid
                && self.operands.len() == 2;
            let (load, store) = match operand.access {
                Some(AccessType::ReadOnly) => (true, false),
                Some(AccessType::WriteOnly) => (false, true),
                // Swaps and anything Capstone cannot tell: count both.
                _ => (true, true),
            };
            return Some(MemoryAccess {
                base,
                offset: plain.then(|| memory.disp()),
                load,
                store,
                writeback: self.writeback,
            });
        }
        let (base, load) = if identifier::LOAD_MULTIPLE.contains(&self.identifier)
            || identifier::RETURN_FROM_EXCEPTION.contains(&self.identifier)
        {
            (self.register(0)?, true)
        } else if identifier::STORE_MULTIPLE.contains(&self.identifier) {
            (self.register(0)?, false)
        } else if self.identifier == identifier::POP {
            (Register::SP, true)
        } else if self.identifier == identifier::PUSH
            || identifier::STORE_RETURN_STATE.contains(&self.identifier)
        {
            (Register::SP, false)
        } else if identifier::VECTOR_STACK.contains(&self.identifier) {
            (Register::SP, self.identifier == identifier::VECTOR_STACK[1])
        } else {
            return None;
        };
        let writeback = self.writeback
            || matches!(self.identifier, identifier::POP | identifier::PUSH)
            || identifier::VECTOR_STACK.contains(&self.identifier);
        Some(MemoryAccess { base, offset: None, load, store: !load, writeback })
    }

    /// Sorts the instruction into an [`Operation`].
    fn operation(&self, writes: RegisterSet) -> Operation {
        if let Some(operation) = self.coprocessor() {
            return operation;
        }
        if identifier::RETURN_FROM_EXCEPTION.contains(&self.identifier) {
            return Operation::ExceptionReturn;
        }
        if writes.contains(Register::PC) {
            return self.control_flow();
        }
        match self.identifier {
            identifier::ISB => Operation::InstructionBarrier,
            identifier::SVC
            | identifier::UDF
            | identifier::BKPT
            | identifier::HVC
            | identifier::SMC => Operation::Exception,
            identifier::TRAP => Operation::Trap,
            identifier::MOV | identifier::MOVW | identifier::MVN => {
                match (self.register(0), self.operands.len()) {
                    (Some(destination), 2) => match (self.immediate(1), self.plain_operand(1)) {
                        (Some(value), _) if self.identifier == identifier::MVN => {
                            Operation::MoveImmediate { destination, value: !value }
                        }
                        (Some(value), _) => Operation::MoveImmediate { destination, value },
                        (None, Some(Operand::Register(source)))
                            if self.identifier != identifier::MVN =>
                        {
                            Operation::Copy { destination, source }
                        }
                        _ => Operation::Other,
                    },
                    _ => Operation::Other,
                }
            }
            identifier::MOVT => match (self.register(0), self.immediate(1)) {
                (Some(destination), Some(value)) => Operation::MoveTop { destination, value },
                _ => Operation::Other,
            },
            identifier::ORR
            | identifier::AND
            | identifier::EOR
            | identifier::BIC
            | identifier::ADD
            | identifier::SUB => {
                let arithmetic = match self.identifier {
                    identifier::ORR => Arithmetic::Or,
                    identifier::AND => Arithmetic::And,
                    identifier::EOR => Arithmetic::ExclusiveOr,
                    identifier::BIC => Arithmetic::BitClear,
                    identifier::ADD => Arithmetic::Add,
                    _ => Arithmetic::Subtract,
                };
                match (
                    self.register(0),
                    self.register(1),
                    self.plain_operand(2),
                    self.operands.len(),
                ) {
                    (Some(destination), Some(first), Some(second), 3) => {
                        Operation::Compute { arithmetic, destination, first, second }
                    }
                    _ => Operation::Other,
                }
            }
            identifier::LDR => match self.register(0) {
                Some(destination) => Operation::LoadWord { destination },
                None => Operation::Other,
            },
            identifier::STR => match self.register(0) {
                Some(source) => Operation::StoreWord { source },
                None => Operation::Other,
            },
            _ => Operation::Other,
        }
    }

    /// The coprocessor operands: coprocessor, opc1, CRn, CRm, opc2 (as in
    /// `mcr p15, 0, Rt, c3, c0, 0`).
    fn coprocessor_coordinates(&self) -> Option<[i32; 5]> {
        let number = |index: usize| match self.operands.get(index)?.op_type {
            ArmOperandType::Pimm(value)
            | ArmOperandType::Imm(value)
            | ArmOperandType::Cimm(value) => Some(value),
            _ => None,
        };
        Some([number(0)?, number(1)?, number(3)?, number(4)?, number(5)?])
    }

    /// The register holding the address of a cache maintenance operation by address.
    fn cache_maintenance_address(&self) -> Option<Register> {
        if self.identifier != identifier::MCR {
            return None;
        }
        let [coprocessor, opcode, primary, secondary, operation] =
            self.coprocessor_coordinates()?;
        let by_address = CACHE_MAINTENANCE_BY_ADDRESS.contains(&[secondary, operation]);
        if coprocessor == 15 && opcode == 0 && primary == 7 && by_address {
            self.register(2)
        } else {
            None
        }
    }

    /// `mrc`/`mcr` of the DACR.
    fn coprocessor(&self) -> Option<Operation> {
        if self.identifier != identifier::MCR && self.identifier != identifier::MRC {
            return None;
        }
        if self.coprocessor_coordinates()? != DACR_COPROCESSOR {
            return None;
        }
        let register = self.register(2)?;
        Some(if self.identifier == identifier::MCR {
            Operation::DacrWrite { source: register }
        } else {
            Operation::DacrRead { destination: register }
        })
    }

    /// An instruction that writes the PC.
    fn control_flow(&self) -> Operation {
        let target = || self.immediate(0);
        match self.identifier {
            identifier::B => {
                target().map_or(Operation::IndirectBranch, |target| Operation::Branch { target })
            }
            identifier::BL => {
                target().map_or(Operation::IndirectCall, |target| Operation::Call { target })
            }
            identifier::BLX => {
                target().map_or(Operation::IndirectCall, |target| Operation::Call { target })
            }
            identifier::BX if self.register(0) == Some(Register::LR) => Operation::Return,
            identifier::BX => Operation::IndirectBranch,
            identifier::ERET => Operation::ExceptionReturn,
            _ if identifier::RETURN_FROM_EXCEPTION.contains(&self.identifier) => {
                Operation::ExceptionReturn
            }
            // A flag-setting write of the PC copies SPSR to CPSR: an exception return.
            identifier::MOVS | identifier::SUBS => Operation::ExceptionReturn,
            identifier::MOV | identifier::SUB | identifier::ADD if self.update_flags => {
                Operation::ExceptionReturn
            }
            identifier::MOV
                if self.register(1) == Some(Register::LR) && self.operands.len() == 2 =>
            {
                Operation::Return
            }
            identifier::POP => Operation::Return,
            _ if identifier::LOAD_MULTIPLE.contains(&self.identifier) && self.usermode => {
                Operation::ExceptionReturn
            }
            _ if identifier::LOAD_MULTIPLE.contains(&self.identifier)
                && self.register(0) == Some(Register::SP)
                && self.writeback =>
            {
                Operation::Return
            }
            identifier::LDR => self.load_pc(),
            _ => Operation::IndirectBranch,
        }
    }

    /// `ldr pc, [...]`: a return (`[sp], #4`), a jump table (`[Rn, Rm, lsl #2]`) or an
    /// indirect branch.
    fn load_pc(&self) -> Operation {
        let Some(operand) = self.memory_operand() else { return Operation::IndirectBranch };
        let ArmOperandType::Mem(memory) = operand.op_type else { return Operation::IndirectBranch };
        let Some(base) = core_register(memory.base()) else { return Operation::IndirectBranch };
        let post_increment_by_four = self.immediate(2) == Some(4) && self.operands.len() == 3;
        if base == Register::SP
            && self.writeback
            && memory.index() == RegId(0)
            && post_increment_by_four
        {
            return Operation::Return;
        }
        let indexed = core_register(memory.index()).is_some();
        let scaled_word_index =
            operand.shift == ArmShift::Lsl(2) && memory.scale() == 1 && !operand.subtracted;
        if indexed && scaled_word_index && !self.writeback && memory.disp() == 0 {
            return Operation::JumpTable { base };
        }
        Operation::IndirectBranch
    }
}

/// A Capstone register number as a core register, if it is one.
fn core_register(register: RegId) -> Option<Register> {
    let number = u32::from(register.0);
    match number {
        ArmReg::ARM_REG_SP => Some(Register::SP),
        ArmReg::ARM_REG_LR => Some(Register::LR),
        ArmReg::ARM_REG_PC => Some(Register::PC),
        _ if (ArmReg::ARM_REG_R0..=ArmReg::ARM_REG_R12).contains(&number) => {
            u8::try_from(number - ArmReg::ARM_REG_R0).ok().map(Register)
        }
        _ => None,
    }
}

/// The core registers among Capstone's register numbers.
fn core_registers(registers: &[RegId]) -> RegisterSet {
    let mut set = RegisterSet::default();
    for register in registers.iter().filter_map(|register| core_register(*register)) {
        set.insert(register);
    }
    set
}
