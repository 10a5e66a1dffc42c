import VenueKit

/// A reading of the simulator's clocks, handed to the exchange and the dialects (STYLE habit 2).
public struct SimulatedOrderClock: Sendable, Hashable {
    /// Monotonic ns from the server's `ReplayClock` (rate-limit windows, order ages).
    public var monotonicNanoseconds: UInt64
    /// Wall-clock ms since the epoch (venue timestamps, signature freshness).
    public var epochMilliseconds: Int64

    /// Memberwise initializer.
    public init(monotonicNanoseconds: UInt64, epochMilliseconds: Int64) {
        self.monotonicNanoseconds = monotonicNanoseconds
        self.epochMilliseconds = epochMilliseconds
    }
}

/// A test account of the simulated venues. The defaults are the documented test credentials
/// (docs/simulator.md "Orders").
public struct SimulatedAccount: Sendable, Hashable {
    /// The API key (Deribit `client_id`).
    public var apiKey: String
    /// The HMAC secret (Deribit `client_secret`).
    public var secret: String
    /// OKX's passphrase.
    public var passphrase: String
    /// Kraken's WebSocket token (REST `GetWebSocketsToken` in production); the API key is accepted too.
    public var webSocketToken: String
    /// The registered Ed25519 public key of an asymmetric key (Binance `session.logon`); `nil` for HMAC keys.
    public var ed25519PublicKey: [UInt8]?

    /// Memberwise initializer.
    public init(apiKey: String, secret: String, passphrase: String = "mmx-test-passphrase", webSocketToken: String = "mmx-test-ws-token",
                ed25519PublicKey: [UInt8]? = nil) {
        self.apiKey = apiKey
        self.secret = secret
        self.passphrase = passphrase
        self.webSocketToken = webSocketToken
        self.ed25519PublicKey = ed25519PublicKey
    }

    /// `mmx-test-key` / `mmx-test-secret` / `mmx-test-passphrase` / `mmx-test-ws-token`.
    public static let test = SimulatedAccount(apiKey: "mmx-test-key", secret: "mmx-test-secret")

    /// Kraken's: `mmx-test-key` with the base64 secret `bW14LXRlc3Qtc2VjcmV0` (base64 of
    /// `mmx-test-secret`; Kraken REST keys are base64), token `mmx-test-ws-token`.
    public static let krakenTest = SimulatedAccount(apiKey: "mmx-test-key", secret: "bW14LXRlc3Qtc2VjcmV0")

    /// The seed of the Ed25519 test key: bytes 1…32 (docs/simulator.md "Orders"). Clients hold it as
    /// PEM (``ed25519TestPEM``); the venue registers only the public key, as Binance does.
    public static let ed25519TestSeed: [UInt8] = Array(1...32)

    /// ``ed25519TestSeed`` as PKCS #8 PEM (`openssl genpkey -algorithm ed25519` format): the fixed
    /// 16-byte PKCS #8 header for Ed25519 (RFC 8410) followed by the seed.
    public static let ed25519TestPEM: String = {
        let der: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20] + ed25519TestSeed
        return "-----BEGIN PRIVATE KEY-----\n" + Base64.encode(der) + "\n-----END PRIVATE KEY-----\n"
    }()

    /// Binance's Ed25519 test account `mmx-ed25519-key` (its "secret" is unused: it signs with the key).
    public static let binanceEd25519Test = SimulatedAccount(
        apiKey: "mmx-ed25519-key", secret: "", ed25519PublicKey: (try? Ed25519PrivateKey(seed: ed25519TestSeed))?.publicKey)
}

/// Counters over the venue's whole life (all connections): what the fault soak checks ("none
/// duplicated on the simulated venue": `accepted` equals the ledger size and every client id in
/// it is distinct, by construction).
public struct SimulatedExchangeCounters: Sendable, Hashable {
    /// Place requests that reached the exchange (rate-limited ones excluded).
    public var placeRequests = 0
    /// Orders accepted into the ledger.
    public var accepted = 0
    /// Place requests refused as duplicates of a client order id.
    public var duplicates = 0
    /// Place requests refused for another reason (post-only would cross, bad size or price).
    public var rejected = 0
    /// Requests refused by a rate limit (or a rate-limit storm).
    public var rateLimited = 0
    /// The part of `rateLimited` refused by an injected storm (`orders-429`), not by the venue's
    /// own limits: `rateLimited - stormRateLimited` is what the client's throttle let through too fast.
    public var stormRateLimited = 0
    /// Orders canceled.
    public var canceled = 0
    /// Cancels of unknown or already-terminal orders.
    public var cancelMisses = 0
    /// Status queries answered.
    public var statusQueries = 0
    /// Executions.
    public var fills = 0
}

