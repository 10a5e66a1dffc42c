/// Sans-IO HTTP/1.x request-head parser for the operator endpoints (RFC 9112). Bytes go in with
/// ``append(_:)``; ``next()`` returns a head, asks for more, or fails with the status to answer.
///
/// It is deliberately strict and small: the endpoints take no request bodies, so a head that
/// announces one is returned with ``HTTPRequestHead/hasBody`` and the connection is closed after
/// the answer; the head is bounded (``maxHeadBytes``, default 8 KiB, then 431); obsolete line
/// folding, whitespace before a colon and control characters are refused (RFC 9112 §5.1, §5.2).
public struct HTTPRequestParser: Sendable {
    /// Longest request head (request line + fields + blank line) accepted.
    public let maxHeadBytes: Int
    /// Most header fields accepted.
    public let maxFields: Int

    private var buffer: [UInt8] = []
    /// Set after a failure: the connection must be closed, nothing more is parsed.
    public private(set) var hasFailed = false

    /// What ``next()`` found.
    public enum Step: Sendable, Hashable {
        /// No complete head yet.
        case needMoreData
        /// A complete head (its bytes are consumed; later bytes stay buffered).
        case request(HTTPRequestHead)
        /// A malformed or oversized head: answer `status` and close.
        case failure(HTTPParseError)
    }

    /// A parser with the given bounds.
    public init(maxHeadBytes: Int = 8192, maxFields: Int = 100) {
        self.maxHeadBytes = maxHeadBytes
        self.maxFields = maxFields
    }

    /// Bytes buffered and not yet parsed.
    public var bufferedBytes: Int { buffer.count }

    /// Adds received bytes.
    public mutating func append<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        guard !hasFailed else { return }
        buffer.append(contentsOf: bytes)
    }

    /// The next request head, if complete.
    public mutating func next() -> Step {
        guard !hasFailed else { return .needMoreData }
        // RFC 9112 §2.2: ignore empty lines before the request line.
        var start = 0
        while start < buffer.count, buffer[start] == 0x0D || buffer[start] == 0x0A { start += 1 }
        guard let end = Self.endOfHead(buffer, from: start) else {
            if buffer.count - start > maxHeadBytes { return fail(HTTPParseError(status: 431, reason: "request head larger than \(maxHeadBytes) bytes")) }
            return .needMoreData
        }
        if end.headEnd - start > maxHeadBytes {
            return fail(HTTPParseError(status: 431, reason: "request head larger than \(maxHeadBytes) bytes"))
        }
        let head = Array(buffer[start..<end.headEnd])
        buffer.removeFirst(end.consumed)
        switch parse(head) {
        case .success(let request): return .request(request)
        case .failure(let error): return fail(error)
        }
    }

    private mutating func fail(_ error: HTTPParseError) -> Step {
        hasFailed = true
        buffer = []
        return .failure(error)
    }

    /// The end of the head (before its blank line) and the bytes it uses, blank line included;
    /// lines end in CRLF or, leniently (RFC 9112 §2.2), a bare LF.
    private static func endOfHead(_ bytes: [UInt8], from start: Int) -> (headEnd: Int, consumed: Int)? {
        var index = start
        while index < bytes.count {
            if bytes[index] == 0x0A {
                if index + 1 < bytes.count, bytes[index + 1] == 0x0A { return (index, index + 2) }
                if index + 2 < bytes.count, bytes[index + 1] == 0x0D, bytes[index + 2] == 0x0A { return (index, index + 3) }
            }
            index += 1
        }
        return nil
    }

    private func parse(_ head: [UInt8]) -> Result<HTTPRequestHead, HTTPParseError> {
        var lines: [ArraySlice<UInt8>] = head.split(separator: 0x0A, omittingEmptySubsequences: false)
        for index in lines.indices where lines[index].last == 0x0D { lines[index] = lines[index].dropLast() }
        guard let requestLine = lines.first else { return .failure(.badRequest("empty request")) }
        for line in lines where line.contains(0x0D) { return .failure(.badRequest("stray carriage return in the request head")) }

        // request-line = method SP request-target SP HTTP-version
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(Self.isTokenByte) else {
            return .failure(.badRequest("malformed request line (expected 'METHOD /path HTTP/1.1')"))
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        guard parts[2].count == 8, parts[2].starts(with: Array("HTTP/".utf8)),
              Self.isDigit(parts[2][parts[2].startIndex + 5]), parts[2][parts[2].startIndex + 6] == UInt8(ascii: "."),
              Self.isDigit(parts[2][parts[2].startIndex + 7]) else {
            return .failure(.badRequest("malformed HTTP version (expected HTTP/1.1)"))
        }
        let major = Int(parts[2][parts[2].startIndex + 5] - 0x30), minor = Int(parts[2][parts[2].startIndex + 7] - 0x30)
        guard major == 1 else { return .failure(HTTPParseError(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are supported")) }
        guard !parts[1].isEmpty, parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            return .failure(.badRequest("malformed request target"))
        }
        var target = String(decoding: parts[1], as: UTF8.self)
        // RFC 9112 §3.2.2: servers accept the absolute form too.
        for scheme in ["http://", "https://"] where target.lowercased().hasPrefix(scheme) {
            let rest = target.dropFirst(scheme.count)
            target = rest.firstIndex(of: "/").map { String(rest[$0...]) } ?? "/"
        }
        guard target.hasPrefix("/") else { return .failure(.badRequest("request target must be a path starting with '/'")) }
        let path = String(target.prefix { $0 != "?" && $0 != "#" })

        var fields: [HTTPRequestHead.Field] = []
        for line in lines.dropFirst() {
            guard let first = line.first else { continue }
            if first == 0x20 || first == 0x09 { return .failure(.badRequest("obsolete header line folding is not accepted")) }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(.badRequest("malformed header line (no ':')"))
            }
            let name = line[line.startIndex..<colon]
            guard !name.isEmpty, name.allSatisfy(Self.isTokenByte) else {
                return .failure(.badRequest("malformed header name"))  // includes whitespace before ':'
            }
            let value = line[(colon + 1)...]
            guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                return .failure(.badRequest("control character in header '\(String(decoding: name, as: UTF8.self))'"))
            }
            guard fields.count < maxFields else {
                return .failure(HTTPParseError(status: 431, reason: "more than \(maxFields) header fields"))
            }
            fields.append(.init(name: String(decoding: name, as: UTF8.self),
                                value: Substring(String(decoding: value, as: UTF8.self)).trimmingSpaces()))
        }

        let hosts = fields.filter { $0.name.lowercased() == "host" }
        if minor >= 1 && hosts.count != 1 {
            return .failure(.badRequest(hosts.isEmpty ? "missing Host header" : "more than one Host header"))
        }
        var hasBody = fields.contains { $0.name.lowercased() == "transfer-encoding" }
        let lengths = Set(fields.filter { $0.name.lowercased() == "content-length" }.map(\.value))
        if !lengths.isEmpty {
            guard lengths.count == 1, let text = lengths.first, !text.isEmpty, text.utf8.allSatisfy(Self.isDigit),
                  let length = Int(text) else {
                return .failure(.badRequest("invalid Content-Length"))
            }
            if length > 0 { hasBody = true }
        }
        return .success(HTTPRequestHead(method: method, target: target, path: path, minorVersion: minor,
                                        fields: fields, hasBody: hasBody))
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// RFC 9110 §5.6.2 `tchar`.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), 0x30...0x39: return true
        default: return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }
}
