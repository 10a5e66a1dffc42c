import FeedPipeline
import Foundation
import MarketModel
import Testing
import VenueKit
import Venues

/// One scenario directory `fixtures/<venue>/<scenario>/` holding a `session.jsonl`.
struct FixtureScenario: CustomTestStringConvertible, Sendable {
    /// `binance/trades`.
    var name: String
    var venue: VenueID
    var directory: URL

    var testDescription: String { name }

    /// The repository's `fixtures/` folder, found from this file's path (Tests/FeedPipelineTests/…).
    static let fixturesDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures", isDirectory: true)

    /// Every `fixtures/*/*/session.jsonl`, sorted by name.
    static let all: [FixtureScenario] = {
        let fm = FileManager.default
        let root = fixturesDirectory
        var found: [FixtureScenario] = []
        let venues = (try? fm.contentsOfDirectory(atPath: root.path)) ?? []
        for venue in venues.sorted() {
            let venueDir = root.appendingPathComponent(venue, isDirectory: true)
            for scenario in ((try? fm.contentsOfDirectory(atPath: venueDir.path)) ?? []).sorted() {
                let dir = venueDir.appendingPathComponent(scenario, isDirectory: true)
                if fm.fileExists(atPath: dir.appendingPathComponent("session.jsonl").path) {
                    found.append(FixtureScenario(name: "\(venue)/\(scenario)", venue: VenueID(rawValue: venue), directory: dir))
                }
            }
        }
        return found
    }()

    var sessionURL: URL { directory.appendingPathComponent("session.jsonl") }
    var expectedURL: URL { directory.appendingPathComponent("expected.ndjson") }
    /// A scenario whose expected output is withheld because of a known bug outside the venue
    /// adapters names the bug in `KNOWN-ISSUE.md` (docs/fixtures.md).
    var knownIssueURL: URL { directory.appendingPathComponent("KNOWN-ISSUE.md") }

    /// The first paragraph of `KNOWN-ISSUE.md` after its title, on one line.
    var knownIssueSummary: String {
        let text = (try? String(contentsOf: knownIssueURL, encoding: .utf8)) ?? ""
        var paragraph: [Substring] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#") { continue }
            if line.allSatisfy(\.isWhitespace) {
                if paragraph.isEmpty { continue } else { break }
            }
            paragraph.append(line)
        }
        return paragraph.joined(separator: " ")
    }
}

/// Replays every recorded session under `fixtures/` through the real pipeline and compares the
/// normalized output with `expected.ndjson` (SPEC §6). Adding a scenario needs data only.
///
/// `MARKETMUX_RECORD_FIXTURES=1 swift test --filter FixtureReplayTests` writes the missing
/// `expected.ndjson` files from the current output (`=all` rewrites every one) — review every
/// written line against the scenario's NOTES.md before committing it.
@Suite struct FixtureReplayTests {
    /// `MARKETMUX_RECORD_FIXTURES=1`: write missing expected files; `=all`: rewrite every one.
    static var recordMode: String? { ProcessInfo.processInfo.environment["MARKETMUX_RECORD_FIXTURES"] }

    @Test func fixturesAreDiscovered() {
        #expect(FixtureScenario.all.count > 0, "no fixtures/*/*/session.jsonl under \(FixtureScenario.fixturesDirectory.path)")
    }

    @Test(arguments: FixtureScenario.all)
    func replay(_ scenario: FixtureScenario) throws {
        let fm = FileManager.default
        guard let adapter = VenueRegistry.adapterType(for: scenario.venue) else {
            Issue.record("\(scenario.name): no adapter for venue '\(scenario.venue)' in VenueRegistry")
            return
        }
        let session = try FixtureSession(contentsOf: scenario.sessionURL)
        let lines: [String]
        do {
            lines = try Self.replay(adapter, session)
        } catch {
            Issue.record("\(scenario.name): \(error)")
            return
        }
        if fm.fileExists(atPath: scenario.knownIssueURL.path) {
            // Output is withheld until the bug is fixed; the replay above must still not fail.
            let reason = scenario.knownIssueSummary
            withKnownIssue("expected.ndjson withheld (KNOWN-ISSUE.md)") {
                Issue.record("\(scenario.name): expected.ndjson withheld — \(reason)")
            }
            return
        }
        let exists = fm.fileExists(atPath: scenario.expectedURL.path)
        if Self.recordMode == "all" || (Self.recordMode == "1" && !exists) {
            try (lines.joined(separator: "\n") + "\n").write(to: scenario.expectedURL, atomically: true, encoding: .utf8)
            return
        }
        guard exists else {
            Issue.record("\(scenario.name): expected.ndjson is missing (record with MARKETMUX_RECORD_FIXTURES=1, then review it)")
            return
        }
        let expected = try String(contentsOf: scenario.expectedURL, encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        if let difference = Self.firstDifference(expected: expected, actual: lines) {
            Issue.record("\(scenario.name): \(difference)")
        }
    }

    static func replay<A: VenueAdapter>(_ type: A.Type, _ session: FixtureSession) throws -> [String] {
        var replayer = FixtureReplayer<A>()
        try replayer.replay(session)
        return replayer.lines
    }

    /// `nil` when equal, else the first differing line (1-based) of both sides.
    static func firstDifference(expected: [String], actual: [String]) -> String? {
        for i in 0 ..< max(expected.count, actual.count) {
            let e = i < expected.count ? expected[i] : "<end of file>"
            let a = i < actual.count ? actual[i] : "<end of output>"
            if e != a {
                return "first difference at line \(i + 1) of \(expected.count) expected / \(actual.count) produced\n"
                    + "  expected: \(e)\n  produced: \(a)"
            }
        }
        return nil
    }
}
