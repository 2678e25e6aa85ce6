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
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
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
            dependencies: [
                "ZISyncCore",
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // libcurl, reached only through the transport's HTTP client.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // HTTPS: the libcurl client, the mutual-TLS server, the deployment's certificates.
        .target(
            name: "ZISyncTransport",
            dependencies: [
                "ZISyncProtocol", "CCurl",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The node: configuration, sync rounds with the parent, serving children.
        .target(
            name: "ZISyncNode",
            dependencies: [
                "ZISyncTransport",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The command-line interface: one command per file.
        .executableTarget(
            name: "zisync",
            dependencies: [
                "ZISyncCore",
                "ZISyncProtocol",
                "ZISyncNode",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // A TCP fault proxy (cuts, stalls, slow links) for the tests and benchmarks.
        .target(name: "ZISyncFaultProxy"),
        // Benchmark driver used by bench/*.sh (not a test).
        .executableTarget(
            name: "zisync-bench",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncNode", "ZISyncFaultProxy",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
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
                "zisync", "ZISyncCore", "ZISyncProtocol", "ZISyncTransport", "ZISyncNode", "ZISyncFaultProxy",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
    ]
)
