// swift-tools-version:6.0
import PackageDescription

// The fan-out benchmark (`fanoutbench`, issue #5): latency from frame read to subscriber read
// (p50/p99/p999/max) at a paced rate with N subscribers on the Unix socket, and fan-out
// throughput with 100 subscribers. Its own package so the root's `swift build`/`swift test`
// never see it; it builds the root package by path in its own scratch directory:
//
//   swift build -c release --package-path benchmarks/FanoutBenchmark --scratch-path benchmarks/FanoutBenchmark/.build
//   benchmarks/FanoutBenchmark/run.sh          # every leg, several rounds (see benchmarks/RESULTS.md)
let package = Package(
    name: "FanoutBenchmark",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "MarketMux", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .target(name: "CShim"),
        .executableTarget(
            name: "fanoutbench",
            dependencies: [
                "CShim",
                .product(name: "Fanout", package: "MarketMux"),
                .product(name: "SessionPool", package: "MarketMux"),
                .product(name: "Venues", package: "MarketMux"),
                .product(name: "VenueKit", package: "MarketMux"),
                .product(name: "MarketModel", package: "MarketMux"),
                .product(name: "Transport", package: "MarketMux"),
                .product(name: "WebSocketWire", package: "MarketMux"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
        ),
    ],
    swiftLanguageModes: [.v5]
)
