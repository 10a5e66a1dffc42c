import Logging
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A swift-log back end writing one plain line per record:
/// `2026-11-22T10:15:02.123Z info marketmux.run: message key=value`.
///
/// Secrets: MarketMux never puts one in a message (the configuration holds environment variable
/// *names*), and as a second line of defence any metadata value under a key that looks like a
/// secret (`secret`, `password`, `passphrase`, `token`, `api_key`, `authorization`, `signature`)
/// is written as `<redacted>`.
public struct PlainLogHandler: LogHandler {
    /// The records at or above this level are written.
    public var logLevel: Logger.Level
    /// Metadata attached to every record of this logger.
    public var metadata: Logger.Metadata = [:]
    /// The logger's label.
    public let label: String
    private let output: LogOutput

    /// A handler for `label` writing to `output`.
    public init(label: String, level: Logger.Level, output: LogOutput = .standardError) {
        self.label = label
        self.logLevel = level
        self.output = output
    }

    /// Installs the handler process-wide (once, at start-up: swift-log allows one bootstrap).
    public static func bootstrap(level: Logger.Level, output: LogOutput = .standardError) {
        LoggingSystem.bootstrap { label in PlainLogHandler(label: label, level: level, output: output) }
    }

    /// One metadata value of this handler (swift-log `LogHandler`).
    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Writes one line: time, level, label, message and the merged metadata.
    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        var line = Self.timestamp() + " " + event.level.rawValue + " " + label + ": " + "\(event.message)"
        for key in merged.keys.sorted() {
            guard let value = merged[key] else { continue }
            line += " \(key)=" + (Self.isSecretKey(key) ? "<redacted>" : Self.quoteIfNeeded("\(value)"))
        }
        output.write(line + "\n")
    }

    /// Whether a metadata key names something secret.
    public static func isSecretKey(_ key: String) -> Bool {
        let lowered = key.lowercased()
        return ["secret", "password", "passphrase", "token", "api_key", "apikey", "authorization", "signature"]
            .contains { lowered.contains($0) }
    }

    static func quoteIfNeeded(_ text: String) -> String {
        guard text.isEmpty || text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingBackslashesAndQuotes() + "\""
    }

    /// UTC, millisecond precision, ISO 8601.
    static func timestamp() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        var seconds = time_t(spec.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(spec.tv_nsec / 1_000_000), 3))Z"
    }
}

extension String {
    fileprivate func replacingBackslashesAndQuotes() -> String {
        var out = ""
        for character in self {
            switch character {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(character)
            }
        }
        return out
    }
}

/// Where log lines go: a file descriptor (whole lines in one `write(2)`, so lines from several
/// threads never interleave) or, in tests, memory.
public final class LogOutput: @unchecked Sendable {
    // @unchecked: `captured` is guarded by `lock`; the descriptor is immutable.
    private let descriptor: Int32?
    private let lock = SimpleLock()
    private var captured: [String] = []

    private init(descriptor: Int32?) { self.descriptor = descriptor }

    /// Standard error (the default: stdout belongs to the demo screen and to `tail`'s data).
    public static let standardError = LogOutput(descriptor: 2)
    /// Standard output.
    public static let standardOutput = LogOutput(descriptor: 1)
    /// Keeps lines in memory (tests).
    public static func capture() -> LogOutput { LogOutput(descriptor: nil) }

    /// Everything written so far (capture outputs only).
    public var lines: [String] { lock.withLock { captured } }

    func write(_ line: String) {
        guard let descriptor else {
            lock.withLock { captured.append(line.hasSuffix("\n") ? String(line.dropLast()) : line) }
            return
        }
        var bytes = Array(line.utf8)
        lock.withLock {
            bytes.withUnsafeMutableBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let written = Glibc.write(descriptor, raw.baseAddress.map { $0 + offset }, raw.count - offset)
                    if written < 0 { if errno == EINTR { continue } else { return } }
                    offset += written
                }
            }
        }
    }
}

/// A pthread mutex (no Foundation dependency in this module's hot paths).
final class SimpleLock: @unchecked Sendable {
    private var mutex = pthread_mutex_t()

    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }
}
