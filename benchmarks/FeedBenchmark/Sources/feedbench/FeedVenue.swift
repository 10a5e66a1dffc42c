import MarketModel
import VenueKit

/// One venue's message generator: the adapter to drive, its session-start frames, trades and a
/// depth session, all in the venue's real wire format and deterministic for a seed.
protocol FeedVenue {
    associatedtype Adapter: VenueAdapter
    /// Row label (the venue id, or a variant of it).
    var name: String { get }
    /// The benchmarked symbol.
    var symbol: Symbol { get }
    /// Channels subscribed before the run (some adapters keep only what was asked for).
    var channels: [Channel] { get }
    /// Frames the venue sends before data (acks, Bitfinex `subscribed` events that map chanIds).
    func setupFrames() -> [String]
    /// `count` trade frames, one trade each.
    func tradeFrames(count: Int, seed: UInt64) -> [String]
    /// A snapshot plus `updates` 20-level deltas.
    func depthSession(updates: Int, seed: UInt64) -> DepthSession
}

extension FeedVenue {
    var channels: [Channel] { [.trades, .book] }

    func setupFrames() -> [String] { [] }

    /// A configured adapter that has produced its subscribe frames and parsed the setup frames.
    func makeAdapter() throws -> Adapter {
        var adapter = Adapter(configuration: VenueAdapterConfiguration(symbols: [symbol]))
        _ = adapter.sessionStartFrames()
        _ = adapter.subscribeFrames(for: channels.map { Subscription(symbol: symbol, channel: $0) })
        for frame in setupFrames() { _ = try adapter.parse(frame, context: ParseContext(tsRecv: 1)) }
        return adapter
    }
}

/// Millisecond clock of the generated session: 2026-11-21T00:00:00Z plus a few ms per message.
struct SessionClock {
    private(set) var millis = WireText.sessionStartMillis
    private var rng: SplitMix64

    init(seed: UInt64) { rng = SplitMix64(seed: seed ^ 0xC10C) }

    mutating func tick() -> Int64 {
        millis += Int64(rng.below(5))
        return millis
    }

    /// A µs-resolution time inside the current ms, in ns.
    mutating func nanos() -> Int64 { millis * 1_000_000 + Int64(rng.below(1000)) * 1000 }
}
