//! A kernel load that reports a data abort instead of taking one (`probe.s`).

core::arch::global_asm!(include_str!("probe.s"));

unsafe extern "C" {
    /// Returns the word read in bits 31:0 (r0) and the DFSR, or 0, in bits 63:32 (r1): a
    /// 64-bit integer is returned in r0 and r1 (AAPCS).
    fn probe_read(address: u32) -> u64;
}

/// Reads the word at `address` through this CPU's MMU and TLB: `Ok(value)`, or `Err(DFSR)`
/// if the load took a data abort. IRQs must be masked (the probe's vector table stops the CPU
/// on any exception but a data abort).
///
/// # Safety
///
/// `address` must be word aligned, and reading it must have no side effect (no device
/// register) and race with no write the caller cares about.
pub unsafe fn read(address: u32) -> Result<u32, u32> {
    // SAFETY: the caller's contract; the probe restores VBAR before it returns.
    let result = unsafe { probe_read(address) };
    let (value, dfsr) = (result as u32, (result >> 32) as u32);
    if dfsr == 0 { Ok(value) } else { Err(dfsr) }
}
