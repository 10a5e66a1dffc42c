import MarketModel
import NIOCore
import Transport
import VenueKit
import Venues

/// Obtains Kraken's WebSocket token over REST (VENUES.md §3.6 "Token"): Kraken's order router
/// sends it in every private request and reads it from ``VenueKit/VenueCredentials/passphrase``.
/// The token must be used within 15 minutes and then stays valid while a private connection is
/// kept, so it is fetched right before the order connection first logs in. Signing and parsing
/// are the router's (``Venues/Kraken/webSocketsTokenRequest(credentials:nonce:)``); this does the I/O.
enum KrakenTokenFetcher {
    /// The signed request against `restBaseURL` (the router signs the path only, so the base may
    /// be the simulator's): URL, headers and form body.
    static func signedRequest(credentials: VenueCredentials, restBaseURL: String, nonce: UInt64)
        throws(OrderRoutingError) -> (url: String, headers: [(name: String, value: String)], body: String) {
        let (request, body) = try Kraken.webSocketsTokenRequest(credentials: credentials, nonce: Int64(clamping: nonce))
        guard let path = request.url.range(of: "/0/private/") else {
            throw OrderRoutingError("kraken: unexpected token request URL \(request.url)")
        }
        let headers = request.headers.sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) }
        return (restBaseURL + request.url[path.lowerBound...], headers, body)
    }

    /// The token for `credentials`, from `restBaseURL` or `https://api.kraken.com`; `nonce()` gives
    /// a value that grows from call to call (the wall clock in ms).
    static func fetch(credentials: VenueCredentials, restBaseURL: String?, nonce: @escaping @Sendable () -> UInt64,
                      retry: RESTRetryPolicy, eventLoop: any EventLoop) -> EventLoopFuture<String> {
        let base = restBaseURL ?? Kraken.spec.restBaseURL ?? "https://api.kraken.com"
        return retry.run(on: eventLoop) {
            let request: (url: String, headers: [(name: String, value: String)], body: String)
            do throws(OrderRoutingError) {
                request = try signedRequest(credentials: credentials, restBaseURL: base, nonce: nonce())
            } catch {
                return eventLoop.makeFailedFuture(RESTCallError(error.description, isRetryable: false))
            }
            return HTTPClient.request(method: "POST", request.url, headers: request.headers, body: Array(request.body.utf8), on: eventLoop,
                                      timeoutNanoseconds: retry.timeout)
                .flatMapErrorThrowing { error in
                    throw RESTCallError("kraken: POST \(request.url): \(error)", isRetryable: (error as? TransportError)?.isRetryable ?? true)
                }
                .flatMapThrowing { response in
                    guard (200..<300).contains(response.status) else {
                        throw RESTCallError("kraken: POST \(request.url) → HTTP \(response.status)",
                                            isRetryable: RESTCallError.isRetryable(status: response.status))
                    }
                    let token: Result<String, VenueParseError> = response.body.withUnsafeBytes { body in
                        do throws(VenueParseError) {
                            return .success(try Kraken.parseWebSocketsToken(body))
                        } catch {
                            return .failure(error)
                        }
                    }
                    switch token {
                    case .success(let token): return token
                    case .failure(let error): throw RESTCallError("kraken: GetWebSocketsToken: \(error)", isRetryable: false)
                    }
                }
        }
    }
}
