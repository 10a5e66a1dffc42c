/// Buy or sell.
public enum SimulatedOrderSide: String, Sendable, Hashable {
    /// Buy.
    case buy
    /// Sell.
    case sell
}

/// Limit or market.
public enum SimulatedOrderType: String, Sendable, Hashable {
    /// Rests at its price unless it crosses.
    case limit
    /// Fills at the reference price.
    case market
}

/// How long an order may rest.
public enum SimulatedTimeInForce: String, Sendable, Hashable {
    /// Rests until canceled.
    case goodTillCanceled
    /// Fills what crosses now, the rest expires.
    case immediateOrCancel
    /// Fills entirely now or expires (liquidity at the reference price is unlimited, so a crossing
    /// FOK always fills).
    case fillOrKill
    /// Maker only: rejected if it would cross.
    case postOnly
}

/// Where an order is in its life.
public enum SimulatedOrderStatus: String, Sendable, Hashable {
    /// Accepted, resting, nothing filled.
    case new
    /// Resting with some filled.
    case partiallyFilled
    /// Entirely filled (terminal).
    case filled
    /// Canceled by the client (terminal).
    case canceled
    /// Expired: an IOC/FOK remainder (terminal).
    case expired

    /// Whether the order can no longer change.
    public var isTerminal: Bool { self == .filled || self == .canceled || self == .expired }
}

/// One execution.
public struct SimulatedFill: Sendable, Hashable {
    /// Venue-wide trade id, from 1.
    public var tradeID: Int64
    /// Execution price.
    public var price: SimulatedDecimal
    /// Executed size.
    public var quantity: SimulatedDecimal
    /// Wall-clock time, ms since the epoch.
    public var epochMilliseconds: Int64
    /// Whether the order was resting (maker) when it filled.
    public var isMaker: Bool
}

/// A new order as a dialect parsed it from the venue's request.
public struct SimulatedOrderRequest: Sendable, Hashable {
    /// The account (API key) placing it.
    public var account: String
    /// The client order id (Binance `newClientOrderId`, OKX `clOrdId`, Bybit `orderLinkId`, Kraken
    /// `cl_ord_id`, Deribit `label`, Bitfinex `cid`); `nil` lets the exchange make one up.
    public var clientOrderID: String?
    /// The venue's symbol spelling (`BTCUSDT`, `BTC-USDT`, `BTC/USD`, `BTC-PERPETUAL`, `tBTCUSD`).
    public var symbol: String
    /// Side.
    public var side: SimulatedOrderSide
    /// Type.
    public var type: SimulatedOrderType
    /// Limit price (`nil` for market orders).
    public var price: SimulatedDecimal?
    /// Size.
    public var quantity: SimulatedDecimal
    /// Time in force.
    public var timeInForce: SimulatedTimeInForce
    /// A venue attribute the dialect keeps with the order for its updates (Bybit `category`,
    /// OKX `tdMode`, Bitfinex `type`).
    public var venueTag: String

    /// Memberwise initializer.
    public init(account: String, clientOrderID: String?, symbol: String, side: SimulatedOrderSide, type: SimulatedOrderType,
                price: SimulatedDecimal?, quantity: SimulatedDecimal, timeInForce: SimulatedTimeInForce = .goodTillCanceled, venueTag: String = "") {
        self.account = account
        self.clientOrderID = clientOrderID
        self.symbol = symbol
        self.side = side
        self.type = type
        self.price = price
        self.quantity = quantity
        self.timeInForce = timeInForce
        self.venueTag = venueTag
    }
}

/// One order in the simulated venue's ledger.
public struct SimulatedOrder: Sendable, Hashable {
    /// The account (API key).
    public var account: String
    /// The client order id (unique per account on this venue).
    public var clientOrderID: String
    /// The venue's order id, sequential per venue.
    public var orderID: Int64
    /// The request it came from.
    public var symbol: String
    /// Side.
    public var side: SimulatedOrderSide
    /// Type.
    public var type: SimulatedOrderType
    /// Limit price.
    public var price: SimulatedDecimal?
    /// Original size.
    public var quantity: SimulatedDecimal
    /// Time in force.
    public var timeInForce: SimulatedTimeInForce
    /// Status.
    public var status: SimulatedOrderStatus
    /// Cumulative filled size.
    public var filledQuantity: SimulatedDecimal = .zero
    /// Cumulative filled quote amount (Σ price × size).
    public var filledQuote: SimulatedDecimal = .zero
    /// Executions, oldest first.
    public var fills: [SimulatedFill] = []
    /// Wall-clock creation time, ms.
    public var createdAt: Int64
    /// Wall-clock time of the last change, ms.
    public var updatedAt: Int64
    /// Monotonic creation time, ns (Kraken's cancel penalty depends on the order's age).
    public var createdAtNanoseconds: UInt64
    /// The request's `venueTag`.
    public var venueTag: String = ""

    /// Size still open.
    public var remainingQuantity: SimulatedDecimal { status.isTerminal ? .zero : quantity - filledQuantity }

    /// Unfilled size regardless of status (what a cancel report calls leaves before the cancel).
    public var unfilledQuantity: SimulatedDecimal { quantity - filledQuantity }

    /// Average fill price (zero before the first fill).
    public var averagePrice: SimulatedDecimal { filledQuote.divided(by: filledQuantity) }
}

/// Something that happened to an order, with the order as it stood right after.
public struct SimulatedOrderEvent: Sendable, Hashable {
    /// What happened.
    public enum Kind: Sendable, Hashable {
        /// Accepted into the book (or about to fill).
        case accepted
        /// An execution.
        case fill(SimulatedFill)
        /// Canceled by request.
        case canceled
        /// An IOC/FOK remainder expired.
        case expired
    }

    /// What happened.
    public var kind: Kind
    /// The order after it.
    public var order: SimulatedOrder
}

/// Why the exchange refused a new order (rate limits are checked before, by the dialect).
public enum SimulatedPlaceRejection: Error, Sendable, Hashable {
    /// The client order id is already in the ledger for this account.
    case duplicateClientOrderID(existing: SimulatedOrder)
    /// A post-only order would have crossed.
    case wouldTakeLiquidity
    /// Size zero or negative.
    case invalidQuantity
    /// A limit order without a positive price.
    case invalidPrice
}
