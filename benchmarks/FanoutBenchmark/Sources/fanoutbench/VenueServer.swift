import WebSocketWire
#if canImport(Glibc)
import Glibc
#endif

/// A loopback "venue": a plain TCP server speaking just enough WebSocket (RFC 6455 handshake,
/// unmasked server text frames) to feed MarketMux's real client real Binance combined-stream
/// `aggTrade` messages at a paced rate. Client frames (the SUBSCRIBE) are read and discarded.
///
/// Every message carries its index `k` in the trade time `T` (`indexBaseMillis + k`, 13 digits,
/// patched into a pre-framed template), which the adapter turns into `ts_exchange`.
final class VenueServer: @unchecked Sendable {
    let listenFD: Int32
    let port: UInt16
    private(set) var clientFD: Int32 = -1
    /// Pre-framed messages (2-byte header + payload) and the offset of `T`'s 13 digits in each.
    private var frames: [[UInt8]] = []
    private var timeOffsets: [Int] = []
    static let symbols = ["BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"]

    init() {
        let listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listenFD = listenFD
        var one: Int32 = 1
        setsockopt(listenFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        precondition(rc == 0, "bind")
        rc = listen(listenFD, 4)
        precondition(rc == 0, "listen")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listenFD, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        makeFrames(count: 4096)
    }

    var url: String { "ws://127.0.0.1:\(port)/stream" }

    /// `{"stream":"btcusdt@aggTrade","data":{"e":"aggTrade","E":..,"s":"BTCUSDT","a":..,"p":"87412.35000000","q":"0.01234000","f":..,"l":..,"T":..,"m":true,"M":true}}`
    private func makeFrames(count: Int) {
        var rng = UInt64(0x4d61726b65744d75)
        func next() -> UInt64 {  // SplitMix64
            rng &+= 0x9E37_79B9_7F4A_7C15
            var z = rng
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var cents: Int64 = 8_741_235
        for i in 0 ..< count {
            let symbol = Self.symbols[i % Self.symbols.count]
            cents += Int64(next() % 7) - 3
            let price = "\(cents / 100).\(String(cents % 100).leftPad(2))000000"
            let qty = "0.\(String(Int(next() % 150_000 + 1) * 1000).leftPad(8))"
            let agg = 3_021_456_789 + i, first = 5_123_456_789 + 2 * i
            let prefix = #"{"stream":"\#(symbol.lowercased())@aggTrade","data":{"e":"aggTrade","E":1700000000001,"s":"\#(symbol)","a":\#(agg),"p":"\#(price)","q":"\#(qty)","f":\#(first),"l":\#(first + 1),"T":"#
            let payload = Array((prefix + "1700000000000" + #","m":\#(next() % 2 == 0),"M":true}}"#).utf8)
            precondition(payload.count < 65536)
            var frame: [UInt8] = [0x81]
            if payload.count < 126 {
                frame.append(UInt8(payload.count))
            } else {
                frame += [126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
            }
            timeOffsets.append(frame.count + prefix.utf8.count)
            frame += payload
            frames.append(frame)
        }
    }

    /// Accepts one client and answers its upgrade (blocking).
    func acceptClient() {
        let fd = accept(listenFD, nil, nil)
        precondition(fd >= 0, "accept")
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var request: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: [13, 10, 13, 10]) {
            let n = read(fd, &chunk, chunk.count)
            precondition(n > 0, "handshake read")
            request += chunk[0 ..< n]
        }
        let text = String(decoding: request, as: UTF8.self)
        var key = ""
        for line in text.split(separator: "\r\n") where line.lowercased().hasPrefix("sec-websocket-key:") {
            key = line.dropFirst("sec-websocket-key:".count).trimmingSpaces()
        }
        let response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Accept: \(WebSocketHandshake.expectedAccept(forKey: key))\r\n\r\n"
        writeAll(fd, Array(response.utf8))
        clientFD = fd
        // Discard whatever the client sends (SUBSCRIBE, close).
        startThread {
            var sink = [UInt8](repeating: 0, count: 65536)
            while read(fd, &sink, sink.count) > 0 {}
        }
    }

    /// Sends messages `0..<total` at `rate`/s; returns pacing facts.
    func send(rate: Double, total: Int, startMonotonic: Int64) -> (batches: Int, maxBurst: Int) {
        var out: [UInt8] = []
        out.reserveCapacity(1 << 16)
        return pace(rate: rate, total: total, startMonotonic: startMonotonic) { range in
            out.removeAll(keepingCapacity: true)
            for k in range {
                let frame = frames[k % frames.count]
                let at = out.count + timeOffsets[k % frames.count]
                out += frame
                var t = UInt64(indexBaseMillis + Int64(k))
                for j in stride(from: 12, through: 0, by: -1) {
                    out[at + j] = UInt8(0x30 + t % 10)
                    t /= 10
                }
            }
            out.withUnsafeBytes { writeAll(clientFD, $0.baseAddress!, $0.count) }
        }
    }
}

extension String {
    func leftPad(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

extension Substring {
    func trimmingSpaces() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
