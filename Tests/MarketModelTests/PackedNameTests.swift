import Testing
@testable import MarketModel

/// ``Symbol`` and ``VenueID`` keep their text in words (``PackedName``): these tests hold the
/// packed form to the text it stands for — equality, hashing, order and the encoder's bytes — on
/// both sides of the inline capacity and for the long-name table.
@Suite("Packed names")
struct PackedNameTests {
    /// Valid symbols of every length from 3 to 40 bytes: `A-B`, `AB-B`, … (spot pairs with a
    /// growing base), so both the inline (≤ 31) and the table (> 31) forms are covered.
    static let symbolTexts: [String] = (1 ... 38).map { n in String(repeating: "A", count: min(n, 20)) + String(repeating: "9", count: max(0, n - 20)) + "-B" }
        .filter { text in text.split(separator: "-")[0].count <= 20 }
        + (1 ... 20).map { n in "BTC-" + String(repeating: "Q", count: n) + "-20261225-100000-C" }

    @Test("every symbol keeps its text, kind and equality across the inline capacity")
    func symbolRoundTrip() throws {
        for text in Self.symbolTexts {
            let a = try Symbol(text), b = try Symbol(text)
            #expect(a.rawValue == text)
            #expect(a.description == text)
            #expect(a == b && a.hashValue == b.hashValue, "\(text)")
            #expect(a.withUTF8 { Array($0) } == Array(text.utf8))
            #expect(Symbol(unchecked: text, kind: a.kind) == a)
        }
        let lengths = Set(Self.symbolTexts.map(\.utf8.count))
        #expect(lengths.contains(Symbol.inlineCapacity) && lengths.contains(Symbol.inlineCapacity + 1))
    }

    @Test("distinct symbols differ, including ones that share the first 31 bytes")
    func symbolsDiffer() throws {
        let texts = Self.symbolTexts + ["BTC-QQQQQQQQQQQQQQQQQQQQ-20261225-100000-P", "BTC-QQQQQQQQQQQQQQQQQQQQ-20261225-100001-C"]
        let symbols = try texts.map(Symbol.init)
        #expect(Set(symbols).count == Set(texts).count)
        for (i, a) in symbols.enumerated() {
            for (j, b) in symbols.enumerated() { #expect((a == b) == (texts[i] == texts[j])) }
        }
    }

    @Test("symbols order by their text")
    func symbolOrder() throws {
        let texts = ["ETH-USDT", "BTC-USDT-PERP", "BTC-USDT", "BTC-USD-20261225-100000-C", "BTC-QQQQQQQQQQQQQQQQQQQQ-20261225-1-C"]
        #expect(try texts.map(Symbol.init).sorted().map(\.rawValue) == texts.sorted())
    }

    @Test("venue ids keep their text across the inline capacity, non-ASCII included")
    func venueRoundTrip() {
        let texts = ["", "x", "binance", "binance-futures", "binance-futures2", "a-very-long-venue-identifier", "bïnance", "ок"]
        for text in texts {
            let id = VenueID(rawValue: text)
            #expect(id.rawValue == text)
            #expect(id == VenueID(stringLiteral: text) && id.hashValue == VenueID(rawValue: text).hashValue)
            #expect(id.withUTF8 { Array($0) } == Array(text.utf8))
        }
        #expect(Set(texts.map(VenueID.init(rawValue:))).count == texts.count)
        #expect(texts.map(VenueID.init(rawValue:)).sorted().map(\.rawValue) == texts.sorted())
    }

    @Test("the well-known venue ids, written as packed words, are the ids their texts pack to")
    func wellKnownVenueIDs() {
        let known: [(VenueID, String)] = [
            (.binance, "binance"), (.binanceFutures, "binance-futures"), (.coinbase, "coinbase"), (.kraken, "kraken"),
            (.okx, "okx"), (.bybit, "bybit"), (.deribit, "deribit"), (.bitmex, "bitmex"), (.bitfinex, "bitfinex"),
        ]
        for (id, text) in known {
            #expect(id == VenueID(rawValue: text), "\(text)")
            #expect(id.rawValue == text)
            #expect(id.hashValue == VenueID(rawValue: text).hashValue)
        }
    }

    @Test("names copy as plain words: no reference count to retain or release")
    func trivial() {
        #expect(_isPOD(Symbol.self))
        #expect(_isPOD(VenueID.self))
    }

    @Test("the long-name table gives one index per text and refuses new texts when full")
    func tableBound() {
        let table = LongNameTable(capacity: 2)
        let first = table.index(of: "first"), second = table.index(of: "second")
        #expect(first != nil && second != nil && first != second)
        #expect(table.index(of: "first") == first)
        #expect(table.index(of: "third") == nil)
        #expect(table.name(at: second!) == "second")
    }

    @Test("the encoder writes long and short names exactly")
    func encoded() throws {
        let encoder = NDJSONEncoder()
        for (venue, symbol) in [("binance", "BTC-USDT"), ("a-very-long-venue-identifier", "BTC-QQQQQQQQQQQQQQQQQQQQ-20261225-100000-C")] {
            let trade = Trade(venue: VenueID(rawValue: venue), symbol: try Symbol(symbol), price: FixedDecimal(mantissa: 15, scale: 1),
                              size: FixedDecimal(2), side: .buy, tradeID: TradeID(7), tsExchange: nil, tsRecv: 1)
            let line = encoder.line(for: .trade(trade))
            #expect(line.hasPrefix(#"{"type":"trade","venue":"\#(venue)","symbol":"\#(symbol)","price":"1.5","#), "\(line)")
        }
    }
}
