@testable import Fanout
import MarketModel
import NIOCore
import Testing

/// The slow-consumer policy, driven by explicit pushes and drains (no sockets, no time).
@Suite("SubscriberQueue: bounded queue, conflation, notices, disconnect")
struct SubscriberQueueTests {
    /// A queue plus the hub's book cache, fed the way the hub feeds them.
    struct Harness {
        var queue: SubscriberQueue
        var books = BookCache()
        var scratch: [UInt8] = []

        init(_ configuration: SubscriberQueue.Configuration) {
            queue = SubscriberQueue(configuration: configuration)
        }

        @discardableResult
        mutating func push(_ event: MarketEvent) -> SubscriberQueue.PushOutcome {
            books.observe(event)
            var bytes: [UInt8] = []
            NDJSONEncoder().encode(event, into: &bytes)
            var book: (key: BookKey, isSnapshot: Bool)?
            if case .book(let update) = event { book = (BookKey(update), update.isSnapshot) }
            return queue.push(EncodedLine(bytes), book: book)
        }

        mutating func drain(maxBytes: Int = 1 << 20) -> (lines: [String], outcome: SubscriberQueue.DrainOutcome) {
            var buffer = ByteBufferAllocator().buffer(capacity: 256)
            let outcome = queue.drain(into: &buffer, maxBytes: maxBytes, books: books, scratch: &scratch)
            return (TextLines.split(buffer.readString(length: buffer.readableBytes) ?? ""), outcome)
        }
    }

    static let small = SubscriberQueue.Configuration(highWaterMark: 3, highWaterBytes: 1 << 20, capacity: 6, maxBytes: 1 << 20)

