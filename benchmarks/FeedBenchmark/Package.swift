// swift-tools-version:6.0
import PackageDescription

// The feed benchmark (`feedbench`): per-venue normalized trades/s and 20-level depth updates/s
// (adapter parse → NDJSON encode, adapter parse → BookSet apply), on generated messages in each
// venue's real wire format. Its own package so the root's `swift build`/`swift test` never see
// it; build and run it with the command in benchmarks/FEED.md:
//
//   swift run -c release --package-path benchmarks/FeedBenchmark --scratch-path .build-feedbench feedbench
//
// `CMallocCounter` replaces malloc & co. in this executable (forwarding to glibc's `__libc_*`)
// to count heap allocations per message.
let package = Package(
    name: "FeedBenchmark",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "MarketMux", path: "../.."),
    ],
    targets: [
        .target(name: "CMallocCounter"),
        .executableTarget(
            name: "feedbench",
            dependencies: [
                "CMallocCounter",
                .product(name: "Venues", package: "MarketMux"),
                .product(name: "VenueKit", package: "MarketMux"),
                .product(name: "MarketModel", package: "MarketMux"),
                .product(name: "Books", package: "MarketMux"),
            ]
        ),
    ]
)
