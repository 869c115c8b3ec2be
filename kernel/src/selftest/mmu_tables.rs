//! Self-tests of the translation tables as the hardware walks them: the CP15 set-up, the
//! domains of every kernel and user mapping, and W^X in the kernel half.

use super::fixture::{self, UserPages};
use super::{Case, Test};
use crate::arch::{exception, mmu};
use crate::domain;
use crate::memory_map::{TTBCR_N, VECTORS};
use crate::mm::address_space;
use crate::mm::descriptor::{self, L1Entry, L2Entry, decode_l1, decode_l2};
use crate::mm::kernel_map::kernel_l1;

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "mmu.registers", run: registers },
    Case { name: "mmu.vectors_in_their_own_domain", run: vectors_in_their_own_domain },
    Case {
        name: "mmu.kernel_half_has_no_user_domain_and_no_wx",
        run: kernel_half_has_no_user_domain_and_no_wx,
    },
    Case {
        name: "mmu.user_tables_are_user_domain_with_pxn",
        run: user_tables_are_user_domain_with_pxn,
    },
];

fn registers(test: &mut Test) {
    let sctlr = mmu::read_sctlr();
    test.check("SCTLR.M: the MMU is on", sctlr & mmu::SCTLR_M != 0);
    test.check(
        "SCTLR.C and .I: caches on",
        sctlr & (mmu::SCTLR_C | mmu::SCTLR_I) == mmu::SCTLR_C | mmu::SCTLR_I,
    );
    test.check("SCTLR.TRE and .AFE clear", sctlr & (mmu::SCTLR_TRE | mmu::SCTLR_AFE) == 0);
    test.check_eq("TTBCR (short descriptors, N = 1)", mmu::read_ttbcr(), TTBCR_N);
    let ttbr1 = mmu::read_ttbr1() & !0x3FFF;
    test.check_eq("TTBR1 points at the kernel table", ttbr1, kernel_l1() as *const _ as u32);
    let dacr = mmu::read_dacr();
    test.check("no Manager domain in the DACR", domain::has_no_manager(dacr));
    test.check_eq("DACR", dacr, exception::kernel_dacr());
}

fn vectors_in_their_own_domain(test: &mut Test) {
    let offset = if exception::pan_enabled() { 0 } else { 0x40 };
    test.check_eq("VBAR", mmu::read_vbar(), VECTORS as u32 + offset);
    match decode_l1(kernel_l1().0[descriptor::l1_index(VECTORS as u32)]) {
        L1Entry::PageTable { domain, .. } => {
            test.check_eq("domain of the vector page", domain, domain::VECTORS)
        }
        other => test.fail(format_args!("vector page L1 entry: {other:?}")),
    }
}

fn kernel_half_has_no_user_domain_and_no_wx(test: &mut Test) {
    let mut checked = 0;
    for (index, &raw) in kernel_l1().0.iter().enumerate().skip(2048) {
        let base = (index as u32) << 20;
        match decode_l1(raw) {
            L1Entry::Fault => {}
            L1Entry::Section { domain, attributes, .. } => {
                checked += 1;
                if domain == domain::USER {
                    test.fail(format_args!("section {base:#010x} is in the user domain"));
                }
                if let Some(attributes) = attributes
                    && attributes.access.kernel_writable()
                    && attributes.kernel_executable()
                {
                    test.fail(format_args!("section {base:#010x} is writable and executable"));
                }
            }
            L1Entry::PageTable { table, domain, .. } => {
                if domain == domain::USER {
                    test.fail(format_args!("table {base:#010x} is in the user domain"));
                }
                for slot in 0..descriptor::L2_ENTRIES {
                    // SAFETY: `table` is one of the kernel's static L2 tables.
                    let raw = unsafe { (table as *const u32).add(slot).read_volatile() };
                    if let L2Entry::SmallPage { attributes: Some(attributes), .. } = decode_l2(raw)
                    {
                        checked += 1;
                        if attributes.access.kernel_writable() && attributes.kernel_executable() {
                            let page = base + ((slot as u32) << 12);
                            test.fail(format_args!("page {page:#010x} is writable and executable"));
                        }
                    }
                }
            }
            L1Entry::Supersection(raw) => {
                test.fail(format_args!("unexpected supersection {raw:#x}"))
            }
        }
    }
    test.check("the kernel half maps the image page by page", checked > 4096);
}

fn user_tables_are_user_domain_with_pxn(test: &mut Test) {
    let pages = UserPages::new();
    let pxn = address_space::privileged_execute_never();
    match decode_l1(pages.space.l1_descriptor(fixture::READ_WRITE)) {
        L1Entry::PageTable { domain, privileged_execute_never, .. } => {
            test.check_eq("domain of a user page table", domain, domain::USER);
            test.check_eq("PXNTABLE", privileged_execute_never, pxn);
        }
        other => test.fail(format_args!("user L1 entry: {other:?}")),
    }
    let ttbr0 = mmu::read_ttbr0();
    test.check_eq("TTBR0 is the active space", ttbr0, pages.space.ttbr0());
    test.check_eq("ASID", mmu::read_contextidr() & 0xFF, pages.space.asid() as u32);
    match pages.space.translate(fixture::READ_ONLY + 5) {
        Some((_, attributes)) => {
            test.check("user pages are not global (nG)", !attributes.global);
            test.check(
                "a read-only user page is read-only for the kernel",
                !attributes.access.kernel_writable(),
            );
        }
        None => test.fail(format_args!("the read-only page is not mapped")),
    }
    drop(pages);
    test.check_eq(
        "TTBR0 after the space is gone",
        mmu::read_ttbr0(),
        crate::mm::kernel_map::empty_user_ttbr0(),
    );
    // The empty user half is a live context with an ASID of its own, never the switch
    // sequence's reserved 0 (whose cached walks must never match a running context).
    test.check_eq(
        "ASID of the empty user half",
        mmu::read_contextidr() & 0xFF,
        address_space::NO_PROCESS_ASID as u32,
    );
    test.check("a process never gets the empty half's ASID", pages_asid_ok());
}

/// Allocates a space and checks its ASID is neither reserved one.
fn pages_asid_ok() -> bool {
    let pages = UserPages::new();
    let asid = pages.space.asid();
    asid != address_space::SWITCH_ASID && asid != address_space::NO_PROCESS_ASID
}
