// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "PeerGrid",
    platforms: [.macOS(.v14)],
    // MARK: - Public products
    products: [
        .library(name: "LinearAlgebra", targets: ["LinearAlgebra"]),
        .library(name: "LinearProgramming", targets: ["LinearProgramming"]),
        .library(name: "GLPKSolver", targets: ["GLPKSolver"]),
        .library(name: "CbcSolver", targets: ["CbcSolver"]),
        .library(name: "Forecast", targets: ["Forecast"]),
        .library(name: "DataIO", targets: ["DataIO"]),
        .library(name: "Optimize", targets: ["Optimize"]),
        .library(name: "Agents", targets: ["Agents"]),
        .library(name: "Market", targets: ["Market"]),
        .library(name: "Ledger", targets: ["Ledger"]),
        .library(name: "Control", targets: ["Control"]),
        .library(name: "Anomalies", targets: ["Anomalies"]),
        .library(name: "Reports", targets: ["Reports"]),
        .library(name: "DayAhead", targets: ["DayAhead"]),
        .library(name: "ResultStore", targets: ["ResultStore"]),
        .executable(name: "peergrid", targets: ["PeerGridCLI"]),
        .executable(name: "benchmark", targets: ["BenchmarkTool"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - System libraries (each imported by exactly one Swift target)
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CGLPK", path: "Sources/CGLPK",
                       providers: [.apt(["libglpk-dev"])]),
        .systemLibrary(name: "CCbc", path: "Sources/CCbc", pkgConfig: "cbc",
                       providers: [.apt(["coinor-libcbc-dev"])]),
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),

        // MARK: - Implementation
        .target(name: "DataIO"),
        .target(name: "LinearAlgebra", dependencies: ["CBLAS", "DataIO"]),
        .target(name: "LinearProgramming", dependencies: ["DataIO"]),
        .target(name: "Forecast", dependencies: ["DataIO", "LinearAlgebra"]),
        .target(name: "GLPKSolver", dependencies: ["DataIO", "LinearProgramming", "CGLPK"]),
        // CBC's deadline event handlers: C++ against CBC's headers (its C interface has no way to interrupt a solve).
        .target(name: "CbcDeadline", dependencies: ["CCbc"]),
        .target(name: "CbcSolver", dependencies: ["DataIO", "LinearProgramming", "CCbc", "CbcDeadline"]),
        .target(name: "Optimize", dependencies: ["DataIO", "LinearProgramming", "GLPKSolver", "CbcSolver"]),
        .target(name: "Agents", dependencies: ["DataIO", "LinearProgramming", "GLPKSolver", "CbcSolver", "Optimize", "CMPI"]),
        // Reinforcement-learning energy managers and their optimizer references (one prosumer's battery).
        .target(name: "Control", dependencies: ["DataIO", "LinearAlgebra", "LinearProgramming", "GLPKSolver", "Forecast", "Optimize"]),
        .target(name: "Anomalies", dependencies: ["DataIO", "Forecast"]),
        .target(name: "Market", dependencies: ["DataIO", "LinearProgramming", "Optimize"]),
        .target(name: "Ledger", dependencies: ["DataIO", "Optimize", "Market", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Reports", dependencies: ["DataIO", "LinearProgramming", "Forecast", "Optimize", "Market", "Agents", "Control", "ResultStore"]),
        .target(name: "ResultStore", dependencies: ["DataIO", "Ledger", .product(name: "GRDB", package: "GRDB.swift"),
                                                   .product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(name: "DayAhead", dependencies: [
            "LinearAlgebra", "LinearProgramming", "GLPKSolver", "CbcSolver", "Forecast", "Optimize", "Market", "Reports",
            "ResultStore", "Agents", "Anomalies",
        ]),
        // PeerGrid's exit codes and the error handling of both executables.
        .target(name: "CommandLineExit", dependencies: ["DataIO", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        .executableTarget(name: "PeerGridCLI", dependencies: [
            "CommandLineExit", "DataIO", "LinearAlgebra", "LinearProgramming", "GLPKSolver", "CbcSolver", "Forecast", "Optimize", "Market", "Reports", "DayAhead",
            "ResultStore", "Ledger", "Agents", "Control", "Anomalies", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "BenchmarkTool", dependencies: [
            "CommandLineExit", "DataIO", "LinearAlgebra", "LinearProgramming", "GLPKSolver", "CbcSolver", "Forecast", "Optimize", "Market",
            "Reports", "Ledger", "Agents", "ResultStore", "Control", "Anomalies", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // MARK: - Tests
        .target(name: "TestFixtures", dependencies: ["Optimize", "LinearProgramming", "GLPKSolver"], path: "Tests/TestFixtures"),
        .testTarget(name: "LinearAlgebraTests", dependencies: [
            "LinearAlgebra", .product(name: "Numerics", package: "swift-numerics"),
        ]),
        .testTarget(name: "LinearProgrammingTests", dependencies: ["LinearProgramming"]),
        .testTarget(name: "SolverTests", dependencies: [
            "LinearProgramming", "GLPKSolver", "CbcSolver", "TestFixtures",
            .product(name: "Numerics", package: "swift-numerics"),
        ]),
        .testTarget(name: "ForecastTests", dependencies: ["Forecast", "LinearAlgebra", "DataIO", "TestFixtures"], exclude: ["Fixtures"]),
        .testTarget(name: "OptimizeTests", dependencies: ["Optimize", "LinearProgramming", "DataIO", "TestFixtures"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports", "TestFixtures", "DataIO"]),
        .testTarget(name: "DataIOTests", dependencies: ["DataIO"]),
        .testTarget(name: "MarketTests", dependencies: ["Market", "TestFixtures", "DataIO", "LinearProgramming", "GLPKSolver", "CbcSolver", "Optimize"]),
        .testTarget(name: "DayAheadTests", dependencies: ["DayAhead", "ResultStore", "Forecast", "Optimize", "Reports", "TestFixtures", "Agents", "DataIO", "GLPKSolver"]),
        .testTarget(name: "LedgerTests", dependencies: ["Ledger", "TestFixtures", "ResultStore", "DataIO", "Market"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "AgentsTests", dependencies: ["Agents", "Optimize", "LinearProgramming", "CbcSolver", "DataIO", "TestFixtures"]),
        .testTarget(name: "AnomaliesTests", dependencies: ["Anomalies", "Forecast", "DataIO"]),
        .testTarget(name: "ControlTests", dependencies: ["Control", "Optimize", "Forecast", "DataIO", "TestFixtures"]),
        .testTarget(name: "PeerGridCLITests", dependencies: ["TestFixtures"], resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
