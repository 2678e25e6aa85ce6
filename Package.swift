// swift-tools-version: 6.1
import Foundation
import PackageDescription

// Layers, each importing only what it declares here (docs/architecture.md):
// Core ← Protocol ← Store ← Engine ← Node ← zisync; Transport (libcurl, TLS) beside them, used by Node.
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
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", from: "0.9.20"),
        .package(url: "https://github.com/drmohundro/SWXMLHash.git", from: "8.1.1"),
        .package(url: "https://github.com/vapor/multipart-kit.git", from: "4.7.1"),
    ],
    targets: [
        // The model and its rules, no I/O: records and their schema, the change and the canonical
        // encoding its hash covers, HLC, merge, authorization, scope, the shipped reference data.
        .target(
            name: "ZISyncCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CSV", package: "CSV.swift"),
            ],
            resources: [.copy("Resources/seed"), .copy("Resources/portalrb")]
        ),
        // The wire protocol: the one change decoder, typed push/pull/report/file messages, routes,
        // headers and limits, the bundle file format. No SQL, no sockets.
        .target(
            name: "ZISyncProtocol",
            dependencies: [
                "ZISyncCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The LKE scored (PermenPANRB 90/2021): values, indicators, areas, readiness for WBK/WBBM,
        // where the points are. Pure: no I/O.
        .target(name: "ZISyncScoring", dependencies: ["ZISyncCore"]),
        // Who wrote a change: an office's signing key (its certificate's) and the deployment CA
        // as judge of certificates and signatures. No SQL, no sockets.
        .target(
            name: "ZISyncAuthenticity",
            dependencies: [
                "ZISyncCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // A node's local state in SQLite (GRDB) and its file store: the change log, the
        // materialized records, the sync ledger, the audit queries, the one apply path, and the
        // domain operations on them (plans, evidence, reviews, monev, the roll-up).
        .target(
            name: "ZISyncStore",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncAuthenticity", "ZISyncScoring",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The sync engine: a round written once against a parent link, the parent's service
        // code, the in-process link, bundle export and import. No HTTP.
        .target(
            name: "ZISyncEngine",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        // libcurl, reached only through the transport's HTTP client.
        .systemLibrary(
            name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // HTTPS, all of it: the libcurl client, the mutual-TLS and web servers, the deployment's
        // certificates, and the parent link over them (`ParentLink/`: the round's `HTTPSLink` with
        // curl's failures explained, the parent's routes and HTTP answers around `ParentEndpoint`).
        // Knows nothing of zisync's records: it carries the engine's typed messages.
        .target(
            name: "ZISyncTransport",
            dependencies: [
                "CCurl", "ZISyncCore", "ZISyncAuthenticity", "ZISyncProtocol", "ZISyncEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The LKE as the Excel workbook people use (issue 24): the regulation's layout with live
        // formulas, and filled workbooks read back; the container through ZIPFoundation, the XML
        // through SWXMLHash.
        .target(
            name: "ZISyncWorkbook",
            dependencies: [
                "ZISyncCore", "ZISyncScoring", "ZISyncStore",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
                .product(name: "SWXMLHash", package: "SWXMLHash"),
            ]
        ),
        // Halaman kerja ZI: the office's web app for its people (local accounts and sessions, pages in
        // Bahasa Indonesia rendered from templates, chunked uploads of bukti dukung). A router and
        // what it needs from the node, given to it; no sockets of its own.
        .target(
            name: "ZISyncWeb",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore", "ZISyncScoring", "ZISyncWorkbook",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "MultipartKit", package: "multipart-kit"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            resources: [.copy("Resources/templates"), .copy("Resources/static")]
        ),
        // The node: configuration, the HTTPS parent link, the routes that serve children, the
        // daemon (loop, control socket, reload, metrics, logs, systemd notify), operator status.
        // KPU RI's answers to KemenPANRB's PortalRB: its three GET routes behind bearer tokens, a
        // rate limit and a log. A router only; the node serves it.
        .target(
            name: "ZISyncPortalRB",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .target(
            name: "ZISyncNode",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore", "ZISyncEngine", "ZISyncTransport",
                "ZISyncAuthenticity", "ZISyncWeb", "ZISyncPortalRB",
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // The command-line interface: one command per file.
        .executableTarget(
            name: "zisync",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore", "ZISyncEngine", "ZISyncTransport", "ZISyncNode",
                "ZISyncScoring", "ZISyncWeb", "ZISyncWorkbook",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A TCP fault proxy (cuts, stalls, slow links) for the tests and benchmarks.
        .target(name: "ZISyncFaultProxy"),
        // What tests and benchmarks share: one process runner (with time limits and peak memory),
        // one config-file editor, one seeded random generator, temporary node homes.
        .target(
            name: "ZISyncTestSupport",
            dependencies: ["ZISyncCore", "ZISyncProtocol", "ZISyncStore"],
            path: "Tests/Support"
        ),
        // setns and TUNSETIFF for the bench's packet-level link (bench/weaklink.sh, root only).
        .target(name: "CPacketLink", path: "Sources/CPacketLink"),
        // Benchmark driver used by bench/*.sh (not a test).
        .executableTarget(
            name: "zisync-bench",
            dependencies: [
                "CPacketLink",
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore", "ZISyncEngine", "ZISyncFaultProxy",
                "ZISyncTestSupport", "ZISyncAuthenticity", "ZISyncScoring", "ZISyncTransport", "ZISyncWorkbook",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "Sources/zisync-bench"
        ),
        .testTarget(
            name: "ZISyncCoreTests",
            dependencies: ["ZISyncCore"],
            // PortalRB's master of LKE questions, to check the shipped mapping against.
            resources: [.copy("Resources/portalrb-master-soal-2026.json")]
        ),
        .testTarget(
            name: "ZISyncScoringTests",
            dependencies: ["ZISyncCore", "ZISyncScoring"]
        ),
        .testTarget(
            name: "ZISyncProtocolTests",
            dependencies: ["ZISyncCore", "ZISyncProtocol"]
        ),
        .testTarget(
            name: "ZISyncStoreTests",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore", "ZISyncTestSupport", "ZISyncAuthenticity",
                "ZISyncTransport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "ZISyncEngineTests",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore", "ZISyncEngine", "ZISyncTestSupport",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ZISyncWebTests",
            dependencies: [
                "ZISyncCore", "ZISyncProtocol", "ZISyncStore", "ZISyncWeb", "ZISyncTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "ZISyncTransportTests",
            dependencies: ["ZISyncCore", "ZISyncProtocol", "ZISyncEngine", "ZISyncTransport"]
        ),
        .testTarget(
            name: "ZISyncNodeTests",
            dependencies: ["ZISyncNode", "ZISyncTransport", "ZISyncTestSupport"]
        ),
        .testTarget(
            name: "ZISyncCLITests",
            dependencies: [
                "zisync", "ZISyncCore", "ZISyncProtocol", "ZISyncStore", "ZISyncEngine", "ZISyncTransport",
                "ZISyncNode",
                "ZISyncFaultProxy", "ZISyncTestSupport", "ZISyncAuthenticity",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // Hostile workbooks made by hand (a ZIP bomb, a part outside the archive).
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
    ]
)

// libFuzzer targets (scripts/fuzz.sh), declared only when ZISYNC_FUZZ is set: they have no main
// (libFuzzer brings it), and the sanitizers instrument the root package's targets only, so the
// modules they read through are instrumented too.
if ProcessInfo.processInfo.environment["ZISYNC_FUZZ"] != nil {
    package.targets += [
        // The wire decoder: changes, push and pull bodies, reports, push answers, ranges, tus headers.
        .executableTarget(name: "FuzzWire", dependencies: ["ZISyncCore", "ZISyncProtocol"], path: "Fuzz/FuzzWire"),
        // The bundle reader, behind a valid end marker (so the fuzzer gets past the checksum).
        .executableTarget(name: "FuzzBundle", dependencies: ["ZISyncCore", "ZISyncProtocol"], path: "Fuzz/FuzzBundle"),
        // zisync.toml.
        .executableTarget(name: "FuzzConfig", dependencies: ["ZISyncNode"], path: "Fuzz/FuzzConfig"),
        // The CSV reader and the plan sheet's cells.
        .executableTarget(name: "FuzzSheet", dependencies: ["ZISyncCore"], path: "Fuzz/FuzzSheet"),
        // The workbook reader: the ZIP, its XML and the LKE table (seeds: exported workbooks).
        .executableTarget(
            name: "FuzzWorkbook", dependencies: ["ZISyncCore", "ZISyncScoring", "ZISyncStore", "ZISyncWorkbook"],
            path: "Fuzz/FuzzWorkbook"),
    ]
}
