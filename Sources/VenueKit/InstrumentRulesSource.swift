import MarketModel

/// The trading rules of one instrument, as the venue publishes them (Binance `exchangeInfo`
/// `PRICE_FILTER`/`LOT_SIZE`, OKX `tickSz`/`lotSz`/`minSz`, ...) or the configuration gives them.
/// Adapters parse them and the configuration overrides them here in VenueKit; `Orders` adds the
/// checks every new order passes before anything is queued (`check(price:)`, `check(size:)`), so a
/// request the venue would refuse for its shape never costs rate-limit budget.
public struct InstrumentRules: Sendable, Hashable, CustomStringConvertible {
    /// Price increment: a limit price must be an exact multiple of it.
    public var tickSize: Price
    /// Size increment (a size must be a multiple of it).
    public var lotSize: Size
    /// Smallest size accepted.
    public var minSize: Size
    /// Largest size accepted, when the venue caps it.
    public var maxSize: Size?
    /// At most this many significant digits in a price (Bitfinex: 5), when the venue counts them
    /// instead of (or as well as) a fixed tick.
    public var priceSignificantDigits: Int?

    /// Coarser ticks for higher prices (Deribit `tick_size_steps`), by ascending ``TickStep/abovePrice``;
    /// empty when one tick applies to every price.
    public var tickSteps: [TickStep]

    /// Memberwise initializer. `tickSize` and `lotSize` must be positive (a zero step would make
    /// every value "a multiple"; the order checks treat a non-positive step as "no rule").
    /// `tickSteps` may come in any order; they are kept sorted by price.
    public init(tickSize: Price, lotSize: Size, minSize: Size, maxSize: Size? = nil, priceSignificantDigits: Int? = nil,
                tickSteps: [TickStep] = []) {
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minSize = minSize
        self.maxSize = maxSize
        self.priceSignificantDigits = priceSignificantDigits
        self.tickSteps = tickSteps.sorted { $0.abovePrice < $1.abovePrice }
    }

    /// The tick a limit price of `price` must sit on: the step of the highest ``TickStep/abovePrice``
    /// below `price`, else ``tickSize``.
    public func tickSize(at price: Price) -> Price {
        var tick = tickSize
        for step in tickSteps where price > step.abovePrice { tick = step.tickSize }
        return tick
    }

    /// `tick 0.01, lot 0.00001, min 0.00001[, max 9000][, 5 significant digits][, tick 0.0005 above 0.005]`.
    public var description: String {
        "tick \(tickSize), lot \(lotSize), min \(minSize)" + (maxSize.map { ", max \($0)" } ?? "")
            + (priceSignificantDigits.map { ", \($0) significant digits" } ?? "")
            + tickSteps.map { ", tick \($0.tickSize) above \($0.abovePrice)" }.joined()
    }
}

/// A coarser price tick that applies above a price (Deribit `tick_size_steps`: "the price from which
/// the increased tick size applies").
public struct TickStep: Sendable, Hashable {
    /// Prices strictly above this use ``tickSize``.
    public var abovePrice: Price
    /// The tick above ``abovePrice`` (a multiple of the instrument's base tick).
    public var tickSize: Price

    /// Memberwise initializer.
    public init(abovePrice: Price, tickSize: Price) {
        self.abovePrice = abovePrice
        self.tickSize = tickSize
    }
}

/// One public REST request for trading rules and the symbols its reply must cover.
public struct InstrumentRulesRequest: Sendable, Hashable {
    /// The request (a public GET; no credentials).
    public var request: RESTRequest
    /// The normalized symbols the reply is expected to describe.
    public var symbols: [Symbol]

    /// Memberwise initializer.
    public init(request: RESTRequest, symbols: [Symbol]) {
        self.request = request
        self.symbols = symbols
    }
}

/// Why a venue's trading rules could not be read: names the venue and, where one is at fault, the symbol.
public struct InstrumentRulesError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The venue.
    public var venue: VenueID
    /// The symbol concerned, when one is.
    public var symbol: Symbol?
    /// What was wrong.
    public var message: String

    /// Creates an error.
    public init(venue: VenueID, symbol: Symbol? = nil, _ message: String) {
        self.venue = venue
        self.symbol = symbol
        self.message = message
    }

    /// `binance: BTC-USDT: not in the exchangeInfo reply`.
    public var description: String { "\(venue): " + (symbol.map { "\($0): " } ?? "") + message }
}

/// The sans-IO half of loading trading rules (issue #6): an adapter says which public REST requests
/// describe its configured symbols and parses each reply into rules per normalized symbol. The
/// caller performs the requests (``OrderGateway`` assembly over `Transport.HTTPClient`), so replies
/// recorded from the venue replay exactly in tests.
public protocol InstrumentRulesSource: Sendable {
    /// The venue.
    static var instrumentRulesVenue: VenueID { get }

    /// The production REST base the requests go to unless the configuration overrides it.
    static var instrumentRulesBaseURL: String { get }

    /// Made like the market-data adapter: the configured symbols and options.
    init(configuration: VenueAdapterConfiguration)

    /// The requests that together cover every configured symbol the venue can name, against
    /// `restBaseURL` (the venue's production base, or an override such as the simulator's).
    func instrumentRulesRequests(restBaseURL: String) -> [InstrumentRulesRequest]

    /// Rules for every symbol of `request` from its reply `body`; a symbol the reply does not
    /// describe, malformed JSON or a field that is not a decimal is an error naming venue and symbol.
    func parseInstrumentRules(_ body: UnsafeRawBufferPointer, for request: InstrumentRulesRequest) throws(InstrumentRulesError) -> [Symbol: InstrumentRules]
}

extension InstrumentRulesSource {
    /// Convenience for tests and cold paths: parses a `String` reply.
    public func parseInstrumentRules(_ text: String, for request: InstrumentRulesRequest) throws(InstrumentRulesError) -> [Symbol: InstrumentRules] {
        var copy = text
        var result: Result<[Symbol: InstrumentRules], InstrumentRulesError> = .success([:])
        copy.withUTF8 { utf8 in
            do throws(InstrumentRulesError) {
                result = .success(try parseInstrumentRules(UnsafeRawBufferPointer(utf8), for: request))
            } catch {
                result = .failure(error)
            }
        }
        return try result.get()
    }
}
