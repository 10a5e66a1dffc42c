import Foundation

/// One recorded scenario: `fixtures/<venue>/<scenario>/` with its parsed session.
public struct FixtureScenario: Sendable, Equatable {
    /// Venue id (the adapter's `VenueSpec.id`, e.g. `binance`).
    public let venue: String
    /// Scenario name (e.g. `book`, `gap-resync`).
    public let name: String
    /// The scenario folder.
    public let directory: String
    /// The parsed `session.jsonl`.
    public let session: FixtureSession

    /// Creates a scenario.
    public init(venue: String, name: String, directory: String, session: FixtureSession) {
        self.venue = venue
        self.name = name
        self.directory = directory
        self.session = session
    }

    /// `<venue>/<scenario>`.
    public var id: String { "\(venue)/\(name)" }
}

/// Every scenario found under a fixtures directory: each `<venue>/<scenario>/session.jsonl`.
/// Folders without a `session.jsonl` (e.g. `fixtures/tools`) are skipped; a bad session fails
/// the whole load with its `FixtureError`.
public struct FixtureLibrary: Sendable {
    /// The directory scanned.
    public let directory: String
    /// All scenarios, sorted by venue then scenario name.
    public let scenarios: [FixtureScenario]

    /// Loads every scenario under `directory`.
    public init(directory: String) throws(FixtureError) {
        self.directory = directory
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw FixtureError(file: directory, line: nil, field: nil, message: "is not a directory")
        }
        var found: [FixtureScenario] = []
        for venue in Self.subdirectories(of: directory) {
            let venuePath = directory + "/" + venue
            for scenario in Self.subdirectories(of: venuePath) {
                let scenarioPath = venuePath + "/" + scenario
                let sessionPath = scenarioPath + "/session.jsonl"
                guard manager.fileExists(atPath: sessionPath) else { continue }
                let session = try FixtureSession(contentsOfFile: sessionPath)
                found.append(FixtureScenario(venue: venue, name: scenario, directory: scenarioPath, session: session))
            }
        }
        scenarios = found
    }

    /// Builds a library from scenarios already in memory (tests, generated sessions).
    public init(directory: String = "", scenarios: [FixtureScenario]) {
        self.directory = directory
        self.scenarios = scenarios.sorted { ($0.venue, $0.name) < ($1.venue, $1.name) }
    }

    /// Venue ids that have at least one scenario, sorted.
    public var venues: [String] { Array(Set(scenarios.map(\.venue))).sorted() }

    /// The scenarios of `venue`, sorted by name.
    public func scenarios(for venue: String) -> [FixtureScenario] { scenarios.filter { $0.venue == venue } }

    /// One scenario by venue and name.
    public func scenario(venue: String, name: String) -> FixtureScenario? {
        scenarios.first { $0.venue == venue && $0.name == name }
    }

    private static func subdirectories(of path: String) -> [String] {
        let manager = FileManager.default
        let names = (try? manager.contentsOfDirectory(atPath: path)) ?? []
        return names.filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".") && manager.fileExists(atPath: path + "/" + name, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }
}
