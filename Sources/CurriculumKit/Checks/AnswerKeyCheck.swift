/// Runs every `check` block line through the evaluator and reports mismatches.
enum AnswerKeyCheck {
    static func run(_ module: Module, sink: inout DiagnosticSink) {
        for section in module.sections {
            let questions = section.questions + (section.scenario?.steps.compactMap(\.question) ?? [])
            for question in questions {
                for check in question.checks {
                    switch Evaluator.evaluate(check.response, for: question) {
                    case let .failure(problem):
                        sink.error("check.malformed", at: check.position, problem.message, hint: problem.hint)
                    case let .success(evaluation):
                        let actual = evaluation.score.percent
                        if actual != check.expectedPercent || evaluation.isCritical != check.expectsCritical {
                            let expected = "\(check.expectedPercent)%\(check.expectsCritical ? " critical" : "")"
                            let got = "\(actual)%\(evaluation.isCritical ? " critical" : "")"
                            var why = ""
                            if evaluation.isCritical != check.expectsCritical {
                                why = evaluation.isCritical
                                    ? "; it is critical because of option \(evaluation.criticalReasons.map(\.letter).joined(separator: ", "))"
                                    : "; no critical option is involved"
                            }
                            sink.error("check.mismatch", at: check.position,
                                       "check `\(check.written)` expects \(expected) but the evaluator gives \(got)\(why)",
                                       hint: "fix the answer list's markers, or correct the expected score in the check line")
                        }
                    }
                }
            }
        }
    }
}
