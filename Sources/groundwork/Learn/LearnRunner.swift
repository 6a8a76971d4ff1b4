import CurriculumKit
import Foundation
import Presentation
import Runtime

/// The terminal course runner: module list, lesson pages, questions, feedback, results.
/// All scoring, recording and progress come from ``Coursework``; this only presents.
struct LearnRunner {
    let coursework: Coursework
    let console: Console
    let renderer: TerminalRenderer

    /// Thrown to stop the runner: end of input or the learner typed quit.
    struct Stop: Error {}

    init(coursework: Coursework, console: Console) {
        self.coursework = coursework
        self.console = console
        renderer = TerminalRenderer(width: console.width, styled: console.colour)
    }

    private var course: Curriculum { coursework.curriculum }

    // MARK: Learner

    /// Finds the learner by code, or asks for one, or registers a new learner.
    func signIn(code: String?) async throws -> (Learner, String)? {
        if let code {
            let learner = try await coursework.learner(resumeCode: code)
            let normalized = (try? ResumeCode.parse(code).get())?.description ?? code
            console.say("Welcome back, \(learner.displayName).")
            return (learner, normalized)
        }
        console.say(console.paint(course.settings.title, "1"))
        console.say()
        while true {
            guard let typed = console.ask("If you have a resume code, type it. To start fresh, press Enter:") else { return nil }
            if Console.isQuit(typed) { return nil }
            if typed.trimmingCharacters(in: .whitespaces).isEmpty { break }
            do {
                let learner = try await coursework.learner(resumeCode: typed)
                console.say("Welcome back, \(learner.displayName).")
                return (learner, (try? ResumeCode.parse(typed).get())?.description ?? typed)
            } catch let error as RecordsError where error.kind == .unknownCode || error.kind == .malformedCode {
                console.say("That code didn't work: \(error.message). \(error.hint ?? "")")
            }
        }
        console.say("Pick a name to be called here. It doesn't need to be your real name.")
        while true {
            guard let name = console.ask("Your name:") else { return nil }
            do {
                let (learner, code) = try await coursework.register(displayName: name)
                console.say()
                console.say("Hello, \(learner.displayName). Your resume code is:")
                console.say()
                console.say("    " + console.paint(code.description, "1"))
                console.say()
                console.say("Write it down. With it you can stop any time and pick up where you left off,")
                console.say("here or on another device. We don't ask for your email, so it can't be sent to you.")
                console.say("Resume code: \(code)")
                showWelcome()
                return (learner, code.description)
            } catch let error as RecordsError where error.kind == .badDisplayName {
                console.say("\(error.message.capitalizedFirst). \(error.hint.map { $0.capitalizedFirst + "." } ?? "")")
            }
        }
    }

    /// The course's welcome (facilitator notes left out), once, for a new learner.
    private func showWelcome() {
        let welcome = renderer.render(course.welcome)
        guard !welcome.isEmpty else { return }
        console.say()
        console.say(welcome)
        _ = console.pause()  // on a terminal, a moment to read it before the first module
    }

    // MARK: Module list

    /// The module list, until the learner quits. With `moduleID`, runs that module once.
    func run(learner: Learner, moduleID: String?) async throws {
        if let moduleID {
            try await runModule(moduleID, learner: learner)
            try await showProgress(learner)
            return
        }
        while true {
            let progress = try await coursework.progress(of: learner)
            console.say()
            showModuleList(progress)
            guard let typed = console.ask("Choose a module (1–\(progress.modules.count)), or type quit to stop:") else { throw Stop() }
            if Console.isQuit(typed) || typed.lowercased() == "q" { throw Stop() }
            let choice = typed.trimmingCharacters(in: .whitespaces)
            let module: ModuleProgress?
            if let number = Int(choice), progress.modules.indices.contains(number - 1) {
                module = progress.modules[number - 1]
            } else {
                module = progress.modules.first { $0.moduleID == choice }
            }
            guard let module else {
                console.say("There's no module \(choice.isEmpty ? "with no number" : "“\(choice)”"). Type a number from 1 to \(progress.modules.count).")
                continue
            }
            try await runModule(module.moduleID, learner: learner)
            try await showProgress(learner)
            guard console.pause() else { throw Stop() }
        }
    }

