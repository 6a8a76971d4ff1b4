import Foundation
import Testing
@testable import TrainingServer

/// Form fields are decoded by hand (every answer goes through it): the result must be what
/// Foundation's `+`-to-space and `removingPercentEncoding` gave, malformed input included.
@Suite struct FormDecodingTests {
    /// What the decoding was before, with Foundation.
    func foundation(_ text: String) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    @Test(arguments: [
        "", "plain", "a+b", "naloxone+%28nasal%29", "%E2%9C%93+done", "caf%C3%A9", "100%25", "%", "%2", "%zz", "50%+off",
        "%C3", "%FF%FE", "a%2Bb", "%2b%2B", "line%0Abreak", "%00", "++", "%20%20", "emoji%F0%9F%98%80", "Robin+%22Rob%22+O%27Neil",
    ])
    func decodesAsFoundationDid(_ text: String) {
        #expect(Form.decode(Substring(text)) == foundation(text), "\(text)")
    }

    @Test func randomFieldsDecodeAsFoundationDid() {
        var generator = SplitMix(seed: 15)
        let alphabet = Array("ab+%0123456789ABCDEFcdefz ~é✓".unicodeScalars)
        for _ in 0..<3_000 {
            let length = Int(generator.next() % 12)
            let text = String(String.UnicodeScalarView((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }))
            #expect(Form.decode(Substring(text)) == foundation(text), "\(text)")
        }
    }

    @Test func aBodyKeepsRepeatedNamesInOrder() {
        let form = Form("module=a&module=b&name=Sky+Blue&empty=&bare")
        #expect(form.all("module") == ["a", "b"])
        #expect(form["name"] == "Sky Blue" && form["empty"] == "" && form["bare"] == "")
    }
}

/// A small seeded generator, so a failure can be run again.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
