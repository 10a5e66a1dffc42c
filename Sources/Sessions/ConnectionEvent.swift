import MarketModel
import VenueKit

/// What happened to one pooled connection, as the I/O shell (or the ``PoolPlanner``) reports it
/// to ``ConnectionLifecycle/on(_:now:)``.
///
/// Every socket-level event names the socket's `generation` (the number the lifecycle gave it in
/// ``ConnectionAction/connect(generation:url:endpoint:)``): during a make-before-break rotation
/// two sockets are alive at once, and a late event from a retired socket must be recognisable
/// so it can be ignored.
public enum ConnectionEvent: Sendable, Hashable {
    /// Begin: go from idle to connecting (through the pool's connect budget).
    case start
    /// The pool's ``ConnectBudgetLimiter`` granted the attempt asked for with
    /// ``ConnectionAction/requestConnectSlot``.
    case connectSlotGranted
    /// The slot asked for cannot be granted before `until`: the venue's connect budget is spent or
    /// the venue suspended connects (429/418); `reason` says which, for the status.
    case connectSlotDelayed(until: Nanoseconds, reason: String)
    /// The WebSocket handshake of `generation` completed.
    case connected(generation: Int)
    /// The connect attempt of `generation` failed (TCP/TLS error, refused upgrade: HTTP 429 /
    /// 418 with `Retry-After`…).
    case connectFailed(generation: Int, TransportFailure)
    /// The open connection `generation` ended (peer close frame with its code, reset, EOF).
    case closed(generation: Int, TransportFailure)
    /// A frame arrived on `generation`; `subscription` names the symbol × channel of a data frame.
    case frame(generation: Int, kind: FrameKind, subscription: Subscription?)
    /// The venue asked us to reconnect (``VenueKit/VenueOutput/reconnectRequested(reason:)``:
    /// Binance `serverShutdown` [BN-STR], Bitfinex info 20051, OKX notice 64008): rotate
    /// make-before-break now.
    case reconnectRequested(generation: Int, reason: String)
    /// The timer the lifecycle asked for fired (or any time: ticking early is harmless). The
    /// forced-lifetime rotation (Binance 24 h) and every timeout are detected here.
    case tick
    /// Shut the connection down for good (the shard was emptied, or the daemon stops).
    case stop(reason: String)
}
