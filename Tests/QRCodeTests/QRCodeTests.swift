import Foundation
import QRCode
import Testing

/// QR codes read back by an independent decoder (zbar's `zbarimg`, Debian's zbar-tools).
@Suite struct QRCodeTests {
    static func zbarimg() -> String? {
        ["/usr/bin/zbarimg", "/usr/local/bin/zbarimg"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func decode(_ code: QRCode) throws -> String {
        let tool = try #require(Self.zbarimg(), "zbarimg is missing: run `make test`, which installs zbar-tools, or `sudo apt-get install zbar-tools`")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("qr-\(UUID().uuidString).pgm")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(code.pgm()).write(to: file)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["--raw", "-q", file.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .newlines)
    }

    @Test(arguments: ["https://training.example.org/join?code=042917", "http://127.0.0.1:8080/join?code=000001",
                      "https://example.org/verify/GW-7K3Q-9XPM-4"])
    func aJoinAddressReadsBack(_ text: String) throws {
        #expect(try Self.decode(QRCode(text)) == text)
    }

    @Test func theSVGDrawsEveryDarkModuleWithAQuietZone() throws {
        let code = try QRCode("https://training.example.org/join?code=042917")
        let svg = code.svg(label: "Join <here> & now")
        let side = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("aria-label=\"Join &lt;here&gt; &amp; now\""))
        // The finder pattern's top row: seven dark modules from the quiet zone's edge.
        #expect(svg.contains("M4 4h7v1h-7z"))
        #expect(code.isDark(x: 0, y: 0) && !code.isDark(x: -1, y: 0) && !code.isDark(x: code.size, y: 0))
    }

    @Test func textTooLongForAnyVersionIsAnErrorNotACrash() {
        #expect(throws: QRCode.EncodingError.self) { try QRCode(String(repeating: "x", count: 5000)) }
        #expect(throws: QRCode.EncodingError.self) { try QRCode("") }
    }
}
