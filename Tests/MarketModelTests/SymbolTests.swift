import Testing
@testable import MarketModel

@Suite("Symbol")
struct SymbolTests {
    static let valid: [(String, SymbolKind)] = [
        ("BTC-USDT", .spot), ("BTC-USDT-PERP", .perpetual), ("BTC-USD-20261225", .future),
        ("BTC-USD-20261225-100000-C", .option), ("ETH-USD-20260626-2.5-P", .option), ("1INCH-USDT", .spot),
    ]

    @Test("accepts normalized symbols", arguments: valid)
    func accepts(text: String, kind: SymbolKind) throws {
        let s = try Symbol(text)
        #expect(s.kind == kind)
        #expect(s.rawValue == text)
    }

    @Test("rejects other forms", arguments: ["BTCUSDT", "btc-usdt", "BTC-", "BTC-USDT-SWAP", "BTC-USD-2026122",
                                            "BTC-USD-20261225-100000-X", "BTC-USD-20261225-C", "BTC-USD-PERP-1", ""])
    func rejects(text: String) {
        #expect(throws: SymbolError.self) { try Symbol(text) }
    }

    @Test("exposes components")
    func components() throws {
        let o = try Symbol("BTC-USD-20261225-100000-C")
        #expect(o.base == "BTC")
        #expect(o.quote == "USD")
        #expect(o.expiry == "20261225")
        #expect(o.strike == FixedDecimal(100_000))
        #expect(o.isCall == true)
        #expect(try Symbol("BTC-USDT").expiry == nil)
        #expect(try Symbol.perpetual(base: "ETH", quote: "USDT").rawValue == "ETH-USDT-PERP")
    }

    @Test("order states know which are terminal")
    func terminalStates() {
        let terminal = OrderState.allCases.filter(\.isTerminal)
        #expect(Set(terminal) == [.filled, .canceled, .rejected, .expired])
        #expect(OrderState.partiallyFilled.rawValue == "partially_filled")
    }
}
