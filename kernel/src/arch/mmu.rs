//! CP15 operations for the MMU: translation table registers, DACR, SCTLR, TLB and cache
//! maintenance.
//!
//! Every write that can lower protection (DACR, SCTLR, TTBR0/1, TTBCR, CONTEXTIDR, VBAR) is an
//! `unsafe fn` with its contract; aarch32-cpu's safe writers for the same registers are not
//! used for that reason. Register encodings: ARM ARM B4.1 and B4.2.

use super::cpu::{dsb, isb};
use core::arch::asm;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

/// SCTLR.M: the MMU is on.
pub const SCTLR_M: u32 = 1 << 0;
/// SCTLR.A: alignment checking for every access.
pub const SCTLR_A: u32 = 1 << 1;
/// SCTLR.C: data and unified caches on.
pub const SCTLR_C: u32 = 1 << 2;
/// SCTLR.Z: branch prediction on.
pub const SCTLR_Z: u32 = 1 << 11;
/// SCTLR.I: instruction cache on.
pub const SCTLR_I: u32 = 1 << 12;
/// SCTLR.V: high vectors (0xFFFF0000) instead of VBAR.
pub const SCTLR_V: u32 = 1 << 13;
/// SCTLR.WXN: writable memory is never executable (Virtualization Extensions).
pub const SCTLR_WXN: u32 = 1 << 19;
/// SCTLR.TRE: TEX remap; clear, so TEX/C/B mean what the descriptors say.
pub const SCTLR_TRE: u32 = 1 << 28;
/// SCTLR.AFE: access flag enable; clear, so AP\[0\] is a permission bit.
pub const SCTLR_AFE: u32 = 1 << 29;
/// SCTLR.TE: exceptions in Thumb state.
pub const SCTLR_TE: u32 = 1 << 30;

/// TTBRn walk attributes: inner and outer write-back write-allocate, shareable, inner
/// shareable (IRGN = 01, RGN = 01, S = 1, NOS = 1), as for a multiprocessor Cortex-A15.
pub const TTBR_WALK_ATTRIBUTES: u32 = (1 << 6) | (1 << 5) | (1 << 3) | (1 << 1);

static MMU_ON: AtomicBool = AtomicBool::new(false);

/// True once [`enable`] has turned the MMU on.
pub fn mmu_on() -> bool {
    MMU_ON.load(Ordering::Relaxed)
}

macro_rules! read_cp15 {
    ($name:ident, $doc:literal, $crn:literal, $opc1:literal, $crm:literal, $opc2:literal) => {
        #[doc = $doc]
        #[inline(always)]
        pub fn $name() -> u32 {
            let value: u32;
            // SAFETY: reading this CP15 register has no side effect.
            unsafe {
                asm!(
                    concat!("mrc p15, ", $opc1, ", {}, ", $crn, ", ", $crm, ", ", $opc2),
                    out(reg) value,
                    options(nomem, nostack, preserves_flags)
                )
            };
            value
        }
    };
}

read_cp15!(read_sctlr, "SCTLR.", "c1", "0", "c0", "0");
read_cp15!(read_ttbr0, "TTBR0.", "c2", "0", "c0", "0");
read_cp15!(read_ttbr1, "TTBR1.", "c2", "0", "c0", "1");
read_cp15!(read_ttbcr, "TTBCR.", "c2", "0", "c0", "2");
read_cp15!(read_dacr, "DACR.", "c3", "0", "c0", "0");
read_cp15!(read_contextidr, "CONTEXTIDR (ASID in bits 7:0).", "c13", "0", "c0", "1");
read_cp15!(read_vbar, "VBAR.", "c12", "0", "c0", "0");
read_cp15!(read_id_mmfr0, "ID_MMFR0: VMSA support in bits 3:0.", "c0", "0", "c1", "4");
read_cp15!(read_id_mmfr3, "ID_MMFR3: coherent walk in bits 23:20.", "c0", "0", "c1", "7");

