// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "zisync",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "zisync", targets: ["zisync"])
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", from: "2.5.2"),
    ],
    targets: [
        // Records, change log, HLC, merge, authorization, file store, digests. No network.
        .target(
            name: "ZISyncCore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            resources: [.copy("Resources/seed")]
        ),
        // Wire and file formats (bundles). No SQL, no sockets.
        .target(
            name: "ZISyncProtocol",
            dependencies: ["ZISyncCore"]
        ),
        // The command-line interface: one command per file.
        .executableTarget(
            name: "zisync",
            dependencies: [
                "ZISyncCore",
                "ZISyncProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Benchmark driver used by bench/*.sh (not a test).
        .executableTarget(
            name: "zisync-bench",
            dependencies: ["ZISyncCore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "Sources/zisync-bench"
        ),
        .testTarget(
            name: "ZISyncCoreTests",
            dependencies: [
                "ZISyncCore",
                "ZISyncProtocol",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ZISyncCLITests",
            dependencies: [
                "zisync", "ZISyncCore", "ZISyncProtocol", .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
    ]
)
