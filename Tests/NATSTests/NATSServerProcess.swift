import Foundation
import NIOCore
import NIOPosix

/// A real `nats-server` on a loopback port, started as a subprocess for integration tests.
/// Tests that need it skip (with a message) only when the binary is missing; CI installs it.
final class NATSServerProcess: @unchecked Sendable {
    static let binary: String? = {
        let env = ProcessInfo.processInfo.environment["NATS_SERVER"]
        let candidates = [env, "/usr/sbin/nats-server", "/usr/bin/nats-server", "/usr/local/bin/nats-server"].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var isAvailable: Bool { binary != nil }
    static let skipMessage = "nats-server not found (install it: apt-get install -y nats-server, or set NATS_SERVER)"

    let port: Int
    let extraArguments: [String]
    let name: String
    private(set) var process: Process?
    let directory: URL

    init(port: Int, name: String = "n", extraArguments: [String] = []) {
        self.port = port
        self.name = name
        self.extraArguments = extraArguments
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("marketmux-nats-\(getpid())-\(port)")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var url: String { "nats://127.0.0.1:\(port)" }

    /// Starts the server and waits until it accepts TCP connections.
    func start() throws {
        guard let binary = Self.binary else { throw TestFailure(Self.skipMessage) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["-a", "127.0.0.1", "-p", String(port), "-n", name] + extraArguments
        let log = directory.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        process = p
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if Self.canConnect(port: port) { return }
            if !p.isRunning { break }
            usleep(20_000)
        }
        throw TestFailure("nats-server on port \(port) did not start; log: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
    }

    /// SIGKILL (a crash: no lame-duck, no goodbye).
    func kill() {
        guard let p = process, p.isRunning else { return }
        Foundation.kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        process = nil
    }

    /// SIGTERM and wait.
    func stop() {
        guard let p = process, p.isRunning else { return }
        p.terminate()
        p.waitUntilExit()
        process = nil
    }

    deinit {
        kill()
        try? FileManager.default.removeItem(at: directory)
    }

    static func canConnect(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    /// A free loopback port (bind to 0, read it back, release it).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Polls `condition` (evaluated on `loop`) until it holds or `timeout` passes.
func waitFor(_ what: String, timeout: TimeAmount = .seconds(30), on loop: any EventLoop,
             _ condition: @escaping @Sendable () -> Bool) async throws {
    let deadline = NIODeadline.now() + timeout
    // The clock is read before each check, so the check that fails the wait was started after
    // the deadline: under full-suite load this task may not resume for many seconds, and a result
    // computed before that pause said nothing about the end of the wait (a client that connected
    // meanwhile was reported as a timeout, "state: connected" in the failure's own print).
    while true {
        let expired = NIODeadline.now() >= deadline
        if try await loop.submit(condition).get() { return }
        if expired { break }
        try await Task.sleep(nanoseconds: 20_000_000)
    }
    throw TestFailure("timed out waiting for \(what)")
}

/// Collects messages delivered on a loop (touched only there).
final class MessageCollector: @unchecked Sendable {
    var messages: [NATSMessageRecord] = []
}

struct NATSMessageRecord: Sendable {
    var subject: String
    var payload: String
}
