//! Self-tests of the uaccess API on real user pages: good pointers copy, bad pointers return
//! EFAULT through the fixup (or before any access), and the window is closed afterwards.

use super::fixture::{self, UserPages, pattern};
use super::{Case, Test};
use crate::arch::exception;
use crate::arch::mmu;
use crate::errno::Errno;
use crate::memory_map::USER_END;
use crate::mm::descriptor::{AccessPermissions, Attributes};
use crate::mm::{self, image};
use crate::uaccess::{
    UserPtr, clear_user, copy_from_user, copy_to_user, get_user, put_user, strncpy_from_user,
    strnlen_user,
};

/// The cases of this suite.
pub const CASES: &[Case] = &[
    Case { name: "uaccess.copy_from_user_copies", run: copy_from_user_copies },
    Case { name: "uaccess.copy_to_user_copies", run: copy_to_user_copies },
    Case { name: "uaccess.copy_from_unmapped_is_efault", run: copy_from_unmapped_is_efault },
    Case { name: "uaccess.partial_copy_zero_fills", run: partial_copy_zero_fills },
    Case {
        name: "uaccess.a_fault_in_every_block_of_a_turn",
        run: a_fault_in_every_block_of_a_turn,
    },
    Case { name: "uaccess.copy_to_read_only_is_efault", run: copy_to_read_only_is_efault },
    Case {
        name: "uaccess.kernel_and_wrapping_ranges_refused",
        run: kernel_and_wrapping_ranges_refused,
    },
    Case { name: "uaccess.get_and_put_user", run: get_and_put_user },
    Case { name: "uaccess.clear_user", run: clear_user_zeroes },
    Case { name: "uaccess.strings", run: strings },
    Case {
        name: "uaccess.unmapped_page_faults_after_unmap",
        run: unmapped_page_faults_after_unmap,
    },
];

fn user(address: u32) -> UserPtr<u8> {
    UserPtr::new(address)
}

fn check_window_closed(test: &mut Test) {
    test.check_eq(
        "DACR after the call (window closed)",
        mmu::read_dacr(),
        exception::kernel_dacr(),
    );
}

fn copy_from_user_copies(test: &mut Test) {
    let _pages = UserPages::new();
    // Sizes and offsets that exercise the 32-byte blocks, the word and the byte loops.
    for (offset, length) in [(0usize, 4096usize), (4, 100), (1, 77), (3, 3), (0, 0), (32, 33)] {
        let mut buffer = [0xAAu8; 4096];
        let result =
            copy_from_user(&mut buffer[..length], user(fixture::READ_WRITE + offset as u32));
        test.check_eq("copy_from_user result", result, Ok(()));
        let wrong = (0..length).find(|&index| buffer[index] != pattern(offset + index));
        test.check_eq("first wrong byte", wrong, None);
        test.check_eq(
            "byte after the copy untouched",
            buffer.get(length).copied().unwrap_or(0xAA),
            0xAA,
        );
    }
    check_window_closed(test);
}

fn copy_to_user_copies(test: &mut Test) {
    let _pages = UserPages::new();
    let source: [u8; 200] = core::array::from_fn(|index| (255 - index) as u8);
    for (offset, length) in [(0u32, 200usize), (5, 150), (64, 64)] {
        let result = copy_to_user(user(fixture::READ_WRITE + offset), &source[..length]);
        test.check_eq("copy_to_user result", result, Ok(()));
        let mut back = [0u8; 200];
        test.check_eq(
            "read back",
            copy_from_user(&mut back[..length], user(fixture::READ_WRITE + offset)),
            Ok(()),
        );
        test.check("the bytes arrived", back[..length] == source[..length]);
    }
    check_window_closed(test);
}

fn copy_from_unmapped_is_efault(test: &mut Test) {
    let _pages = UserPages::new();
    for address in [fixture::UNMAPPED, 0, 0x10, fixture::UNMAPPED + 1] {
        let mut buffer = [0xAAu8; 64];
        let result = copy_from_user(&mut buffer, user(address));
        test.check_eq("copy_from_user from an unmapped page", result, Err(Errno::EFAULT));
        test.check("the buffer is zero-filled", buffer.iter().all(|&byte| byte == 0));
        let result = copy_to_user(user(address), &buffer);
        test.check_eq("copy_to_user to an unmapped page", result, Err(Errno::EFAULT));
    }
    check_window_closed(test);
}

