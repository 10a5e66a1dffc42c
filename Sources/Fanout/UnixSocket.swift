#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Plain POSIX helpers for the socket path: the liveness probe the server runs before binding
/// and the blocking client connect `marketmux tail` uses. Cold paths; the server itself is NIO.
public enum UnixSocket {
    /// Longest path a `sockaddr_un` holds (without the terminating NUL).
    public static var maxPathBytes: Int { MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1 }

    /// What is at a socket path.
    public enum PathState: Sendable, Hashable {
        /// Nothing.
        case absent
        /// A socket someone accepts connections on.
        case live
        /// A socket file nobody listens on (left by a crash).
        case stale
        /// A file that is not a socket.
        case notASocket
        /// Could not tell (`errno` text).
        case unknown(String)
    }

    /// Looks at `path`: a socket is probed with a non-blocking connect, so a listener whose
    /// backlog is full still counts as live and the probe never waits.
    public static func probe(_ path: String) -> PathState {
        var info = stat()
        guard lstat(path, &info) == 0 else {
            return errno == ENOENT ? .absent : .unknown(errorText(errno))
        }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return .notASocket }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return .unknown(errorText(errno)) }
        defer { close(fd) }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        guard let result = withAddress(path, { posixConnect(fd, $0, $1) }) else { return .unknown("path too long") }
        if result == 0 { return .live }
        switch errno {
        case ECONNREFUSED: return .stale
        case EAGAIN, EINPROGRESS: return .live  // listening, backlog full
        case ENOENT: return .absent
        default: return .unknown(errorText(errno))
        }
    }

    /// A blocking stream connection to `path`; the caller owns (and closes) the descriptor.
    public static func connect(to path: String) throws(FanoutError) -> Int32 {
        guard path.utf8.count <= maxPathBytes else { throw .pathTooLong(path, limit: maxPathBytes) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .connect(path, errorText(errno)) }
        guard let result = withAddress(path, { posixConnect(fd, $0, $1) }), result == 0 else {
            let code = errno
            close(fd)
            switch code {
            case ENOENT: throw .connect(path, "no such socket (is marketmux running? --socket names the path)")
            case ECONNREFUSED: throw .connect(path, "nothing is listening (a stale socket file?)")
            case EACCES: throw .connect(path, "permission denied (the socket is mode 0660: run as its owner or group)")
            default: throw .connect(path, errorText(code))
            }
        }
        return fd
    }

    /// Calls `body` with a `sockaddr_un` for `path`, or returns `nil` if the path is too long.
    static func withAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R? {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count <= maxPathBytes else { return nil }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// `strerror` text.
    static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

/// `connect(2)`, outside `UnixSocket` whose own `connect(to:)` would shadow it.
private func posixConnect(_ fd: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t) -> Int32 {
    connect(fd, address, length)
}
