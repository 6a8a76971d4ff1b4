import Foundation

/// A learner's records found by their resume code: what `groundwork learner export` and
/// `delete` use, and the only way either reaches the store.
public struct LearnerRecords: Sendable {
    private let store: any LearnerStore
    private let hasher: ResumeCodeHasher

    /// Creates access over a store and the installation's resume-code key.
    public init(store: any LearnerStore, hasher: ResumeCodeHasher) {
        self.store = store
        self.hasher = hasher
    }

    /// The learner with this resume code, as typed; fails with `.malformedCode` or `.unknownCode`.
    public func learner(resumeCode text: String) async throws -> Learner {
        try await store.learner(resumeCode: text, hasher: hasher)
    }

    /// Everything stored about the learner with this resume code.
    public func export(resumeCode text: String) async throws -> LearnerExport {
        let learner = try await learner(resumeCode: text)
        guard let export = try await store.export(learnerID: learner.id) else {
            throw RecordsError(.unknownCode, "no learner has this resume code", hint: "check the four words")
        }
        return export
    }

    /// Removes the learner with this resume code and every trace of them; returns who it was.
    public func delete(resumeCode text: String) async throws -> Learner {
        let learner = try await learner(resumeCode: text)
        _ = try await store.deleteLearner(id: learner.id)
        return learner
    }

    /// Removes the learner with this id and every trace of them (a coordinator's removal);
    /// returns who it was, or nil when there was nobody.
    public func delete(learnerID: String) async throws -> Learner? {
        guard let learner = try await store.learner(id: learnerID) else { return nil }
        _ = try await store.deleteLearner(id: learner.id)
        return learner
    }
}
