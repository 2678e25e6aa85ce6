import Foundation

/// How many respondents a survey period needs, from the number of people the office served in it.
public enum SampleSize {
    /// Krejcie and Morgan (1970), the rule the common survey template uses: s = χ²·N·P(1−P) /
    /// (d²·(N−1) + χ²·P(1−P)) with χ² = 3.841 (one degree of freedom, 95 %), P = 0.5 and a margin
    /// d = 0.05, rounded to the nearest whole person as their published table is. 0 for nobody
    /// served; at most 384 however many.
    public static func krejcieMorgan(population: Int) -> Int {
        guard population > 0 else { return 0 }
        let n = Double(min(population, 1_000_000_000))
        let (chi2, p, d) = (3.841, 0.5, 0.05)
        let s = chi2 * n * p * (1 - p) / (d * d * (n - 1) + chi2 * p * (1 - p))
        return min(population, Int(s.rounded()))
    }
}