fn partial_copy_zero_fills(test: &mut Test) {
    let _pages = UserPages::new();
    // `readable` bytes at the end of the read-only page, then the unmapped page, copied into
    // a buffer of any alignment (a_fault_in_every_block_of_a_turn faults in each block of the
    // aligned loop).
    for (readable, lengths) in [(16usize, &[64usize, 40, 20, 17][..]), (44, &[64, 60][..])] {
        let start = fixture::UNMAPPED - readable as u32;
        for &length in lengths {
            let mut buffer = [0xAAu8; 64];
            let result = copy_from_user(&mut buffer[..length], user(start));
            test.check_eq("copy across into an unmapped page", result, Err(Errno::EFAULT));
            // Whatever prefix was copied must be the user's bytes; everything after it is zero.
            let copied = (0..length)
                .find(|&index| buffer[index] != pattern(4096 - readable + index))
                .unwrap_or(length);
            test.check("no more than the readable bytes were copied", copied <= readable);
            test.check(
                "the rest is zero-filled",
                buffer[copied..length].iter().all(|&byte| byte == 0),
            );
            test.check(
                "nothing past the buffer was written",
                buffer[length..].iter().all(|&byte| byte == 0xAA),
            );
        }
    }
    check_window_closed(test);
}

/// A word-aligned kernel buffer, so that a copy with an aligned user address takes the block
/// loop.
#[repr(align(4))]
struct AlignedBuffer([u8; 300]);

/// Faults in each of the eight blocks of a copy loop turn, in the single blocks after it, and
/// in the words: the copies report EFAULT with the window closed, and `copy_from_user`
/// copies everything before the faulting block (the count left is exact to a block, 32 bytes)
/// and zeroes the rest; `copy_to_user` and `clear_user` write everything before it.
fn a_fault_in_every_block_of_a_turn(test: &mut Test) {
    let _pages = UserPages::new();
    const BLOCK: usize = 32;
    for readable in [0usize, 8, 40, 72, 104, 136, 168, 200, 232, 264, 292] {
        let mut buffer = AlignedBuffer([0xAA; 300]);
        let start = fixture::UNMAPPED - readable as u32;
        let result = copy_from_user(&mut buffer.0, user(start));
        test.check_eq("copy_from_user across into an unmapped page", result, Err(Errno::EFAULT));
        let copied = (0..buffer.0.len())
            .find(|&index| buffer.0[index] != pattern(4096 - readable + index))
            .unwrap_or(buffer.0.len());
        if copied > readable || copied + BLOCK <= readable {
            test.fail(format_args!(
                "{readable} readable bytes: copy_from_user copied {copied}, expected {} to {readable}",
                readable - readable % BLOCK
            ));
        }
        test.check("the rest is zero-filled", buffer.0[copied..].iter().all(|&byte| byte == 0));

        // Into the read-only page after the read-write one.
        let start = fixture::READ_ONLY - readable as u32;
        let data = AlignedBuffer([0x5C; 300]);
        test.check_eq(
            "copy_to_user across into a read-only page",
            copy_to_user(user(start), &data.0),
            Err(Errno::EFAULT),
        );
        let mut back = AlignedBuffer([0; 300]);
        let whole_blocks = readable - readable % BLOCK;
        let _ = copy_from_user(&mut back.0[..readable], user(start));
        test.check(
            "copy_to_user wrote the blocks before the fault",
            back.0[..whole_blocks].iter().all(|&byte| byte == 0x5C),
        );
        test.check_eq(
            "clear_user across into a read-only page",
            clear_user(user(start), 300),
            Err(Errno::EFAULT),
        );
        let _ = copy_from_user(&mut back.0[..readable], user(start));
        test.check(
            "clear_user cleared the blocks before the fault",
            back.0[..whole_blocks].iter().all(|&byte| byte == 0),
        );
    }
    check_window_closed(test);
}

