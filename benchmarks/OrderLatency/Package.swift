// swift-tools-version:6.0
import PackageDescription

// The order latency benchmark (`orderlatency`, issue #6): local socket → venue wire latency of an
// order with an empty queue. A client writes `order.place` on the Unix socket; the time until the
// order's WebSocket frame reaches the venue side is measured at a loopback TCP tap placed in
// front of the simulated venue (both clocks are CLOCK_REALTIME in one process). Its own package
// so the root's `swift build`/`swift test` never see it; it builds the root package by path:
//
//   swift build -c release --package-path benchmarks/OrderLatency --scratch-path benchmarks/OrderLatency/.build
//   benchmarks/OrderLatency/.build/release/orderlatency --samples 5000      # from the repository root
let package = Package(
    name: "OrderLatency",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "MarketMux", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "orderlatency",
            dependencies: [
                .product(name: "Fanout", package: "MarketMux"),
                .product(name: "OrderGateway", package: "MarketMux"),
                .product(name: "Orders", package: "MarketMux"),
                .product(name: "Replay", package: "MarketMux"),
                .product(name: "Venues", package: "MarketMux"),
                .product(name: "VenueKit", package: "MarketMux"),
                .product(name: "MarketModel", package: "MarketMux"),
                .product(name: "Transport", package: "MarketMux"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v5]
)
