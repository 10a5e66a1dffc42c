import MarketModel
import VenueKit

/// Binance USD-M futures market data: perpetuals (`BTC-USDT-PERP` ↔ `BTCUSDT`) and quarterly
/// contracts (`BTC-USDT-20261225` ↔ `BTCUSDT_261225`) over combined streams.
///
/// Books are `@depth@100ms` diffs bootstrapped from REST `GET /fapi/v1/depth`; unlike spot the ids
/// are not contiguous, so `Books` checks `pu == previous u` (BN-FUT-OB). Funding comes from
/// `@markPrice`, liquidations from `@forceOrder`.
///
/// Routing (BN-CAAS, 2025+): `fstream.binance.com` serves `@depth`/`@bookTicker` on `/public` and
/// `@aggTrade`/`@markPrice`/`@forceOrder` on `/market`; a path-less connection silently gets only
/// `/public` data. `VenueSpec` has one URL list, so the primary is `/public` and
/// ``marketDataURL(for:)`` names the route per channel for a session layer that shards by it.
public struct BinanceFutures: SymmetricSubscriptions, SymbolTableNaming {
    /// Binance USD-M facts (VENUES.md §1, BN-FUT-MS, BN-FUT-OB, BN-CAAS).
    public static let spec = VenueSpec(
        id: .binanceFutures, displayName: "Binance USD-M Futures",
        marketDataURLs: ["wss://fstream.binance.com/public/stream"],
        restBaseURL: "https://fapi.binance.com",
        orderEntryURL: "wss://ws-fapi.binance.com/ws-fapi/v1",
        channelNames: [.trades: "aggTrade", .book: "depth@100ms", .bbo: "bookTicker",
                       .funding: "markPrice", .liquidations: "forceOrder"],
        maxSubscriptionsPerConnection: 200,  // BN-FUT-MS market-streams page: 200 streams per connection
        maxOutboundMessagesPerSecond: 10,    // BN-FUT-MS: 10 incoming messages/s (pongs count)
        keepAlive: [.serverPings(interval: Interval.minutes(3), pongWithin: Interval.minutes(10))],
        // `@forceOrder` pushes only when a liquidation happens (≤ 1 per symbol per 1000 ms), so
        // silence is normal there; `@markPrice` arrives every 3 s.
        staleAfter: [.liquidations: Interval.hours(24), .funding: Interval.seconds(15)],
        maxConnectionLifetime: Interval.hours(24),
        // Not stated for USD-M in VENUES.md; spot's 300 attempts / 5 min / IP used as the cap.
        connectBudget: ConnectBudget(attempts: 300, window: Interval.minutes(5)),
        book: BookSpec(bootstrap: .restSnapshot))

    /// The routed endpoint for `channel` (BN-CAAS): high-frequency data on `/public`, the rest on `/market`.
    public static func marketDataURL(for channel: Channel) -> String {
        channel == .book || channel == .bbo ? "wss://fstream.binance.com/public/stream" : "wss://fstream.binance.com/market/stream"
    }

    /// The REST depth limits USD-M accepts, with their request weights (BN-FUT "Order Book").
    static let depthLimits: [(limit: Int, weight: Int)] = [(5, 2), (10, 2), (20, 2), (50, 2), (100, 5), (500, 10), (1000, 20)]

    /// Perpetuals and dated futures and their names, `BTC-USDT-PERP` ↔ `BTCUSDT` (``SymbolTableNaming``).
    public internal(set) var symbols = VenueSymbolMap()
    /// Request ids and the subscriptions each `SUBSCRIBE`/`UNSUBSCRIBE` waits to have acknowledged.
    var pending = PendingRequests()
    /// Whether trades try the ``LayoutReader`` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// Level storage reused by `depthUpdate` payloads.
    var levels = BookScratch()
    let restBaseURL: String
    let depth: (limit: Int, weight: Int)

    /// Perpetuals and dated futures. `bookDepth` picks the smallest allowed REST limit ≥ it
    /// (default 1000); option `rest_url` overrides the REST base.
    public init(configuration: VenueAdapterConfiguration) {
        // Perpetuals `BTCUSDT`; dated futures (the kind with an expiry) `BTCUSDT_261225` (YYMMDD).
        symbols = VenueSymbolMap(configuration.symbols.filter { $0.kind == .perpetual || $0.kind == .future }) { symbol in
            symbol.expiry.map { "\(symbol.base)\(symbol.quote)_\($0.dropFirst(2))" } ?? symbol.base + symbol.quote
        }
        restBaseURL = configuration.options["rest_url"] ?? Self.spec.restBaseURL ?? ""
        depth = Self.depthLimits.first { $0.limit >= configuration.bookDepth ?? 1000 } ?? (1000, 20)
    }

    /// `{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth@100ms"],"id":1}`, or
    /// `"UNSUBSCRIBE"` with the same params.
    public mutating func frames(for subscriptions: [Subscription], subscribe: Bool) -> [OutboundMessage] {
        Binance.requestFrames(subscribe: subscribe, subscriptions, symbols: symbols, pending: &pending) { Self.spec.channelNames[$0] }
    }

    /// `GET /fapi/v1/depth?symbol=BTCUSDT&limit=1000` (weight 20).
    public func snapshotRequest(for symbol: Symbol) -> RESTRequest? {
        guard let name = symbols.venueName(for: symbol) else { return nil }
        return RESTRequest(url: "\(restBaseURL)/fapi/v1/depth?symbol=\(name)&limit=\(depth.limit)", weight: depth.weight)
    }

