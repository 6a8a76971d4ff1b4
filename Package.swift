// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Groundwork",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "groundwork", targets: ["groundwork"]),
        .library(name: "CurriculumKit", targets: ["CurriculumKit"]),
        .library(name: "Runtime", targets: ["Runtime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.0.0"..<"5.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.0.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.0.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.34.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.0.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.21.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "Ccmark",
            pkgConfig: "libcmark",
            providers: [.apt(["libcmark-dev"])]
        ),
        // QR codes for join slides and certificates (Debian's libqrencode-dev).
        .systemLibrary(
            name: "Cqrencode",
            pkgConfig: "libqrencode",
            providers: [.apt(["libqrencode-dev"])]
        ),
        .target(
            name: "QRCode",
            dependencies: ["Cqrencode"]
        ),
        // GZIP for the certificates' revocation list (Debian's zlib1g-dev).
        .systemLibrary(
            name: "Czlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // Certificates as Open Badges 3.0 credentials, signed as VC-JWTs (RS256, jwt-kit):
        // issuing, renewing, revoking, the status list, and verification.
        .target(
            name: "Credentials",
            dependencies: [
                "CurriculumKit", "Runtime", "Czlib",
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .target(
            name: "CurriculumKit",
            dependencies: [
                "Ccmark",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The runtime: Coursework, staff accounts, sessions, the record types and the store
        // protocols. No SQL, HTTP or terminal here, and no GRDB.
        .target(
            name: "Runtime",
            dependencies: [
                "CurriculumKit",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "HummingbirdOTP", package: "hummingbird-auth"),
            ]
        ),
        // The embedded default store.
        .target(
            name: "SQLiteStore",
            dependencies: [
                "Runtime",
                .product(name: "GRDB", package: "GRDB.swift"),
            ]
        ),
        // The PostgreSQL store, for several servers on one database.
        .target(
            name: "PostgresStore",
            dependencies: [
                "Runtime",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // What a learner is shown (states, verdicts, feedback, results, instructions), decided
        // once for the web and the terminal alike. No HTTP or terminal I/O.
        .target(
            name: "Presentation",
            dependencies: ["CurriculumKit", "Runtime"]
        ),
        // Opens the configured store: the one place that knows every adapter.
        .target(
            name: "Stores",
            dependencies: ["Runtime", "SQLiteStore", "PostgresStore"]
        ),
        .target(
            name: "TrainingServer",
            dependencies: [
                "CurriculumKit",
                "Runtime",
                "Presentation",
                "QRCode",
                "Credentials",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "groundwork",
            dependencies: [
                "CurriculumKit",
                "Runtime",
                "Presentation",
                "Stores",
                "PostgresStore",
                "TrainingServer",
                "Credentials",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "GroundworkBenchmarks",
            dependencies: [
                "CurriculumKit", "Ccmark", "Runtime", "SQLiteStore", "PostgresStore", "Presentation",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            path: "Benchmarks/GroundworkBenchmarks"
        ),
        .testTarget(
            name: "CurriculumKitTests",
            dependencies: [
                "CurriculumKit",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "TrainingServerTests",
            dependencies: [
                "TrainingServer", "Runtime", "SQLiteStore", "Stores", "CurriculumKit",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "RuntimeTests",
            dependencies: ["Runtime", "SQLiteStore", "Stores", "CurriculumKit",
                           .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "CredentialsTests",
            dependencies: ["Credentials", "Runtime", "SQLiteStore", "CurriculumKit",
                           .product(name: "JWTKit", package: "jwt-kit"),
                           .product(name: "CryptoExtras", package: "swift-crypto")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "QRCodeTests",
            dependencies: ["QRCode"]
        ),
        .testTarget(
            name: "PresentationTests",
            dependencies: ["Presentation", "Runtime", "CurriculumKit"],
            resources: [.copy("Fixtures")]
        ),
        // The rules every store must keep, run against each store.
        .testTarget(
            name: "StoreContractTests",
            dependencies: ["Runtime", "SQLiteStore", "PostgresStore", "Stores", "CurriculumKit",
                           .product(name: "GRDB", package: "GRDB.swift")]
        ),
    ]
)
