import Foundation
import MarketModel
import NIOCore
import NIOPosix
@testable import NATS

/// Whether server-backed tests run: always in CI (where a missing binary must fail loudly),
/// elsewhere only when `nats-server` is installed.
let natsServerTestsEnabled = NATSServerProcess.isAvailable || ProcessInfo.processInfo.environment["CI"] != nil

enum Events {
    static func trade(_ i: Int, venue: VenueID = .binance, symbol: String = "BTC-USDT-PERP") -> MarketEvent {
        .trade(Trade(venue: venue, symbol: Symbol(unchecked: symbol, kind: .perpetual),
                     price: FixedDecimal(mantissa: 5_000_010 + Int64(i % 100), scale: 2), size: FixedDecimal(mantissa: 2, scale: 3),
                     side: i % 2 == 0 ? .buy : .sell, tradeID: TradeID(String(i)), tsExchange: 1_700_000_000_000_000_000 + Int64(i),
                     tsRecv: 1_700_000_000_000_123_456 + Int64(i)))
    }

    static func book(venue: VenueID = .okx) -> MarketEvent {
        .book(BookUpdate(venue: venue, symbol: Symbol(unchecked: "ETH-USDT", kind: .spot), isSnapshot: true,
                         bids: [BookLevel(price: FixedDecimal(mantissa: 300_001, scale: 2), size: FixedDecimal(mantissa: 15, scale: 1))],
                         asks: [BookLevel(price: FixedDecimal(mantissa: 300_002, scale: 2), size: FixedDecimal(mantissa: 3, scale: 1))],
                         tsExchange: nil, tsRecv: 1_700_000_000_000_000_001))
    }

    /// SPEC §5 line without `seq` and without the newline: the NATS payload.
    static func payload(_ event: MarketEvent) -> String {
        String(NDJSONEncoder().line(for: event).dropLast())
    }
}

func clientConfiguration(_ urls: [String], name: String = "test", _ configure: (inout NATSClientConfiguration) -> Void = { _ in })
    throws -> NATSClientConfiguration {
    var c = try NATSClientConfiguration(urls: urls, name: name)
    c.backoff = .init(base: Interval.milliseconds(50), cap: Interval.milliseconds(500), stablePeriod: Interval.seconds(10))
    c.handshakeTimeout = Interval.seconds(15)
    configure(&c)
    return c
}

/// Subscribes `subject` on `connection` and records every message on its loop.
func collect(_ connection: NATSConnection, _ subject: String) async throws -> MessageCollector {
    let collector = MessageCollector()
    _ = try await connection.subscribe(subject: subject) { message in
        collector.messages.append(NATSMessageRecord(subject: message.subject, payload: message.payloadText))
    }.get()
    return collector
}

/// Reads what a child's pipe has (blocking until something or EOF), retrying on EINTR:
/// Foundation's `FileHandle.availableData` traps on an interrupted `read(2)`, which happens when
/// other tests' child processes exit (SIGCHLD) while this one waits. Empty at end of file.
func readChunk(_ handle: FileHandle) -> Data {
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let n = buffer.withUnsafeMutableBytes { read(handle.fileDescriptor, $0.baseAddress, $0.count) }
        if n >= 0 { return Data(buffer[0..<n]) }
        if errno != EINTR { return Data() }
    }
}

/// Everything left in a child's pipe until end of file (EINTR-safe, see ``readChunk(_:)``).
func readToEnd(_ handle: FileHandle) -> Data {
    var all = Data()
    while true {
        let chunk = readChunk(handle)
        if chunk.isEmpty { return all }
        all.append(chunk)
    }
}
