// swift-tools-version:6.1
import PackageDescription

// koki's benchmarks, kept out of the root package so its build and tests never pull them in.
// Run from this folder: swift package benchmark (see README.md)
let package = Package(
    name: "KokiBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "koki", path: "../"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .executableTarget(
            name: "LedgerBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LedgerStore", package: "koki"),
                .product(name: "LedgerStorePostgres", package: "koki"),
                .product(name: "KokiApp", package: "koki"),
                .product(name: "KokiReadModels", package: "koki"),
                .product(name: "KokiNotices", package: "koki"),
                .product(name: "KokiSimulation", package: "koki"),
                .product(name: "KokiEvents", package: "koki"),
                .product(name: "KokiProjections", package: "koki"),
                .product(name: "KokiDomain", package: "koki"),
                .product(name: "KokiInterchange", package: "koki"),
                // The raw SQLite C API (sqlite3_*), for the plain-SQLite ceiling measured beside koki.
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Benchmarks/LedgerBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