/// Writes the DACR and synchronises, so the next instruction runs under the new value.
///
/// # Safety
///
/// The value decides which domains the kernel can reach: it must be one of the values in
/// `domain.rs` (never Manager), and the caller must be the code that owns the DACR at this
/// point (boot, before exceptions can change it).
#[inline(always)]
pub unsafe fn write_dacr(value: u32) {
    // SAFETY: the caller's contract.
    unsafe {
        asm!("mcr p15, 0, {}, c3, c0, 0", "isb", in(reg) value, options(nostack, preserves_flags))
    };
}

/// Writes SCTLR and synchronises.
///
/// # Safety
///
/// SCTLR switches the MMU, caches and alignment checks: the translation tables must map the
/// code running now at its current address, and the new value must not drop a protection the
/// kernel relies on.
#[inline(always)]
pub unsafe fn write_sctlr(value: u32) {
    // SAFETY: the caller's contract.
    unsafe {
        asm!("dsb", "mcr p15, 0, {}, c1, c0, 0", "isb", in(reg) value, options(nostack, preserves_flags))
    };
}

/// Writes TTBR0, the user half's translation table.
///
/// # Safety
///
/// `value` must point at a valid 8 KiB-aligned L1 table (TTBCR.N = 1) that maps user memory
/// only, and the ASID in CONTEXTIDR must belong to it (see [`switch_user_table`]).
#[inline(always)]
pub unsafe fn write_ttbr0(value: u32) {
    // SAFETY: the caller's contract.
    unsafe { asm!("mcr p15, 0, {}, c2, c0, 0", in(reg) value, options(nostack, preserves_flags)) };
}

/// Writes TTBR1, the kernel half's translation table.
///
/// # Safety
///
/// `value` must point at a valid 16 KiB-aligned L1 table that maps the running kernel.
#[inline(always)]
pub unsafe fn write_ttbr1(value: u32) {
    // SAFETY: the caller's contract.
    unsafe { asm!("mcr p15, 0, {}, c2, c0, 1", in(reg) value, options(nostack, preserves_flags)) };
}

/// Writes TTBCR (short-descriptor format, N in bits 2:0).
///
/// # Safety
///
/// Moves the TTBR0/TTBR1 boundary: both tables must be right for the new split.
#[inline(always)]
pub unsafe fn write_ttbcr(value: u32) {
    // SAFETY: the caller's contract.
    unsafe { asm!("mcr p15, 0, {}, c2, c0, 2", in(reg) value, options(nostack, preserves_flags)) };
}

/// Writes CONTEXTIDR (the ASID tags non-global TLB entries).
///
/// # Safety
///
/// The ASID must belong to the table in TTBR0 (see [`switch_user_table`]).
#[inline(always)]
pub unsafe fn write_contextidr(value: u32) {
    // SAFETY: the caller's contract.
    unsafe { asm!("mcr p15, 0, {}, c13, c0, 1", in(reg) value, options(nostack, preserves_flags)) };
}

/// Writes VBAR, the exception vector base.
///
/// # Safety
///
/// `value` must be the 32-byte aligned address of a vector table that is mapped executable
/// for the kernel from now on.
#[inline(always)]
pub unsafe fn write_vbar(value: u32) {
    // SAFETY: the caller's contract.
    unsafe {
        asm!("mcr p15, 0, {}, c12, c0, 0", "isb", in(reg) value, options(nostack, preserves_flags))
    };
}

/// Switches the user half to another address space: the ARM ARM B3.10.4 sequence for
/// changing TTBR0 and the ASID together without a window in which one belongs to the other.
/// The reserved ASID 0 is never given to a process, nor to the empty user half, so no TLB
/// entry of another context can match while TTBR0 changes.
///
/// # Safety
///
/// `ttbr0` must be a valid user L1 table (see [`write_ttbr0`]) and `asid` its ASID.
pub unsafe fn switch_user_table(ttbr0: u32, asid: u8) {
    // SAFETY: the caller's contract; the sequence is the architecture's.
    unsafe {
        write_contextidr(0);
        isb();
        write_ttbr0(ttbr0);
        isb();
        write_contextidr(asid as u32);
        isb();
    }
}

