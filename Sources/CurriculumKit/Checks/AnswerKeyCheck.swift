/// Runs every `check` block line through the evaluator's scoring and reports mismatches.
enum AnswerKeyCheck {
    static func run(_ module: Module, sink: inout DiagnosticSink) {
        for section in module.sections {
            for question in section.questions { run(question, sink: &sink) }
            for step in section.scenario?.steps ?? [] {
                if let question = step.question { run(question, sink: &sink) }
            }
        }
    }

    private static func run(_ question: Question, sink: inout DiagnosticSink) {
        for check in question.checks {
            switch Evaluator.verdict(check.response, for: question) {
            case let .failure(problem):
                sink.error("check.malformed", at: check.position, problem.message, hint: problem.hint)
            case let .success((score, criticalLetters)):
                let actual = score.percent
                let isCritical = !criticalLetters.isEmpty
                guard actual != check.expectedPercent || isCritical != check.expectsCritical else { continue }
                let expected = "\(check.expectedPercent)%\(check.expectsCritical ? " critical" : "")"
                let got = "\(actual)%\(isCritical ? " critical" : "")"
                var why = ""
                if isCritical != check.expectsCritical {
                    why = isCritical
                        ? "; it is critical because of option \(criticalLetters.joined(separator: ", "))"
                        : "; no critical option is involved"
                }
                sink.error("check.mismatch", at: check.position,
                           "check `\(check.written)` expects \(expected) but the evaluator gives \(got)\(why)",
                           hint: "fix the answer list's markers, or correct the expected score in the check line")
            }
        }
    }
}
