import CurriculumKit
import Runtime

/// How a module stands for a learner, in words every runner shows the same way.
public struct ModuleStatus: Sendable, Equatable {
    /// The kind of state, for styling (never the only way the state is told: `label` says it).
    public enum Tone: String, Sendable {
        case notStarted = "not-started"
        case inProgress = "in-progress"
        case passed
        case notYetPassed = "not-yet-passed"
    }

    /// "Not started", "In progress", "Passed (92%)", "Not yet passed (best 70%)".
    public var label: String
    /// The state's kind.
    public var tone: Tone
    /// "2 attempts left" or "No attempts left", once an attempt has been used and the module
    /// isn't passed; nil otherwise (nobody needs a countdown during their first attempt).
    public var attemptsNote: String?

    /// The status of `progress`.
    public init(_ progress: ModuleProgress) {
        switch progress.state {
        case .notStarted:
            label = "Not started"
            tone = .notStarted
        case .inProgress:
            label = "In progress"
            tone = .inProgress
        case .passed:
            label = "Passed" + (progress.bestScore.map { " (\($0.percent)%)" } ?? "")
            tone = .passed
        case .notYetPassed:
            label = "Not yet passed" + (progress.bestScore.map { " (best \($0.percent)%)" } ?? "")
            tone = .notYetPassed
        }
        if progress.state != .passed, progress.attemptsUsed > 0, let left = progress.attemptsLeft {
            attemptsNote = left == 0 ? "No attempts left" : "\(left) attempt\(left == 1 ? "" : "s") left"
        }
    }
}

/// The course's progress in one sentence, and what completion still asks for.
public enum CourseSummary {
    /// "3 of 7 required modules passed."
    public static func modules(_ progress: CourseProgress) -> String {
        "\(progress.requiredPassed) of \(progress.requiredModules.count) required modules passed."
    }

    /// What else completion needs once the modules are passed; nil while modules remain.
    public static func remaining(_ progress: CourseProgress) -> String? {
        guard progress.modulesComplete else { return nil }
        var asks: [String] = []
        if !progress.attendanceComplete {
            let left = progress.attendanceRequired - progress.sessionsAttended
            asks.append("\(left) \(progress.sessionsAttended > 0 ? "more " : "")group session\(left == 1 ? "" : "s") with a facilitator")
        }
        let unsigned = progress.practicalsMissing.count
        if unsigned > 0 {
            asks.append(unsigned == 1 ? "a practical skill signed off by a facilitator" : "\(unsigned) practical skills signed off by a facilitator")
        }
        guard asks.isEmpty else { return "The course also asks for " + asks.joined(separator: " and ") + "." }
        if !progress.practicalsRequired.isEmpty { return "You've completed the course: every required module, group session and practical skill." }
        guard progress.attendanceRequired > 0 else { return "You've completed the course's modules." }
        return "You've completed the course: every required module and group session."
    }

    /// The practical skills completion needs, in one sentence ("Practical skills signed off:
    /// 0 of 1."); nil when it needs none. `titles` names them by id.
    public static func practicals(_ progress: CourseProgress, titles: [String: String]) -> String? {
        guard !progress.practicalsRequired.isEmpty else { return nil }
        let signed = progress.practicalsRequired.count - progress.practicalsMissing.count
        let waiting = progress.practicalsMissing.compactMap { titles[$0] }
        return "Practical skills signed off: \(signed) of \(progress.practicalsRequired.count)."
            + (waiting.isEmpty ? "" : " Still to do with a facilitator: " + waiting.joined(separator: ", ") + ".")
    }

    /// The learner's group sessions in one sentence; nil when the course asks for none and
    /// they attended none.
    public static func attendance(_ progress: CourseProgress) -> String? {
        let attended = progress.sessionsAttended
        guard progress.attendanceRequired > 0 || attended > 0 else { return nil }
        let sessions = "\(attended) group session\(attended == 1 ? "" : "s") attended"
        guard progress.attendanceRequired > 0 else { return sessions + "." }
        return sessions + " of \(progress.attendanceRequired) the course asks for."
    }
}
