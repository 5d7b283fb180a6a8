//! JSON record lines: parse, serialise, parse again gives the same item, and the
//! binary encoding of the item decodes to it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ostracon::record::{skim_json_line, RecordItem};

fuzz_target!(|data: &[u8]| {
    let Ok(line) = std::str::from_utf8(data) else {
        return;
    };
    let _ = skim_json_line(line);
    if let Ok(item) = RecordItem::from_json_line(line) {
        let again = RecordItem::from_json_line(&item.to_json_line().expect("items serialise"))
            .expect("serialised items parse");
        assert_eq!(again, item);
        let payload = item.payload();
        if let Ok(decoded) = RecordItem::from_payload(item.tag(), &payload) {
            assert_eq!(decoded.payload(), payload);
        }
    }
});
