/// The sans-IO fault layer of one connection: every replayed frame passes through `process(_:)`,
/// every fault through `inject(_:at:)`; both return what the connection must do. Frame faults
/// (silence, gap, checksum, malformed) arm a filter that acts on the following frames; connection
/// faults (drop, half-open, rotate, oversized) return their action at once. Handshake faults
/// (reject, slow handshake) do nothing here: the server applies them to the next connection.
public struct FaultInjector: Sendable {
    /// What the connection must do.
    public enum Action: Sendable, Equatable {
        /// Send this frame.
        case send(ReplayFrame)
        /// Close TCP now, without a close frame (and without TLS close_notify).
        case dropConnection
        /// Send nothing more (no data, no pongs, no close reply) and keep TCP open.
        case stopSending
        /// Send a close frame with `code` after `afterMilliseconds` of recorded time.
        case close(code: UInt16, reason: String, afterMilliseconds: Int64)
    }

    /// The venue's shutdown notice, sent by `rotate` before the close (nil: close only).
    public let shutdownNotice: ReplayFrame?
    /// Recorded time between the notice and the close.
    public let rotationGraceMilliseconds: Int64

    private var silencedSpellings: [String] = []
    private var silencedChannels: [Int] = []
    private var silenceUntil: Int64?
    private var isSilencing = false
    private var dropsNextBookDelta = false
    private var corruptsNextChecksum = false
    private var malformsNextFrame = false
    /// Bitfinex-style `chanId` → the `subscribed` ack that named it, to silence channel-keyed frames.
    private var channelAcks: [Int: [UInt8]] = [:]

    /// Frames dropped or altered so far (for logs and tests).
    public private(set) var affectedFrames = 0

    /// An injector; `shutdownNotice` comes from the venue's fixtures.
    public init(shutdownNotice: ReplayFrame? = nil, rotationGraceMilliseconds: Int64 = 500) {
        self.shutdownNotice = shutdownNotice
        self.rotationGraceMilliseconds = rotationGraceMilliseconds
    }

    /// Applies `fault` at recorded time `t` (the time of the last frame sent).
    public mutating func inject(_ fault: Fault, at t: Int64) -> [Action] {
        switch fault {
        case .dropConnection:
            return [.dropConnection]
        case .halfOpen:
            return [.stopSending]
        case .silenceSymbol(let symbol, let duration):
            isSilencing = true
            silencedSpellings = FrameInspector.spellings(of: symbol)
            silencedChannels = channelAcks.filter { FrameInspector.mentions($0.value, anyOf: silencedSpellings) }.map(\.key)
            silenceUntil = duration.map { t + $0 }
            return []
        case .sequenceGap:
            dropsNextBookDelta = true
            return []
        case .corruptChecksum:
            corruptsNextChecksum = true
            return []
        case .malformedFrame:
            malformsNextFrame = true
            return []
        case .oversizedFrame(let bytes):
            return [.send(ReplayFrame(payload: FrameInspector.oversizedPayload(size: bytes), t: t, isCompressible: false))]
        case .rotate:
            var actions: [Action] = []
            if var notice = shutdownNotice {
                notice.t = t
                actions.append(.send(notice))
            }
            actions.append(.close(code: 1001, reason: "service rotation", afterMilliseconds: shutdownNotice == nil ? 0 : rotationGraceMilliseconds))
            return actions
        case .rejectConnect, .slowHandshake:
            return []
        }
    }

    /// Passes one replayed frame through the armed faults.
    public mutating func process(_ frame: ReplayFrame) -> [Action] {
        let payload = frame.payload
        if let id = FrameInspector.channelID(payload), FrameInspector.isSubscriptionAck(payload) {
            channelAcks[id] = payload
            if isSilencing && FrameInspector.mentions(payload, anyOf: silencedSpellings) { silencedChannels.append(id) }
        }
        if isSilencing, let until = silenceUntil, frame.t > until {
            isSilencing = false
            silencedChannels = []
        }
        if isSilencing && !FrameInspector.isSubscriptionAck(payload)
            && (FrameInspector.mentions(payload, anyOf: silencedSpellings)
                || silencedChannels.contains(where: { FrameInspector.isChannelFrame(payload, channelID: $0) })) {
            affectedFrames += 1
            return []
        }
        if dropsNextBookDelta && FrameInspector.isBookDelta(payload) {
            dropsNextBookDelta = false
            affectedFrames += 1
            return []
        }
        var outgoing = frame
        if corruptsNextChecksum, let corrupted = FrameInspector.corruptingChecksum(payload) {
            corruptsNextChecksum = false
            outgoing.payload = corrupted
            affectedFrames += 1
        }
        if malformsNextFrame && !frame.isBinary {
            malformsNextFrame = false
            affectedFrames += 1
            var broken = frame
            broken.payload = FrameInspector.truncated(payload)
            return [.send(broken), .send(outgoing)]
        }
        return [.send(outgoing)]
    }

    /// The whole fault as a pure function over a frame list: `fault` injected before the first
    /// frame (at its time), then every frame processed. What a connection would do, in order.
    public static func apply(_ fault: Fault, to frames: [ReplayFrame], shutdownNotice: ReplayFrame? = nil) -> [Action] {
        var injector = FaultInjector(shutdownNotice: shutdownNotice)
        var actions = injector.inject(fault, at: frames.first?.t ?? 0)
        for frame in frames { actions += injector.process(frame) }
        return actions
    }
}