    /// `{"lastUpdateId":1027024,"E":1589436922972,"T":1589436922959,"bids":[["4.00000000","431.00000000"]],"asks":[...]}`
    public func parseRESTSnapshot(symbol: Symbol, body: UnsafeRawBufferPointer,
                                  context: ParseContext) throws(VenueParseError) -> BookMessage {
        try Binance.parseDepthSnapshot(venue: Self.spec.id, symbol: symbol, body: body, context: context)
    }

    /// Parses one frame. Payloads (inside `{"stream":..,"data":..}`), from BN-FUT-MS and the
    /// cryptofeed BINANCE_FUTURES capture:
    /// ```
    /// {"e":"aggTrade","E":1626992741575,"a":16599292,"s":"CTKUSDT","p":"1.01100","q":"10","f":23961322,"l":23961322,"T":1626992741421,"m":false}
    /// {"e":"depthUpdate","E":1626992741037,"T":1626992741024,"s":"SUSHIUSDT","U":600859599090,"u":600859600917,"pu":600859598061,"b":[["7.5040","813"]],"a":[["7.6150","1563"]]}
    /// {"e":"bookTicker","u":600859600576,"s":"SUSHIUSDT","b":"7.6110","B":"2","a":"7.6120","A":"297","T":1626992741012,"E":1626992741017}
    /// {"e":"markPriceUpdate","E":1562305380000,"s":"BTCUSDT","p":"11794.15000000","i":"11784.62659091","P":"11784.25641265","r":"0.00038167","T":1562306400000}
    /// {"e":"forceOrder","E":1568014460893,"o":{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}}
    /// ```
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        if usesLayoutLane, Binance.layoutAggTrade(message, venue: Self.spec.id, symbols: &symbols, context: context, into: &output) { return }
        var p = BinancePayload()
        guard try Binance.readFrame(message, pending: &pending, levels: &levels, payload: &p, into: &output) else { return }
        let venue = Self.spec.id
        if p.event == "depthUpdate" {
            guard let first = p.firstUpdateID, let last = p.lastUpdateID, let previous = p.previousUpdateID else {
                throw .missingField("U/u/pu")
            }
            // `T` is the matching-engine (transaction) time; `E` is when the event was pushed.
            let sequencing = BookSequencing.binanceFutures(firstUpdateID: first, lastUpdateID: last, previousLastUpdateID: previous)
            output.append(.book(try p.book(venue: venue, symbols: &symbols, time: p.time ?? p.eventTime, sequencing: sequencing, context: context)))
        } else if p.event == "aggTrade" || p.event == "trade" {
            output.append(try p.trade(venue: venue, symbols: &symbols, context: context))
        } else if p.event == "bookTicker" {
            output.append(.bbo(try p.bbo(venue: venue, symbols: &symbols, time: p.time ?? p.eventTime, context: context)))
        } else if p.event == "markPriceUpdate" {
            // Delivery contracts send `"r":""` and `"T":0`: they have no funding, so no event.
            guard let rate = p.fundingRate else { return }
            let symbol = try p.mappedSymbol(&symbols)
            let next = p.time.flatMap { $0 > 0 ? $0 : nil }
            output.append(.funding(Funding(venue: venue, symbol: symbol, rate: rate, nextFundingTime: try Binance.nanoseconds(next),
                                           markPrice: p.price, tsExchange: try Binance.nanoseconds(p.eventTime), tsRecv: context.tsRecv)))
        } else if p.event == "forceOrder" {
            guard var order = p.order else { throw .missingField("o") }
            output.append(.liquidation(try parseForceOrder(&order, context: context)))
        } else if p.event == "serverShutdown" {
            output.append(.reconnectRequested(reason: "serverShutdown"))
        } else {
            throw .unexpected("Binance USD-M event '\(p.event?.string ?? "<none>")'")
        }
    }

    /// `{"s":"BTCUSDT","S":"SELL","o":"LIMIT","f":"IOC","q":"0.014","p":"9910","ap":"9910","X":"FILLED","l":"0.014","z":"0.014","T":1568014460893}`:
    /// the liquidation order inside `forceOrder.o`. `S` is the liquidation order's side (SELL
    /// closes a long). Reported at its fill: average price `ap` and filled quantity `z`, falling
    /// back to the order's `p`/`q` when nothing has filled yet.
    mutating func parseForceOrder(_ s: inout JSONScanner, context: ParseContext) throws(VenueParseError) -> Liquidation {
        try s.beginObject()
        var symbol: Symbol?, side: Side?, time: Int64?
        var price: FixedDecimal?, quantity: FixedDecimal?, average: FixedDecimal?, filled: FixedDecimal?
        while let key = try s.nextKey() {
            if key == "s" { symbol = try symbols.require(try s.readString()) }
            else if key == "S" { side = try s.readSide(field: "S", buy: "BUY", sell: "SELL", quotingValue: false) }
            else if key == "p" { price = try s.readDecimal() }
            else if key == "q" { quantity = try s.readDecimal() }
            else if key == "ap" { average = try s.readDecimal() }
            else if key == "z" { filled = try s.readDecimal() }
            else if key == "T" { time = try s.readInt64() }
            else { try s.skipValue() }
        }
        try s.finish()
        return Liquidation(venue: Self.spec.id, symbol: try symbol.required("o.s"), side: try side.required("o.S"),
                           price: try (average.flatMap { $0.isZero ? nil : $0 } ?? price).required("o.ap/o.p"),
                           size: try (filled.flatMap { $0.isZero ? nil : $0 } ?? quantity).required("o.z/o.q"),
                           tsExchange: try Binance.nanoseconds(time), tsRecv: context.tsRecv)
    }
}
