//! Each rule on small hand-encoded ARM sequences: a clean version passes, and each way of
//! breaking the rule is reported at the right instruction.

use windowcheck::program::{
    CodeSection, Constants, Function, KERNEL_BUFFER, Mapping, Program, TableEntry, USER_ACCESS,
    VectorTables,
};
use windowcheck::{Report, check};

/// Where the hand-built code starts.
const BASE: u32 = 0x8000_1000;
/// The kernel's DACR constants: 0x51 closed, 0x55 open, the frame's DACR at +0x40.
const CONSTANTS: Constants =
    Constants { dacr_kernel: 0x51, dacr_user: 0x55, frame_dacr_offset: 0x40 };

// The window, with the DACR saved in r4 and the open value built in r5.
/// mrc p15, 0, r4, c3, c0, 0      @ open: save the DACR
const SAVE_R4: u32 = 0xEE13_4F10;
/// orr r5, r4, #4                 @       user domain -> Client
const ORR_R5_R4_4: u32 = 0xE384_5004;
/// mcr p15, 0, r5, c3, c0, 0      @       write it
const OPEN_R5: u32 = 0xEE03_5F10;
/// isb sy
const ISB: u32 = 0xF57F_F06F;
/// mcr p15, 0, r4, c3, c0, 0      @ close: restore the saved DACR
const CLOSE_R4: u32 = 0xEE03_4F10;

/// ldrb r0, [r1]                  @ a user load
const LDRB_R0_R1: u32 = 0xE5D1_0000;
/// ldr r2, [r3]
const LDR_R2_R3: u32 = 0xE593_2000;
/// str r4, [sp, #4]               @ a spill
const SPILL_R4: u32 = 0xE58D_4004;
/// ldr r4, [sp, #4]               @ its reload
const RELOAD_R4: u32 = 0xE59D_4004;
/// bx lr
const RETURN: u32 = 0xE12F_FF1E;
/// bxeq lr
const RETURN_IF_EQUAL: u32 = 0x012F_FF1E;
/// cmp r0, #0
const COMPARE_R0_0: u32 = 0xE350_0000;
/// mov r6, r4
const MOVE_R6_R4: u32 = 0xE1A0_6004;
/// mcr p15, 0, r6, c3, c0, 0
const CLOSE_R6: u32 = 0xEE03_6F10;
/// mrc p15, 0, r6, c3, c0, 0
const READ_R6: u32 = 0xEE13_6F10;
/// mcr p15, 0, r0, c3, c0, 0
const WRITE_R0: u32 = 0xEE03_0F10;
/// mov r0, #0x51
const MOVE_R0_KERNEL: u32 = 0xE3A0_0051;
/// movne r0, #0x55
const MOVE_R0_USER_IF_NOT_EQUAL: u32 = 0x13A0_0055;
/// mov r1, #0x51
const MOVE_R1_KERNEL: u32 = 0xE3A0_1051;
/// mov r1, #0x55
const MOVE_R1_USER: u32 = 0xE3A0_1055;
/// mov r1, #0xff
const MOVE_R1_MANAGER: u32 = 0xE3A0_10FF;
/// mcr p15, 0, r1, c3, c0, 0
const WRITE_R1: u32 = 0xEE03_1F10;
/// mrc p15, 0, r1, c3, c0, 0
const READ_R1: u32 = 0xEE13_1F10;
/// str r1, [sp, #0x40]            @ save the DACR in the trap frame
const SAVE_R1_IN_FRAME: u32 = 0xE58D_1040;
/// ldr r1, [sp, #0x40]            @ the trap frame's DACR
const LOAD_R1_FROM_FRAME: u32 = 0xE59D_1040;
/// str r2, [r3]
const STORE_R2_R3: u32 = 0xE583_2000;
/// mov r0, sp
const MOVE_R0_SP: u32 = 0xE1A0_000D;
/// rfeia sp!
const RETURN_FROM_EXCEPTION: u32 = 0xF8BD_0A00;
/// ldr pc, [pc, #24]              @ a vector slot
const VECTOR_SLOT: u32 = 0xE59F_F018;
/// add r2, pc, #0                 @ a jump table's address
const TABLE_ADDRESS_R2: u32 = 0xE28F_2000;
/// ldr pc, [r2, r1, lsl #2]       @ jump through it
const JUMP_THROUGH_R2: u32 = 0xE792_F101;
/// bx r3
const BRANCH_R3: u32 = 0xE12F_FF13;
/// mcr p15, 0, r2, c7, c11, 1     @ DCCMVAU: clean the data cache line at r2
const CLEAN_LINE_R2: u32 = 0xEE07_2F3B;
/// ldr r2, [sp, #0x4c]            @ the interrupted SPSR
const LOAD_R2_SPSR: u32 = 0xE59D_204C;
/// tst r2, #0xf                   @ user mode?
const TEST_R2_MODE: u32 = 0xE312_000F;
/// bne +16                        @ skip the next three instructions
const SKIP_THREE_IF_NOT_EQUAL: u32 = 0x1A00_0002;

