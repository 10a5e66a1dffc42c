/// Where and why a request line is not valid JSON (RFC 8259).
public struct JSONSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Zero-based byte offset of the problem in the line.
    public var offset: Int
    /// What was expected or found there.
    public var reason: String

    /// `malformed JSON at column N: reason` (columns count bytes from 1).
    public var description: String { "malformed JSON at column \(offset + 1): \(reason)" }
}

/// A strict RFC 8259 parser for one request line whose top level must be an object.
struct JSONLineParser {
    /// Nesting limit: requests are flat; this only stops a hostile line from recursing deeply.
    static let maxDepth = 32

    private let bytes: UnsafeRawBufferPointer
    private var i = 0

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    /// Parses `bytes` (one line, without its `\n`) as a JSON object.
    static func parseObject(_ bytes: UnsafeRawBufferPointer) throws(JSONSyntaxError) -> [String: JSONValue] {
        var parser = JSONLineParser(bytes)
        parser.skipSpace()
        guard parser.i < bytes.count else { throw parser.error("empty line") }
        guard bytes[parser.i] == UInt8(ascii: "{") else {
            throw parser.error("a request must be a JSON object starting with '{'")
        }
        guard case .object(let object) = try parser.value(depth: 0) else { throw parser.error("expected an object") }
        parser.skipSpace()
        guard parser.i == bytes.count else { throw parser.error("unexpected data after the JSON object") }
        return object
    }

    private func error(_ reason: String) -> JSONSyntaxError { JSONSyntaxError(offset: i, reason: reason) }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private var found: String {
        guard i < bytes.count else { return "end of line" }
        let c = bytes[i]
        return c >= 0x20 && c < 0x7F ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
    }

    private mutating func value(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting deeper than \(Self.maxDepth) levels") }
        guard i < bytes.count else { throw error("expected a value, found end of line") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0") ... UInt8(ascii: "9"): return .number(try number())
        default: throw error("expected a value, found \(found)")
        }
    }

    private mutating func object(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        i += 1  // {
        var members: [String: JSONValue] = [:]
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw error("expected '\"' to start an object key, found \(found)")
            }
            let key = try string()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw error("expected ':' after an object key, found \(found)") }
            i += 1
            skipSpace()
            members[key] = try value(depth: depth + 1)
            skipSpace()
            guard i < bytes.count else { throw error("expected ',' or '}', found end of line") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == UInt8(ascii: "}") else { throw error("expected ',' or '}', found \(found)") }
            i += 1
            return .object(members)
        }
    }

    private mutating func array(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        i += 1  // [
        var elements: [JSONValue] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
            i += 1
            return .array(elements)
        }
        while true {
            skipSpace()
            elements.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw error("expected ',' or ']', found end of line") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            guard bytes[i] == UInt8(ascii: "]") else { throw error("expected ',' or ']', found \(found)") }
            i += 1
            return .array(elements)
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONSyntaxError) {
        let start = i
        let matched = word.withUTF8Buffer { w -> Bool in
            guard bytes.count - start >= w.count else { return false }
            for k in 0 ..< w.count where bytes[start + k] != w[k] { return false }
            return true
        }
        guard matched else { throw error("expected a value, found \(found)") }
        i += word.utf8CodeUnitCount
    }

    /// RFC 8259 §6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func number() throws(JSONSyntaxError) -> String {
        let start = i
        func digits(_ p: inout JSONLineParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, p.bytes[p.i] >= UInt8(ascii: "0"), p.bytes[p.i] <= UInt8(ascii: "9") { p.i += 1 }
            return p.i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits(&self) == 0 {
            throw error("expected a digit, found \(found)")
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits(&self) > 0 else { throw error("expected a digit after '.', found \(found)") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits(&self) > 0 else { throw error("expected a digit in the exponent, found \(found)") }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start ..< i]), as: UTF8.self)
    }

    /// A string literal; `i` is at the opening quote. Escapes per RFC 8259 §7, including
    /// surrogate pairs; raw control characters and invalid UTF-8 are errors.
    private mutating func string() throws(JSONSyntaxError) -> String {
        i += 1  // "
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") {
            guard bytes[i] >= 0x20 else { throw error("control character in a string (escape it)") }
            i += 1
        }
        guard i < bytes.count else { throw JSONSyntaxError(offset: start - 1, reason: "unterminated string") }
        var utf8 = Array(UnsafeRawBufferPointer(rebasing: bytes[start ..< i]))
        while bytes[i] != UInt8(ascii: "\"") {
            if bytes[i] == UInt8(ascii: "\\") {
                try escape(into: &utf8)
            } else {
                guard bytes[i] >= 0x20 else { throw error("control character in a string (escape it)") }
                utf8.append(bytes[i])
                i += 1
            }
            guard i < bytes.count else { throw JSONSyntaxError(offset: start - 1, reason: "unterminated string") }
        }
        i += 1  // closing "
        guard let text = String(validating: utf8, as: UTF8.self) else {
            throw JSONSyntaxError(offset: start - 1, reason: "string is not valid UTF-8")
        }
        return text
    }

    private mutating func escape(into utf8: inout [UInt8]) throws(JSONSyntaxError) {
        i += 1  // backslash
        guard i < bytes.count else { throw error("unterminated escape") }
        let c = bytes[i]
        i += 1
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(c)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800 ..< 0xDC00).contains(scalar) {
                guard bytes.count - i >= 6, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                    throw error("high surrogate not followed by a low surrogate escape")
                }
                i += 2
                let low = try hex4()
                guard (0xDC00 ..< 0xE000).contains(low) else { throw error("invalid low surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00 ..< 0xE000).contains(scalar) {
                throw error("unpaired low surrogate")
            }
            guard let u = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
            utf8.append(contentsOf: String(Character(u)).utf8)
        default:
            i -= 1
            throw error("invalid escape '\\\(Character(Unicode.Scalar(c)))'")
        }
    }

    private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
        guard bytes.count - i >= 4 else { throw error("expected 4 hex digits after \\u") }
        var value: UInt32 = 0
        for _ in 0 ..< 4 {
            let c = bytes[i]
            let digit: UInt8
            switch c {
            case UInt8(ascii: "0") ... UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
            case UInt8(ascii: "a") ... UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A") ... UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
            default: throw error("expected a hex digit in \\u escape, found \(found)")
            }
            value = value << 4 | UInt32(digit)
            i += 1
        }
        return value
    }
}
