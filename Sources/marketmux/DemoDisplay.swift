import Foundation
import MarketModel
import SessionPool

/// One venue's line on the status screen.
struct DemoRow: Sendable {
    let venue: VenueID
    let counters: VenueSessionCounters
    let states: [String: StatusEvent]
}

/// The operator's view: a one-screen live table on a terminal, plain log lines otherwise.
final class DemoDisplay: @unchecked Sendable {
    let isInteractive: Bool
    private let lock = NSLock()
    private var previous: [VenueID: (messages: Int, at: Date)] = [:]
    private var rates: [VenueID: Double] = [:]
    private var recentLog: [String] = []
    private var lastSummary = Date.distantPast

    init(isInteractive: Bool) { self.isInteractive = isInteractive }

    func banner(_ text: String) {
        write(text + "\n")
    }

    /// A status change (plain mode prints each one; the screen shows the latest per venue).
    func status(_ status: StatusEvent) {
        let line = "status \(status.venue) \(status.symbol?.description ?? "*") \(status.channel?.rawValue ?? "*") \(status.state.rawValue)"
            + (status.reason.isEmpty ? "" : ": \(status.reason)")
        if isInteractive { remember(line) } else { write(timestamp() + " " + line + "\n") }
    }

    func log(_ message: String, isError: Bool) {
        let line = (isError ? "error " : "") + message
        if isInteractive { remember(line) } else if isError { write(timestamp() + " " + line + "\n") }
    }

    func simulatorEvent(_ text: String) {
        if isInteractive { remember("simulator: " + text) }
    }

    func render(_ rows: [DemoRow]) {
        let now = Date()
        var lines: [String] = []
        for row in rows {
            let rate: Double = lock.withLock {
                if let last = previous[row.venue] {
                    let seconds = now.timeIntervalSince(last.at)
                    if seconds > 0 { rates[row.venue] = Double(row.counters.messages - last.messages) / seconds }
                }
                previous[row.venue] = (row.counters.messages, now)
                return rates[row.venue] ?? 0
            }
            var counts: [StreamState: Int] = [:]
            for status in row.states.values { counts[status.state, default: 0] += 1 }
            let state = StreamState.allCasesInOrder.compactMap { s in counts[s].map { "\(s.rawValue) \($0)" } }.joined(separator: ", ")
            let trade = row.counters.lastTrade.map { "\($0.symbol) \($0.price) x \($0.size)\($0.side.map { " " + $0.rawValue } ?? "")" } ?? "-"
            let bookAge = row.counters.lastBookUpdate.map { Self.age(nanoseconds: $0) } ?? "-"
            lines.append(Self.pad(row.venue.rawValue, 16) + Self.pad(state.isEmpty ? "connecting" : state, 34)
                + Self.pad(String(format: "%.0f", rate), 9) + Self.pad("\(row.counters.openSockets)", 6)
                + Self.pad("\(max(0, row.counters.opens - row.counters.openSockets))", 6)
                + Self.pad(bookAge, 9) + trade)
        }
        if isInteractive {
            var screen = "\u{1B}[H\u{1B}[2J"
            screen += "MarketMux demo  \(Self.clock(now))   (Ctrl-C to stop)\n\n"
            screen += Self.pad("venue", 16) + Self.pad("streams", 34) + Self.pad("msgs/s", 9) + Self.pad("conns", 6)
                + Self.pad("recon", 6) + Self.pad("book age", 9) + "last trade\n"
            screen += lines.joined(separator: "\n") + "\n\nrecent events:\n"
            screen += lock.withLock { recentLog.suffix(12).joined(separator: "\n") } + "\n"
            write(screen)
        } else if now.timeIntervalSince(lastSummary) >= 5 {
            lastSummary = now
            for line in lines { write(timestamp() + " summary " + line + "\n") }
        }
    }

    private func remember(_ line: String) {
        lock.withLock {
            recentLog.append(Self.clock(Date()) + " " + line)
            if recentLog.count > 200 { recentLog.removeFirst(100) }
        }
    }

    private func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    private func timestamp() -> String { Self.clock(Date()) }

    static func clock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970) % 86_400
        let millis = Int(date.timeIntervalSince1970 * 1000) % 1000
        return String(format: "%02d:%02d:%02d.%03d", seconds / 3600, seconds / 60 % 60, seconds % 60, millis)
    }

    static func age(nanoseconds: Int64) -> String {
        let now = Int64(Date().timeIntervalSince1970 * 1e9)
        let ms = max(0, (now - nanoseconds) / 1_000_000)
        return ms < 1000 ? "\(ms)ms" : String(format: "%.1fs", Double(ms) / 1000)
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? String(text.prefix(width - 1)) + " " : text + String(repeating: " ", count: width - text.count)
    }
}

extension StreamState {
    /// Display order on the status screen.
    static let allCasesInOrder: [StreamState] = [.live, .stale, .resyncing, .connecting, .disconnected]
}
