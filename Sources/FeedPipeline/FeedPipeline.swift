import Books
import MarketModel
import VenueKit

/// The sans-IO market-data pipeline of one venue connection (ARCHITECTURE data flow: adapter →
/// books → guards → events): venue bytes in, normalized ``MarketEvent``s and session-layer
/// ``FeedAction``s out.
///
/// The session layer owns one pipeline per connection and drives it:
/// ```
/// var pipeline = FeedPipeline<Binance>(configuration: .init(symbols: [btc], channels: [.trades, .book]))
/// var out = FeedOutput()
/// pipeline.connectionOpened(into: &out)            // `send` subscribe frames; `connecting` statuses
/// pipeline.receive(bytes, tsRecv: now, into: &out) // trades, book lines, statuses; maybe `fetchSnapshot`
/// pipeline.restResponse(symbol: btc, status: 200, body: body, tsRecv: now, into: &out)
/// pipeline.connectionClosed(reason: "code 1006", into: &out)   // `disconnected`, books dropped
/// ```
/// Every call appends to the caller's ``FeedOutput`` (clear it after handling); scratch buffers
/// live in the pipeline, so the steady-state receive path allocates nothing of its own.
///
/// The status policy (docs/pipeline.md): `connecting` for every subscription on open; `live` for a
/// book when `Books` has applied a good snapshot, for any other channel on the venue's subscribe
/// ack or its first data, whichever comes first; `resyncing` with Books' reason (`gap: …`,
/// `checksum: …`, `crossed: …`) for that symbol's book only; `disconnected` with the close reason;
/// `stale` from ``checkStaleness(now:into:)``. A message the adapter cannot parse becomes a
/// venue-wide `status` (state `live`: the connection carries on) whose reason is the parse error,
/// plus a log action; it never forces a resync by itself — every sequenced or checksummed venue
/// detects a lost book message on the next one.
public struct FeedPipeline<Adapter: VenueAdapter>: Sendable {
    /// A subscription the adapter cannot serve, and why.
    public struct Rejection: Sendable, Hashable {
        /// The refused subscription.
        public var subscription: Subscription
        /// Why (`"unsupported channel"`, `"unknown symbol"`).
        public var reason: String
    }

    /// What this connection carries (live (un)subscribes update ``FeedPipelineConfiguration/subscriptions``).
    public internal(set) var configuration: FeedPipelineConfiguration
    /// The connection's adapter (a fresh one per ``connectionOpened(into:)``).
    public internal(set) var adapter: Adapter
    /// The connection's books (dropped on close).
    public internal(set) var books: BookSet
    /// Whether the connection is open (between ``connectionOpened(into:)`` and ``connectionClosed(reason:into:)``).
    public internal(set) var isOpen = false
    /// Configured subscriptions the adapter cannot serve; reported as `disconnected` on open.
    public internal(set) var rejections: [Rejection]
    /// Symbols whose REST snapshot was requested and not yet answered.
    public internal(set) var pendingSnapshots: Set<Symbol> = []
    /// How many messages the adapter could not parse on this pipeline.
    public internal(set) var parseErrorCount = 0
    /// The most recent parse failure (kept for diagnostics and `marketmux normalize`).
    public internal(set) var lastParseError: VenueParseError?

    var states: SubscriptionStates
    var connectionSequence = ConnectionSequenceTracker()
    // Scratch buffers reused by every call.
    var venueOutputs = VenueOutputs()
    var bookActions: [BookAction] = []
    var resubscribeSymbols: [Symbol] = []

    /// A closed pipeline for `configuration`'s subscriptions.
    public init(configuration: FeedPipelineConfiguration) {
        self.configuration = configuration
        let adapter = Adapter(configuration: configuration.adapterConfiguration)
        var accepted: [Subscription] = []
        var rejections: [Rejection] = []
        for sub in configuration.subscriptions {
            if let reason = Self.rejectionReason(sub, adapter: adapter) {
                rejections.append(Rejection(subscription: sub, reason: reason))
            } else {
                accepted.append(sub)
            }
        }
        self.adapter = adapter
        self.rejections = rejections
        self.states = SubscriptionStates(venue: Adapter.spec.id, subscriptions: accepted)
        self.books = BookSet(venue: Adapter.spec.id, spec: Adapter.spec.book, verifiesChecksums: configuration.verifiesChecksums)
    }

    /// The venue.
    public var venue: VenueID { Adapter.spec.id }

    /// The subscriptions this connection carries (configured minus ``rejections``).
    public var subscriptions: [Subscription] { states.subscriptions }

    /// The current state of `subscription` on this connection, `nil` if it does not carry it.
    public func state(of subscription: Subscription) -> StreamState? {
        states.slot(subscription.symbol, subscription.channel).map { states.states[$0] }
    }

    // MARK: - Connection lifecycle

