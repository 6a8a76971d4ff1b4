import CurriculumKit
import Foundation
import Testing

/// Review links point at the lessons that teach what a question asks, not at the quiz.
@Suite struct LessonFinderTests {
    static let course = CurriculumCompiler.compile(path: Fixtures.repository.appendingPathComponent("Curriculum").path).curriculum

    func lesson(_ moduleID: String, _ title: String) throws -> String? {
        let module = try #require(Self.course?.module(id: moduleID))
        let question = try #require(module.questions.first { $0.title == title })
        return module.lessonSection(teaching: question).map { module.sections[$0].title }
    }

    @Test func questionsInTheBundledCourseLeadToTheLessonsThatTeachThem() throws {
        #expect(try lesson("overdose-response", "Signs to look for") == "Signs of an opioid overdose")
        #expect(try lesson("overdose-response", "Rescue breath rhythm") == "Help them breathe")
        #expect(try lesson("overdose-response", "Xylazine and naloxone") == "Xylazine in the supply")
        #expect(try lesson("stages-of-change", "Which skills are part of OARS?") == "OARS: four listening skills")
        #expect(try lesson("language-and-stigma", "Which phrase is person-first?") == "Put the person first")
        #expect(try lesson("meeting-people-where-they-are", "Nadia asks to borrow money") == "Boundaries")
    }

    @Test func noQuestionInTheBundledCourseIsSentBackToTheQuiz() throws {
        let course = try #require(Self.course)
        for module in course.modules {
            for question in module.questions {
                let index = try #require(module.lessonSection(teaching: question), "\(question.id)")
                #expect(module.sections[index].questions.isEmpty, "\(question.id) → \(module.sections[index].title)")
            }
        }
    }

    @Test func withNoWordInCommonTheNearestLessonBeforeIsChosen() throws {
        let result = compileModule("""

        ## First lesson

        Alpha beta gamma.

        ## Second lesson

        Delta epsilon zeta.

        ## Quiz

        ### Pick one

        - (x) Yes
        - ( ) No

        ## After

        Thanks.
        """)
        let module = try #require(result.curriculum?.modules.first)
        let question = try #require(module.questions.first)
        #expect(module.lessonSection(teaching: question) == 1, "the lesson just before the quiz")
    }
}
