import Foundation
import OrderGateway
import Synchronization
import Testing

/// An orderly stop closes the order connections because we asked: the operator's log reports
/// that as information, not as an error (the demo used to end with one `error` line per venue).
@Suite("Order gateway stop is not an error")
struct GatewayStopLogTests {
    /// Every line the gateway logged, with its error flag.
    final class LogRecorder: Sendable {
        let lines = Mutex<[(message: String, isError: Bool)]>([])
        var log: @Sendable (String, Bool) -> Void {
            { message, isError in self.lines.withLock { $0.append((message, isError)) } }
        }

        func lines(containing text: String) -> [(message: String, isError: Bool)] {
            lines.withLock { $0.filter { $0.message.contains(text) } }
        }
    }

    @Test("the connection-down line after stop() is logged as information")
    func stopLogsConnectionDownAsInformation() async throws {
        let recorder = LogRecorder()
        let rig = try await OrderRig.start(venue: "binance", symbol: "BTC-USDT", log: recorder.log)
        try await rig.waitUntilUp()
        #expect(recorder.lines(containing: "order connection down").isEmpty)
        rig.gateway.stop()
        // Loopback close handshake: milliseconds; the bound only guards a starved test run.
        let deadline = Date().addingTimeInterval(30)
        while recorder.lines(containing: "order connection down").isEmpty, Date() < deadline {
            try await Task.sleep(nanoseconds: 5_000_000)
        }
        let down = recorder.lines(containing: "order connection down")
        #expect(down.count == 1, "one connection-down line after stop(): \(down)")
        #expect(down.allSatisfy { !$0.isError }, "logged as an error: \(down)")
        #expect(recorder.lines.withLock { $0.filter(\.isError) }.isEmpty, "no error lines at all around an orderly stop")
        await rig.stop()
    }
}
