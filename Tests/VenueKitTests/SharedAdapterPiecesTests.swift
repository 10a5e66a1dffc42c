import MarketModel
import Testing
@testable import VenueKit

// The adapter pieces lifted out of the venues in the adapter-size work (issue #3): expiry dates,
// pending requests and their frames, symbol tables from configuration, the small scanner readers
// (error objects, string arrays, one member of an object, sides without the value, absent
// members compared with a literal), ticker fields read by name and venue-specific level forms.

/// Deribit-style levels `["new"|"delete", price, amount]` for the shared level loop.
fileprivate enum ActionLevel: BookLevelForm {
    static func readLevel(_ s: inout JSONScanner) throws(VenueParseError) -> BookLevel {
        try s.beginArray()
        guard try s.nextElement() else { throw VenueParseError.missingField("action") }
        let isDelete = try s.readString() == "delete"
        guard try s.nextElement() else { throw VenueParseError.missingField("price") }
        let price = try s.readDecimal()
        guard try s.nextElement() else { throw VenueParseError.missingField("amount") }
        let amount = try s.readDecimal()
        try s.skipRestOfContainer(isObject: false)
        return BookLevel(price: price, size: isDelete ? .zero : amount)
    }
}

/// An adapter that only names symbols through its table.
fileprivate struct TableAdapter: SymbolTableNaming {
    static let spec = VenueSpec(id: .kraken, displayName: "Table", marketDataURLs: ["wss://example.invalid"], channelNames: [:],
                                maxSubscriptionsPerConnection: 1, maxOutboundMessagesPerSecond: 1, keepAlive: [],
                                book: BookSpec(bootstrap: .streamSnapshot))
    var symbols: VenueSymbolMap
    init(configuration: VenueAdapterConfiguration) {
        symbols = VenueSymbolMap(configuration.symbols) { $0.kind == .spot ? "\($0.base)/\($0.quote)" : nil }
    }
    mutating func subscribeFrames(for subscriptions: [Subscription]) -> [OutboundMessage] { [] }
    mutating func unsubscribeFrames(for subscriptions: [Subscription]) -> [OutboundMessage] { [] }
    mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext, into output: inout VenueOutputs) throws(VenueParseError) {}
}

