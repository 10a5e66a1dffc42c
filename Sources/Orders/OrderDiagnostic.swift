import MarketModel

/// An anomaly the core resolved on its own but that an operator should see: a fill reported
/// after the order's terminal state, an update for an order nobody placed, a venue that forgot
/// an order it acknowledged, rate-limit feedback naming an unknown limit, ...
public struct OrderDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// The venue concerned.
    public var venue: VenueID
    /// The local client order id, when one order is concerned.
    public var clientOrderID: String?
    /// One sentence.
    public var message: String

    /// Memberwise initializer.
    public init(venue: VenueID, clientOrderID: String? = nil, message: String) {
        self.venue = venue
        self.clientOrderID = clientOrderID
        self.message = message
    }

    /// `venue [client id]: message`.
    public var description: String {
        "\(venue)\(clientOrderID.map { " [\($0)]" } ?? ""): \(message)"
    }
}
