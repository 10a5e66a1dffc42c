import Foundation
import MarketModel

/// One recorded session (`fixtures/<venue>/<scenario>/session.jsonl`, docs/fixtures.md), parsed.
struct FixtureSession {
    /// One line of the session.
    enum Event {
        case config(symbols: [Symbol], channels: [Channel], bookDepth: Int?, options: [String: String])
        case connect(conn: Int, url: String)
        case send(conn: Int, text: String)
        case recv(conn: Int, bytes: [UInt8], isBinary: Bool)
        case rest(method: String, url: String, status: Int, body: [UInt8])
        case disconnect(conn: Int, code: Int?, reason: String?)
    }

    /// `t` (ms since the session start) and the event, in file order.
    var events: [(t: Int64, line: Int, event: Event)] = []

    struct FormatError: Error, CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "session.jsonl line \(line): \(message)" }
    }

    init(contentsOf url: URL) throws {
        let text = try String(contentsOf: url, encoding: .utf8)
        var lineNumber = 0
        var previousT: Int64 = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if raw.allSatisfy(\.isWhitespace) { continue }
            func fail(_ message: String) -> FormatError { FormatError(line: lineNumber, message: message) }
            guard let object = try JSONSerialization.jsonObject(with: Data(raw.utf8)) as? [String: Any] else {
                throw fail("not a JSON object")
            }
            guard let t = (object["t"] as? NSNumber)?.int64Value else { throw fail("missing integer `t`") }
            guard t >= previousT else { throw fail("`t` decreases (\(t) after \(previousT))") }
            previousT = t
            guard let ev = object["ev"] as? String else { throw fail("missing `ev`") }
            func int(_ key: String) throws -> Int {
                guard let n = (object[key] as? NSNumber)?.intValue else { throw fail("missing integer `\(key)`") }
                return n
            }
            func string(_ key: String) throws -> String {
                guard let s = object[key] as? String else { throw fail("missing string `\(key)`") }
                return s
            }
            let event: Event
            switch ev {
            case "config":
                guard let names = object["symbols"] as? [String], let channelNames = object["channels"] as? [String] else {
                    throw fail("config needs `symbols` and `channels` arrays")
                }
                var symbols: [Symbol] = []
                for name in names {
                    do { symbols.append(try Symbol(name)) } catch { throw fail("\(error)") }
                }
                let channels = try channelNames.map { name in
                    guard let channel = Channel(rawValue: name) else { throw fail("unknown channel '\(name)'") }
                    return channel
                }
                let options = object["options"] as? [String: String] ?? [:]
                event = .config(symbols: symbols, channels: channels, bookDepth: (object["book_depth"] as? NSNumber)?.intValue,
                                options: options)
            case "connect":
                event = .connect(conn: try int("conn"), url: try string("url"))
            case "send":
                event = .send(conn: try int("conn"), text: try string("text"))
            case "recv":
                if let text = object["text"] as? String {
                    event = .recv(conn: try int("conn"), bytes: Array(text.utf8), isBinary: false)
                } else if let b64 = object["binary_b64"] as? String, let data = Data(base64Encoded: b64) {
                    event = .recv(conn: try int("conn"), bytes: Array(data), isBinary: true)
                } else {
                    throw fail("recv needs `text` or `binary_b64`")
                }
            case "rest":
                event = .rest(method: object["method"] as? String ?? "GET", url: try string("url"), status: try int("status"),
                              body: Array(try string("body").utf8))
            case "disconnect":
                event = .disconnect(conn: try int("conn"), code: (object["code"] as? NSNumber)?.intValue, reason: object["reason"] as? String)
            default:
                throw fail("unknown `ev` '\(ev)'")
            }
            events.append((t, lineNumber, event))
        }
    }
}
