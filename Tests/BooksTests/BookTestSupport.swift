import MarketModel
import VenueKit
@testable import Books

func dec(_ text: String) -> FixedDecimal {
    FixedDecimal(text) ?? FixedDecimal(mantissa: -999_999, scale: 0)
}

func levels(_ pairs: [(String, String)]) -> [BookLevel] {
    pairs.map { BookLevel(price: dec($0.0), size: dec($0.1)) }
}

let btc = Symbol(unchecked: "BTC-USDT", kind: .spot)
let eth = Symbol(unchecked: "ETH-USDT", kind: .spot)

func message(_ symbol: Symbol = btc, venue: VenueID = .binance, snapshot: Bool = false, bids: [(String, String)] = [],
             asks: [(String, String)] = [], _ sequencing: BookSequencing = .none, checksum: BookChecksum? = nil) -> BookMessage {
    BookMessage(update: BookUpdate(venue: venue, symbol: symbol, isSnapshot: snapshot, bids: levels(bids), asks: levels(asks),
                                   tsExchange: nil, tsRecv: 1),
                sequencing: sequencing, checksum: checksum)
}

extension Array where Element == BookAction {
    var statuses: [StatusEvent] {
        compactMap { if case .status(let s) = $0 { return s } else { return nil } }
    }
    var published: [BookUpdate] {
        compactMap { if case .publish(let u) = $0 { return u } else { return nil } }
    }
    var fetches: Int { filter { if case .fetchSnapshot = $0 { return true } else { return false } }.count }
    var resubscribes: Int { filter { if case .resubscribe = $0 { return true } else { return false } }.count }
}

struct Harness {
    var sync: BookSynchronizer
    var actions: [BookAction] = []

    init(_ venue: VenueID = .binance, _ spec: BookSpec = BookSpec(), symbol: Symbol = btc) {
        sync = BookSynchronizer(configuration: .init(venue: venue, symbol: symbol, book: spec))
    }

    /// Feeds one message and returns only the actions it produced.
    @discardableResult
    mutating func feed(_ m: BookMessage) -> [BookAction] {
        actions.removeAll()
        sync.handle(m, into: &actions)
        return actions
    }

    var bids: [String] { sync.book.bids.bestFirst.map(\.description) }
    var asks: [String] { sync.book.asks.bestFirst.map(\.description) }
}
