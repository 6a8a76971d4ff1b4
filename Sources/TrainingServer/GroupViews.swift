import CurriculumKit
import Foundation
import Presentation
import QRCode
import Runtime

// Typed values for the group-session templates: each page is a struct, so a misspelt name
// on the Swift side doesn't compile, and TemplateKeyTests checks every name each template
// uses against the struct it is rendered with.

/// The staff member named in the header.
struct StaffName: Sendable { let name: String }

/// One slide as the projector and the control view draw it.
struct SlideView: Sendable {
    var heading: String
    var kindLabel: String
    var isJoin = false
    var isTitle = false
    var isDiscuss = false
    var isEnd = false
    var html: String?
    var objectives: [String] = []
    var minutesText: String?
    var narrativeHTML: String?
    var poll: PollView?
}

/// A poll on the projector or the control view.
struct PollView: Sendable {
    var pollKey: String
    var title: String
    var promptHTML: String
    var options: [OptionView]
    var answeredText: String
    var revealed: Bool
    var results: ResultsView?
}

/// An option as listed under a poll.
struct OptionView: Sendable {
    var letter: String
    var html: String
}

/// What a reveal shows.
struct ResultsView: Sendable {
    var distributionShown: Bool
    var hiddenNote: String?
    var bars: [BarView]
    var summary: String?
    var showRightAnswer: Bool
    var rightAnswerLabel: String
    var rightAnswer: [String]
    var explanationHTML: String?
}

/// One option's share of the room, drawn as a bar (widths in 5% steps: the stylesheet has
/// a class for each, since inline styles are not allowed).
struct BarView: Sendable {
    var letter: String
    var text: String
    var count: Int
    var percent: Int
    var isRight: Bool
    var widthClass: String
}

/// The facilitator's sessions and the form to open one.
struct GroupListPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName
    var modules: [ModuleChoice]
    var open: [SessionRow]
    var ended: [SessionRow]
    var error: String?
}

/// The facilitator's sign-off page for a session's practical skills.
struct SignOffPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName
    var sessionID: String
    var code: String
    var ended: Bool
    var practicals: [SignOffPractical]
    var nobody: Bool
    var notice: String?
    var error: String?
}

/// One practical, with the people who can be signed off on it.
struct SignOffPractical: Sendable {
    var practicalID: String
    var anchor: String
    var title: String
    var ordered: Bool
    var people: [SignOffPerson]
}

/// One person in the session, and their checklist.
struct SignOffPerson: Sendable {
    var learnerID: String
    var name: String
    /// Whether their checklist starts open (after a sign-off with steps missing).
    var open: Bool
    var signedNote: String?
    var steps: [SignOffStep]
}

/// A step to tick.
struct SignOffStep: Sendable {
    var index: Int
    var html: String
    var fieldID: String
    var checked: Bool
}

/// A module to tick when opening a session.
struct ModuleChoice: Sendable {
    var id: String
    var title: String
    var minutesText: String?
    var checked: Bool
}

/// A session in the list.
struct SessionRow: Sendable {
    var id: String
    var code: String
    var modulesText: String
    var openedText: String
    var endedText: String?
}

/// The control view: what the facilitator drives the session from.
struct GroupControlPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName
    /// Whether the session's modules have practical skills to sign off.
    var hasPracticals = false
    /// Whether the projector shows a practical now.
    var onPractical = false
    var id: String
    var code: String
    var version: Int
    var eventsURL: String
    var joinAddress: String
    var slideCounter: String
    var current: SlideView
    var upNext: String?
    var notesHTML: String?
    var minutesText: String?
    var timerMinutes: Int?
    var timerKey: String
    var answeredText: String?
    var joinedText: String
    var canReveal: Bool
    var revealed: Bool
    var blanked: Bool
    var showNicknames: Bool
    var atStart: Bool
    var atEnd: Bool
    var choices: [FollowChoice]
    var roomChoiceText: String?
    var outline: [OutlineEntry]
    var closesText: String
    var notice: String?
    var error: String?
}

/// A scenario option the facilitator can follow.
struct FollowChoice: Sendable {
    var letter: String
    var text: String
    var votesText: String
}

/// A module's place in the outline, to jump to.
struct OutlineEntry: Sendable {
    var index: Int
    var title: String
    var isCurrent: Bool
}

/// An ended session's summary.
struct GroupEndedPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName
    var hasPracticals = false
    var id: String
    var modulesText: String
    var endedText: String
    var attendanceText: String
    var notice: String?
    var error: String?
}

/// The projector.
struct GroupPresentPage: Sendable {
    var courseTitle: String
    var language: String
    var eventsURL: String
    var version: Int
    var blanked: Bool
    var slide: SlideView
    var codeSpaced: String
    var joinAddress: String
    var qrSVG: String?
    var joinedText: String
    var nicknames: [String]
}