/// `bl` from `from` to `to`: cond AL, 0b1011, the word offset from PC+8 in 24 bits.
fn branch_and_link(from: u32, to: u32) -> u32 {
    0xEB00_0000 | ((to.wrapping_sub(from).wrapping_sub(8) >> 2) & 0x00FF_FFFF)
}

/// `b` from `from` to `to`: cond AL, 0b1010, the word offset from PC+8 in 24 bits.
fn branch(from: u32, to: u32) -> u32 {
    0xEA00_0000 | ((to.wrapping_sub(from).wrapping_sub(8) >> 2) & 0x00FF_FFFF)
}

/// A hand-built kernel: functions laid out one after the other from [`BASE`].
#[derive(Default)]
struct Kernel {
    words: Vec<u32>,
    functions: Vec<Function>,
    table: Vec<TableEntry>,
    mapping: Vec<(u32, Mapping)>,
    vectors: Option<VectorTables>,
}

impl Kernel {
    /// The address the next word goes to.
    fn here(&self) -> u32 {
        BASE + 4 * self.words.len() as u32
    }

    /// Appends a function; returns its address.
    fn function(&mut self, name: &str, words: &[u32]) -> u32 {
        let start = self.here();
        self.words.extend_from_slice(words);
        self.functions.push(Function {
            name: name.to_owned(),
            start,
            end: self.here(),
            thumb: false,
        });
        start
    }

    /// Lists the instruction at `address` in the exception table.
    fn list(&mut self, address: u32, fixup: u32, kind: u32) {
        let location = 0x8005_0000 + 12 * self.table.len() as u32;
        self.table.push(TableEntry { location, instruction: address, fixup, kind });
    }

    fn program(&self) -> Program {
        let bytes = self.words.iter().flat_map(|word| word.to_le_bytes()).collect();
        Program {
            code: vec![CodeSection { address: BASE, bytes }],
            functions: self.functions.clone(),
            labels: Vec::new(),
            mapping: self.mapping.clone(),
            exception_table: self.table.clone(),
            constants: CONSTANTS,
            vectors: self.vectors,
        }
    }

    fn check(&self) -> Report {
        check(&self.program()).expect("the decoder starts")
    }
}

/// The messages reported, as `address: message` lines, for assertion failures.
fn shown(report: &Report) -> String {
    report.violations.iter().map(|violation| format!("{violation}\n")).collect()
}

/// Asserts that a violation at `address` mentions `text`.
fn assert_reported(report: &Report, address: u32, text: &str) {
    assert!(
        report
            .violations
            .iter()
            .any(|violation| violation.address == address && violation.message.contains(text)),
        "expected `{text}` at {address:#x}, got:\n{}",
        shown(report)
    );
}

/// A clean window around one user load, in a function called `name`, listed in the table
/// with its fixup at the close. Returns (kernel, address of the load).
fn clean_window(name: &str) -> (Kernel, u32) {
    let mut kernel = Kernel::default();
    let start = kernel.function(
        name,
        &[
            SAVE_R4,
            ORR_R5_R4_4,
            OPEN_R5,
            ISB,        // open
            LDRB_R0_R1, // user load
            CLOSE_R4,
            ISB, // close
            RETURN,
        ],
    );
    kernel.list(start + 16, start + 20, USER_ACCESS);
    (kernel, start + 16)
}

