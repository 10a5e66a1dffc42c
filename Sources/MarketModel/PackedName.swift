import Synchronization

/// The storage behind ``Symbol`` and ``VenueID``: a name's bytes held in a few machine words, so
/// that every event carrying a name copies as plain words, with no reference count to retain or
/// release. (With `String` storage, each copy of a `Trade` called the runtime's retain and release
/// for its venue and symbol, and the enums carrying it needed out-of-line copy and destroy
/// functions: about 100 instructions of every normalized trade.)
///
/// Layout of the words, little-endian: the name's ASCII bytes from byte 0, zero after its end, and
/// in the last byte the tag: the byte count (0...capacity), or ``longTag`` for a name that does not
/// fit (longer than the capacity, or not ASCII), whose first four bytes are then its index in
/// ``LongNameTable/shared``. Each text has exactly one packed form, so equal words mean equal names
/// and words can be hashed and compared directly.
@usableFromInline
enum PackedName {
    /// The tag of a name held in ``LongNameTable``.
    @usableFromInline static let longTag: UInt8 = 0xFF

    /// Packs `text` into `words` (all zero on entry; `words.count` bytes, the last one the tag).
    /// Returns `false` only when `text` needs the long-name table and the table is full.
    static func pack(_ text: String, into words: UnsafeMutableRawBufferPointer) -> Bool {
        let capacity = words.count &- 1
        var copy = text
        let isInline = copy.withUTF8 { utf8 -> Bool in
            guard utf8.count <= capacity, utf8.allSatisfy({ $0 < 0x80 }) else { return false }
            if let base = utf8.baseAddress { words.baseAddress!.copyMemory(from: base, byteCount: utf8.count) }
            words[capacity] = UInt8(truncatingIfNeeded: utf8.count)
            return true
        }
        if isInline { return true }
        guard let index = LongNameTable.shared.index(of: text) else { return false }
        words.storeBytes(of: index.littleEndian, as: UInt32.self)
        words[capacity] = longTag
        return true
    }

    /// Runs `body` on the name's UTF-8 bytes (`words` as packed by ``pack(_:into:)``).
    @inlinable @inline(__always)
    static func withUTF8<R>(_ words: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        let tag = words[words.count &- 1]
        guard tag != longTag else { return withLongUTF8(words, body) }
        return body(UnsafeRawBufferPointer(rebasing: words[..<Int(tag)]))
    }

    /// ``withUTF8(_:_:)`` for a name in the long-name table (rare; takes its lock).
    @usableFromInline
    static func withLongUTF8<R>(_ words: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        var text = LongNameTable.shared.name(at: UInt32(littleEndian: words.loadUnaligned(as: UInt32.self)))
        return text.withUTF8 { body(UnsafeRawBufferPointer($0)) }
    }

    /// Up to four words folded into one for hashing: each multiplied by its own odd constant, so
    /// that equal words give equal folds and no word cancels another for plain names. The hasher
    /// (seeded SipHash) still mixes the result.
    @inlinable @inline(__always)
    static func fold(_ w0: UInt64, _ w1: UInt64, _ w2: UInt64, _ w3: UInt64) -> UInt64 {
        w0 &* 0x9E37_79B9_7F4A_7C15 ^ w1 &* 0xC2B2_AE3D_27D4_EB4F ^ w2 &* 0x1656_67B1_9E37_79F9 ^ w3 &* 0xD6E8_FEB8_6659_FD93
    }

    /// The name as a `String` (names of up to 15 bytes need no allocation).
    static func string(_ words: UnsafeRawBufferPointer) -> String {
        withUTF8(words) { String(decoding: $0, as: UTF8.self) }
    }
}

/// The process-wide table of names that do not fit their inline words (a symbol over 31 bytes,
/// say an option on a long-named asset, or a venue id over 15): each distinct text gets one index,
/// kept for the life of the process, which is what keeps equal names equal words. Bounded, so that
/// a stream of distinct long names (a misbehaving client's symbols) cannot grow it without end.
final class LongNameTable: Sendable {
    /// The one table.
    static let shared = LongNameTable(capacity: 1 << 16)

    /// The most names it holds.
    let capacity: Int
    private let state = Mutex<(names: [String], indices: [String: UInt32])>(([], [:]))

    init(capacity: Int) { self.capacity = capacity }

    /// The index of `text`, added if new; `nil` when it is new and the table is full.
    func index(of text: String) -> UInt32? {
        state.withLock { state -> UInt32? in
            if let index = state.indices[text] { return index }
            guard state.names.count < capacity else { return nil }
            let index = UInt32(state.names.count)
            state.names.append(text)
            state.indices[text] = index
            return index
        }
    }

    /// The name at `index` (an index this table returned).
    func name(at index: UInt32) -> String {
        state.withLock { $0.names[Int(index)] }
    }
}
