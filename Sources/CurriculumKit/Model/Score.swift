/// An exact score between 0 and 1, kept as a reduced fraction.
///
/// Scores are compared and averaged exactly; they are rounded (half up) to whole
/// percents only for display and for answer-key checks.
public struct Score: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Numerator of the reduced fraction.
    public let numerator: Int
    /// Denominator of the reduced fraction, always positive.
    public let denominator: Int

    /// Creates `numerator / denominator`, reduced; a zero denominator gives zero.
    public init(_ numerator: Int, over denominator: Int) {
        guard denominator != 0 else {
            self.numerator = 0
            self.denominator = 1
            return
        }
        let sign = denominator < 0 ? -1 : 1
        let divisor = Score.gcd(abs(numerator), abs(denominator))
        self.numerator = sign * numerator / max(divisor, 1)
        self.denominator = abs(denominator) / max(divisor, 1)
    }

    /// A whole percent, 0–100.
    public init(percent: Int) { self.init(percent, over: 100) }

    /// 0.
    public static let zero = Score(0, over: 1)
    /// 1 (100%).
    public static let full = Score(1, over: 1)

    /// The score as a whole percent, rounded half up (62.5% → 63%).
    public var percent: Int {
        // floor(100 n / d + 1/2) = floor((200 n + d) / 2d), exact for non-negative scores.
        let twice = 200 * numerator + denominator
        let divisor = 2 * denominator
        return twice >= 0 ? twice / divisor : -((-twice + divisor - 1) / divisor)
    }

    /// The score as a floating-point fraction (for display only).
    public var value: Double { Double(numerator) / Double(denominator) }

    /// The sum of two scores.
    public static func + (lhs: Score, rhs: Score) -> Score {
        let divisor = gcd(lhs.denominator, rhs.denominator)
        let left = lhs.denominator / divisor
        return Score(lhs.numerator * (rhs.denominator / divisor) + rhs.numerator * left, over: left * rhs.denominator)
    }

    /// `lhs / rhs` as a score; zero when `rhs` is zero.
    public static func / (lhs: Score, rhs: Score) -> Score {
        guard rhs.numerator != 0 else { return .zero }
        return Score(lhs.numerator * rhs.denominator, over: lhs.denominator * rhs.numerator)
    }

    /// The mean of scores; zero for none.
    public static func mean(_ scores: [Score]) -> Score {
        guard !scores.isEmpty else { return .zero }
        return scores.reduce(.zero, +) / Score(scores.count, over: 1)
    }

    public static func < (lhs: Score, rhs: Score) -> Bool {
        lhs.numerator * rhs.denominator < rhs.numerator * lhs.denominator
    }

    public var description: String { "\(percent)%" }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var a = a, b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(numerator, forKey: .numerator)
        try container.encode(denominator, forKey: .denominator)
        try container.encode(percent, forKey: .percent)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try container.decode(Int.self, forKey: .numerator), over: try container.decode(Int.self, forKey: .denominator))
    }

    private enum CodingKeys: String, CodingKey { case numerator, denominator, percent }
}
