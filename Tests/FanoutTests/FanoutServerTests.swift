@testable import Fanout
import Foundation
import MarketModel
import NIOCore
import NIOPosix
import Testing

/// The Unix-socket server end to end: sockets live in a private temporary directory; every wait
/// is on a future with a deadline, never on the passing of time.
@Suite("FanoutServer over a Unix socket", .timeLimit(.minutes(2)))
struct FanoutServerTests {
    @Test("subscribe, events with seq, bad requests answered on a connection that stays up")
    func protocolRoundTrip() async throws {
        let fixture = ServerFixture(configuration: FanoutConfiguration(maxLineBytes: 256))
        try await fixture.server.start()
        let client = try await TestClient.connect(fixture.path)
        try await client.send(Fixtures.subscribe("1", "binance", "trades", "*") + "\n")
        try await client.lines(1)
        fixture.hub.publish(contentsOf: [Fixtures.trade(id: 1), Fixtures.trade("okx", Fixtures.btc, id: 2), Fixtures.trade(id: 3)])
        try await client.lines(3)
        try await client.send("{\"op\":\"subscribe\",\r\n")  // malformed (a CR before the LF is tolerated)
        try await client.send(#"{"op":"jump","id":"2"}"# + "\n" + Fixtures.subscribe("3", "bitstamp", "trades", "*") + "\n")
        try await client.send(#"{"op":"status","id":"x","pad":""# + String(repeating: "z", count: 300) + "\"}\n")
        try await client.send(#"{"op":"status","id":"4"}"# + "\n")
        let lines = try await client.lines(8)
        #expect(Array(lines.prefix(3)) == [
            #"{"type":"ack","id":"1"}"#,
            #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"50000.1","size":"0.002","side":"buy","trade_id":"1","ts_exchange":1700000000000000000,"ts_recv":1700000000000123456,"seq":1}"#,
            #"{"type":"trade","venue":"binance","symbol":"BTC-USDT","price":"50000.1","size":"0.002","side":"buy","trade_id":"3","ts_exchange":1700000000000000000,"ts_recv":1700000000000123456,"seq":2}"#,
        ])
        #expect(lines[3] == #"{"type":"error","code":"malformed_json","message":"malformed JSON at column 19: expected '\"' to start an object key, found end of line"}"#)
        #expect(lines[4] == #"{"type":"error","id":"2","code":"unknown_op","message":"unknown op 'jump'; ops are subscribe, unsubscribe, status, order.place, order.cancel, order.cancel_all, order.options"}"#)
        #expect(lines[5] == #"{"type":"error","id":"3","code":"unknown_venue","message":"unknown venue 'bitstamp'; this instance serves binance, okx"}"#)
        #expect(lines[6] == #"{"type":"error","code":"line_too_long","message":"request line longer than 256 bytes; it was discarded"}"#)
        #expect(TextLines.string(lines[7], "type") == "ack" && TextLines.string(lines[7], "id") == "4")
        // Still subscribed after all that.
        fixture.hub.publish(Fixtures.trade(id: 5))
        #expect(try await client.lines(9)[8].hasSuffix(#""trade_id":"5","ts_exchange":1700000000000000000,"ts_recv":1700000000000123456,"seq":3}"#))
        await client.close()
        await fixture.stop()
    }

    @Test("a new book subscriber gets the hub's current book as a snapshot, then deltas")
    func snapshotThenDeltas() async throws {
        let fixture = ServerFixture()
        try await fixture.server.start()
        fixture.hub.publish(contentsOf: [
            Fixtures.book(snapshot: true, bids: [("100", "1"), ("99", "1")], asks: [("101", "1")], ts: 10),
            Fixtures.book(snapshot: false, bids: [("99", "0")], asks: [("100.5", "2")], ts: 11),
        ])
        let client = try await TestClient.connect(fixture.path)
        try await client.send(Fixtures.subscribe("b", "*", "book", "BTC-*") + "\n")
        try await client.lines(2)
        fixture.hub.publish(Fixtures.book(snapshot: false, bids: [("100", "3")], ts: 12))
        let lines = try await client.lines(3)
        #expect(lines == [
            #"{"type":"ack","id":"b"}"#,
            #"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":true,"bids":[["100","1"]],"asks":[["100.5","2"],["101","1"]],"ts_exchange":11,"ts_recv":12,"seq":1}"#,
            #"{"type":"book","venue":"binance","symbol":"BTC-USDT","snapshot":false,"bids":[["100","3"]],"asks":[],"ts_exchange":12,"ts_recv":13,"seq":2}"#,
        ])
        await client.close()
        await fixture.stop()
    }

    @Test("a client that stops reading: bounded queue, notice, then disconnect with a final reason line")
    func stalledClient() async throws {
        let queue = SubscriberQueue.Configuration(highWaterMark: 200, highWaterBytes: 1 << 20, capacity: 1000, maxBytes: 4 << 20)
        let configuration = FanoutConfiguration(queue: queue, writeChunkBytes: 8 << 10, socketBufferLowWaterMark: 4 << 10,
                                                socketBufferHighWaterMark: 16 << 10, disconnectGrace: .seconds(60))
        let fixture = ServerFixture(configuration: configuration)
        try await fixture.server.start()
        let client = try await TestClient.connect(fixture.path)
        try await client.send(Fixtures.subscribe("1", "*", "*", "*") + "\n")
        try await client.lines(1)
        try await client.channel.setOption(ChannelOptions.autoRead, value: false).get()

        var nextID = 1
        var overflowed = false
        var peakEvents = 0
        var peakBytes = 0
        for _ in 0 ..< 2_000 {
            var batch: [MarketEvent] = []
            for _ in 0 ..< 100 {
                batch.append(nextID % 4 == 0
                    ? Fixtures.book(snapshot: nextID == 4, bids: [(String(nextID % 7 + 1), String(nextID))])
                    : Fixtures.trade(id: nextID))
                nextID += 1
            }
            fixture.hub.publish(contentsOf: batch)
            let stats = try await fixture.hub.statistics().get()
            guard let subscriber = stats.subscribers.first else { break }
            peakEvents = max(peakEvents, subscriber.queue.peakQueuedEvents)
            peakBytes = max(peakBytes, subscriber.queue.peakQueuedBytes)
            #expect(subscriber.queuedEvents <= queue.capacity && subscriber.queuedBytes <= queue.maxBytes)
            if subscriber.isClosing {
                overflowed = subscriber.queue.overflowed
                #expect(subscriber.queue.lagEpisodes == 1)
                #expect(subscriber.queue.conflatedUpdates > 0)
                break
            }
        }
        #expect(overflowed, "the stalled subscriber was never disconnected (\(nextID - 1) events published)")
        #expect(peakEvents <= queue.capacity && peakBytes <= queue.maxBytes)

        // The client reads again: everything the socket held, the notice, the final line, then EOF.
        try await client.channel.setOption(ChannelOptions.autoRead, value: true).get()
        client.channel.read()
        let lines = try await client.closed()
        let events = lines.dropFirst()
        #expect(events.map(TextLines.seq) == (1 ... UInt64(events.count)).map { Optional($0) })
        let tradeIDs = events.compactMap { TextLines.string($0, "trade_id") }.compactMap { Int($0) }
        #expect(!tradeIDs.isEmpty && tradeIDs == tradeIDs.sorted())
        // Trades are never dropped silently: every trade up to the last one delivered arrived.
        #expect(tradeIDs == (1 ... (tradeIDs.last ?? 0)).filter { $0 % 4 != 0 })
        let notices = events.filter { TextLines.string($0, "venue") == "*" }
        #expect(notices.count == 2)
        #expect(TextLines.string(notices[notices.startIndex], "state") == "stale")
        #expect(TextLines.string(notices[notices.startIndex], "reason")?.hasPrefix("slow consumer: 200 events queued") == true)
        #expect(events.last.map { TextLines.string($0, "state") } == "disconnected")
        #expect(events.last.flatMap { TextLines.string($0, "reason") }?.hasPrefix("slow consumer: queue limit reached") == true)
        #expect(try await fixture.hub.statistics().get().subscribers.isEmpty)
        await fixture.stop()
    }

    @Test("the socket is created 0660 whatever the umask")
    func permissions() async throws {
        for mask: mode_t in [0o077, 0o000] {
            let fixture = ServerFixture()
            let previous = umask(mask)
            var failure: FanoutError?
            do { try await fixture.server.start() } catch { failure = error }
            umask(previous)
            if let failure { throw failure }
            var info = stat()
            #expect(lstat(fixture.path, &info) == 0)
            #expect(info.st_mode & S_IFMT == S_IFSOCK)
            #expect(info.st_mode & 0o7777 == 0o660, "umask \(String(mask, radix: 8)): mode \(String(info.st_mode & 0o7777, radix: 8))")
            await fixture.stop()
        }
    }

    @Test("a second instance refuses a live socket and the first keeps serving")
    func refusesLiveSocket() async throws {
        let first = ServerFixture()
        try await first.server.start()
        let second = FanoutServer(path: first.path, hub: FanoutHub(catalog: Fixtures.catalog, eventLoop: MultiThreadedEventLoopGroup.singleton.next()))
        await #expect(throws: FanoutError.alreadyRunning(first.path)) { try await second.start() }
        #expect(UnixSocket.probe(first.path) == .live)
        let client = try await TestClient.connect(first.path)
        try await client.send(#"{"op":"status","id":"s"}"# + "\n")
        #expect(TextLines.string(try await client.lines(1)[0], "type") == "ack")
        await client.close()
        await first.stop()
    }

    @Test("a stale socket file (nobody listening) is replaced; a regular file is never touched")
    func staleAndForeignFiles() async throws {
        let fixture = ServerFixture()
        // A socket that was bound but never listened on, as a crashed instance leaves it.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        let bound = UnixSocket.withAddress(fixture.path) { bind(fd, $0, $1) }
        close(fd)
        #expect(bound == 0)
        #expect(UnixSocket.probe(fixture.path) == .stale)
        try await fixture.server.start()
        #expect(UnixSocket.probe(fixture.path) == .live)
        await fixture.stop()

        let directory = TemporaryDirectory()
        let path = directory.file("not-a-socket")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("keep me".utf8)))
        let server = FanoutServer(path: path, hub: FanoutHub(catalog: Fixtures.catalog, eventLoop: MultiThreadedEventLoopGroup.singleton.next()))
        await #expect(throws: FanoutError.notASocket(path)) { try await server.start() }
        #expect(FileManager.default.contents(atPath: path) == Data("keep me".utf8))
        directory.cleanup()
    }

    @Test("shutdown drains queued lines, sends a final line, closes, and removes the socket")
    func gracefulShutdown() async throws {
        let fixture = ServerFixture()
        try await fixture.server.start()
        let client = try await TestClient.connect(fixture.path)
        try await client.send(Fixtures.subscribe("1", "*", "trades", "*") + "\n")
        try await client.lines(1)
        fixture.hub.publish(contentsOf: (1 ... 500).map { Fixtures.trade(id: $0) })
        await fixture.server.shutdown(drainFor: .seconds(10))
        // Returns only once every connection is closed and the socket file is gone.
        #expect(try await fixture.hub.statistics().get().subscribers.isEmpty)
        #expect(UnixSocket.probe(fixture.path) == .absent)
        let lines = try await client.closed()
        #expect(lines.count == 502)
        #expect(lines.last == #"{"type":"status","venue":"*","state":"disconnected","reason":"server shutting down","seq":501}"#)
        #expect(UnixSocket.probe(fixture.path) == .absent)
        await #expect(throws: FanoutError.shuttingDown(fixture.path)) { try await fixture.server.start() }
        fixture.directory.cleanup()
    }

    @Test("over the connection limit a client is told and closed")
    func connectionLimit() async throws {
        let fixture = ServerFixture(configuration: FanoutConfiguration(maxSubscribers: 1))
        try await fixture.server.start()
        let first = try await TestClient.connect(fixture.path)
        try await first.send(#"{"op":"status","id":"1"}"# + "\n")
        try await first.lines(1)
        let second = try await TestClient.connect(fixture.path)
        let lines = try await second.closed()
        #expect(lines == [#"{"type":"error","code":"unavailable","message":"connection refused: the server is at its limit of 1 connections or shutting down"}"#])
        await first.close()
        await fixture.stop()
    }

    @Test("an installed order handler receives order requests and answers the placing client")
    func orderHandler() async throws {
        struct Echo: OrderHandler {
            func handle(_ request: OrderRequest, replies: OrderReplies) {
                guard case .place(let placement) = request else {
                    return replies.reject(code: .unsupported, message: "cancel not implemented")
                }
                replies.accept()
                replies.update(OrderUpdate(clientOrderID: placement.clientOrderID ?? "?", venue: placement.venue, symbol: placement.symbol,
                                           state: .filled, filledSize: placement.size, averagePrice: placement.price, tsRecv: 42))
            }
        }
        let fixture = ServerFixture()
        try await fixture.server.start()
        fixture.hub.installOrderHandler(Echo())
        let client = try await TestClient.connect(fixture.path)
        try await client.send(#"{"op":"order.place","id":"3","venue":"binance","symbol":"BTC-USDT","side":"buy","type":"limit","price":"50000.10","size":"0.001","client_order_id":"c-1"}"# + "\n")
        try await client.send(#"{"op":"order.cancel","id":"4","venue":"binance","symbol":"BTC-USDT","client_order_id":"c-1"}"# + "\n")
        #expect(try await client.lines(3) == [
            #"{"type":"ack","id":"3"}"#,
            #"{"type":"order","client_order_id":"c-1","venue":"binance","symbol":"BTC-USDT","state":"filled","filled_size":"0.001","avg_price":"50000.10","ts_recv":42,"seq":1}"#,
            #"{"type":"error","id":"4","code":"unsupported","message":"cancel not implemented"}"#,
        ])
        await client.close()
        await fixture.stop()
    }
}
