/// The order-entry API of the simulated venue (docs/simulator.md "Orders"): URLs, the exchanges'
/// state for assertions, reference prices, and order faults on demand.
extension SimulatedVenueServer {
    /// `ws://127.0.0.1:PORT/<venue>/orders` (or `/orders-private` for Bybit's updates; `wss://` with TLS).
    public func orderWebSocketURL(for venue: String, role: SimulatedOrderConnectionRole = .trade) -> String {
        webSocketURL(for: venue) + (role == .trade ? "/orders" : "/orders-private")
    }

    /// Venue ids with order entry.
    public var orderVenues: [String] { core.orderDesks.keys.sorted() }

    /// A copy of `venue`'s exchange (ledger, counters, limits) as it is now.
    public func orderExchange(for venue: String) async -> SimulatedExchange? {
        let core = self.core
        return try? await eventLoop.submit { core.orderDesks[venue]?.exchange }.get()
    }

    /// Order faults that fired on `venue` so far, with the place-request count each fired at.
    public func firedOrderFaults(for venue: String) async -> [(order: Int, fault: SimulatedOrderFault)] {
        let core = self.core
        return (try? await eventLoop.submit { core.orderDesks[venue]?.firedFaults ?? [] }.get()) ?? []
    }

    /// Moves `symbol`'s reference price on `venue`; resting orders it crosses fill (and their
    /// updates go out).
    public func setReferencePrice(_ price: SimulatedDecimal, symbol: String, venue: String) async {
        let core = self.core
        try? await eventLoop.submit { core.orderDesks[venue]?.setReferencePrice(price, symbol: symbol) }.get()
    }

    /// Injects an order fault into `venue`: `dropInFlight` waits for the next order; a storm or a
    /// restart acts now.
    public func injectOrderFault(_ fault: SimulatedOrderFault, venue: String) async {
        let core = self.core
        try? await eventLoop.submit { core.orderDesks[venue]?.inject(fault) }.get()
    }

    /// Makes `venue` swallow its next place request before the exchange sees it and drop that
    /// connection: the order was sent but never received, so a status query must find nothing.
    public func loseNextOrder(venue: String) async {
        let core = self.core
        try? await eventLoop.submit { core.orderDesks[venue]?.loseNextOrder() }.get()
    }

    /// Place requests `venue` swallowed (``loseNextOrder(venue:)``).
    public func lostOrders(for venue: String) async -> Int {
        let core = self.core
        return (try? await eventLoop.submit { core.orderDesks[venue]?.lostOrders ?? 0 }.get()) ?? 0
    }
}
