import CurriculumKit
import Foundation

/// A learner's progress through one module.
public struct ModuleProgress: Sendable, Equatable {
    /// Where the learner stands with the module.
    public enum State: String, Sendable, Equatable, Codable {
        /// No attempt yet.
        case notStarted = "not started"
        /// An attempt is open and none has passed.
        case inProgress = "in progress"
        /// An attempt passed.
        case passed
        /// Attempts finished, none passed yet, none open.
        case notYetPassed = "not yet passed"
    }

    /// The module.
    public var moduleID: String
    /// Its title.
    public var title: String
    /// Where the learner stands.
    public var state: State
    /// Finished attempts (superseded ones don't count).
    public var attemptsUsed: Int
    /// Attempts left, `nil` when unlimited.
    public var attemptsLeft: Int?
    /// The best finished score.
    public var bestScore: Score?
    /// Whether an attempt is open.
    public var hasOpenAttempt: Bool
    /// Whether it counts as passed because a coordinator marked it complete by exception.
    public var completeByException: Bool = false
}

/// A learner's progress through the course, by the course's completion rules.
public struct CourseProgress: Sendable, Equatable {
    /// Every module, in course order.
    public var modules: [ModuleProgress]
    /// The ids of the modules completion needs.
    public var requiredModules: [String]
    /// Facilitated group sessions completion needs.
    public var attendanceRequired: Int
    /// The group sessions the learner attended.
    public var attendance: [Attendance] = []

    /// How many group sessions the learner attended.
    public var sessionsAttended: Int { Set(attendance.map(\.sessionID)).count }

    /// Whether attendance meets the course's rule.
    public var attendanceComplete: Bool { sessionsAttended >= attendanceRequired }

    /// The ids of the practical skills completion needs signed off.
    public var practicalsRequired: [String] = []
    /// The learner's practical sign-offs.
    public var signOffs: [PracticalSignOff] = []

    /// The learner's sign-off for a practical, if they have one.
    public func signOff(_ practicalID: String) -> PracticalSignOff? {
        signOffs.first { $0.practicalID == practicalID }
    }

    /// The required practicals not signed off yet.
    public var practicalsMissing: [String] {
        let done = Set(signOffs.map(\.practicalID))
        return practicalsRequired.filter { !done.contains($0) }
    }

    /// Whether every required practical is signed off.
    public var practicalsComplete: Bool { practicalsMissing.isEmpty }

    /// Whether the learner has met the course's completion rule (modules, attendance and
    /// practical sign-offs).
    public var isComplete: Bool { modulesComplete && attendanceComplete && practicalsComplete }

    /// How many required modules are passed.
    public var requiredPassed: Int {
        modules.filter { requiredModules.contains($0.moduleID) && $0.state == .passed }.count
    }

    /// Whether every required module is passed.
    public var modulesComplete: Bool { requiredPassed == requiredModules.count }
}

/// The course runtime every runner shares: registering and finding learners, starting and
/// resuming attempts, scoring answers with the evaluator and recording them, and judging
/// attempts and progress by the course's rules. Runners only present what it returns.
public struct Coursework: Sendable {
    /// The compiled course.
    public let curriculum: Curriculum
    /// Where records go.
    public let store: any RecordStore
    /// Digests resume codes with the installation's key.
    public let hasher: ResumeCodeHasher
    private let now: @Sendable () -> Date
    private let newSeed: @Sendable () -> UInt64

