import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The local subscriber socket (SPEC §3, §5): a Unix-domain stream socket serving a
/// ``FanoutHub``. Connections run on the hub's event loop.
///
/// Start-up never steals a path: if a process accepts connections on it, ``start()`` fails with
/// ``FanoutError/alreadyRunning(_:)``; a socket file nobody listens on (a crash) is removed; any
/// other file is left alone and reported. The socket is made mode 0660 with `chmod` after
/// `bind`, whatever the umask. ``shutdown(drainFor:)`` stops accepting, drains every
/// connection gracefully, and removes the socket file (only if it is still the one this server
/// created).
public final class FanoutServer: @unchecked Sendable {
    // @unchecked: `state` is touched only on the hub's event loop.

    /// The socket path.
    public let path: String
    /// The hub whose subscribers this socket serves.
    public let hub: FanoutHub
    /// File mode of the socket.
    public let mode: mode_t

    private struct State {
        var channel: (any Channel)?
        var identity: (device: UInt64, inode: UInt64)?
        var isStopped = false
    }

    private var state = State()

    /// A server for `hub` on `path` (not started). `mode` defaults to 0660 (SPEC §3).
    public init(path: String, hub: FanoutHub, mode: mode_t = 0o660) {
        self.path = path
        self.hub = hub
        self.mode = mode
    }

    /// Binds and listens. Throws ``FanoutError`` when another instance is live on the path, the
    /// path is not ours to replace, or the socket cannot be created.
    public func start() async throws(FanoutError) {
        let (isRunning, isStopped) = try await onLoop { ($0.state.channel != nil, $0.state.isStopped) }
        guard !isStopped else { throw .shuttingDown(path) }
        guard !isRunning else { return }
        guard path.utf8.count <= UnixSocket.maxPathBytes else { throw .pathTooLong(path, limit: UnixSocket.maxPathBytes) }
        switch UnixSocket.probe(path) {
        case .absent:
            break
        case .live:
            throw .alreadyRunning(path)
        case .notASocket:
            throw .notASocket(path)
        case .stale:
            guard unlink(path) == 0 || errno == ENOENT else {
                throw .socket(path, "cannot remove the stale socket file: \(UnixSocket.errorText(errno))")
            }
        case .unknown(let detail):
            throw .socket(path, detail)
        }
        let hub = self.hub
        let configuration = hub.configuration
        let bootstrap = ServerBootstrap(group: hub.eventLoop, childGroup: hub.eventLoop)
            .serverChannelOption(ChannelOptions.backlog, value: 256)
            .childChannelOption(ChannelOptions.allowRemoteHalfClosure, value: true)
            .childChannelOption(ChannelOptions.writeBufferWaterMark,
                                value: .init(low: configuration.socketBufferLowWaterMark, high: configuration.socketBufferHighWaterMark))
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(FanoutConnectionHandler(hub: hub))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: false).get()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw .alreadyRunning(path)  // lost a start-up race with another instance
        } catch {
            throw .socket(path, "\(error)")
        }
        // After bind, so the umask does not matter (SPEC §3: created 0660).
        var info = stat()
        guard chmod(path, mode) == 0, lstat(path, &info) == 0 else {
            let detail = UnixSocket.errorText(errno)
            try? await channel.close()
            unlink(path)
            throw .socket(path, "cannot set the socket's mode: \(detail)")
        }
        let identity = (device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        let stopped = try await onLoop { server -> Bool in
            guard !server.state.isStopped else { return true }
            server.state.channel = channel
            server.state.identity = identity
            return false
        }
        if stopped {
            try? await channel.close()
            unlink(path)
            throw .shuttingDown(path)
        }
    }

    /// Stops accepting, drains every connection (see ``FanoutHub/shutdown(drainFor:reason:)``),
    /// then removes the socket file; returns when all that is done. Safe to call more than once
    /// and before ``start()``.
    public func shutdown(drainFor: TimeAmount) async {
        try? await makeShutdownFuture(drainFor: drainFor).get()
    }

    /// ``shutdown(drainFor:)`` for event-loop code: `promise` (if any) completes when it is done.
    public func shutdown(drainFor: TimeAmount, promise: EventLoopPromise<Void>?) {
        let future = makeShutdownFuture(drainFor: drainFor)
        if let promise { future.cascade(to: promise) }
    }

    private func makeShutdownFuture(drainFor: TimeAmount) -> EventLoopFuture<Void> {
        let path = self.path
        let hub = self.hub
        return hub.eventLoop.flatSubmit { [self] in
            let channel = state.channel
            let identity = state.identity
            state.channel = nil
            state.isStopped = true
            let closed = channel?.close() ?? hub.eventLoop.makeSucceededVoidFuture()
            return closed
                .flatMapError { _ in hub.eventLoop.makeSucceededVoidFuture() }
                .flatMap { hub.shutdown(drainFor: drainFor) }
                .always { _ in
                    guard let identity else { return }
                    Self.removeSocketFile(path, ifItIs: identity)
                }
        }
    }

    /// Runs `body` on the hub's loop, which owns `state`.
    /// Throws `shuttingDown` if the loop itself is gone.
    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (FanoutServer) -> T) async throws(FanoutError) -> T {
        if hub.eventLoop.inEventLoop { return body(self) }
        guard let value = try? await hub.eventLoop.submit({ body(self) }).get() else { throw .shuttingDown(path) }
        return value
    }

    /// Removes `path` only if it is still the socket this server created (another instance may
    /// have replaced it after a forced takeover).
    private static func removeSocketFile(_ path: String, ifItIs identity: (device: UInt64, inode: UInt64)) {
        var info = stat()
        guard lstat(path, &info) == 0, UInt64(info.st_dev) == identity.device, UInt64(info.st_ino) == identity.inode else { return }
        unlink(path)
    }
}
