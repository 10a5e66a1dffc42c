/// Where the operator HTTP endpoint listens (`http: 127.0.0.1:9464`, SPEC §3): `/metrics`,
/// `/status` and the status page. Written `HOST:PORT`, `[IPv6]:PORT`, or a bare port (loopback).
public struct HTTPEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// The address to bind, an IP literal or `localhost`.
    public var host: String
    /// The TCP port.
    public var port: Int

    /// Memberwise initializer.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The default of SPEC §3: loopback, Prometheus' customary exporter port range.
    public static let `default` = HTTPEndpoint(host: "127.0.0.1", port: 9464)

    /// Parses `HOST:PORT`, `[::1]:PORT` or `PORT`; `nil` when malformed.
    public init?(parsing text: String) {
        var host = "127.0.0.1"
        var portText = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else { return nil }
            host = String(text[text.index(after: text.startIndex)..<close])
            portText = text[text.index(close, offsetBy: 2)...]
        } else if let colon = text.lastIndex(of: ":") {
            host = String(text[..<colon])
            portText = text[text.index(after: colon)...]
            guard !host.contains(":") else { return nil }  // an IPv6 literal needs brackets
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".-:".contains($0)) }),
              let port = Int(portText), (1...65535).contains(port) else { return nil }
        self.host = host
        self.port = port
    }

    /// `127.0.0.1:9464` / `[::1]:9464`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}
