import Replay
import Testing

@Suite("SessionPlayer: recorded timing and gates, without a clock")
struct SessionPlayerTests {
    static let ms: UInt64 = 1_000_000

    /// gate at 10; frames at 20, 50; gate at 60 (two sends); frame 100; disconnect 1000 at 150.
    static let segment = ReplaySegment(venue: "v", scenario: "s", conn: 1, url: "wss://x", startT: 0, steps: [
        .frame(ReplayFrame(text: "hello", t: 5)),
        .awaitClient(t: 10, texts: ["sub"]),
        .frame(ReplayFrame(text: "a", t: 20)),
        .frame(ReplayFrame(text: "b", t: 50)),
        .awaitClient(t: 60, texts: ["unsub", "sub2"]),
        .frame(ReplayFrame(text: "c", t: 100)),
        .disconnect(t: 150, code: 1000, reason: "bye"),
    ], rest: [])

    func frames(_ outputs: [SessionPlayer.Output]) -> [String] {
        outputs.compactMap { if case .frame(let frame) = $0 { frame.text } else { nil } }
    }

    @Test("frames fall due at their recorded offsets; a gate waits for the client and re-anchors")
    func realTime() {
        let start: UInt64 = 1_000 * Self.ms
        var player = SessionPlayer(segment: Self.segment, speed: .realTime, startedAt: start)
        var poll = player.poll(now: start)
        #expect(frames(poll.outputs).isEmpty)
        #expect(poll.wakeAt == start + 5 * Self.ms)
        poll = player.poll(now: start + 5 * Self.ms)
        #expect(frames(poll.outputs) == ["hello"])
        #expect(poll.wakeAt == nil, "blocked on the gate")
        #expect(player.isWaitingForClient)
        // The subscribe arrives late (t=40 ms): answers keep their recorded delay after it.
        player.clientDidSend(Array("sub".utf8), at: start + 40 * Self.ms)
        poll = player.poll(now: start + 40 * Self.ms)
        #expect(poll.wakeAt == start + 50 * Self.ms, "frame a (t=20) is 10 ms after the gate (t=10)")
        poll = player.poll(now: start + 80 * Self.ms)
        #expect(frames(poll.outputs) == ["a", "b"])
        #expect(poll.wakeAt == nil)
        #expect(player.framesPlayed == 3)
    }

    @Test("a message that arrives early opens the gate when it falls due, not before")
    func earlyMessage() {
        var player = SessionPlayer(segment: Self.segment, speed: .realTime, startedAt: 0)
        player.clientDidSend(Array("sub".utf8), at: 0)
        var poll = player.poll(now: 0)
        #expect(poll.wakeAt == 5 * Self.ms)
        poll = player.poll(now: 5 * Self.ms)
        #expect(frames(poll.outputs) == ["hello"])
        #expect(poll.wakeAt == 10 * Self.ms, "the gate itself is due at t=10")
        poll = player.poll(now: 10 * Self.ms)
        #expect(poll.wakeAt == 20 * Self.ms)
    }

    @Test("heartbeats never open a gate; a two-send gate absorbs the second message")
    func heartbeatsAndAbsorb() {
        var player = SessionPlayer(segment: Self.segment, speed: .max, startedAt: 0)
        player.clientDidSend(Array("ping".utf8), at: 0)
        player.clientDidSend(Array(#"{"op":"ping"}"#.utf8), at: 0)
        var poll = player.poll(now: 0)
        #expect(frames(poll.outputs) == ["hello"])
        #expect(player.isWaitingForClient)
        player.clientDidSend(Array("sub".utf8), at: 0)
        poll = player.poll(now: 0)
        #expect(frames(poll.outputs) == ["a", "b"])
        player.clientDidSend(Array("unsub".utf8), at: 0)
        player.clientDidSend(Array("sub2".utf8), at: 0)
        poll = player.poll(now: 0)
        #expect(frames(poll.outputs) == ["c"])
        #expect(poll.outputs.last == .disconnect(code: 1000, reason: "bye"))
        #expect(player.isFinished)
        #expect(player.poll(now: 0).outputs.isEmpty, "the end is reported once")
    }

    @Test("speed scales the gaps; max sends everything due at once")
    func speeds() {
        let plain = ReplaySegment(venue: "v", scenario: "s", conn: 1, url: "", startT: 100, steps: [
            .frame(ReplayFrame(text: "x", t: 100)), .frame(ReplayFrame(text: "y", t: 1100)),
        ], rest: [])
        var tenTimes = SessionPlayer(segment: plain, speed: .factor(10), startedAt: 0)
        #expect(frames(tenTimes.poll(now: 0).outputs) == ["x"])
        #expect(tenTimes.poll(now: 0).wakeAt == 100 * Self.ms)
        var fastest = SessionPlayer(segment: plain, speed: .max, startedAt: 0)
        let poll = fastest.poll(now: 0)
        #expect(frames(poll.outputs) == ["x", "y"])
        #expect(poll.outputs.last == .finished)
        #expect(ReplaySpeed(argument: "max") == .max)
        #expect(ReplaySpeed(argument: "2.5") == .factor(2.5))
        #expect(ReplaySpeed(argument: "0") == nil)
        #expect(ReplaySpeed(argument: "fast") == nil)
    }

    @Test("without gates the frames stream from the open")
    func noGates() {
        var player = SessionPlayer(segment: Self.segment, speed: .max, waitsForClient: false, startedAt: 0)
        let poll = player.poll(now: 0)
        #expect(frames(poll.outputs) == ["hello", "a", "b", "c"])
    }
}
