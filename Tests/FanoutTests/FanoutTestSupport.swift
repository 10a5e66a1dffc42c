@testable import Fanout
import Foundation
import MarketModel
import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shared fixtures: a catalog, event makers, and helpers to drain a core into text lines.
enum Fixtures {
    static let btc = Symbol(unchecked: "BTC-USDT", kind: .spot)
    static let eth = Symbol(unchecked: "ETH-USDT", kind: .spot)
    static let perp = Symbol(unchecked: "BTC-USDT-PERP", kind: .perpetual)

    /// binance: trades, book, bbo of BTC-USDT and ETH-USDT; okx: trades, book of BTC-USDT and BTC-USDT-PERP.
    static let catalog = Catalog([
        "binance": .init(channels: [.trades, .book, .bbo], symbols: [btc, eth]),
        "okx": .init(channels: [.trades, .book], symbols: [btc, perp]),
    ])

    static func decimal(_ text: String) -> FixedDecimal {
        FixedDecimal(text) ?? .zero
    }

    static func trade(_ venue: VenueID = "binance", _ symbol: Symbol = btc, id: Int, price: String = "50000.1") -> MarketEvent {
        .trade(Trade(venue: venue, symbol: symbol, price: decimal(price), size: decimal("0.002"), side: .buy, tradeID: TradeID(String(id)),
                     tsExchange: 1_700_000_000_000_000_000, tsRecv: 1_700_000_000_000_123_456))
    }

    static func levels(_ pairs: [(String, String)]) -> [BookLevel] {
        pairs.map { BookLevel(price: decimal($0.0), size: decimal($0.1)) }
    }

    static func book(_ venue: VenueID = "binance", _ symbol: Symbol = btc, snapshot: Bool,
                     bids: [(String, String)] = [], asks: [(String, String)] = [], ts: Int64 = 1) -> MarketEvent {
        .book(BookUpdate(venue: venue, symbol: symbol, isSnapshot: snapshot, bids: levels(bids), asks: levels(asks),
                         tsExchange: ts, tsRecv: ts + 1))
    }

    static func status(_ venue: VenueID = "binance", _ symbol: Symbol? = btc, _ channel: MarketModel.Channel? = .book,
                       _ state: StreamState, _ reason: String = "") -> MarketEvent {
        .status(StatusEvent(venue: venue, symbol: symbol, channel: channel, state: state, reason: reason))
    }

    static func subscribe(_ id: String, _ venue: String, _ channel: String, _ symbol: String) -> String {
        #"{"op":"subscribe","id":"\#(id)","venue":"\#(venue)","channel":"\#(channel)","symbol":"\#(symbol)"}"#
    }
}

/// A core plus the actions it asked for, with helpers that act like the hub.
struct CoreHarness {
    var core: FanoutCore
    var actions: [FanoutAction] = []

    init(configuration: FanoutConfiguration = FanoutConfiguration(), catalog: Catalog = Fixtures.catalog,
         books: any BookSnapshotProvider = BookCache()) {
        core = FanoutCore(configuration: configuration, catalog: catalog, books: books)
    }

    mutating func connect() -> SubscriberID {
        core.connect() ?? SubscriberID(rawValue: 0)
    }

    mutating func send(_ line: String, from id: SubscriberID) {
        core.receive(line: line, from: id, into: &actions)
    }

    mutating func publish(_ events: MarketEvent...) {
        for event in events { core.publish(event, into: &actions) }
    }

    /// Drains `id` completely (or `maxBytes` at a time, `rounds` times) and returns the lines.
    mutating func drain(_ id: SubscriberID, maxBytes: Int = 1 << 20) -> (lines: [String], outcome: SubscriberQueue.DrainOutcome) {
        core.beginWrite(id)
        var buffer = ByteBufferAllocator().buffer(capacity: 1024)
        let outcome = core.drain(id, into: &buffer, maxBytes: maxBytes)
        return (TextLines.split(buffer.readString(length: buffer.readableBytes) ?? ""), outcome)
    }

    mutating func drainLines(_ id: SubscriberID) -> [String] { drain(id).lines }
}

enum TextLines {
    /// Splits NDJSON text into lines (without `\n`).
    static func split(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
    }

    /// The value of `"seq":N` in a line, if any.
    static func seq(_ line: String) -> UInt64? {
        guard let range = line.range(of: #","seq":"#) else { return nil }
        return UInt64(line[range.upperBound...].prefix { $0.isNumber })
    }

    /// Parses a line with the production parser (the tests' JSON reader).
    static func object(_ line: String) -> [String: JSONValue] {
        var copy = line
        return copy.withUTF8 { (try? JSONLineParser.parseObject(UnsafeRawBufferPointer($0))) ?? [:] }
    }

    static func string(_ line: String, _ key: String) -> String? {
        if case .string(let text)? = object(line)[key] { return text }
        return nil
    }
}

/// A private temporary directory (short path: `sockaddr_un` holds ~107 bytes), removed on `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() {
        var template = Array("/tmp/fanout-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { $0.baseAddress.flatMap { mkdtemp($0) } }
        path = made.map { String(cString: $0) } ?? "/tmp"
    }

    func file(_ name: String) -> String { "\(path)/\(name)" }

    func cleanup() {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
                if name != "." && name != ".." { unlink(file(name)) }
            }
            closedir(dir)
        }
        rmdir(path)
    }
}
