//! Binary record frames: every item decoder, round trip of the payload.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon::record::RecordItem;
use ostracon_fuzz::round_trip;

fuzz_target!(|data: &[u8]| {
    let Some((&tag, payload)) = data.split_first() else {
        return;
    };
    let tag = tag % 9;
    if let Some(item) = round_trip(
        payload,
        |p| RecordItem::from_payload(tag, p),
        RecordItem::payload,
    ) {
        assert_eq!(item.tag(), tag);
        // The same item through JSON comes back equal.
        let line = item.to_json_line().expect("items serialise");
        assert_eq!(RecordItem::from_json_line(&line).ok(), Some(item));
    }
});
