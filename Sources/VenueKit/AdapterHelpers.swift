import MarketModel

// Small pieces every adapter needs in the same form: the all-or-nothing rule of `parse`, the
// missing-field error, deterministic frame order, taker sides, millisecond times and request
// batching. Each one used to be a private copy per venue.

extension Optional {
    /// The value, or ``VenueParseError/missingField(_:)`` naming `field` (a `StaticString`: the
    /// message is built only when the field is missing).
    @inlinable @inline(__always)
    public func required(_ field: StaticString) throws(VenueParseError) -> Wrapped {
        guard let self else { throw VenueParseError.missingField(field.description) }
        return self
    }
}

extension Subscription {
    /// Channel order (`Channel.allCases`), then symbol: sorting by it makes subscribe frames
    /// independent of the caller's order (fixture replay compares every `send` line).
    public static func channelThenSymbol(_ a: Subscription, _ b: Subscription) -> Bool {
        let (i, j) = (a.channel.order, b.channel.order)
        return i != j ? i < j : a.symbol < b.symbol
    }

    /// Symbol, then channel order: for venues that list one symbol's topics together (Bybit).
    public static func symbolThenChannel(_ a: Subscription, _ b: Subscription) -> Bool {
        (a.symbol, a.channel.order) < (b.symbol, b.channel.order)
    }
}

extension Channel {
    /// The position in `Channel.allCases`, the normalized channel order.
    var order: Int { Channel.allCases.firstIndex(of: self) ?? 0 }
}

extension JSONScanner {
    /// Reads a side spelled `"buy"` / `"sell"` (Kraken, OKX, Deribit), or as the venue spells it
    /// (`buy: "Buy", sell: "Sell"` for Bybit); anything else is ``VenueParseError/Kind/invalidValue``
    /// naming `field`. Whether it is the taker's side is the venue's rule: the caller says so.
    /// `quotingValue: false` leaves the value out of the message (`expected Buy or Sell`, the text
    /// BitMEX's and Binance USD-M's adapters have always reported).
    @inlinable
    public mutating func readSide(field: StaticString, buy: StaticString = "buy", sell: StaticString = "sell",
                                  quotingValue: Bool = true) throws(VenueParseError) -> Side {
        let text = try readString()
        if text == buy { return .buy }
        if text == sell { return .sell }
        let got = quotingValue ? ", got '\(text.string)'" : ""
        throw VenueParseError.invalidValue(field.description, "expected \(buy) or \(sell)\(got)")
    }

    /// Reads a time in ms since the epoch (a JSON number or a numeric string) as ns; a value
    /// whose ns overflow `Int64` is ``VenueParseError/Kind/invalidValue`` naming `field`.
    @inlinable @inline(__always)
    public mutating func readMilliseconds(_ field: StaticString) throws(VenueParseError) -> Nanoseconds {
        try VenueTime.nanoseconds(milliseconds: readInt64(), field)
    }

    /// Reads a venue's error object, `{"code":10028,"message":"too_many_requests"}` (JSON-RPC 2.0,
    /// Deribit) or `{"code":2,"msg":"Invalid request"}` (Binance): the integer `code` and the text
    /// under `messageKey`, each `nil` when the object lacks it (a repeated member: the last one);
    /// other members are skipped.
    public mutating func readErrorObject(messageKey: StaticString) throws(VenueParseError) -> (code: Int64?, message: String?) {
        var code: Int64?, message: String?
        try beginObject()
        while let key = try nextKey() {
            if key == "code" { code = try readInt64() }
            else if key == messageKey { message = try readString().string }
            else { try skipValue() }
        }
        return (code, message)
    }

    /// Reads an object for the one member an adapter needs from it: `read` reads the value of member
    /// `key` (of the last one, if the object repeats it), and its result is returned; `nil` when
    /// the object has no such member. The other members are skipped (validated). For BitMEX's
    /// `filter.symbol` and `meta.retryAfter`, Deribit's `version` in its answer to `public/test`.
    @inlinable
    public mutating func readMember<T>(_ key: StaticString, _ read: (inout JSONScanner) throws(VenueParseError) -> T) throws(VenueParseError) -> T? {
        var value: T?
        try beginObject()
        while let k = try nextKey() {
            if k == key { value = try read(&self) } else { try skipValue() }
        }
        return value
    }

