//! `docgen`: everything in swpan's docs that comes from a run is generated here, never typed.
//!
//! | part of the docs | module | command |
//! |---|---|---|
//! | `docs/benchmarks.md`'s tables, `docs/benchmarks.svg` | [`bench`] | `docgen bench table\|markdown\|svg` |
//! | `docs/address-map.svg`, `docs/syscall-sequence.svg` | [`pictures`] | `docgen pictures address-map\|syscall-sequence` |
//! | every console excerpt in README.md and docs/ | [`transcripts`] | `docgen transcripts check\|update` |
//! | `docs/lkdtm-matrix.md`, `docs/bad-pointers.md` | [`matrix`] | `docgen matrix lkdtm\|bad-pointers` |
//! | `docs/linux-side-by-side.md` | [`linux`] | `docgen linux page` |
//!
//! Two pieces serve them all: [`svg`], the one SVG writer of the chart and the pictures, and
//! [`splice`], the one way generated text goes into a hand-written page (between
//! `<!-- NAME:begin -->` and `<!-- NAME:end -->`, or a console excerpt's fences). The kernel
//! facts the pictures draw (domains, DACR values, memory types, ptdump's words) come from the
//! kernel's own host library, `swpan`.
//!
//! Every output is a pure function of its input, so a test can regenerate a part of the docs
//! from a fresh run and compare it byte for byte with the committed one. `README.md` beside
//! this crate tells which make target regenerates what, and which test checks it.

pub mod bench;
pub mod linux;
pub mod matrix;
pub mod pictures;
pub mod splice;
pub mod svg;
pub mod transcripts;
