/// A tiny streaming JSON writer: keys come out in the order written (a stable `/status` shape for
/// tests and diffs), strings are escaped per RFC 8259 §7, numbers are integers or finite doubles.
struct JSONWriter {
    private(set) var text = ""
    private var needsComma: [Bool] = [false]

    mutating func beginObject(_ key: String? = nil) { open(key, "{") }
    mutating func endObject() { close("}") }
    mutating func beginArray(_ key: String? = nil) { open(key, "[") }
    mutating func endArray() { close("]") }

    mutating func string(_ key: String?, _ value: String?) {
        prefix(key)
        if let value { Self.quote(value, into: &text) } else { text += "null" }
    }

    mutating func integer<I: BinaryInteger>(_ key: String?, _ value: I?) {
        prefix(key)
        text += value.map { "\($0)" } ?? "null"
    }

    /// A double rounded to `decimals` places (`null` when absent or not finite).
    mutating func number(_ key: String?, _ value: Double?, decimals: Int = 1) {
        prefix(key)
        guard let value, value.isFinite else { text += "null"; return }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        text += rounded == rounded.rounded() && abs(rounded) < 1e15 ? "\(Int64(rounded))" : "\(rounded)"
    }

    mutating func bool(_ key: String?, _ value: Bool) {
        prefix(key)
        text += value ? "true" : "false"
    }

    private mutating func open(_ key: String?, _ bracket: String) {
        prefix(key)
        text += bracket
        needsComma.append(false)
    }

    private mutating func close(_ bracket: String) {
        needsComma.removeLast()
        text += bracket
    }

    private mutating func prefix(_ key: String?) {
        if needsComma[needsComma.count - 1] { text += "," }
        needsComma[needsComma.count - 1] = true
        if let key {
            Self.quote(key, into: &text)
            text += ":"
        }
    }

    static func quote(_ value: String, into text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
