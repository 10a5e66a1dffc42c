import Foundation
import MarketModel
import NIOCore
import NIOPosix
import Testing
@testable import NATS

@Suite("NATS against a real nats-server", .serialized, .enabled(if: natsServerTestsEnabled, "\(NATSServerProcess.skipMessage)"))
struct NATSIntegrationTests {
    @Test("publisher → subscriber round trip: SPEC §7 subjects, SPEC §5 JSON without seq")
    func roundTrip() async throws {
        let server = NATSServerProcess(port: NATSServerProcess.freePort())
        try server.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let subscriber = NATSConnection(configuration: try clientConfiguration([server.url], name: "sub"), eventLoop: loop)
        let publishing = NATSConnection(configuration: try clientConfiguration([server.url], name: "pub"), eventLoop: loop)
        subscriber.start()
        publishing.start()
        try await subscriber.waitUntilConnected().get()
        try await publishing.waitUntilConnected().get()
        let md = try await collect(subscriber, "mm.md.>")
        let status = try await collect(subscriber, "mm.status.>")
        try await subscriber.flush().get()   // the SUBs are in place
        let publisher = NATSPublisher(connection: publishing,
                                      configuration: try NATSPublisherConfiguration(subjectPrefix: "mm", shardVenues: [.binance, .okx]))
        publisher.start()
        let option = MarketEvent.trade(Trade(venue: .deribit, symbol: Symbol(unchecked: "BTC-USD-20261225-100000.5-C", kind: .option),
                                             price: FixedDecimal(1), size: FixedDecimal(1), side: nil, tradeID: "o", tsExchange: nil, tsRecv: 1))
        let events: [MarketEvent] = [Events.trade(1), Events.book(), .status(StatusEvent(venue: .okx, state: .live, reason: "ok")), option]
        publisher.publish(events)
        try await waitFor("3 messages", on: loop) { md.messages.count == 2 && status.messages.count == 1 }
        #expect(md.messages.map(\.subject) == ["mm.md.binance.trades.BTC-USDT-PERP", "mm.md.okx.book.ETH-USDT"])
        #expect(md.messages.map(\.payload) == [Events.payload(events[0]), Events.payload(events[1])])
        #expect(md.messages[0].payload == #"{"type":"trade","venue":"binance","symbol":"BTC-USDT-PERP","price":"50000.11","size":"0.002","side":"sell","trade_id":"1","ts_exchange":1700000000000000001,"ts_recv":1700000000000123457}"#)
        #expect(status.messages.map(\.subject) == ["mm.status.okx"])
        #expect(status.messages.first?.payload == #"{"type":"status","venue":"okx","state":"live","reason":"ok"}"#)
        let stats = try await publisher.statistics().get()
        #expect(stats.publishedEvents == 3)
        #expect(stats.skippedOtherShard == 1)   // deribit is not in this instance's shard
        #expect(publisher.subject(for: option) == "mm.md.deribit.trades.BTC-USD-20261225-100000%2E5-C")
        _ = try await subscriber.close().get()
        _ = try await publishing.close().get()
        try await group.shutdownGracefully()
    }

