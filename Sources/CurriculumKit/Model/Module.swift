import Foundation
/// A titled source cited by a module.
public struct SourceLink: Sendable, Equatable, Codable {
    /// The source's title.
    public var title: String
    /// Where to find it.
    public var url: String?
}

/// A `##` section: a page when self-paced, a slide group when facilitated.
public struct Section: Sendable, Equatable, Codable {
    /// The heading's slug.
    public var id: String
    /// The heading text.
    public var title: String
    /// Lesson text and callouts before the first question.
    public var elements: [Element]
    /// The section's questions (empty for a scenario section).
    public var questions: [Question]
    /// The scenario, for a `## Scenario:` section.
    public var scenario: Scenario?
    /// The practical skill, for a `## Practice:` section (its steps are not in `elements`).
    public var practical: Practical?
    /// Where the heading is.
    public var position: SourcePosition
}

/// One module: one Markdown file of the course.
public struct Module: Sendable, Equatable, Codable, Identifiable {
    /// Stable id; records point at it.
    public var id: String
    /// Title.
    public var title: String
    /// Expected minutes.
    public var minutes: Int?
    /// Learning objectives.
    public var objectives: [String]
    /// Pass mark in percent (the module's own, or the course's).
    public var pass: Int
    /// Attempts allowed; `nil` is unlimited.
    public var attempts: Int?
    /// Whether options are shuffled per attempt.
    public var shuffle: Bool
    /// How many questions an attempt draws; `nil` is all.
    public var pool: Int?
    /// Cited sources.
    public var sources: [SourceLink]
    /// Text before the first section.
    public var introduction: [Element]
    /// Sections in order.
    public var sections: [Section]
    /// The file's path.
    public var path: String
    /// SHA-256 of the module file.
    public var hash: String

    /// Every ordinary question (scenario steps not included), in order.
    public var questions: [Question] { sections.flatMap(\.questions) }

    /// Every scenario, in order.
    public var scenarios: [Scenario] { sections.compactMap(\.scenario) }

    /// Every practical skill, in order.
    public var practicals: [Practical] { sections.compactMap(\.practical) }

    /// A question by id, including scenario steps.
    public func question(id: String) -> Question? {
        for section in sections {
            if let q = section.questions.first(where: { $0.id == id }) { return q }
            if let q = section.scenario?.steps.lazy.compactMap(\.question).first(where: { $0.id == id }) { return q }
        }
        return nil
    }
}

/// How long a certificate stays valid.
public struct Validity: Sendable, Equatable, Codable, CustomStringConvertible {
    /// Units of time.
    public enum Unit: String, Sendable, Codable { case days, weeks, months, years }
    /// How many units.
    public var count: Int
    /// Which unit.
    public var unit: Unit

    /// A length of time.
    public init(count: Int, unit: Unit) {
        self.count = count
        self.unit = unit
    }

    public var description: String { "\(count) \(unit.rawValue)" }

    /// The date this long after `start`, by the Gregorian calendar in UTC.
    public func end(from start: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let component: Calendar.Component
        var amount = count
        switch unit {
        case .days: component = .day
        case .weeks: component = .day; amount = count * 7
        case .months: component = .month
        case .years: component = .year
        }
        return calendar.date(byAdding: component, value: amount, to: start) ?? start.addingTimeInterval(Double(amount) * 86_400)
    }
}

/// The course's rules and settings, from `course.md`'s front matter.
public struct CourseSettings: Sendable, Equatable, Codable {
    /// What a learner must do to complete the course.
    public struct Completion: Sendable, Equatable, Codable {
        /// Module ids required; `nil` means all modules.
        public var modules: [String]?
        /// Default pass mark of a module, in percent.
        public var pass: Int
        /// Facilitated group sessions a learner must attend.
        public var attendance: Int
        /// Practical skills a learner must be signed off on.
        public var practicals: PracticalRequirement = .none
    }

    /// Which practical skills completion needs (`completion.practicals`).
    public enum PracticalRequirement: Sendable, Equatable, Codable {
        /// None (the default).
        case none
        /// Every practical in the course's modules.
        case all
        /// These practical ids (`module-id/slug`).
        case list([String])

        /// Written as in course.md: `"none"`, `"all"` or a list of ids.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .none: try container.encode("none")
            case .all: try container.encode("all")
            case let .list(ids): try container.encode(ids)
            }
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let ids = try? container.decode([String].self) {
                self = .list(ids)
            } else {
                self = try container.decode(String.self) == "all" ? .all : .none
            }
        }
    }

    /// The certificate a completion earns.
    public struct Certificate: Sendable, Equatable, Codable {
        /// The certificate's name.
        public var name: String
        /// How long it is valid.
        public var validFor: Validity?
        /// The refresher modules a holder passes again, in the 90 days before it expires, to
        /// get a new one; empty means renewing takes every required module again.
        public var renewWith: [String] = []
    }

    /// Course id.
    public var id: String
    /// Title.
    public var title: String
    /// Content version label.
    public var version: String?
    /// Language code.
    public var language: String
    /// Module order as written in `modules:`; `nil` means file-name order.
    public var moduleOrder: [String]?
    /// Completion rules.
    public var completion: Completion
    /// Certificate settings.
    public var certificate: Certificate?
    /// Warn when a module reads above this Flesch–Kincaid grade; `nil` turns the check off.
    public var readingGrade: Double?
    /// The program's own settings (`program:` in course.md), which module text names as
    /// `{{program.KEY}}`: its name, emergency number, hotlines.
    public var program: [String: String] = [:]

    /// Settings for a lone module checked without a course.
    public static let defaults = CourseSettings(
        id: "course", title: "Course", version: nil, language: "en", moduleOrder: nil,
        completion: Completion(modules: nil, pass: 80, attendance: 0),
        certificate: nil, readingGrade: 8, program: builtInProgram
    )

    /// The program settings a module checked on its own is filled in with (US numbers);
    /// a course uses only its own `program:` block.
    public static let builtInProgram: [String: String] = [
        "name": "your program",
        "emergency-number": "911",
        "crisis-line": "988",
        "never-use-alone": "800-484-3731",
        "supervisor": "the shift lead",
        "needlestick-care": "the nearest emergency department",
    ]
}

/// A compiled course: the one source of truth for every runner.
public struct Curriculum: Sendable, Equatable, Codable {
    /// Course settings.
    public var settings: CourseSettings
    /// The welcome page (the body of `course.md`).
    public var welcome: [Element]
    /// Modules in course order.
    public var modules: [Module]
    /// SHA-256 over `course.md` and every module's hash, in order.
    public var hash: String

    /// A module by id.
    public func module(id: String) -> Module? {
        modules.first { $0.id == id }
    }

    /// Every practical skill in the course, in module order.
    public var practicals: [Practical] { modules.flatMap(\.practicals) }

    /// The practical skills completion needs, in course order.
    public var requiredPracticals: [Practical] {
        switch settings.completion.practicals {
        case .none: return []
        case .all: return practicals
        case let .list(ids): return practicals.filter { ids.contains($0.id) }
        }
    }

    /// A practical by id.
    public func practical(id: String) -> Practical? {
        practicals.first { $0.id == id }
    }
}
