import Foundation
import CurriculumKit
import Runtime

// Typed values for the learner pages, one struct per template, with the same names the
// templates use. A misspelt name on the Swift side doesn't compile; TemplateKeyTests checks
// every name a template uses against the stored properties declared here and in
// GroupViews.swift.

/// The learner named in the header.
struct LearnerName: Sendable { let displayName: String }

/// What every learner page has: the course, its language, the form token and the learner.
struct Chrome: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
}

/// The start page (signed out): the course's welcome, the start and resume forms.
struct WelcomePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var welcomeHTML: String
    var startError: String?
    var resumeError: String?
    var name: String?
    var code: String?
    var cohortKey: String?
    var cohortName: String?
}

/// The new learner's resume code, shown once.
struct CodePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var displayName: String
    var code: String
    var spokenCode: String
}

/// The course page: every module with its state.
struct CoursePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var progressSummary: String
    var completionNote: String?
    var attendanceNote: String?
    var practicalNote: String?
    var modules: [ModuleRow]
    var certificate: CertificateOfferView?
    var joinedCohort: String?
}

/// A module on the course page.
struct ModuleRow: Sendable {
    var id: String
    var title: String
    var stateText: String
    var stateClass: String
    var attemptsNote: String?
    var minutes: Int?
}

/// A module's own page.
struct ModulePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var moduleID: String
    var moduleTitle: String
    var facts: String
    var stateText: String?
    var stateClass: String?
    var attemptsNote: String?
    var hasResult = false
    var objectives: [String]
    var hasObjectives: Bool
    var introductionHTML: String
    var sections: [SectionLink]
    var canContinue = false
    var continueURL: String?
    var nextNumber: Int?
    var itemCount: Int?
    var noAttemptsLeft = false
    var readURL: String?
    var canStart = false
    var startLabel: String?
    var sources: [SourceRow]
    var sourcesCount: Bool
}

/// A link to a section (on the module page) or to a lesson to review (on the result page).
struct SectionLink: Sendable {
    var moduleID: String
    var number: Int
    var title: String
}

/// A source the module cites.
struct SourceRow: Sendable {
    var title: String
    var url: String?
}

/// A section: its lesson, and the question due here or the way on.
struct SectionPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var moduleID: String
    var moduleTitle: String
    var number: Int
    var sectionCount: Int
    var sectionTitle: String
    var lessonHTML: String
    var question: QuestionFormView?
    var lessonFolded = false
    var nextURL: String?
    var nextLabel: String?
    var startQuestions = false
    var startLabel: String?
    var startNote: String?
    var practical: PracticalView?
}

/// A practical skill as a learner sees it: a checklist to rehearse, and whether a
/// facilitator has signed them off.
struct PracticalView: Sendable {
    struct Step: Sendable {
        var number: Int
        var html: String
    }

    var title: String
    var ordered: Bool
    var steps: [Step]
    var required: Bool
    var signedOffNote: String?

    init(_ practical: Practical, signOff: PracticalSignOff?, required: Bool) {
        title = practical.title
        ordered = practical.ordered
        steps = practical.steps.enumerated().map { Step(number: $0.offset + 1, html: $0.element.html) }
        self.required = required
        signedOffNote = signOff.map { "Signed off on \(CertificateRoutes.longDay($0.signedAt)) by \($0.signerName)." }
    }
}

/// One question as a form.
struct QuestionFormView: Sendable {
    var itemID: String
    var title: String
    var promptHTML: String
    var counter: String
    var step: String
    var instructions: String?
    var error: String?
    var scenarioTitle: String?
    var narrativeHTML: String?
    var single: ChoicesView?
    var select: ChoicesView?
    var ordering: ChoicesView?
    var matching: ChoicesView?
    var short: ChoicesView?
}

/// The options of a question form, and what was typed for a short answer.
struct ChoicesView: Sendable {
    var options: [OptionField]
    var typed: String
}

/// One option in a question form.
struct OptionField: Sendable {
    var letter: String
    var html: String
    var checked: Bool
    var positions: [FormValue]?
    var targets: [FormValue]?
}

/// A value in a drop-down of a question form.
struct FormValue: Sendable {
    var value: Int
    var text: String?
    var selected: Bool
}

/// What the learner's answer was worth, and why.
struct FeedbackPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var moduleID: String
    var moduleTitle: String
    var questionTitle: String
    var verdict: String
    var verdictSymbol: String
    var verdictClass: String
    var critical: [FeedbackNote]
    var chosen: [FeedbackNote]
    var missed: [FeedbackNote]
    var yourAnswer: [String]
    var hasYourAnswer: Bool
    var yourAnswerLabel: String
    var rightAnswer: [String]
    var rightAnswerCount: Bool
    var rightAnswerLabel: String
    var explanationHTML: String
    var ending: EndingView?
    var nextURL: String?
    var nextLabel: String?
}

/// A note under the verdict: a critical reason, or an option's feedback.
struct FeedbackNote: Sendable {
    var summary: String?
    var text: String?
    var feedbackHTML: String
}

/// A scenario's ending.
struct EndingView: Sendable {
    var percent: Int
    var title: String
    var narrativeHTML: String?
}

/// A module's result.
struct ResultPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var moduleID: String
    var moduleTitle: String
    var passed: Bool
    var headline: String
    var scoreLine: String
    var reasonLine: String?
    var progressSummary: String
    var critical: [String]
    var criticalCount: Bool
    var reviewLabel: String
    var review: [SectionLink]
    var reviewCount: Bool
    var attemptsNote: String?
    var canTryAgain: Bool
    var nextModule: NextModule?
}

/// The next module to take.
struct NextModule: Sendable {
    var id: String
    var title: String
}

/// A friendly error page (learner or staff).
struct ErrorPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var learner: LearnerName?
    var staff: StaffName?
    var heading: String
    var message: String
    var linkURL: String
    var linkLabel: String
}

// MARK: The staff area

/// The staff sign-in page.
struct StaffSignInPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var error: String?
    var name: String?
}

/// The second step of signing in: the authenticator code.
struct StaffCodePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var error: String?
}

/// Choosing a password from a one-time link.
struct StaffPasswordPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var expired: Bool
    var memberName: String?
    var token: String?
    var error: String?
}

/// The staff home page, by role.
struct StaffHomePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var rolesText: String
    var isCoordinator: Bool
    var isFacilitator: Bool
    var twoStepOn: Bool
    var mustSetUpTwoStep: Bool
}

/// People and roles (coordinators).
struct StaffPeoplePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var people: [PersonRow]
    var link: InviteLink?
    var error: String?
    var inviteName: String?
}

/// A staff member in the list.
struct PersonRow: Sendable {
    var id: String
    var name: String
    var isSelf: Bool
    var rolesText: String
    var statusText: String
}

/// A sign-in link just made, to send to its person.
struct InviteLink: Sendable {
    var name: String
    var url: String
}

/// The audit log (coordinators).
struct StaffAuditPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var entries: [AuditRow]
}

/// One line of the audit log.
struct AuditRow: Sendable {
    var when: String
    var actor: String
    var action: String
    var detail: String
}

/// Two-step sign-in: set it up, or turn it off.
struct StaffTwoStepPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName?
    var error: String?
    var enabled = false
    var required = false
    var setup: TwoStepSetup?
}

/// What an authenticator app needs.
struct TwoStepSetup: Sendable {
    var secret: String
    var url: String
    var secretGroups: String
}
