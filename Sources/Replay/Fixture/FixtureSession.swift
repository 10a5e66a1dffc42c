import Foundation

/// A recorded venue session (`fixtures/<venue>/<scenario>/session.jsonl`, docs/fixtures.md), parsed
/// into typed lines. This is the canonical reader: every line is checked (JSON object, integer
/// non-decreasing `t`, known `ev`, the fields each kind needs, connections used only while open),
/// and a bad line fails with a `FixtureError` naming the file, the line and the field.
public struct FixtureSession: Sendable, Equatable {
    /// The file it was read from (or the name given to `init(text:file:)`).
    public let file: String
    /// Every line in file order.
    public let lines: [FixtureLine]

    /// The `config` line (docs/fixtures.md: always the first line).
    public var config: FixtureConfig {
        if case .config(let config) = lines.first?.event { return config }
        return FixtureConfig(symbols: [], channels: [])
    }

    /// Connection ids in the order they connect.
    public var connections: [Int] {
        lines.compactMap { if case .connect(let conn, _) = $0.event { conn } else { nil } }
    }

    /// The session length: `t` of the last line.
    public var duration: Int64 { lines.last?.t ?? 0 }

    /// Reads and parses `path`.
    public init(contentsOfFile path: String) throws(FixtureError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FixtureError(file: path, line: nil, field: nil, message: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw FixtureError(file: path, line: nil, field: nil, message: "the file is not UTF-8")
        }
        try self.init(text: text, file: path)
    }

    /// Parses session text; `file` names it in errors.
    public init(text: String, file: String) throws(FixtureError) {
        self.file = file
        var parser = LineParser(file: file)
        var lines: [FixtureLine] = []
        var number = 0
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let line = raw.hasSuffix("\r") ? raw.dropLast() : raw
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            lines.append(try parser.parse(line, number: number))
        }
        guard !lines.isEmpty else { throw FixtureError(file: file, line: nil, field: nil, message: "the session is empty") }
        self.lines = lines
    }
}

/// Parses one line at a time, keeping what the checks across lines need.
private struct LineParser {
    let file: String
    var previousT: Int64 = 0
    var sawConfig = false
    var open: Set<Int> = []
    var used: Set<Int> = []

    init(file: String) { self.file = file }

    mutating func parse(_ text: Substring, number: Int) throws(FixtureError) -> FixtureLine {
        let file = self.file
        let fail: (String?, String) -> FixtureError = { field, message in
            FixtureError(file: file, line: number, field: field, message: message)
        }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw fail(nil, "the line is not a JSON object")
            }
            object = parsed
        } catch let error as FixtureError {
            throw error
        } catch {
            throw fail(nil, "the line is not valid JSON")
        }
        let fields = Fields(object: object, fail: fail)
        let t = try fields.integer("t")
        guard t >= 0 else { throw fail("t", "must be ≥ 0, got \(t)") }
        guard t >= previousT else { throw fail("t", "decreases (\(t) after \(previousT))") }
        previousT = t
        let kind = try fields.string("ev")
        let event: FixtureEvent
        switch kind {
        case "config":
            guard !sawConfig else { throw fail("ev", "a second `config` line") }
            event = .config(FixtureConfig(symbols: try fields.strings("symbols"), channels: try fields.strings("channels"),
                                          bookDepth: try fields.optionalInteger("book_depth").map { Int($0) },
                                          options: try fields.options("options")))
        case "connect":
            let conn = try fields.connection()
            guard !used.contains(conn) else { throw fail("conn", "connection \(conn) was already used; give a new connection a new id") }
            open.insert(conn)
            used.insert(conn)
            event = .connect(conn: conn, url: try fields.string("url"))
        case "send":
            event = .send(conn: try openConnection(fields, fail), text: try fields.string("text"))
        case "recv":
            let conn = try openConnection(fields, fail)
            if let text = object["text"] {
                guard let text = text as? String else { throw fail("text", "must be a string") }
                event = .recv(conn: conn, payload: Array(text.utf8), isBinary: false)
            } else if object["binary_b64"] != nil {
                let encoded = try fields.string("binary_b64")
                guard let data = Data(base64Encoded: encoded) else { throw fail("binary_b64", "is not valid base64") }
                event = .recv(conn: conn, payload: Array(data), isBinary: true)
            } else {
                throw fail("text", "a recv line needs `text` (or `binary_b64`)")
            }
        case "rest":
            let method = object["method"] == nil ? "GET" : try fields.string("method")
            let status = try fields.integer("status")
            guard (100...599).contains(status) else { throw fail("status", "must be an HTTP status 100...599, got \(status)") }
            event = .rest(FixtureREST(method: method.uppercased(), url: try fields.string("url"), status: Int(status),
                                      body: Array(try fields.string("body").utf8)))
        case "disconnect":
            let conn = try openConnection(fields, fail)
            open.remove(conn)
            event = .disconnect(conn: conn, code: try fields.optionalInteger("code").map { Int($0) },
                                reason: try fields.optionalString("reason"))
        default:
            throw fail("ev", "unknown event kind '\(kind)' (config, connect, send, recv, rest, disconnect)")
        }
        if case .config = event { sawConfig = true } else if !sawConfig {
            throw fail("ev", "the first line must be `config`")
        }
        return FixtureLine(t: t, line: number, event: event)
    }

    private func openConnection(_ fields: Fields, _ fail: (String?, String) -> FixtureError) throws(FixtureError) -> Int {
        let conn = try fields.connection()
        guard open.contains(conn) else {
            throw fail("conn", used.contains(conn) ? "connection \(conn) is already disconnected" : "connection \(conn) was never connected")
        }
        return conn
    }
}

