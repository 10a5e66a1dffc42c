import Fanout
import Logging
import MarketModel
import NATS
import NIOCore
import SessionPool
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The operator endpoints of a running MarketMux: `/metrics`, `/status` and the status page over
/// ``OperationsHTTPServer``, fed by the pools and the fan-out hub. Every request that needs data
/// gathers a fresh ``OperationsSnapshot`` (each pool read on its own loop), so nothing is
/// sampled in the background and an idle endpoint costs nothing.
///
/// ```swift
/// let operations = OperationsService(host: "127.0.0.1", port: 9464, sources: pools, hub: hub,
///                                    eventLoop: group.next(), logger: logger)
/// let port = try await operations.start()
/// …
/// await operations.shutdown()
/// ```
public final class OperationsService: @unchecked Sendable {
    // @unchecked: `rates` is touched only on `eventLoop`.

    /// The loop of the HTTP server and of snapshot assembly.
    public let eventLoop: any EventLoop
    /// The HTTP listener.
    public let server: OperationsHTTPServer
    private let sources: [any VenueStatusSource]
    private let hub: FanoutHub?
    private let nats: NATSPublisher?
    private let startedAt: Nanoseconds
    private var rates = MessageRates()

    /// A service for `sources` (one per venue, in display order), `hub` and the NATS link
    /// `nats` (its `marketmux_nats_*` series) on `host:port`.
    public init(host: String, port: Int, sources: [any VenueStatusSource], hub: FanoutHub?, nats: NATSPublisher? = nil,
                eventLoop: any EventLoop, logger: Logger) {
        self.eventLoop = eventLoop
        self.sources = sources
        self.hub = hub
        self.nats = nats
        startedAt = Self.wallClockNow()
        var serverLogger = logger
        serverLogger[metadataKey: "component"] = "http"
        let box = WeakBox()
        server = OperationsHTTPServer(host: host, port: port, eventLoop: eventLoop, logger: serverLogger) { head, loop in
            guard OperationsRouter.needsSnapshot(head) else {
                return loop.makeSucceededFuture(OperationsRouter.respond(to: head, snapshot: nil))
            }
            guard let service = box.service else { return loop.makeSucceededFuture(.text(503, "shutting down")) }
            return service.snapshot().map { OperationsRouter.respond(to: head, snapshot: $0) }
        }
        box.service = self
    }

    /// Starts listening; returns the bound port.
    @discardableResult
    public func start() async throws -> Int {
        try await server.start()
    }

    /// Stops listening.
    public func shutdown() async {
        await server.shutdown()
    }

    /// Gathers a snapshot now (every pool on its loop, the hub on its loop), with message rates.
    public func snapshot() -> EventLoopFuture<OperationsSnapshot> {
        let statuses = EventLoopFuture.whenAllSucceed(sources.map { $0.snapshotStatus() }, on: eventLoop)
        let fanout: EventLoopFuture<FanoutStatistics?> = hub.map { $0.statistics().map { Optional($0) } }
            ?? eventLoop.makeSucceededFuture(nil)
        let link: EventLoopFuture<NATSLinkStatus?> = nats.map { NATSLinkStatus.read($0).map { Optional($0) } }
            ?? eventLoop.makeSucceededFuture(nil)
        return statuses.and(fanout.hop(to: eventLoop)).and(link.hop(to: eventLoop)).map { [self] pair, link in
            let (venues, fanout) = pair
            let now = Self.wallClockNow()
            var snapshot = OperationsSnapshot(time: now, startedAt: startedAt, venues: venues, fanout: fanout)
            snapshot.nats = link
            for venue in venues {
                snapshot.venueRates[venue.venue] = rates.observe(venue.venue.rawValue, count: venue.counters.messages, at: now)
                for connection in venue.connections {
                    let key = OperationsSnapshot.connectionKey(venue: venue.venue, id: connection.id)
                    snapshot.connectionRates[key] = rates.observe(key, count: connection.messages, at: now)
                }
            }
            return snapshot
        }
    }

    static func wallClockNow() -> Nanoseconds {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}

/// Lets the responder closure reach the service without a retain cycle.
private final class WeakBox: @unchecked Sendable {
    weak var service: OperationsService?
}
