import Testing
import MarketModel
import VenueKit
@testable import Books

@Suite("BookSynchronizer")
struct BookSynchronizerTests {
    let rest = BookSpec(bootstrap: .restSnapshot)

    @Test("Binance spot: buffer, fetch once, drop u <= lastUpdateId, bridge, then U == u+1")
    func binanceSpot() {
        var h = Harness(.binance, rest)
        #expect(h.feed(message(bids: [("1", "1")], .binanceSpot(firstUpdateID: 90, lastUpdateID: 100))).fetches == 1)
        #expect(h.feed(message(bids: [("2", "1")], .binanceSpot(firstUpdateID: 101, lastUpdateID: 105))).fetches == 0)
        #expect(h.sync.bufferedCount == 2)
        let snap = h.feed(message(snapshot: true, bids: [("1.5", "3")], asks: [("10", "1")], .restSnapshot(lastUpdateID: 102)))
        #expect(h.sync.phase == .live)
        #expect(snap.published.count == 2)  // snapshot + the bridging delta (the first was dropped)
        #expect(snap.published.first?.isSnapshot == true)
        #expect(snap.statuses.map(\.state) == [.live])
        #expect(h.bids == ["2x1", "1.5x3"])
        #expect(h.sync.lastSequence == 105)
        #expect(h.feed(message(asks: [("11", "1")], .binanceSpot(firstUpdateID: 106, lastUpdateID: 110))).published.count == 1)
        #expect(h.feed(message(asks: [("12", "1")], .binanceSpot(firstUpdateID: 104, lastUpdateID: 110))).isEmpty)  // stale: ignored
        let gap = h.feed(message(asks: [("12", "1")], .binanceSpot(firstUpdateID: 112, lastUpdateID: 115)))
        #expect(gap.statuses.map(\.reason) == ["gap: expected 111 got 112"])
        #expect(gap.statuses.first?.state == .resyncing)
        #expect(gap.fetches == 1)
        #expect(h.sync.phase == .awaitingSnapshot)
        #expect(h.sync.book.isEmpty)
    }

    @Test("Binance spot: a snapshot older than the buffer is fetched again")
    func binanceSnapshotTooOld() {
        var h = Harness(.binance, rest)
        h.feed(message(bids: [("1", "1")], .binanceSpot(firstUpdateID: 200, lastUpdateID: 210)))
        let again = h.feed(message(snapshot: true, bids: [("1", "2")], .restSnapshot(lastUpdateID: 150)))
        #expect(again.fetches == 1)
        #expect(again.published.isEmpty)
        #expect(h.sync.phase == .awaitingSnapshot)
        let ok = h.feed(message(snapshot: true, bids: [("1", "2")], .restSnapshot(lastUpdateID: 205)))
        #expect(ok.published.count == 2)
        #expect(h.bids == ["1x1"])
    }

    @Test("Binance USD-M: drop u < lastUpdateId, first bridges U <= L <= u, then pu == previous u")
    func binanceFutures() {
        var h = Harness(.binanceFutures, rest)
        h.feed(message(bids: [("1", "1")], .binanceFutures(firstUpdateID: 90, lastUpdateID: 95, previousLastUpdateID: 80)))
        h.feed(message(bids: [("2", "1")], .binanceFutures(firstUpdateID: 98, lastUpdateID: 104, previousLastUpdateID: 95)))
        let live = h.feed(message(snapshot: true, bids: [("1", "5")], .restSnapshot(lastUpdateID: 100)))
        #expect(live.published.count == 2)
        #expect(h.bids == ["2x1", "1x5"])
        #expect(h.feed(message(bids: [("3", "1")], .binanceFutures(firstUpdateID: 105, lastUpdateID: 110, previousLastUpdateID: 104))).published.count == 1)
        let gap = h.feed(message(bids: [("4", "1")], .binanceFutures(firstUpdateID: 115, lastUpdateID: 120, previousLastUpdateID: 109)))
        #expect(gap.statuses.map(\.reason) == ["gap: expected 110 got 109"])
        #expect(gap.fetches == 1)
    }

