import MarketModel
import NIOCore
import Transport
import VenueKit
import Venues

/// Fetches one venue's trading rules over public REST: the adapter's requests
/// (``VenueKit/InstrumentRulesSource``) performed with `Transport.HTTPClient`, each retried per
/// ``RESTRetryPolicy``, the replies parsed by the adapter. Any symbol left without rules fails
/// the whole venue: orders on a venue whose rules are partly unknown would be refused one
/// symbol at a time with a less useful reason.
enum InstrumentRulesLoader {
    /// Rules for `symbols` of `venue` (with `options`), from `restBaseURL` or the venue's production base.
    static func load(venue: VenueID, symbols: [Symbol], options: [String: String], restBaseURL: String?,
                     retry: RESTRetryPolicy, eventLoop: any EventLoop) -> EventLoopFuture<[Symbol: InstrumentRules]> {
        guard !symbols.isEmpty else { return eventLoop.makeSucceededFuture([:]) }
        guard let source = InstrumentRulesRegistry.makeSource(for: venue, configuration: VenueAdapterConfiguration(symbols: symbols, options: options)) else {
            return eventLoop.makeFailedFuture(RESTCallError(
                "\(venue) publishes no trading rules MarketMux can read; give them in orders.instruments", isRetryable: false))
        }
        let base = restBaseURL ?? type(of: source).instrumentRulesBaseURL
        let requests = source.instrumentRulesRequests(restBaseURL: base)
        let futures = requests.map { request in
            retry.run(on: eventLoop) { fetch(request, source: source, venue: venue, timeout: retry.timeout, eventLoop: eventLoop) }
        }
        return EventLoopFuture.whenAllSucceed(futures, on: eventLoop).flatMapThrowing { parts in
            var rules: [Symbol: InstrumentRules] = [:]
            for part in parts { rules.merge(part) { _, new in new } }
            if let missing = symbols.first(where: { rules[$0] == nil }) {
                throw RESTCallError("\(venue): \(missing): no trading rules (the venue's REST API cannot name it); "
                                    + "give them in orders.instruments", isRetryable: false)
            }
            return rules
        }
    }

    private static func fetch(_ request: InstrumentRulesRequest, source: any InstrumentRulesSource, venue: VenueID,
                              timeout: Nanoseconds, eventLoop: any EventLoop) -> EventLoopFuture<[Symbol: InstrumentRules]> {
        HTTPClient.get(request.request.url, headers: request.request.headers.map { ($0.key, $0.value) }, on: eventLoop,
                       timeoutNanoseconds: timeout)
            .flatMapErrorThrowing { error in
                throw RESTCallError("\(venue): GET \(request.request.url): \(error)", isRetryable: (error as? TransportError)?.isRetryable ?? true)
            }
            .flatMapThrowing { response in
                let parsed: Result<[Symbol: InstrumentRules], InstrumentRulesError> = response.body.withUnsafeBytes { body in
                    do throws(InstrumentRulesError) {
                        return .success(try source.parseInstrumentRules(body, for: request))
                    } catch {
                        return .failure(error)
                    }
                }
                guard (200..<300).contains(response.status) else {
                    // Venues explain a refusal in the body (Binance -1121 "Invalid symbol."): prefer their words.
                    let reason: String
                    if case .failure(let error) = parsed { reason = error.description } else { reason = "\(venue): HTTP \(response.status)" }
                    throw RESTCallError("\(reason) (GET \(request.request.url) → \(response.status))",
                                        isRetryable: RESTCallError.isRetryable(status: response.status))
                }
                switch parsed {
                case .success(let rules): return rules
                case .failure(let error): throw RESTCallError(error.description, isRetryable: false)
                }
            }
    }
}
