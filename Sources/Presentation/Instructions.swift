import CurriculumKit

/// What to do with a question, per kind: one sentence on a page, a prompt with the letters
/// and an example in the terminal.
public enum Instructions {
    /// For a form: "Choose one answer."
    public static func page(_ kind: Question.Kind) -> String {
        switch kind {
        case .singleChoice: return "Choose one answer."
        case .selectAll: return "Choose all that apply."
        case .ordering: return "Give each step a position, 1 for the first."
        case .matching: return "Choose a match for each item."
        case .shortAnswer: return "Type your answer."
        }
    }

    /// For a form, unless the question's own words already say it ("Choose all that apply.")
    /// so the page doesn't say it twice.
    public static func page(for question: Question) -> String? {
        let sentence = page(question.kind)
        let prompt = question.prompt.map { element -> String in
            switch element {
            case let .text(content), let .callout(_, content): return content.plainText
            }
        }
        let said = (prompt.joined(separator: " ") + " " + question.title).lowercased()
        return said.contains(sentence.dropLast().lowercased()) ? nil : sentence
    }

    /// Where the learner is: "Question 3 of 10", or for a scenario "Scenario: step 2".
    public static func counter(questionNumber: Int, of total: Int, scenarioStep: Int?) -> String {
        if let scenarioStep { return "Scenario: step \(scenarioStep)" }
        return "Question \(questionNumber) of \(total)"
    }

    /// For the terminal, with the letters shown and an example of the input.
    public static func terminal(_ question: Question) -> String {
        let letters = question.options.map(\.letter)
        let range = letters.count > 1 ? "\(letters.first ?? "a")–\(letters.last ?? "a")" : (letters.first ?? "a")
        switch question.kind {
        case .singleChoice:
            return "Your answer (one letter, \(range)):"
        case .selectAll:
            return "Choose all that apply: letters separated by spaces, like \(letters.prefix(2).joined(separator: " ")):"
        case .ordering:
            return "Type all \(letters.count) letters in your order, first to last, separated by spaces, like \(letters.reversed().joined(separator: " ")):"
        case .matching:
            let example = letters.prefix(2).enumerated().map { "\($0.element)=\($0.offset + 1)" }.joined(separator: " ")
            return "Match each letter to a number, as pairs separated by spaces, like \(example):"
        case .shortAnswer:
            return "Your answer:"
        }
    }
}
