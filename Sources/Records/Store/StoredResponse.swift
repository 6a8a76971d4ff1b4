import CurriculumKit
import Foundation

/// The JSON a response is stored and exported as: one key naming the kind.
///
/// `{"choice":"b"}`, `{"selection":["a","c"]}`, `{"order":["c","a","b"]}`,
/// `{"matches":{"a":2,"b":1}}`, `{"text":"naloxone"}`.
struct StoredResponse: Codable, Equatable {
    var choice: String?
    var selection: [String]?
    var order: [String]?
    var matches: [String: Int]?
    var text: String?

    init(_ response: Response) {
        switch response {
        case let .choice(letter): choice = letter
        case let .selection(letters): selection = letters
        case let .order(letters): order = letters
        case let .matches(pairs): matches = pairs
        case let .text(typed): text = typed
        }
    }

    /// The response, or `nil` when no kind is present.
    var response: Response? {
        if let choice { return .choice(choice) }
        if let selection { return .selection(selection) }
        if let order { return .order(order) }
        if let matches { return .matches(matches) }
        if let text { return .text(text) }
        return nil
    }

    /// The stored JSON text.
    static func json(_ response: Response) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(StoredResponse(response)) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The response in stored JSON text, or `nil` when it can't be read.
    static func response(fromJSON json: String) -> Response? {
        (try? JSONDecoder().decode(StoredResponse.self, from: Data(json.utf8)))?.response
    }
}

extension ResponseRecord {
    private enum CodingKeys: String, CodingKey {
        case attemptID, itemID, step, sequence, response, score, isCritical, answeredAt
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attemptID, forKey: .attemptID)
        try container.encode(itemID, forKey: .itemID)
        try container.encodeIfPresent(step, forKey: .step)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(StoredResponse(response), forKey: .response)
        try container.encode(score, forKey: .score)
        try container.encode(isCritical, forKey: .isCritical)
        try container.encode(answeredAt, forKey: .answeredAt)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        attemptID = try container.decode(Int64.self, forKey: .attemptID)
        itemID = try container.decode(String.self, forKey: .itemID)
        step = try container.decodeIfPresent(String.self, forKey: .step)
        sequence = try container.decode(Int.self, forKey: .sequence)
        guard let stored = try container.decode(StoredResponse.self, forKey: .response).response else {
            throw DecodingError.dataCorruptedError(forKey: .response, in: container,
                                                   debugDescription: "a response needs one of choice, selection, order, matches or text")
        }
        response = stored
        score = try container.decode(Score.self, forKey: .score)
        isCritical = try container.decode(Bool.self, forKey: .isCritical)
        answeredAt = try container.decode(Date.self, forKey: .answeredAt)
    }
}