/// Typed access to one line's JSON fields.
private struct Fields {
    let object: [String: Any]
    let fail: (String?, String) -> FixtureError

    func integer(_ key: String) throws(FixtureError) -> Int64 {
        guard let value = object[key] else { throw fail(key, "is missing (an integer is required)") }
        guard let number = Self.integer(value) else { throw fail(key, "must be an integer") }
        return number
    }

    func optionalInteger(_ key: String) throws(FixtureError) -> Int64? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let number = Self.integer(value) else { throw fail(key, "must be an integer") }
        return number
    }

    func connection() throws(FixtureError) -> Int {
        let conn = try integer("conn")
        guard conn >= 0 && conn <= Int64(Int32.max) else { throw fail("conn", "must be a non-negative connection id") }
        return Int(conn)
    }

    func string(_ key: String) throws(FixtureError) -> String {
        guard let value = object[key] else { throw fail(key, "is missing (a string is required)") }
        guard let text = value as? String else { throw fail(key, "must be a string") }
        return text
    }

    func optionalString(_ key: String) throws(FixtureError) -> String? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        guard let text = value as? String else { throw fail(key, "must be a string") }
        return text
    }

    func strings(_ key: String) throws(FixtureError) -> [String] {
        guard let value = object[key] else { throw fail(key, "is missing (an array of strings is required)") }
        guard let array = value as? [Any] else { throw fail(key, "must be an array of strings") }
        var result: [String] = []
        for (index, item) in array.enumerated() {
            guard let text = item as? String, !text.isEmpty else { throw fail(key, "item \(index) must be a non-empty string") }
            result.append(text)
        }
        return result
    }

    func options(_ key: String) throws(FixtureError) -> [String: String] {
        guard let value = object[key], !(value is NSNull) else { return [:] }
        guard let options = value as? [String: String] else { throw fail(key, "must be an object of strings") }
        return options
    }

    /// JSON integers only: not booleans (which Foundation also hands out as NSNumber), not fractions.
    static func integer(_ value: Any) -> Int64? {
        guard let number = value as? NSNumber else { return nil }
        switch String(cString: number.objCType) {
        case "i", "l", "q", "s": return number.int64Value
        case "I", "L", "Q", "S": return number.uint64Value <= UInt64(Int64.max) ? Int64(number.uint64Value) : nil
        default: return nil
        }
    }
}
