import CurriculumKit
import Foundation
import Runtime
import SQLiteStore

/// The fixture course: two modules, a certificate valid 12 months, renewed with `practice` (2 attempts).
func fixtureCourse() throws -> Curriculum {
    let path = Bundle.module.bundleURL.appendingPathComponent("Fixtures").appendingPathComponent("course").path
    let result = CurriculumCompiler.compile(path: path)
    guard let curriculum = result.curriculum else {
        throw RecordsError(.storage, "fixture course doesn't compile: \(result.diagnostics.map(\.description))")
    }
    return curriculum
}

/// A clock the test moves.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ start: Date = Date(timeIntervalSince1970: 1_800_000_000)) { value = start }
    var now: Date { lock.withLock { value } }
    func advance(days: Double) { lock.withLock { value = value.addingTimeInterval(days * 86_400) } }
    func set(_ date: Date) { lock.withLock { value = date } }
}

/// A course runtime, staff accounts and a coordinator over a store in memory, all on one clock.
struct Site {
    let clock = TestClock()
    let store: SQLiteStore
    let coursework: Coursework
    let accounts: StaffAccounts
    let coordinator: StaffMember

    init() async throws {
        store = try SQLiteStore()
        let clock = self.clock
        coursework = Coursework(curriculum: try fixtureCourse(), store: store, hasher: ResumeCodeHasher(key: Array(repeating: 7, count: 32)),
                                now: { clock.now })
        accounts = StaffAccounts(store: store, bcryptCost: 4, now: { clock.now })
        coordinator = try await accounts.add(name: "Cora", roles: [.coordinator], by: .commandLine).member
    }

    /// Passes a module with the answer key, from a fresh attempt.
    func pass(_ moduleID: String, _ learner: Learner) async throws {
        var state = try await coursework.attempt(moduleID, for: learner)
        while let response = state.rightAnswer() {
            state = try await coursework.answer(response, in: state).state
        }
    }

    /// A learner who has passed every module of the course.
    func completedLearner(_ name: String = "Robin") async throws -> Learner {
        let learner = try await coursework.register(displayName: name).learner
        for module in coursework.curriculum.modules { try await pass(module.id, learner) }
        return learner
    }
}

extension AttemptState {
    /// The module's own answer key for the item the attempt is at.
    func rightAnswer() -> Response? {
        next?.presented.question.answerKey
    }
}
