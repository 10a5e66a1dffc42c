/// A sans-IO parser of the server → client half of the NATS protocol: `INFO`, `MSG`, `HMSG`,
/// `PING`, `PONG`, `+OK`, `-ERR`.
///
/// Feed it whatever the socket returned; it calls `body` once per complete operation and keeps
/// a partial one for the next call. Control lines are parsed in place (no copy unless a read
/// ended mid-operation); a message payload is copied once into its ``NATSMessage``.
///
/// Everything is bounded: a control line longer than ``maxControlLineLength`` and a payload
/// larger than ``maxPayload`` (the server's own `max_payload`, updated from `INFO`) are
/// protocol violations, so a broken peer cannot make us buffer without limit. Errors name the
/// operation and the offending byte.
public struct NATSParser: Sendable {
    /// Longest control line accepted (nats-server's own limit is 4096).
    public var maxControlLineLength: Int
    /// Largest payload (headers + body) accepted; set from `INFO max_payload`.
    public var maxPayload: Int
    /// Bytes of an operation that is not complete yet.
    private var pending: [UInt8] = []

    /// A parser with the given bounds (defaults: nats-server's defaults).
    public init(maxControlLineLength: Int = 4096, maxPayload: Int = 1_048_576) {
        self.maxControlLineLength = maxControlLineLength
        self.maxPayload = maxPayload
    }

    /// Bytes held back waiting for the rest of an operation.
    public var bufferedByteCount: Int { pending.count }

    /// Forgets any partial operation (a new connection starts clean).
    public mutating func reset() { pending.removeAll(keepingCapacity: true) }

