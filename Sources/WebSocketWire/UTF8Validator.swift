/// Incremental UTF-8 validation (Unicode §3.9, Table 3-7) that can be fed a message in pieces and
/// fails on the first byte that cannot start or continue a well-formed sequence, so a fragmented
/// text message with bad UTF-8 is refused as soon as the bad fragment arrives (RFC 6455 §8.1).
public struct UTF8Validator: Sendable {
    /// Continuation bytes still expected for the current code point.
    @usableFromInline var pending: UInt8 = 0
    /// Allowed range of the next continuation byte (narrowed after E0, ED, F0, F4 leads).
    @usableFromInline var low: UInt8 = 0x80
    @usableFromInline var high: UInt8 = 0xBF

    /// A validator at a code point boundary.
    public init() {}

    /// Whether the bytes so far end on a code point boundary (a complete message must).
    @inlinable public var isAtBoundary: Bool { pending == 0 }

    /// Resets to a code point boundary.
    @inlinable public mutating func reset() { pending = 0; low = 0x80; high = 0xBF }

    /// Feeds `bytes`; returns `false` as soon as they cannot be part of valid UTF-8.
    @inlinable public mutating func validate(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let count = bytes.count
        var i = 0
        while i < count {
            if pending == 0 {
                // Fast path: market data is ASCII. Check 32 bytes per step, then 16, with unaligned words.
                while i + 32 <= count {
                    let a = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let b = base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                    let c = base.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self)
                    let d = base.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self)
                    if (a | b | c | d) & 0x8080_8080_8080_8080 != 0 { break }
                    i += 32
                }
                while i + 16 <= count {
                    let a = base.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    let b = base.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self)
                    if (a | b) & 0x8080_8080_8080_8080 != 0 { break }
                    i += 16
                }
                while i < count && base.load(fromByteOffset: i, as: UInt8.self) < 0x80 { i += 1 }
                if i == count { return true }
                let lead = base.load(fromByteOffset: i, as: UInt8.self)
                i += 1
                switch lead {
                case 0xC2...0xDF: pending = 1; low = 0x80; high = 0xBF
                case 0xE0: pending = 2; low = 0xA0; high = 0xBF
                case 0xE1...0xEC, 0xEE...0xEF: pending = 2; low = 0x80; high = 0xBF
                case 0xED: pending = 2; low = 0x80; high = 0x9F
                case 0xF0: pending = 3; low = 0x90; high = 0xBF
                case 0xF1...0xF3: pending = 3; low = 0x80; high = 0xBF
                case 0xF4: pending = 3; low = 0x80; high = 0x8F
                default: return false
                }
            } else {
                let byte = base.load(fromByteOffset: i, as: UInt8.self)
                guard byte >= low && byte <= high else { return false }
                pending -= 1
                low = 0x80; high = 0xBF
                i += 1
            }
        }
        return true
    }

    /// Validates a complete byte sequence in one call.
    @inlinable public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var validator = UTF8Validator()
        return validator.validate(bytes) && validator.isAtBoundary
    }
}
