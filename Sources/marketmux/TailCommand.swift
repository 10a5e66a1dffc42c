import ArgumentParser
import Fanout
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `marketmux tail [--socket P] [--venue V] [--channel C] [--symbol S]`: subscribes on the local
/// socket and prints every event line on stdout exactly as received (SPEC.md §2, §5). The
/// protocol side is `Fanout.TailSession`; this shell does the blocking socket and stdout I/O.
struct TailCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tail",
        abstract: "Subscribe on the local socket and print normalized events as NDJSON on stdout.",
        discussion: """
        Each event line (trade, book, bbo, status, ...) is written to stdout as the server sent it, one per \
        line, as soon as it arrives, so the output pipes cleanly into jq. Patterns may use * wildcards \
        (--symbol 'BTC-*'). Errors go to stderr with a non-zero exit: a refused subscription, a missing \
        socket, or the server ending the stream (its last status line says why). docs/protocol.md \
        describes the lines.
        """
    )

    @Option(help: "Socket path (default: $MARKETMUX_SOCKET, else ./marketmux.sock).") var socket: String?
    @Option(help: "Venue id or pattern, e.g. binance, 'bin*', '*'.") var venue = "*"
    @Option(help: "Channel or pattern: trades, book, bbo, ticker, funding, liquidations, '*'.") var channel = "*"
    @Option(help: "Normalized symbol or pattern, e.g. BTC-USDT, 'BTC-*', '*'.") var symbol = "*"

    /// Longest line accepted from the server (a deep book snapshot is far below this).
    static let maxLineBytes = 64 << 20

    func run() throws {
        signal(SIGPIPE, SIG_IGN)  // a closed stdout (`| head`) shows up as EPIPE: end quietly
        let path = socket ?? getenv("MARKETMUX_SOCKET").map { String(cString: $0) } ?? "./marketmux.sock"
        let fd: Int32
        do {
            fd = try UnixSocket.connect(to: path)
        } catch {
            exitWithError("\(error.message).")
        }
        defer { close(fd) }
        var session = TailSession(filter: SubscriptionFilter(venue: .init(venue), channel: .init(channel), symbol: .init(symbol)))
        guard Self.writeAll(fd, session.subscribeLine[...]) else {
            exitWithError("cannot send the subscription to \(path): \(String(cString: strerror(errno))).")
        }
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        var output: [UInt8] = []
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                exitWithError("reading from \(path) failed: \(String(cString: strerror(errno))).")
            }
            if count == 0 { exitWithError("\(session.endMessage).") }
            pending.append(contentsOf: chunk[..<count])
            // Every complete line goes out now (one write per read: nothing waits in a buffer).
            var start = 0
            output.removeAll(keepingCapacity: true)
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                let step = pending.withUnsafeBytes { session.receive(UnsafeRawBufferPointer(rebasing: $0[start ..< newline])) }
                switch step {
                case .print:
                    output.append(contentsOf: pending[start ... newline])
                case .subscribed:
                    break
                case .warn(let message):
                    Self.flush(&output)
                    _ = Self.writeAll(STDERR_FILENO, Array("marketmux: \(message)\n".utf8)[...])
                case .fail(let message):
                    Self.flush(&output)
                    exitWithError("\(message).")
                }
                start = newline + 1
            }
            pending.removeFirst(start)
            Self.flush(&output)
            if pending.count > Self.maxLineBytes { exitWithError("the server sent a line longer than \(Self.maxLineBytes) bytes.") }
        }
    }

    /// Writes `output` to stdout; a reader that went away (EPIPE) ends the command successfully.
    static func flush(_ output: inout [UInt8]) {
        guard !output.isEmpty else { return }
        if !writeAll(STDOUT_FILENO, output[...]) {
            if errno == EPIPE { endQuietly() }
            exitWithError("writing to stdout failed: \(String(cString: strerror(errno))).")
        }
        output.removeAll(keepingCapacity: true)
    }

    /// `write(2)` until everything is written; `false` with `errno` set on failure.
    static func writeAll(_ fd: Int32, _ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}


/// Exit 0 (the reader of stdout went away); a free function because `ParsableCommand` has its own `exit`.
private func endQuietly() -> Never {
    exit(0)
}
