import CurriculumKit
import Foundation
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
                return (learner, code.description)
            } catch let error as RecordsError where error.kind == .badDisplayName {
                console.say("\(error.message.capitalizedFirst). \(error.hint.map { $0.capitalizedFirst + "." } ?? "")")
            }
        }
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
        let titleWidth = min(44, progress.modules.map(\.title.count).max() ?? 20)
        for (index, module) in progress.modules.enumerated() {
            let number = String(index + 1).leftPadded(to: numberWidth)
            let title = module.title.count > titleWidth ? String(module.title.prefix(titleWidth - 1)) + "…" : module.title
            console.say("  \(number). \(title.rightPadded(to: titleWidth))  \(describe(module))")
        }
    }

    private func describe(_ module: ModuleProgress) -> String {
        var text: String
        switch module.state {
        case .notStarted: text = "not started"
        case .inProgress: text = console.paint("in progress", "33")
        case .passed: text = console.paint("passed", "32") + (module.bestScore.map { " (\($0.percent)%)" } ?? "")
        case .notYetPassed: text = "not yet passed" + (module.bestScore.map { " (best \($0.percent)%)" } ?? "")
        }
        if module.state != .passed, let left = module.attemptsLeft {
            text += left == 0 ? ", no attempts left" : ", \(left) attempt\(left == 1 ? "" : "s") left"
        }
        return text
    }

    private func showProgress(_ learner: Learner) async throws {
        let progress = try await coursework.progress(of: learner)
        console.say()
        var line = "Course progress: \(progress.requiredPassed) of \(progress.requiredModules.count) required modules passed."
        if progress.modulesComplete {
            line += progress.attendanceRequired > 0
                ? " The course also asks for \(progress.attendanceRequired) group session\(progress.attendanceRequired == 1 ? "" : "s") with a facilitator."
                : " You've completed the course."
        }
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
            let left = try await coursework.progress(of: learner).modules.first { $0.moduleID == module.id }?.attemptsLeft
            showOutcome(outcome, module: module, attemptsLeft: left)
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
            console.say(console.paint("Scenario: \(scenario.title)", "1") + " · " + step.title)
            let narrative = renderer.render(step.narrative)
            if !narrative.isEmpty { console.say(narrative) }
        } else {
            console.say(console.paint("Question \(state.itemsDone + 1) of \(state.items.count)", "1") + " · " + question.title)
        }
        let prompt = renderer.render(question.prompt)
        if !prompt.isEmpty {
            console.say()
            console.say(prompt)
        }
        console.say()
        showOptions(question)
        console.say()
        let instructions = instructions(for: question)
        while true {
            guard let typed = console.ask(instructions) else { throw Stop() }
            if Console.isQuit(typed) { throw Stop() }
            if typed.trimmingCharacters(in: .whitespaces).isEmpty {
                console.say("Type an answer first. (To stop here, type quit: your answers so far are saved.)")
                continue
            }
            switch presented.response(from: typed) {
            case let .failure(problem):
                console.say("That answer didn't fit: \(problem.message). \(problem.hint.map { $0.capitalizedFirst + "." } ?? "")")
                continue
            case let .success(response):
                do {
                    let result = try await coursework.answer(response, in: state)
                    var story: Scenario?
                    if case let .scenarioStep(scenario, _, _, _) = next { story = scenario }
                    showFeedback(result, presented: presented, story: story)
                    return result
                } catch let error as InputProblem {
                    console.say("That answer didn't fit: \(error.message). \(error.hint.map { $0.capitalizedFirst + "." } ?? "")")
                }
            }
        }
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

    private func instructions(for question: Question) -> String {
        let letters = question.options.map(\.letter)
        let range = letters.count > 1 ? "\(letters.first ?? "a")–\(letters.last ?? "a")" : (letters.first ?? "a")
        switch question.kind {
        case .singleChoice: return "Your answer (one letter, \(range)):"
        case .selectAll: return "Choose all that apply (letters separated by spaces, or none):"
        case .ordering: return "Type all \(letters.count) letters in your order, first to last:"
        case .matching: return "Match each letter to a number, as letter=number pairs separated by spaces:"
        case .shortAnswer: return "Your answer:"
        }
    }

    private func showFeedback(_ result: Coursework.AnswerResult, presented: PresentedQuestion, story: Scenario?) {
        let evaluation = result.evaluation
        console.say()
        if evaluation.score == .full {
            console.say(console.paint("✓ That's right.", "1;32"))
        } else if evaluation.score == .zero {
            console.say(console.paint("Not yet.", "1;33") + " Here's what to know.")
        } else {
            console.say(console.paint("Partly right (\(evaluation.score.percent)%).", "1;33"))
        }
        for reason in evaluation.criticalReasons {
            console.say(console.paint("Important: ", "1;31") + reason.summary)
        }
        for chosen in evaluation.feedback.chosen {
            let text = renderer.render(chosen.feedback)
            guard !text.isEmpty else { continue }
            console.say()
            console.say("You chose “\(chosen.text)”: " + text)
        }
        for missed in evaluation.feedback.missed {
            console.say()
            let text = renderer.render(missed.feedback)
            console.say("The answer to look for: “\(missed.text)”" + (text.isEmpty ? "" : ": " + text))
        }
        if !evaluation.feedback.rightAnswer.isEmpty {
            console.say()
            switch presented.question.kind {
            case .ordering:
                console.say("The order that works best:")
                for (index, item) in evaluation.feedback.rightAnswer.enumerated() { console.say("  \(index + 1). \(item)") }
            case .matching:
                console.say("The matches:")
                for pair in evaluation.feedback.rightAnswer { console.say("  • \(pair)") }
            default:
                console.say("Answers that count: " + evaluation.feedback.rightAnswer.map { "“\($0)”" }.joined(separator: ", "))
            }
        }
        let explanation = renderer.render(evaluation.feedback.explanation)
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

    private func showOutcome(_ outcome: ModuleOutcome, module: Module, attemptsLeft: Int?) {
        console.say()
        if outcome.passed {
            console.say(console.paint("Module result: passed (\(outcome.score.percent)%).", "1;32") + " Well done.")
            return
        }
        console.say(console.paint("Module result: not yet (\(outcome.score.percent)%; the pass mark is \(outcome.passMark)%).", "1;33"))
        for reason in outcome.criticalReasons {
            console.say("  • " + reason.summary)
        }
        let titles = outcome.sectionsToReview.compactMap { id in module.sections.first { $0.id == id }?.title }
        if !titles.isEmpty {
            console.say("Review these sections and try again:")
            for title in titles { console.say("  • " + title) }
        } else {
            console.say("Review the module and try again.")
        }
        if let left = attemptsLeft {
            console.say(left == 0 ? "You've used every attempt at this module; your coordinator can help with what's next."
                                  : "You have \(left) attempt\(left == 1 ? "" : "s") left.")
        }
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