/// The page to join a session with its code.
struct JoinPage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var code: String
    var nickname: String
    var error: String?
}

/// A participant's phone.
struct LivePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var eventsURL: String
    var version: Int
    var heading: String
    var waiting: String?
    var ended: Bool
    var question: LiveQuestion?
    var results: ResultsView?
    var yourAnswer: [String]
    var linked: Bool
    var signedInName: String?
    var linkError: String?
    var notice: String?
}

/// The current poll as a form on a participant's phone.
struct LiveQuestion: Sendable {
    var pollKey: String
    var title: String
    var promptHTML: String
    var narrativeHTML: String?
    var instructions: String?
    var single: ChoiceList?
    var select: ChoiceList?
    var ordering: ChoiceList?
    var matching: ChoiceList?
    var short: ShortField?
    var answered: Bool
    var error: String?
}

/// Options for a choice, ordering or matching form.
struct ChoiceList: Sendable {
    var options: [ChoiceField]
}

/// One option in a participant's form.
struct ChoiceField: Sendable {
    var letter: String
    var html: String
    var checked: Bool
    var positions: [PickValue]
    var targets: [PickValue]
}

/// A value in a drop-down.
struct PickValue: Sendable {
    var value: Int
    var text: String
    var selected: Bool
}

/// A short answer's text box.
struct ShortField: Sendable {
    var typed: String
}

/// The printable facilitator guide for one module.
struct GuidePage: Sendable {
    var courseTitle: String
    var language: String
    var csrf: String
    var staff: StaffName
    var title: String
    var minutesText: String?
    var objectives: [String]
    var sections: [GuideSection]
}

/// A section of the guide.
struct GuideSection: Sendable {
    var title: String
    var minutesText: String?
    var notesHTML: String?
    var lessonHTML: String
    var discussHTML: [String]
    var questions: [GuideQuestion]
}

/// A question with its key, as the guide prints it.
struct GuideQuestion: Sendable {
    var title: String
    var promptHTML: String
    var options: [GuideOption]
    var rightAnswerLabel: String
    var rightAnswer: [String]
    var explanationHTML: String?
}

/// An option in the guide, marked when right or critical.
struct GuideOption: Sendable {
    var letter: String
    var text: String
    var mark: String?
}

extension SlideView {
    /// A slide's view. `poll` is filled in by the caller for poll and scenario slides.
    init(_ slide: Slide, step: Scenario.Step?, html cache: HTMLCache) {
        heading = slide.heading
        kindLabel = ""
        switch slide.body {
        case .join:
            isJoin = true
            kindLabel = "Join"
        case let .moduleTitle(module):
            isTitle = true
            kindLabel = "Module"
            objectives = module.objectives
            minutesText = module.minutes.map { "About \($0) minutes" }
        case let .lesson(content):
            kindLabel = "Lesson"
            html = content.isEmpty ? nil : content.html
        case let .callout(kind, content):
            kindLabel = kind.label
            html = LessonHTML.render([.callout(kind, content)])
        case let .discuss(content):
            isDiscuss = true
            kindLabel = "Discussion"
            html = content.html
        case .poll:
            kindLabel = "Question"
        case .scenario:
            kindLabel = step?.isEnding == true ? "Scenario: the end" : "Scenario"
            if let step {
                narrativeHTML = LessonHTML.render(step.narrative)
                heading = slide.heading + ": " + step.title
            }
        case let .practical(practical):
            kindLabel = "Practice"
            html = GroupRoutes.stepsHTML(practical)
        case .end:
            isEnd = true
            kindLabel = "End"
        }
    }
}

extension ResultsView {
    init(_ results: PollResults, explanationHTML: String?) {
        distributionShown = results.distributionShown
        hiddenNote = results.distributionShown ? nil : PollResults.hiddenNote
        bars = results.distributionShown ? results.bars.map { bar in
            BarView(letter: bar.letter, text: bar.text, count: bar.count, percent: bar.percent, isRight: bar.isRight,
                    widthClass: "w\(min(100, (bar.percent + 2) / 5 * 5))")
        } : []
        summary = results.distributionShown ? results.summary : nil
        // The bars already mark the right choices; say the answer in words otherwise.
        showRightAnswer = !(results.distributionShown && !results.bars.isEmpty)
        rightAnswerLabel = results.rightAnswerLabel
        rightAnswer = results.rightAnswer
        self.explanationHTML = explanationHTML
    }
}

/// "123 456": a join code as it is read out.
func spaced(_ code: String) -> String {
    code.count == 6 ? String(code.prefix(3)) + " " + String(code.suffix(3)) : code
}

/// A QR code as inline SVG, or nil when it can't be made.
func qrSVG(_ text: String, label: String) -> String? {
    try? QRCode(text).svg(label: label)
}
