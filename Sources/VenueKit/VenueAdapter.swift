import MarketModel

/// What a venue adapter is made from: the symbols it will be asked about and options.
public struct VenueAdapterConfiguration: Sendable {
    /// The normalized symbols configured for the venue (build symbol tables from these).
    public var symbols: [Symbol]
    /// Subscribed book depth, when the venue lets us choose (Kraken 10/25/100/500/1000).
    public var bookDepth: Int?
    /// Free-form venue options from configuration (`"category": "linear"`).
    public var options: [String: String]

    /// Memberwise initializer.
    public init(symbols: [Symbol], bookDepth: Int? = nil, options: [String: String] = [:]) {
        self.symbols = symbols
        self.bookDepth = bookDepth
        self.options = options
    }
}

/// The contract every venue adapter implements: a pure function from venue bytes to normalized
/// outputs, plus the frames to subscribe. Adapters do no I/O, read no clock and keep only parse
/// state (e.g. Bitfinex channel ids), so a recorded session replays exactly (ARCHITECTURE rule 2).
///
/// The session layer makes one adapter value per connection, sends ``sessionStartFrames()`` and
/// ``subscribeFrames(for:)`` after connecting, and calls ``parse(_:context:into:)`` for every
/// complete message. Book outputs go to `Books`, the rest to the guards and fan-out.
///
/// Parsing rules: read with ``JSONScanner`` straight from the bytes (no Foundation); stamp every
/// event with `context.tsRecv`; keep the venue's decimal digits (``FixedDecimal``); append to
/// `output` (the caller reuses it); throw ``VenueParseError`` for anything malformed — never
/// crash, never emit half-parsed events (append only after the whole event parsed).
public protocol VenueAdapter: Sendable {
    /// The venue's static facts.
    static var spec: VenueSpec { get }

    /// Creates an adapter for one connection.
    init(configuration: VenueAdapterConfiguration)

    /// The venue's name for a normalized symbol (`BTC-USDT` → `BTCUSDT`), or `nil` if the venue
    /// has no such instrument.
    func venueSymbol(for symbol: Symbol) -> String?

    /// The normalized symbol for a venue name, or `nil` if unknown.
    func symbol(forVenueSymbol venueSymbol: String) -> Symbol?

    /// Frames to send once right after connecting, before any subscription (Bitfinex `conf`
    /// flags, Deribit `set_heartbeat`, Coinbase `heartbeats`). Default: none.
    func sessionStartFrames() -> [OutboundMessage]

    /// Frames that subscribe `subscriptions` (already within the per-connection cap), batched as
    /// the venue allows (Coinbase one channel per message, Bybit spot ≤ 10 args).
    mutating func subscribeFrames(for subscriptions: [Subscription]) -> [OutboundMessage]

    /// Frames that unsubscribe `subscriptions`.
    mutating func unsubscribeFrames(for subscriptions: [Subscription]) -> [OutboundMessage]

    /// Parses one complete WebSocket message, appending what it contains to `output`.
    mutating func parse(_ message: UnsafeRawBufferPointer, context: ParseContext,
                        into output: inout VenueOutputs) throws(VenueParseError)

    /// The REST request for a book snapshot of `symbol`, for venues whose
    /// ``BookSpec/bootstrap`` is ``BookBootstrap/restSnapshot``. Default: `nil`.
    func snapshotRequest(for symbol: Symbol) -> RESTRequest?

    /// Parses a REST snapshot body (from ``snapshotRequest(for:)``) into a snapshot
    /// ``BookMessage`` with ``BookSequencing/restSnapshot(lastUpdateID:)``. Default: throws.
    func parseRESTSnapshot(symbol: Symbol, body: UnsafeRawBufferPointer, context: ParseContext) throws(VenueParseError) -> BookMessage
}

extension VenueAdapter {
    /// No start frames.
    public func sessionStartFrames() -> [OutboundMessage] { [] }

    /// No REST snapshots.
    public func snapshotRequest(for symbol: Symbol) -> RESTRequest? { nil }

    /// No REST snapshots.
    public func parseRESTSnapshot(symbol: Symbol, body: UnsafeRawBufferPointer, context: ParseContext) throws(VenueParseError) -> BookMessage {
        throw VenueParseError.unexpected("\(Self.spec.id) has no REST book snapshots")
    }

    /// Convenience for tests and cold paths: parses a `String` message and returns the outputs.
    /// The outputs come as ``VenueOutputs/all``: the message's other outputs, then its trades.
    public mutating func parse(_ text: String, context: ParseContext) throws(VenueParseError) -> [VenueOutput] {
        var output = VenueOutputs()
        var copy = text
        var failure: VenueParseError?
        copy.withUTF8 { utf8 in
            do throws(VenueParseError) {
                try self.parse(UnsafeRawBufferPointer(utf8), context: context, into: &output)
            } catch {
                failure = error
            }
        }
        if let failure { throw failure }
        return output.all
    }
}
