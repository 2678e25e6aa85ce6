import Foundation

/// A day as the records write it (`YYYY-MM-DD`): deadlines compare with it as text.
public enum CalendarDay {
    /// Today's date on this machine's local calendar.
    public static func today(_ now: Date = Date()) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyy-MM-dd"
        f.locale = Locale(identifier: "en_US_POSIX")
        f.calendar = Calendar(identifier: .gregorian)
        return f.string(from: now)
    }

    /// This year on the same calendar: the LKE's cycle when none is named.
    public static func thisYear(_ now: Date = Date()) -> Int { Int(today(now).prefix(4))! }
}
