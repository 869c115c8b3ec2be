//! The short-descriptor bit layouts: an L1 section, an L1 page-table pointer and an L2 small
//! page, bit by bit, with the entries swpan writes.
//!
//! Nothing here restates a bit position. Each field is found by asking the kernel's own
//! encoders (`swpan::mm::descriptor::{section, page_table, small_page}`) which bits change
//! when only that field's input changes: the base when the address changes, the domain when the
//! domain does, XN, PXN, S and nG when their flag flips, APX and AP\[1:0\] between access
//! permissions that differ in AP\[2\] only or in AP\[1:0\] only, TEX, C and B between memory
//! types that differ in one of them. What no input moves is a fixed bit, drawn with its value
//! (the entry type's `1` or `01`, zeros the kernel never sets). Below each layout, rows show
//! the entries the kernel writes for its own attribute sets (`Attributes::KERNEL_TEXT` and
//! the rest, user pages, the user page-table pointer with PXNTABLE), field by field.

use super::facts::{IO, KERNEL, USER};
use crate::svg::{Anchor, GREY, Svg, Text};
use swpan::mm::descriptor::{
    self, AccessPermissions as Access, Attributes, MemoryType, page_table, section, small_page,
};

/// The picture's width, in pixels.
const WIDTH: i32 = 1180;
/// The left edge of bit 31.
const BITS_LEFT: i32 = 250;
/// The width of one bit.
const BIT_WIDTH: i32 = 26;
/// The height of a layout row and of an entry row.
const ROW_HEIGHT: i32 = 26;

/// One field of a descriptor: its name and its bits (`high` down to `low`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// The name the ARM ARM gives it.
    pub name: &'static str,
    /// Its highest bit.
    pub high: u32,
    /// Its lowest bit.
    pub low: u32,
    /// For a fixed bit run, the value the encoder always writes there.
    pub fixed: Option<u32>,
}

impl Field {
    /// The field's value in `raw`.
    fn value(&self, raw: u32) -> u32 {
        (raw >> self.low) & ((1u64 << (self.high - self.low + 1)) - 1) as u32
    }
}

/// The bits that differ between two encodings.
fn moved(a: u32, b: u32) -> u32 {
    a ^ b
}

/// A leaf's attributes with everything off, the base of every probe.
const PLAIN: Attributes = Attributes {
    access: Access::NoAccess,
    memory: MemoryType::StronglyOrdered,
    execute_never: false,
    privileged_execute_never: false,
    shareable: false,
    global: true,
};

/// The named masks of a leaf encoder (`section` or `small_page`), probed field by field.
fn leaf_masks(encode: fn(u32, Attributes) -> u32, base_probe: u32) -> Vec<(&'static str, u32)> {
    let with = |attributes: Attributes| encode(0, attributes);
    let plain = with(PLAIN);
    let memory = |tex, cacheable, bufferable| MemoryType::Other { tex, cacheable, bufferable };
    vec![
        ("base address", moved(encode(base_probe, PLAIN), plain)),
        ("nG", moved(with(Attributes { global: false, ..PLAIN }), plain)),
        ("S", moved(with(Attributes { shareable: true, ..PLAIN }), plain)),
        (
            "APX",
            moved(
                with(Attributes { access: Access::Read, ..PLAIN }),
                with(Attributes { access: Access::ReadWrite, ..PLAIN }),
            ),
        ),
        (
            "TEX",
            moved(
                with(Attributes { memory: memory(0b111, false, false), ..PLAIN }),
                with(Attributes { memory: memory(0, false, false), ..PLAIN }),
            ),
        ),
        ("AP[1:0]", moved(with(Attributes { access: Access::ReadWrite, ..PLAIN }), plain)),
        ("C", moved(with(Attributes { memory: memory(0, true, false), ..PLAIN }), plain)),
        ("B", moved(with(Attributes { memory: memory(0, false, true), ..PLAIN }), plain)),
        ("XN", moved(with(Attributes { execute_never: true, ..PLAIN }), plain)),
        ("PXN", moved(with(Attributes { privileged_execute_never: true, ..PLAIN }), plain)),
    ]
}