    private func showModuleList(_ progress: CourseProgress) {
        console.say(console.paint(course.settings.title, "1"))
        console.say("\(progress.requiredPassed) of \(progress.requiredModules.count) required modules passed")
        console.say()
        let numberWidth = String(progress.modules.count).count
        let titleWidth = min(44, console.width - 24, progress.modules.map(\.title.count).max() ?? 20)
        for (index, module) in progress.modules.enumerated() {
            let number = String(index + 1).leftPadded(to: numberWidth)
            let title = module.title.count > titleWidth ? String(module.title.prefix(titleWidth - 1)) + "…" : module.title
            console.sayWrapped("  \(number). \(title.rightPadded(to: titleWidth))  \(describe(module))",
                               indent: String(repeating: " ", count: numberWidth + 4))
        }
    }

    private func describe(_ module: ModuleProgress) -> String {
        let status = ModuleStatus(module)
        var text = status.label.prefix(1).lowercased() + status.label.dropFirst()
        switch status.tone {
        case .inProgress: text = console.paint(text, "33")
        case .passed: text = console.paint(text, "32")
        case .notStarted, .notYetPassed: break
        }
        if let note = status.attemptsNote { text += ", " + note.prefix(1).lowercased() + note.dropFirst() }
        return text
    }

    private func showProgress(_ learner: Learner) async throws {
        let progress = try await coursework.progress(of: learner)
        console.say()
        var line = "Course progress: " + CourseSummary.modules(progress)
        if let attendance = CourseSummary.attendance(progress) { line += " " + attendance }
        if let remaining = CourseSummary.remaining(progress) { line += " " + remaining }
        console.say(line)
    }

    // MARK: One module

    private func runModule(_ moduleID: String, learner: Learner) async throws {
        var state: AttemptState
        do {
            state = try await coursework.attempt(moduleID, for: learner)
        } catch let error as RecordsError where error.kind == .noAttemptsLeft || error.kind == .unknownItem {
            console.say("\(error.message.capitalizedFirst). \(error.hint.map { $0.capitalizedFirst + "." } ?? "")")
            return
        }
        let module = state.module
        console.say()
        console.say(renderHeading(module.title, level: 1))
        if state.restartedAfterContentChange {
            console.say("This module has been updated since you started it, so this is a fresh start.")
        }
        var firstSection = 0
        if !state.responses.isEmpty, let next = state.next {
            firstSection = next.item.section
            console.say("Welcome back. You're at question \(state.itemsDone + 1) of \(state.items.count) (attempt \(state.attempt.number)).")
        } else {
            showIntroduction(module, attempt: state.attempt)
            guard console.pause() else { throw Stop() }
        }
        var outcome: ModuleOutcome?
        for index in firstSection..<module.sections.count {
            let section = module.sections[index]
            console.say()
            console.say(renderHeading(section.title, level: 2))
            let page = renderer.render(section.elements)
            if !page.isEmpty {
                console.say()
                console.say(page)
            }
            if let practical = section.practical {
                // A checklist to rehearse; a facilitator signs it off at a group session.
                console.say()
                for (number, step) in practical.steps.enumerated() {
                    console.say("  [ ] " + (practical.ordered ? "\(number + 1). " : "") + step.text)
                }
                console.say()
                console.say("Rehearse these steps. A facilitator watches you do them at a group session and signs you off.")
            }
            if !state.items.contains(where: { $0.section == index }) {
                guard console.pause() else { throw Stop() }
            }
            while let next = state.next, next.item.section == index {
                let result = try await ask(next, in: state)
                state = result.state
                if let judged = result.outcome { outcome = judged }
                guard console.pause() else { throw Stop() }
            }
        }
        if state.items.isEmpty { outcome = try await coursework.finishReading(state) }
        if let outcome {
            showOutcome(outcome, module: module, progress: try await coursework.progress(of: learner))
        }
    }

