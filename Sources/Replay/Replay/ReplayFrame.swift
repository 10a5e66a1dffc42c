/// A frame the simulated venue is about to send (a recorded `recv` line, or one a fault made).
public struct ReplayFrame: Sendable, Equatable, CustomStringConvertible {
    /// The payload, exact bytes.
    public var payload: [UInt8]
    /// Binary (`binary_b64` lines) or text.
    public var isBinary: Bool
    /// Recorded time (ms since the session start); frames made by faults take their neighbour's.
    public var t: Int64
    /// Whether permessage-deflate may compress it (an oversized-frame fault must reach the client
    /// at full size, so it goes out uncompressed).
    public var isCompressible: Bool

    /// A frame from raw bytes.
    public init(payload: [UInt8], isBinary: Bool = false, t: Int64 = 0, isCompressible: Bool = true) {
        self.payload = payload
        self.isBinary = isBinary
        self.t = t
        self.isCompressible = isCompressible
    }

    /// A text frame.
    public init(text: String, t: Int64 = 0) {
        self.init(payload: Array(text.utf8), isBinary: false, t: t)
    }

    /// The payload as text (lossy for binary frames).
    public var text: String { String(decoding: payload, as: UTF8.self) }

    /// `t=… text` (cut to 120 bytes).
    public var description: String {
        let body = payload.count > 120 ? String(decoding: payload.prefix(120), as: UTF8.self) + "…" : text
        return "t=\(t) \(isBinary ? "binary(\(payload.count))" : body)"
    }
}