    /// Reads an array of strings, `["trades.BTC-PERPETUAL.100ms","book.BTC-PERPETUAL.100ms"]`
    /// (the channels a venue confirms); any other element is an error.
    public mutating func readStrings() throws(VenueParseError) -> [String] {
        var strings: [String] = []
        try beginArray()
        while try nextElement() { strings.append(try readString().string) }
        return strings
    }
}

/// A venue whose book levels have a form of its own rather than `[price, size]` (Deribit's
/// `["new",price,amount]`): it writes ``readLevel(_:)`` for one element and gets the array loop,
/// ``readLevels(_:into:)``, instead of writing its own copy of it. (Kraken's `{"price":P,"qty":Q}`
/// levels have the same loop but keep their own: through this one its depth row measured ~90
/// instructions more per update, the compiler laying the loop out differently.)
public protocol BookLevelForm {
    /// Reads one level, the scanner at its first byte; a malformed level throws.
    static func readLevel(_ s: inout JSONScanner) throws(VenueParseError) -> BookLevel
}

extension BookLevelForm {
    /// Reads `[level, level, ...]` into `levels` (the caller may reuse it), each element by
    /// ``readLevel(_:)``, through a ``LevelSink`` as ``JSONScanner/readLevels(into:)`` does for
    /// `[price, size]` pairs. The element reader is a static requirement, not a closure: the loop
    /// is specialized per venue with the reader inlined (a closure argument was called through a
    /// thunk per level, ~15 instructions each).
    @inlinable @inline(__always)
    public static func readLevels(_ s: inout JSONScanner, into levels: inout [BookLevel]) throws(VenueParseError) {
        try s.beginArray()
        try LevelSink.collect { sink throws(VenueParseError) in
            while try s.nextElement() { sink.append(try readLevel(&s), into: &levels) }
            sink.flush(into: &levels)
        }
    }
}

extension Optional where Wrapped == JSONString {
    /// `false` for a member that was absent (`nil`), else ``JSONString/==(_:_:)``: `event == "depthUpdate"`
    /// without unwrapping first.
    @inlinable @inline(__always)
    public static func == (lhs: JSONString?, rhs: StaticString) -> Bool {
        guard let lhs else { return false }
        return lhs == rhs
    }
}

/// Venue time conversions.
public enum VenueTime {
    /// ms → ns; overflow is an error, not a trap (a corrupt time must not crash the feed).
    @inlinable @inline(__always)
    public static func nanoseconds(milliseconds ms: Int64, _ field: StaticString) throws(VenueParseError) -> Nanoseconds {
        let (ns, overflow) = ms.multipliedReportingOverflow(by: 1_000_000)
        guard !overflow else { throw VenueParseError.invalidValue(field.description, "\(ms) ms does not fit in ns") }
        return ns
    }
}

extension OutboundMessage {
    /// Splits request arguments into consecutive batches of at most `maxCount` items and at most
    /// `maxBytes` UTF-8 bytes (counting one separator per item), for venues that cap one request
    /// (Bybit spot ≤ 10 args, OKX < 64 KB). An item larger than `maxBytes` gets a batch of its own.
    public static func batches(_ items: [String], maxCount: Int = .max, maxBytes: Int = .max) -> [[String]] {
        var batches: [[String]] = []
        var size = 0
        for item in items {
            let bytes = item.utf8.count + 1
            if batches.isEmpty || batches[batches.count - 1].count >= maxCount || size + bytes - 1 > maxBytes {
                batches.append([])
                size = 0
            }
            batches[batches.count - 1].append(item)
            size += bytes
        }
        return batches
    }
}

/// Level storage for both sides of a book, reused from one book message to the next (see
/// ``LevelScratch``): `take()` at the start of a message, `keep(_:_:)` once the levels are read.
/// A venue that only learns from a level array's own key which side it is (Binance reuses `b`
/// and `a` for other fields) takes and keeps one side at a time through ``bids`` and ``asks``.
public struct BookScratch: Sendable {
    /// Bid storage.
    public var bids = LevelScratch()
    /// Ask storage.
    public var asks = LevelScratch()

    /// Empty scratch.
    @inlinable
    public init() {}

    /// Empty bid and ask arrays with the previous message's storage.
    @inlinable @inline(__always)
    public mutating func take() -> (bids: [BookLevel], asks: [BookLevel]) { (bids.take(), asks.take()) }

