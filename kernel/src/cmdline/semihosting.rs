//! Reading the command line over Arm semihosting (SYS_GET_CMDLINE): what QEMU passes, the
//! program name first (the kernel path with `-append`, or `qemu/run`'s first `arg=`).

/// The kernel command line: the `-append` string, without the kernel path QEMU puts first.
/// Read once; later calls return the same string.
pub fn command_line() -> Result<&'static str, &'static str> {
    static LINE: spin::Once<Result<(usize, [u8; 1024]), &'static str>> = spin::Once::new();
    let result = LINE.call_once(|| {
        let mut buffer = [core::mem::MaybeUninit::uninit(); 1024];
        match semihosting::sys::arm_compat::sys_get_cmdline_uninit(&mut buffer) {
            Ok(line) => {
                let mut copy = [0u8; 1024];
                copy[..line.len()].copy_from_slice(line);
                Ok((line.len(), copy))
            }
            Err(_) => Err("the command line is longer than 1023 bytes"),
        }
    });
    match result {
        Ok((length, bytes)) => core::str::from_utf8(&bytes[..*length])
            .map(super::without_program_name)
            .map_err(|_| "the command line is not UTF-8"),
        Err(message) => Err(message),
    }
}
