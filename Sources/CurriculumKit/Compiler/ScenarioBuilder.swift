extension ModuleCompiler {
    /// Builds a scenario's graph and checks it: links to missing steps, cycles,
    /// unreachable steps; computes the best path's points.
    mutating func buildScenario(id: String, title: String, heading: Int, steps parsed: [ParsedQuestion]) -> Scenario {
        var steps: [Scenario.Step] = []
        for (offset, item) in parsed.enumerated() {
            let defaultNext: StepTarget = offset + 1 < parsed.count ? .step(parsed[offset + 1].slug) : .end
            steps.append(Scenario.Step(slug: item.slug, title: item.title, question: item.question,
                                       narrative: item.narrative, defaultNext: defaultNext, position: item.position))
        }
        if steps.isEmpty {
            sink.error("scenario.empty", at: position(heading), "this scenario has no steps",
                       hint: "add steps as ### headings, each with a single-choice answer list, and at least one ending")
            return Scenario(id: id, title: title, steps: [], bestPathPoints: 0)
        }
        var indexOf: [String: Int] = [:]
        for (i, step) in steps.enumerated() where indexOf[step.slug] == nil { indexOf[step.slug] = i }
        let slugs = steps.map { "#\($0.slug)" }.joined(separator: ", ")

        // Edges, with missing targets reported.
        var edges: [[Int]] = Array(repeating: [], count: steps.count)
        for (i, step) in steps.enumerated() {
            guard let question = step.question else { continue }
            var targets: [StepTarget] = []
            if question.kind == .singleChoice {
                for option in question.options {
                    let target = step.next(after: option)
                    if case let .step(slug) = target, indexOf[slug] == nil {
                        sink.error("scenario.missing-step", at: option.position,
                                   "this option links to #\(slug), but the scenario has no step with that id",
                                   hint: "link to one of \(slugs), or #end")
                        continue
                    }
                    targets.append(target)
                }
            } else {
                targets.append(step.defaultNext)
            }
            for case let .step(slug) in targets { if let j = indexOf[slug] { edges[i].append(j) } }
        }

        // Reachability from the first step.
        var reached = Array(repeating: false, count: steps.count)
        var stack = [0]
        reached[0] = true
        while let i = stack.popLast() {
            for j in edges[i] where !reached[j] {
                reached[j] = true
                stack.append(j)
            }
        }
        for (i, step) in steps.enumerated() where !reached[i] {
            sink.warning("scenario.unreachable", at: step.position,
                         "no path through the scenario reaches the step '\(step.title)'",
                         hint: "link to it with `-> [label](#\(step.slug))` from an option of an earlier step, or remove it")
        }

        // Cycles and best path, by Kahn's algorithm on the reversed topological order.
        var indegree = Array(repeating: 0, count: steps.count)
        for targets in edges { for j in targets { indegree[j] += 1 } }
        var queue = (0..<steps.count).filter { indegree[$0] == 0 }
        var order: [Int] = []
        var head = 0
        while head < queue.count {
            let i = queue[head]
            head += 1
            order.append(i)
            for j in edges[i] {
                indegree[j] -= 1
                if indegree[j] == 0 { queue.append(j) }
            }
        }
        if order.count < steps.count {
            let inCycle = (0..<steps.count).filter { indegree[$0] > 0 }
            let first = inCycle.first ?? 0
            sink.error("scenario.cycle", at: steps[first].position,
                       "the steps \(inCycle.map { "#\(steps[$0].slug)" }.joined(separator: ", ")) link in a loop, so a path could never end",
                       hint: "make every path lead forward to an ending (a step with no answer list) or to #end")
            return Scenario(id: id, title: title, steps: steps, bestPathPoints: 0)
        }
        var best = Array(repeating: 0, count: steps.count)
        for i in order.reversed() {
            guard let question = steps[i].question else { continue }
            var top = 0
            if question.kind == .singleChoice {
                for option in question.options {
                    var later = 0
                    if case let .step(slug) = steps[i].next(after: option), let j = indexOf[slug] { later = best[j] }
                    top = max(top, option.weight + later)
                }
            } else {
                var later = 0
                if case let .step(slug) = steps[i].defaultNext, let j = indexOf[slug] { later = best[j] }
                top = 100 + later
            }
            best[i] = top
        }
        let linksToEnd = steps.contains { $0.question?.options.contains { $0.next == .end } ?? false }
        if steps.allSatisfy({ !$0.isEnding }) && !linksToEnd {
            sink.warning("scenario.no-ending", at: position(heading), "this scenario has no ending step",
                         hint: "add a ### step with no answer list that tells how the story ends")
        }
        return Scenario(id: id, title: title, steps: steps, bestPathPoints: best[0])
    }
}
