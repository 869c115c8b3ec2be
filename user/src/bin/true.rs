//! `true`: exits with status 0 at once, whatever its argument. The child that tests of
//! `spawn` and `wait` need.

#![no_std]
#![no_main]

swpan_user::main!(run);

fn run(_argument: &str) -> i32 {
    0
}