    @Test("request-reply: a responder answers on the message's reply subject; no responders fails fast")
    func requestReply() async throws {
        let server = NATSServerProcess(port: NATSServerProcess.freePort())
        try server.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let responder = NATSConnection(configuration: try clientConfiguration([server.url]), eventLoop: loop)
        let requester = NATSConnection(configuration: try clientConfiguration([server.url]), eventLoop: loop)
        responder.start()
        requester.start()
        try await responder.waitUntilConnected().get()
        try await requester.waitUntilConnected().get()
        let intake = NATSPublisher(connection: responder, configuration: try NATSPublisherConfiguration(subjectPrefix: "mm"))
        let sids = try await intake.serveOrderIntake(venues: [.binance]) { venue, message in
            responder.respondOnLoop(to: message, payload: Array("{\"type\":\"ack\",\"venue\":\"\(venue)\",\"echo\":\(message.payloadText)}".utf8))
        }.get()
        #expect(sids.count == 1)
        try await responder.flush().get()
        let reply = try await requester.request(subject: "mm.orders.binance", payload: Array("{\"id\":\"1\"}".utf8)).get()
        #expect(reply.payloadText == #"{"type":"ack","venue":"binance","echo":{"id":"1"}}"#)
        await #expect(throws: NATSError.self) {
            _ = try await requester.request(subject: "mm.orders.nobody", payload: [], timeout: .seconds(3)).get()
        }
        _ = try await responder.close().get()
        _ = try await requester.close().get()
        try await group.shutdownGracefully()
    }

    @Test("server restart: buffered events are delivered after reconnect, drops are counted and reported")
    func serverRestart() async throws {
        let server = NATSServerProcess(port: NATSServerProcess.freePort())
        try server.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        // One connection publishes and subscribes (echo): on reconnect its SUBs precede the
        // buffered PUBs, so every event that survived the buffer must arrive.
        let connection = NATSConnection(configuration: try clientConfiguration([server.url]) { $0.pendingBufferLimit = 64 << 10 },
                                        eventLoop: loop)
        connection.start()
        try await connection.waitUntilConnected().get()
        let md = try await collect(connection, "mm.md.>")
        let status = try await collect(connection, "mm.status.>")
        let publisher = NATSPublisher(connection: connection, configuration: try NATSPublisherConfiguration(subjectPrefix: "mm"))
        publisher.start()
        publisher.publish((0..<100).map { Events.trade($0) })
        try await waitFor("first 100", on: loop) { md.messages.count == 100 }

        server.kill()
        try await waitFor("disconnect", on: loop) { connection.stateOnLoop == .reconnecting }
        // ~200 bytes per event: 1000 events overflow the 64 KiB buffer.
        publisher.publish((100..<1100).map { Events.trade($0) })
        let down = try await connection.statistics().get()
        #expect(down.droppedMessages > 0)
        #expect(down.pendingBytes <= 64 << 10)
        #expect(UInt64(down.pendingMessages) + down.droppedMessages == 1000)

        try server.start()
        do {
            try await waitFor("buffered events and the loss report", timeout: .seconds(15), on: loop) {
                md.messages.count == 100 + down.pendingMessages && status.messages.count == 1
            }
        } catch {
            let (m, s) = try await loop.submit { (md.messages.count, status.messages.map(\.payload)) }.get()
            let now = try await connection.statistics().get()
            Issue.record("got \(m) market-data messages (want \(100 + down.pendingMessages)), status \(s), stats \(now)")
            throw error
        }
        let ids = md.messages.dropFirst(100).compactMap { Int($0.payload.split(separator: "\"trade_id\":\"")[1].prefix { $0 != "\"" }) }
        // Drop-oldest: the survivors are exactly the newest events, in order.
        #expect(ids == Array((1100 - down.pendingMessages)..<1100))
        #expect(status.messages.first?.payload.contains("\"state\":\"resyncing\"") == true)
        #expect(status.messages.first?.payload.contains("dropped \(down.droppedMessages) events") == true)
        let after = try await connection.statistics().get()
        #expect(after.connects == 2)
        #expect(after.pendingMessages == 0)
        _ = try await connection.close().get()
        try await group.shutdownGracefully()
    }

    @Test("flow control: a stalled server (SIGSTOP) fills the socket, then the bounded buffer drops oldest, counted and reported")
    func stalledServer() async throws {
        let server = NATSServerProcess(port: NATSServerProcess.freePort())
        try server.start()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pubLoop = group.next(), subLoop = group.next()
        // The subscriber's keep-alive too: a reconnect during the stall would lose deliveries.
        let subscriber = NATSConnection(configuration: try clientConfiguration([server.url], name: "sub") { $0.pingInterval = Interval.seconds(120) },
                                        eventLoop: subLoop)
        subscriber.start()
        try await subscriber.waitUntilConnected().get()
        let md = try await collect(subscriber, "mm.md.>")
        let status = try await collect(subscriber, "mm.status.>")
        try await subscriber.flush().get()
        // Keep-alive far beyond the stall: on a loaded CI machine publishing the burst while the
        // server is stopped took over 10 s, the 5 s × 2 keep-alive judged the server dead and
        // reconnected, and writes lost at that disconnect are never confirmed. Liveness is the
        // subject of other tests; this one is about the bounded buffer.
        let connection = NATSConnection(configuration: try clientConfiguration([server.url]) {
            $0.pendingBufferLimit = 256 << 10
            $0.pingInterval = Interval.seconds(120)
        }, eventLoop: pubLoop)
        connection.start()
        try await connection.waitUntilConnected().get()
        let publisher = NATSPublisher(connection: connection, configuration: try NATSPublisherConfiguration(subjectPrefix: "mm"))
        publisher.start()

        guard let pid = server.process?.processIdentifier else { throw TestFailure("no server process") }
        kill(pid, SIGSTOP)
        // ~40 MB: more than the kernel's socket buffers plus NIO's 1 MiB high watermark plus the
        // 256 KiB pending buffer, so the policy must drop.
        let total = 200_000
        for start in stride(from: 0, to: total, by: 1000) {
            publisher.publish((start..<start + 1000).map { Events.trade($0) })
        }
        try await waitFor("the buffer to overflow", on: pubLoop) { connection.statisticsOnLoop.droppedMessages > 0 }
        let stalled = try await connection.statistics().get()
        #expect(stalled.pendingBytes <= 256 << 10)
        #expect(connection.configuration.pendingBufferLimit == 256 << 10)
        kill(pid, SIGCONT)

        do {
            try await waitFor("everything not dropped, and the loss report", timeout: .seconds(30), on: pubLoop) {
                let s = connection.statisticsOnLoop
                return s.pendingMessages == 0 && s.confirmedMessages == s.sentMessages
            }
        } catch {
            Issue.record("publisher statistics at the timeout: \(try await connection.statistics().get())")
            throw error
        }
        let stats = try await connection.statistics().get()
        let expectedMarketData = total - Int(stats.droppedMessages)
        @Sendable func droppedReported() -> Int {
            status.messages.compactMap { record -> Int? in
                guard let r = record.payload.range(of: "dropped ") else { return nil }
                return Int(record.payload[r.upperBound...].prefix { $0.isNumber })
            }.reduce(0, +)
        }
        // Reports come at most once a second, so a long burst of drops takes a few of them.
        try await waitFor("delivery and loss reports", timeout: .seconds(30), on: subLoop) {
            md.messages.count == expectedMarketData && droppedReported() == Int(stats.droppedMessages)
        }
        #expect(stats.unconfirmedAtDisconnect == 0)
        #expect(stats.connects == 1)
        let reports = try await subLoop.submit { status.messages.count }.get()
        let reportedTotal = try await subLoop.submit { droppedReported() }.get()
        #expect(reportedTotal == Int(stats.droppedMessages))
        print("stalled server: published \(total), dropped \(stats.droppedMessages) (reported in \(reports) status events), delivered \(expectedMarketData), pending high water \(stats.pendingBytesHighWater) bytes")
        _ = try await subscriber.close().get()
        _ = try await connection.close().get()
        try await group.shutdownGracefully()
    }

    @Test("3-node cluster, publisher's node killed mid-stream: publishing resumes on a survivor, loss within policy")
    func clusterFailover() async throws {
        let ports = (0..<3).map { _ in NATSServerProcess.freePort() }
        let clusterPorts = (0..<3).map { _ in NATSServerProcess.freePort() }
        let nodes = (0..<3).map { i in
            NATSServerProcess(port: ports[i], name: "n\(i)", extraArguments: [
                "--cluster_name", "mm", "--cluster", "nats://127.0.0.1:\(clusterPorts[i])",
                "--routes", clusterPorts.enumerated().filter { $0.offset != i }.map { "nats://127.0.0.1:\($0.element)" }.joined(separator: ","),
            ])
        }
        for node in nodes { try node.start() }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let pubLoop = group.next(), subLoop = group.next()
        let subscriber = NATSConnection(configuration: try clientConfiguration([nodes[1].url], name: "sub") { $0.usesDiscoveredServers = false },
                                        eventLoop: subLoop)
        subscriber.start()
        try await subscriber.waitUntilConnected().get()
        let md = try await collect(subscriber, "mm.md.>")
        // The publisher is only told about node 0: it must learn the others from INFO connect_urls.
        let publishing = NATSConnection(configuration: try clientConfiguration([nodes[0].url], name: "pub"), eventLoop: pubLoop)
        publishing.start()
        try await publishing.waitUntilConnected().get()
        try await waitFor("cluster formed (connect_urls)", on: pubLoop) { publishing.knownServersOnLoop.count == 3 }
        let publisher = NATSPublisher(connection: publishing, configuration: try NATSPublisherConfiguration(subjectPrefix: "mm"))
        publisher.start()
        // Wait until node 0 knows node 1's subscription interest.
        try await waitFor("route interest", on: subLoop) {
            publisher.publish([Events.trade(-1, venue: "probe")])
            return md.messages.contains { $0.subject.hasPrefix("mm.md.probe.") }
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        let probes = try await subLoop.submit { md.messages.count }.get()
        let total = 3000
        // 3000 events, 10 every 2 ms (~5000/s); node 0 is killed after a third of them.
        for batch in 0..<(total / 10) {
            publisher.publish((batch * 10..<(batch + 1) * 10).map { Events.trade($0) })
            if batch == total / 30 { nodes[0].kill() }
            try await Task.sleep(nanoseconds: 2_000_000)
        }
        try await waitFor("publisher reconnected", on: pubLoop) { publishing.stateOnLoop == .connected }
        let stats = try await publishing.statistics().get()
        try await Task.sleep(nanoseconds: 1_000_000_000)  // let the last messages cross the route
        let received = try await subLoop.submit { Set(md.messages.dropFirst(probes).compactMap { record -> Int? in
            guard record.subject == "mm.md.binance.trades.BTC-USDT-PERP" else { return nil }
            return Int(record.payload.split(separator: "\"trade_id\":\"")[1].prefix { $0 != "\"" })
        }) }.get()
        let lost = (0..<total).filter { !received.contains($0) }
        // At risk: written to the dead connection unconfirmed, or dropped. Plus what node 0 had
        // confirmed but not yet forwarded over its route when it was killed (docs/scaling.md,
        // "Loss", point 5): core NATS promises no more, and with a confirming PING sent as soon as
        // each PONG arrives that route window is up to two 10-event batches (~4 ms) here.
        let routeWindow = 20
        let allowed = Int(stats.unconfirmedAtDisconnect + stats.droppedMessages) + routeWindow
        print("cluster failover: published \(total), received \(received.count), lost \(lost.count), at risk \(stats.unconfirmedAtDisconnect), dropped \(stats.droppedMessages), now on \(stats.currentServer ?? "-")")
        #expect(stats.connects == 2)
        #expect(stats.currentServer != "nats://127.0.0.1:\(ports[0])")
        #expect(lost.count <= allowed, "lost \(lost.count) events, policy allows \(allowed): \(lost.prefix(20))")
        #expect(received.contains(total - 1))   // publishing resumed after the kill
        #expect(received.filter { $0 >= total / 3 + 100 }.count >= total * 2 / 3 - 100 - allowed)
        _ = try await subscriber.close().get()
        _ = try await publishing.close().get()
        try await group.shutdownGracefully()
    }
}
