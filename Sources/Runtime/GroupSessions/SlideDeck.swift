import CurriculumKit
import Foundation

/// One slide of a group session.
public struct Slide: Sendable, Equatable {
    /// What the slide shows.
    public enum Body: Sendable, Equatable {
        /// How to join: the code, the address and a QR code.
        case join
        /// A module's title, objectives and time.
        case moduleTitle(Module)
        /// A part of a lesson.
        case lesson(Content)
        /// A callout everyone sees (a tip, a warning…).
        case callout(CalloutKind, Content)
        /// A discussion prompt, shown full-screen.
        case discuss(Content)
        /// A question, run as a live poll.
        case poll(Question)
        /// A scenario, run as group votes step by step.
        case scenario(Scenario)
        /// A practical skill: its steps, for the room to practise while the facilitator signs people off.
        case practical(Practical)
        /// The end of the session.
        case end
    }

    /// What it shows.
    public var body: Body
    /// The module it belongs to (nil for the join and end slides).
    public var moduleID: String?
    /// The section it belongs to (nil for a module's title and introduction).
    public var sectionID: String?
    /// The heading above it: the section's title, or the module's.
    public var heading: String
    /// The facilitator's private notes for this slide. Never shown on the projector or to participants.
    public var notes: [Content]
    /// Minutes planned for the section it belongs to: from its notes ("Four minutes."), else
    /// the module's minutes shared between its sections.
    public var minutes: Int?
}

/// A group session's slides, made from its modules: each module's title, its lessons split
/// at subheadings, thematic breaks and callouts, each discussion prompt on a slide of its
/// own, each question as a poll, each scenario as a run of group votes; a join slide first
/// and an end slide last. Facilitator notes go with the slide that follows them.
public struct SlideDeck: Sendable {
    /// Every slide, in order.
    public let slides: [Slide]

    /// Builds the deck for these modules, in this order.
    public init(modules: [Module]) {
        var slides = [Slide(body: .join, moduleID: nil, sectionID: nil, heading: "Join the session", notes: [], minutes: nil)]
        for module in modules {
            slides += Self.slides(for: module)
        }
        slides.append(Slide(body: .end, moduleID: nil, sectionID: nil, heading: "Thank you", notes: [], minutes: nil))
        self.slides = slides
    }

    private static func slides(for module: Module) -> [Slide] {
        var out: [Slide] = []
        let shared = module.minutes.map { max(1, $0 / max(1, module.sections.count)) }
        let title = Slide(body: .moduleTitle(module), moduleID: module.id, sectionID: nil, heading: module.title,
                          notes: [], minutes: nil)
        var (introduction, pending) = Self.lessonSlides(module.introduction, first: title, module: module.id, section: nil,
                                                        heading: module.title, minutes: module.minutes)
        if !pending.isEmpty { introduction[introduction.count - 1].notes += pending }
        out += introduction
        for section in module.sections {
            let notes = section.elements.compactMap { element -> Content? in
                if case let .callout(.facilitator, content) = element { return content }
                return nil
            }
            let minutes = notes.lazy.compactMap { Self.minutes(in: $0.plainText) }.first ?? shared
            var (slides, pending) = Self.lessonSlides(section.elements, first: nil, module: module.id, section: section.id,
                                                      heading: section.title, minutes: minutes)
            // Notes after the lesson text go with the question or scenario that follows them.
            for question in section.questions {
                slides.append(Slide(body: .poll(question), moduleID: module.id, sectionID: section.id, heading: section.title,
                                    notes: pending, minutes: minutes))
                pending = []
            }
            if let scenario = section.scenario {
                slides.append(Slide(body: .scenario(scenario), moduleID: module.id, sectionID: section.id,
                                    heading: scenario.title, notes: pending, minutes: minutes))
                pending = []
            }
            if let practical = section.practical {
                slides.append(Slide(body: .practical(practical), moduleID: module.id, sectionID: section.id,
                                    heading: practical.title, notes: pending, minutes: minutes))
                pending = []
            }
            if !pending.isEmpty {
                if slides.isEmpty {
                    // A section with only notes: a title slide so the notes have somewhere to be.
                    slides.append(Slide(body: .lesson(.empty), moduleID: module.id, sectionID: section.id, heading: section.title,
                                        notes: pending, minutes: minutes))
                } else {
                    slides[slides.count - 1].notes += pending
                }
            }
            out += slides
        }
        return out
    }

