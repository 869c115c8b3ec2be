//! The address-space picture from real ptdump captures: every range and every gap of the
//! whole 32-bit space appears with its range, size, label and what it holds, the guard page,
//! the NULL gap (mmap_min_addr, 64 KiB) and the frames processes own are named, the
//! TTBR0/TTBR1 split is marked, and the same capture gives the same bytes.

mod common;

use common::{assert_matches_expected, assert_well_formed, fixture, position, texts};
use docgen::pictures::{Error, address_map_svg};

/// The ranges of `ptdump-sample.txt`, with their sizes, domains, detail columns and what
/// they hold.
const SAMPLE_RANGES: [(&str, &str, &str, [&str; 8]); 10] = [
    (
        "0x00100000-0x00102fff",
        "12K",
        "dom 1 USER",
        ["k:RO", "u:RO", "x", "pxn", "WBWA", "ng", "page", "program text"],
    ),
    (
        "0x00103000-0x00103fff",
        "4K",
        "dom 1 USER",
        ["k:RO", "u:RO", "nx", "pxn", "WBWA", "ng", "page", "program rodata"],
    ),
    (
        "0x7fff0000-0x7fffffff",
        "64K",
        "dom 1 USER",
        ["k:RW", "u:RW", "nx", "pxn", "WBWA", "ng", "page", "user stack"],
    ),
    (
        "0x80000000-0x80032fff",
        "204K",
        "dom 0 KERNEL",
        ["k:RO", "u:--", "x", ".", "WBWA", "global", "page", "kernel text"],
    ),
    (
        "0x80033000-0x80086fff",
        "336K",
        "dom 0 KERNEL",
        ["k:RO", "u:--", "nx", ".", "WBWA", "global", "page", "kernel rodata"],
    ),
    (
        "0x80087000-0x8009cfff",
        "88K",
        "dom 0 KERNEL",
        ["k:RW", "u:--", "nx", ".", "WBWA", "global", "page", "kernel data, bss"],
    ),
    (
        "0x8009e000-0x80ffffff",
        "15752K",
        "dom 0 KERNEL",
        ["k:RW", "u:--", "nx", ".", "WBWA", "global", "page", "stacks, heap, RAM"],
    ),
    (
        "0x81000000-0x87ffffff",
        "112M",
        "dom 0 KERNEL",
        ["k:RW", "u:--", "nx", "pxn", "WBWA", "global", "section", "RAM (linear map)"],
    ),
    (
        "0xf8000000-0xf82fffff",
        "3M",
        "dom 2 IO",
        ["k:RW", "u:--", "nx", "pxn", "DEVICE", "global", "section", "devices"],
    ),
    (
        "0xffff0000-0xffff0fff",
        "4K",
        "dom 3 VECTORS",
        ["k:RO", "u:--", "x", ".", "WBWA", "global", "page", "exception vectors"],
    ),
];

/// The gaps of `ptdump-sample.txt`, with their sizes and what the band says.
const SAMPLE_GAPS: [(&str, &str, &str); 7] = [
    ("0x00000000-0x0000ffff", "64K", "NULL gap"),
    ("0x00010000-0x000fffff", "960K", "unmapped"),
    ("0x00104000-0x7ffeffff", "~2047M", "unmapped"),
    ("0x8009d000-0x8009dfff", "4K", "guard page"),
    ("0x88000000-0xf7ffffff", "1792M", "unmapped"),
    ("0xf8300000-0xfffeffff", "~125M", "unmapped"),
    ("0xffff1000-0xffffffff", "60K", "unmapped"),
];

fn sample_picture() -> String {
    address_map_svg(&fixture("ptdump-sample.txt")).expect("the sample draws")
}

#[test]
fn every_range_appears_with_its_size_domain_and_permissions() {
    let texts = texts(&sample_picture());
    for (range, size, domain, details) in SAMPLE_RANGES {
        let at = position(&texts, range);
        assert_eq!(texts[at + 1], size, "{range}");
        assert_eq!(texts[at + 2], domain, "{range}");
        assert_eq!(texts[at + 3..at + 11], details, "{range}");
    }
}

#[test]
fn every_gap_appears_with_its_size_and_label() {
    let texts = texts(&sample_picture());
    for (range, size, label) in SAMPLE_GAPS {
        let at = position(&texts, range);
        assert_eq!((texts[at + 1].as_str(), texts[at + 2].as_str()), (size, label), "{range}");
    }
    let guard = position(&texts, "0x8009d000-0x8009dfff");
    assert!(texts[guard + 3].starts_with("guard page"), "{}", texts[guard + 3]);
    let null = position(&texts, "0x00000000-0x0000ffff");
    assert_eq!(
        texts[null + 3],
        "NULL gap: the first 64K (mmap_min_addr) are never mapped, so NULL dereferences fault"
    );
}