#[test]
fn a_clean_window_passes() {
    let (kernel, _) = clean_window("swpan::uaccess::get");
    let report = kernel.check();
    assert!(report.violations.is_empty(), "{}", shown(&report));
    assert_eq!(report.window_count(), 1);
    assert_eq!(report.user_accesses, 1);
    assert_eq!(report.dacr_writes, 2);
    assert_eq!(report.windows[0].closes, vec![BASE + 20]);
    assert_eq!(
        report.summary(),
        "windowcheck: 1 windows, 1 user accesses, 2 DACR writes, 0 violations"
    );
}

#[test]
fn a_call_inside_a_window_is_reported() {
    let mut kernel = Kernel::default();
    let callee = kernel.function("callee", &[RETURN]);
    let start = kernel.here();
    kernel.function(
        "caller",
        &[
            SAVE_R4,
            ORR_R5_R4_4,
            OPEN_R5,
            ISB,
            branch_and_link(start + 16, callee), // bl callee
            CLOSE_R4,
            ISB,
            RETURN,
        ],
    );
    assert_reported(&kernel.check(), start + 16, "call to callee+0x0 inside the window");
}

#[test]
fn a_conditional_return_with_the_window_open_is_reported() {
    let mut kernel = Kernel::default();
    let start = kernel.function(
        "early_return",
        &[
            SAVE_R4,
            ORR_R5_R4_4,
            OPEN_R5,
            ISB,
            COMPARE_R0_0,    // cmp r0, #0
            RETURN_IF_EQUAL, // bxeq lr: leaves with the window open
            CLOSE_R4,
            ISB,
            RETURN,
        ],
    );
    let report = kernel.check();
    assert_reported(&report, start + 20, "left open: return");
    // The other path closes: the final return is fine.
    assert!(
        !report.violations.iter().any(|violation| violation.address == start + 32),
        "{}",
        shown(&report)
    );
}

#[test]
fn a_load_inside_a_window_missing_from_the_table_is_reported() {
    let (mut kernel, load) = clean_window("unlisted");
    kernel.table.clear();
    assert_reported(&kernel.check(), load, "not in the exception table: ldrb r0, [r1]");
}

#[test]
fn a_table_entry_outside_any_window_is_reported() {
    let (mut kernel, _) = clean_window("listed_outside");
    let outside = kernel.function("plain", &[LDR_R2_R3, RETURN]);
    kernel.list(outside, outside + 4, USER_ACCESS);
    assert_reported(&kernel.check(), outside, "outside every window");
}

#[test]
fn a_stray_dacr_value_is_reported_with_its_manager_domains() {
    let mut kernel = Kernel::default();
    let start = kernel.function("stray", &[MOVE_R1_MANAGER, WRITE_R1, ISB, RETURN]);
    let report = kernel.check();
    assert_reported(
        &report,
        start + 4,
        "DACR write of 0xff: Manager (no permission checks) in domain 0, 1, 2, 3",
    );
}

#[test]
fn an_unknown_dacr_value_is_reported() {
    let mut kernel = Kernel::default();
    // mcr p15, 0, r0, c3, c0, 0 with r0 an argument.
    let start = kernel.function("unknown", &[WRITE_R0, ISB, RETURN]);
    assert_reported(&kernel.check(), start, "DACR write of an unknown value");
}

#[test]
fn a_choice_between_the_two_known_values_passes() {
    let mut kernel = Kernel::default();
    kernel.function(
        "boot",
        &[
            MOVE_R0_KERNEL,            // mov r0, #0x51
            COMPARE_R0_0,              // cmp r0, #0
            MOVE_R0_USER_IF_NOT_EQUAL, // movne r0, #0x55
            WRITE_R0,                  // mcr p15, 0, r0, c3, c0, 0
            ISB,
            RETURN,
        ],
    );
    let report = kernel.check();
    assert!(report.violations.is_empty(), "{}", shown(&report));
    assert_eq!(report.window_count(), 0);
    assert_eq!(report.dacr_writes, 1);
}

#[test]
fn a_constant_dacr_user_write_opens_a_window() {
    let mut kernel = Kernel::default();
    // mov r1, #0x55; mcr; isb; ldr r2, [r3] (unlisted); mov r1, #0x51; mcr; isb; bx lr.
    let start = kernel.function(
        "enable_then_load",
        &[MOVE_R1_USER, WRITE_R1, ISB, LDR_R2_R3, MOVE_R1_KERNEL, WRITE_R1, ISB, RETURN],
    );
    let report = kernel.check();
    assert_reported(&report, start + 12, "inside the window opened at");
    assert_eq!(report.window_count(), 1);
}

