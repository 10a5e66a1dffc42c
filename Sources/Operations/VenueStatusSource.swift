import NIOCore
import SessionPool
import VenueKit

/// Something that can report one venue's status: in production a
/// ``SessionPool/VenueSessionPool`` (whatever its adapter type), in tests a fixed value.
public protocol VenueStatusSource: Sendable {
    /// Counters, connections and streams, read where they live (the pool's loop).
    func snapshotStatus() -> EventLoopFuture<VenueSessionStatus>
}

extension VenueSessionPool: VenueStatusSource {}
