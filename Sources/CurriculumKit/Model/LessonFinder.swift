import Foundation

extension Module {
    /// The index of the section whose lesson teaches what `question` asks: of the lesson
    /// sections (text and no questions) and the question's own, the one that shares the most
    /// distinctive words with the question, its right options and its explanation (else the
    /// nearest lesson before it). Nil when the module has no lesson text at all.
    public func lessonSection(teaching question: Question) -> Int? {
        guard let own = sections.firstIndex(where: { section in
            section.questions.contains { $0.id == question.id }
                || (section.scenario?.steps.contains { $0.question?.id == question.id } ?? false)
        }) else { return nil }
        // Candidates: the lesson sections (text, no questions) and the question's own section
        // when it has text (a quiz section's short introduction rarely wins).
        let lessons = sections.indices.filter {
            $0 == own ? !sections[$0].elements.isEmpty
                : sections[$0].questions.isEmpty && sections[$0].scenario == nil && !sections[$0].elements.isEmpty
        }
        guard !lessons.isEmpty else { return nil }
        let texts = lessons.map { Set(LessonWords.of(sections[$0].title + " " + LessonWords.text(sections[$0].elements))) }
        var asked = question.title + " " + LessonWords.text(question.prompt) + " " + LessonWords.text(question.explanation)
        for option in question.options where option.isCorrect || option.weight > 0 { asked += " " + option.text + " " + LessonWords.text(option.feedback) }
        asked += " " + question.matchTargets.joined(separator: " ") + " " + question.acceptedAnswers.joined(separator: " ")
        let words = Set(LessonWords.of(asked))
        var best: (index: Int, score: Double)?
        for (position, lesson) in lessons.enumerated() {
            var score = 0.0
            for word in words where texts[position].contains(word) {
                let spread = texts.filter { $0.contains(word) }.count
                score += log(Double(lessons.count + 1) / Double(spread))
            }
            if score > (best?.score ?? 0) { best = (lesson, score) }
        }
        // No word in common: the nearest lesson before the question, as the author ordered them.
        return best?.index ?? lessons.last { $0 < own } ?? lessons.first
    }
}

/// Words for matching a question to its lesson: lower case, five letters or more, the
/// common ones left out, a plural's final s dropped.
enum LessonWords {
    static let common: Set<String> = [
        "about", "after", "again", "their", "there", "these", "those", "which", "where", "while", "would", "could",
        "should", "people", "person", "other", "every", "being", "because", "before", "using", "someone", "something",
        "still", "think", "thing", "things", "might", "never", "always", "often", "answer", "answers", "choose", "right",
    ]

    static func of(_ text: String) -> [String] {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).lowercased()
            .split { !$0.isLetter }.map(String.init)
            .filter { $0.count >= 5 && !common.contains($0) }
            .map { $0.hasSuffix("s") && !$0.hasSuffix("ss") ? String($0.dropLast()) : $0 }
    }

    static func text(_ elements: [Element]) -> String {
        elements.map { element -> String in
            switch element {
            case let .text(content), let .callout(_, content): return content.plainText
            }
        }.joined(separator: " ")
    }
}
