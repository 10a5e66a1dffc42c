/// A growable, reusable byte buffer with manual storage, so the receive path can assemble and inflate
/// messages without reallocating per message (capacity is kept between messages).
public final class WireBuffer {
    /// Start of the storage.
    public private(set) var base: UnsafeMutableRawPointer
    /// Bytes currently held.
    public private(set) var count: Int = 0
    /// Bytes of storage.
    public private(set) var capacity: Int

    /// A buffer with `initialCapacity` bytes of storage.
    public init(initialCapacity: Int = 4096) {
        capacity = max(initialCapacity, 64)
        base = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
    }

    deinit { base.deallocate() }

    /// The bytes held.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Whether no bytes are held.
    public var isEmpty: Bool { count == 0 }

    /// Forgets the content, keeping the storage.
    public func removeAll() { count = 0 }

    /// Makes room for at least `extra` more bytes.
    @inline(__always)
    public func reserve(_ extra: Int) {
        if count + extra > capacity { grow(to: count + extra) }
    }

    private func grow(to needed: Int) {
        var newCapacity = capacity
        while newCapacity < needed { newCapacity &*= 2 }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Appends `bytes`.
    public func append(_ bytes: UnsafeRawBufferPointer) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        reserve(bytes.count)
        (base + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    /// Appends the 4-byte big-endian value (used for the deflate tail 00 00 FF FF).
    public func append(bigEndian value: UInt32) {
        reserve(4)
        (base + count).storeBytes(of: value.bigEndian, as: UInt32.self)
        count += 4
    }

    /// Appends one byte.
    public func append(_ byte: UInt8) {
        reserve(1)
        base.storeBytes(of: byte, toByteOffset: count, as: UInt8.self)
        count += 1
    }

    /// The free space after the content (call `reserve` first), to be filled and then `commit`ted.
    public var spare: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base + count, count: capacity - count)
    }

    /// Marks `n` bytes written into `spare` as content.
    public func commit(_ n: Int) { count += n }

    /// Drops the last `n` bytes.
    public func removeLast(_ n: Int) {
        precondition(n <= count)
        count -= n
    }

    /// Drops the first `n` bytes, moving the rest to the front.
    public func removeFirst(_ n: Int) {
        precondition(n <= count)
        if n < count { base.copyMemory(from: base + n, byteCount: count - n) }
        count -= n
    }

    /// Shrinks storage back to `limit` bytes if a huge message grew it past that (keeps idle memory small).
    public func shrink(ifLargerThan limit: Int) {
        guard capacity > limit, count <= limit else { return }
        let newBase = UnsafeMutableRawPointer.allocate(byteCount: limit, alignment: 16)
        newBase.copyMemory(from: base, byteCount: count)
        base.deallocate()
        base = newBase
        capacity = limit
    }
}

extension WireBuffer {
    /// Keeps only the first `newCount` bytes.
    public func truncate(to newCount: Int) {
        precondition(newCount <= count)
        removeLast(count - newCount)
    }
}