    /// Creates a runtime over a course and a store.
    public init(curriculum: Curriculum, store: any RecordStore, hasher: ResumeCodeHasher,
                now: @escaping @Sendable () -> Date = { Date() },
                newSeed: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) }) {
        self.curriculum = curriculum
        self.store = store
        self.hasher = hasher
        self.now = now
        self.newSeed = newSeed
    }

    // MARK: Learners

    /// Registers a learner under a display name and returns them with their new resume code.
    public func register(displayName: String) async throws -> (learner: Learner, code: ResumeCode) {
        let name = try DisplayName.validated(displayName)
        let learner = Learner(id: Self.randomID(), displayName: name, createdAt: now())
        // A fresh code colliding with a stored one is astronomically rare; try again if it does.
        for _ in 0..<5 {
            let code = ResumeCode.generate()
            do {
                try await store.createLearner(learner, codeDigest: hasher.digest(code))
                return (learner, code)
            } catch let error as RecordsError where error.kind == .duplicate {
                continue
            }
        }
        throw RecordsError(.storage, "couldn't make a new resume code", hint: "try again")
    }

    /// The learner with this resume code.
    public func learner(resumeCode text: String) async throws -> Learner {
        try await store.learner(resumeCode: text, hasher: hasher)
    }

    /// Gives a learner a new resume code: the old one stops working and their signed-in
    /// devices are signed out. Nil when there is no such learner.
    public func replaceResumeCode(learnerID: String) async throws -> ResumeCode? {
        for _ in 0..<5 {
            let code = ResumeCode.generate()
            do {
                return try await store.replaceResumeCode(learnerID: learnerID, codeDigest: hasher.digest(code)) ? code : nil
            } catch let error as RecordsError where error.kind == .duplicate {
                continue
            }
        }
        throw RecordsError(.storage, "couldn't make a new resume code", hint: "try again")
    }

    /// The learner with this id, or nil when there is none (any more).
    public func learner(id: String) async throws -> Learner? {
        try await store.learner(id: id)
    }

    // MARK: Progress

    /// The learner's progress through every module, by the course's rules (and any
    /// coordinator's adjustments).
    public func progress(of learner: Learner) async throws -> CourseProgress {
        let attempts = try await store.attempts(learnerID: learner.id, moduleID: nil)
        let adjustments = try await store.adjustments(learnerID: learner.id)
        let renewal = try await renewalWindowStart(learnerID: learner.id)
        let modules = curriculum.modules.map { module in
            let own = attempts.filter { $0.moduleID == module.id }
            return Self.progress(of: module, summary: ModuleSummary(moduleID: module.id, attempts: own),
                                 adjustments: adjustments.filter { $0.moduleID == module.id },
                                 attemptsCounted: countedAttempts(module, own, renewalStart: renewal))
        }
        return CourseProgress(modules: modules, requiredModules: requiredModules,
                              attendanceRequired: curriculum.settings.completion.attendance,
                              attendance: try await store.attendance(learnerID: learner.id),
                              practicalsRequired: curriculum.requiredPracticals.map(\.id),
                              signOffs: try await store.signOffs(learnerID: learner.id))
    }

    /// The ids of the modules completion needs.
    public var requiredModules: [String] {
        curriculum.settings.completion.modules ?? curriculum.modules.map(\.id)
    }

    /// The modules a certificate renewal needs: `certificate.renew-with`, else every required module.
    public var renewalModules: [String] {
        let listed = curriculum.settings.certificate?.renewWith ?? []
        return listed.isEmpty ? requiredModules : listed
    }

    /// How long before a certificate expires its holder may renew it.
    public static let renewalWindow: TimeInterval = 90 * 86_400

    /// When the learner's renewal window opened: 90 days before their newest unrevoked
    /// certificate expires (and on after it expired). Nil when they hold none, or it isn't due yet.
    public func renewalWindowStart(learnerID: String) async throws -> Date? {
        renewalWindowStart(certificates: try await store.certificates(learnerID: learnerID))
    }

    /// When the renewal window of the newest held certificate among these began, if it has.
    func renewalWindowStart(certificates: [CertificateRecord]) -> Date? {
        let held = certificates.filter { $0.revokedAt == nil }
        guard let newest = held.max(by: { ($0.issuedAt ?? .distantPast) < ($1.issuedAt ?? .distantPast) }),
              let until = newest.validUntil else { return nil }
        let start = until.addingTimeInterval(-Self.renewalWindow)
        return now() >= start ? start : nil
    }

    /// The finished attempts that count against a module's limit: during a renewal window,
    /// only a refresher module's attempts begun in it.
    private func countedAttempts(_ module: Module, _ attempts: [AttemptRecord], renewalStart: Date?) -> Int {
        var finished = attempts.filter { $0.status == .finished }
        if let renewalStart, renewalModules.contains(module.id) {
            finished = finished.filter { $0.startedAt >= renewalStart }
        }
        return finished.count
    }

    /// A module's progress from its attempts' summary and a coordinator's adjustments:
    /// extra attempts raise the limit, and "complete by exception" counts as passed.
    static func progress(of module: Module, summary: ModuleSummary, adjustments: [ModuleAdjustment],
                         attemptsCounted: Int? = nil) -> ModuleProgress {
        let excused = adjustments.contains { $0.kind == .completeByException }
        let extra = adjustments.filter { $0.kind == .extraAttempt }.count
        let state: ModuleProgress.State
        if summary.passed || excused { state = .passed }
        else if summary.hasOpenAttempt { state = .inProgress }
        else if summary.attemptsFinished > 0 { state = .notYetPassed }
        else { state = .notStarted }
        let counted = max(0, (attemptsCounted ?? summary.attemptsFinished) - extra)
        return ModuleProgress(
            moduleID: module.id, title: module.title, state: state, attemptsUsed: summary.attemptsFinished,
            attemptsLeft: AttemptPolicy.attemptsLeft(module, previous: counted),
            bestScore: summary.bestScore.map { Score(percent: Int(($0 * 100).rounded())) },
            hasOpenAttempt: summary.hasOpenAttempt, completeByException: excused && !summary.passed)
    }

    // MARK: Attempts

    /// The learner's open attempt at the module, or a new one when none is open.
    ///
    /// An open attempt made on different content (the module was edited since) is closed
    /// as superseded and a new one begins. Fails with `.noAttemptsLeft` when the module's
    /// attempts are used up.
    public func attempt(_ moduleID: String, for learner: Learner) async throws -> AttemptState {
        try await attempt(try module(moduleID), learnerID: learner.id)
    }

    private func attempt(_ module: Module, learnerID: String) async throws -> AttemptState {
        var restarted = false
        for _ in 0..<3 {
            let attempts = try await store.attempts(learnerID: learnerID, moduleID: module.id)
            if let open = attempts.first(where: { $0.status == .open }) {
                if open.moduleHash == module.hash {
                    var state = AttemptState(module: module, attempt: open, responses: try await store.responses(attemptID: open.id))
                    state.restartedAfterContentChange = restarted
                    if state.isComplete { return try await finishLeftOpen(state) }
                    return state
                }
                try await closeIfOpen(open.id, result: nil)
                restarted = true
                continue
            }
            let used = attempts.filter { $0.status == .finished }.count
            let extra = try await store.adjustments(learnerID: learnerID)
                .filter { $0.moduleID == module.id && $0.kind == .extraAttempt }.count
            let counted = countedAttempts(module, attempts, renewalStart: try await renewalWindowStart(learnerID: learnerID))
            guard AttemptPolicy.mayStartAttempt(module, previous: max(0, counted - extra)) else {
                throw RecordsError(.noAttemptsLeft, "you've used all \(used) attempts at “\(module.title)”",
                                   hint: "talk to your coordinator about another try")
            }
            do {
                let record = try await store.startAttempt(learnerID: learnerID, moduleID: module.id, seed: newSeed(),
                                                          moduleHash: module.hash, at: now())
                var state = AttemptState(module: module, attempt: record, responses: [])
                state.restartedAfterContentChange = restarted
                return state
            } catch let error as RecordsError where error.kind == .attemptAlreadyOpen {
                continue  // another device opened one at the same moment: pick it up
            }
        }
        throw RecordsError(.storage, "couldn't open an attempt at “\(module.title)”", hint: "try again")
    }

    /// The result of recording one answer.
    public struct AnswerResult: Sendable {
        /// The score, critical verdict and feedback for this answer.
        public var evaluation: Evaluation
        /// For a scenario step: the path so far (ending reached or next step).
        public var scenario: ScenarioResult?
        /// The attempt after this answer.
        public var state: AttemptState
        /// When this was the last item: how the attempt went.
        public var outcome: ModuleOutcome?
    }

    /// Scores `response` (in the module's letters) for the item the attempt is at, records
    /// it, and when it was the last item finishes the attempt. Returns only after the answer
    /// is stored durably.
    public func answer(_ response: Response, in state: AttemptState) async throws -> AnswerResult {
        guard let next = state.next else {
            throw RecordsError(.attemptClosed, "every question in this attempt is already answered",
                               hint: "open the module again to see how it went")
        }
        let evaluation = try Evaluator.evaluate(response, for: next.presented.question).get()
        var step: String?
        if case let .scenarioStep(_, current, _, _) = next { step = current.slug }
        let record = ResponseRecord(attemptID: state.attempt.id, itemID: next.item.id, step: step,
                                    sequence: state.responses.count + 1, response: response,
                                    score: evaluation.score, isCritical: evaluation.isCritical, answeredAt: now())
        let after = AttemptState(module: state.module, attempt: state.attempt, responses: state.responses + [record])
        var scenarioResult: ScenarioResult?
        if case let .scenarioStep(scenario, _, _, _) = next {
            scenarioResult = try? Evaluator.evaluate(path: after.path(in: scenario.id), in: scenario).get()
        }
        var outcome: ModuleOutcome?
        var finishing: AttemptResult?
        if after.isComplete {
            let judged = Self.outcome(of: after)
            outcome = judged
            finishing = AttemptResult(score: judged.score, passed: judged.passed)
        }
        let stored = try await store.record(record, finishing: finishing)
        let final = AttemptState(module: state.module, attempt: state.attempt, responses: state.responses + [stored])
        return AnswerResult(evaluation: evaluation, scenario: scenarioResult, state: final, outcome: outcome)
    }

    /// Finishes an attempt with nothing to answer (a module of lessons only): passed once read.
    public func finishReading(_ state: AttemptState) async throws -> ModuleOutcome? {
        guard state.items.isEmpty else { return nil }
        let outcome = Self.outcome(of: state)
        try await closeIfOpen(state.attempt.id, result: AttemptResult(score: outcome.score, passed: outcome.passed))
        return outcome
    }

    /// How a fully answered attempt went, from its stored answers, by the module's rules.
    public static func outcome(of state: AttemptState) -> ModuleOutcome {
        if state.items.isEmpty {
            // A module of lessons only: nothing to score, passed once read.
            return ModuleOutcome(score: .full, passMark: state.module.pass, passed: true,
                                 criticalReasons: [], reasons: [], sectionsToReview: [])
        }
        var evaluations: [Evaluation] = []
        var scenarios: [ScenarioResult] = []
        for item in state.items {
            switch item {
            case let .question(id, _):
                guard let question = state.module.question(id: id),
                      let response = state.responses.first(where: { $0.itemID == id })?.response,
                      case let .success(evaluation) = Evaluator.evaluate(response, for: question) else { continue }
                evaluations.append(evaluation)
            case let .scenario(id, _):
                guard let scenario = state.module.scenarios.first(where: { $0.id == id }),
                      case let .success(result) = Evaluator.evaluate(path: state.path(in: id), in: scenario) else { continue }
                scenarios.append(result)
            }
        }
        return AttemptPolicy.outcome(for: state.module, evaluations: evaluations, scenarios: scenarios)
    }

    /// What a page about one module shows, read in one go.
    public struct ModuleView: Sendable {
        /// The learner.
        public var learner: Learner
        /// The module.
        public var module: Module
        /// The learner's progress in it.
        public var progress: ModuleProgress
        /// The open attempt on the current content, if any.
        public var open: AttemptState?
    }

    /// The learner (by id), their progress in the module and its open attempt; nil when the
    /// learner no longer exists. Never starts or closes anything.
    public func moduleView(_ moduleID: String, learnerID: String) async throws -> ModuleView? {
        let module = try module(moduleID)
        guard let records = try await store.moduleRecords(learnerID: learnerID, moduleID: module.id) else { return nil }
        var open: AttemptState?
        if let attempt = records.attempts.first(where: { $0.status == .open }), attempt.moduleHash == module.hash {
            open = AttemptState(module: module, attempt: attempt, responses: records.openResponses)
        }
        // One read: the module's adjustments and the certificates come with the attempts.
        let adjustments = records.adjustments.filter { $0.moduleID == module.id }
        let counted = countedAttempts(module, records.attempts, renewalStart: renewalWindowStart(certificates: records.certificates))
        return ModuleView(learner: records.learner, module: module,
                          progress: Self.progress(of: module, summary: ModuleSummary(moduleID: module.id, attempts: records.attempts),
                                                  adjustments: adjustments, attemptsCounted: counted),
                          open: open)
    }

    /// The learner's open attempt at the module, if there is one on the current content.
    /// Unlike ``attempt(_:for:)`` this never starts or closes anything (for pages that only show).
    public func openAttempt(_ moduleID: String, for learner: Learner) async throws -> AttemptState? {
        try await moduleView(moduleID, learnerID: learner.id)?.open
    }

    /// The last answer the learner gave in a module, with its feedback: what a runner shows
    /// right after an answer, and again if the page is reloaded.
    public struct AnswerReview: Sendable {
        /// The attempt as it stands after the answer.
        public var state: AttemptState
        /// The answer as recorded.
        public var response: ResponseRecord
        /// The question it answered.
        public var question: Question
        /// Score, critical verdict and feedback.
        public var evaluation: Evaluation
        /// For a scenario step: the scenario and the path so far.
        public var scenario: (story: Scenario, result: ScenarioResult)?
        /// Whether the attempt is finished.
        public var attemptFinished: Bool { state.attempt.status == .finished || state.isComplete }
    }

    /// The learner's most recent answer in the module's latest attempt, or nil when there is none.
    public func lastAnswer(_ moduleID: String, for learner: Learner) async throws -> AnswerReview? {
        let module = try module(moduleID)
        let attempts = try await store.attempts(learnerID: learner.id, moduleID: module.id)
        guard let latest = attempts.max(by: { $0.number < $1.number }), latest.status != .superseded,
              latest.moduleHash == module.hash else { return nil }
        let responses = try await store.responses(attemptID: latest.id)
        guard let last = responses.last else { return nil }
        let state = AttemptState(module: module, attempt: latest, responses: responses)
        var question = module.question(id: last.itemID)
        var scenario: (Scenario, ScenarioResult)?
        if let story = module.scenarios.first(where: { $0.id == last.itemID }) {
            question = last.step.flatMap { story.step($0) }?.question
            if case let .success(result) = Evaluator.evaluate(path: state.path(in: story.id), in: story) {
                scenario = (story, result)
            }
        }
        guard let question, case let .success(evaluation) = Evaluator.evaluate(last.response, for: question) else { return nil }
        return AnswerReview(state: state, response: last, question: question, evaluation: evaluation, scenario: scenario)
    }

    /// The outcome of the learner's latest finished attempt at a module.
    public func latestOutcome(_ moduleID: String, for learner: Learner) async throws -> (AttemptRecord, ModuleOutcome)? {
        let module = try module(moduleID)
        let attempts = try await store.attempts(learnerID: learner.id, moduleID: module.id)
        guard let last = attempts.last(where: { $0.status == .finished }), last.moduleHash == module.hash else { return nil }
        let state = AttemptState(module: module, attempt: last, responses: try await store.responses(attemptID: last.id))
        return (last, Self.outcome(of: state))
    }

    // MARK: Helpers

    private func module(_ id: String) throws -> Module {
        guard let module = curriculum.module(id: id) else {
            let known = curriculum.modules.map(\.id).joined(separator: ", ")
            throw RecordsError(.unknownItem, "this course has no module '\(id)'", hint: "the modules are: \(known)")
        }
        return module
    }

    /// An attempt whose last answer was stored but whose result wasn't (the process stopped
    /// between the two): judge and close it now, then open the next one.
    private func finishLeftOpen(_ state: AttemptState) async throws -> AttemptState {
        let outcome = Self.outcome(of: state)
        try await closeIfOpen(state.attempt.id, result: AttemptResult(score: outcome.score, passed: outcome.passed))
        return try await attempt(state.module, learnerID: state.attempt.learnerID)
    }

    /// Closes an attempt; one another device closed first is fine.
    private func closeIfOpen(_ attemptID: Int64, result: AttemptResult?) async throws {
        do {
            try await store.close(attemptID: attemptID, result: result, at: now())
        } catch let error as RecordsError where error.kind == .attemptClosed {
            return
        }
    }

    static func randomID() -> String {
        Hex.random(bytes: 16)
    }
}
