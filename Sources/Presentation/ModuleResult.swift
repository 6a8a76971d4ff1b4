import CurriculumKit
import Runtime

/// What the end of an attempt says: the verdict, why (a critical choice, when that is the
/// reason), what to review, what is left, and where to go next.
public struct ModuleResult: Sendable {
    /// A section to review.
    public struct Review: Sendable, Equatable {
        /// Its number, from 1.
        public var number: Int
        /// Its title.
        public var title: String
    }

    /// Whether it passed.
    public var passed: Bool
    /// "passed" or "not yet".
    public var headline: String
    /// "Your score: 91%. The pass mark is 80%."
    public var scoreLine: String
    /// Why it is "not yet" when the score alone would pass, or nil.
    public var reasonLine: String?
    /// The critical choices, one sentence each.
    public var critical: [String]
    /// "Review these sections, then try again:" (or without "then try again" when none is left).
    public var reviewLabel: String
    /// The sections holding what was missed.
    public var review: [Review]
    /// "You have 2 attempts left." or what to do when none is left; nil for a pass or unlimited attempts.
    public var attemptsLine: String?
    /// After a pass: the next module to take, if any.
    public var nextModule: (id: String, title: String)?

    /// The result of `outcome` in `module`, with the learner's progress after it.
    public init(_ outcome: ModuleOutcome, module: Module, progress: CourseProgress, curriculum: Curriculum) {
        passed = outcome.passed
        headline = outcome.passed ? "passed" : "not yet"
        scoreLine = "Your score: \(outcome.score.percent)%. The pass mark is \(outcome.passMark)%."
        critical = outcome.criticalReasons.map(\.summary)
        if !outcome.passed, !outcome.criticalReasons.isEmpty {
            reasonLine = outcome.score.percent >= outcome.passMark
                ? "Your score is above the pass mark, but an important choice means this attempt doesn't pass yet:"
                : "One choice also needs another look, because it matters for someone's safety:"
        }
        let left = progress.modules.first { $0.moduleID == module.id }?.attemptsLeft
        review = outcome.sectionsToReview.compactMap { id in
            module.sections.firstIndex { $0.id == id }.map { Review(number: $0 + 1, title: module.sections[$0].title) }
        }
        reviewLabel = left == 0 ? "These sections hold what to look at again:" : "Review these sections, then try again:"
        if !outcome.passed, let left {
            attemptsLine = left == 0
                ? "You've used every attempt at this module. Your coordinator can help with what's next."
                : "You have \(left) attempt\(left == 1 ? "" : "s") left."
        }
        if outcome.passed {
            let order = curriculum.modules
            let start = (order.firstIndex { $0.id == module.id } ?? -1) + 1
            let after = order[start...] + order[..<max(0, start - 1)]
            if let next = after.first(where: { candidate in
                progress.modules.first { $0.moduleID == candidate.id }?.state != .passed
            }) {
                nextModule = (next.id, next.title)
            }
        }
    }
}
