import Fanout
import Foundation
import Logging
import NATS
import NIOCore
import Operations

/// Operator endpoints and logging for the commands that run the pipeline (`demo`, `run`).
enum OperationsSetup {
    /// Parses a `--log-level` value; exits with one sentence when it is not a level.
    static func logLevel(_ text: String) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            exitWithError("--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")), got '\(text)'.")
        }
        return level
    }

    /// Installs the plain-line log handler on stderr. swift-log allows one bootstrap per process
    /// (a second one traps), so later calls do nothing.
    static func bootstrapLogging(level: Logger.Level) {
        guard bootstrapped.raiseIfLowered() else { return }
        PlainLogHandler.bootstrap(level: level, output: .standardError)
    }

    private static let bootstrapped = OnceFlag()

    /// The demo's endpoints on 127.0.0.1:`port` (0: none). A port in use does not stop the demo:
    /// it says so through `announce` and runs without them.
    static func startForDemo(port: Int, logLevel: String, sources: [any VenueStatusSource], hub: FanoutHub, nats: NATSPublisher? = nil,
                             eventLoop: any EventLoop, announce: (String) -> Void) async -> OperationsService? {
        bootstrapLogging(level: self.logLevel(logLevel))
        guard port != 0 else { return nil }
        guard (1...65535).contains(port) else { exitWithError("--http-port must be 0 (off) or 1…65535, got \(port).") }
        let service = OperationsService(host: "127.0.0.1", port: port, sources: sources, hub: hub, nats: nats, eventLoop: eventLoop,
                                        logger: Logger(label: "marketmux.operations"))
        do {
            let bound = try await service.start()
            announce("status page http://127.0.0.1:\(bound)/  metrics http://127.0.0.1:\(bound)/metrics  status JSON http://127.0.0.1:\(bound)/status")
            return service
        } catch {
            announce("operator HTTP endpoint off: cannot listen on 127.0.0.1:\(port) (\(error)); pick another with --http-port")
            return nil
        }
    }
}

/// A flag that is raised once, from any thread.
final class OnceFlag: @unchecked Sendable {
    // @unchecked: `isRaised` is guarded by `lock`.
    private let lock = NSLock()
    private var isRaised = false

    /// Raises the flag; `true` only for the call that raised it.
    func raiseIfLowered() -> Bool {
        lock.withLock {
            defer { isRaised = true }
            return !isRaised
        }
    }
}
