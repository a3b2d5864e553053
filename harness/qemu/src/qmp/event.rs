//! QMP events, kept as raw JSON whatever their name.

use serde_json::Value;

/// One asynchronous event. Unknown names are kept like known ones.
#[derive(Debug, Clone, PartialEq)]
pub struct QmpEvent {
    /// The `event` member, e.g. `STOP`, `SHUTDOWN`, or one this crate has never heard of.
    pub name: String,
    /// The `data` member (`Null` when absent).
    pub data: Value,
    /// `timestamp` as (seconds, microseconds), when present and well-formed.
    pub timestamp: Option<(u64, u64)>,
    /// The whole message.
    pub raw: Value,
}

impl QmpEvent {
    pub(crate) fn from_object(name: String, raw: Value) -> Self {
        let data = raw.get("data").cloned().unwrap_or(Value::Null);
        let timestamp = raw.get("timestamp").and_then(|t| {
            Some((
                t.get("seconds")?.as_u64()?,
                t.get("microseconds")?.as_u64()?,
            ))
        });
        QmpEvent {
            name,
            data,
            timestamp,
            raw,
        }
    }

    /// Decodes `data` as the `qapi` event type `E` if the name matches;
    /// `None` for another event.
    ///
    /// ```no_run
    /// # use ppcr_qemu::QmpEvent;
    /// # let ev: QmpEvent = todo!();
    /// if let Some(Ok(shutdown)) = ev.decode::<qapi::qmp::SHUTDOWN>() {
    ///     println!("guest-initiated: {}", shutdown.guest);
    /// }
    /// ```
    pub fn decode<E: qapi::Event>(&self) -> Option<Result<E, serde_json::Error>> {
        if self.name != E::NAME {
            return None;
        }
        let data = if self.data.is_null() {
            Value::Object(Default::default())
        } else {
            self.data.clone()
        };
        Some(serde_json::from_value(data))
    }
}
