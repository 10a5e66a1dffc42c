/// The bounded buffer of encoded publishes that could not be written yet (disconnected, or the
/// socket is not writable). Bounded in bytes; when a new frame does not fit:
///
/// 1. the **oldest droppable** frames (market data) are dropped until it fits;
/// 2. if only non-droppable frames (status events, order replies) are left, a new droppable
///    frame is dropped instead, and a new non-droppable one is **rejected** (the caller is told).
///
/// Every drop is counted per key (the publisher uses the venue), so it can be reported; nothing
/// disappears silently.
struct NATSPendingQueue {
    struct Frame {
        var bytes: [UInt8]
        var isDroppable: Bool
        var key: String?
        var isDead = false
    }

    /// The result of ``enqueue(_:isDroppable:key:)``.
    enum EnqueueResult: Equatable {
        /// Queued; `droppedOlder` older frames made room.
        case queued(droppedOlder: Int)
        /// The new frame itself was dropped (the buffer is full of non-droppable frames).
        case droppedNew
        /// A non-droppable frame that does not fit.
        case rejected
    }

    let limit: Int
    private var frames: [Frame] = []
    private var head = 0
    private var dropCursor = 0
    /// Live bytes queued.
    private(set) var byteCount = 0
    /// Live frames queued.
    private(set) var count = 0
    /// Frames dropped since the last ``takeDrops()``, per key (`""` for frames without a key).
    private var drops: [String: Int] = [:]
    /// All frames dropped by the policy.
    private(set) var droppedTotal: UInt64 = 0
    /// All bytes dropped by the policy.
    private(set) var droppedBytesTotal: UInt64 = 0
    /// Non-droppable frames refused.
    private(set) var rejectedTotal: UInt64 = 0
    /// Highest ``byteCount`` seen.
    private(set) var highWater = 0

    init(limit: Int) { self.limit = limit }

    var isEmpty: Bool { count == 0 }

    mutating func enqueue(_ bytes: [UInt8], isDroppable: Bool, key: String?) -> EnqueueResult {
        var dropped = 0
        while byteCount + bytes.count > limit, let victim = oldestDroppable() {
            drop(at: victim)
            dropped += 1
        }
        guard byteCount + bytes.count <= limit else {
            if isDroppable {
                record(drop: key, bytes: bytes.count)
                return .droppedNew
            }
            rejectedTotal += 1
            return .rejected
        }
        frames.append(Frame(bytes: bytes, isDroppable: isDroppable, key: key))
        byteCount += bytes.count
        count += 1
        highWater = max(highWater, byteCount)
        return .queued(droppedOlder: dropped)
    }

    /// Appends whole frames, oldest first, to `out` while `out` stays under `maxBytes` (at
    /// least one frame is taken); returns how many were taken.
    mutating func dequeue(into out: inout [UInt8], maxBytes: Int) -> Int {
        var taken = 0
        while head < frames.count {
            let frame = frames[head]
            if !frame.isDead {
                if taken > 0 && out.count + frame.bytes.count > maxBytes { break }
                out.append(contentsOf: frame.bytes)
                byteCount -= frame.bytes.count
                count -= 1
                taken += 1
            }
            frames[head] = Frame(bytes: [], isDroppable: false, key: nil, isDead: true)
            head += 1
        }
        compact()
        return taken
    }

    /// The drops since the last call, per key.
    mutating func takeDrops() -> [String: Int] {
        defer { drops = [:] }
        return drops
    }

    /// Whether drops are waiting to be reported.
    var hasUnreportedDrops: Bool { !drops.isEmpty }

    /// Frames before `dropCursor` are never droppable (dead, or non-droppable for good), so
    /// the cursor only moves forward: amortised O(1) per drop.
    private mutating func oldestDroppable() -> Int? {
        if dropCursor < head { dropCursor = head }
        while dropCursor < frames.count {
            if !frames[dropCursor].isDead && frames[dropCursor].isDroppable { return dropCursor }
            dropCursor += 1
        }
        return nil
    }

    private mutating func drop(at index: Int) {
        let frame = frames[index]
        record(drop: frame.key, bytes: frame.bytes.count)
        byteCount -= frame.bytes.count
        count -= 1
        frames[index] = Frame(bytes: [], isDroppable: false, key: nil, isDead: true)
    }

    private mutating func record(drop key: String?, bytes: Int) {
        drops[key ?? "", default: 0] += 1
        droppedTotal += 1
        droppedBytesTotal += UInt64(bytes)
    }

    private mutating func compact() {
        if head == frames.count {
            frames.removeAll(keepingCapacity: frames.count < 4096)
            head = 0
            dropCursor = 0
        } else if head > 1024 && head * 2 > frames.count {
            frames.removeFirst(head)
            dropCursor = max(0, dropCursor - head)
            head = 0
        }
    }
}
