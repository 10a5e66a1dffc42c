import MarketModel

/// How a connection is kept alive. The session layer implements each rule; adapters only
/// declare them (and answer venue-level test requests through ``VenueOutput/send(_:)``).
public enum KeepAliveRule: Sendable, Equatable {
    /// The server sends WebSocket ping frames every `interval`; we must answer with a pong
    /// within `pongWithin` (Binance spot: 20 s / 1 min). The transport answers automatically.
    case serverPings(interval: Nanoseconds, pongWithin: Nanoseconds)
    /// We send WebSocket ping frames every `every` and expect pongs.
    case protocolPing(every: Nanoseconds)
    /// We send an application-level text message when nothing has been received for `every`
    /// (OKX text `ping` → `pong` before its 30 s cutoff; BitMEX `ping`; Bybit `{"op":"ping"}`
    /// every 20 s; Kraken `{"method":"ping"}`). The reply is reported as ``VenueOutput/pong``.
    case applicationPing(payload: String, every: Nanoseconds)
    /// The venue sends heartbeat messages at least every `expectedEvery` once subscribed
    /// (Coinbase `heartbeats` channel, Kraken `heartbeat`, Bitfinex `hb`). Heartbeats keep the
    /// dead-peer timer alive but are not data.
    case heartbeatChannel(expectedEvery: Nanoseconds)
    /// Deribit: call `public/set_heartbeat` with `interval` after connecting; the adapter answers
    /// each `test_request` with `public/test` (via ``VenueOutput/send(_:)``).
    case deribitHeartbeat(interval: Nanoseconds)
}

/// A connection-attempt budget: at most `attempts` connects per `window` ns.
public struct ConnectBudget: Sendable, Hashable {
    /// Attempts allowed per window.
    public var attempts: Int
    /// The window length in ns.
    public var window: Nanoseconds

    /// Memberwise initializer.
    public init(attempts: Int, window: Nanoseconds) {
        self.attempts = attempts
        self.window = window
    }
}
