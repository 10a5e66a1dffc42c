import MarketModel
import VenueKit

/// BitMEX realtime market data (VENUES.md §7): `{"op":"subscribe"}` topics `trade`, `orderBookL2_25`
/// (or `orderBookL2` when a depth above 25 is configured), `quote`, `funding` and `liquidation`,
/// each filtered by symbol; text `ping` → `pong` keep-alive.
///
/// The L2 tables have no sequence numbers: a `partial` image, then `insert`/`update`/`delete` rows
/// keyed by `id`. Each id is one price level on one side, so the adapter keeps the id → side and
/// price map per symbol and turns every row into an absolute price-level delta (delete = size 0).
/// A row for an id the map does not hold means the book diverged: the adapter drops that symbol's
/// id map and reports `.bookInvalidated`; `Books` marks it resyncing and resubscribes its topic for a
/// fresh partial (BMX-AC: "rebuild from a fresh partial").
///
/// Symbols: `XBT` is BTC. Perpetuals `XBTUSD` → `BTC-USD-PERP`, `ETHUSDT` → `ETH-USDT-PERP`; futures
/// expire on the month's last Friday: `XBTZ26` → `BTC-USD-20261225`, `XBTUSDTZ26` → `BTC-USDT-20261225`
/// (a bare non-XBT root is XBT-quoted: `ETHZ26` → `ETH-BTC-20261225`); spot `XBT_USDT` → `BTC-USDT`.
public struct BitMEX: SymmetricSubscriptions {
    /// Static facts from VENUES.md §7.1 and BitMEX's rate-limit announcements (BMX-RL).
    public static let spec = VenueSpec(
        id: .bitmex, displayName: "BitMEX", marketDataURLs: ["wss://ws.bitmex.com/realtime"],
        channelNames: [.trades: "trade", .book: "orderBookL2_25", .bbo: "quote", .funding: "funding",
                       .liquidations: "liquidation"],
        // No published cap; subscriptions are not rate-limited once connected (BMX-WS).
        maxSubscriptionsPerConnection: 100,
        // No WS message limit is published; 10/s mirrors the REST burst limiter.
        maxOutboundMessagesPerSecond: 10,
        // BMX-AC #Heartbeats: send `ping` after 5 s without a message, expect `pong`.
        keepAlive: [.applicationPing(payload: "ping", every: Interval.seconds(5))],
        // blog.bitmex.com "Updates to Rate Limits": 60 WebSocket connections per hour.
        connectBudget: ConnectBudget(attempts: 60, window: Interval.hours(1)),
        // One action per message: a level that moves arrives as insert then delete, so a book may
        // be crossed for a message or two.
        book: BookSpec(bootstrap: .streamSnapshot, crossedTolerance: 2))

    /// One parsed book row, checked before the book state changes. Its symbol is an index into
    /// ``rowSymbols`` (the message's symbols; usually one, repeated by every row).
    typealias Row = LevelIDMap.Row

    var symbols = VenueSymbolMap()
    /// Whether trades try the `LayoutReader` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// The trade lane's RFC 3339 reader (remembers the last date and hour).
    var clock = RFC3339Clock()
    /// `orderBookL2_25` (top 25, throttled) unless `bookDepth` > 25 asks for full-depth `orderBookL2`.
    let bookTable: String
    /// id → level per symbol, keyed by the `orderBookL2` row `id` (an integer in every BitMEX L2
    /// schema, BMX-ID); a symbol's map is live only between its partial and a divergence.
    var idMaps = SymbolSlots<LevelIDMap>()
    /// The current message's book rows, checked before any id map changes.
    var rows: [Row] = []
    /// The symbols of ``rows``, in order of first appearance (``LevelIDMap/Row/symbolIndex`` indexes it).
    var rowSymbols: [Symbol] = []
    /// Level storage reused from one book message to the next.
    var scratch = BookScratch()

    /// Builds the symbol table and picks the book table from `bookDepth`.
    public init(configuration: VenueAdapterConfiguration) {
        bookTable = (configuration.bookDepth ?? 25) > 25 ? "orderBookL2" : "orderBookL2_25"
        symbols = VenueSymbolMap(configuration.symbols) { venueSymbol(for: $0) }
    }

    static let quotes = ["USDT", "USDC", "USD", "EUR", "XBT"]

    /// `BTC-USD-PERP` → `XBTUSD`; futures only when the expiry is the month's last Friday (their
    /// month code and year, ``ExpiryDate/monthCode``).
    public func venueSymbol(for symbol: Symbol) -> String? {
        func venue(_ asset: String) -> String { asset == "BTC" ? "XBT" : asset }
        let base = venue(symbol.base), quote = venue(symbol.quote)
        switch symbol.kind {
        case .spot: return "\(base)_\(quote)"
        case .perpetual: return "\(base)\(quote)"
        case .future:
            guard let expiry = symbol.expiry.flatMap({ ExpiryDate($0) }), expiry.isLastFriday else { return nil }
            let root = base == "XBT" && quote == "USD" || base != "XBT" && quote == "XBT" ? base : base + quote
            return "\(root)\(expiry.monthCode)"
        case .option: return nil
        }
    }

    /// Parses `XBTUSD`, `XBTUSDTZ26`, `XBT_USDT` (see the type's documentation).
    public func symbol(forVenueSymbol venueSymbol: String) -> Symbol? {
        if let known = symbols.symbol(forVenueName: venueSymbol) { return known }
        func norm(_ asset: Substring) -> String { asset == "XBT" ? "BTC" : String(asset) }
        func split(_ root: Substring) -> (Substring, Substring)? {
            for q in Self.quotes where root.hasSuffix(q) && root.count > q.count { return (root.dropLast(q.count), root.suffix(q.count)) }
            return nil
        }
        let pair = venueSymbol.split(separator: "_")
        if pair.count == 2 { return try? Symbol("\(norm(pair[0]))-\(norm(pair[1]))") }
        if let expiry = ExpiryDate(monthCode: venueSymbol.suffix(3)) {
            let root = venueSymbol.dropLast(3)
            let (base, quote) = split(root) ?? (root, root == "XBT" ? "USD" : "XBT")
            return try? Symbol("\(norm(base))-\(norm(quote))-\(expiry)")
        }
        return split(Substring(venueSymbol)).flatMap { try? Symbol("\(norm($0.0))-\(norm($0.1))-PERP") }
    }

    func topic(_ sub: Subscription) -> String? {
        guard let table = sub.channel == .book ? bookTable : Self.spec.channelNames[sub.channel],
              let name = venueSymbol(for: sub.symbol) else { return nil }
        return "\(table):\(name)"
    }

    /// All topics in one `subscribe` (BMX-WS: one ack per topic comes back) or `unsubscribe`; an
    /// unsubscribed book forgets its id map (the next subscribe sends a partial).
    public mutating func frames(for subscriptions: [Subscription], subscribe: Bool) -> [OutboundMessage] {
        for sub in subscriptions where !subscribe && sub.channel == .book {
            if let slot = idMaps.slot(of: sub.symbol) { idMaps[slot].forget() }
        }
        let topics = subscriptions.compactMap(topic).map { "\"\($0)\"" }
        guard !topics.isEmpty else { return [] }
        return [OutboundMessage(text: #"{"op":"\#(subscribe ? "subscribe" : "unsubscribe")","args":[\#(topics.joined(separator: ","))]}"#)]
    }
}
