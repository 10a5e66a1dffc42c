import Books
import MarketModel
import VenueKit

extension FeedPipeline {
    // MARK: - REST snapshots

    /// The answer to a ``FeedAction/fetchSnapshot(_:_:)`` for `symbol`: HTTP `status` and the raw
    /// `body`, received at `tsRecv`. A snapshot the pipeline did not ask for is ignored (logged).
    /// A failed request or an unparseable body keeps the book waiting and asks again (the session
    /// layer applies its REST backoff before performing it).
    public mutating func restResponse(symbol: Symbol, status: Int, body: UnsafeRawBufferPointer, tsRecv: Nanoseconds,
                                      into output: inout FeedOutput) {
        guard isOpen, pendingSnapshots.remove(symbol) != nil else {
            output.actions.append(.log(FeedLogEntry(severity: .warning,
                                                    message: "\(venue): unrequested \(symbol) snapshot ignored")))
            return
        }
        guard (200 ..< 300).contains(status) else {
            return snapshotFailed(symbol, reason: "snapshot: HTTP \(status)", into: &output)
        }
        let message: BookMessage
        do throws(VenueParseError) {
            message = try adapter.parseRESTSnapshot(symbol: symbol, body: body,
                                                    context: ParseContext(tsRecv: tsRecv, connectionID: configuration.connectionID))
        } catch {
            return snapshotFailed(symbol, reason: "snapshot: \(error)", into: &output)
        }
        books.handle(message, into: &bookActions)
        applyBookActions(into: &output)
        flushResubscribes(into: &output)
    }

    /// Convenience for cold paths and tests: a text body.
    public mutating func restResponse(symbol: Symbol, status: Int, body: String, tsRecv: Nanoseconds, into output: inout FeedOutput) {
        var copy = body
        copy.withUTF8 { restResponse(symbol: symbol, status: status, body: UnsafeRawBufferPointer($0), tsRecv: tsRecv, into: &output) }
    }

    mutating func snapshotFailed(_ symbol: Symbol, reason: String, into output: inout FeedOutput) {
        output.actions.append(.log(FeedLogEntry(severity: .warning, message: "\(venue): \(symbol) \(reason); retrying")))
        // The book keeps its state (still waiting); the reason says why it is not live yet.
        if let i = states.slot(symbol, .book) {
            states.set(i, states.states[i], reason: "\(reason); retrying", into: &output.events)
        }
        requestSnapshot(symbol, into: &output)
    }

    mutating func requestSnapshot(_ symbol: Symbol, into output: inout FeedOutput) {
        guard let request = adapter.snapshotRequest(for: symbol) else {
            output.actions.append(.log(FeedLogEntry(severity: .error, message: "\(venue): no REST snapshot request for \(symbol)")))
            return
        }
        pendingSnapshots.insert(symbol)
        output.actions.append(.fetchSnapshot(symbol, request))
    }

    // MARK: - Book actions

    /// Turns what Books decided into events and actions; clears the scratch buffer.
    mutating func applyBookActions(into output: inout FeedOutput) {
        for action in bookActions {
            switch action {
            case .publish(let update):
                if let i = states.slot(update.symbol, .book) {
                    // A stale book that receives data again is live again (Books keeps it consistent).
                    if states.states[i] == .stale { states.set(i, .live, reason: "", into: &output.events) }
                    states.touch(i, at: update.tsRecv)
                }
                output.events.append(.book(update))
            case .status(let status):
                if let symbol = status.symbol, let i = states.slot(symbol, status.channel ?? .book) {
                    states.set(i, status.state, reason: status.reason, into: &output.events)
                } else {
                    output.events.append(.status(status))
                }
            case .fetchSnapshot(let symbol):
                requestSnapshot(symbol, into: &output)
            case .resubscribe(let symbol):
                if !resubscribeSymbols.contains(symbol) { resubscribeSymbols.append(symbol) }
            }
        }
        bookActions.removeAll(keepingCapacity: true)
    }

    /// Snapshot-on-subscribe venues recover a book by unsubscribing and subscribing its channel
    /// again: one batch of frames for every book that broke on this message (a per-connection
    /// gap breaks them all at once).
    mutating func flushResubscribes(into output: inout FeedOutput) {
        guard !resubscribeSymbols.isEmpty else { return }
        let subs = resubscribeSymbols.map { Subscription(symbol: $0, channel: .book) }
        resubscribeSymbols.removeAll(keepingCapacity: true)
        for frame in adapter.unsubscribeFrames(for: subs) { output.actions.append(.send(frame)) }
        for frame in adapter.subscribeFrames(for: subs) { output.actions.append(.send(frame)) }
    }
}