@Suite("Shared adapter pieces")
struct SharedAdapterPiecesTests {
    @Test("ExpiryDate reads and writes YYYYMMDD, 27DEC26 and month codes", arguments: [
        ("20261225", "25DEC26", "Z26", true), ("20270105", "5JAN27", "F27", false), ("20260327", "27MAR26", "H26", true),
        ("20250530", "30MAY25", "K25", true), ("20991231", "31DEC99", "Z99", false),
    ])
    func expiryForms(_ yyyymmdd: String, _ dayMonthYear: String, _ code: String, _ isLastFriday: Bool) throws {
        let date = try #require(ExpiryDate(yyyymmdd))
        #expect(date.description == yyyymmdd && date.dayMonthYear == dayMonthYear && date.monthCode == code)
        #expect(date.isLastFriday == isLastFriday)
        #expect(ExpiryDate(dayMonthYear: dayMonthYear) == date)
        if isLastFriday { #expect(ExpiryDate(monthCode: code) == date) }
    }

    @Test("ExpiryDate: last Fridays, and what it refuses")
    func expiryEdges() {
        // Last Fridays of 2026 (checked against a calendar), a leap February, a month ending on a Friday.
        #expect((1 ... 12).map { ExpiryDate.lastFriday(year: 2026, month: $0) } == [30, 27, 27, 24, 29, 26, 31, 28, 25, 30, 27, 25])
        #expect(ExpiryDate.lastFriday(year: 2024, month: 2) == 23 && ExpiryDate.lastFriday(year: 2020, month: 2) == 28)
        #expect(ExpiryDate(monthCode: "Z05")?.description == "20051230")
        #expect(ExpiryDate(dayMonthYear: "05JAN27")?.description == "20270105")
        // The day is kept as written (the venue refuses a day its month lacks); the month is checked.
        #expect(ExpiryDate("20260231")?.dayMonthYear == "31FEB26" && ExpiryDate("20260100")?.day == 0)
        for bad in ["2026125", "202612255", "20261325", "20260025", "2026-1225", "２０２６１２２５"] { #expect(ExpiryDate(bad) == nil) }
        for bad in ["DEC26", "123DEC26", "25dec26", "25DEC2", "25DEC2X", "25XYZ26", "٢٥DEC26"] { #expect(ExpiryDate(dayMonthYear: bad) == nil) }
        for bad in ["A26", "Z2", "Z266", "z26", "Z2X"] { #expect(ExpiryDate(monthCode: bad) == nil) }
        #expect(ExpiryDate(year: 2026, month: 0, day: 1) == nil && ExpiryDate(year: 2026, month: 12, day: 100) == nil)
    }

    @Test("PendingRequests: ids, what waits on them, acks and refusals")
    func pending() throws {
        let btc = try Symbol("BTC-USDT"), eth = try Symbol("ETH-USDT")
        let a = Subscription(symbol: btc, channel: .trades), b = Subscription(symbol: eth, channel: .book)
        var p = PendingRequests(firstID: 3)
        #expect(p.register([a]) == 3 && p.register() == 4 && p.register([b]) == 5 && p.nextID == 6)
        #expect(p.take(4) == nil && p.take(nil) == nil)          // nothing waited on the bare id
        guard case .subscribed(let ack) = p.acknowledgement(3) else { Issue.record("no ack"); return }
        #expect(ack.subscriptions == [a] && ack.isSuccess && ack.requestID == "3")
        #expect(p.take(3) == nil)                                // taken once
        #expect(p.refusal(9, message: "x") == nil)
        guard case .subscribed(let refusal)? = p.refusal(5, message: "code 2: bad") else { Issue.record("no refusal"); return }
        #expect(refusal.subscriptions == [b] && !refusal.isSuccess && refusal.requestID == "5" && refusal.message == "code 2: bad")
        guard case .subscribed(let unknown) = p.acknowledgement(nil) else { Issue.record("no ack"); return }
        #expect(unknown.subscriptions.isEmpty && unknown.requestID == nil)
        // Ids echoed as text match only the text written.
        var q = PendingRequests()
        _ = q.register([a])
        #expect(q.take(requestID: "01") == nil && q.take(requestID: "ping") == nil && q.take(requestID: "1") == [a])
    }

    @Test("PendingRequests.frames: sorted, shared topics once, batched, each batch's subscriptions waiting on its id")
    func pendingFrames() throws {
        let btc = try Symbol("BTC-USDT"), eth = try Symbol("ETH-USDT")
        let bbo = Subscription(symbol: btc, channel: .bbo), funding = Subscription(symbol: btc, channel: .funding)
        let trades = Subscription(symbol: eth, channel: .trades), book = Subscription(symbol: btc, channel: .book)
        var p = PendingRequests()
        let frames = p.frames(for: [(trades, "t.ETH"), (funding, "k.BTC"), (bbo, "k.BTC"), (book, "b.BTC")], maxTopics: 2) { id, topics in
            "\(id):[\(topics)]"
        }
        #expect(frames.map(\.text) == [#"1:["b.BTC","k.BTC"]"#, #"2:["t.ETH"]"#])
        #expect(p.take(1) == [book, bbo, funding] && p.take(2) == [trades])
        #expect(p.frames(for: [], text: { id, _ in "\(id)" }).isEmpty && p.nextID == 3)
    }

    @Test("Symbol tables from configuration, table naming and configured options")
    func configuration() throws {
        let spot = try Symbol("BTC-USD"), perp = try Symbol("BTC-USD-PERP")
        let configuration = VenueAdapterConfiguration(symbols: [spot, perp], bookDepth: 200, options: ["interval": "raw", "trades": "all"])
        let adapter = TableAdapter(configuration: configuration)
        #expect(adapter.venueSymbol(for: spot) == "BTC/USD" && adapter.venueSymbol(for: perp) == nil)
        #expect(adapter.symbol(forVenueSymbol: "BTC/USD") == spot && adapter.symbol(forVenueSymbol: "BTC-USD") == nil)
        #expect(configuration.option("interval", oneOf: ["raw", "100ms"]) == "raw")
        #expect(configuration.option("trades", oneOf: ["trade", "aggTrade"]) == nil && configuration.option("none", oneOf: ["x"]) == nil)
        #expect(configuration.bookDepth(oneOf: [50, 200]) == 200 && configuration.bookDepth(oneOf: [50]) == nil)
        #expect(VenueAdapterConfiguration(symbols: []).bookDepth(oneOf: [50]) == nil)
    }

    @Test("Scanner readers: error objects, string arrays, one member, sides without the value, absent members")
    func readers() throws {
        let deribit = try readingWhole(#"{"message":"too_many_requests","code":10028,"data":null}"#) { s throws(VenueParseError) in
            try s.readErrorObject(messageKey: "message")
        }
        #expect(deribit.code == 10028 && deribit.message == "too_many_requests")
        let partial = try readingWhole(#"{"msg":"a","msg":"b"}"#) { s throws(VenueParseError) in try s.readErrorObject(messageKey: "msg") }
        #expect(partial.code == nil && partial.message == "b")
        #expect { try readingWhole(#"{"code":"x"}"#) { s throws(VenueParseError) in try s.readErrorObject(messageKey: "msg") } } throws: { $0 is VenueParseError }
        #expect(try readingWhole(#"["a","b"]"#) { s throws(VenueParseError) in try s.readStrings() } == ["a", "b"])
        #expect(try readingWhole("[]") { s throws(VenueParseError) in try s.readStrings() }.isEmpty)
        #expect { try readingWhole(#"["a",1]"#) { s throws(VenueParseError) in try s.readStrings() } } throws: { $0 is VenueParseError }
        let member = try readingWhole(#"{"x":[1,{"retryAfter":2}],"retryAfter":5,"y":true,"retryAfter":7}"#) { s throws(VenueParseError) in
            try s.readMember("retryAfter") { s throws(VenueParseError) in try s.readInt64() }
        }
        #expect(member == 7)
        #expect(try readingWhole(#"{"x":1}"#) { s throws(VenueParseError) in try s.readMember("y") { s throws(VenueParseError) in try s.readInt64() } } == nil)
        #expect { try readingWhole(#"{"x":1,}"#) { s throws(VenueParseError) in try s.readMember("y") { s throws(VenueParseError) in try s.readInt64() } } }
            throws: { $0 is VenueParseError }
        #expect(try readingWhole(#""SELL""#) { s throws(VenueParseError) in try s.readSide(field: "S", buy: "BUY", sell: "SELL", quotingValue: false) } == .sell)
        #expect { try readingWhole(#""sell""#) { s throws(VenueParseError) in try s.readSide(field: "S", buy: "BUY", sell: "SELL", quotingValue: false) } }
            throws: { ($0 as? VenueParseError) == .invalidValue("S", "expected BUY or SELL") }
        // Compared inside the closure: a JSONString is a view into the message.
        let compared = try readingWhole(#"["depthUpdate","depth"]"#) { s throws(VenueParseError) -> [Bool] in
            var words: [JSONString?] = [nil]
            try s.beginArray()
            while try s.nextElement() { words.append(try s.readString()) }
            return words.map { $0 == "depthUpdate" }
        }
        #expect(compared == [false, true, false])
    }

    @Test("QuoteFields.read: the venue's names, other members left to the caller, null and \"\" by the venue's rule")
    func quoteKeys() throws {
        let keys = QuoteFields.Keys(bid: "best_bid", bidSize: "bid_qty", ask: "best_ask", last: "last_price", low24h: "low")
        let (q, others) = try readingWhole(#"{"best_bid":"1.5","bid_qty":2,"best_ask":null,"last_price":"","low":"1.1","x":3,"high":9}"#) {
            s throws(VenueParseError) -> (QuoteFields, [String]) in
            var q = QuoteFields(), others: [String] = []
            try s.beginObject()
            while let key = try s.nextKey() {
                if try q.read(key, from: &s, keys: keys) { continue }
                others.append(key.string)
                try s.skipValue()
            }
            return (q, others)
        }
        #expect(q.bid == FixedDecimal("1.5") && q.bidSize == FixedDecimal("2") && q.ask == nil && q.last == nil && q.low24h == FixedDecimal("1.1"))
        #expect(q.askSize == nil && q.high24h == nil && others == ["x", "high"])
        var strict = keys
        strict.allowsAbsent = false
        #expect {
            try readingWhole(#"{"best_ask":null}"#) { s throws(VenueParseError) in
                var q = QuoteFields()
                try s.beginObject()
                while let key = try s.nextKey() { _ = try q.read(key, from: &s, keys: strict) }
            }
        } throws: { $0 is VenueParseError }
    }

    @Test("BookLevelForm.readLevels: every element by the venue's reader, in order, appended; bad elements throw")
    func levelForm() throws {
        // More levels than the sink's buffer holds, so the loop flushes in the middle.
        let text = "[" + (1 ... 20).map { #"["new",\#($0).5,\#($0)]"# }.joined(separator: ",") + #",["delete",9,0.0]]"#
        var levels = [BookLevel(price: FixedDecimal("7")!, size: FixedDecimal("7")!)]
        try readingWhole(text) { s throws(VenueParseError) in try ActionLevel.readLevels(&s, into: &levels) }
        #expect(levels.count == 22 && levels[1] == BookLevel(price: FixedDecimal("1.5")!, size: FixedDecimal("1")!))
        #expect(levels[20].price == FixedDecimal("20.5") && levels[21] == BookLevel(price: FixedDecimal("9")!, size: .zero))
        var none: [BookLevel] = []
        #expect { try readingWhole(#"[["new",1]]"#) { s throws(VenueParseError) in try ActionLevel.readLevels(&s, into: &none) } } throws: { $0 is VenueParseError }
        #expect { try readingWhole(#"{"a":1}"#) { s throws(VenueParseError) in try ActionLevel.readLevels(&s, into: &none) } } throws: { $0 is VenueParseError }
    }
}
