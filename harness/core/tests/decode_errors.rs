//! One test per decoder check: corrupt exactly one thing of a valid image
//! and assert the exact error (rust-vmm/linux-loader and Firecracker style).

mod common;

use common::corrupt::*;
use ppcr_core::format::*;

fn valid() -> Vec<u8> {
    // power10 ppc64le with FPR, VMX, VSX, DAWR: frames at known places.
    common::seeds()[0].encode().unwrap()
}

fn booke() -> Vec<u8> {
    common::seeds()[3].encode().unwrap()
}

fn decode(b: &[u8]) -> DecodeError {
    Image::decode(b).unwrap_err()
}

#[test]
fn too_short() {
    assert!(matches!(
        decode(&valid()[..100]),
        DecodeError::TooShort { len: 100, .. }
    ));
    assert!(matches!(decode(&[]), DecodeError::TooShort { len: 0, .. }));
}

#[test]
fn bad_magic() {
    let mut b = valid();
    b[0] = b'X';
    assert!(matches!(decode(&b), DecodeError::BadMagic { .. }));
    assert!(decode(&b).to_string().contains("not a ppcr image"));
}

#[test]
fn newer_major_is_refused_by_name() {
    let mut b = valid();
    put_u16(&mut b, 8, 2);
    put_u16(&mut b, 10, 3);
    reseal(&mut b);
    let e = decode(&b);
    assert_eq!(
        e.to_string(),
        "image format 2.3 is not readable by this reader (format 1.0); a newer ppcr wrote it"
    );
}

#[test]
fn forged_total_length() {
    let mut b = valid();
    put_u64(&mut b, 16, u64::MAX);
    assert!(matches!(decode(&b), DecodeError::TooLarge { .. }));
    let mut b = valid();
    let len = b.len() as u64;
    put_u64(&mut b, 16, len + 8);
    assert!(
        matches!(decode(&b), DecodeError::TruncatedFile { declared, actual } if declared == len + 8 && actual == len)
    );
}

#[test]
fn truncated_file() {
    let b = valid();
    let e = decode(&b[..b.len() - 1]);
    assert!(matches!(e, DecodeError::TruncatedFile { .. }), "{e}");
    assert!(e.to_string().starts_with("image truncated"));
}

#[test]
fn trailing_bytes() {
    let mut b = valid();
    b.extend_from_slice(&[0; 3]);
    assert!(matches!(
        decode(&b),
        DecodeError::TrailingBytes { extra: 3, .. }
    ));
}

#[test]
fn checksum_mismatch() {
    let mut b = valid();
    let at = b.len() / 2;
    b[at] ^= 0x10;
    assert!(matches!(decode(&b), DecodeError::ChecksumMismatch { .. }));
}

#[test]
fn unknown_flavour() {
    let mut b = valid();
    b[24] = 9;
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::UnknownFlavour {
            value: 9,
            offset: 24
        }
    ));
}

#[test]
fn abi_must_fit_flavour() {
    let mut b = valid();
    b[25] = 1; // ELFv1 on ppc64le
    reseal(&mut b);
    assert!(matches!(decode(&b), DecodeError::AbiFlavourMismatch { .. }));
    b[25] = 7;
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::UnknownAbi { value: 7, .. }
    ));
}

#[test]
fn unknown_cpu_flags_and_facilities() {
    let mut b = valid();
    b[26] |= 0x80;
    reseal(&mut b);
    assert!(matches!(decode(&b), DecodeError::UnknownCpuFlags { .. }));
    let mut b = valid();
    put_u32(&mut b, 48, 1 << 20);
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::UnknownFacilities {
            value: 0x10_0000,
            offset: 48
        }
    ));
}

#[test]
fn reserved_bytes_must_be_zero() {
    let mut b = valid();
    b[27] = 1;
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::NonZeroReserved {
            offset: 27,
            value: 1,
            ..
        }
    ));
}

#[test]
fn bad_model_string() {
    let mut b = valid();
    b[56] = b' ';
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::BadString {
            field: "source model",
            offset: 56,
            ..
        }
    ));
}

#[test]
fn header_length_mismatch() {
    let mut b = valid();
    let h = get_u32(&b, 12);
    put_u32(&mut b, 12, h + 8);
    reseal(&mut b);
    assert!(matches!(decode(&b), DecodeError::BadHeaderLength { .. }));
}

#[test]
fn main_record_is_required() {
    let mut b = valid();
    let m = mask_offset(&b);
    b[m] &= !1;
    reseal(&mut b);
    assert!(matches!(decode(&b), DecodeError::MissingMainRecord { .. }));
}

