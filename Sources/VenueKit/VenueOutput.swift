import MarketModel

/// One thing an adapter extracted from one venue message. A message yields zero or more outputs
/// (a Binance trade → one `.trade`; a Coinbase `market_trades` batch → many).
public enum VenueOutput: Sendable {
    /// A normalized trade.
    case trade(Trade)
    /// An L2 book snapshot/delta with the venue's sequencing and checksum (checked by `Books`).
    case book(BookMessage)
    /// Best bid/offer.
    case bbo(BBO)
    /// Ticker statistics.
    case ticker(Ticker)
    /// Funding rate.
    case funding(Funding)
    /// A liquidation.
    case liquidation(Liquidation)
    /// An update about one of our orders (order-entry connections).
    case order(OrderUpdate)
    /// A subscribe/unsubscribe acknowledgement or refusal.
    case subscribed(SubscriptionAck)
    /// A venue heartbeat (Kraken `heartbeat`, Coinbase `heartbeats`, Bitfinex `hb`): the
    /// connection is alive, but this is not data for stale timers.
    case heartbeat
    /// The reply to our application-level ping.
    case pong
    /// A per-connection message sequence number seen on this message (Coinbase
    /// `sequence_num`, Bitfinex SEQ_ALL). The pipeline checks contiguity per connection and
    /// resyncs that connection's books on a gap.
    case connectionSequence(Int64)
    /// The venue reported an error (bad request, rate limit, unknown symbol). Logged and turned
    /// into a `status` by the pipeline; not a parse failure.
    case venueError(String)
    /// The adapter found `symbol`'s book inconsistent in a way only it can see (BitMEX: an
    /// update or delete for a level id its partial never had): `Books` resyncs that symbol alone,
    /// publishing `resyncing` with `reason` until a fresh snapshot is applied.
    case bookInvalidated(Symbol, reason: String)
    /// The venue needs a REST snapshot for `symbol` now. Rare: `Books` requests snapshots itself
    /// (through ``VenueAdapter/snapshotRequest(for:)``) when it bootstraps or resyncs.
    case restSnapshotNeeded(Symbol, request: RESTRequest)
    /// The venue asked us to reconnect (Binance `serverShutdown`, Bitfinex info 20051, OKX
    /// notice 64008); the session layer rotates the connection make-before-break.
    case reconnectRequested(reason: String)
    /// A frame the session layer must send back on this connection now (Deribit `public/test`
    /// in answer to `test_request`; Bitfinex `pong`).
    case send(OutboundMessage)
}
