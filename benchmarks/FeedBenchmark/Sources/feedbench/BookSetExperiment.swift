import Books
import MarketModel
import VenueKit

/// `--experiment-bookset`: reproduces `BookSet.handle`'s per-symbol routing outside Books to find
/// where its extra allocations per message come from (diagnostic for the FEED.md findings).
struct RoutingAsInBookSet {
    var synchronizers: [Symbol: BookSynchronizer] = [:]
    let spec: BookSpec
    let venue: VenueID

    /// The code of `BookSet.handle(_:into:)`.
    mutating func handle(_ message: BookMessage, into actions: inout [BookAction]) {
        let symbol = message.update.symbol
        if synchronizers[symbol] == nil {
            synchronizers[symbol] = BookSynchronizer(configuration: .init(venue: venue, symbol: symbol, book: spec))
        }
        synchronizers[symbol]?.handle(message, into: &actions)
    }
}

/// Variant: look the slot up once and mutate the value in place through `Dictionary.Values`.
struct RoutingByIndex {
    var synchronizers: [Symbol: BookSynchronizer] = [:]
    let spec: BookSpec
    let venue: VenueID

    mutating func handle(_ message: BookMessage, into actions: inout [BookAction]) {
        let symbol = message.update.symbol
        guard let index = synchronizers.index(forKey: symbol) else {
            var fresh = BookSynchronizer(configuration: .init(venue: venue, symbol: symbol, book: spec))
            fresh.handle(message, into: &actions)
            synchronizers[symbol] = fresh
            return
        }
        synchronizers.values[index].handle(message, into: &actions)
    }
}

/// Variant: only the existence test changed (`index(forKey:)` instead of `synchronizers[symbol] == nil`).
struct RoutingWithoutNilCompare {
    var synchronizers: [Symbol: BookSynchronizer] = [:]
    let spec: BookSpec
    let venue: VenueID

    mutating func handle(_ message: BookMessage, into actions: inout [BookAction]) {
        let symbol = message.update.symbol
        if synchronizers.index(forKey: symbol) == nil {
            synchronizers[symbol] = BookSynchronizer(configuration: .init(venue: venue, symbol: symbol, book: spec))
        }
        synchronizers[symbol]?.handle(message, into: &actions)
    }
}

protocol Routing {
    init(spec: BookSpec, venue: VenueID)
    mutating func handle(_ message: BookMessage, into actions: inout [BookAction])
}
extension RoutingAsInBookSet: Routing { init(spec: BookSpec, venue: VenueID) { self.init(synchronizers: [:], spec: spec, venue: venue) } }
extension RoutingByIndex: Routing { init(spec: BookSpec, venue: VenueID) { self.init(synchronizers: [:], spec: spec, venue: venue) } }
extension RoutingWithoutNilCompare: Routing { init(spec: BookSpec, venue: VenueID) { self.init(synchronizers: [:], spec: spec, venue: venue) } }

extension FeedRunner {
    /// Median ns and allocations per update for a routing variant on this venue's depth session.
    func routingExperiment<R: Routing>(_ type: R.Type) throws -> Summary {
        let session = venue.depthSession(updates: options.depthUpdates, seed: options.seed ^ 0xD3)
        var adapter = try venue.makeAdapter()
        var runs: [Measurement] = []
        for _ in 0 ..< options.runs {
            var routing = R(spec: Venue.Adapter.spec.book, venue: Venue.Adapter.spec.id)
            var actions: [BookAction] = []
            let context = ParseContext(tsRecv: 1)
            switch session.bootstrap {
            case .rest(let body):
                var text = body
                routing.handle(try text.withUTF8 { try adapter.parseRESTSnapshot(symbol: venue.symbol, body: UnsafeRawBufferPointer($0), context: context) },
                               into: &actions)
            case .frame(let frame):
                for p in session.preamble { _ = try adapter.parse(p, context: context) }
                for case .book(let m) in try adapter.parse(frame, context: context) { routing.handle(m, into: &actions) }
            }
            runs.append(try measure {
                var output = VenueOutputs(capacity: 16)
                actions.removeAll(keepingCapacity: true)
                var frames = 0
                try session.deltas.bytes.withUnsafeBytes { raw in
                    for range in session.deltas.ranges {
                        output.removeAll(keepingCapacity: true)
                        try adapter.parse(UnsafeRawBufferPointer(rebasing: raw[range]), context: context, into: &output)
                        for case .book(let message) in output.others { routing.handle(message, into: &actions) }
                        actions.removeAll(keepingCapacity: true)
                        frames += 1
                    }
                }
                return frames
            })
        }
        return Summary(runs: runs)
    }
}
