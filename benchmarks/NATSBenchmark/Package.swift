// swift-tools-version:6.0
import PackageDescription

// The NATS benchmark (`natsbench`, issue #7): events/s published through NATSPublisher to a local
// nats-server (with and without a subscriber draining them), and end-to-end latency from
// publish call to a NATS subscriber's read (p50/p99/p999/max) at paced rates. Its own package so
// the root's `swift build`/`swift test` never see it; it builds the root package by path:
//
//   swift run -c release --package-path benchmarks/NATSBenchmark --scratch-path benchmarks/NATSBenchmark/.build natsbench
//
// natsbench starts its own nats-server on a free loopback port (`--server PATH`, default
// /usr/sbin/nats-server) unless given `--url`.
let package = Package(
    name: "NATSBenchmark",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "MarketMux", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "natsbench",
            dependencies: [
                .product(name: "NATS", package: "MarketMux"),
                .product(name: "MarketModel", package: "MarketMux"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
