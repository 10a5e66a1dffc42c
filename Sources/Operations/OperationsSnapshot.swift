import Fanout
import MarketModel
import NATS
import NIOCore
import SessionPool
import Sessions

/// Everything `/metrics` and `/status` show, gathered at one moment from the real pipeline: each
/// pool's ``SessionPool/VenueSessionStatus`` (read on its loop) and the hub's
/// ``Fanout/FanoutStatistics``. Rendering is a pure function of this value, so tests build one by hand.
public struct OperationsSnapshot: Sendable {
    /// When it was gathered, ns since the Unix epoch.
    public var time: Nanoseconds
    /// When the process started serving, ns since the Unix epoch.
    public var startedAt: Nanoseconds
    /// Every venue's pool, in configuration order.
    public var venues: [VenueSessionStatus]
    /// The fan-out hub, if this process serves one.
    public var fanout: FanoutStatistics?
    /// The NATS link (SPEC §7), if this process publishes to NATS.
    public var nats: NATSLinkStatus?
    /// Messages per second per venue (over the last ~second of samples).
    public var venueRates: [VenueID: Double]
    /// Messages per second per connection, keyed `venue#id`.
    public var connectionRates: [String: Double]

    /// Memberwise initializer.
    public init(time: Nanoseconds, startedAt: Nanoseconds, venues: [VenueSessionStatus], fanout: FanoutStatistics?,
                venueRates: [VenueID: Double] = [:], connectionRates: [String: Double] = [:]) {
        self.time = time
        self.startedAt = startedAt
        self.venues = venues
        self.fanout = fanout
        self.venueRates = venueRates
        self.connectionRates = connectionRates
    }

    /// The key of a connection in ``connectionRates``.
    public static func connectionKey(venue: VenueID, id: Int) -> String { "\(venue)#\(id)" }
}

/// The NATS connection's and publisher's counters, read together on the connection's loop.
public struct NATSLinkStatus: Sendable, Hashable {
    /// The connection (published, sent, dropped, pending, connects…).
    public var connection: NATSStatistics
    /// The publisher (events, shard skips, loss reports, JetStream acks).
    public var publisher: NATSPublisherStatistics
    /// Whether the connection is up now.
    public var isConnected: Bool

    /// Memberwise initializer.
    public init(connection: NATSStatistics, publisher: NATSPublisherStatistics, isConnected: Bool) {
        self.connection = connection
        self.publisher = publisher
        self.isConnected = isConnected
    }

    /// Reads `publisher`'s and its connection's counters in one hop to the connection's loop.
    public static func read(_ publisher: NATSPublisher) -> EventLoopFuture<NATSLinkStatus> {
        let connection = publisher.connection
        return connection.eventLoop.submit {
            NATSLinkStatus(connection: connection.statisticsOnLoop, publisher: publisher.statisticsOnLoop,
                           isConnected: connection.stateOnLoop == .connected)
        }
    }
}

extension VenueSessionStatus {
    /// Streams per state.
    var streamCounts: [StreamState: Int] {
        var counts: [StreamState: Int] = [:]
        for stream in streams where stream.symbol != nil { counts[stream.state, default: 0] += 1 }
        return counts
    }

    /// One word for the venue: the most severe state of its streams (`connecting` before any).
    var overallState: StreamState {
        let order: [StreamState] = [.disconnected, .resyncing, .stale, .connecting, .live]
        let counts = streamCounts
        return order.first { counts[$0, default: 0] > 0 } ?? .connecting
    }
}

extension ConnectionPhase {
    /// `live`, `connecting`, `backoff`… for JSON and labels.
    var name: String {
        switch self {
        case .idle: return "idle"
        case .backoff: return "backoff"
        case .awaitingConnectSlot: return "awaiting_connect_slot"
        case .connecting: return "connecting"
        case .subscribing: return "subscribing"
        case .live: return "live"
        case .stopped: return "stopped"
        }
    }
}