#[test]
fn a_constant_window_listed_and_closed_with_dacr_kernel_passes() {
    let mut kernel = Kernel::default();
    let start = kernel.function(
        "enable_load_disable",
        &[MOVE_R1_USER, WRITE_R1, ISB, LDR_R2_R3, MOVE_R1_KERNEL, WRITE_R1, ISB, RETURN],
    );
    kernel.list(start + 12, start + 16, USER_ACCESS);
    let report = kernel.check();
    assert!(report.violations.is_empty(), "{}", shown(&report));
    assert_eq!(report.window_count(), 1);
    assert_eq!(report.windows[0].closes, vec![start + 20]);
    assert_eq!(report.user_accesses, 1);
}

#[test]
fn a_helper_that_writes_dacr_user_and_returns_leaves_the_window_open() {
    let mut kernel = Kernel::default();
    // What a uaccess_enable() helper compiles to: the caller's accesses are out of sight.
    let start = kernel.function("uaccess_enable", &[MOVE_R1_USER, WRITE_R1, ISB, RETURN]);
    assert_reported(&kernel.check(), start + 12, "left open: return");
}

#[test]
fn a_call_after_a_constant_dacr_user_write_is_reported() {
    let mut kernel = Kernel::default();
    let callee = kernel.function("callee", &[RETURN]);
    let start = kernel.here();
    kernel.function(
        "enable_then_call",
        &[
            MOVE_R1_USER,
            WRITE_R1,
            ISB,
            branch_and_link(start + 12, callee),
            MOVE_R1_KERNEL,
            WRITE_R1,
            ISB,
            RETURN,
        ],
    );
    assert_reported(&kernel.check(), start + 12, "call to callee+0x0 inside the window");
}

#[test]
fn a_second_choice_between_the_two_known_values_is_reported() {
    let mut kernel = Kernel::default();
    let choice = [MOVE_R0_KERNEL, COMPARE_R0_0, MOVE_R0_USER_IF_NOT_EQUAL, WRITE_R0, ISB, RETURN];
    let boot = kernel.function("boot", &choice);
    // The same choice anywhere else is a window opened on the flags.
    let elsewhere = kernel.function("maybe_enable", &choice);
    let report = kernel.check();
    assert_reported(&report, boot + 12, "chooses between DACR_KERNEL and DACR_USER");
    assert_reported(&report, elsewhere + 12, "chooses between DACR_KERNEL and DACR_USER");
}

#[test]
fn a_saved_value_moved_to_another_register_still_closes() {
    let mut kernel = Kernel::default();
    kernel.function(
        "moved",
        &[SAVE_R4, ORR_R5_R4_4, OPEN_R5, ISB, MOVE_R6_R4, CLOSE_R6, ISB, RETURN],
    );
    let report = kernel.check();
    assert!(report.violations.is_empty(), "{}", shown(&report));
    assert_eq!(report.window_count(), 1);
}

#[test]
fn a_spill_and_reload_inside_a_window_is_reported() {
    let mut kernel = Kernel::default();
    let start = kernel.function(
        "spilled",
        &[SAVE_R4, ORR_R5_R4_4, OPEN_R5, ISB, SPILL_R4, RELOAD_R4, CLOSE_R4, ISB, RETURN],
    );
    let report = kernel.check();
    assert_reported(&report, start + 16, "not in the exception table: str r4, [sp, #4]");
    assert_reported(&report, start + 20, "not in the exception table: ldr r4, [sp, #4]");
    // The reloaded value is no longer provably the saved DACR.
    assert_reported(&report, start + 24, "DACR write of an unknown value");
}

#[test]
fn a_close_with_another_value_is_reported() {
    let mut kernel = Kernel::default();
    // Closes with a DACR read inside the window (r6) instead of the one saved before it (r4).
    let start = kernel.function(
        "wrong_close",
        &[SAVE_R4, ORR_R5_R4_4, OPEN_R5, ISB, READ_R6, CLOSE_R6, ISB, RETURN],
    );
    assert_reported(&kernel.check(), start + 20, "closed with the DACR read at");
}