/// The holes xpfo leaves in RAM's linear map are frames a process owns, not guard pages: in
/// the xpfo=on capture only the boot stack's guard is a guard page.
#[test]
fn holes_in_the_linear_map_above_the_guard_are_owned_frames() {
    let texts = texts(&address_map_svg(&fixture("ptdump-xpfo-on.txt")).expect("draws"));
    let label = |range: &str| texts[position(&texts, range) + 2].clone();
    assert_eq!(label("0x80179000-0x80179fff"), "guard page");
    for hole in ["0x80590000-0x80590fff", "0x80592000-0x8059dfff", "0x8059f000-0x805adfff"] {
        assert_eq!(label(hole), "owned by a process", "{hole}");
    }
    assert_eq!(texts.iter().filter(|text| *text == "guard page").count(), 1);
    let holds = |range: &str| texts[position(&texts, range) + 10].clone();
    assert_eq!(holds("0x8017a000-0x8058ffff"), "stacks, heap, RAM");
    assert_eq!(holds("0x80591000-0x80591fff"), "RAM (linear map)");
    assert_eq!(holds("0xe0001000-0xe0004fff"), "vmalloc: kernel stacks");
}

#[test]
fn the_bands_cover_the_address_space_in_order() {
    let texts = texts(&sample_picture());
    let ranges: Vec<(u64, u64)> = texts
        .iter()
        .filter_map(|text| {
            let (first, last) = text.split_once('-')?;
            let parse = |hex: &str| u64::from_str_radix(hex.strip_prefix("0x")?, 16).ok();
            Some((parse(first)?, parse(last)?))
        })
        .collect();
    // The two half strips first name their halves, then the bands follow in order.
    let bands: Vec<(u64, u64)> = ranges
        .into_iter()
        .filter(|&range| range != (0, 0x7fff_ffff) && range != (0x8000_0000, 0xffff_ffff))
        .collect();
    assert_eq!(bands.len(), SAMPLE_RANGES.len() + SAMPLE_GAPS.len());
    assert_eq!(bands.first().map(|band| band.0), Some(0));
    assert_eq!(bands.last().map(|band| band.1), Some(0xffff_ffff));
    for pair in bands.windows(2) {
        assert_eq!(pair[0].1 + 1, pair[1].0, "{pair:x?}");
    }
}

#[test]
fn the_title_sections_split_and_scale_are_said() {
    let svg = sample_picture();
    assert_well_formed(&svg);
    let texts = texts(&svg);
    assert_eq!(texts[0], "swpan's address space, from ptdump");
    assert_eq!(texts[1], "ptdump sections: User space: TTBR0 of process 1  |  Kernel: TTBR1");
    assert!(texts[2].contains("Low addresses at the top") && texts[2].contains("Not to scale"));
    let low = position(&texts, "TTBR0");
    assert_eq!(
        texts[low + 1..low + 3],
        ["0x00000000-0x7fffffff", "User space: TTBR0 of process 1"]
    );
    let high = position(&texts, "TTBR1");
    assert_eq!(
        texts[high + 1..high + 4],
        ["0x80000000-0xffffffff", "Kernel: TTBR1", "TTBR0/TTBR1 split at 0x80000000"]
    );
    assert!(low < position(&texts, "0x7fff0000-0x7fffffff"));
    assert!(high > position(&texts, "0x7fff0000-0x7fffffff"));
    assert!(high < position(&texts, "0x80000000-0x80032fff"));
}

#[test]
fn the_legend_says_what_the_dacr_gives_kernel_mode() {
    let texts = texts(&sample_picture());
    for entry in [
        "dom 0 KERNEL: Client",
        "dom 1 USER: No access in kernel mode (PAN)",
        "dom 2 IO: Client",
        "dom 3 VECTORS: Client",
    ] {
        position(&texts, entry);
    }
}

#[test]
fn the_tour_capture_draws_its_own_user_space() {
    let svg = address_map_svg(&fixture("tour-sample.txt")).expect("the tour draws");
    let texts = texts(&svg);
    let page = position(&texts, "0x40000000-0x40000fff");
    assert_eq!(texts[page + 1..page + 3], ["4K", "dom 1 USER"]);
    position(&texts, "0x00100000-0x00101fff");
    position(&texts, "0x8009d000-0x8009dfff");
    // The oops's `---[ end trace ... ]---` heading later in the capture is not a section.
    assert!(texts[1].ends_with("Kernel: TTBR1"), "{}", texts[1]);
}

#[test]
fn the_same_capture_gives_the_same_bytes_whatever_its_line_ends() {
    let crlf = fixture("ptdump-sample.txt");
    assert!(crlf.contains("\r\n"), "the fixture is a raw serial capture");
    let first = address_map_svg(&crlf).expect("draws");
    assert_eq!(address_map_svg(&crlf).expect("draws"), first);
    assert_eq!(address_map_svg(&crlf.replace("\r\n", "\n")).expect("draws"), first);
    let shell = address_map_svg(&fixture("shell-dacr-ptdump.txt")).expect("draws");
    assert_eq!(shell, first, "the same tables, from another boot, draw the same");
}

#[test]
fn the_pictures_match_the_expected_ones() {
    assert_matches_expected(&sample_picture(), "address-map.svg");
}

#[test]
fn a_capture_without_ptdump_or_with_a_bad_line_is_refused() {
    assert_eq!(
        address_map_svg(&fixture("tour-sample.txt").replace("---[", "--[")),
        Err(Error::NoPtdump)
    );
    let broken = fixture("ptdump-sample.txt").replace(" 336K ", " 337K ");
    let Err(Error::MalformedPtdumpLine { line: 15, problem }) = address_map_svg(&broken) else {
        panic!("the bad size is not reported on line 15");
    };
    assert!(problem.contains("the size says 337K"), "{problem}");
}
