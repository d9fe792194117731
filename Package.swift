// swift-tools-version:6.1
import PackageDescription

/// Strict settings for every koki target (see ../shared/STYLE.md): existential `any` spelled out.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "koki",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "koki", targets: ["koki"]),
        .library(name: "KokiDomain", targets: ["KokiDomain"]),
        .library(name: "KokiEvents", targets: ["KokiEvents"]),
        .library(name: "KokiProjections", targets: ["KokiProjections"]),
        .library(name: "LedgerStore", targets: ["LedgerStore"]),
        .library(name: "LedgerStorePostgres", targets: ["LedgerStorePostgres"]),
        .library(name: "LedgerStores", targets: ["LedgerStores"]),
        .library(name: "KokiInterchange", targets: ["KokiInterchange"]),
        .library(name: "KokiReadModels", targets: ["KokiReadModels"]),
        .library(name: "KokiNotices", targets: ["KokiNotices"]),
        .library(name: "KokiApp", targets: ["KokiApp"]),
        .library(name: "KokiSimulation", targets: ["KokiSimulation"]),
        .library(name: "KokiServer", targets: ["KokiServer"]),
        .library(name: "KokiCLI", targets: ["KokiCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // Notices rendered to HTML from templates kept as files.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        // The same ledger on PostgreSQL, for a server shared by many offices.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        // `koki serve`: the commands over HTTP for many offices.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // LZ4 from the system (`apt-get install liblz4-dev`).
        .systemLibrary(
            name: "CLZ4",
            path: "Sources/CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // glibc's <malloc.h>, for `malloc_trim` (called through the C calling convention, not
        // declared by hand). Imported on Linux only.
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // The pure core: no SQLite, LZ4, crypto or CLI below this line.
        .target(name: "KokiDomain", path: "Sources/KokiDomain", swiftSettings: strict),
        .target(name: "KokiEvents", dependencies: ["KokiDomain"], path: "Events", swiftSettings: strict),
        .target(
            name: "KokiProjections",
            dependencies: ["KokiDomain", "KokiEvents"],
            path: "Projections",
            swiftSettings: strict
        ),
        // The generic append-only store: envelopes and bytes, never premiums.
        .target(
            name: "LedgerStore",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                "CLZ4",
            ],
            swiftSettings: strict
        ),
        // The generic store on PostgreSQL: the same envelopes, positions and hash chain.
        .target(
            name: "LedgerStorePostgres",
            dependencies: [
                "LedgerStore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // Every store, opened by where it is (a file's path or a postgres:// address), as its ports.
        .target(name: "LedgerStores", dependencies: ["LedgerStore", "LedgerStorePostgres"], swiftSettings: strict),
        // Bank-transfer (全銀), convenience-store and pension files: parse and format, pure.
        .target(name: "KokiInterchange", dependencies: ["KokiDomain"], swiftSettings: strict),
        // The read models kept beside the events (the balances), through the store's ports.
        .target(
            name: "KokiReadModels",
            dependencies: [
                "KokiDomain", "KokiEvents", "KokiProjections", "LedgerStore",
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: strict
        ),
        // The documents a city mails: their print records, templates and print files. Pure: built
        // from values, never from the ledger.
        .target(
            name: "KokiNotices",
            dependencies: [
                "KokiDomain", "KokiEvents", .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            resources: [.copy("Templates")],
            swiftSettings: strict
        ),
        .target(
            name: "KokiApp",
            dependencies: [
                // The stores through their ports only: no SQLite or PostgreSQL client here.
                "KokiDomain", "KokiEvents", "KokiProjections", "LedgerStore", "KokiInterchange",
                .product(name: "Crypto", package: "swift-crypto"),
                // scrypt, the memory-hard password hash.
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                "KokiReadModels", "KokiNotices",
            ],
            swiftSettings: strict
        ),
        // The simulated city (the main job) and the demonstration job: a batch client of the
        // application core, the only one allowed its services directly (`@_spi(Batch)`).
        .target(
            name: "KokiSimulation",
            dependencies: ["KokiApp", "KokiDomain", "KokiEvents", "KokiProjections", "LedgerStore"],
            swiftSettings: strict
        ),
        // `koki serve`: the core's typed requests over HTTP; it knows no command line.
        .target(
            name: "KokiServer",
            dependencies: [
                "KokiApp", "KokiEvents", "KokiNotices", "LedgerStores", .product(name: "Hummingbird", package: "hummingbird"),
            ],
            resources: [.copy("openapi.yaml")],
            swiftSettings: strict
        ),
        .target(
            name: "KokiCLI",
            dependencies: [
                "KokiApp", "KokiSimulation", "KokiServer", "LedgerStores",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .target(name: "CMalloc", condition: .when(platforms: [.linux])),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "koki", dependencies: ["KokiCLI"], swiftSettings: strict),

        // Helpers shared by the test targets (seeded randomness, temporary folders).
        .target(name: "KokiTestSupport", path: "Tests/KokiTestSupport", swiftSettings: strict),
        .testTarget(name: "KokiDomainTests", dependencies: ["KokiDomain", "KokiTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "KokiEventsTests",
            dependencies: ["KokiEvents", "KokiProjections", "KokiTestSupport"],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LedgerStoreTests",
            dependencies: [
                "LedgerStore", "LedgerStorePostgres", "KokiTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KokiInterchangeTests", dependencies: ["KokiInterchange", "KokiTestSupport"],
            exclude: ["Golden"], swiftSettings: strict),
        .testTarget(
            name: "KokiAppTests",
            dependencies: [
                "KokiApp", "KokiReadModels", "KokiNotices", "KokiSimulation", "KokiTestSupport", "LedgerStorePostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            exclude: ["Fixtures", "Golden"],
            swiftSettings: strict),
        .testTarget(
            name: "KokiServerTests",
            dependencies: [
                "KokiServer", "KokiApp", "KokiTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "KokiCLITests",
            dependencies: [
                "KokiCLI", "KokiApp", "koki", "KokiTestSupport", "LedgerStorePostgres",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
    ]
)