fn copy_to_read_only_is_efault(test: &mut Test) {
    let _pages = UserPages::new();
    let data = [0x55u8; 40];
    // A user page mapped read-only is read-only for the kernel too (AP = 0b111).
    test.check_eq(
        "copy_to_user to a read-only page",
        copy_to_user(user(fixture::READ_ONLY), &data),
        Err(Errno::EFAULT),
    );
    test.check_eq(
        "put_user to a read-only page",
        put_user(UserPtr::<u32>::new(fixture::READ_ONLY), 7),
        Err(Errno::EFAULT),
    );
    let mut back = [0u8; 40];
    test.check_eq("read back", copy_from_user(&mut back, user(fixture::READ_ONLY)), Ok(()));
    test.check(
        "the read-only page is unchanged",
        back.iter().enumerate().all(|(index, &byte)| byte == pattern(index)),
    );
    check_window_closed(test);
}

fn kernel_and_wrapping_ranges_refused(test: &mut Test) {
    // Kernel addresses are readable by the kernel with the window open or not (domain 0):
    // only access_ok keeps these from succeeding.
    let kernel_data = image::data().start;
    let mut buffer = [0xAAu8; 16];
    for (address, length) in [
        (kernel_data, 16usize),
        (USER_END as u32, 16),
        (USER_END as u32 - 8, 16),
        (0xFFFF_FFF8, 16),
        (image::text().start, 4),
    ] {
        let result = copy_from_user(&mut buffer[..length], user(address));
        test.check_eq("copy_from_user of a kernel or wrapping range", result, Err(Errno::EFAULT));
        test.check("zero-filled", buffer[..length].iter().all(|&byte| byte == 0));
        let result = copy_to_user(user(address), &buffer[..length]);
        test.check_eq("copy_to_user to a kernel or wrapping range", result, Err(Errno::EFAULT));
    }
    test.check_eq(
        "get_user of kernel text",
        get_user(UserPtr::<u32>::new(kernel_data)),
        Err(Errno::EFAULT),
    );
    test.check_eq(
        "strnlen_user of kernel text",
        strnlen_user(user(kernel_data), 16),
        Err(Errno::EFAULT),
    );
    check_window_closed(test);
}

fn get_and_put_user(test: &mut Test) {
    let _pages = UserPages::new();
    test.check_eq(
        "get_user u32",
        get_user(UserPtr::<u32>::new(fixture::READ_ONLY + 8)),
        Ok(u32::from_le_bytes([8, 9, 10, 11])),
    );
    test.check_eq("get_user u8", get_user(UserPtr::<u8>::new(fixture::READ_ONLY + 3)), Ok(3));
    test.check_eq(
        "get_user u16",
        get_user(UserPtr::<u16>::new(fixture::READ_ONLY + 6)),
        Ok(0x0706),
    );
    test.check_eq(
        "get_user unaligned u32",
        get_user(UserPtr::<u32>::new(fixture::READ_ONLY + 1)),
        Ok(u32::from_le_bytes([1, 2, 3, 4])),
    );
    test.check_eq(
        "put_user u32",
        put_user(UserPtr::<u32>::new(fixture::READ_WRITE + 12), 0xCAFE_F00D),
        Ok(()),
    );
    test.check_eq(
        "get_user back",
        get_user(UserPtr::<u32>::new(fixture::READ_WRITE + 12)),
        Ok(0xCAFE_F00D),
    );
    test.check_eq(
        "put_user u8",
        put_user(UserPtr::<u8>::new(fixture::READ_WRITE + 1), 0xEE),
        Ok(()),
    );
    test.check_eq(
        "get_user u8 back",
        get_user(UserPtr::<u8>::new(fixture::READ_WRITE + 1)),
        Ok(0xEE),
    );
    test.check_eq(
        "get_user unmapped",
        get_user(UserPtr::<u32>::new(fixture::UNMAPPED)),
        Err(Errno::EFAULT),
    );
    test.check_eq(
        "put_user unmapped",
        put_user(UserPtr::<u32>::new(fixture::UNMAPPED), 1),
        Err(Errno::EFAULT),
    );
    test.check_eq("get_user NULL", get_user(UserPtr::<u32>::new(0)), Err(Errno::EFAULT));
    check_window_closed(test);
}