#[test]
fn a_window_opened_inside_a_window_is_reported() {
    let mut kernel = Kernel::default();
    let start = kernel.function(
        "nested",
        &[SAVE_R4, ORR_R5_R4_4, OPEN_R5, ISB, OPEN_R5, ISB, CLOSE_R4, ISB, RETURN],
    );
    assert_reported(&kernel.check(), start + 16, "window opened inside the window opened at");
}

#[test]
fn a_missing_isb_is_reported() {
    let mut kernel = Kernel::default();
    let start = kernel.function(
        "no_barrier",
        &[SAVE_R4, ORR_R5_R4_4, OPEN_R5, LDRB_R0_R1, CLOSE_R4, ISB, RETURN],
    );
    kernel.list(start + 12, start + 16, USER_ACCESS);
    assert_reported(&kernel.check(), start + 8, "not followed by isb");
}

#[test]
fn a_fixup_path_that_returns_with_the_window_open_is_reported() {
    let mut kernel = Kernel::default();
    let start = kernel.function(
        "bad_fixup",
        &[
            SAVE_R4,
            ORR_R5_R4_4,
            OPEN_R5,
            ISB,
            LDRB_R0_R1, // the user load; its fixup is the `bx lr` below
            CLOSE_R4,
            ISB,
            RETURN,
            RETURN, // fixup: returns without closing
        ],
    );
    kernel.list(start + 16, start + 32, USER_ACCESS);
    assert_reported(&kernel.check(), start + 32, "left open: return");
}

#[test]
fn jump_tables_are_followed() {
    let mut kernel = Kernel::default();
    let start = kernel.here();
    let table = start + 24;
    kernel.function(
        "switch",
        &[
            SAVE_R4,
            ORR_R5_R4_4,
            OPEN_R5,
            ISB,
            TABLE_ADDRESS_R2, // add r2, pc, #0: the table follows the next instruction
            JUMP_THROUGH_R2,  // ldr pc, [r2, r1, lsl #2]
            table + 8,        // .word case0
            table + 16,       // .word case1
            CLOSE_R4,         // case0: close and return
            RETURN,
            RETURN, // case1: returns with the window open
        ],
    );
    kernel.mapping = vec![(start, Mapping::Arm), (table, Mapping::Data), (table + 8, Mapping::Arm)];
    let report = kernel.check();
    assert_reported(&report, table + 8, "not followed by isb");
    assert_reported(&report, table + 16, "left open: return");
}

#[test]
fn a_dacr_write_the_analysis_cannot_reach_is_reported() {
    let mut kernel = Kernel::default();
    // bx r3 hides where control goes: the write after it is never reached.
    let start = kernel.function("hidden", &[BRANCH_R3, MOVE_R1_KERNEL, WRITE_R1, ISB, RETURN]);
    assert_reported(&kernel.check(), start + 8, "never reached");
}

#[test]
fn the_self_test_namespace_is_exempt_but_counted() {
    let mut kernel = Kernel::default();
    let callee = kernel.function("callee", &[RETURN]);
    let start = kernel.here();
    kernel.function(
        "swpan::selftest::pan::calls_inside",
        &[
            SAVE_R4,
            ORR_R5_R4_4,
            OPEN_R5,
            ISB,
            branch_and_link(start + 16, callee),
            CLOSE_R4,
            ISB,
            RETURN,
        ],
    );
    let report = kernel.check();
    assert!(report.violations.is_empty(), "{}", shown(&report));
    assert_eq!(report.window_count(), 0);
    assert_eq!(report.dacr_writes, 0);
    assert_eq!(
        (report.exempt.functions, report.exempt.windows, report.exempt.dacr_writes),
        (1, 1, 2)
    );
    assert!(
        report.exempt.findings.iter().any(|finding| finding.message.contains("call to callee"))
    );
}