    static let streamGapCases: [(String, BookSequencing, BookSequencing, BookSequencing, String)] = [
        ("okx", .okx(seqID: 10, prevSeqID: -1), .okx(seqID: 11, prevSeqID: 10), .okx(seqID: 13, prevSeqID: 12), "gap: expected 11 got 12"),
        ("deribit", .deribit(changeID: 5, prevChangeID: nil), .deribit(changeID: 8, prevChangeID: 5), .deribit(changeID: 9, prevChangeID: 7), "gap: expected 8 got 7"),
        ("bybit", .bybit(updateID: 10), .bybit(updateID: 11), .bybit(updateID: 11), "gap: expected > 11 got 11"),
        ("coinbase", .connectionSequence(3), .connectionSequence(7), .connectionSequence(6), "gap: expected > 7 got 6"),
    ]

    @Test("stream venues: continuity rule, gap resyncs with resubscribe", arguments: streamGapCases)
    func streamGaps(name: String, snapshot: BookSequencing, good: BookSequencing, bad: BookSequencing, reason: String) {
        var h = Harness(VenueID(rawValue: name))
        #expect(h.feed(message(bids: [("1", "1")], good)).isEmpty)  // before the snapshot: dropped
        let live = h.feed(message(snapshot: true, bids: [("1", "1")], asks: [("2", "1")], snapshot))
        #expect(live.statuses.map(\.state) == [.live])
        #expect(h.feed(message(bids: [("1.5", "1")], good)).published.count == 1)
        let gap = h.feed(message(bids: [("1.6", "1")], bad))
        #expect(gap.statuses.map(\.reason) == [reason])
        #expect(gap.resubscribes == 1)
        #expect(gap.published.isEmpty)
        let back = h.feed(message(snapshot: true, bids: [("1", "1")], snapshot))
        #expect(back.statuses.map(\.state) == [.live])
    }

    @Test("OKX keep-alive (seqId == prevSeqId) and sequence reset after maintenance")
    func okxSpecials() {
        var h = Harness(.okx)
        h.feed(message(snapshot: true, bids: [("1", "1")], .okx(seqID: 10, prevSeqID: -1)))
        #expect(h.feed(message(btc, .okx(seqID: 10, prevSeqID: 10))).isEmpty)
        #expect(h.feed(message(bids: [("2", "1")], .okx(seqID: 3, prevSeqID: 10))).published.count == 1)
        #expect(h.sync.lastSequence == 3)
        // OKX's deprecated checksum field (always 0) is not a mismatch.
        #expect(h.feed(message(btc, .okx(seqID: 3, prevSeqID: 3), checksum: BookChecksum(expected: 0, algorithm: .okxTop25Interleaved))).isEmpty)
    }

    @Test("Bybit: a new snapshot (u == 1 after restart) resets")
    func bybitReset() {
        var h = Harness(.bybit)
        h.feed(message(snapshot: true, bids: [("1", "1")], .bybit(updateID: 500)))
        let reset = h.feed(message(snapshot: true, bids: [("2", "1")], .bybit(updateID: 1)))
        #expect(reset.published.first?.isSnapshot == true)
        #expect(reset.statuses.isEmpty)
        #expect(h.feed(message(bids: [("3", "1")], .bybit(updateID: 2))).published.count == 1)
        #expect(h.bids == ["3x1", "2x1"])
    }