fn clear_user_zeroes(test: &mut Test) {
    let _pages = UserPages::new();
    test.check_eq("clear_user", clear_user(user(fixture::READ_WRITE + 3), 101), Ok(()));
    let mut back = [0xAAu8; 110];
    test.check_eq("read back", copy_from_user(&mut back, user(fixture::READ_WRITE)), Ok(()));
    test.check("bytes before untouched", back[..3] == [0, 1, 2]);
    test.check("cleared", back[3..104].iter().all(|&byte| byte == 0));
    test.check_eq("byte after untouched", back[104], pattern(104));
    test.check_eq(
        "clear_user read-only",
        clear_user(user(fixture::READ_ONLY), 8),
        Err(Errno::EFAULT),
    );
    test.check_eq(
        "clear_user unmapped",
        clear_user(user(fixture::UNMAPPED), 8),
        Err(Errno::EFAULT),
    );
    check_window_closed(test);
}

fn strings(test: &mut Test) {
    let _pages = UserPages::new();
    test.check_eq(
        "write a string",
        copy_to_user(user(fixture::READ_WRITE + 100), b"hello\0"),
        Ok(()),
    );
    let mut name = [0xAAu8; 16];
    test.check_eq(
        "strncpy_from_user",
        strncpy_from_user(&mut name, user(fixture::READ_WRITE + 100)),
        Ok(5),
    );
    test.check("the string and its NUL", &name[..6] == b"hello\0");
    let mut short = [0u8; 4];
    test.check_eq(
        "strncpy_from_user truncated",
        strncpy_from_user(&mut short, user(fixture::READ_WRITE + 100)),
        Ok(4),
    );
    test.check("truncated bytes", &short == b"hell");
    test.check_eq("strnlen_user", strnlen_user(user(fixture::READ_WRITE + 100), 64), Ok(6));
    test.check_eq("strnlen_user too long", strnlen_user(user(fixture::READ_WRITE + 100), 3), Ok(4));
    // The read-only page's last bytes run into the unmapped page before any NUL.
    let no_nul = fixture::UNMAPPED - 4;
    test.check_eq(
        "strnlen_user into an unmapped page",
        strnlen_user(user(no_nul), 64),
        Err(Errno::EFAULT),
    );
    test.check_eq(
        "strncpy_from_user into an unmapped page",
        strncpy_from_user(&mut name, user(no_nul)),
        Err(Errno::EFAULT),
    );
    test.check_eq(
        "strncpy_from_user unmapped",
        strncpy_from_user(&mut name, user(fixture::UNMAPPED)),
        Err(Errno::EFAULT),
    );
    check_window_closed(test);
}

fn unmapped_page_faults_after_unmap(test: &mut Test) {
    let mut pages = UserPages::new();
    let frame = mm::frames_allocate(1, 4096).expect("a frame");
    let address = fixture::UNMAPPED;
    let attributes = Attributes::user(AccessPermissions::ReadWrite, true);
    test.check_eq("map", pages.space.map_page(address, frame, attributes), Ok(()));
    test.check_eq(
        "map twice",
        pages.space.map_page(address, frame, attributes),
        Err(Errno::EEXIST),
    );
    // Reading it puts its translation in the TLB.
    test.check_eq("get_user mapped", get_user(UserPtr::<u32>::new(address)), Ok(0));
    let unmapped = pages.space.unmap_page(address);
    test.check_eq("unmap returns the frame", unmapped, Some(frame));
    mm::frames_free(frame, 1);
    // Only the TLB invalidation after the unmap makes this fault.
    test.check_eq(
        "get_user after unmap",
        get_user(UserPtr::<u32>::new(address)),
        Err(Errno::EFAULT),
    );
    test.check_eq("translate after unmap", pages.space.translate(address), None);
}
