//! Properties over arbitrary peer input: the pure layers round-trip and
//! never panic or exceed their caps, whatever bytes arrive.

use std::collections::BTreeMap;

use ppcr_gdb::packet::{
    escape_binary, frame, hex_decode, hex_encode, rle_decode, scan, unescape_binary, Frame,
};
use ppcr_gdb::{StopReply, TargetDescription, ThreadId};
use proptest::prelude::*;

proptest! {
    #[test]
    fn escaped_payloads_frame_and_scan_back(data in proptest::collection::vec(any::<u8>(), 0..300)) {
        let payload = escape_binary(&data);
        let mut buf = frame(&payload);
        let f = scan(&mut buf, 1024).unwrap().unwrap();
        prop_assert!(f.checksum_ok());
        prop_assert!(buf.is_empty());
        let Frame::Packet { payload: got, .. } = f else { panic!("not a packet") };
        prop_assert_eq!(unescape_binary(&rle_decode(&got, 1024).unwrap()).unwrap(), data);
    }

    #[test]
    fn hex_round_trips(data in proptest::collection::vec(any::<u8>(), 0..100)) {
        prop_assert_eq!(hex_decode(hex_encode(&data).as_bytes()).unwrap(), data);
    }

    #[test]
    fn scan_never_panics_and_respects_the_cap(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        cap in 1usize..64,
    ) {
        let mut buf = bytes.clone();
        let mut consumed = 0;
        loop {
            let before = buf.len();
            match scan(&mut buf, cap) {
                Ok(Some(Frame::Packet { payload, .. })) | Ok(Some(Frame::Notification(payload))) => {
                    prop_assert!(payload.len() <= cap);
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
            prop_assert!(buf.len() < before, "scan must make progress");
            consumed += before - buf.len();
        }
        prop_assert!(consumed <= bytes.len());
    }

    #[test]
    fn rle_never_exceeds_its_limit(
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        limit in 0usize..300,
    ) {
        if let Ok(out) = rle_decode(&bytes, limit) {
            prop_assert!(out.len() <= limit);
        }
    }

    #[test]
    fn stop_and_thread_parsers_never_panic(text in ".{0,60}", bytes in proptest::collection::vec(any::<u8>(), 0..60)) {
        let _ = StopReply::parse(text.as_bytes());
        let _ = StopReply::parse(&bytes);
        let _ = ThreadId::parse(&text);
    }

    #[test]
    fn target_xml_never_panics(reg in "<reg[ a-z=\"0-9]{0,40}/?>", junk in ".{0,40}") {
        let root = format!("<target><feature name=\"f\">{reg}{junk}</feature></target>");
        let docs: BTreeMap<String, String> = [("target.xml".to_string(), root)].into();
        let _ = TargetDescription::from_documents("target.xml", &docs);
    }
}
