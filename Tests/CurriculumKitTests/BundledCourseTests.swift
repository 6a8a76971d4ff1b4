import Testing
@testable import CurriculumKit

/// The course that ships in Curriculum/ meets the course issue's bar.
struct BundledCourseTests {
    static let result = CurriculumCompiler.compile(path: Fixtures.repository.appendingPathComponent("Curriculum").path)

    @Test func compilesWithNoDiagnostics() {
        #expect(Self.result.diagnostics.isEmpty, "\(Self.result.diagnostics.map(\.description))")
    }

    @Test func hasTheRequiredShape() throws {
        let course = try #require(Self.result.curriculum)
        #expect(course.modules.count == 7)
        #expect(course.settings.completion.pass == 80)
        #expect(course.settings.completion.attendance == 1)
        #expect(course.settings.certificate?.validFor == Validity(count: 24, unit: .months))
        #expect(course.settings.readingGrade == 8)
        let questions = course.modules.flatMap(\.questions)
        #expect(questions.count >= 60)
        #expect(Set(questions.map(\.kind)) == Set(Question.Kind.allCases))
        #expect(course.modules.flatMap(\.scenarios).count >= 2)
        for module in course.modules {
            #expect(module.questions.count >= 6, "\(module.id)")
            #expect((2...4).contains(module.objectives.count), "\(module.id)")
            #expect(module.sources.count >= 2, "\(module.id)")
            #expect(module.minutes != nil, "\(module.id)")
            for q in module.questions { #expect(!q.checks.isEmpty, "\(q.id) needs a check block") }
            for q in module.questions { #expect(!q.explanation.isEmpty, "\(q.id) needs an explanation") }
        }
        let overdose = try #require(course.module(id: "overdose-response"))
        #expect(overdose.questions.contains { $0.options.contains(where: \.isCritical) })
    }

    @Test func everyAnswerKeyScoresFullMarksWithNoCriticalChoice() throws {
        let course = try #require(Self.result.curriculum)
        let questions = course.modules.flatMap(\.questions)
            + course.modules.flatMap(\.scenarios).flatMap(\.steps).compactMap(\.question)
        #expect(questions.count > 78)
        for question in questions {
            let key = try #require(question.answerKey, "\(question.id)")
            let evaluation = try Evaluator.evaluate(key, for: question).get()
            #expect(evaluation.score == .full, "\(question.id)")
            #expect(!evaluation.isCritical, "\(question.id)")
        }
    }
}
