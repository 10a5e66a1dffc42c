import MarketModel
import VenueKit

/// A request from the pipeline to the session layer that owns the connection.
public enum FeedAction: Sendable, Hashable {
    /// Send this text frame on the connection now (subscribe frames after opening, resubscribe
    /// frames of a book resync, Deribit `public/test`, BitMEX's own resubscribe).
    case send(OutboundMessage)
    /// Perform this REST request and hand the answer to ``FeedPipeline/restResponse(symbol:status:body:tsRecv:into:)``
    /// (Binance-style book bootstrap and resync). The session layer applies its REST budget and
    /// backoff; the pipeline asks at most once per symbol until the answer arrives.
    case fetchSnapshot(Symbol, RESTRequest)
    /// The venue asked us to reconnect (Binance `serverShutdown`, Bitfinex 20051, OKX 64008):
    /// rotate the connection make-before-break.
    case reconnect(reason: String)
    /// Something worth a log line (parse errors, venue errors, unexpected REST answers). The
    /// message names the venue.
    case log(FeedLogEntry)
}

/// One log line from the pipeline.
public struct FeedLogEntry: Sendable, Hashable, CustomStringConvertible {
    /// How bad it is.
    public enum Severity: String, Sendable, Hashable {
        /// Expected but notable (a venue notice).
        case info
        /// Data was lost or refused (a malformed message, a venue error).
        case warning
        /// The pipeline could not do what it should (no REST request for a book).
        case error
    }

    /// How bad it is.
    public var severity: Severity
    /// One sentence naming the venue, e.g. `"binance: parse error: malformed JSON at byte 120: …"`.
    public var message: String

    /// Memberwise initializer.
    public init(severity: Severity, message: String) {
        self.severity = severity
        self.message = message
    }

    /// `warning: binance: parse error: …`.
    public var description: String { "\(severity.rawValue): \(message)" }
}