#[test]
fn unknown_record_bit_is_refused_by_name() {
    let mut b = valid();
    let m = mask_offset(&b);
    b[m + 5] |= 0x02; // bit 41
    reseal(&mut b);
    assert_eq!(
        decode(&b).to_string(),
        "record bit 41 unknown to this reader (format 1.0; image is format 1.0)"
    );
}

#[test]
fn record_out_of_order() {
    let mut b = valid();
    let (f, _) = frames(&b);
    put_u16(&mut b, f[1], 3); // FPR frame claims to be VSX
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::RecordOutOfOrder {
            expected: RecordKind::Fpr,
            found: 3,
            ..
        }
    ));
}

#[test]
fn bad_record_length() {
    let mut b = valid();
    let (f, _) = frames(&b);
    put_u32(&mut b, f[2] + 4, 543); // VMX
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::BadRecordLength {
            record: RecordKind::Vmx,
            expected: 544,
            found: 543,
            ..
        }
    ));
}

#[test]
fn forged_record_length_is_truncation_not_allocation() {
    let mut b = valid();
    let (f, _) = frames(&b);
    let dawr = *f.last().unwrap();
    put_u32(&mut b, dawr + 4, u32::MAX);
    reseal(&mut b);
    let e = decode(&b);
    assert!(
        matches!(
            e,
            DecodeError::Truncated {
                what: "record payload",
                needed: 0xffff_ffff,
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn bad_dawr_count() {
    let mut b = valid();
    let (f, _) = frames(&b);
    let dawr = *f.last().unwrap();
    put_u32(&mut b, dawr + 8, 3);
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::BadDawrCount {
            count: 3,
            max: 2,
            ..
        }
    ));
}

#[test]
fn bad_booke_mask() {
    let mut b = booke();
    let (f, _) = frames(&b);
    let rec = *f.last().unwrap();
    b[rec + 8 + 88] = 0x10; // IAC5
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::BadDebugMask {
            field: "IAC",
            value: 0x10,
            max: 4,
            ..
        }
    ));
}

#[test]
fn vmx_quadword_padding_must_be_zero() {
    let mut b = valid();
    let (f, _) = frames(&b);
    b[f[2] + 8 + 512 + 4] = 1; // VSCR quadword upper bytes
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::NonZeroReserved {
            what: "VSCR quadword upper bytes",
            ..
        }
    ));
}

#[test]
fn too_many_segments() {
    let mut b = valid();
    let (_, seg) = frames(&b);
    put_u32(&mut b, seg, u32::MAX);
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::TooManySegments {
            count: 0xffff_ffff,
            ..
        }
    ));
}

#[test]
fn segment_length_forged() {
    let mut b = valid();
    let (_, seg) = frames(&b);
    put_u64(&mut b, seg + 16, 1 << 40);
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::Truncated {
            what: "segment data",
            ..
        }
    ));
    put_u64(&mut b, seg + 8, u64::MAX);
    put_u64(&mut b, seg + 16, 16);
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::SegmentOverflow { index: 0, .. }
    ));
}

#[test]
fn segment_flags_and_order() {
    let mut b = valid();
    let (_, seg) = frames(&b);
    put_u32(&mut b, seg + 8 + 16, 8);
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::BadSegmentFlags {
            index: 0,
            value: 8,
            ..
        }
    ));

    let mut image = common::seeds()[0].clone();
    image.segments.swap(0, 1);
    assert!(image.encode().is_err(), "unsorted segments must not encode");
    let mut b = common::seeds()[0].encode().unwrap();
    let (_, seg) = frames(&b);
    put_u64(&mut b, seg + 8, 0x60_0000 + 0x10_0000); // first segment moved past the second
    reseal(&mut b);
    assert!(matches!(
        decode(&b),
        DecodeError::SegmentOrder { index: 1, .. }
    ));
}

#[test]
fn ppc32_values_must_fit() {
    let mut image = common::seeds()[2].clone();
    image.cpu.main.gpr[5] = 1 << 32;
    assert_eq!(
        image.encode().unwrap_err().to_string(),
        "r5 = 0x100000000 does not fit a 32-bit slot of a ppc32 image"
    );
}

#[test]
fn verify_agrees_with_decode() {
    let good = valid();
    assert_eq!(Image::verify(&good), Ok(()));
    let mut bad = valid();
    let (_, seg) = frames(&bad);
    put_u32(&mut bad, seg + 8 + 16, 8);
    reseal(&mut bad);
    assert_eq!(Image::verify(&bad).unwrap_err(), decode(&bad));
}
