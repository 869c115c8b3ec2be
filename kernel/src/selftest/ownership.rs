//! Self-tests of exclusive page-frame ownership (XPFO): a frame a user address space owns is
//! out of the kernel's linear map, and comes back zeroed when the space lets it go.
//!
//! The expectations follow the boot's `xpfo=`: with it off the same cases show the alias
//! still reaching the user's data.

use super::{Case, Resume, Test};
use crate::arch::exception::ExceptionKind;
use crate::fault::{Access, FaultKind, Level};
use crate::mm::address_space::AddressSpace;
use crate::mm::descriptor::{self, AccessPermissions, Attributes, L2_TABLE_SIZE, PAGE_SIZE};
use crate::mm::{self, linear, ownership};
use core::arch::asm;

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "xpfo.owned_frame_alias_faults", run: owned_frame_alias_faults },
    Case { name: "xpfo.unmapped_frame_is_back_and_zeroed", run: unmapped_frame_is_back_and_zeroed },
    Case { name: "xpfo.dropped_space_frees_frames_zeroed", run: dropped_space_frees_frames_zeroed },
    Case { name: "xpfo.page_tables_stay_kernel_frames", run: page_tables_stay_kernel_frames },
];

/// Where the cases map their page (the space is never active: nothing runs in it).
const USER_PAGE: u32 = 0x0060_0000;
/// What the cases write in the frame before giving it away.
const PATTERN: u32 = 0x5EC2_E7F0;

/// A fresh frame with [`PATTERN`] in every word, written while it is the kernel's.
fn filled_frame() -> u32 {
    let frame = mm::frames_allocate(1, PAGE_SIZE).expect("a self-test frame");
    let words = linear(frame) as *mut u32;
    for index in 0..(PAGE_SIZE / 4) as usize {
        // SAFETY: the frame was just allocated, is the kernel's and mapped by the linear map.
        unsafe { words.add(index).write_volatile(PATTERN) };
    }
    frame
}

/// A space with `frame` mapped read-write at [`USER_PAGE`].
fn space_owning(frame: u32) -> AddressSpace {
    let mut space = AddressSpace::new().expect("a self-test address space");
    space
        .map_page(USER_PAGE, frame, Attributes::user(AccessPermissions::ReadWrite, true))
        .expect("mapping the self-test page");
    space
}

/// Reads `address` with a plain load (the faulting cases declare the fault).
fn load(address: u32) -> u32 {
    let value: u32;
    // SAFETY: the callers load from memory the kernel maps or declare the fault it raises.
    unsafe { asm!("ldr {value}, [{address}]", address = in(reg) address, value = out(reg) value) };
    value
}

/// Writes `value` at `address` with a plain store (the faulting cases declare the fault).
fn store(address: u32, value: u32) {
    // SAFETY: the callers store to memory the kernel owns or declare the fault it raises.
    unsafe { asm!("str {value}, [{address}]", address = in(reg) address, value = in(reg) value) };
}

/// True when every word of the frame at `frame` (mapped by the linear map) is `value`.
fn frame_holds(frame: u32, value: u32) -> bool {
    (0..PAGE_SIZE).step_by(4).all(|offset| load(linear(frame) as u32 + offset) == value)
}

fn owned_frame_alias_faults(test: &mut Test) {
    let frame = filled_frame();
    let alias = linear(frame) as u32;
    let invalidations = ownership::invalidations();
    let space = space_owning(frame);
    if !ownership::enabled() {
        test.check("with xpfo=off the alias stays mapped", ownership::in_linear_map(frame));
        test.check_eq("the user's data through the alias", load(alias), PATTERN);
        test.check_eq("TLB invalidations", ownership::invalidations(), invalidations);
        drop(space);
        return;
    }
    test.check("the owned frame is out of the linear map", !ownership::in_linear_map(frame));
    test.check_eq("TLB invalidations for one give", ownership::invalidations() - invalidations, 1);
    test.check_eq(
        "the user mapping",
        space.translate(USER_PAGE).map(|(base, _)| base),
        Some(frame),
    );
    let caught = test.expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || {
        core::hint::black_box(load(alias));
    });
    if let Some(caught) = caught {
        let status = caught.event.status.expect("a data abort has a DFSR");
        test.check_eq("read: DFSR fault kind", status.kind(), FaultKind::Translation(Level::Page));
        test.check_eq("read: DFSR access", status.access(), Access::Read);
        test.check_eq("read: DFAR", caught.event.address, Some(alias));
    }
    let caught = test.expect_exception(ExceptionKind::DataAbort, Resume::NextInstruction, || {
        store(alias + 8, 0xBAD);
    });
    if let Some(caught) = caught {
        let status = caught.event.status.expect("a data abort has a DFSR");
        test.check_eq("write: DFSR fault kind", status.kind(), FaultKind::Translation(Level::Page));
        test.check_eq("write: DFSR access", status.access(), Access::Write);
        test.check_eq("write: DFAR", caught.event.address, Some(alias + 8));
    }
    drop(space);
}

fn unmapped_frame_is_back_and_zeroed(test: &mut Test) {
    let frame = filled_frame();
    let mut space = space_owning(frame);
    let invalidations = ownership::invalidations();
    test.check_eq("unmap returns the frame", space.unmap_page(USER_PAGE), Some(frame));
    test.check("the frame is back in the linear map", ownership::in_linear_map(frame));
    test.check_eq("TLB invalidations for one take", ownership::invalidations(), invalidations);
    if ownership::enabled() {
        test.check("the frame came back zeroed", frame_holds(frame, 0));
    } else {
        test.check("with xpfo=off the frame keeps its data", frame_holds(frame, PATTERN));
    }
    mm::frames_free(frame, 1);
}

fn dropped_space_frees_frames_zeroed(test: &mut Test) {
    let frame = filled_frame();
    let free = mm::free_frames();
    drop(space_owning(frame));
    // The frame, the L2 table frame and the L1 table's two frames are free again.
    test.check_eq("frames freed with the space", mm::free_frames(), free + 1);
    test.check("the freed frame is in the linear map", ownership::in_linear_map(frame));
    if ownership::enabled() {
        test.check("the freed frame was zeroed", frame_holds(frame, 0));
    }
}

fn page_tables_stay_kernel_frames(test: &mut Test) {
    let frame = filled_frame();
    let space = space_owning(frame);
    let l1 = space.l1_table();
    test.check("the L1 table is in the linear map", ownership::in_linear_map(l1));
    test.check("its second frame too", ownership::in_linear_map(l1 + PAGE_SIZE));
    let table = space.l1_descriptor(USER_PAGE) & !(L2_TABLE_SIZE - 1);
    test.check(
        "the L2 table's frame is in the linear map",
        ownership::in_linear_map(table & !(PAGE_SIZE - 1)),
    );
    let entry = load(linear(table) as u32 + 4 * descriptor::l2_index(USER_PAGE) as u32);
    test.check_eq("the page's L2 entry, read through the linear map", entry & !0xFFF, frame);
    test.check_eq("the owned frame", ownership::in_linear_map(frame), !ownership::enabled());
    drop(space);
}
