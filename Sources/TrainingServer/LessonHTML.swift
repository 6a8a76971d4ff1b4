import CurriculumKit

/// Lesson elements as HTML for learners: text through cmark's safe renderer, callouts as
/// labelled asides, facilitator notes left out.
enum LessonHTML {
    static func render(_ elements: [Element]) -> String {
        var html = ""
        for element in elements {
            switch element {
            case let .text(content):
                html += content.html
            case let .callout(kind, content):
                guard kind.isVisibleToLearners else { continue }
                let label = Self.label(kind)
                html += "<aside class=\"callout callout-\(kind.rawValue.lowercased())\" aria-label=\"\(label)\">"
                html += "<p class=\"callout-label\"><strong>\(label)</strong></p>\n" + content.html + "</aside>\n"
            }
        }
        return html
    }

    static func label(_ kind: CalloutKind) -> String {
        switch kind {
        case .note: return "Note"
        case .tip: return "Tip"
        case .important: return "Important"
        case .warning: return "Warning"
        case .caution: return "Caution"
        case .facilitator: return "Facilitator note"
        case .discuss: return "Think about it"
        }
    }
}
