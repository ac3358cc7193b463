// swift-tools-version:6.1
import PackageDescription

// The pipeline, edge to edge: a corpus is read (CorpusIngest), sharded into PostgreSQL
// (TaskStore, Coordinator), rewritten by an LLM (LLMClient), by workers (Workers), driven
// from one executable (treeinstruct). EndpointSimulator is an OpenAI-compatible stand-in
// endpoint for demos, tests and benchmarks. TreeInstructCore is the pure middle: records, trees,
// prompts and validation, with no I/O at all.
let package = Package(
    name: "treeinstruct",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "treeinstruct", targets: ["TreeInstructCLI"]),
        .executable(name: "treeinstruct-bench", targets: ["QueueBench"]),
        .library(name: "TreeInstructCore", targets: ["TreeInstructCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(
            name: "TreeInstructCore",
            dependencies: [.product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "CorpusIngest",
            dependencies: ["TreeInstructCore", "CZlib", "CZstdABI"]
        ),
        // gzip corpora: the system zlib. zstd corpora: libzstd.so.1, loaded at run time (only its
        // two buffer structs are declared at build time, so no -dev package is needed).
        .systemLibrary(name: "CZlib"),
        .systemLibrary(name: "CZstdABI"),
        .target(
            name: "TaskStore",
            dependencies: [
                "TreeInstructCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            plugins: ["EmbedMigrations"]
        ),
        .executableTarget(name: "MigrationEmbedder"),
        .target(name: "EmbeddedPostgres"),
        .target(name: "TestCorpora"),
        .target(
            name: "PostgresTestSupport",
            dependencies: [
                "TaskStore", "EmbeddedPostgres", .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .plugin(name: "EmbedMigrations", capability: .buildTool(), dependencies: ["MigrationEmbedder"]),
        .target(
            name: "LLMClient",
            dependencies: [
                "TreeInstructCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "RateLimiting",
            dependencies: ["TreeInstructCore", .product(name: "Logging", package: "swift-log")]
        ),
        // The ports of the worker core and the rate limiter, implemented by the edges (PostgreSQL
        // for leases and rate budgets, HTTP for chat): the CLI's wiring, a module of its own so
        // tests wire the same way. River's drivers, in its terms.
        .target(
            name: "Wiring",
            dependencies: ["TreeInstructCore", "TaskStore", "LLMClient", "RateLimiting", "Workers"]
        ),
        .target(
            name: "Workers",
            dependencies: [
                "TreeInstructCore", "RateLimiting",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Observability",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "Coordinator",
            dependencies: ["TreeInstructCore", "CorpusIngest", "TaskStore"]
        ),
        .target(
            name: "EndpointSimulator",
            dependencies: [
                "TreeInstructCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            exclude: ["README.md"]
        ),
        .target(
            name: "Viewer",
            dependencies: [
                "TreeInstructCore", "TaskStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "TreeInstructCLI",
            dependencies: [
                "TreeInstructCore", "CorpusIngest", "TaskStore", "Coordinator", "LLMClient", "RateLimiting", "Workers",
                "EmbeddedPostgres", "EndpointSimulator", "Observability", "Wiring", "Viewer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "QueueBench",
            dependencies: [
                "TaskStore", "TreeInstructCore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"), .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(name: "TreeInstructCoreTests", dependencies: ["TreeInstructCore"]),
        .testTarget(name: "CorpusIngestTests", dependencies: ["CorpusIngest", "TreeInstructCore", "EmbeddedPostgres", "TestCorpora"]),
        .testTarget(
            name: "LLMClientTests",
            dependencies: [
                "LLMClient", "TreeInstructCore", "EndpointSimulator", "RateLimiting", "Wiring", "PostgresTestSupport", "TaskStore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "TaskStore", "Coordinator", "CorpusIngest", "EndpointSimulator", "EmbeddedPostgres", "PostgresTestSupport", "TestCorpora",
                "TreeInstructCLI", "TreeInstructCore", "LLMClient",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "ViewerTests",
            dependencies: [
                "Viewer", "TaskStore", "TreeInstructCore", "Coordinator", "CorpusIngest", "PostgresTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "WorkersTests",
            dependencies: [
                "Workers", "TaskStore", "TreeInstructCore", "Wiring", "RateLimiting", "EndpointSimulator", "PostgresTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .testTarget(
            name: "TaskStoreTests",
            dependencies: [
                "TaskStore", "TreeInstructCore", "Coordinator", "CorpusIngest", "EmbeddedPostgres", "PostgresTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]),
        .testTarget(
            name: "EndpointSimulatorTests",
            dependencies: [
                "EndpointSimulator",
                "TreeInstructCore",
                "TestCorpora",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
