# gdb-multiarch script for `make debug`: attach to QEMU waiting on tcp::1234 (qemu/run --gdb),
# stop at the Rust entry point. `info registers DACR TTBR0 SCTLR` shows the CP15 state.
set confirm off
set pagination off
set architecture armv7
target remote localhost:1234
break kernel_main
continue
