// swift-tools-version:6.0
import PackageDescription

// The idle-session benchmark (`sessionbench`): opens N concurrent wss:// + permessage-deflate
// WebSocket connections (the project's own Transport client, one shared TLS context) to a
// simulated venue running in a separate `marketmux simulate` process, then reports this process's
// RSS per idle session and its CPU use while idle. Its own package so the root's build never sees
// it; build and run it with the command in benchmarks/RESULTS.md ("1,000 idle TLS + deflate sessions"):
//
//   swift build -c release --package-path benchmarks/SessionBenchmark --scratch-path .build-sessionbench
let package = Package(
    name: "SessionBenchmark",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "MarketMux", path: "../.."),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "sessionbench",
            dependencies: [
                .product(name: "Transport", package: "MarketMux"),
                .product(name: "WebSocketWire", package: "MarketMux"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ]
)
