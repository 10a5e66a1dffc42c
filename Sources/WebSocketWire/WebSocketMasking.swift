/// Client-to-server masking (RFC 6455 §5.3), eight bytes at a time.
public enum WebSocketMasking {
    /// XORs `bytes` in place with the 4-byte `key`, starting at key offset `keyOffset`
    /// (so a payload can be masked in pieces). Returns the key offset after the last byte.
    @inlinable @discardableResult
    public static func apply(key: UInt32, to bytes: UnsafeMutableRawBufferPointer, keyOffset: Int = 0) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return keyOffset }
        // `key` holds the mask bytes in wire order as they sit in memory (little-endian load of the 4 bytes).
        let rotated = keyOffset & 3 == 0 ? key : (key >> UInt32((keyOffset & 3) * 8)) | (key << UInt32(32 - (keyOffset & 3) * 8))
        let wide = UInt64(rotated) | UInt64(rotated) << 32
        let count = bytes.count
        var i = 0
        while i + 32 <= count {
            base.storeBytes(of: base.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ wide, toByteOffset: i, as: UInt64.self)
            base.storeBytes(of: base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self) ^ wide, toByteOffset: i + 8, as: UInt64.self)
            base.storeBytes(of: base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self) ^ wide, toByteOffset: i + 16, as: UInt64.self)
            base.storeBytes(of: base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self) ^ wide, toByteOffset: i + 24, as: UInt64.self)
            i += 32
        }
        while i + 8 <= count {
            base.storeBytes(of: base.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ wide, toByteOffset: i, as: UInt64.self)
            i += 8
        }
        var shift: UInt64 = 0
        while i < count {
            let maskByte = UInt8(truncatingIfNeeded: wide >> shift)
            base.storeBytes(of: base.load(fromByteOffset: i, as: UInt8.self) ^ maskByte, toByteOffset: i, as: UInt8.self)
            shift += 8
            i += 1
        }
        return (keyOffset + count) & 3
    }
}
