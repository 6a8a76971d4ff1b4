/// Where a scenario option leads.
public enum StepTarget: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// Another step, by its slug.
    case step(String)
    /// The end of the path.
    case end

    public var description: String {
        switch self {
        case let .step(slug): return slug
        case .end: return "end"
        }
    }

    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer().decode(String.self)
        self = value == "end" ? .end : .step(value)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// A branching scenario: a `## Scenario:` section whose steps are its `###` headings.
public struct Scenario: Sendable, Equatable, Codable {
    /// One step: a question that leads on, or an ending (a narrative outcome).
    public struct Step: Sendable, Equatable, Codable {
        /// The step's slug (link targets use it: `#slug`).
        public var slug: String
        /// The heading text.
        public var title: String
        /// The question, for a step with an answer list; `nil` for an ending.
        public var question: Question?
        /// An ending's narrative.
        public var narrative: [Element]
        /// Where a step goes when an option has no link (the next step in the file, or the end).
        public var defaultNext: StepTarget
        /// Where the heading is.
        public var position: SourcePosition

        /// Whether this step is an ending.
        public var isEnding: Bool { question == nil }

        /// Where choosing `option` leads.
        public func next(after option: Option?) -> StepTarget {
            option?.next ?? defaultNext
        }
    }

    /// The section's slug.
    public var id: String
    /// The title after `Scenario:`.
    public var title: String
    /// Steps in file order; the first is where every path starts.
    public var steps: [Step]
    /// The most points any complete path can earn: the sum, in percent, of the best
    /// step scores along the best path.
    public var bestPathPoints: Int

    /// The step with a slug.
    public func step(_ slug: String) -> Step? {
        steps.first { $0.slug == slug }
    }
}
