import MarketModel
import Sessions
import Testing
@testable import NATS

@Suite("NATSPendingQueue")
struct NATSPendingQueueTests {
    @Test("random enqueue/dequeue: bound holds, order is kept, every frame is delivered or counted as dropped")
    func randomized() {
        var random = SplitMix64(seed: 7)
        var queue = NATSPendingQueue(limit: 4096)
        var enqueued: [UInt32] = []      // ids accepted, in order
        var delivered: [UInt32] = []
        var droppedNew = 0
        var nextID: UInt32 = 0
        for _ in 0..<20_000 {
            if random.next() % 20 != 0 {
                let size = Int(random.next() % 200) + 4
                // [total length: 2 bytes][id: 4 bytes][padding]
                var frame = withUnsafeBytes(of: UInt16(6 + size).littleEndian) { Array($0) }
                frame += withUnsafeBytes(of: nextID.littleEndian) { Array($0) }
                frame += [UInt8](repeating: 0, count: size)
                let droppable = random.next() % 10 != 0
                switch queue.enqueue(frame, isDroppable: droppable, key: droppable ? "md" : "status") {
                case .queued: enqueued.append(nextID)
                case .droppedNew: droppedNew += 1
                case .rejected: break
                }
                nextID += 1
            } else {
                var out: [UInt8] = []
                _ = queue.dequeue(into: &out, maxBytes: Int(random.next() % 1024))
                delivered += Self.ids(in: out)
            }
            #expect(queue.byteCount <= 4096)
        }
        var rest: [UInt8] = []
        _ = queue.dequeue(into: &rest, maxBytes: .max)
        delivered += Self.ids(in: rest)
        // Delivered frames are a subsequence of the accepted ones (order kept), and the
        // difference is exactly what the queue counted as dropped after accepting.
        #expect(delivered.count == enqueued.count - droppedAfterAcceptCount(queue, droppedNew))
        #expect(zip(delivered, delivered.dropFirst()).allSatisfy { $0 < $1 }, "delivery order must be publish order")
        #expect(Set(delivered).isSubset(of: Set(enqueued)))
        #expect(queue.isEmpty && queue.byteCount == 0)
        #expect(queue.droppedTotal > 0 && droppedNew > 0)   // the policy was exercised
    }

    private func droppedAfterAcceptCount(_ queue: NATSPendingQueue, _ droppedNew: Int) -> Int {
        Int(queue.droppedTotal) - droppedNew
    }

    /// Splits concatenated frames by their length prefix and reads their ids.
    static func ids(in bytes: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        var i = 0
        while i + 6 <= bytes.count {
            let length = Int(bytes[i]) | Int(bytes[i + 1]) << 8
            out.append(UInt32(bytes[i + 2]) | UInt32(bytes[i + 3]) << 8 | UInt32(bytes[i + 4]) << 16 | UInt32(bytes[i + 5]) << 24)
            i += length
        }
        return out
    }
}
