//! The linear-map picture from real ptdump captures of an `xpfo=on` and an `xpfo=off` boot:
//! every row of RAM's linear map appears in both columns, the holes of the frames a process
//! owns are named and counted against the pages it maps, guard pages stay guard pages, and
//! the same captures give the same bytes.

mod common;

use common::{assert_matches_expected, assert_well_formed, fixture, position, texts};
use docgen::pictures::{Error, linear_map_svg};

/// The picture of the two fixtures.
fn picture() -> String {
    linear_map_svg(&fixture("ptdump-xpfo-on.txt"), &fixture("ptdump-xpfo-off.txt"))
        .expect("the captures draw")
}

#[test]
fn the_holes_of_owned_frames_stand_beside_their_aliases() {
    let svg = picture();
    assert_well_formed(&svg);
    let texts = texts(&svg);
    // Each hole of the xpfo=on boot: its range, its size, nothing mapped with xpfo=on, the
    // read-write alias with xpfo=off, and how many frames.
    for (range, size, frames) in [
        ("0x80590000-0x80590fff", "4K", "1 frame owned by a process"),
        ("0x80592000-0x8059dfff", "48K", "12 frames owned by a process"),
        ("0x8059f000-0x805adfff", "60K", "15 frames owned by a process"),
    ] {
        let row = position(&texts, range);
        assert_eq!(texts[row + 1..row + 5], [size, "not mapped", "dom 0 k:RW nx", frames]);
    }
    // The kernel's own memory is the same in both boots.
    let row = position(&texts, "0x80591000-0x80591fff");
    assert_eq!(
        texts[row + 1..row + 5],
        ["4K", "dom 0 k:RW nx", "dom 0 k:RW nx", "kernel memory, in both boots"]
    );
    // A page unmapped in both boots is a guard page, not a frame a process owns.
    let row = position(&texts, "0x80179000-0x80179fff");
    assert_eq!(
        texts[row + 1..row + 5],
        ["4K", "guard page", "guard page", "guard page, in both boots"]
    );
    // The rows cover RAM exactly, and nothing outside it is drawn.
    position(&texts, "0x80000000-0x8005dfff");
    position(&texts, "0x805ae000-0x87ffffff");
    assert!(!texts.iter().any(|text| text.starts_with("0xe0001000")), "{texts:#?}");
}

#[test]
fn the_heading_counts_the_user_pages_and_the_missing_frames() {
    let texts = texts(&picture());
    position(
        &texts,
        "The process maps 28 user pages (112K). With xpfo=on, 28 frames (112K) are missing \
         from the linear map;",
    );
}

#[test]
fn without_the_defence_on_both_sides_there_are_no_holes() {
    let off = fixture("ptdump-xpfo-off.txt");
    let texts = texts(&linear_map_svg(&off, &off).expect("draws"));
    assert!(!texts.iter().any(|text| text.contains("owned by a process")), "{texts:#?}");
    position(&texts, "0x8017a000-0x87ffffff");
}

#[test]
fn the_same_captures_give_the_same_bytes_whatever_their_line_ends() {
    let on = fixture("ptdump-xpfo-on.txt");
    let off = fixture("ptdump-xpfo-off.txt");
    assert!(on.contains("\r\n"), "the fixture is a raw serial capture");
    let first = picture();
    assert_eq!(picture(), first);
    assert_eq!(
        linear_map_svg(&on.replace("\r\n", "\n"), &off.replace("\r\n", "\n")).expect("draws"),
        first
    );
}

#[test]
fn the_picture_matches_the_expected_one() {
    assert_matches_expected(&picture(), "linear-map.svg");
}

#[test]
fn a_capture_without_ptdump_is_refused() {
    let on = fixture("ptdump-xpfo-on.txt");
    let off = fixture("ptdump-xpfo-off.txt");
    assert_eq!(linear_map_svg(&on, &off.replace("---[", "--[")), Err(Error::NoPtdump));
    assert_eq!(linear_map_svg(&on.replace("---[", "--["), &off), Err(Error::NoPtdump));
}
