/// Receives what a `WebSocketEngine` decodes, synchronously, during `receive(_:handler:)`.
///
/// Payloads are views into the engine's buffers (or straight into the caller's receive buffer when
/// a message arrives in one uncompressed frame): valid only for the duration of the call.
public protocol WebSocketMessageHandler {
    /// A complete text or binary message (text is already validated as UTF-8).
    mutating func webSocketDidReceiveMessage(_ payload: UnsafeRawBufferPointer, opcode: WebSocketOpcode)
    /// A ping arrived (the engine has already queued the pong).
    mutating func webSocketDidReceivePing(_ payload: UnsafeRawBufferPointer)
    /// A pong arrived.
    mutating func webSocketDidReceivePong(_ payload: UnsafeRawBufferPointer)
    /// The peer's close frame arrived (the engine has already queued the echo, if one was due).
    mutating func webSocketDidReceiveClose(code: WebSocketCloseCode, reason: String)
}

extension WebSocketMessageHandler {
    /// Default: ignore pings (the engine answers them).
    public mutating func webSocketDidReceivePing(_ payload: UnsafeRawBufferPointer) {}
    /// Default: ignore pongs.
    public mutating func webSocketDidReceivePong(_ payload: UnsafeRawBufferPointer) {}
    /// Default: ignore the close (the engine's `isClosed` tells the shell to finish).
    public mutating func webSocketDidReceiveClose(code: WebSocketCloseCode, reason: String) {}
}
