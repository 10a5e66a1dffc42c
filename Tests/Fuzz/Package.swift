// swift-tools-version:6.0
import PackageDescription

// libFuzzer target for WebSocketWire (frame decoder, inflater, handshake parser, UTF-8 validator).
// Its own package so the root package's `swift build` / `swift test` never see it; build it with
// Tests/Fuzz/run.sh (or the commands in docs/fuzzing.md): it needs `-sanitize=fuzzer`, which
// supplies `main`, so a plain `swift build` here would fail to link.
let package = Package(
    name: "Fuzz",
    dependencies: [
        .package(name: "MarketMux", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "FuzzWebSocketWire",
            dependencies: [.product(name: "WebSocketWire", package: "MarketMux")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