    private func showIntroduction(_ module: Module, attempt: AttemptRecord) {
        var facts: [String] = []
        if let minutes = module.minutes { facts.append("about \(minutes) minutes") }
        facts.append("pass mark \(module.pass)%")
        if let limit = module.attempts { facts.append("attempt \(attempt.number) of \(limit)") }
        console.say(facts.joined(separator: " · "))
        if !module.objectives.isEmpty {
            console.say()
            console.say("By the end you will be able to:")
            for objective in module.objectives { console.say("  • " + objective) }
        }
        let introduction = renderer.render(module.introduction)
        if !introduction.isEmpty {
            console.say()
            console.say(introduction)
        }
    }

    // MARK: Questions

    private func ask(_ next: AttemptState.Next, in state: AttemptState) async throws -> Coursework.AnswerResult {
        let presented = next.presented
        let question = presented.shown
        console.say()
        if case let .scenarioStep(scenario, step, _, _) = next {
            console.sayWrapped(console.paint("Scenario: \(scenario.title)", "1") + " · " + step.title, indent: "    ")
            let narrative = renderer.render(step.narrative)
            if !narrative.isEmpty { console.say(narrative) }
        } else {
            console.sayWrapped(console.paint("Question \(state.itemsDone + 1) of \(state.items.count)", "1") + " · " + question.title, indent: "    ")
        }
        let prompt = renderer.render(question.prompt)
        if !prompt.isEmpty {
            console.say()
            console.say(prompt)
        }
        console.say()
        showOptions(question)
        console.say()
        let instructions = Instructions.terminal(question)
        while true {
            guard let typed = console.ask(instructions) else { throw Stop() }
            if Console.isQuit(typed) { throw Stop() }
            if typed.trimmingCharacters(in: .whitespaces).isEmpty {
                console.say("Type an answer first. (To stop here, type quit: your answers so far are saved.)")
                continue
            }
            switch presented.response(from: typed) {
            case let .failure(problem):
                console.say(Self.didNotFit(problem))
                continue
            case let .success(response):
                do {
                    let result = try await coursework.answer(response, in: state)
                    var story: Scenario?
                    if case let .scenarioStep(scenario, _, _, _) = next { story = scenario }
                    showFeedback(result, presented: presented, story: story, response: response)
                    return result
                } catch let error as InputProblem {
                    console.say(Self.didNotFit(error))
                }
            }
        }
    }

    /// "That answer didn't fit: …", with the check-block notation's backticks turned into quotes.
    static func didNotFit(_ problem: InputProblem) -> String {
        let text = "That answer didn't fit: \(problem.message). \(problem.hint.map { $0.capitalizedFirst + "." } ?? "")"
        var quoted = ""
        var open = true
        for character in text {
            if character == "`" {
                quoted.append(open ? "“" : "”")
                open.toggle()
            } else {
                quoted.append(character)
            }
        }
        return quoted.trimmingCharacters(in: .whitespaces)
    }

    private func showOptions(_ question: Question) {
        switch question.kind {
        case .shortAnswer:
            break
        case .matching:
            for option in question.options { console.say("  \(option.letter)) \(option.text)") }
            console.say()
            for (index, target) in question.matchTargets.enumerated() { console.say("  \(index + 1). \(target)") }
        default:
            for option in question.options { console.say("  \(option.letter)) \(option.text)") }
        }
    }