    @Test("seq starts at 1 and counts event lines only; replies carry none")
    func sequence() {
        var h = Harness(.init())
        h.push(Fixtures.trade(id: 1))
        _ = h.queue.pushReply(EncodedLine(Array(#"{"type":"ack","id":"1"}"#.utf8) + [0x0A]))
        h.push(Fixtures.trade(id: 2))
        let (lines, outcome) = h.drain()
        #expect(outcome == .idle)
        #expect(lines.map(TextLines.seq) == [1, nil, 2])
        #expect(lines[0] == #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"50000.1","size":"0.002","side":"buy","trade_id":"1","ts_exchange":1700000000000000000,"ts_recv":1700000000000123456,"seq":1}"#)
        #expect(lines[1] == #"{"type":"ack","id":"1"}"#)
        h.push(Fixtures.trade(id: 3))
        #expect(h.drain().lines.map(TextLines.seq) == [3])
    }

    @Test("passing the high-water mark puts a stale notice in front of the queue")
    func highWaterNotice() {
        var h = Harness(Self.small)
        for id in 1 ... 3 { #expect(h.push(Fixtures.trade(id: id)) == .queued) }
        #expect(h.queue.isLagging)
        let (lines, _) = h.drain()
        #expect(lines.count == 5)
        #expect(lines[0] == #"{"type":"status","venue":"*","state":"stale","reason":"slow consumer: 3 events queued; book updates are conflated and re-snapshotted when you catch up; disconnect at 6 events or 1048576 bytes queued","seq":1}"#)
        #expect(lines[1 ... 3].map { TextLines.string($0, "trade_id") } == ["1", "2", "3"])
        #expect(lines[1 ... 3].map(TextLines.seq) == [2, 3, 4])
        #expect(lines[4] == #"{"type":"status","venue":"*","state":"live","reason":"slow consumer: caught up; 0 book snapshot(s) follow","seq":5}"#)
        #expect(!h.queue.isLagging)
    }

    @Test("while lagging, book lines are conflated; on catch-up one snapshot of the current book replaces them")
    func conflationAndResnapshot() {
        var h = Harness(Self.small)
        h.push(Fixtures.book(snapshot: true, bids: [("100", "1")], asks: [("101", "1")]))
        #expect(h.drain().lines.count == 1)  // in sync
        h.push(Fixtures.book(snapshot: false, bids: [("100", "2")]))  // queued, then purged when lagging starts
        h.push(Fixtures.trade(id: 1))
        h.push(Fixtures.trade(id: 2))
        #expect(h.push(Fixtures.trade(id: 3)) == .queued)
        #expect(h.queue.isLagging)
        #expect(h.queue.queuedEvents == 3)  // the book delta was dropped from the queue
        for size in ["3", "4", "5"] {
            #expect(h.push(Fixtures.book(snapshot: false, bids: [("100", size)], asks: [("102", "1")])) == .conflated)
        }
        #expect(h.push(Fixtures.book(snapshot: false, asks: [("101", "0")])) == .conflated)
        #expect(h.queue.statistics.conflatedUpdates == 5)
        let (lines, outcome) = h.drain()
        #expect(outcome == .idle)
        #expect(lines.map { TextLines.string($0, "type") } == ["status", "trade", "trade", "trade", "status", "book"])
        #expect(TextLines.string(lines[4], "state") == "live")
        #expect(lines[5] == #"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":true,"bids":[["100","5"]],"asks":[["102","1"]],"ts_exchange":1,"ts_recv":2,"seq":7}"#)
        #expect(lines.map(TextLines.seq) == [2, 3, 4, 5, 6, 7])
        // Back in sync: deltas flow again.
        h.push(Fixtures.book(snapshot: false, bids: [("99", "1")]))
        #expect(h.drain().lines.map { TextLines.object($0)["snapshot"] } == [.bool(false)])
    }

    @Test("trades are never dropped silently: at capacity the subscriber is told and disconnected")
    func overflowDisconnects() {
        var h = Harness(Self.small)
        for id in 1 ... 6 { #expect(h.push(Fixtures.trade(id: id)) == .queued) }
        #expect(h.push(Fixtures.trade(id: 7)) == .overflowed)
        #expect(h.queue.isClosing && h.queue.queuedEvents == 0 && h.queue.queuedBytes == 0)
        #expect(h.push(Fixtures.trade(id: 8)) == .ignored)
        #expect(h.queue.statistics.peakQueuedEvents == 6)
        #expect(h.queue.statistics.overflowed)
        let (lines, outcome) = h.drain()
        #expect(outcome == .finished)
        #expect(lines.count == 2)
        #expect(TextLines.string(lines[0], "state") == "stale")
        #expect(lines[1] == #"{"type":"status","venue":"*","state":"disconnected","reason":"slow consumer: queue limit reached (6 events, \#(h.queue.statistics.peakQueuedBytes) bytes queued; limits 6 events, 1048576 bytes); closing the connection","seq":2}"#)
    }

    @Test("a subscriber that never reads holds bounded memory whatever is published")
    func stalledConsumerIsBounded() {
        let configuration = SubscriberQueue.Configuration(highWaterMark: 100, highWaterBytes: 16 << 10, capacity: 400, maxBytes: 64 << 10)
        var h = Harness(configuration)
        var outcomes: [SubscriberQueue.PushOutcome: Int] = [:]
        for i in 1 ... 20_000 {
            let event = i % 3 == 0 ? Fixtures.trade(id: i)
                : Fixtures.book(snapshot: false, bids: [(String(i % 50 + 1), String(i))], asks: [(String(i % 50 + 100), "1")])
            if i == 1 { h.push(Fixtures.book(snapshot: true, bids: [("1", "1")])) }
            outcomes[h.push(event), default: 0] += 1
            #expect(h.queue.queuedEvents <= configuration.capacity && h.queue.queuedBytes <= configuration.maxBytes)
        }
        #expect(h.queue.statistics.peakQueuedBytes <= configuration.maxBytes)
        #expect(h.queue.statistics.peakQueuedEvents <= configuration.capacity)
        #expect(outcomes[.overflowed] == 1)
        #expect(h.queue.isClosing)
        let (lines, outcome) = h.drain()
        #expect(outcome == .finished)
        #expect(lines.map { TextLines.string($0, "state") } == ["stale", "disconnected"])
    }

    @Test("the byte high-water mark also triggers the notice")
    func byteHighWater() {
        var h = Harness(.init(highWaterMark: 1000, highWaterBytes: 500, capacity: 2000, maxBytes: 100_000))
        var count = 0
        while !h.queue.isLagging {
            count += 1
            h.push(Fixtures.trade(id: count))
        }
        #expect(count == 3)  // ~200 bytes per trade line
        #expect(TextLines.string(h.drain().lines[0], "reason")?.hasPrefix("slow consumer: 3 events queued") == true)
    }

    @Test("a delta for a book the subscriber lacks becomes a snapshot; deltas it already contains are skipped")
    func lazySnapshotSkipsCoveredDeltas() {
        var h = Harness(.init())
        h.books.observe(Fixtures.book(snapshot: true, bids: [("100", "1")]))  // published before this subscriber
        #expect(h.push(Fixtures.book(snapshot: false, bids: [("100", "2")])) == .queued)
        h.push(Fixtures.book(snapshot: false, bids: [("100", "3")]))
        h.push(Fixtures.trade(id: 1))
        h.push(Fixtures.book(snapshot: false, bids: [("100", "4")]))
        let lines = h.drain().lines
        // The snapshot is rendered when written, so it already holds size 4: the queued deltas are skipped.
        #expect(lines == [
            #"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":true,"bids":[["100","4"]],"asks":[],"ts_exchange":1,"ts_recv":2,"seq":1}"#,
            #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"50000.1","size":"0.002","side":"buy","trade_id":"1","ts_exchange":1700000000000000000,"ts_recv":1700000000000123456,"seq":2}"#,
        ])
        h.push(Fixtures.book(snapshot: false, bids: [("100", "5")]))
        #expect(TextLines.object(h.drain().lines[0])["snapshot"] == .bool(false))
    }

    @Test("no snapshot available: the subscriber waits for the pipeline's next snapshot")
    func waitsForSnapshot() {
        var h = Harness(.init())
        h.push(Fixtures.book(snapshot: false, bids: [("100", "2")]))  // no book known
        #expect(h.drain().lines.isEmpty)
        #expect(!h.queue.isInSync(BookKey(venue: "binance", symbol: Fixtures.btc)))
        h.push(Fixtures.book(snapshot: true, bids: [("100", "3")]))
        #expect(h.drain().lines.map { TextLines.object($0)["snapshot"] } == [.bool(true)])
    }

    @Test("a small byte budget drains in steps")
    func budget() {
        var h = Harness(.init())
        for id in 1 ... 5 { h.push(Fixtures.trade(id: id)) }
        var all: [String] = []
        var steps = 0
        while true {
            steps += 1
            let (lines, outcome) = h.drain(maxBytes: 300)
            all += lines
            if outcome == .idle { break }
            #expect(outcome == .more)
        }
        #expect(steps == 3)
        #expect(all.map(TextLines.seq) == [1, 2, 3, 4, 5])
    }

    @Test("finish: everything queued is written, then the final line, then .finished")
    func gracefulFinish() {
        var h = Harness(.init())
        h.push(Fixtures.trade(id: 1))
        h.queue.finish(with: SubscriberQueue.notice(.disconnected, "server shutting down"))
        #expect(h.push(Fixtures.trade(id: 2)) == .ignored)
        let (lines, outcome) = h.drain()
        #expect(outcome == .finished)
        #expect(lines.count == 2)
        #expect(lines[1] == #"{"type":"status","venue":"*","state":"disconnected","reason":"server shutting down","seq":2}"#)
    }
}
