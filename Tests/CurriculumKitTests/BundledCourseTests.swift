import Foundation
import Testing
@testable import CurriculumKit

/// The course that ships in Curriculum/ meets the course issue's bar.
struct BundledCourseTests {
    static let result = CurriculumCompiler.compile(path: Fixtures.repository.appendingPathComponent("Curriculum").path)

    @Test func compilesWithNoDiagnostics() {
        #expect(Self.result.diagnostics.isEmpty, "\(Self.result.diagnostics.map(\.description))")
    }

    @Test func passesTheStrictCheckWithNoWarnings() throws {
        let r = try CommandLineTests().run(["check", "--strict", Fixtures.repository.appendingPathComponent("Curriculum").path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains(" 1 practical; 0 errors, 0 warnings.\n"), "\(r.stderr)")
    }

    @Test func hasTheRequiredShape() throws {
        let course = try #require(Self.result.curriculum)
        #expect(course.modules.count >= 11)
        #expect(course.modules.count == 12)
        #expect(course.modules.first?.id == "what-harm-reduction-is")
        #expect(course.modules.last?.id == "meeting-people-where-they-are")
        #expect(course.settings.completion.pass == 80)
        #expect(course.settings.completion.attendance == 1)
        #expect(course.settings.certificate?.validFor == Validity(count: 24, unit: .months))
        #expect(course.settings.certificate?.renewWith == ["overdose-response", "meeting-people-where-they-are"])
        #expect(course.settings.readingGrade == 8)
        let questions = course.modules.flatMap(\.questions)
        #expect(questions.count >= 130)
        #expect(Set(questions.map(\.kind)) == Set(Question.Kind.allCases))
        #expect(course.modules.flatMap(\.scenarios).count >= 4)
        #expect(course.practicals.count >= 1)
        for module in course.modules {
            #expect(module.questions.count >= 6, "\(module.id)")
            #expect((2...7).contains(module.objectives.count), "\(module.id)")
            #expect(module.sources.count >= 2, "\(module.id)")
            #expect(module.minutes != nil, "\(module.id)")
            for q in module.questions { #expect(!q.explanation.isEmpty, "\(q.id) needs an explanation") }
        }
        let overdose = try #require(course.module(id: "overdose-response"))
        #expect(overdose.questions.contains { $0.options.contains(where: \.isCritical) })
    }

    @Test func everyQuestionAndScenarioStepHasACheckBlock() throws {
        let course = try #require(Self.result.curriculum)
        let questions = course.modules.flatMap(\.questions) + course.modules.flatMap(\.scenarios).flatMap(\.steps).compactMap(\.question)
        #expect(questions.count >= 150)
        for q in questions { #expect(!q.checks.isEmpty, "\(q.id) needs a check block") }
    }

    @Test func everyModuleWithRetakesDrawsAtMostFourFifthsOfItsQuestions() throws {
        let course = try #require(Self.result.curriculum)
        for module in course.modules where module.attempts.map({ $0 > 1 }) ?? true {
            let pool = try #require(module.pool, "\(module.id) allows retakes, so it needs a pool")
            #expect(pool * 5 <= module.questions.count * 4, "\(module.id): a pool of \(pool) of \(module.questions.count) questions")
            #expect(pool >= 1)
        }
    }

    @Test func completionNeedsTheNaloxonePractical() throws {
        let course = try #require(Self.result.curriculum)
        #expect(course.settings.completion.practicals == .list(["overdose-response/giving-nasal-naloxone"]))
        #expect(course.requiredPracticals.map(\.id) == ["overdose-response/giving-nasal-naloxone"])
        let practical = try #require(course.practical(id: "overdose-response/giving-nasal-naloxone"))
        #expect(practical.title == "Giving nasal naloxone")
        #expect(practical.moduleID == "overdose-response")
        #expect(practical.ordered)
        #expect(practical.steps.count >= 5)
        #expect(practical.steps.contains { $0.text.hasPrefix("Calls 911") }, "the emergency number comes from the program settings")
        #expect(practical.steps.allSatisfy { !$0.text.contains("{{") })
    }

    @Test func theProgramSettingsAreFilledInEverywhere() throws {
        let course = try #require(Self.result.curriculum)
        #expect(course.settings.program["emergency-number"] == "911")
        let encoder = JSONEncoder()
        let json = String(decoding: try encoder.encode(course.modules), as: UTF8.self)
        #expect(!json.contains("{{program."), "no placeholder is left in what any runner shows")
    }

    @Test func everyAnswerKeyScoresFullMarksWithNoCriticalChoice() throws {
        let course = try #require(Self.result.curriculum)
        let questions = course.modules.flatMap(\.questions)
            + course.modules.flatMap(\.scenarios).flatMap(\.steps).compactMap(\.question)
        #expect(questions.count > 150)
        for question in questions {
            let key = try #require(question.answerKey, "\(question.id)")
            let evaluation = try Evaluator.evaluate(key, for: question).get()
            #expect(evaluation.score == .full, "\(question.id)")
            #expect(!evaluation.isCritical, "\(question.id)")
        }
    }
}
