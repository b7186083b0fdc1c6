// swift-tools-version: 6.0
// libFuzzer targets for every reader of PeerGrid's inputs (make fuzz). A package of its own: its executables have
// no main (libFuzzer provides it), so they build only with -sanitize=fuzzer, never in the main package's build.
import PackageDescription

let readers = ["FuzzCommunity", "FuzzTimeSeries", "FuzzMPS", "FuzzLP", "FuzzModelFile", "FuzzBids", "FuzzLedger"]

let package = Package(
    name: "PeerGridFuzz",
    dependencies: [.package(name: "PeerGrid", path: "..")],
    targets: [.target(name: "FuzzDriver")] + readers.map { name in
        .executableTarget(name: name, dependencies: ["FuzzDriver",
            .product(name: "Optimize", package: "PeerGrid"), .product(name: "Forecast", package: "PeerGrid"),
            .product(name: "LinearProgramming", package: "PeerGrid"), .product(name: "Market", package: "PeerGrid"),
            .product(name: "DataIO", package: "PeerGrid"), .product(name: "Ledger", package: "PeerGrid"),
        ], path: "Sources/\(name)")
    },
    swiftLanguageModes: [.v6]
)
