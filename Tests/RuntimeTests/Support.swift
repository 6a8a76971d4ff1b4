import CurriculumKit
import Foundation
@testable import Runtime
@testable import SQLiteStore

/// Fixture paths and throwaway data folders.
enum Fixtures {
    static func path(_ name: String) -> String {
        Bundle.module.bundleURL.appendingPathComponent("Fixtures").appendingPathComponent(name).path
    }

    /// The practice course, compiled.
    static func course() throws -> Curriculum {
        let result = CurriculumCompiler.compile(path: path("course"))
        guard let curriculum = result.curriculum else {
            throw RecordsError(.storage, "fixture course doesn't compile: \(result.diagnostics.map(\.description))")
        }
        return curriculum
    }
}

/// A fresh temporary folder, removed when the value is dropped by the test.
struct TemporaryFolder {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory
            .appendingPathComponent("groundwork-records-\(UUID().uuidString)").path
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// A coursework over the fixture course in a new data folder, with a fixed clock and seeds.
func makeCoursework(_ folder: TemporaryFolder, curriculum: Curriculum? = nil, seed: UInt64 = 42) throws -> Coursework {
    let (store, hasher) = try DataFolder(path: folder.path).open()
    let course = try curriculum ?? Fixtures.course()
    let counter = SeedCounter(start: seed)
    return Coursework(curriculum: course, store: store, hasher: hasher,
                      now: { Date(timeIntervalSince1970: 1_800_000_000) }, newSeed: { counter.next() })
}

final class SeedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: UInt64
    init(start: UInt64) { value = start }
    func next() -> UInt64 { lock.withLock { value += 1; return value } }
}

extension AttemptState {
    /// The module's own answer key for the item the attempt is at (full marks).
    func rightAnswer() -> Response? {
        next?.presented.question.answerKey
    }
}