    /// The connection is open: starts a fresh adapter and empty books, reports `connecting` for
    /// every subscription (`disconnected` for rejected ones) and asks to send the venue's session
    /// start frames and subscribe frames, in that order.
    public mutating func connectionOpened(into output: inout FeedOutput) {
        adapter = Adapter(configuration: configuration.adapterConfiguration)
        books = BookSet(venue: venue, spec: Adapter.spec.book, verifiesChecksums: configuration.verifiesChecksums)
        connectionSequence.reset()
        pendingSnapshots.removeAll()
        states.reset()
        isOpen = true
        for i in states.subscriptions.indices { states.set(i, .connecting, reason: "", into: &output.events) }
        for rejection in rejections {
            output.events.append(.status(StatusEvent(venue: venue, symbol: rejection.subscription.symbol,
                                                     channel: rejection.subscription.channel, state: .disconnected,
                                                     reason: "rejected: \(rejection.reason)")))
        }
        for frame in adapter.sessionStartFrames() { output.actions.append(.send(frame)) }
        for frame in adapter.subscribeFrames(for: states.subscriptions) { output.actions.append(.send(frame)) }
    }

    /// The connection closed (`reason` like `"code 1006: connection reset by peer"`): every
    /// subscription goes `disconnected` and the books are dropped — the next
    /// ``connectionOpened(into:)`` bootstraps them from scratch.
    public mutating func connectionClosed(reason: String, into output: inout FeedOutput) {
        for i in states.subscriptions.indices { states.set(i, .disconnected, reason: reason, into: &output.events) }
        books = BookSet(venue: venue, spec: Adapter.spec.book, verifiesChecksums: configuration.verifiesChecksums)
        pendingSnapshots.removeAll()
        isOpen = false
    }

    // MARK: - Receive path

    /// Handles one complete WebSocket message read at `tsRecv` (ns since the epoch).
    public mutating func receive(_ message: UnsafeRawBufferPointer, tsRecv: Nanoseconds, isBinary: Bool = false,
                                 into output: inout FeedOutput) {
        guard isOpen else {
            output.actions.append(.log(FeedLogEntry(severity: .error, message: "\(venue): message on a closed connection ignored")))
            return
        }
        venueOutputs.removeAll(keepingCapacity: true)
        let context = ParseContext(tsRecv: tsRecv, connectionID: configuration.connectionID, isBinary: isBinary)
        do throws(VenueParseError) {
            try adapter.parse(message, context: context, into: &venueOutputs)
        } catch {
            // Nothing of a message that failed is used (adapters may leave partial output).
            reportParseError(error, into: &output)
            return
        }
        // Each output is handled where the adapter put it (borrowed through the buffer, not
        // copied out by an array iterator): the message's sequence number, its other outputs (acks,
        // books), then its trades (see `VenueOutputs`). The outputs are moved out of `self`
        // meanwhile, since `handle` mutates `self`, and moved back to keep their capacity.
        var items = VenueOutputs()
        swap(&items, &venueOutputs)
        if let number = items.connectionSequence { handleConnectionSequence(number, into: &output) }
        items.others.withUnsafeBufferPointer { buffer in
            for i in buffer.indices { handle(buffer[i], tsRecv: tsRecv, into: &output) }
        }
        items.trades.withUnsafeBufferPointer { buffer in
            for i in buffer.indices { handleTrade(buffer[i], into: &output) }
        }
        swap(&items, &venueOutputs)
        flushResubscribes(into: &output)
    }

    /// Convenience for cold paths and tests: handles a text message.
    public mutating func receive(_ text: String, tsRecv: Nanoseconds, into output: inout FeedOutput) {
        var copy = text
        copy.withUTF8 { receive(UnsafeRawBufferPointer($0), tsRecv: tsRecv, into: &output) }
    }

    mutating func handle(_ item: VenueOutput, tsRecv: Nanoseconds, into output: inout FeedOutput) {
        switch item {
        case .trade(let e):
            handleTrade(e, into: &output)
        case .bbo(let e):
            if admit(e.symbol, .bbo, at: e.tsRecv, &output.events) { output.events.append(.bbo(e)) }
        case .ticker(let e):
            if admit(e.symbol, .ticker, at: e.tsRecv, &output.events) { output.events.append(.ticker(e)) }
        case .funding(let e):
            if admit(e.symbol, .funding, at: e.tsRecv, &output.events) { output.events.append(.funding(e)) }
        case .liquidation(let e):
            if admit(e.symbol, .liquidations, at: e.tsRecv, &output.events) { output.events.append(.liquidation(e)) }
        case .order(let e):
            output.events.append(.order(e))
        case .book(let message):
            // A book this connection did not subscribe is not ours to build.
            guard states.slot(message.update.symbol, .book) != nil else { return }
            books.handle(message, into: &bookActions)
            applyBookActions(into: &output)
        case .connectionSequence(let n):
            handleConnectionSequence(n, into: &output)
        case .subscribed(let ack):
            handleAck(ack, tsRecv: tsRecv, into: &output)
        case .heartbeat, .pong:
            break  // liveness is the session layer's dead-peer timer, not data
        case .venueError(let text):
            output.events.append(.status(StatusEvent(venue: venue, state: .live, reason: "venue error: \(text)")))
            output.actions.append(.log(FeedLogEntry(severity: .warning, message: "\(venue): venue error: \(text)")))
        case .bookInvalidated(let symbol, let reason):
            guard states.slot(symbol, .book) != nil else { return }
            books.invalidate(symbol: symbol, reason: reason, into: &bookActions)
            applyBookActions(into: &output)
        case .restSnapshotNeeded(let symbol, let request):
            if pendingSnapshots.insert(symbol).inserted { output.actions.append(.fetchSnapshot(symbol, request)) }
        case .reconnectRequested(let reason):
            output.actions.append(.reconnect(reason: reason))
            output.actions.append(.log(FeedLogEntry(severity: .info, message: "\(venue): reconnect requested: \(reason)")))
        case .send(let frame):
            output.actions.append(.send(frame))
        }
    }

