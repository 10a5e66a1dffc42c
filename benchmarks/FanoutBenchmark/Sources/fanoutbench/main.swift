#if canImport(Glibc)
import Glibc
#endif

// fanoutbench <e2e|hub|floor|throughput> [--rate N] [--subscribers N] [--warmup S] [--seconds S]
//             [--same-loop] [--batch N] [--window N] [--open-loop] [--label TEXT] [--readers threads|epoll]
signal(SIGPIPE, SIG_IGN)
var options = Options()
var arguments = CommandLine.arguments.dropFirst()
if let leg = arguments.first, !leg.hasPrefix("-") {
    options.leg = leg
    arguments = arguments.dropFirst()
}
if options.leg == "throughput" { options.subscribers = 100 }
while let flag = arguments.popFirst() {
    func value() -> String {
        guard let v = arguments.popFirst() else { fatalError("\(flag) needs a value") }
        return v
    }
    switch flag {
    case "--rate": options.rate = Double(value())!
    case "--subscribers": options.subscribers = Int(value())!
    case "--warmup": options.warmup = Double(value())!
    case "--seconds": options.seconds = Double(value())!
    case "--same-loop": options.sameLoop = true
    case "--batch": options.batch = Int(value())!
    case "--window": options.window = Int(value())!
    case "--open-loop": options.openLoop = true
    case "--label": options.label = value()
    case "--readers":
        options.readers = value()
        precondition(["threads", "epoll"].contains(options.readers), "--readers threads|epoll")
    default: fatalError("unknown option \(flag)")
    }
}
switch options.leg {
case "e2e": try await runEndToEnd(options)
case "hub": try await runHub(options)
case "floor": try await runFloor(options)
case "throughput": try await runThroughput(options)
default: fatalError("legs: e2e, hub, floor, throughput")
}
exit(0)