    @Test("Kraken: checksum on snapshot and updates, truncation to depth publishes deletions")
    func kraken() {
        var h = Harness(.kraken, BookSpec(maxDepth: 10, checksum: .krakenTop10))
        let bids = [("45283.5", "0.10000000"), ("45283.4", "1.54582015"), ("45282.1", "0.10000000"), ("45281.0", "0.10000000"),
                    ("45280.3", "1.54592586"), ("45279.0", "0.07990000"), ("45277.6", "0.03310103"), ("45277.5", "0.30000000"),
                    ("45277.3", "1.54602737"), ("45276.6", "0.15445238")]
        let asks = [("45285.2", "0.00100000"), ("45286.4", "1.54571953"), ("45286.6", "1.54571109"), ("45289.6", "1.54560911"),
                    ("45290.2", "0.15890660"), ("45291.8", "1.54553491"), ("45294.7", "0.04454749"), ("45296.1", "0.35380000"),
                    ("45297.5", "0.09945542"), ("45299.5", "0.18772827")]
        let good = h.feed(message(venue: .kraken, snapshot: true, bids: bids, asks: asks,
                                  checksum: BookChecksum(expected: 3_310_070_434, algorithm: .krakenTop10)))
        #expect(good.statuses.map(\.state) == [.live])
        // A new best bid pushes the 10th bid out: the published delta deletes it.
        var expected = OrderBook()
        expected.apply(BookUpdate(venue: .kraken, symbol: btc, isSnapshot: true, bids: levels([("45284.0", "1.0")] + bids.dropLast()),
                                  asks: levels(asks), tsExchange: nil, tsRecv: 0))
        var scratch: [UInt8] = []
        let sum = BookChecksums.compute(.krakenTop10, book: expected, scratch: &scratch)
        let update = h.feed(message(venue: .kraken, bids: [("45284.0", "1.0")], checksum: BookChecksum(expected: sum, algorithm: .krakenTop10)))
        #expect(update.published.first?.bids.map(\.description) == ["45284.0x1.0", "45276.6x0"])
        #expect(h.sync.book.bids.count == 10)
        let bad = h.feed(message(venue: .kraken, bids: [("45284.0", "2.0")], checksum: BookChecksum(expected: sum, algorithm: .krakenTop10)))
        #expect(bad.statuses.first?.reason.hasPrefix("checksum: expected \(sum) computed ") == true)
        #expect(bad.resubscribes == 1)
        #expect(bad.published.isEmpty)
        #expect(h.sync.phase == .awaitingSnapshot)
    }

    @Test("checksums can be turned off")
    func checksumOff() {
        var sync = BookSynchronizer(configuration: .init(venue: .kraken, symbol: btc, book: BookSpec(checksum: .krakenTop10), verifiesChecksums: false))
        var actions: [BookAction] = []
        sync.handle(message(venue: .kraken, snapshot: true, bids: [("1", "1")], checksum: BookChecksum(expected: 1, algorithm: .krakenTop10)), into: &actions)
        #expect(sync.phase == .live)
    }

    @Test("crossed book resyncs; tolerance allows transient crosses")
    func crossed() {
        var h = Harness(.okx)
        h.feed(message(snapshot: true, bids: [("100", "1")], asks: [("101", "1")], .okx(seqID: 1, prevSeqID: -1)))
        let crossed = h.feed(message(bids: [("101", "2")], .okx(seqID: 2, prevSeqID: 1)))
        #expect(crossed.statuses.map(\.reason) == ["crossed: bid 101 >= ask 101"])
        #expect(crossed.resubscribes == 1)

        var t = Harness(.bitfinex, BookSpec(crossedTolerance: 1))
        t.feed(message(snapshot: true, bids: [("100", "1")], asks: [("101", "1")]))
        #expect(t.feed(message(bids: [("102", "1")])).statuses.isEmpty)  // one crossed message tolerated
        #expect(t.feed(message(asks: [("101", "0"), ("103", "1")])).statuses.isEmpty)  // uncrossed again
        #expect(t.feed(message(bids: [("104", "1")])).statuses.isEmpty)
        #expect(t.feed(message(bids: [("105", "1")])).statuses.map(\.reason) == ["crossed: bid 105 >= ask 103"])
    }

