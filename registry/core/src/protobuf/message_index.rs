//! Confluent's protobuf wire format puts, between the schema id and the
//! payload, the path of indexes that names the message type within the
//! schema: a zig-zag varint count, then each index as a zig-zag varint.
//! The common path `[0]` (the first message) is the single byte `0x00`.

use prost_reflect::{FileDescriptor, MessageDescriptor};

/// The bytes could not be read as message indexes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageIndexError {
    /// The bytes ended inside a varint or before every index.
    #[error("message indexes are truncated")]
    Truncated,
    /// A varint longer than 10 bytes, or a negative count.
    #[error("message indexes are malformed")]
    Malformed,
}

/// Encodes a path of message indexes.
pub fn encode(indexes: &[i32]) -> Vec<u8> {
    if indexes == [0] {
        return vec![0];
    }
    let mut out = Vec::with_capacity(indexes.len() + 1);
    write_zigzag(&mut out, i64::try_from(indexes.len()).unwrap_or(i64::MAX));
    for &index in indexes {
        write_zigzag(&mut out, i64::from(index));
    }
    out
}

/// Decodes message indexes at the start of `bytes`; returns them and how
/// many bytes they took.
pub fn decode(bytes: &[u8]) -> Result<(Vec<i32>, usize), MessageIndexError> {
    let mut position = 0;
    let count = read_zigzag(bytes, &mut position)?;
    if count == 0 {
        return Ok((vec![0], position));
    }
    let count = usize::try_from(count).map_err(|_| MessageIndexError::Malformed)?;
    if count > bytes.len() - position {
        return Err(MessageIndexError::Truncated);
    }
    let mut indexes = Vec::with_capacity(count);
    for _ in 0..count {
        let index = read_zigzag(bytes, &mut position)?;
        indexes.push(i32::try_from(index).map_err(|_| MessageIndexError::Malformed)?);
    }
    Ok((indexes, position))
}

/// The index path of the message `full_name` in `file` (map entries do not
/// count, as in Confluent's serializers), or `None` if it is not there.
pub fn path_of(file: &FileDescriptor, full_name: &str) -> Option<Vec<i32>> {
    fn search(messages: Vec<MessageDescriptor>, full_name: &str, path: &mut Vec<i32>) -> bool {
        for (index, message) in messages
            .into_iter()
            .filter(|m| !m.is_map_entry())
            .enumerate()
        {
            path.push(i32::try_from(index).unwrap_or(i32::MAX));
            if message.full_name() == full_name
                || search(message.child_messages().collect(), full_name, path)
            {
                return true;
            }
            path.pop();
        }
        false
    }
    let mut path = Vec::new();
    search(file.messages().collect(), full_name, &mut path).then_some(path)
}

fn write_zigzag(out: &mut Vec<u8>, value: i64) {
    let mut encoded = ((value << 1) ^ (value >> 63)) as u64;
    while encoded >= 0x80 {
        out.push((encoded as u8 & 0x7f) | 0x80);
        encoded >>= 7;
    }
    out.push(encoded as u8);
}

fn read_zigzag(bytes: &[u8], position: &mut usize) -> Result<i64, MessageIndexError> {
    let mut value: u64 = 0;
    for shift in (0..70).step_by(7) {
        let byte = *bytes.get(*position).ok_or(MessageIndexError::Truncated)?;
        *position += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Ok(((value >> 1) as i64) ^ -((value & 1) as i64));
        }
    }
    Err(MessageIndexError::Malformed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_byte_strings() {
        // [0] is the single byte 0; [1] is count 1 (0x02) then 1 (0x02).
        assert_eq!(encode(&[0]), vec![0x00]);
        assert_eq!(encode(&[1]), vec![0x02, 0x02]);
        assert_eq!(encode(&[0, 2]), vec![0x04, 0x00, 0x04]);
        assert_eq!(encode(&[64]), vec![0x02, 0x80, 0x01]);
        assert_eq!(decode(&[0x00, 0xAA]), Ok((vec![0], 1)));
        assert_eq!(decode(&[0x02, 0x02]), Ok((vec![1], 2)));
        assert_eq!(decode(&[0x04, 0x00, 0x04, 0xFF]), Ok((vec![0, 2], 3)));
        assert_eq!(decode(&[0x02, 0x80, 0x01]), Ok((vec![64], 3)));
    }

    #[test]
    fn round_trips() {
        for path in [vec![0], vec![3], vec![1, 0, 7], vec![1000, 2, 0]] {
            let bytes = encode(&path);
            assert_eq!(decode(&bytes), Ok((path.clone(), bytes.len())), "{path:?}");
        }
    }

    #[test]
    fn bad_bytes_are_typed_errors() {
        assert_eq!(decode(&[]), Err(MessageIndexError::Truncated));
        assert_eq!(decode(&[0x04, 0x02]), Err(MessageIndexError::Truncated));
        assert_eq!(decode(&[0x80]), Err(MessageIndexError::Truncated));
        assert_eq!(decode(&[0x03]), Err(MessageIndexError::Malformed));
        assert_eq!(decode(&[0xFF; 11]), Err(MessageIndexError::Malformed));
    }
}
