import MarketModel

/// What one `subscribe` asks for: a venue, channel and symbol pattern (SPEC §5), each possibly
/// with `*` wildcards.
///
/// Status events may concern a whole venue (no symbol) or every channel of a symbol (no channel);
/// such an event matches every filter whose venue pattern matches, since it concerns the streams
/// the filter selects. `order` events never match a filter: they go only to the connection that
/// placed the order.
public struct SubscriptionFilter: Sendable, Hashable, CustomStringConvertible {
    /// The venue pattern (`"binance"`, `"*"`).
    public var venue: SubscriptionPattern
    /// The channel pattern (`"book"`, `"*"`).
    public var channel: SubscriptionPattern
    /// The symbol pattern (`"BTC-USDT"`, `"BTC-*"`, `"*"`).
    public var symbol: SubscriptionPattern

    /// A filter from three patterns; omitted ones match everything.
    public init(venue: SubscriptionPattern = .any, channel: SubscriptionPattern = .any, symbol: SubscriptionPattern = .any) {
        self.venue = venue
        self.channel = channel
        self.symbol = symbol
    }

    /// Everything this instance serves.
    public static let everything = SubscriptionFilter()

    /// Whether a stream (or, with `nil` parts, a status about many streams) is selected.
    public func matches(venue: VenueID, channel: Channel?, symbol: Symbol?) -> Bool {
        guard self.venue.matches(venue.rawValue) else { return false }
        if let channel, !self.channel.matches(channel.rawValue) { return false }
        if let symbol, !self.symbol.matches(symbol.rawValue) { return false }
        return true
    }

    /// Whether `event` is delivered to a subscriber with this filter.
    public func matches(_ event: MarketEvent) -> Bool {
        if case .order = event { return false }
        return matches(venue: event.venue, channel: event.channel, symbol: event.symbol)
    }

    /// Whether the book of `key` is selected.
    public func matchesBook(_ key: BookKey) -> Bool {
        matches(venue: key.venue, channel: .book, symbol: key.symbol)
    }

    /// The request line for this filter (`{"op":"subscribe","id":..,"venue":..,"channel":..,"symbol":..}`
    /// plus `\n`), as a client sends it. `op` is `"subscribe"` or `"unsubscribe"`.
    public func requestLine(op: String = "subscribe", id: String) -> [UInt8] {
        var line: [UInt8] = []
        line.append(contentsOf: #"{"op":"#.utf8)
        NDJSONEncoder.string(op, &line)
        line.append(contentsOf: #","id":"#.utf8)
        NDJSONEncoder.string(id, &line)
        appendFields(to: &line)
        line.append(contentsOf: "}\n".utf8)
        return line
    }

    /// Appends `,"venue":..,"channel":..,"symbol":..`.
    func appendFields(to line: inout [UInt8]) {
        line.append(contentsOf: #","venue":"#.utf8)
        NDJSONEncoder.string(venue.text, &line)
        line.append(contentsOf: #","channel":"#.utf8)
        NDJSONEncoder.string(channel.text, &line)
        line.append(contentsOf: #","symbol":"#.utf8)
        NDJSONEncoder.string(symbol.text, &line)
    }

    /// `venue/channel/symbol`, for messages.
    public var description: String { "\(venue)/\(channel)/\(symbol)" }
}