/// One simulated venue's matching engine and order ledger, shared by all of that venue's order
/// connections (so a status query after a reconnect sees orders placed on the dropped one).
/// Pure and deterministic: time comes in as `SimulatedOrderClock`, ids are sequential, and every
/// change is reported as a `SimulatedOrderEvent` for the dialects to render.
///
/// Matching: a market order, or a limit order at or through the symbol's reference price, fills
/// at once at the reference price (in two executions when `splitsFills` is on); other limit
/// orders rest until canceled, or until `setReferencePrice` moves the price through them.
public struct SimulatedExchange: Sendable {
    /// Venue id.
    public let venue: String
    /// Accounts by API key.
    public let accounts: [String: SimulatedAccount]
    /// The venue's rate limits.
    public private(set) var limiter: SimulatedRateLimiter
    /// Reference prices by venue symbol; others use `defaultReferencePrice`.
    public private(set) var referencePrices: [String: SimulatedDecimal]
    /// The price for symbols without their own.
    public var defaultReferencePrice: SimulatedDecimal
    /// Fill crossing orders in two executions (half, then the rest).
    public var splitsFills: Bool
    /// Every order ever accepted, in acceptance order.
    public private(set) var ledger: [SimulatedOrder] = []
    /// Counters.
    public private(set) var counters = SimulatedExchangeCounters()
    /// Until when (monotonic ns) every request is refused as rate-limited (a storm fault).
    public var stormUntil: UInt64?
    private var byClientID: [String: Int] = [:]
    private var byOrderID: [Int64: Int] = [:]
    private var nextOrderID: Int64
    private var nextTradeID: Int64 = 1
    private var events: [SimulatedOrderEvent] = []

    /// An empty venue.
    public init(venue: String, accounts: [SimulatedAccount], rateRules: [SimulatedRateRule],
                referencePrices: [String: SimulatedDecimal] = [:], defaultReferencePrice: SimulatedDecimal,
                splitsFills: Bool = false, firstOrderID: Int64 = 1_000_001) {
        self.venue = venue
        var byKey: [String: SimulatedAccount] = [:]
        for account in accounts { byKey[account.apiKey] = account }
        self.accounts = byKey
        limiter = SimulatedRateLimiter(rules: rateRules)
        self.referencePrices = referencePrices
        self.defaultReferencePrice = defaultReferencePrice
        self.splitsFills = splitsFills
        nextOrderID = firstOrderID
    }

    private static func key(_ account: String, _ clientOrderID: String) -> String { account + "\u{1}" + clientOrderID }

    /// The reference price of `symbol`.
    public func referencePrice(of symbol: String) -> SimulatedDecimal { referencePrices[symbol] ?? defaultReferencePrice }

    // MARK: Rate limits

    /// Counts a request against the venue's limits (and an active storm).
    public mutating func admit(_ kind: SimulatedRequestKind, account: String, symbol: String?, now: SimulatedOrderClock,
                               orderAge: UInt64? = nil) -> SimulatedRateDecision {
        if let until = stormUntil, now.monotonicNanoseconds < until {
            counters.rateLimited += 1
            counters.stormRateLimited += 1
            let rule = limiter.rules.first { $0.costs[kind] != nil } ?? limiter.rules.first
                ?? SimulatedRateRule(name: "storm", window: .fixed(intervalNanoseconds: 1_000_000_000, limit: 0), costs: [:])
            return .limited(rule: rule, retryAfterNanoseconds: until - now.monotonicNanoseconds)
        }
        let decision = limiter.admit(kind, account: account, symbol: symbol, now: now.monotonicNanoseconds, orderAge: orderAge)
        if case .limited = decision { counters.rateLimited += 1 }
        return decision
    }

    // MARK: Orders

    /// Places an order: a duplicate client id is refused (never a second order); otherwise the
    /// order is accepted and matched. Returns the order as it stands after matching.
    public mutating func place(_ request: SimulatedOrderRequest, now: SimulatedOrderClock) -> Result<SimulatedOrder, SimulatedPlaceRejection> {
        counters.placeRequests += 1
        let orderID = nextOrderID
        let clientOrderID = request.clientOrderID ?? "sim-\(orderID)"
        if let index = byClientID[Self.key(request.account, clientOrderID)] {
            counters.duplicates += 1
            return .failure(.duplicateClientOrderID(existing: ledger[index]))
        }
        guard request.quantity.isPositive else {
            counters.rejected += 1
            return .failure(.invalidQuantity)
        }
        if request.type == .limit, !(request.price?.isPositive ?? false) {
            counters.rejected += 1
            return .failure(.invalidPrice)
        }
        let reference = referencePrice(of: request.symbol)
        let crosses = request.type == .market || Self.crosses(side: request.side, limit: request.price, reference: reference)
        if crosses && request.timeInForce == .postOnly {
            counters.rejected += 1
            return .failure(.wouldTakeLiquidity)
        }
        nextOrderID += 1
        var order = SimulatedOrder(account: request.account, clientOrderID: clientOrderID, orderID: orderID, symbol: request.symbol,
                                   side: request.side, type: request.type, price: request.price, quantity: request.quantity,
                                   timeInForce: request.timeInForce, status: .new, createdAt: now.epochMilliseconds,
                                   updatedAt: now.epochMilliseconds, createdAtNanoseconds: now.monotonicNanoseconds, venueTag: request.venueTag)
        let index = ledger.count
        ledger.append(order)
        byClientID[Self.key(request.account, clientOrderID)] = index
        byOrderID[orderID] = index
        counters.accepted += 1
        events.append(SimulatedOrderEvent(kind: .accepted, order: order))
        if crosses {
            fill(index, at: reference, isMaker: false, now: now)
        } else if request.timeInForce == .immediateOrCancel || request.timeInForce == .fillOrKill {
            order = ledger[index]
            order.status = .expired
            ledger[index] = order
            events.append(SimulatedOrderEvent(kind: .expired, order: order))
        }
        return .success(ledger[index])
    }