#[test]
fn what_production_code_calls_in_the_self_test_namespace_is_not_exempt() {
    // The expected-exception hook runs on every exception and oops, init on every boot: a
    // broken rule there is a violation like anywhere else.
    for name in [
        "swpan::expected_exception::catch_expected",
        "swpan::expected_exception::abandon_current",
        "swpan::selftest::init",
        "swpan::selftest::memory::init",
    ] {
        let mut kernel = Kernel::default();
        let start = kernel.function(name, &[MOVE_R1_USER, WRITE_R1, ISB, RETURN]);
        let report = kernel.check();
        assert_reported(&report, start + 12, "left open: return");
        assert_eq!((report.exempt.functions, report.exempt.windows), (0, 0), "{name}");
        assert_eq!(report.window_count(), 1, "{name}");
    }
    // Names that only share a prefix are still self-tests.
    let mut kernel = Kernel::default();
    kernel.function("swpan::selftest::initial_state", &[MOVE_R1_USER, WRITE_R1, ISB, RETURN]);
    kernel.function("swpan::selftest::hooks::case", &[MOVE_R1_USER, WRITE_R1, ISB, RETURN]);
    let report = kernel.check();
    assert!(report.violations.is_empty(), "{}", shown(&report));
    assert_eq!(report.exempt.functions, 2);
}

#[test]
fn cache_maintenance_by_address_counts_as_an_access() {
    let mut kernel = Kernel::default();
    let start = kernel.function(
        "flush",
        &[SAVE_R4, ORR_R5_R4_4, OPEN_R5, ISB, CLEAN_LINE_R2, CLEAN_LINE_R2, CLOSE_R4, ISB, RETURN],
    );
    // Only the first is listed.
    kernel.list(start + 16, start + 24, USER_ACCESS);
    let report = kernel.check();
    assert_eq!(report.user_accesses, 1);
    assert_eq!(report.violations.len(), 1, "{}", shown(&report));
    assert_reported(
        &report,
        start + 20,
        "not in the exception table: mcr p15, #0, r2, c7, c11, #1",
    );
}

#[test]
fn a_kernel_buffer_entry_with_a_fixup_is_reported() {
    let (mut kernel, load) = clean_window("kernel_buffer");
    kernel.table[0].kind = KERNEL_BUFFER;
    assert_reported(&kernel.check(), load, "kernel-buffer entry with a fixup");
}

/// One piece of a hand-built exception stub.
#[derive(Clone, Copy)]
enum Piece {
    /// An instruction.
    Word(u32),
    /// `bl handle_it`.
    CallHandler,
    /// `b` to the stub set's return path.
    BranchToReturn,
}

use Piece::{BranchToReturn, CallHandler, Word};

/// mrc r1, DACR; str r1, [sp, #0x40]: save the DACR in the trap frame.
const SAVE: [Piece; 2] = [Word(READ_R1), Word(SAVE_R1_IN_FRAME)];
/// mov r1, #0x51; mcr r1, DACR; isb: close the window.
const CLOSE: [Piece; 3] = [Word(MOVE_R1_KERNEL), Word(WRITE_R1), Word(ISB)];
/// mov r0, sp; bl handle_it; b <return>.
const CALL: [Piece; 3] = [Word(MOVE_R0_SP), CallHandler, BranchToReturn];

/// The stub body of a `pan` slot, as vectors.s builds it: every one closes the window.
fn pan_stub(slot: usize) -> Vec<Piece> {
    match slot {
        2 => [&CLOSE[..], &CALL[..]].concat(),
        _ => [&SAVE[..], &CLOSE[..], &CALL[..]].concat(),
    }
}

