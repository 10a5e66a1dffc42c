import MarketModel

/// The trading rules of one instrument, as the venue publishes them (Binance `exchangeInfo`
/// `PRICE_FILTER`/`LOT_SIZE`, OKX `tickSz`/`lotSz`/`minSz`, ...). The caller loads them; `Orders`
/// checks every new order against them before it queues anything, so a request the venue would
/// refuse for its shape never costs rate-limit budget.
public struct InstrumentRules: Sendable, Hashable {
    /// Price increment: a limit price must be an exact multiple of it.
    public var tickSize: Price
    /// Size increment: a size must be an exact multiple of it.
    public var lotSize: Size
    /// Smallest size accepted.
    public var minSize: Size
    /// Largest size accepted, when the venue caps it.
    public var maxSize: Size?
    /// At most this many significant digits in a price (Bitfinex: 5), when the venue counts them;
    /// checked by ``check(significantDigitsOf:)`` in addition to the tick.
    public var priceSignificantDigits: Int?

    /// Memberwise initializer. `tickSize` and `lotSize` must be positive (a zero step would
    /// make every value "a multiple"; ``check(price:)`` treats a non-positive step as "no rule").
    public init(tickSize: Price, lotSize: Size, minSize: Size, maxSize: Size? = nil, priceSignificantDigits: Int? = nil) {
        self.tickSize = tickSize
        self.lotSize = lotSize
        self.minSize = minSize
        self.maxSize = maxSize
        self.priceSignificantDigits = priceSignificantDigits
    }

    /// `nil` when `price` is positive and on the tick grid, else what is wrong with it.
    public func check(price: Price) -> String? {
        guard !price.isNegative, !price.isZero else { return "price \(price) must be positive" }
        guard price.isExactMultiple(of: tickSize) else {
            return "price \(price) is not a multiple of the tick size \(tickSize)"
        }
        return check(significantDigitsOf: price)
    }

    /// `nil` when `size` is positive, on the lot grid and within the bounds, else what is wrong.
    public func check(size: Size) -> String? {
        guard !size.isNegative, !size.isZero else { return "size \(size) must be positive" }
        guard size.isExactMultiple(of: lotSize) else {
            return "size \(size) is not a multiple of the lot size \(lotSize)"
        }
        if size < minSize { return "size \(size) is below the minimum size \(minSize)" }
        if let maxSize, size > maxSize { return "size \(size) is above the maximum size \(maxSize)" }
        return nil
    }
}
