/// One thing a real venue does to its clients, which MarketMux must survive (docs/simulator.md).
public enum Fault: Sendable, Hashable, CustomStringConvertible {
    /// Close TCP without a close frame (the client sees 1006).
    case dropConnection
    /// Stop sending anything — data, pongs, close replies — but keep TCP open (a dead peer).
    case halfOpen
    /// Skip every data frame that mentions `symbol` (normalized, e.g. `BTC-USDT`) for this much
    /// recorded time (`nil`: until the connection ends); the other subscriptions keep flowing.
    case silenceSymbol(String, durationMilliseconds: Int64?)
    /// Drop the next book delta (a sequence gap).
    case sequenceGap
    /// Change one digit of the next checksum field.
    case corruptChecksum
    /// Answer the next WebSocket upgrade with this HTTP status (429) and `Retry-After`.
    case rejectConnect(status: Int, retryAfterSeconds: Int)
    /// Server-initiated rotation: the venue's shutdown notice (when its fixtures have one), then
    /// close 1001 after the rotation grace.
    case rotate
    /// One text frame of this many bytes, uncompressed (past the client's frame limit by default).
    case oversizedFrame(bytes: Int)
    /// A truncated copy of the next data frame, sent before it (malformed JSON).
    case malformedFrame
    /// Hold the next handshake this long: the TLS handshake on a TLS server, else the HTTP 101.
    case slowHandshake(delayMilliseconds: Int64)

    /// The fault's name without parameters.
    public enum Kind: String, Sendable, CaseIterable, Hashable {
        /// `drop`
        case dropConnection = "drop"
        /// `half-open`
        case halfOpen = "half-open"
        /// `silence`
        case silenceSymbol = "silence"
        /// `gap`
        case sequenceGap = "gap"
        /// `bad-checksum`
        case corruptChecksum = "bad-checksum"
        /// `reject`
        case rejectConnect = "reject"
        /// `rotate`
        case rotate = "rotate"
        /// `oversized`
        case oversizedFrame = "oversized"
        /// `malformed`
        case malformedFrame = "malformed"
        /// `slow-handshake`
        case slowHandshake = "slow-handshake"
    }

    /// The default size of an oversized frame: one byte past the client's default 16 MiB frame limit.
    public static let defaultOversizedBytes = (16 << 20) + 1

    /// This fault's kind.
    public var kind: Kind {
        switch self {
        case .dropConnection: .dropConnection
        case .halfOpen: .halfOpen
        case .silenceSymbol: .silenceSymbol
        case .sequenceGap: .sequenceGap
        case .corruptChecksum: .corruptChecksum
        case .rejectConnect: .rejectConnect
        case .rotate: .rotate
        case .oversizedFrame: .oversizedFrame
        case .malformedFrame: .malformedFrame
        case .slowHandshake: .slowHandshake
        }
    }

    /// Faults that act on the opening handshake (armed for the next connection), not on an open one.
    public var isHandshakeFault: Bool {
        switch self {
        case .rejectConnect, .slowHandshake: true
        default: false
        }
    }

    /// Parses the spec form `kind[:param[:param]]`: `drop`, `half-open`, `silence:BTC-USDT[:ms]`,
    /// `gap`, `bad-checksum`, `reject[:status[:retry-after-seconds]]`, `rotate`,
    /// `oversized[:bytes]`, `malformed`, `slow-handshake[:ms]`.
    public init(parsing spec: String) throws(ReplayError) {
        let parts = spec.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        func number(_ index: Int, _ name: String, default value: Int64) throws(ReplayError) -> Int64 {
            guard parts.count > index else { return value }
            guard let parsed = Int64(parts[index]), parsed >= 0 else {
                throw .invalidConfiguration("fault '\(spec)': \(name) must be a non-negative integer, got '\(parts[index])'")
            }
            return parsed
        }
        guard let kind = Kind(rawValue: parts[0]) else {
            let names = Kind.allCases.map(\.rawValue).joined(separator: ", ")
            throw .invalidConfiguration("unknown fault '\(parts[0])' (known: \(names))")
        }
        let maxParameters: Int
        switch kind {
        case .dropConnection: self = .dropConnection; maxParameters = 0
        case .halfOpen: self = .halfOpen; maxParameters = 0
        case .sequenceGap: self = .sequenceGap; maxParameters = 0
        case .corruptChecksum: self = .corruptChecksum; maxParameters = 0
        case .rotate: self = .rotate; maxParameters = 0
        case .malformedFrame: self = .malformedFrame; maxParameters = 0
        case .silenceSymbol:
            guard parts.count >= 2, !parts[1].isEmpty else {
                throw .invalidConfiguration("fault '\(spec)': silence needs a symbol, e.g. silence:BTC-USDT:3000")
            }
            self = .silenceSymbol(parts[1], durationMilliseconds: parts.count > 2 ? try number(2, "the duration", default: 0) : nil)
            maxParameters = 2
        case .rejectConnect:
            let status = try number(1, "the status", default: 429)
            guard (400...599).contains(status) else { throw .invalidConfiguration("fault '\(spec)': the status must be 400...599") }
            self = .rejectConnect(status: Int(status), retryAfterSeconds: Int(try number(2, "Retry-After", default: 1)))
            maxParameters = 2
        case .oversizedFrame:
            let bytes = try number(1, "the size", default: Int64(Fault.defaultOversizedBytes))
            guard bytes >= 16 && bytes <= 1 << 30 else { throw .invalidConfiguration("fault '\(spec)': the size must be 16 bytes...1 GiB") }
            self = .oversizedFrame(bytes: Int(bytes))
            maxParameters = 1
        case .slowHandshake:
            self = .slowHandshake(delayMilliseconds: try number(1, "the delay", default: 2000))
            maxParameters = 1
        }
        guard parts.count - 1 <= maxParameters else {
            throw .invalidConfiguration("fault '\(spec)': \(kind.rawValue) takes at most \(maxParameters) parameter(s)")
        }
    }

    /// The spec form (parses back to the same fault).
    public var description: String {
        switch self {
        case .dropConnection, .halfOpen, .sequenceGap, .corruptChecksum, .rotate, .malformedFrame: kind.rawValue
        case .silenceSymbol(let symbol, let duration): duration.map { "silence:\(symbol):\($0)" } ?? "silence:\(symbol)"
        case .rejectConnect(let status, let retryAfter): "reject:\(status):\(retryAfter)"
        case .oversizedFrame(let bytes): "oversized:\(bytes)"
        case .slowHandshake(let delay): "slow-handshake:\(delay)"
        }
    }
}
