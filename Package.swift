// swift-tools-version:6.0
import PackageDescription

// Dependencies are few on purpose (cold builds on 2 cores): NIO for sockets, ArgumentParser for the CLI.
// TLS is the system OpenSSL and deflate is the system zlib, both as system-library targets.
// The receive path keeps its buffers in final classes owned by one event loop; dynamic exclusivity
// checks on those fields cost ~15% of a deflate stream's CPU (measured with perf), and the code
// never overlaps accesses, so release builds of the hot-path targets turn the runtime check off.
let hotPathSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "MarketMux",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "marketmux", targets: ["marketmux"]),
        .library(name: "WebSocketWire", targets: ["WebSocketWire"]),
        .library(name: "Transport", targets: ["Transport"]),
        .library(name: "MarketModel", targets: ["MarketModel"]),
        .library(name: "VenueKit", targets: ["VenueKit"]),
        .library(name: "Venues", targets: ["Venues"]),
        .library(name: "Books", targets: ["Books"]),
        .library(name: "FeedPipeline", targets: ["FeedPipeline"]),
        .library(name: "Orders", targets: ["Orders"]),
        // For benchmarks/NATSBenchmark.
        .library(name: "NATS", targets: ["NATS"]),
        // For benchmarks/FanoutBenchmark (a separate package that needs the socket and the pool).
        .library(name: "Fanout", targets: ["Fanout"]),
        .library(name: "SessionPool", targets: ["SessionPool"]),
        // For benchmarks/OrderLatency (the order gateway against the simulated venue).
        .library(name: "OrderGateway", targets: ["OrderGateway"]),
        .library(name: "Replay", targets: ["Replay"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", providers: [.apt(["zlib1g-dev"])]),

        .target(name: "MarketModel", swiftSettings: hotPathSettings),
        .target(name: "WebSocketWire", dependencies: ["CZlib"], swiftSettings: hotPathSettings),
        .target(name: "Transport", dependencies: [
            "WebSocketWire", "COpenSSL",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: hotPathSettings),
        // CRC-32 by carry-less multiplication (PCLMULQDQ, checked at run time) for the book checksums.
        .target(name: "CCRC32", path: "Sources/CCRC32"),
        .target(name: "VenueKit", dependencies: ["MarketModel", "COpenSSL", "CCRC32"], swiftSettings: hotPathSettings),
        .target(name: "Venues", dependencies: ["VenueKit", "MarketModel"], path: "venues", swiftSettings: hotPathSettings),
        .target(name: "Books", dependencies: ["MarketModel", "VenueKit"], swiftSettings: hotPathSettings),
        .target(name: "Sessions", dependencies: ["MarketModel", "VenueKit"]),
        .target(name: "FeedPipeline", dependencies: ["MarketModel", "VenueKit", "Books"]),
        .target(name: "SessionPool", dependencies: [
            "Sessions", "FeedPipeline", "Transport", "WebSocketWire", "VenueKit", "MarketModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .target(name: "Replay", dependencies: [
            "WebSocketWire", "COpenSSL", "CZlib", "VenueKit",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Local subscriber socket: NDJSON protocol, filters, bounded per-subscriber queues (docs/protocol.md).
        .target(name: "Fanout", dependencies: [
            "MarketModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Order multiplexer core: validation, lanes, GCRA throttles, TTL, stale guard, ledger, reconciliation (docs/orders.md).
        .target(name: "Orders", dependencies: ["MarketModel", "VenueKit"]),
        // Its I/O shell: one authenticated order connection per venue, the local socket's order handler.
        .target(name: "OrderGateway", dependencies: [
            "Orders", "Fanout", "Sessions", "Transport", "WebSocketWire", "VenueKit", "Venues", "MarketModel", "NATS",
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        // The operator's config file (SPEC §3): YAML through Yams' node API, so errors name file, line and key.
        .target(name: "Configuration", dependencies: [
            "MarketModel", "VenueKit", "Venues", "NATS",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Operator endpoints: a small HTTP/1.1 server (/metrics, /status, /), Prometheus text, log handler.
        .target(name: "Operations", dependencies: [
            "MarketModel", "SessionPool", "Sessions", "Fanout", "NATS",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // NATS client on our event loop (INFO/CONNECT/PUB/HPUB/SUB/MSG, reconnect, bounded buffer) and the feed publisher (docs/scaling.md).
        .target(name: "NATS", dependencies: [
            "MarketModel", "Sessions", "Transport", "COpenSSL", "VenueKit",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ], swiftSettings: hotPathSettings),
        .executableTarget(name: "marketmux", dependencies: [
            "WebSocketWire", "Transport", "Venues", "Books", "FeedPipeline", "MarketModel", "VenueKit", "Replay", "Fanout",
            "SessionPool", "Sessions", "Orders", "OrderGateway", "Configuration", "Operations", "NATS",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),

        .testTarget(name: "WebSocketWireTests", dependencies: ["WebSocketWire"]),
        .testTarget(name: "TransportTests", dependencies: [
            "Transport", "WebSocketWire", "COpenSSL",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ], resources: [.copy("Certificates")]),
        .testTarget(name: "MarketModelTests", dependencies: ["MarketModel"]),
        .testTarget(name: "OrdersTests", dependencies: ["Orders", "MarketModel", "VenueKit"]),
        // Against real nats-server subprocesses on loopback (single node, restart, 3-node cluster, TLS, nkey, JetStream),
        // plus order intake into a real gateway and sharding across two instances.
        .testTarget(name: "NATSTests", dependencies: [
            "NATS", "MarketModel", "Sessions", "OrderGateway", "Orders", "Fanout", "Replay", "Venues", "VenueKit",
            "Configuration", "SessionPool",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // The order path over loopback: socket client → gateway → each venue's router → simulated venue.
        .testTarget(name: "OrderGatewayTests", dependencies: [
            "OrderGateway", "Orders", "Fanout", "Replay", "Venues", "VenueKit", "Sessions", "Transport", "MarketModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ]),
        .testTarget(name: "VenueKitTests", dependencies: ["VenueKit", "MarketModel", "CCRC32"]),
        .testTarget(name: "BooksTests", dependencies: ["Books", "MarketModel", "VenueKit"]),
        .testTarget(name: "SessionsTests", dependencies: ["Sessions", "MarketModel", "VenueKit"]),
        .testTarget(name: "SessionPoolTests", dependencies: [
            "SessionPool", "Sessions", "Replay", "Venues", "VenueKit", "MarketModel", "Transport",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        .testTarget(name: "VenuesTests", dependencies: ["Venues", "VenueKit", "Books", "MarketModel"]),
        // Replays fixtures/ (found from #filePath, so no resources are copied).
        .testTarget(name: "FeedPipelineTests", dependencies: ["FeedPipeline", "Venues", "VenueKit", "Books", "MarketModel"]),
        // Loopback tests of the simulated venue; fixtures/ and the TLS test certificates are found from #filePath.
        .testTarget(name: "ReplayTests", dependencies: [
            "Replay", "WebSocketWire", "Transport", "VenueKit",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // Sans-IO core tests plus end-to-end tests over Unix sockets in a private temporary directory.
        .testTarget(name: "FanoutTests", dependencies: [
            "Fanout", "MarketModel",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
        // The example config and every error kind with its exact file:line: key message; secrets.
        .testTarget(name: "ConfigurationTests", dependencies: [
            "Configuration", "MarketModel", "VenueKit", "NATS",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // HTTP parser, router, Prometheus text, /status JSON, log redaction, the real server over
        // loopback, and a real pool against the simulated venue (fixtures/ found from #filePath).
        .testTarget(name: "OperationsTests", dependencies: [
            "Operations", "Configuration", "SessionPool", "Sessions", "Fanout", "MarketModel", "Replay", "Venues", "NATS",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
        ]),
    ]
)