/// A complete hand-built exception setup: both vector tables, sixteen stubs, a handler and
/// the return paths. `edit` may change any pan stub (by slot) or the pan return path (slot 8)
/// before layout.
fn exception_kernel(edit: impl Fn(usize, &mut Vec<Piece>)) -> (Kernel, Vec<u32>) {
    let mut kernel = Kernel::default();
    let pan_vectors = kernel.here();
    kernel.words.extend([0; 32]);
    kernel.mapping = vec![
        (pan_vectors, Mapping::Arm),
        (pan_vectors + 32, Mapping::Data),
        (pan_vectors + 64, Mapping::Arm),
        (pan_vectors + 96, Mapping::Data),
        (pan_vectors + 128, Mapping::Arm),
    ];
    kernel.vectors = Some(VectorTables { pan: pan_vectors, nopan: pan_vectors + 64 });
    let handler = kernel.function("handle_it", &[RETURN]);

    let mut pan_return =
        vec![Word(LOAD_R1_FROM_FRAME), Word(WRITE_R1), Word(RETURN_FROM_EXCEPTION)];
    edit(8, &mut pan_return);
    let user_return = [Word(MOVE_R1_USER), Word(WRITE_R1), Word(RETURN_FROM_EXCEPTION)];
    let nopan_return = [Word(RETURN_FROM_EXCEPTION)];
    // Stubs come first, so their branches need the return paths' addresses: lay the return
    // paths out after the 16 stubs, whose sizes are known before layout.
    let mut stubs: Vec<Vec<Piece>> = (0..8)
        .map(|slot| {
            let mut body = pan_stub(slot);
            edit(slot, &mut body);
            body
        })
        .collect();
    stubs.extend((0..8).map(|_| CALL.to_vec()));
    let stubs_size: u32 = stubs.iter().map(|stub| 4 * stub.len() as u32).sum();
    let pan_return_at = kernel.here() + stubs_size;
    let user_return_at = pan_return_at + 4 * pan_return.len() as u32;
    let nopan_return_at = user_return_at + 4 * user_return.len() as u32;

    let mut stub_addresses = Vec::new();
    for (index, stub) in stubs.iter().enumerate() {
        let start = kernel.here();
        let return_path = match index {
            2 => user_return_at,
            0..8 => pan_return_at,
            _ => nopan_return_at,
        };
        let words: Vec<u32> = stub
            .iter()
            .enumerate()
            .map(|(position, piece)| {
                let at = start + 4 * position as u32;
                match piece {
                    Word(word) => *word,
                    CallHandler => branch_and_link(at, handler),
                    BranchToReturn => branch(at, return_path),
                }
            })
            .collect();
        let set = if index < 8 { "pan" } else { "nopan" };
        kernel.function(&format!("stub{}_entry_{set}", index % 8), &words);
        stub_addresses.push(start);
    }
    let words = |pieces: &[Piece]| -> Vec<u32> {
        pieces.iter().map(|piece| if let Word(word) = piece { *word } else { 0 }).collect()
    };
    kernel.function("exception_return_pan", &words(&pan_return));
    kernel.function("return_to_user_pan", &words(&user_return));
    kernel.function("exception_return_nopan", &words(&nopan_return));

    for (set, table) in [(0, pan_vectors), (8, pan_vectors + 64)] {
        for slot in 0..8 {
            let offset = usize::try_from((table - BASE) / 4).expect("small") + slot;
            kernel.words[offset] = VECTOR_SLOT;
            kernel.words[offset + 8] = stub_addresses[set + slot];
        }
    }
    (kernel, stub_addresses)
}

#[test]
fn clean_exception_paths_pass() {
    let (kernel, _) = exception_kernel(|_, _| {});
    let report = kernel.check();
    assert!(report.violations.is_empty(), "{}", shown(&report));
    // Eight closing stubs, the frame restore and the user return write the DACR.
    assert_eq!(report.dacr_writes, 10);
}

#[test]
fn a_stub_that_calls_rust_before_closing_is_reported() {
    const IRQ: usize = 6;
    let (kernel, stubs) = exception_kernel(|slot, body| {
        if slot == IRQ {
            // mrc/str, then mov r0, sp; bl handle_it before mov r1, #0x51; mcr; isb.
            *body = [&SAVE[..], &[Word(MOVE_R0_SP), CallHandler], &CLOSE[..], &[BranchToReturn]]
                .concat();
        }
    });
    let report = kernel.check();
    assert_reported(&report, stubs[IRQ] + 12, "reaches handle_it+0x0 without closing the window");
}

#[test]
fn a_stub_that_does_not_save_the_dacr_is_reported() {
    const FIQ: usize = 7;
    let (kernel, stubs) = exception_kernel(|slot, body| {
        if slot == FIQ {
            *body = [&CLOSE[..], &CALL[..]].concat();
        }
    });
    assert_reported(&kernel.check(), stubs[FIQ] + 16, "without saving the DACR at [sp, #0x40]");
}

