/// `%XX` decoding of URL query strings and form bodies, shared by the simulated venues' REST routes.
enum PercentDecoding {
    /// `BTC%2DUSDT` → `BTC-USDT`; with `plusIsSpace` (form encoding) `+` → space as well. A `%` not
    /// followed by two hex digits is kept as it is.
    static func decode(_ text: String, plusIsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        var utf8 = Array(text.utf8)[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