    /// A lesson's elements as slides: text split at headings and breaks, callouts and
    /// discussion prompts on slides of their own, each note held for the slide after it.
    /// Returns the slides and the notes nothing followed.
    private static func lessonSlides(_ elements: [Element], first: Slide?, module: String, section: String?,
                                     heading: String, minutes: Int?) -> (slides: [Slide], pending: [Content]) {
        var slides: [Slide] = first.map { [$0] } ?? []
        var pending: [Content] = []
        func add(_ body: Slide.Body) {
            slides.append(Slide(body: body, moduleID: module, sectionID: section, heading: heading, notes: pending, minutes: minutes))
            pending = []
        }
        for element in elements {
            switch element {
            case let .text(content):
                for part in content.slideParts { add(.lesson(part)) }
            case let .callout(.facilitator, content):
                pending.append(content)
            case let .callout(.discuss, content):
                add(.discuss(content))
            case let .callout(kind, content):
                add(.callout(kind, content))
            }
        }
        return (slides, pending)
    }

    /// The first "N minutes" in a note, with N in figures or words up to sixty.
    static func minutes(in text: String) -> Int? {
        let words = text.lowercased().split { !$0.isLetter && !$0.isNumber && $0 != "-" }.map(String.init)
        for (index, word) in words.enumerated().dropFirst() where word == "minutes" || word == "minute" {
            let before = words[index - 1]
            if let number = Int(before), (1...600).contains(number) { return number }
            if let number = numberWords[before] { return number }
        }
        return nil
    }

    private static let numberWords: [String: Int] = {
        let ones = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"]
        var table: [String: Int] = [:]
        for (index, word) in ones.enumerated() { table[word] = index + 1 }
        table["thirty"] = 30
        table["forty"] = 40
        table["forty-five"] = 45
        table["sixty"] = 60
        return table
    }()

    // MARK: Moving through the deck

    /// The slide at a position, if it is in the deck.
    public func slide(at position: SlidePosition) -> Slide? {
        slides.indices.contains(position.slide) ? slides[position.slide] : nil
    }

    /// The scenario step at a position, for a scenario slide.
    public func step(at position: SlidePosition) -> Scenario.Step? {
        guard case let .scenario(scenario)? = slide(at: position)?.body else { return nil }
        return position.step.flatMap(scenario.step) ?? scenario.steps.first
    }

    /// The question being polled at a position: a poll slide's question or a scenario step's.
    public func poll(at position: SlidePosition) -> Question? {
        switch slide(at: position)?.body {
        case let .poll(question)?: return question
        case .scenario?: return step(at: position)?.question
        default: return nil
        }
    }

    /// Where a slide starts: its first step for a scenario.
    public func start(of index: Int) -> SlidePosition {
        if case let .scenario(scenario)? = slide(at: SlidePosition(slide: index))?.body {
            return SlidePosition(slide: index, step: scenario.steps.first?.slug)
        }
        return SlidePosition(slide: index)
    }

    /// The position after this one. In a scenario, the step the chosen option leads to
    /// (`following`, or the step's default); after the scenario's end, the next slide.
    /// Nil on the last slide.
    public func next(after position: SlidePosition, following option: Option? = nil) -> SlidePosition? {
        if case let .scenario(scenario)? = slide(at: position)?.body, let step = step(at: position), !step.isEnding {
            if case let .step(slug) = step.next(after: option), scenario.step(slug) != nil {
                return SlidePosition(slide: position.slide, step: slug)
            }
        }
        let index = position.slide + 1
        return slides.indices.contains(index) ? start(of: index) : nil
    }

    /// The position before this one: a scenario's first step from a later step, else the
    /// previous slide. Nil on the first slide.
    public func previous(before position: SlidePosition) -> SlidePosition? {
        if case let .scenario(scenario)? = slide(at: position)?.body, let first = scenario.steps.first?.slug,
           let step = position.step, step != first {
            return SlidePosition(slide: position.slide, step: first)
        }
        let index = position.slide - 1
        return slides.indices.contains(index) ? start(of: index) : nil
    }

    /// Where each module starts, for the control view's outline.
    public var moduleStarts: [(moduleID: String, slide: Int)] {
        slides.enumerated().compactMap { index, slide in
            if case let .moduleTitle(module) = slide.body { return (module.id, index) }
            return nil
        }
    }
}
