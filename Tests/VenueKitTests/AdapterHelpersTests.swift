import MarketModel
import Testing
@testable import VenueKit

// The shared adapter pieces: the all-or-nothing output rule, required fields, sides, ms and RFC 3339 times, the subscription
// table, quote fields, book scratch, request batching.

@Suite("Adapter helpers")
struct AdapterHelpersTests {
    @Test("appendingAllOrNothing keeps a success and removes a failure's partial outputs")
    func allOrNothing() {
        var output = VenueOutputs([.heartbeat])
        try? output.appendingAllOrNothing { output throws(VenueParseError) in output.append(.pong) }
        #expect(output.count == 2)
        #expect(throws: VenueParseError.self) {
            try output.appendingAllOrNothing { output throws(VenueParseError) in
                output.append(.pong)
                output.append(.heartbeat)
                throw .missingField("x")
            }
        }
        #expect(output.count == 2)
    }

    @Test("VenueOutputs keeps trades and the sequence number apart, hands sequence, others, trades, and rolls all back")
    func venueOutputs() throws {
        let btc = try Symbol("BTC-USD")
        func trade(_ id: Int64) -> Trade {
            Trade(venue: "kraken", symbol: btc, price: FixedDecimal("1.5")!, size: FixedDecimal("2")!, side: .buy,
                  tradeID: TradeID(id), tsExchange: id, tsRecv: id)
        }
        var output = VenueOutputs(capacity: 4)
        output.append(.connectionSequence(7))
        output.append(.trade(trade(1)))
        output.append(trade(2))
        output.append(.heartbeat)
        #expect(output.trades.map(\.tradeID) == [TradeID(1), TradeID(2)])
        #expect(output.count == 4 && !output.isEmpty)
        // Consumers' order: the sequence number, the other outputs as appended, then the trades.
        func kind(_ o: VenueOutput) -> String {
            switch o {
            case .trade: "trade"
            case .heartbeat: "heartbeat"
            case .connectionSequence: "sequence"
            default: "other"
            }
        }
        #expect(output.all.map(kind) == ["sequence", "heartbeat", "trade", "trade"])
        #expect(output.connectionSequence == 7 && output.others.count == 1, "the sequence number is a field, not an output")
        guard case .trade(let first) = output.all[2], case .trade(let second) = output.all[3] else {
            Issue.record("expected the trades last, got \(output.all)")
            return
        }
        #expect(first.tradeID == TradeID(1) && second.tradeID == TradeID(2))

        // A lane that gives up leaves neither its trades nor its other outputs behind.
        output.connectionSequence = nil
        let before = output.mark
        let taken = output.appendingLane { output in
            output.append(.connectionSequence(8))
            output.append(trade(3))
            output.append(.pong)
            return false
        }
        #expect(!taken && output.mark == before && output.count == 3 && output.connectionSequence == nil)
        // A message that fails likewise.
        #expect(throws: VenueParseError.self) {
            try output.appendingAllOrNothing { output throws(VenueParseError) in
                output.append(.trade(trade(4)))
                output.append(.heartbeat)
                throw .missingField("x")
            }
        }
        #expect(output.mark == before)
        let kept = output.appendingLane { output in
            output.append(trade(5))
            return true
        }
        #expect(kept && output.trades.count == 3)
        // A second sequence number in one message (no venue sends one) is kept, in order.
        output.append(.connectionSequence(9))
        output.append(.connectionSequence(10))
        #expect(output.all.map(kind).prefix(3) == ["sequence", "heartbeat", "sequence"])
        output.removeAll(keepingCapacity: true)
        #expect(output.isEmpty && output.trades.capacity >= 4 && output.others.capacity >= 4)
    }

    @Test("required, readSide and readMilliseconds name the field on failure")
    func fieldsAndValues() throws {
        #expect(try Optional(3).required("n") == 3)
        #expect { try Int?.none.required("trade_id") } throws: { ($0 as? VenueParseError) == .missingField("trade_id") }
        #expect(try inObject(#"{"side":"sell"}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readSide(field: "side") } == Side.sell)
        #expect(try inObject(#"{"side":"buy"}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readSide(field: "side") } == Side.buy)
        #expect { try inObject(#"{"direction":"Sell"}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readSide(field: "direction") } }
            throws: { ($0 as? VenueParseError)?.kind == .invalidValue && ($0 as? VenueParseError)?.message.hasPrefix("'direction'") == true }
        // A venue's own spelling (Bybit `"Buy"`/`"Sell"`): the other spelling is refused, and the message names both words.
        #expect(try inObject(#"{"S":"Buy"}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readSide(field: "S", buy: "Buy", sell: "Sell") } == Side.buy)
        #expect(try inObject(#"{"S":"Sell"}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readSide(field: "S", buy: "Buy", sell: "Sell") } == Side.sell)
        #expect { try inObject(#"{"S":"sell"}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readSide(field: "S", buy: "Buy", sell: "Sell") } }
            throws: { ($0 as? VenueParseError) == .invalidValue("S", "expected Buy or Sell, got 'sell'") }
        #expect { try inObject(#"{"side":"BUY"}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readSide(field: "side") } }
            throws: { ($0 as? VenueParseError) == .invalidValue("side", "expected buy or sell, got 'BUY'") }
        #expect(try inObject(#"{"ts":"1652459199958"}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readMilliseconds("ts") }
                == 1_652_459_199_958_000_000)
        #expect { try inObject(#"{"ts":9223372036854775}"#) { s throws(VenueParseError) in _ = try s.nextKey(); return try s.readMilliseconds("ts") } }
            throws: { ($0 as? VenueParseError)?.kind == .invalidValue }
    }

    @Test("RFC3339.nanoseconds: fractions, offsets, range", arguments: [
        ("2026-04-07T14:30:02.789012Z", Int64?(1_775_572_202_789_012_000)),
        ("2023-02-09T20:32:50.714964855Z", 1_675_974_770_714_964_855),
        ("2023-02-09T20:32:50.7149648559Z", 1_675_974_770_714_964_855),
        ("2026-04-07T15:30:02.5+01:00", 1_775_572_202_500_000_000),
        ("1970-01-01T00:00:00Z", 0),
        ("2024-02-29T23:59:59.999Z", 1_709_251_199_999_000_000),
        ("1969-12-31T23:59:59Z", nil), ("2262-01-01T00:00:00Z", nil), ("2026-04-07T14:30:02", nil),
        ("2026-04-07 14:30:02Z", nil), ("2026-13-07T14:30:02Z", nil), ("2026-04-07T14:30:02+0100", nil),
    ])
    func rfc3339(_ text: String, _ expected: Int64?) {
        let got = try? Array(text.utf8).withUnsafeBytes { raw throws(VenueParseError) in try RFC3339.nanoseconds(JSONString(bytes: raw, hasEscapes: false)) }
        #expect(got == expected)
    }

    @Test("SubscriptionTable: first and last users of a shared venue channel, per-symbol channels")
    func table() throws {
        let btc = try Symbol("BTC-USD"), eth = try Symbol("ETH-USD")
        var t = SubscriptionTable()
        #expect(t.update(Subscription(symbol: btc, channel: .bbo), on: "ticker BTC", adding: true) == .venueChannel)
        #expect(t.update(Subscription(symbol: btc, channel: .ticker), on: "ticker BTC", adding: true) == .shared)
        #expect(t.update(Subscription(symbol: btc, channel: .ticker), on: "ticker BTC", adding: true) == .unchanged)
        #expect(t.update(Subscription(symbol: eth, channel: .bbo), on: "ticker ETH", adding: true) == .venueChannel)
        #expect(t.channels(for: btc).contains(.bbo) && t.channels(for: btc).contains(.ticker))
        #expect(!t.channels(for: eth).contains(.ticker))
        #expect(t.subscriptions(on: "ticker BTC") == [Subscription(symbol: btc, channel: .bbo), Subscription(symbol: btc, channel: .ticker)])
        #expect(t.update(Subscription(symbol: btc, channel: .bbo), on: "", adding: false) == .shared)
        #expect(!t.channels(for: btc).contains(.bbo))
        #expect(t.update(Subscription(symbol: btc, channel: .bbo), on: "", adding: false) == .unchanged)
        #expect(t.isUsed("ticker BTC") && t.contains(Subscription(symbol: btc, channel: .ticker)))
        #expect(t.update(Subscription(symbol: btc, channel: .ticker), on: "", adding: false) == .venueChannel)
        #expect(!t.isUsed("ticker BTC") && t.channels(for: btc).isEmpty && t.subscriptions(on: "ticker BTC").isEmpty)
    }

    @Test("QuoteFields emits what was subscribed; BookScratch and the one-step BookMessage")
    func quoteAndBook() throws {
        let btc = try Symbol("BTC-USD")
        var q = QuoteFields()
        (q.bid, q.ask, q.last, q.tsExchange) = (FixedDecimal("1.5"), FixedDecimal("1.6"), FixedDecimal("1.55"), 7)
        var output = VenueOutputs()
        q.append(to: &output, bbo: true, ticker: false, venue: "kraken", symbol: btc, tsRecv: 9)
        q.append(to: &output, bbo: false, ticker: true, venue: "kraken", symbol: btc, tsRecv: 9)
        guard output.count == 2, case .bbo(let bbo) = output.others[0], case .ticker(let ticker) = output.others[1] else {
            Issue.record("expected one BBO then one ticker, got \(output)")
            return
        }
        #expect(bbo.bidPrice == q.bid && bbo.askPrice == q.ask && bbo.tsExchange == 7 && bbo.tsRecv == 9)
        #expect(ticker.last == q.last && ticker.bid == q.bid)
        var scratch = BookScratch()
        var (bids, asks) = scratch.take()
        bids.append(BookLevel(price: FixedDecimal("1.5")!, size: FixedDecimal("2")!))
        scratch.keep(bids, asks)
        let message = BookMessage(venue: "okx", symbol: btc, isSnapshot: true, bids: bids, asks: asks, tsExchange: 1, tsRecv: 2,
                                  sequencing: .okx(seqID: 2, prevSeqID: 1))
        #expect(message.update.bids == bids && message.update.isSnapshot && message.sequencing == .okx(seqID: 2, prevSeqID: 1))
        (bids, asks) = scratch.take()
        #expect(bids.isEmpty && asks.isEmpty)
        // One side at a time (Binance learns the side from the key): each side's storage comes back to that side only.
        var one = BookScratch()
        var sells = one.asks.take(minimumCapacity: 64)
        sells.append(BookLevel(price: FixedDecimal("2.5")!, size: FixedDecimal("1")!))
        one.asks.keep(sells)
        let askStorage = sells.withUnsafeBufferPointer { $0.baseAddress }
        sells = []
        let reused = one.asks.take()
        #expect(reused.isEmpty && reused.capacity >= 64 && reused.withUnsafeBufferPointer { $0.baseAddress } == askStorage)
        #expect(one.bids.take().withUnsafeBufferPointer { $0.baseAddress } != askStorage)
    }

    @Test("readLevels(reusing:) reads into the scratch's storage and keeps the result; bad levels throw")
    func levelsReusingScratch() throws {
        var scratch = LevelScratch()
        func read(_ text: String) throws(VenueParseError) -> [BookLevel] {
            try inObject(text) { s throws(VenueParseError) in
                _ = try s.nextKey()
                return try s.readLevels(reusing: &scratch)
            }
        }
        var first: [BookLevel]? = try read(#"{"b":[["1.5","2"],["1.4","0.00"]]}"#)
        #expect(first == [BookLevel(price: FixedDecimal("1.5")!, size: FixedDecimal("2")!),
                          BookLevel(price: FixedDecimal("1.4")!, size: FixedDecimal("0.00")!)])
        let storage = first?.withUnsafeBufferPointer { $0.baseAddress }
        first = nil  // the pipeline is done with it; the scratch still holds the storage
        let second = try read(#"{"b":[["3","1"]]}"#)
        #expect(second == [BookLevel(price: FixedDecimal("3")!, size: FixedDecimal("1")!)])
        #expect(second.withUnsafeBufferPointer { $0.baseAddress } == storage)
        // `second` is still referenced: the next read gets storage of its own and leaves `second` alone.
        let third = try read(#"{"b":[]}"#)
        #expect(third.isEmpty && second.count == 1 && third.withUnsafeBufferPointer { $0.baseAddress } != storage)
        #expect { try read(#"{"b":[["3"]]}"#) } throws: { $0 is VenueParseError }
        #expect { try read(#"{"b":[["x","1"]]}"#) } throws: { $0 is VenueParseError }
        #expect { try read(#"{"b":"1.5"}"#) } throws: { $0 is VenueParseError }
    }

    @Test("batches: count and byte caps; sort orders")
    func batchesAndOrder() throws {
        #expect(OutboundMessage.batches(["a", "b", "c"], maxCount: 2) == [["a", "b"], ["c"]])
        #expect(OutboundMessage.batches(["aaaa", "bbbb", "cc"], maxBytes: 9) == [["aaaa", "bbbb"], ["cc"]])
        #expect(OutboundMessage.batches(["aaaaaaaaaaaa", "b"], maxBytes: 4) == [["aaaaaaaaaaaa"], ["b"]])
        #expect(OutboundMessage.batches([]).isEmpty)
        let btc = try Symbol("BTC-USD"), eth = try Symbol("ETH-USD")
        let subs = [Subscription(symbol: eth, channel: .trades), Subscription(symbol: btc, channel: .book), Subscription(symbol: btc, channel: .trades)]
        #expect(subs.sorted(by: Subscription.channelThenSymbol).map(\.description) == ["trades:BTC-USD", "trades:ETH-USD", "book:BTC-USD"])
        #expect(subs.sorted(by: Subscription.symbolThenChannel).map(\.description) == ["trades:BTC-USD", "book:BTC-USD", "trades:ETH-USD"])
    }
}