/// Turns the MMU and caches on with the tables already in TTBR0/TTBR1.
///
/// # Safety
///
/// The tables must map the code, stack and data in use now at their current addresses, and the
/// DACR must be set.
pub unsafe fn enable(extra_sctlr_set: u32) {
    join_coherency();
    invalidate_tlb_all();
    invalidate_icache_all();
    let sctlr = (read_sctlr() | SCTLR_M | SCTLR_C | SCTLR_I | SCTLR_Z | extra_sctlr_set)
        & !(SCTLR_A | SCTLR_V | SCTLR_TRE | SCTLR_AFE | SCTLR_TE);
    // SAFETY: the caller's contract.
    unsafe { write_sctlr(sctlr) };
    MMU_ON.store(true, Ordering::Relaxed);
}

/// Sets ACTLR.SMP (bit 6), which a Cortex-A15 needs before its caches and MMU are on to take
/// part in coherency and in the Inner Shareable broadcasts of TLB and cache maintenance
/// (Cortex-A15 TRM, 4.3.31). QEMU reads it back as 0 and models coherency anyway; real
/// hardware does not.
fn join_coherency() {
    const ACTLR_SMP: u32 = 1 << 6;
    // SAFETY: ACTLR is writable at PL1 in the Secure state the board boots in (and with
    // NSACR.NS_SMP in the Non-secure one); setting SMP only joins this core to the cluster's
    // coherency, which every core of this kernel does before its MMU is on.
    unsafe {
        asm!(
            "mrc p15, 0, {value}, c1, c0, 1",
            "orr {value}, {value}, {smp}",
            "mcr p15, 0, {value}, c1, c0, 1",
            "isb",
            value = out(reg) _,
            smp = const ACTLR_SMP,
            options(nostack, preserves_flags)
        )
    };
}

/// Invalidates every TLB entry.
pub fn invalidate_tlb_all() {
    // SAFETY: TLB maintenance only drops cached translations.
    unsafe {
        asm!("dsb", "mcr p15, 0, {}, c8, c7, 0", "dsb", "isb", in(reg) 0, options(nostack, preserves_flags))
    };
}

/// Invalidates the TLB entries for the page at `virtual_address` tagged with `asid` (and any
/// global one), after a descriptor for it changed, in every core of the Inner Shareable domain
/// (TLBIMVAIS): the kernel tables are shared by every CPU, and a user address space may have run
/// on another. DSB ISH so the table write is seen first, DSB ISH so the invalidation is
/// complete everywhere, ISB so this core's next instruction translates afresh.
pub fn invalidate_tlb_page(virtual_address: u32, asid: u8) {
    let operand = (virtual_address & !0xFFF) | asid as u32;
    // SAFETY: TLB maintenance only drops cached translations.
    unsafe {
        asm!("dsb ish", "mcr p15, 0, {}, c8, c3, 1", "dsb ish", "isb", in(reg) operand, options(nostack, preserves_flags))
    };
}

/// Invalidates the TLB entries for the page at `virtual_address` under every ASID, global ones
/// included, in every core of the Inner Shareable domain (TLBIMVAAIS), after a kernel
/// descriptor for it changed: DSB ISH so the table write is seen first, then DSB ISH so the
/// invalidation is complete, ISB so this core's next instruction translates afresh.
pub fn invalidate_tlb_page_all_asids_inner_shareable(virtual_address: u32) {
    let operand = virtual_address & !0xFFF;
    // SAFETY: TLB maintenance only drops cached translations.
    unsafe {
        asm!("dsb ish", "mcr p15, 0, {}, c8, c3, 3", "dsb ish", "isb", in(reg) operand, options(nostack, preserves_flags))
    };
}

/// Invalidates every TLB entry tagged with `asid`, before the ASID is used again, in every
/// core of the Inner Shareable domain (TLBIASIDIS): the address space may have run on any CPU.
pub fn invalidate_tlb_asid(asid: u8) {
    // SAFETY: TLB maintenance only drops cached translations.
    unsafe {
        asm!("dsb ish", "mcr p15, 0, {}, c8, c3, 2", "dsb ish", "isb", in(reg) asid as u32, options(nostack, preserves_flags))
    };
}