    static func crosses(side: SimulatedOrderSide, limit: SimulatedDecimal?, reference: SimulatedDecimal) -> Bool {
        guard let limit else { return true }
        return side == .buy ? limit >= reference : limit <= reference
    }

    private mutating func fill(_ index: Int, at price: SimulatedDecimal, isMaker: Bool, now: SimulatedOrderClock) {
        let remaining = ledger[index].unfilledQuantity
        var parts = [remaining]
        if splitsFills && remaining.units >= 2 {
            let half = SimulatedDecimal(units: remaining.units / 2)
            parts = [half, remaining - half]
        }
        for quantity in parts {
            var order = ledger[index]
            let fill = SimulatedFill(tradeID: nextTradeID, price: price, quantity: quantity, epochMilliseconds: now.epochMilliseconds, isMaker: isMaker)
            nextTradeID += 1
            order.fills.append(fill)
            order.filledQuantity = order.filledQuantity + quantity
            order.filledQuote = order.filledQuote + price.multiplied(by: quantity)
            order.status = order.filledQuantity >= order.quantity ? .filled : .partiallyFilled
            order.updatedAt = now.epochMilliseconds
            ledger[index] = order
            counters.fills += 1
            events.append(SimulatedOrderEvent(kind: .fill(fill), order: order))
        }
    }

    /// The order with this client id, if the account placed one.
    public func order(account: String, clientOrderID: String) -> SimulatedOrder? {
        byClientID[Self.key(account, clientOrderID)].map { ledger[$0] }
    }

    /// The order with this venue id, if it is the account's.
    public func order(account: String, orderID: Int64) -> SimulatedOrder? {
        guard let index = byOrderID[orderID], ledger[index].account == account else { return nil }
        return ledger[index]
    }

    /// Open orders of `account` (of `symbol`, when given), oldest first.
    public func openOrders(account: String, symbol: String? = nil) -> [SimulatedOrder] {
        ledger.filter { $0.account == account && !$0.status.isTerminal && (symbol == nil || $0.symbol == symbol) }
    }

    /// Records a status query (for the counters).
    public mutating func noteStatusQuery() { counters.statusQueries += 1 }

    /// Cancels an open order; `nil` (a miss) when unknown or already terminal.
    public mutating func cancel(account: String, clientOrderID: String, now: SimulatedOrderClock) -> SimulatedOrder? {
        cancel(index: byClientID[Self.key(account, clientOrderID)], now: now)
    }

    /// Cancels an open order by venue id (`nil` counts a miss).
    public mutating func cancel(account: String, orderID: Int64?, now: SimulatedOrderClock) -> SimulatedOrder? {
        let index = orderID.flatMap { byOrderID[$0] }.flatMap { ledger[$0].account == account ? $0 : nil }
        return cancel(index: index, now: now)
    }

    private mutating func cancel(index: Int?, now: SimulatedOrderClock) -> SimulatedOrder? {
        guard let index, !ledger[index].status.isTerminal else {
            counters.cancelMisses += 1
            return nil
        }
        ledger[index].status = .canceled
        ledger[index].updatedAt = now.epochMilliseconds
        counters.canceled += 1
        events.append(SimulatedOrderEvent(kind: .canceled, order: ledger[index]))
        return ledger[index]
    }

    /// Cancels every open order of `account` (of `symbol`, when given); returns them.
    public mutating func cancelAll(account: String, symbol: String? = nil, now: SimulatedOrderClock) -> [SimulatedOrder] {
        let open = openOrders(account: account, symbol: symbol)
        return open.compactMap { cancel(account: account, orderID: $0.orderID, now: now) }
    }

    /// Moves `symbol`'s reference price; resting orders it crosses fill at their own limit price
    /// (as makers). Tests and the demo use it to fill an order that rested.
    public mutating func setReferencePrice(_ price: SimulatedDecimal, for symbol: String, now: SimulatedOrderClock) {
        referencePrices[symbol] = price
        for index in ledger.indices where ledger[index].symbol == symbol && !ledger[index].status.isTerminal {
            let order = ledger[index]
            if Self.crosses(side: order.side, limit: order.price, reference: price) {
                fill(index, at: order.price ?? price, isMaker: true, now: now)
            }
        }
    }

    /// Takes the events since the last call, oldest first.
    public mutating func takeEvents() -> [SimulatedOrderEvent] {
        defer { events = [] }
        return events
    }

    /// The account with this API key.
    public func account(apiKey: String) -> SimulatedAccount? { accounts[apiKey] }
}
