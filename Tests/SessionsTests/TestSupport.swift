import MarketModel
import VenueKit
@testable import Sessions

/// A manual monotonic clock: tests advance it explicitly (STYLE habit 2).
struct ManualClock {
    var now: Nanoseconds = 0

    mutating func advance(by span: Nanoseconds) { now += span }
    mutating func advance(to time: Nanoseconds) { now = max(now, time) }
}

/// `BASE-QUOTE` spot symbol without validation (test inputs are well-formed).
func symbol(_ text: String) -> Symbol { Symbol(unchecked: text, kind: .spot) }

/// `channel:symbol` subscription.
func sub(_ text: String, _ channel: Channel = .trades) -> Subscription {
    Subscription(symbol: symbol(text), channel: channel)
}

/// `count` distinct spot symbols `S0000-USDT` … in canonical order.
func manySymbols(_ count: Int) -> [Symbol] {
    (0..<count).map { index in
        let digits = String(index)
        return symbol("S" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + "-USDT")
    }
}

/// A venue spec for tests; defaults look like Binance spot (VENUES.md §1.1).
func testSpec(id: VenueID = .binance, urls: [String] = ["wss://primary.test/stream", "wss://backup.test/stream"],
              cap: Int = 1024, outboundPerSecond: Int = 5,
              keepAlive: [KeepAliveRule] = [.serverPings(interval: Interval.seconds(20), pongWithin: Interval.minutes(1))],
              staleAfter: [Channel: Nanoseconds] = [:], defaultStaleAfter: Nanoseconds = Interval.seconds(30),
              lifetime: Nanoseconds? = nil,
              budget: ConnectBudget? = ConnectBudget(attempts: 300, window: Interval.minutes(5))) -> VenueSpec {
    VenueSpec(id: id, displayName: "Test \(id)", marketDataURLs: urls,
              channelNames: [.trades: "trade", .book: "depth", .bbo: "bookTicker", .liquidations: "forceOrder"],
              maxSubscriptionsPerConnection: cap, maxOutboundMessagesPerSecond: outboundPerSecond, keepAlive: keepAlive,
              staleAfter: staleAfter, defaultStaleAfter: defaultStaleAfter, maxConnectionLifetime: lifetime,
              connectBudget: budget)
}

extension Array where Element == ConnectionAction {
    /// The status changes, in order.
    var statuses: [ConnectionStatus] {
        compactMap { if case .status(let status) = $0 { status } else { nil } }
    }

    /// `(generation, url)` of every connect.
    var connects: [(generation: Int, url: String)] {
        compactMap { if case .connect(let generation, let url, _) = $0 { (generation, url) } else { nil } }
    }

    /// Every frame sent, flattened.
    var sentFrames: [OutboundFrame] {
        flatMap { action -> [OutboundFrame] in if case .send(_, let frames) = action { frames } else { [] } }
    }

    /// The last timer requested.
    var timer: Nanoseconds? {
        compactMap { if case .scheduleTimer(let at) = $0 { at } else { nil } }.last
    }

    /// Whether a slot was requested.
    var requestsSlot: Bool { contains(.requestConnectSlot) }

    /// Actions other than timers and statuses (what the shell must *do*).
    var effects: [ConnectionAction] {
        filter {
            switch $0 {
            case .scheduleTimer, .status: false
            default: true
            }
        }
    }
}

/// `text` as an outbound text frame.
func text(_ text: String) -> OutboundFrame { .text(OutboundMessage(text: text)) }

/// Renders statuses compactly for order assertions: `connecting`, `live trades:A-B`.
func describe(_ statuses: [ConnectionStatus]) -> [String] {
    statuses.map { status in
        status.subscription.map { "\(status.state.rawValue) \($0)" } ?? status.state.rawValue
    }
}
