/// A forced liquidation order (`"type":"liquidation"`).
///
/// Wire shape: `{"type":"liquidation","venue":..,"symbol":..,"side":..,"price":..,"size":..,"ts_exchange":..,"ts_recv":..,"seq":..}`
public struct Liquidation: Sendable, Hashable {
    /// Where it happened.
    public var venue: VenueID
    /// The normalized instrument.
    public var symbol: Symbol
    /// The side of the liquidation order (`sell` liquidates a long).
    public var side: Side
    /// Price of the liquidation order (or its fill, per venue).
    public var price: Price
    /// Size of the liquidation order.
    public var size: Size
    /// The venue's time in ns, if it gives one.
    public var tsExchange: Nanoseconds?
    /// When the frame was read, ns since the epoch.
    public var tsRecv: Nanoseconds

    /// Memberwise initializer.
    public init(venue: VenueID, symbol: Symbol, side: Side, price: Price, size: Size,
                tsExchange: Nanoseconds?, tsRecv: Nanoseconds) {
        self.venue = venue
        self.symbol = symbol
        self.side = side
        self.price = price
        self.size = size
        self.tsExchange = tsExchange
        self.tsRecv = tsRecv
    }
}
