import Foundation

/// The reference row: Foundation's `JSONDecoder` on the same Binance `aggTrade` frames, into the
/// `Decodable` structs a Foundation-based client would write (prices and sizes left as `String`,
/// so this is JSON decoding only — no decimal parsing, normalization or encoding: strictly less
/// work than the MarketMux rows).
enum FoundationReference {
    struct CombinedStream: Decodable {
        let stream: String
        let data: AggTrade
    }

    struct AggTrade: Decodable {
        let e: String
        let E: Int64
        let s: String
        let a: Int64
        let p: String
        let q: String
        let f: Int64
        let l: Int64
        let T: Int64
        let m: Bool
        let M: Bool
    }

    /// Runs `runs` timed passes of `perRun` decodes over `frames`.
    static func run(frames: [String], runs: Int, perRun: Int) throws -> Summary {
        let datas = frames.map { Data($0.utf8) }
        let decoder = JSONDecoder()
        var sink = 0
        for d in datas { sink &+= Int(try decoder.decode(CombinedStream.self, from: d).data.a) }  // check + warm-up
        var measurements: [Measurement] = []
        for _ in 0 ..< runs {
            measurements.append(try measure {
                var done = 0
                while done < perRun {
                    for d in datas {
                        if done == perRun { break }
                        let trade = try decoder.decode(CombinedStream.self, from: d)
                        sink &+= Int(trade.data.T & 1)
                        done += 1
                    }
                }
                return done
            })
        }
        if sink == 42 { print("") }  // keep the results alive
        return Summary(runs: measurements)
    }
}
