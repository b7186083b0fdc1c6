import DataIO
import Foundation
import Testing

/// JSON errors name the line and column, a truncated text included (Foundation gives no position for it).
struct JSONTextTests {
    func message(_ text: String) -> String {
        let data = Data(text.utf8)
        do { _ = try JSONSerialization.jsonObject(with: data) } catch { return JSONText.position(of: error, in: data) }
        return "parsed"
    }

    @Test func namesLineAndColumn() {
        #expect(message("{\"a\": 1,\n \"b\": 2,,\n}").hasPrefix("line 2, column "))
        #expect(message("{\"a\": 1,\n \"b\": [2,\n").hasPrefix("line 3, column 1: "))
        #expect(message("{\"a\": 1,\n \"b\": [2,").hasPrefix("line 2, column 10: "))
        #expect(message("{\"a\": 1}") == "parsed")
    }
}
