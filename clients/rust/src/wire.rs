//! Confluent's wire format: magic byte `0`, the schema id as 4 big-endian
//! bytes, for Protobuf the message-index array, then the payload.

use herald_core::protobuf::message_index;

/// The first byte of every framed payload.
pub const MAGIC_BYTE: u8 = 0;

/// Why bytes are not a framed payload.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// The first byte is not [`MAGIC_BYTE`].
    #[error("unknown magic byte {0:#04x}: not Confluent wire format")]
    WrongMagicByte(u8),
    /// Fewer than the 5 header bytes.
    #[error("{0} bytes are too short for the 5-byte wire-format header")]
    TooShort(usize),
    /// The Protobuf message indexes are cut off or malformed.
    #[error("bad Protobuf message indexes: {0}")]
    MessageIndexes(String),
}

/// A payload with its schema id (and, for Protobuf, message indexes).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Framed<'a> {
    /// The registry schema id.
    pub schema_id: u32,
    /// Protobuf message indexes (`[0]` is the first top-level message).
    pub message_indexes: Option<Vec<i32>>,
    /// The encoded value.
    pub payload: &'a [u8],
}

/// Frames `payload` written with schema `schema_id`; `message_indexes`
/// only for Protobuf.
pub fn encode(schema_id: u32, message_indexes: Option<&[i32]>, payload: &[u8]) -> Vec<u8> {
    let indexes = message_indexes
        .map(message_index::encode)
        .unwrap_or_default();
    let mut out = Vec::with_capacity(5 + indexes.len() + payload.len());
    out.push(MAGIC_BYTE);
    out.extend_from_slice(&schema_id.to_be_bytes());
    out.extend_from_slice(&indexes);
    out.extend_from_slice(payload);
    out
}

/// Reads the header of `bytes`; `protobuf` says whether message indexes follow it.
pub fn decode(bytes: &[u8], protobuf: bool) -> Result<Framed<'_>, WireError> {
    let (&magic, rest) = bytes.split_first().ok_or(WireError::TooShort(0))?;
    if magic != MAGIC_BYTE {
        return Err(WireError::WrongMagicByte(magic));
    }
    let Some((id, rest)) = rest.split_first_chunk::<4>() else {
        return Err(WireError::TooShort(bytes.len()));
    };
    let schema_id = u32::from_be_bytes(*id);
    if !protobuf {
        return Ok(Framed {
            schema_id,
            message_indexes: None,
            payload: rest,
        });
    }
    let (indexes, used) =
        message_index::decode(rest).map_err(|e| WireError::MessageIndexes(e.to_string()))?;
    Ok(Framed {
        schema_id,
        message_indexes: Some(indexes),
        payload: &rest[used..],
    })
}

/// The schema id of a framed payload, without decoding the rest.
pub fn schema_id(bytes: &[u8]) -> Result<u32, WireError> {
    decode(bytes, false).map(|framed| framed.schema_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_built_frames_decode() {
        // id 258 = 0x00000102, Avro: header then payload.
        let bytes = [0, 0, 0, 1, 2, 0xAA, 0xBB];
        let framed = decode(&bytes, false).expect("decodes");
        assert_eq!((framed.schema_id, framed.payload), (258, &[0xAA, 0xBB][..]));
        // Protobuf, first message: the single index byte 0 after the header.
        let bytes = [0, 0, 0, 0, 7, 0, 0x08, 0x01];
        let framed = decode(&bytes, true).expect("decodes");
        assert_eq!(framed.message_indexes, Some(vec![0]));
        assert_eq!(framed.payload, &[0x08, 0x01][..]);
        // Protobuf, path [1, 2]: count 2, then 1 and 2, zig-zag encoded.
        let bytes = [0, 0, 0, 0, 7, 4, 2, 4, 0x08];
        assert_eq!(
            decode(&bytes, true).expect("decodes").message_indexes,
            Some(vec![1, 2])
        );
    }

    #[test]
    fn encode_writes_the_same_frames() {
        assert_eq!(encode(258, None, &[0xAA]), vec![0, 0, 0, 1, 2, 0xAA]);
        assert_eq!(encode(7, Some(&[0]), &[8, 1]), vec![0, 0, 0, 0, 7, 0, 8, 1]);
        assert_eq!(
            encode(7, Some(&[1, 2]), &[8]),
            vec![0, 0, 0, 0, 7, 4, 2, 4, 8]
        );
    }

    #[test]
    fn bad_frames_are_typed_errors() {
        assert_eq!(
            decode(&[1, 0, 0, 0, 1], false),
            Err(WireError::WrongMagicByte(1))
        );
        assert_eq!(decode(&[0, 0, 1], false), Err(WireError::TooShort(3)));
        assert_eq!(decode(&[], false), Err(WireError::TooShort(0)));
        assert!(matches!(
            decode(&[0, 0, 0, 0, 1, 6], true),
            Err(WireError::MessageIndexes(_))
        ));
    }
}