    /// Publishes `trade` if its symbol's trades are subscribed.
    @inline(__always)
    mutating func handleTrade(_ trade: Trade, into output: inout FeedOutput) {
        if admit(trade.symbol, .trades, at: trade.tsRecv, &output.events) { output.events.append(.trade(trade)) }
    }

    /// Checks a message's per-connection sequence number; on a gap, every book of the connection
    /// resyncs.
    mutating func handleConnectionSequence(_ number: Int64, into output: inout FeedOutput) {
        guard case .gap(let expected, let got) = connectionSequence.observe(number) else { return }
        let reason = "gap: expected \(expected) got \(got)"
        output.actions.append(.log(FeedLogEntry(severity: .warning, message: "\(venue): connection sequence \(reason)")))
        books.invalidateAll(reason: reason, into: &bookActions)
        applyBookActions(into: &output)
    }

    /// Whether an event of `(symbol, channel)` is published: only subscribed pairs are. The first
    /// data of a subscription that is not yet `live` (no ack seen, or `stale`) makes it `live`.
    @inline(__always)
    mutating func admit(_ symbol: Symbol, _ channel: Channel, at time: Nanoseconds, _ events: inout [MarketEvent]) -> Bool {
        guard let i = states.slot(symbol, channel) else { return false }
        if states.states[i] != .live { states.set(i, .live, reason: "", into: &events) }
        states.touch(i, at: time)
        return true
    }

    mutating func handleAck(_ ack: SubscriptionAck, tsRecv: Nanoseconds, into output: inout FeedOutput) {
        if ack.isSuccess {
            // Books go live from Books (a good snapshot), never from an ack.
            for sub in ack.subscriptions where sub.channel != .book {
                guard let i = states.slot(sub.symbol, sub.channel), states.states[i] != .live else { continue }
                states.set(i, .live, reason: "", into: &output.events)
                states.touch(i, at: tsRecv)
            }
            return
        }
        let text = ack.message ?? "subscribe refused"
        output.actions.append(.log(FeedLogEntry(severity: .warning, message: "\(venue): subscribe refused: \(text)")))
        var named = false
        for sub in ack.subscriptions {
            guard let i = states.slot(sub.symbol, sub.channel) else { continue }
            named = true
            states.set(i, .disconnected, reason: "subscribe refused: \(text)", into: &output.events)
        }
        if !named { output.events.append(.status(StatusEvent(venue: venue, state: .live, reason: "subscribe refused: \(text)"))) }
    }

    mutating func reportParseError(_ error: VenueParseError, into output: inout FeedOutput) {
        parseErrorCount += 1
        lastParseError = error
        output.events.append(.status(StatusEvent(venue: venue, state: .live, reason: "parse error: \(error)")))
        output.actions.append(.log(FeedLogEntry(severity: .warning, message: "\(venue): parse error: \(error)")))
    }

    // MARK: - Stale guard

    /// The data-idle guard: every `live` subscription without data for longer than its window
    /// (``FeedPipelineConfiguration/staleAfter`` or the adapter's `VenueSpec.staleAfter`) goes
    /// `stale`; its next data makes it `live` again. The session layer calls this from a timer.
    public mutating func checkStaleness(now: Nanoseconds, into output: inout FeedOutput) {
        for i in states.subscriptions.indices where states.states[i] == .live {
            guard let last = states.lastActivity[i] else { continue }
            let channel = states.subscriptions[i].channel
            let window = configuration.staleAfter[channel] ?? Adapter.spec.staleAfter(for: channel)
            if now - last > window {
                states.set(i, .stale, reason: "no data for \(Self.describe(window))", into: &output.events)
            }
        }
    }

    static func describe(_ span: Nanoseconds) -> String {
        span % 1_000_000_000 == 0 ? "\(span / 1_000_000_000) s" : "\(span / 1_000_000) ms"
    }
}