/// The fields of an encoding from its named masks and its value with every input at zero:
/// each mask's bits become its field (a mask must be one run of bits); the bits no mask
/// covers become fixed runs, with the value the encoder writes there.
pub fn fields(masks: &[(&'static str, u32)], fixed_value: u32) -> Vec<Field> {
    let mut owner: [Option<&'static str>; 32] = [None; 32];
    for &(name, mask) in masks {
        for (bit, slot) in owner.iter_mut().enumerate() {
            if mask & (1 << bit) != 0 {
                *slot = Some(name);
            }
        }
    }
    let mut result: Vec<Field> = Vec::new();
    let mut bit = 32;
    while bit > 0 {
        bit -= 1;
        let name = owner[bit];
        let fixed_bit = (fixed_value >> bit) & 1;
        let continues = result.last().is_some_and(|last| match (name, last.fixed) {
            (Some(name), None) => last.name == name,
            // Fixed runs group bits of the same value.
            (None, Some(_)) => {
                (last.value(fixed_value) & 1) == fixed_bit && last.name == fixed_name(fixed_bit)
            }
            _ => false,
        });
        if continues {
            if let Some(last) = result.last_mut() {
                last.low = bit as u32;
                if let Some(fixed) = &mut last.fixed {
                    *fixed = last_fixed(fixed_value, last.high, last.low);
                }
            }
        } else {
            result.push(match name {
                Some(name) => Field { name, high: bit as u32, low: bit as u32, fixed: None },
                None => Field {
                    name: fixed_name(fixed_bit),
                    high: bit as u32,
                    low: bit as u32,
                    fixed: Some(fixed_bit),
                },
            });
        }
    }
    result
}

/// The label of a fixed bit of value `bit`.
fn fixed_name(bit: u32) -> &'static str {
    if bit == 1 { "1" } else { "0" }
}

/// The value of bits `high..=low` of `raw`.
fn last_fixed(raw: u32, high: u32, low: u32) -> u32 {
    Field { name: "", high, low, fixed: None }.value(raw)
}

/// One format: its title, what it maps, its fields and the kernel's entries in it.
pub struct Format {
    /// The format's name.
    pub title: &'static str,
    /// What one entry covers.
    pub note: &'static str,
    /// Its fields, bit 31 first.
    pub fields: Vec<Field>,
    /// The entries the kernel writes: what each is for, and its value.
    pub entries: Vec<(&'static str, u32)>,
}

/// The three formats, from the kernel's encoders.
pub fn formats() -> [Format; 3] {
    let section_of = |physical, attributes| section(physical, KERNEL, attributes);
    let mut section_masks = leaf_masks(section_of, descriptor::SECTION_SIZE.wrapping_neg());
    section_masks.push(("domain", moved(section(0, 0xF, PLAIN), section(0, 0, PLAIN))));
    let table_masks = [
        (
            "L2 table base address",
            moved(
                page_table(descriptor::L2_TABLE_SIZE.wrapping_neg(), 0, false),
                page_table(0, 0, false),
            ),
        ),
        ("domain", moved(page_table(0, 0xF, false), page_table(0, 0, false))),
        ("PXN", moved(page_table(0, 0, true), page_table(0, 0, false))),
    ];
    let page_masks = leaf_masks(small_page, descriptor::PAGE_SIZE.wrapping_neg());
    let page_masks: Vec<(&'static str, u32)> =
        page_masks.into_iter().filter(|&(_, mask)| mask != 0).collect();
    [
        Format {
            title: "L1 section",
            note: "maps 1 MiB; swpan: the device windows",
            fields: fields(&section_masks, section(0, 0, PLAIN)),
            entries: vec![("device registers (IO, domain 2)", section(0, IO, Attributes::DEVICE))],
        },
        Format {
            title: "L1 page table",
            note: "points to 256 small pages; the domain is here only",
            fields: fields(&table_masks, page_table(0, 0, false)),
            entries: vec![
                ("a user table (domain 1, PXNTABLE)", page_table(0, USER, true)),
                ("a kernel table (domain 0)", page_table(0, KERNEL, false)),
            ],
        },
        Format {
            title: "L2 small page",
            note: "maps 4 KiB; no PXN bit, no domain",
            fields: fields(&page_masks, small_page(0, PLAIN)),
            entries: vec![
                ("kernel text", small_page(0, Attributes::KERNEL_TEXT)),
                ("kernel rodata", small_page(0, Attributes::KERNEL_READ_ONLY)),
                ("kernel data, stacks, heap", small_page(0, Attributes::KERNEL_DATA)),
                ("user text (r-x)", small_page(0, Attributes::user(Access::Read, false))),
                ("user data (rw-)", small_page(0, Attributes::user(Access::ReadWrite, true))),
            ],
        },
    ]
}

/// The picture (SVG) of the three layouts.
pub fn svg() -> String {
    let mut svg = Svg::new();
    svg.text(&Text::new(20, 34, 20, "Short-descriptor entries, bit by bit").bold());
    svg.text(
        &Text::new(
            20,
            58,
            12,
            "Fields found by probing the kernel's encoders (mm/descriptor.rs); below each layout, the \
             entries swpan writes, field by field (addresses left out).",
        )
        .italic()
        .fill(GREY),
    );
    let mut y = 84;
    for format in formats() {
        y = draw_format(&mut svg, &format, y) + 22;
    }
    y = legend(&mut svg, y);
    svg.finish(WIDTH, y, "Short-descriptor translation table entries, bit by bit", "#ffffff")
}

/// The left edge of `bit`.
fn bit_x(bit: u32) -> i32 {
    BITS_LEFT + (31 - bit as i32) * BIT_WIDTH
}

/// One format from `y`: its title, bit numbers, the field boxes and the entry rows; returns
/// where it ends.
fn draw_format(svg: &mut Svg, format: &Format, y: i32) -> i32 {
    svg.text(&Text::new(20, y + 14, 15, format.title).bold());
    svg.text(&Text::new(20 + 130, y + 14, 12, format.note).italic().fill(GREY));
    let numbers = y + 34;
    for field in &format.fields {
        for bit in [field.high, field.low] {
            svg.text(
                &Text::new(bit_x(bit) + BIT_WIDTH / 2, numbers, 10, &bit.to_string())
                    .anchor(Anchor::Middle)
                    .fill(GREY),
            );
        }
    }
    let top = numbers + 6;
    for field in &format.fields {
        let left = bit_x(field.high);
        let width = (field.high - field.low + 1) as i32 * BIT_WIDTH;
        let fill = field_colour(field);
        svg.rect(left, top, width, ROW_HEIGHT, &format!(r##"fill="{fill}" stroke="#444444""##));
        let size = if width < 2 * BIT_WIDTH && field.name.len() > 2 { 9 } else { 11 };
        svg.text(
            &Text::new(left + width / 2, top + 17, size, field.name).anchor(Anchor::Middle).bold(),
        );
    }
    let mut row = top + ROW_HEIGHT;
    for (what, raw) in &format.entries {
        svg.text(&Text::new(BITS_LEFT - 8, row + 17, 11, what).anchor(Anchor::End));
        for field in &format.fields {
            let left = bit_x(field.high);
            let width = (field.high - field.low + 1) as i32 * BIT_WIDTH;
            svg.rect(left, row, width, ROW_HEIGHT, r##"fill="#ffffff" stroke="#bbbbbb""##);
            let text = if field.name.contains("base address") {
                "address".to_owned()
            } else {
                let bits = (field.high - field.low + 1) as usize;
                format!("{:0bits$b}", field.value(*raw))
            };
            svg.text(
                &Text::new(left + width / 2, row + 17, 11, &text)
                    .monospace()
                    .anchor(Anchor::Middle),
            );
        }
        svg.text(
            &Text::new(bit_x(0) + BIT_WIDTH + 8, row + 17, 11, &format!("{raw:#010x}"))
                .monospace()
                .fill(GREY),
        );
        row += ROW_HEIGHT;
    }
    row
}

/// A field's fill: the permission bits warm, the execute bits red, the domain orange, the
/// memory type blue, the rest grey.
fn field_colour(field: &Field) -> &'static str {
    match field.name {
        "APX" | "AP[1:0]" => "#fdd0a2",
        "XN" | "PXN" => "#fcbba1",
        "domain" => "#fdae6b",
        "TEX" | "C" | "B" => "#c6dbef",
        "S" | "nG" => "#d9f0d3",
        _ if field.fixed.is_some() => "#f0f0f0",
        _ => "#e5e5e5",
    }
}

/// What the field names mean; returns the picture's height.
fn legend(svg: &mut Svg, y: i32) -> i32 {
    const NOTES: [(&str, &str); 8] = [
        (
            "APX, AP[1:0]",
            "access permissions AP[2:0]: who may read and write, in kernel and in user mode",
        ),
        ("XN", "execute never, for every mode (sections and small pages)"),
        (
            "PXN",
            "privileged execute never: in a section, for its MiB; in a page-table pointer \
             (PXNTABLE), for every page of the table",
        ),
        ("domain", "one of 16, in L1 entries only; the DACR decides what each domain allows"),
        (
            "TEX, C, B",
            "memory type: 001 1 1 is Normal write-back write-allocate (WBWA), 000 0 1 Device",
        ),
        ("S", "shareable: coherent between CPUs"),
        ("nG", "not global: the TLB entry is tagged with the ASID (user pages)"),
        (
            "0, 1",
            "bits the encoder always writes so: the entry type (section 1x, table 01, page 1x), and zeros",
        ),
    ];
    for (index, (term, meaning)) in NOTES.iter().enumerate() {
        let baseline = y + 18 * index as i32;
        svg.text(&Text::new(20, baseline, 11, term).bold().fill(GREY));
        svg.text(&Text::new(140, baseline, 11, meaning).fill(GREY));
    }
    y + 18 * NOTES.len() as i32 + 8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout(format: &Format) -> Vec<(String, u32, u32)> {
        format.fields.iter().map(|field| (field.name.to_owned(), field.high, field.low)).collect()
    }

    /// The ARM ARM's layouts (B3.5.1), written out by hand: the probes must find them.
    #[test]
    fn the_probes_find_the_architectural_layouts() {
        let [section, table, page] = formats();
        let named = |fields: &[(&str, u32, u32)]| -> Vec<(String, u32, u32)> {
            fields.iter().map(|&(name, high, low)| (name.to_owned(), high, low)).collect()
        };
        assert_eq!(
            layout(&section),
            named(&[
                ("base address", 31, 20),
                ("0", 19, 18),
                ("nG", 17, 17),
                ("S", 16, 16),
                ("APX", 15, 15),
                ("TEX", 14, 12),
                ("AP[1:0]", 11, 10),
                ("0", 9, 9),
                ("domain", 8, 5),
                ("XN", 4, 4),
                ("C", 3, 3),
                ("B", 2, 2),
                ("1", 1, 1),
                ("PXN", 0, 0),
            ])
        );
        assert_eq!(
            layout(&table),
            named(&[
                ("L2 table base address", 31, 10),
                ("0", 9, 9),
                ("domain", 8, 5),
                ("0", 4, 3),
                ("PXN", 2, 2),
                ("0", 1, 1),
                ("1", 0, 0),
            ])
        );
        assert_eq!(
            layout(&page),
            named(&[
                ("base address", 31, 12),
                ("nG", 11, 11),
                ("S", 10, 10),
                ("APX", 9, 9),
                ("TEX", 8, 6),
                ("AP[1:0]", 5, 4),
                ("C", 3, 3),
                ("B", 2, 2),
                ("1", 1, 1),
                ("XN", 0, 0),
            ])
        );
    }

    #[test]
    fn the_user_table_entry_has_domain_1_and_pxntable() {
        let [_, table, _] = formats();
        let (_, raw) = table.entries[0];
        let value = |name: &str| {
            table.fields.iter().find(|field| field.name == name).map(|field| field.value(raw))
        };
        assert_eq!(value("domain"), Some(1));
        assert_eq!(value("PXN"), Some(1));
    }
}
