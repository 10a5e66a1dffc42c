/// A message the server delivered for one of our subscriptions (`MSG` or `HMSG`).
public struct NATSMessage: Sendable, Hashable {
    /// The subject it was published to.
    public var subject: String
    /// Our subscription id it matched.
    public var sid: UInt64
    /// The reply subject, if the publisher expects an answer (request-reply).
    public var replyTo: String?
    /// The headers of an `HMSG`, `nil` for a plain `MSG`.
    public var headers: NATSHeaders?
    /// The payload bytes (owned: one copy out of the read buffer).
    public var payload: [UInt8]

    /// Memberwise initializer.
    public init(subject: String, sid: UInt64, replyTo: String? = nil, headers: NATSHeaders? = nil, payload: [UInt8]) {
        self.subject = subject
        self.sid = sid
        self.replyTo = replyTo
        self.headers = headers
        self.payload = payload
    }

    /// The payload as UTF-8 text.
    public var payloadText: String { String(decoding: payload, as: UTF8.self) }
}

/// NATS message headers: the `NATS/1.0 [status [description]]` line plus `Name: value` fields
/// (ADR-4). Field order and repeated names are kept.
public struct NATSHeaders: Sendable, Hashable {
    /// The inline status (`503` = no responders, `408` = request timeout), if any.
    public var status: Int?
    /// The status description after the code.
    public var statusDescription: String
    /// The fields in wire order.
    public var fields: [(name: String, value: String)]

    /// Headers with the given fields and no status.
    public init(_ fields: [(name: String, value: String)] = [], status: Int? = nil, statusDescription: String = "") {
        self.fields = fields
        self.status = status
        self.statusDescription = statusDescription
    }

    /// The first value of `name` (case-insensitive), if present.
    public subscript(name: String) -> String? {
        let lower = name.lowercased()
        return fields.first { $0.name.lowercased() == lower }?.value
    }

    /// Parses a header block (`NATS/1.0…\r\n` … `\r\n\r\n`).
    public init(bytes: UnsafeRawBufferPointer) throws(NATSError) {
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: true)[...]
        guard let first = lines.popFirst(), first.hasPrefix("NATS/1.0") else {
            throw NATSError(.protocolViolation, "HMSG header block does not start with NATS/1.0")
        }
        let rest = first.dropFirst(8).drop { $0 == " " }
        let code = rest.prefix { $0 != " " }
        status = code.isEmpty ? nil : Int(code)
        statusDescription = String(rest.dropFirst(code.count).drop { $0 == " " })
        fields = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                throw NATSError(.protocolViolation, "HMSG header line without ':'")
            }
            fields.append((String(line[..<colon]), String(line[line.index(after: colon)...].drop { $0 == " " })))
        }
    }

    /// The wire form, `NATS/1.0\r\nName: value\r\n…\r\n`.
    public var bytes: [UInt8] {
        var out = Array("NATS/1.0".utf8)
        if let status { out += Array(" \(status)".utf8) }
        if !statusDescription.isEmpty { out += Array(" \(statusDescription)".utf8) }
        out += [13, 10]
        for field in fields { out += Array("\(field.name): \(field.value)\r\n".utf8) }
        out += [13, 10]
        return out
    }

    /// Compares status, description and fields in order.
    public static func == (lhs: NATSHeaders, rhs: NATSHeaders) -> Bool {
        lhs.status == rhs.status && lhs.statusDescription == rhs.statusDescription
            && lhs.fields.map(\.name) == rhs.fields.map(\.name) && lhs.fields.map(\.value) == rhs.fields.map(\.value)
    }

    /// Hashes what `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(status)
        hasher.combine(statusDescription)
        for field in fields { hasher.combine(field.name); hasher.combine(field.value) }
    }
}

/// One operation the server sent.
public enum NATSServerOp: Sendable, Hashable {
    /// `INFO {…}` (first thing on a connection, and again when the cluster changes).
    case info(NATSServerInfo)
    /// `MSG` / `HMSG`.
    case message(NATSMessage)
    /// `PING`: answer `PONG`.
    case ping
    /// `PONG`: answers our oldest outstanding `PING`.
    case pong
    /// `+OK` (only in verbose mode, which we do not request).
    case ok
    /// `-ERR 'text'` (quotes removed).
    case error(String)
}