    /// Remembers the arrays handed to the pipeline, for the next ``take()``.
    @inlinable @inline(__always)
    public mutating func keep(_ bids: [BookLevel], _ asks: [BookLevel]) {
        self.bids.keep(bids)
        self.asks.keep(asks)
    }
}

extension BookMessage {
    /// A book message built in one step: the ``BookUpdate`` fields, then the venue's numbers.
    @inlinable @inline(__always)
    public init(venue: VenueID, symbol: Symbol, isSnapshot: Bool, bids: [BookLevel], asks: [BookLevel], tsExchange: Nanoseconds?,
                tsRecv: Nanoseconds, sequencing: BookSequencing, checksum: BookChecksum? = nil) {
        self.init(update: BookUpdate(venue: venue, symbol: symbol, isSnapshot: isSnapshot, bids: bids, asks: asks,
                                     tsExchange: tsExchange, tsRecv: tsRecv),
                  sequencing: sequencing, checksum: checksum)
    }
}

extension VenueOutput {
    /// `.subscribed` for subscriptions the venue confirmed (empty when the ack only echoes `requestID`).
    public static func acknowledged(_ subscriptions: [Subscription], requestID: String? = nil) -> VenueOutput {
        .subscribed(SubscriptionAck(subscriptions: subscriptions, requestID: requestID))
    }

    /// `.subscribed` for a refusal, with the venue's reason.
    public static func refused(_ subscriptions: [Subscription] = [], requestID: String? = nil, message: String) -> VenueOutput {
        .subscribed(SubscriptionAck(subscriptions: subscriptions, isSuccess: false, requestID: requestID, message: message))
    }
}

/// An adapter whose subscribe and unsubscribe frames are one request with another verb (Kraken,
/// OKX, Coinbase, Deribit): it writes ``frames(for:subscribe:)`` once and gets
/// ``VenueAdapter/subscribeFrames(for:)`` and ``VenueAdapter/unsubscribeFrames(for:)`` from it.
public protocol SymmetricSubscriptions: VenueAdapter {
    /// The frames that subscribe (`subscribe` is `true`) or unsubscribe `subscriptions`.
    mutating func frames(for subscriptions: [Subscription], subscribe: Bool) -> [OutboundMessage]
}

extension SymmetricSubscriptions {
    /// ``frames(for:subscribe:)`` with `subscribe: true`.
    public mutating func subscribeFrames(for subscriptions: [Subscription]) -> [OutboundMessage] {
        frames(for: subscriptions, subscribe: true)
    }

    /// ``frames(for:subscribe:)`` with `subscribe: false`.
    public mutating func unsubscribeFrames(for subscriptions: [Subscription]) -> [OutboundMessage] {
        frames(for: subscriptions, subscribe: false)
    }
}

/// An adapter whose venue names are exactly its symbol table's (Binance, Bybit, Kraken, OKX,
/// Bitfinex): it builds ``symbols`` from its configuration and gets
/// ``VenueAdapter/venueSymbol(for:)`` and ``VenueAdapter/symbol(forVenueSymbol:)`` from it. (Deribit,
/// BitMEX and Coinbase also name instruments they were not configured with, so they write both.)
public protocol SymbolTableNaming: VenueAdapter {
    /// The configured symbols and their venue names.
    var symbols: VenueSymbolMap { get }
}

extension SymbolTableNaming {
    /// The symbol's venue name in ``symbols``.
    public func venueSymbol(for symbol: Symbol) -> String? { symbols.venueName(for: symbol) }

    /// The configured symbol of a venue name.
    public func symbol(forVenueSymbol venueSymbol: String) -> Symbol? { symbols.symbol(forVenueName: venueSymbol) }
}

extension VenueAdapterConfiguration {
    /// `options[key]` when it is one of the values the venue offers, else `nil` (the caller's
    /// default then applies: an unknown value never reaches a subscribe frame).
    public func option(_ key: String, oneOf allowed: [String]) -> String? {
        options[key].flatMap { allowed.contains($0) ? $0 : nil }
    }

    /// ``bookDepth`` when it is one of the depths the venue offers, else `nil` (the caller's default).
    public func bookDepth(oneOf allowed: [Int]) -> Int? {
        bookDepth.flatMap { allowed.contains($0) ? $0 : nil }
    }
}
