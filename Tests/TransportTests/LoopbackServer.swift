import NIOCore
import NIOPosix
@testable import WebSocketWire

/// A minimal WebSocket server on 127.0.0.1 for end-to-end tests of the client over real sockets:
/// optional TLS (the in-process OpenSSL test server), the HTTP upgrade, a scripted list of text
/// messages, then Close(1000); it closes TCP once the client echoes the close.
final class LoopbackServer: @unchecked Sendable {
    let group: MultiThreadedEventLoopGroup
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    init(messages: [String], tls: TLSTestServerContext?) throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(ServerConnectionHandler(messages: messages, tls: tls))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
    }

    func shutdown() throws {
        try channel.close().wait()
        try group.syncShutdownGracefully()
    }
}

private final class ServerConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let messages: [String]
    private let tls: TLSTestServer?
    private var request: [UInt8] = []
    private var upgraded = false

    init(messages: [String], tls: TLSTestServerContext?) {
        self.messages = messages
        self.tls = tls.map { TLSTestServer(context: $0) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = Array(unwrapInboundIn(data).readableBytesView)
        var plaintext = bytes
        if let tls {
            tls.feed(bytes)
            tls.step()
            plaintext = tls.received
            tls.received = []
            flushTLS(context)
        }
        guard !plaintext.isEmpty else { return }
        if !upgraded {
            request += plaintext
            guard let text = String(validating: request, as: UTF8.self), text.contains("\r\n\r\n") else { return }
            upgraded = true
            let key = text.split(separator: "\r\n").first { $0.hasPrefix("Sec-WebSocket-Key: ") }
                .map { String($0.dropFirst("Sec-WebSocket-Key: ".count)) } ?? ""
            var out = Array(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                "Sec-WebSocket-Accept: \(WebSocketHandshake.expectedAccept(forKey: key))\r\n\r\n").utf8)
            for message in messages { out += frame(.text, Array(message.utf8)) }
            out += frame(.close, [0x03, 0xE8])
            write(out, context)
        } else if plaintext.contains(0x88) {
            // The client's close frame (masked, opcode 8): finish the close handshake.
            tls?.sendCloseNotify()
            if tls != nil { flushTLS(context) }
            context.close(promise: nil)
        }
    }

    private func write(_ bytes: [UInt8], _ context: ChannelHandlerContext) {
        if let tls {
            try? tls.write(bytes)
            flushTLS(context)
        } else {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
        }
    }

    private func flushTLS(_ context: ChannelHandlerContext) {
        guard let tls else { return }
        let ciphertext = tls.takeCiphertext()
        if !ciphertext.isEmpty {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: ciphertext)), promise: nil)
        }
    }
}