/// Invalidates the instruction cache and the branch predictor.
pub fn invalidate_icache_all() {
    // SAFETY: cache maintenance on the instruction side only drops cached copies.
    unsafe {
        asm!(
            "mcr p15, 0, {zero}, c7, c5, 0",
            "mcr p15, 0, {zero}, c7, c5, 6",
            "dsb",
            "isb",
            zero = in(reg) 0,
            options(nostack, preserves_flags)
        )
    };
}

/// Makes a translation table entry written at `entry` visible to the table walker: cleans its
/// data cache line to the point of unification (a no-op where walks are coherent, as on the
/// Cortex-A15, but required by the architecture otherwise) and waits for it.
pub fn publish_table_entry(entry: *const u32) {
    // SAFETY: cleaning a cache line writes back data the kernel owns; it changes no value.
    unsafe {
        asm!("mcr p15, 0, {}, c7, c11, 1", in(reg) entry, options(nostack, preserves_flags));
    }
    dsb();
}

/// Makes instructions written through the data side at `[start, end)` visible to instruction
/// fetches, as the ARM ARM requires before new code runs (B2.2.9): clean each data cache line
/// of the range to the
/// point of unification (DCCMVAU), DSB, invalidate the instruction caches and the branch
/// predictors of every core in the Inner Shareable domain (ICIALLUIS, BPIALLIS), DSB, ISB.
///
/// The range is a kernel address (usually the linear map's view of a user frame): the data
/// cache is maintained by that address, and the whole instruction cache is invalidated
/// rather than by address, so that no line cached through another virtual address of the
/// same frame (the user one, on a core with a VIPT instruction cache) survives. QEMU models
/// no caches and treats every one of these operations as a no-op, so only
/// [`instruction_syncs`] shows, under QEMU, that a caller asked for them.
pub fn sync_instructions(start: u32, end: u32) {
    const LINE: u32 = 32;
    SYNC_CALLS.fetch_add(1, Ordering::Relaxed);
    SYNC_BYTES.fetch_add(end.saturating_sub(start), Ordering::Relaxed);
    SYNC_LAST_START.store(start, Ordering::Relaxed);
    SYNC_LAST_END.store(end, Ordering::Relaxed);
    let mut line = start & !(LINE - 1);
    while line < end {
        // SAFETY: cleaning a cache line writes back data the kernel owns; it changes no value.
        unsafe {
            asm!("mcr p15, 0, {}, c7, c11, 1", in(reg) line, options(nostack, preserves_flags))
        };
        line += LINE;
    }
    dsb();
    // SAFETY: invalidating instruction caches and branch predictors only drops cached copies.
    unsafe {
        asm!(
            "mcr p15, 0, {zero}, c7, c1, 0",
            "mcr p15, 0, {zero}, c7, c1, 6",
            zero = in(reg) 0,
            options(nostack, preserves_flags)
        )
    };
    dsb();
    isb();
}

static SYNC_CALLS: AtomicU32 = AtomicU32::new(0);
static SYNC_BYTES: AtomicU32 = AtomicU32::new(0);
static SYNC_LAST_START: AtomicU32 = AtomicU32::new(0);
static SYNC_LAST_END: AtomicU32 = AtomicU32::new(0);

/// What [`sync_instructions`] has been asked to cover since boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstructionSyncs {
    /// How many calls.
    pub calls: u32,
    /// How many bytes, summed over the calls (wrapping).
    pub bytes: u32,
    /// The last call's range, `[start, end)`.
    pub last: (u32, u32),
}

/// The record of [`sync_instructions`]' calls, for the self-tests: the maintenance itself is
/// invisible under QEMU.
pub fn instruction_syncs() -> InstructionSyncs {
    InstructionSyncs {
        calls: SYNC_CALLS.load(Ordering::Relaxed),
        bytes: SYNC_BYTES.load(Ordering::Relaxed),
        last: (SYNC_LAST_START.load(Ordering::Relaxed), SYNC_LAST_END.load(Ordering::Relaxed)),
    }
}

/// True when ID_MMFR0 reports VMSAv7 with PXN support (VMSA support field >= 4).
pub fn pxn_supported() -> bool {
    read_id_mmfr0() & 0xF >= 4
}