    private func showFeedback(_ result: Coursework.AnswerResult, presented: PresentedQuestion, story: Scenario?, response: Response) {
        let feedback = AnswerFeedback(result.evaluation, question: presented.question, response: response)
        console.say()
        let heading = feedback.verdict.symbol + " " + feedback.verdict.heading + "."
        switch feedback.verdict.kind {
        case .right: console.say(console.paint(heading, "1;32"))
        case .partly: console.say(console.paint(heading, "1;33"))
        case .notYet: console.say(console.paint(heading, "1;33") + " Here's what to know.")
        }
        for note in feedback.critical {
            console.say()
            console.say(console.paint("Important: ", "1;31") + note.summary)
            let text = renderer.render(note.feedback)
            if !text.isEmpty { console.say(text) }
        }
        for chosen in feedback.chosen {
            let text = renderer.render(chosen.feedback)
            guard !text.isEmpty else { continue }
            console.say()
            console.say("You chose “\(chosen.text)”:")
            console.say(text)
        }
        for missed in feedback.missed {
            console.say()
            let text = renderer.render(missed.feedback)
            console.say("The answer to look for: “\(missed.text)”" + (text.isEmpty ? "." : ":"))
            if !text.isEmpty { console.say(text) }
        }
        if !feedback.yourAnswer.isEmpty {
            console.say()
            console.say(presented.question.kind == .matching ? "Your matches:" : "Your order:")
            for (index, line) in feedback.yourAnswer.enumerated() {
                console.say(presented.question.kind == .ordering ? "  \(index + 1). \(line)" : "  • \(line)")
            }
        }
        if !feedback.rightAnswer.isEmpty {
            console.say()
            switch presented.question.kind {
            case .ordering:
                console.say(feedback.rightAnswerLabel)
                for (index, item) in feedback.rightAnswer.enumerated() { console.say("  \(index + 1). \(item)") }
            case .matching:
                console.say(feedback.rightAnswerLabel)
                for pair in feedback.rightAnswer { console.say("  • \(pair)") }
            default:
                console.say(feedback.rightAnswerLabel)
                for answer in feedback.rightAnswer { console.say("  • " + answer) }
            }
        }
        let explanation = renderer.render(feedback.explanation)
        if !explanation.isEmpty {
            console.say()
            console.say(explanation)
        }
        if let story, let path = result.scenario, let ending = path.ending {
            showEnding(ending, of: story, result: path)
        }
    }

    private func showEnding(_ slug: String, of story: Scenario, result: ScenarioResult) {
        console.say()
        if let ending = story.step(slug) {
            console.say(console.paint(ending.title, "1"))
            let narrative = renderer.render(ending.narrative)
            if !narrative.isEmpty { console.say(narrative) }
        }
        console.say("Scenario score: \(result.score.percent)%.")
    }

    private func showOutcome(_ outcome: ModuleOutcome, module: Module, progress: CourseProgress) {
        let shown = ModuleResult(outcome, module: module, progress: progress, curriculum: course)
        console.say()
        if shown.passed {
            console.say(console.paint("Module result: passed (\(outcome.score.percent)%).", "1;32") + " Well done.")
            if let next = shown.nextModule { console.say("Next: “\(next.title)”.") }
            return
        }
        console.say(console.paint("Module result: not yet (\(outcome.score.percent)%; the pass mark is \(outcome.passMark)%).", "1;33"))
        if let reason = shown.reasonLine { console.say(reason) }
        for line in shown.critical { console.say("  • " + line) }
        if !shown.review.isEmpty {
            console.say(shown.reviewLabel)
            for section in shown.review { console.say("  • " + section.title) }
        } else if shown.attemptsLine?.hasPrefix("You've used") != true {
            console.say("Review the module and try again.")
        }
        if let line = shown.attemptsLine { console.say(line) }
    }

    private func renderHeading(_ title: String, level: Int) -> String {
        let rule = String(repeating: level == 1 ? "═" : "─", count: min(title.count, console.width))
        return console.paint(title, "1") + "\n" + rule
    }
}

extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
    func leftPadded(to width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
    func rightPadded(to width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}
