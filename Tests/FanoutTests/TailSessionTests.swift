@testable import Fanout
import Testing

@Suite("TailSession: the tail client's line handling")
struct TailSessionTests {
    static func step(_ session: inout TailSession, _ line: String) -> TailSession.Step {
        var copy = line
        return copy.withUTF8 { session.receive(UnsafeRawBufferPointer($0)) }
    }

    @Test("ack, events printed as is, final reason")
    func flow() {
        var session = TailSession(filter: SubscriptionFilter(venue: "binance", channel: "*", symbol: "*"))
        #expect(String(decoding: session.subscribeLine, as: UTF8.self)
            == #"{"op":"subscribe","id":"tail","venue":"binance","channel":"*","symbol":"*"}"# + "\n")
        #expect(Self.step(&session, #"{"type":"ack","id":"tail"}"#) == .subscribed)
        #expect(Self.step(&session, #"{"type":"trade","venue":"binance","seq":1}"#) == .print)
        #expect(Self.step(&session, #"{"type":"error","code":"line_too_long","message":"too long"}"#) == .warn("too long"))
        #expect(Self.step(&session, #"{"type":"status","venue":"*","state":"disconnected","reason":"server shutting down","seq":2}"#) == .print)
        #expect(session.endMessage == "the server ended the stream: server shutting down")
    }

    @Test("a refused subscription fails")
    func refused() {
        var session = TailSession(filter: .everything)
        let step = Self.step(&session, #"{"type":"error","id":"tail","code":"unknown_venue","message":"unknown venue 'x'; this instance serves binance"}"#)
        #expect(step == .fail("unknown venue 'x'; this instance serves binance"))
        #expect(session.endMessage == "the server closed the connection before answering the subscription")
    }
}