#[test]
fn a_data_abort_stub_that_keeps_the_interrupted_dacr_is_reported() {
    const DATA_ABORT: usize = 4;
    // Save, then call: the handler would run inside whatever window the fault interrupted.
    let (kernel, stubs) = exception_kernel(|slot, body| {
        if slot == DATA_ABORT {
            *body = [&SAVE[..], &CALL[..]].concat();
        }
    });
    assert_reported(
        &kernel.check(),
        stubs[DATA_ABORT] + 12,
        "reaches handle_it+0x0 without closing the window",
    );
}

#[test]
fn a_data_abort_stub_that_closes_only_for_user_mode_is_reported() {
    const DATA_ABORT: usize = 4;
    let (kernel, stubs) = exception_kernel(|slot, body| {
        if slot == DATA_ABORT {
            // Save; if the interrupted mode is User (M[3:0] = 0) close; then call: the path
            // from kernel mode reaches the handler with the window as it was.
            let test_mode = [Word(LOAD_R2_SPSR), Word(TEST_R2_MODE), Word(SKIP_THREE_IF_NOT_EQUAL)];
            *body = [&SAVE[..], &test_mode[..], &CLOSE[..], &CALL[..]].concat();
        }
    });
    assert_reported(
        &kernel.check(),
        stubs[DATA_ABORT] + 36,
        "reaches handle_it+0x0 without closing the window",
    );
}

#[test]
fn a_stub_that_closes_without_isb_is_reported() {
    const UNDEFINED: usize = 1;
    let (kernel, stubs) = exception_kernel(|slot, body| {
        if slot == UNDEFINED {
            let close = [Word(MOVE_R1_KERNEL), Word(WRITE_R1)];
            *body = [&SAVE[..], &close[..], &CALL[..]].concat();
        }
    });
    assert_reported(&kernel.check(), stubs[UNDEFINED] + 12, "not followed by isb");
}

#[test]
fn a_data_abort_stub_that_opens_is_reported() {
    const DATA_ABORT: usize = 4;
    let (kernel, stubs) = exception_kernel(|slot, body| {
        if slot == DATA_ABORT {
            // mov r1, #0x55; mcr r1, DACR; isb: the handler would run with the user domain open.
            let open = [Word(MOVE_R1_USER), Word(WRITE_R1), Word(ISB)];
            *body = [&SAVE[..], &open[..], &CALL[..]].concat();
        }
    });
    let report = kernel.check();
    assert_reported(&report, stubs[DATA_ABORT] + 24, "without closing the window");
    assert_reported(&report, stubs[DATA_ABORT] + 24, "inside the window opened at");
}

#[test]
fn a_return_path_that_does_not_restore_is_reported() {
    let (kernel, _) = exception_kernel(|slot, body| {
        if slot == 8 {
            *body = vec![Word(RETURN_FROM_EXCEPTION)];
        }
    });
    let report = kernel.check();
    let rfe =
        report.violations.iter().find(|violation| violation.location == "exception_return_pan+0x0");
    assert!(
        rfe.is_some_and(|violation| violation
            .message
            .contains("exception return without restoring")),
        "{}",
        shown(&report)
    );
}

#[test]
fn a_store_between_the_restore_and_the_exception_return_is_reported() {
    let (kernel, _) = exception_kernel(|slot, body| {
        if slot == 8 {
            *body = vec![
                Word(LOAD_R1_FROM_FRAME),
                Word(WRITE_R1),
                Word(STORE_R2_R3), // str r2, [r3]
                Word(RETURN_FROM_EXCEPTION),
            ];
        }
    });
    let report = kernel.check();
    assert!(
        report.violations.iter().any(|violation| violation.location == "exception_return_pan+0x8"
            && violation
                .message
                .contains("store between the DACR restore and the exception return")),
        "{}",
        shown(&report)
    );
}

#[test]
fn a_dacr_write_on_the_nopan_path_is_reported() {
    let (mut kernel, stubs) = exception_kernel(|_, _| {});
    // The first nopan stub closes the window like a pan one: mov r1, #0x51; mcr; isb.
    let first = usize::try_from((stubs[8] - BASE) / 4).expect("small");
    kernel.words[first] = MOVE_R1_KERNEL;
    kernel.words[first + 1] = WRITE_R1;
    kernel.words[first + 2] = ISB;
    assert_reported(&kernel.check(), stubs[8] + 4, "DACR write on a pan=off exception path");
}