    /// Parses `bytes`, calling `body` for every complete operation in order.
    public mutating func parse(_ bytes: UnsafeRawBufferPointer, _ body: (NATSServerOp) -> Void) throws(NATSError) {
        if pending.isEmpty {
            let consumed = try Self.parseOps(bytes, limits: (maxControlLineLength, maxPayload), body)
            if consumed < bytes.count { pending.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[consumed...])) }
            return
        }
        pending.append(contentsOf: bytes)
        let limits = (maxControlLineLength, maxPayload)
        var result: Result<Int, NATSError> = .success(0)
        pending.withUnsafeBytes { all in
            do throws(NATSError) { result = .success(try Self.parseOps(all, limits: limits, body)) } catch { result = .failure(error) }
        }
        pending.removeFirst(try result.get())
    }

    /// Parses as many complete operations as `p` holds; returns the bytes consumed.
    private static func parseOps(_ p: UnsafeRawBufferPointer, limits: (line: Int, payload: Int),
                                 _ body: (NATSServerOp) -> Void) throws(NATSError) -> Int {
        var start = 0
        let n = p.count
        while start < n {
            // Find the end of the control line.
            let searchEnd = min(n, start + limits.line + 2)
            var lf = start
            while lf < searchEnd, p[lf] != 0x0A { lf += 1 }
            guard lf < searchEnd else {
                if searchEnd - start >= limits.line + 2 {
                    throw NATSError(.protocolViolation, "control line '\(preview(p, start))…' is longer than \(limits.line) bytes")
                }
                return start
            }
            var lineEnd = lf
            if lineEnd > start, p[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            let line = UnsafeRawBufferPointer(rebasing: p[start..<lineEnd])
            var fields = Fields(line)
            guard let op = fields.next() else {
                throw NATSError(.protocolViolation, "empty control line at offset \(start)")
            }
            let afterLine = lf + 1
            let opEnd = fields.index
            switch opCode(op) {
            case .msg, .hmsg:
                let isHeaders = opCode(op) == .hmsg
                let name = isHeaders ? "HMSG" : "MSG"
                var args: [UnsafeRawBufferPointer] = []
                while let f = fields.next() { args.append(f) }
                let expected = isHeaders ? (4, 5) : (3, 4)
                guard args.count == expected.0 || args.count == expected.1 else {
                    throw NATSError(.protocolViolation, "\(name) has \(args.count) arguments, expected \(expected.0) or \(expected.1): '\(preview(line, 0))'")
                }
                let hasReply = args.count == expected.1
                guard let sid = number(args[1]) else {
                    throw NATSError(.protocolViolation, "\(name) sid '\(text(args[1]))' is not a number")
                }
                guard let total = number(args[args.count - 1]), total <= UInt64(limits.payload) else {
                    throw NATSError(.protocolViolation, "\(name) size '\(text(args[args.count - 1]))' is not a number up to max_payload \(limits.payload)")
                }
                var headerSize = 0
                if isHeaders {
                    guard let h = number(args[args.count - 2]), h <= total else {
                        throw NATSError(.protocolViolation, "HMSG header size '\(text(args[args.count - 2]))' is not a number up to the total size")
                    }
                    headerSize = Int(h)
                }
                let size = Int(total)
                guard afterLine + size + 2 <= n else { return start }
                guard p[afterLine + size] == 0x0D, p[afterLine + size + 1] == 0x0A else {
                    throw NATSError(.protocolViolation, "\(name) payload of \(size) bytes is followed by byte 0x\(String(p[afterLine + size], radix: 16)) instead of CRLF")
                }
                var headers: NATSHeaders?
                if isHeaders {
                    headers = try NATSHeaders(bytes: UnsafeRawBufferPointer(rebasing: p[afterLine..<afterLine + headerSize]))
                }
                let payload = Array(UnsafeRawBufferPointer(rebasing: p[afterLine + headerSize..<afterLine + size]))
                body(.message(NATSMessage(subject: text(args[0]), sid: sid, replyTo: hasReply ? text(args[2]) : nil,
                                          headers: headers, payload: payload)))
                start = afterLine + size + 2
                continue
            case .ping:
                body(.ping)
            case .pong:
                body(.pong)
            case .ok:
                body(.ok)
            case .err:
                var message = text(UnsafeRawBufferPointer(rebasing: line[opEnd...]))
                message = String(message.drop { $0 == " " })
                if message.hasPrefix("'") && message.hasSuffix("'") && message.count >= 2 {
                    message = String(message.dropFirst().dropLast())
                }
                body(.error(message))
            case .info:
                let json = UnsafeRawBufferPointer(rebasing: line[opEnd...])
                body(.info(try NATSServerInfo(bytes: json)))
            case .unknown:
                throw NATSError(.protocolViolation, "unknown operation '\(preview(op, 0))' (first byte 0x\(String(op.first ?? 0, radix: 16)))")
            }
            start = afterLine
        }
        return start
    }

    private enum OpCode { case msg, hmsg, ping, pong, ok, err, info, unknown }

    /// Case-insensitive op name (the protocol allows either case).
    private static func opCode(_ op: UnsafeRawBufferPointer) -> OpCode {
        var upper: UInt64 = 0
        guard op.count <= 8 else { return .unknown }
        for c in op { upper = upper << 8 | UInt64(c >= 0x61 && c <= 0x7A ? c - 0x20 : c) }
        switch upper {
        case 0x4D53_47: return .msg                 // MSG
        case 0x484D_5347: return .hmsg              // HMSG
        case 0x5049_4E47: return .ping              // PING
        case 0x504F_4E47: return .pong              // PONG
        case 0x2B4F_4B: return .ok                  // +OK
        case 0x2D45_5252: return .err               // -ERR
        case 0x494E_464F: return .info              // INFO
        default: return .unknown
        }
    }

    /// Space/tab separated fields of a control line.
    private struct Fields {
        let line: UnsafeRawBufferPointer
        var index = 0
        init(_ line: UnsafeRawBufferPointer) { self.line = line }
        mutating func next() -> UnsafeRawBufferPointer? {
            while index < line.count, line[index] == 0x20 || line[index] == 0x09 { index += 1 }
            guard index < line.count else { return nil }
            let begin = index
            while index < line.count, line[index] != 0x20 && line[index] != 0x09 { index += 1 }
            return UnsafeRawBufferPointer(rebasing: line[begin..<index])
        }
    }

    private static func number(_ field: UnsafeRawBufferPointer) -> UInt64? {
        guard !field.isEmpty, field.count <= 19 else { return nil }
        var value: UInt64 = 0
        for c in field {
            guard c >= 0x30 && c <= 0x39 else { return nil }
            value = value * 10 + UInt64(c - 0x30)
        }
        return value
    }

    private static func text(_ field: UnsafeRawBufferPointer) -> String {
        String(decoding: field, as: UTF8.self)
    }

    /// Up to 32 bytes from `offset`, non-printable bytes as `\xNN`, for error messages.
    private static func preview(_ p: UnsafeRawBufferPointer, _ offset: Int) -> String {
        var out = ""
        for c in p[offset..<min(p.count, offset + 32)] {
            if c >= 0x20 && c < 0x7F { out.unicodeScalars.append(Unicode.Scalar(c)) } else { out += "\\x" + String(c, radix: 16) }
        }
        return out
    }
}
