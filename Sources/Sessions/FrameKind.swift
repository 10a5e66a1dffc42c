/// What an inbound frame was, as far as the liveness clocks care. The shell classifies each
/// message once (WebSocket opcode, then the adapter's ``VenueKit/VenueOutput``):
///
/// | inbound | kind |
/// |---|---|
/// | trade / book / bbo / ticker / funding / liquidation output | ``data`` (with its subscription) |
/// | `VenueOutput.heartbeat` (Kraken `heartbeat`, Coinbase `heartbeats`, Bitfinex `hb`, Deribit `test_request`) | ``heartbeat`` |
/// | WebSocket ping frame from the server (Binance every 20 s) | ``ping`` |
/// | WebSocket pong frame, `VenueOutput.pong` (OKX `pong`, Bybit `"op":"pong"`) | ``pong`` |
/// | subscribe acks, info, venue errors, anything else | ``control`` |
public enum FrameKind: Sendable, Hashable, CaseIterable {
    /// Market data for a subscription: feeds all three liveness clocks.
    case data
    /// A venue heartbeat: the peer is alive, but it is not data (ARCHITECTURE: dead-peer timer
    /// counts any frame, data-idle timer counts data frames only).
    case heartbeat
    /// A protocol ping from the server.
    case ping
    /// A reply to our ping (protocol or application level).
    case pong
    /// Any other non-data message.
    case control

    /// Whether the frame counts for data-idle and per-subscription cadence.
    public var isData: Bool { self == .data }
}
