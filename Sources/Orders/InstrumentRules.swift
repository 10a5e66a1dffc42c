import MarketModel
import VenueKit

/// The checks `Orders` runs on every new order against its instrument's rules (the rules
/// themselves are VenueKit's ``VenueKit/InstrumentRules``, shared with the adapters that parse them).
extension InstrumentRules {
    /// `nil` when `price` is positive and on the tick grid, else what is wrong with it.
    public func check(price: Price) -> String? {
        guard !price.isNegative, !price.isZero else { return "price \(price) must be positive" }
        // Deribit: a coarser tick applies above each `tick_size_steps` price.
        if let step = tickSteps.last(where: { price > $0.abovePrice }) {
            guard price.isExactMultiple(of: step.tickSize) else {
                return "price \(price) is not a multiple of the tick size \(step.tickSize) that applies above \(step.abovePrice)"
            }
        } else if !price.isExactMultiple(of: tickSize) {
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
