import WebSocketWire

/// Receives a connection's messages and lifecycle on the connection's event loop.
///
/// Payloads are views valid only during the call: parse them in place, copy what must outlive it.
public protocol WebSocketConnectionDelegate: AnyObject {
    /// The handshake succeeded; the connection can send.
    func webSocketDidOpen(_ connection: WebSocketConnection)
    /// A complete text or binary message.
    func webSocket(_ connection: WebSocketConnection, didReceive payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode)
    /// A ping arrived (already answered) — counts as liveness.
    func webSocket(_ connection: WebSocketConnection, didReceivePing payload: UnsafeRawBufferPointer)
    /// A pong arrived — counts as liveness.
    func webSocket(_ connection: WebSocketConnection, didReceivePong payload: UnsafeRawBufferPointer)
    /// The connection is over: `info` says how (clean close, peer code, error). Called exactly once
    /// per connection, including when it never opened (then the `connect` future fails too).
    func webSocketDidClose(_ connection: WebSocketConnection, info: WebSocketCloseInfo)
}

extension WebSocketConnectionDelegate {
    /// Default: nothing.
    public func webSocketDidOpen(_ connection: WebSocketConnection) {}
    /// Default: nothing.
    public func webSocket(_ connection: WebSocketConnection, didReceivePing payload: UnsafeRawBufferPointer) {}
    /// Default: nothing.
    public func webSocket(_ connection: WebSocketConnection, didReceivePong payload: UnsafeRawBufferPointer) {}
}

/// How a connection ended.
public struct WebSocketCloseInfo: Sendable, CustomStringConvertible {
    /// The peer's close code (`abnormalClosure` if TCP dropped without a close frame).
    public var peerCode: WebSocketCloseCode
    /// The peer's close reason.
    public var peerReason: String
    /// Why it failed, if it did (protocol error, TLS, handshake, timeout, TCP reset).
    public var error: TransportError?
    /// Whether the handshake had completed.
    public var wasOpen: Bool

    /// A one-line summary.
    public var description: String {
        var text = "closed \(peerCode)"
        if !peerReason.isEmpty { text += " '\(peerReason)'" }
        if let error { text += ": \(error)" }
        return text
    }
}