    @Test("gap-free REST snapshot refresh: old book stays live, new one swapped in")
    func refresh() {
        var h = Harness(.binance, rest)
        h.feed(message(bids: [("1", "1")], .binanceSpot(firstUpdateID: 1, lastUpdateID: 10)))
        h.feed(message(snapshot: true, bids: [("1", "1")], asks: [("9", "1")], .restSnapshot(lastUpdateID: 10)))
        #expect(h.sync.phase == .live)
        var actions: [BookAction] = []
        h.sync.refreshSnapshot(into: &actions)
        #expect(actions.fetches == 1)
        #expect(h.feed(message(bids: [("2", "1")], .binanceSpot(firstUpdateID: 11, lastUpdateID: 12))).published.count == 1)
        #expect(h.feed(message(bids: [("3", "1")], .binanceSpot(firstUpdateID: 13, lastUpdateID: 14))).published.count == 1)
        #expect(h.sync.phase == .live)
        // The new snapshot (id 12) already contains the first delta and differs at price 1.
        let swap = h.feed(message(snapshot: true, bids: [("2", "1"), ("1", "7")], asks: [("9", "1")], .restSnapshot(lastUpdateID: 12)))
        #expect(swap.statuses.isEmpty)
        #expect(swap.published.count == 1)
        #expect(swap.published.first?.isSnapshot == true)
        #expect(h.bids == ["3x1", "2x1", "1x7"])
        #expect(h.sync.lastSequence == 14)
        #expect(!h.sync.isRefreshing)
        #expect(h.feed(message(bids: [("4", "1")], .binanceSpot(firstUpdateID: 15, lastUpdateID: 15))).published.count == 1)
    }

    @Test("REST buffer is bounded")
    func boundedBuffer() {
        var sync = BookSynchronizer(configuration: .init(venue: .binance, symbol: btc, book: rest, maxBufferedMessages: 8))
        var actions: [BookAction] = []
        for i in 0 ..< 100 {
            sync.handle(message(bids: [("1", "1")], .binanceSpot(firstUpdateID: Int64(i), lastUpdateID: Int64(i))), into: &actions)
        }
        #expect(sync.bufferedCount <= 8)
        #expect(actions.fetches == 1)
    }
}

@Suite("BookSet")
struct BookSetTests {
    @Test("a resync touches only its own symbol")
    func isolation() {
        var set = BookSet(venue: .okx, spec: BookSpec())
        var actions: [BookAction] = []
        set.handle(message(btc, snapshot: true, bids: [("1", "1")], .okx(seqID: 1, prevSeqID: -1)), into: &actions)
        set.handle(message(eth, snapshot: true, bids: [("5", "1")], .okx(seqID: 100, prevSeqID: -1)), into: &actions)
        actions.removeAll()
        set.handle(message(btc, bids: [("2", "1")], .okx(seqID: 3, prevSeqID: 2)), into: &actions)
        #expect(actions.statuses.map(\.symbol) == [btc])
        #expect(actions.contains(.resubscribe(btc)))
        #expect(set[btc]?.phase == .awaitingSnapshot)
        #expect(set[eth]?.phase == .live)
        actions.removeAll()
        set.handle(message(eth, bids: [("6", "1")], .okx(seqID: 101, prevSeqID: 100)), into: &actions)
        #expect(actions.published.count == 1)
        #expect(set[eth]?.book.bids.count == 2)
    }

    @Test("a per-connection sequence gap resyncs every book of the connection")
    func connectionGap() {
        var set = BookSet(venue: .coinbase, spec: BookSpec())
        var actions: [BookAction] = []
        set.handle(message(btc, snapshot: true, bids: [("1", "1")], .connectionSequence(1)), into: &actions)
        set.handle(message(eth, snapshot: true, bids: [("5", "1")], .connectionSequence(2)), into: &actions)
        set.observeConnectionSequence(1, into: &actions)
        set.observeConnectionSequence(2, into: &actions)
        set.observeConnectionSequence(3, into: &actions)
        actions.removeAll()
        set.observeConnectionSequence(5, into: &actions)
        #expect(actions.statuses.map(\.reason) == ["gap: expected 4 got 5", "gap: expected 4 got 5"])
        #expect(actions.resubscribes == 2)
    }

    @Test("connection sequence tracker")
    func tracker() {
        var t = ConnectionSequenceTracker()
        #expect(t.observe(7) == .ok)
        #expect(t.observe(8) == .ok)
        #expect(t.observe(8) == .gap(expected: 9, got: 8))
        t.reset()
        #expect(t.observe(1) == .ok)
    }
}
