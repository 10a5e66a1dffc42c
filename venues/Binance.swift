import MarketModel
import VenueKit

/// Binance spot market data over combined streams (`/stream`, every payload wrapped as
/// `{"stream":"<name>","data":{...}}`), subscribed live with `SUBSCRIBE` (BN-STR).
///
/// Books are `@depth@100ms` diffs bootstrapped from REST `GET /api/v3/depth`: `Books` buffers the
/// diffs, applies the snapshot's `lastUpdateId` and checks `U == previous u + 1`; this adapter
/// only extracts `U`/`u` (BN-STR "How to manage a local order book correctly").
public struct Binance: SymmetricSubscriptions, SymbolTableNaming {
    /// Binance spot facts (VENUES.md §1.1–1.7, BN-STR).
    public static let spec = VenueSpec(
        id: .binance, displayName: "Binance Spot",
        marketDataURLs: ["wss://stream.binance.com:9443/stream", "wss://stream.binance.com:443/stream",
                         "wss://data-stream.binance.vision/stream"],
        restBaseURL: "https://api.binance.com",
        orderEntryURL: "wss://ws-api.binance.com:443/ws-api/v3",
        channelNames: [.trades: "aggTrade", .book: "depth@100ms", .bbo: "bookTicker"],
        maxSubscriptionsPerConnection: 1024,  // BN-STR: 1024 streams per connection
        // BN-STR: 5 incoming msgs/s, pings, pongs and SUBSCRIBEs all count; a third-party client saw
        // close 1008 at 4/s and stable at 2/s [POLY], so we stay at 3.
        maxOutboundMessagesPerSecond: 3,
        keepAlive: [.serverPings(interval: Interval.seconds(20), pongWithin: Interval.minutes(1))],
        maxConnectionLifetime: Interval.hours(24),
        connectBudget: ConnectBudget(attempts: 300, window: Interval.minutes(5)),
        book: BookSpec(bootstrap: .restSnapshot))

    /// Streams per `SUBSCRIBE` frame (no documented cap; keeps frames well below any size limit).
    static let streamsPerFrame = 200

    /// Spot symbols and their names, `BTC-USDT` ↔ `BTCUSDT` (``SymbolTableNaming``).
    public internal(set) var symbols = VenueSymbolMap()
    /// Request ids and the subscriptions each `SUBSCRIBE`/`UNSUBSCRIBE` waits to have acknowledged.
    var pending = PendingRequests()
    /// Whether trades try the ``LayoutReader`` lane first (tests turn it off to compare lanes).
    var usesLayoutLane = true
    /// Level storage reused by `depthUpdate` payloads.
    var levels = BookScratch()
    let tradeStream: String
    let restBaseURL: String
    let depthLimit: Int

    /// Spot symbols only (`BTC-USDT` → `BTCUSDT`). Options: `trades: trade` uses `@trade` (every
    /// fill) instead of `@aggTrade`; `rest_url` overrides the REST base. `bookDepth` is the REST
    /// snapshot limit (1…5000, default 1000).
    public init(configuration: VenueAdapterConfiguration) {
        symbols = VenueSymbolMap(configuration.symbols) { $0.kind == .spot ? $0.base + $0.quote : nil }
        tradeStream = configuration.option("trades", oneOf: ["trade", "aggTrade"]) ?? "aggTrade"
        restBaseURL = configuration.options["rest_url"] ?? Self.spec.restBaseURL ?? ""
        depthLimit = min(max(configuration.bookDepth ?? 1000, 1), 5000)
    }

    /// `{"method":"SUBSCRIBE","params":["btcusdt@aggTrade","btcusdt@depth@100ms"],"id":1}`, or
    /// `"UNSUBSCRIBE"` with the same params.
    public mutating func frames(for subscriptions: [Subscription], subscribe: Bool) -> [OutboundMessage] {
        Binance.requestFrames(subscribe: subscribe, subscriptions, symbols: symbols,
                              pending: &pending) { $0 == .trades ? tradeStream : Self.spec.channelNames[$0] }
    }

    /// `GET /api/v3/depth?symbol=BTCUSDT&limit=1000`; weight 5/25/50/250 for limits up to
    /// 100/500/1000/5000 (BN REST "Order book").
    public func snapshotRequest(for symbol: Symbol) -> RESTRequest? {
        guard let name = symbols.venueName(for: symbol) else { return nil }
        let weight = depthLimit <= 100 ? 5 : depthLimit <= 500 ? 25 : depthLimit <= 1000 ? 50 : 250
        return RESTRequest(url: "\(restBaseURL)/api/v3/depth?symbol=\(name)&limit=\(depthLimit)", weight: weight)
    }

    /// `{"lastUpdateId":1027024,"bids":[["4.00000000","431.00000000"]],"asks":[["4.00000200","12.00000000"]]}`
    public func parseRESTSnapshot(symbol: Symbol, body: UnsafeRawBufferPointer,
                                  context: ParseContext) throws(VenueParseError) -> BookMessage {
        try Binance.parseDepthSnapshot(venue: Self.spec.id, symbol: symbol, body: body, context: context)
    }

    /// Parses one frame. Payloads this adapter reads (inside the combined-stream wrapper):
    /// ```
    /// {"e":"aggTrade","E":1633998523963,"s":"NKNUSDT","a":15683430,"p":"0.35280000","q":"58.00000000","f":19862790,"l":19862790,"T":1633998523963,"m":false,"M":true}
    /// {"e":"trade","E":1672515782136,"s":"BNBBTC","t":12345,"p":"0.001","q":"100","T":1672515782136,"m":true,"M":true}
    /// {"e":"depthUpdate","E":1633998512568,"s":"NKNUSDT","U":499869753,"u":499869754,"b":[["0.35170000","4265.00000000"]],"a":[["0.35290000","10968.00000000"]]}
    /// {"u":400900217,"s":"BNBUSDT","b":"25.35190000","B":"31.21000000","a":"25.36520000","A":"40.66000000"}
    /// {"e":"serverShutdown","E":1770123456789}
    /// ```
    public mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                               into output: inout VenueOutputs) throws(VenueParseError) {
        if usesLayoutLane, Binance.layoutAggTrade(message, venue: Self.spec.id, symbols: &symbols, context: context, into: &output) { return }
        var p = BinancePayload()
        guard try Binance.readFrame(message, pending: &pending, levels: &levels, payload: &p, into: &output) else { return }
        let venue = Self.spec.id
        if p.event == "aggTrade" || p.event == "trade" {
            // Spot trade time `T` is the fill time; `m` (buyer is maker) means the taker sold.
            output.append(try p.trade(venue: venue, symbols: &symbols, context: context))
        } else if p.event == "depthUpdate" {
            guard let first = p.firstUpdateID, let last = p.lastUpdateID else { throw .missingField("U/u") }
            output.append(.book(try p.book(venue: venue, symbols: &symbols, time: p.eventTime,
                                            sequencing: .binanceSpot(firstUpdateID: first, lastUpdateID: last), context: context)))
        } else if p.event == nil, p.bidPrice != nil {
            // Spot `@bookTicker` has no `e` and no time (BN-STR).
            output.append(.bbo(try p.bbo(venue: venue, symbols: &symbols, time: nil, context: context)))
        } else if p.event == "serverShutdown" {
            output.append(.reconnectRequested(reason: "serverShutdown"))
        } else {
            throw .unexpected("Binance event '\(p.event?.string ?? "<none>")'")
        }
    }
}
