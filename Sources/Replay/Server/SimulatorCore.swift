import NIOCore

/// The loop-bound heart of the server: venues, armed faults, chaos, open connections. Every method
/// runs on `eventLoop` (the server hops there), so none of this state needs a lock.
final class SimulatorCore: @unchecked Sendable {
    let configuration: SimulatorConfiguration
    let clock: any ReplayClock
    let eventLoop: any EventLoop
    let tlsContext: TLSServerContext?
    let venues: [String: VenueRuntime]
    let venueOrder: [String]
    /// Orders hook (docs/simulator.md "Orders"): one order desk per venue with an order dialect.
    let orderDesks: [String: SimulatedOrderDesk]
    private let observer: (@Sendable (SimulatorEvent) -> Void)?
    private var connections: [ObjectIdentifier: SimulatorConnectionHandler] = [:]
    /// Slow-handshake delays (real ms) for the next accepted TLS connections, oldest first.
    private var tlsHandshakeDelays: [Int64] = []
    private var chaos: ChaosSchedule?
    private var chaosTimer: (any ReplayTimer)?
    private var isStopped = false

    init(profiles: [VenueProfile], configuration: SimulatorConfiguration, clock: any ReplayClock, eventLoop: any EventLoop,
         tlsContext: TLSServerContext?, observer: (@Sendable (SimulatorEvent) -> Void)?) {
        self.configuration = configuration
        self.clock = clock
        self.eventLoop = eventLoop
        self.tlsContext = tlsContext
        self.observer = observer
        var venues: [String: VenueRuntime] = [:]
        for profile in profiles { venues[profile.id] = VenueRuntime(profile: profile) }
        self.venues = venues
        venueOrder = profiles.map(\.id)
        var desks: [String: SimulatedOrderDesk] = [:]
        if configuration.orders.isEnabled {
            for venue in SimulatedOrderDialects.venues { desks[venue] = SimulatedOrderDesk(venue: venue, configuration: configuration, clock: clock) }
        }
        orderDesks = desks
    }

    // MARK: Lifecycle

    func start() {
        eventLoop.assertInEventLoop()
        armTLSSlowHandshakes(afterOpening: nil, connection: 0)
        if let configuration = configuration.faults.chaos {
            chaos = ChaosSchedule(configuration: configuration)
            scheduleChaos()
        }
    }

    func stop() {
        eventLoop.assertInEventLoop()
        isStopped = true
        chaosTimer?.cancel()
        for connection in connections.values { connection.closeImmediately() }
    }

    func register(_ connection: SimulatorConnectionHandler) {
        connections[ObjectIdentifier(connection)] = connection
    }

    func unregister(_ connection: SimulatorConnectionHandler) {
        connections.removeValue(forKey: ObjectIdentifier(connection))
    }

    func emit(_ event: SimulatorEvent) { observer?(event) }

    // MARK: Faults

    /// Applies `fault` to `venue`: to its newest replaying connection, or armed for the next one.
    /// With `accumulates` off (chaos), a fault that finds nothing to act on is skipped instead of
    /// piling up: connection faults need an open connection, and at most one handshake fault waits.
    func inject(_ fault: Fault, venue id: String, accumulates: Bool = true) {
        eventLoop.assertInEventLoop()
        guard let venue = venues[id] else { return }
        if case .slowHandshake(let delay) = fault, tlsContext != nil {
            // The venue is only known after TLS (it is in the request path): delay the next TLS accept.
            guard accumulates || tlsHandshakeDelays.isEmpty else { return }
            tlsHandshakeDelays.append(delay)
            emit(.faultInjected(venue: id, fault: fault, armed: true))
        } else if fault.isHandshakeFault {
            guard accumulates || venue.armedHandshakeFaults.isEmpty else { return }
            venue.armedHandshakeFaults.append(fault)
            emit(.faultInjected(venue: id, fault: fault, armed: true))
        } else if let connection = venue.newestLiveConnection {
            connection.apply(fault)
        } else if accumulates {
            venue.armedConnectionFaults.append(fault)
            emit(.faultInjected(venue: id, fault: fault, armed: true))
        }
    }

    /// A delay for a just-accepted TLS connection, if a slow-handshake fault is armed.
    func takeTLSHandshakeDelay() -> Int64? {
        tlsHandshakeDelays.isEmpty ? nil : tlsHandshakeDelays.removeFirst()
    }

    /// With TLS, scripted slow handshakes for connection `n` of a venue are armed when connection
    /// n−1 of it opens (or at start for n = 1): the TLS accept happens before the path names the venue.
    func armTLSSlowHandshakes(afterOpening venue: String?, connection opened: Int) {
        guard tlsContext != nil else { return }
        for step in configuration.faults.steps {
            guard case .slowHandshake(let delay) = step.fault else { continue }
            let isForVenue = venue == nil || step.venue == nil || step.venue == venue
            let isForConnection = step.connection == nil || step.connection == opened + 1
            if isForVenue && isForConnection { tlsHandshakeDelays.append(delay) }
        }
    }

    private func scheduleChaos() {
        guard !isStopped, var schedule = chaos else { return }
        let delay = schedule.nextDelayMilliseconds()
        chaos = schedule
        let deadline = clock.now() &+ configuration.speed.nanosecondsForTimer(sessionMilliseconds: delay)
        chaosTimer = clock.schedule(at: deadline, on: eventLoop) { [self] in
            guard !isStopped, var schedule = chaos else { return }
            let venues = venueOrder.compactMap { id in self.venues[id].map { (id: id, symbols: $0.profile.symbols) } }
            let pick = schedule.nextPick(venues: venues)
            chaos = schedule
            if let pick { inject(pick.fault, venue: pick.venue, accumulates: false) }
            scheduleChaos()
        }
    }
}
