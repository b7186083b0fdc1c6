import Testing
@testable import Reports

@Suite struct PricingReportTests {
    /// Prices are written as the pricer holds them (snapped to 1e-9): the leader's best prices sit where a prosumer
    /// is indifferent, so rounding to six decimals could tip it to another answer (see `PricingReport.price`).
    @Test func pricesKeepNineDecimals() {
        #expect(PricingReport.price(0.072991690) == "0.07299169")
        #expect(PricingReport.price(0.175625) == "0.175625")
        #expect(PricingReport.price(0.2) == "0.2")
        #expect(PricingReport.price(1e-9) == "0.000000001")
        #expect(PricingReport.price(3e-10) == "0")
        #expect(PricingReport.price(0) == "0")
        for x in [0.123456789, 0.000001234, 0.1999999999] {
            #expect(abs(Double(PricingReport.price(x))! - x) <= 5e-10)
        }
    }

    /// A bound no solve proved (the sum of caps when a class's own solve did not finish) prints "-", not "inf".
    @Test func missingOrInfiniteNumbersPrintAsDash() {
        #expect(TextNumber.fixed(nil, decimals: 4) == "-")
        #expect(TextNumber.fixed(.infinity, decimals: 4) == "-")
        #expect(TextNumber.fixed(-.infinity, decimals: 4) == "-")
        #expect(TextNumber.fixed(.nan, decimals: 4) == "-")
        #expect(TextNumber.fixed(12.23216, decimals: 4) == "12.2322")
        #expect(TextNumber.fixed(-3.5, decimals: 6) == "-3.500000")
    }
}
