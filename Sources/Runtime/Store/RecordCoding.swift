import CurriculumKit
import Foundation

/// How every store writes the values it keeps as text: answers as JSON (`{"choice":"b"}`,
/// keys sorted, so equal answers are equal text and can be counted together) and lists of
/// module ids separated by spaces (ids never hold one).
public enum RecordCoding {
    /// An answer as stored.
    public static func json(_ response: Response) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return String(decoding: try encoder.encode(response), as: UTF8.self)
        } catch {
            throw RecordsError(.storage, "an answer couldn't be written as JSON: \(error)", hint: "nothing was saved; try again")
        }
    }

    /// An answer read back; `.unreadable`, naming `what`, when it can't be.
    public static func response(_ json: String, what: String) throws -> Response {
        do {
            return try JSONDecoder().decode(Response.self, from: Data(json.utf8))
        } catch {
            throw RecordsError(.unreadable, "\(what) can't be read back (\(json.prefix(80)))",
                               hint: "the records may be damaged or come from a newer Groundwork; restore them from a backup")
        }
    }

    /// Module ids as stored.
    public static func list(_ ids: [String]) -> String { ids.joined(separator: " ") }

    /// Module ids read back.
    public static func list(_ text: String) -> [String] { text.split(separator: " ").map(String.init) }
}
