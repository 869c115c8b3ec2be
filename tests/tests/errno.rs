//! The errno texts the user programs print are the host C library's `strerror` texts.

use swpan_abi::Errno;

unsafe extern "C" {
    fn strerror(number: i32) -> *const std::ffi::c_char;
}

#[test]
fn every_description_is_what_strerror_says() {
    for errno in Errno::ALL {
        // SAFETY: strerror returns a NUL-terminated string for any number, valid until the
        // next call on this thread; it is copied out at once.
        let text = unsafe { std::ffi::CStr::from_ptr(strerror(errno.number() as i32)) };
        assert_eq!(text.to_str(), Ok(errno.description()), "{}", errno.name());
    }
}
