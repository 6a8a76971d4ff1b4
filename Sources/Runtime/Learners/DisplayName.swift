import Foundation

/// The rules for a learner's display name: any name they'd like to be called, in any
/// script, as long as it can be shown safely to them and (later) to a facilitator.
public enum DisplayName {
    /// The longest name accepted, in characters as people count them.
    public static let maximumLength = 60
    /// The most bytes a name may take (so one "character" can't hide hundreds of marks).
    public static let maximumBytes = 240
    /// The most combining marks on one character (enough for any written language).
    public static let maximumMarksPerCharacter = 4

    /// The name tidied (spaces folded, Unicode composed), or `.badDisplayName` saying what to change.
    public static func validated(_ typed: String) throws -> String {
        let name = typed.precomposedStringWithCanonicalMapping
            .trimmingCharacters(in: .whitespacesAndNewlines)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        guard !name.isEmpty else {
            throw RecordsError(.badDisplayName, "a display name can't be empty",
                               hint: "choose any name you'd like to be called; it doesn't need to be your real name")
        }
        guard name.count <= maximumLength, name.utf8.count <= maximumBytes else {
            throw RecordsError(.badDisplayName, "a display name can be up to \(maximumLength) letters",
                               hint: "choose a shorter name")
        }
        for scalar in name.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .lineSeparator, .paragraphSeparator:
                throw RecordsError(.badDisplayName, "a display name can't contain invisible control characters",
                                   hint: "type the name again with letters, numbers, spaces or punctuation")
            case .format where scalar.value != 0x200C && scalar.value != 0x200D:
                // Direction overrides (U+202E and friends), zero-width spaces, tags: they can
                // make a name display as something else.
                throw RecordsError(.badDisplayName, "a display name can't contain invisible formatting characters (such as text-direction overrides)",
                                   hint: "type the name again with letters, numbers, spaces or punctuation")
            case .privateUse, .surrogate, .unassigned:
                throw RecordsError(.badDisplayName, "a display name can't contain characters that have no agreed meaning",
                                   hint: "type the name again with letters, numbers, spaces or punctuation")
            default:
                continue
            }
        }
        for character in name {
            let marks = character.unicodeScalars.filter { scalar in
                let category = scalar.properties.generalCategory
                return category == .nonspacingMark || category == .enclosingMark || category == .spacingMark
            }.count
            guard marks <= maximumMarksPerCharacter else {
                throw RecordsError(.badDisplayName, "a display name can't stack more than \(maximumMarksPerCharacter) accents on one letter",
                                   hint: "type the name again with fewer marks")
            }
        }
        return name
    }
}
