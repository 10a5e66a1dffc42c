import ArgumentParser
import Foundation
import Replay

/// `marketmux simulate`: the simulated venues alone (SPEC.md §2, docs/simulator.md). Replays the
/// recorded sessions under `--fixtures` over loopback WebSocket and REST, one path per venue, and
/// injects scripted (`--fault`) or random (`--chaos`) faults.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the simulated venues alone: replay fixtures over loopback WebSocket and REST, optionally injecting faults.",
        discussion: """
        Every venue with fixtures is served on one port: ws://HOST:PORT/<venue> for the WebSocket feed and \
        http://HOST:PORT/<venue>/<recorded REST path> for snapshots (wss:// and https:// with --tls-cert/--tls-key). \
        Each new connection replays the next recorded connection of that venue from its start; when it runs out \
        the simulator closes with 1001 so the client reconnects (--no-loop keeps it open instead).

        Faults: drop, half-open, silence:SYMBOL[:ms], gap, bad-checksum, reject[:status[:retry-after]], rotate, \
        oversized[:bytes], malformed, slow-handshake[:ms]. --fault takes venue/fault[@connection][+frames], e.g. \
        binance/reject:429:5@1 or '*/gap+3'; --chaos injects a random one every few seconds (scaled by --speed) \
        from a generator seeded with --seed.
        """
    )

    @Option(help: "Fixtures directory (fixtures/<venue>/<scenario>/session.jsonl).") var fixtures: String = "fixtures"
    @Option(help: "TCP port (0: any free port, printed).") var port: Int = 0
    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Option(help: "Replay speed: 1 = real time, N = N times faster, max = as fast as possible.") var speed: String = "1"
    @Flag(help: "Inject a random fault every few seconds.") var chaos = false
    @Option(help: "Seed of the chaos generator (default: random, printed so a run can be repeated).") var seed: UInt64?
    @Option(name: .customLong("chaos-faults"), help: "Comma-separated fault kinds chaos picks from (default: all but oversized).")
    var chaosFaults: String?
    @Option(name: .customLong("fault"), help: "Scripted fault venue/fault[@connection][+frames] (repeatable).") var faults: [String] = []
    @Option(name: .customLong("venue"), help: "Serve only this venue (repeatable; default: every venue with fixtures).") var venues: [String] = []
    @Option(name: .customLong("scenario"), help: "Replay only this scenario name (repeatable; default: all, in name order).")
    var scenarios: [String] = []
    @Flag(name: .customLong("no-loop"), help: "Keep a connection open and silent when its recording ends instead of closing with 1001.")
    var noLoop = false
    @Flag(name: .customLong("no-wait"), help: "Stream frames from the open on instead of waiting for the client's subscribe messages.")
    var noWait = false
    @Flag(name: .customLong("no-deflate"), help: "Refuse permessage-deflate.") var noDeflate = false
    @Flag(name: .customLong("server-no-context-takeover"), help: "Reset the server's deflate context after every message.")
    var serverNoContextTakeover = false
    @Option(name: .customLong("tls-cert"), help: "TLS certificate chain (PEM); enables wss:// and https://.") var tlsCert: String?
    @Option(name: .customLong("tls-key"), help: "TLS private key (PEM).") var tlsKey: String?
    @Flag(help: "Do not log connections, faults and REST requests to stderr.") var quiet = false

    func run() async throws {
        let configuration = makeConfiguration()
        let quiet = self.quiet
        let server: SimulatedVenueServer
        do {
            server = try SimulatedVenueServer(fixturesDirectory: fixtures, configuration: configuration, observer: { event in
                guard !quiet else { return }
                FileHandle.standardError.write(Data("simulate: \(event)\n".utf8))
            })
        } catch let error as FixtureError {
            exitWithError("cannot load the fixtures: \(error).")
        } catch {
            exitWithError("\(error).")
        }
        let port: Int
        do {
            port = try await server.start()
        } catch {
            exitWithError("\(error).")
        }
        var banner = "simulating \(server.venues.count) venue(s) on \(host):\(port), speed \(configuration.speed)"
        if let chaos = configuration.faults.chaos { banner += ", chaos seed \(chaos.seed)" }
        var lines = [banner]
        for profile in server.profiles {
            lines.append("\(profile.id)  \(server.webSocketURL(for: profile.id))  rest \(server.restURL(for: profile.id))  "
                + "scenarios: \(profile.scenarioNames.joined(separator: ", "))")
        }
        // Unbuffered, so a script reading our stdout sees the URLs before the first connection.
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        try await server.run()
    }

    private func makeConfiguration() -> SimulatorConfiguration {
        guard let replaySpeed = ReplaySpeed(argument: speed) else {
            exitWithError("--speed must be a positive number or 'max', got '\(speed)'.")
        }
        guard (0...65535).contains(port) else { exitWithError("--port must be 0...65535, got \(port).") }
        var configuration = SimulatorConfiguration(host: host, port: port, speed: replaySpeed)
        if !venues.isEmpty { configuration.venues = venues }
        if !scenarios.isEmpty { configuration.scenarios = .named(scenarios) }
        if noLoop { configuration.sessionEnd = .stayOpen }
        configuration.waitsForClientMessages = !noWait
        configuration.deflate = noDeflate ? nil : ServerDeflateConfiguration(serverNoContextTakeover: serverNoContextTakeover)
        switch (tlsCert, tlsKey) {
        case (let cert?, let key?): configuration.tls = (cert, key)
        case (nil, nil): break
        default: exitWithError("--tls-cert and --tls-key go together.")
        }
        var plan = FaultPlan()
        for spec in faults {
            do { plan.steps.append(try FaultPlan.Step(parsing: spec)) } catch { exitWithError("\(error).") }
        }
        if chaos {
            var generator = SystemRandomNumberGenerator()
            var chaosConfiguration = ChaosConfiguration(seed: seed ?? generator.next() >> 11)
            if let chaosFaults {
                var kinds: [Fault.Kind] = []
                for name in chaosFaults.split(separator: ",") {
                    guard let kind = Fault.Kind(rawValue: String(name)) else {
                        exitWithError("unknown fault kind '\(name)' in --chaos-faults (known: \(Fault.Kind.allCases.map(\.rawValue).joined(separator: ", "))).")
                    }
                    kinds.append(kind)
                }
                chaosConfiguration.kinds = kinds
            }
            plan.chaos = chaosConfiguration
        } else if seed != nil || chaosFaults != nil {
            exitWithError("--seed and --chaos-faults only make sense with --chaos.")
        }
        configuration.faults = plan
        return configuration
    }
}
