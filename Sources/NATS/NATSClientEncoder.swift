import MarketModel

/// Encodes the client → server half of the NATS protocol (`CONNECT`, `PUB`, `HPUB`, `SUB`,
/// `UNSUB`, `PING`, `PONG`) by appending to a caller-owned byte buffer.
///
/// Subjects and reply subjects must be valid (``NATSSubject/isValidSubject(_:)``); the encoder
/// itself does not check them (callers validate once, not per message).
public enum NATSClientEncoder {
    /// `PING\r\n`.
    public static func ping(into b: inout [UInt8]) { b.append(contentsOf: [0x50, 0x49, 0x4E, 0x47, 0x0D, 0x0A]) }

    /// `PONG\r\n`.
    public static func pong(into b: inout [UInt8]) { b.append(contentsOf: [0x50, 0x4F, 0x4E, 0x47, 0x0D, 0x0A]) }

    /// `PUB <subject> [reply] <size>\r\n<payload>\r\n`.
    public static func publish(subject: String, replyTo: String? = nil, payload: UnsafeRawBufferPointer, into b: inout [UInt8]) {
        b.append(contentsOf: [0x50, 0x55, 0x42, 0x20])
        b.append(contentsOf: subject.utf8)
        if let replyTo {
            b.append(0x20)
            b.append(contentsOf: replyTo.utf8)
        }
        b.append(0x20)
        appendDecimal(payload.count, &b)
        b.append(contentsOf: [0x0D, 0x0A])
        b.append(contentsOf: payload)
        b.append(contentsOf: [0x0D, 0x0A])
    }

    /// `HPUB <subject> [reply] <header size> <total size>\r\n<headers><payload>\r\n`.
    public static func publish(subject: String, replyTo: String? = nil, headers: NATSHeaders,
                               payload: UnsafeRawBufferPointer, into b: inout [UInt8]) {
        let head = headers.bytes
        b.append(contentsOf: [0x48, 0x50, 0x55, 0x42, 0x20])
        b.append(contentsOf: subject.utf8)
        if let replyTo {
            b.append(0x20)
            b.append(contentsOf: replyTo.utf8)
        }
        b.append(0x20)
        appendDecimal(head.count, &b)
        b.append(0x20)
        appendDecimal(head.count + payload.count, &b)
        b.append(contentsOf: [0x0D, 0x0A])
        b.append(contentsOf: head)
        b.append(contentsOf: payload)
        b.append(contentsOf: [0x0D, 0x0A])
    }

    /// `SUB <subject> [queue group] <sid>\r\n`.
    public static func subscribe(subject: String, queueGroup: String? = nil, sid: UInt64, into b: inout [UInt8]) {
        b.append(contentsOf: [0x53, 0x55, 0x42, 0x20])
        b.append(contentsOf: subject.utf8)
        if let queueGroup {
            b.append(0x20)
            b.append(contentsOf: queueGroup.utf8)
        }
        b.append(0x20)
        appendDecimal(Int(sid), &b)
        b.append(contentsOf: [0x0D, 0x0A])
    }

    /// `UNSUB <sid> [max msgs]\r\n`.
    public static func unsubscribe(sid: UInt64, maxMessages: Int? = nil, into b: inout [UInt8]) {
        b.append(contentsOf: Array("UNSUB ".utf8))
        appendDecimal(Int(sid), &b)
        if let maxMessages {
            b.append(0x20)
            appendDecimal(maxMessages, &b)
        }
        b.append(contentsOf: [0x0D, 0x0A])
    }

    /// `CONNECT {…}\r\n` with `verbose:false`, `pedantic:false`, `headers:true`, `no_responders:true`,
    /// `protocol:1` (so the server sends async INFO with cluster changes) and the credentials.
    public static func connect(_ options: NATSConnectOptions, into b: inout [UInt8]) {
        var json = "{\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true,\"protocol\":1"
        json += ",\"lang\":\"swift\",\"version\":\"marketmux-0.1\",\"tls_required\":\(options.isTLS)"
        json += ",\"name\":" + jsonString(options.name)
        switch options.auth {
        case .none:
            break
        case .userPassword(let user, let password):
            json += ",\"user\":" + jsonString(user) + ",\"pass\":" + jsonString(password)
        case .token(let token):
            json += ",\"auth_token\":" + jsonString(token)
        case .nkey:
            if let nkey = options.nkeyPublicKey, let signature = options.nkeySignature {
                json += ",\"nkey\":" + jsonString(nkey) + ",\"sig\":" + jsonString(signature)
            }
        }
        json += ",\"echo\":\(options.echo)}"
        b.append(contentsOf: Array("CONNECT ".utf8))
        b.append(contentsOf: json.utf8)
        b.append(contentsOf: [0x0D, 0x0A])
    }

    /// `text` as a JSON string literal (RFC 8259 §7 escaping).
    public static func jsonString(_ text: String) -> String {
        var bytes: [UInt8] = []
        NDJSONEncoder.string(text, &bytes)  // the encoder's RFC 8259 escaping, one implementation
        return String(decoding: bytes, as: UTF8.self)
    }

    @inline(__always)
    static func appendDecimal(_ value: Int, _ b: inout [UInt8]) {
        if value < 10 { b.append(UInt8(0x30 + value)); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var v = value, n = 0
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 { d[n] = UInt8(0x30 + v % 10); v /= 10; n += 1 }
            for i in stride(from: n - 1, through: 0, by: -1) { b.append(d[i]) }
        }
    }
}
