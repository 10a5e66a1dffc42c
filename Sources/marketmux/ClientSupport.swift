import Foundation
import NIOCore
import NIOPosix
import Transport
import WebSocketWire

/// Reads the optional CA file for wss test servers from `--ca-file` or the environment.
func resolveCAFile(_ explicit: String?) -> String? {
    if let explicit { return explicit }
    let environment = ProcessInfo.processInfo.environment
    return environment["MARKETMUX_CA_FILE"] ?? environment["AUTOBAHN_CAFILE"]
}

/// Prints one clear sentence to stderr and exits non-zero (SPEC.md §2).
func exitWithError(_ message: String) -> Never {
    FileHandle.standardError.write(Data("marketmux: \(message)\n".utf8))
    exit(1)
}
